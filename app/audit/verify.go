package audit

import (
	"context"
	"encoding/binary"
	"errors"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

// Fault is how the journal was found broken.
type Fault string

const (
	Edited    Fault = "edited"    // an entry's content no longer matches its hash, or it cannot be read
	Broken    Fault = "broken"    // an entry does not follow the one before it (one of them was rewritten)
	Removed   Fault = "removed"   // entries are missing between two others
	Reordered Fault = "reordered" // an entry stands at another entry's number
	Truncated Fault = "truncated" // the journal ends before the checkpoint's head
	Rewritten Fault = "rewritten" // the entry at the checkpoint's head is another one
	BadSigned Fault = "bad-signature"
)

// Problem names the first bad entry.
type Problem struct {
	Seq   uint64 // the first bad entry's number
	Fault Fault
	// Other is the number the fault points to: the number an entry carries
	// (reordered), the next entry found (removed), the checkpoint's head
	// (truncated).
	Other uint64
}

// Err is the problem as a user-facing error.
func (p *Problem) Err() error {
	return i18n.E("audit.bad."+string(p.Fault), nil, p.Seq, p.Other)
}

// Report is what Verify found.
type Report struct {
	Entries uint64
	Head    Head
	// Checkpoint is the head kept outside the database; nil when the file is
	// missing (then removal of the newest entries cannot be seen).
	Checkpoint *Head
	// Signed is the newest head signed with a login card, if any; SignedBy
	// is that certificate's fingerprint (the caller checks it belongs to a
	// registered person).
	Signed   *Head
	SignedBy string
	Problem  *Problem
}

// OK reports whether the journal is whole.
func (r *Report) OK() bool { return r.Problem == nil }

// Verify walks the journal from the first entry and names the first bad
// one: edited, removed, reordered, or cut off before the checkpoint.
func (j *Journal) Verify(ctx context.Context) (*Report, error) {
	rep := &Report{}
	var hf *headFile
	if j.headPath != "" {
		var err error
		if hf, err = readHeadFile(j.headPath); err != nil {
			return nil, err
		}
	}
	// The heads to compare with, by number.
	want := map[uint64]string{}
	if hf != nil {
		rep.Checkpoint = &hf.Head
		want[hf.Head.Seq] = hf.Head.Hash
		if hf.Signed != nil {
			if err := hf.Signed.check(); err != nil {
				rep.Problem = &Problem{Seq: hf.Signed.Head.Seq, Fault: BadSigned}
				return rep, nil
			}
			rep.Signed, rep.SignedBy = &hf.Signed.Head, cert.Fingerprint(hf.Signed.Cert)
			if h, ok := want[hf.Signed.Head.Seq]; ok && h != hf.Signed.Head.Hash {
				rep.Problem = &Problem{Seq: hf.Signed.Head.Seq, Fault: Rewritten}
				return rep, nil
			}
			want[hf.Signed.Head.Seq] = hf.Signed.Head.Hash
		}
	}
	var expect uint64 = 1
	var prev string
	err := j.st.ViewJournal(ctx, func(k, v []byte) error {
		if len(k) != 8 {
			rep.Problem = &Problem{Seq: expect, Fault: Edited}
			return errStop
		}
		n := binary.BigEndian.Uint64(k)
		if n != expect {
			rep.Problem = &Problem{Seq: expect, Fault: Removed, Other: n}
			return errStop
		}
		e, selfOK, err := decode(v)
		switch {
		case err != nil && e.Seq == 0:
			rep.Problem = &Problem{Seq: n, Fault: Edited}
			return errStop
		case e.Seq != n:
			rep.Problem = &Problem{Seq: n, Fault: Reordered, Other: e.Seq}
			return errStop
		case err != nil || !selfOK:
			rep.Problem = &Problem{Seq: n, Fault: Edited}
			return errStop
		case e.Prev != prev:
			rep.Problem = &Problem{Seq: n, Fault: Broken, Other: n - 1}
			return errStop
		}
		prev = sum(v)
		if h, ok := want[n]; ok && h != prev {
			rep.Problem = &Problem{Seq: n, Fault: Rewritten}
			return errStop
		}
		rep.Entries, rep.Head = n, Head{Seq: n, Hash: prev, Time: e.Time}
		expect++
		return nil
	})
	if err != nil && err != errStop {
		return nil, err
	}
	if rep.Problem == nil {
		var newest uint64
		for seq := range want {
			newest = max(newest, seq)
		}
		if newest > rep.Entries {
			rep.Problem = &Problem{Seq: rep.Entries + 1, Fault: Truncated, Other: newest}
		}
	}
	return rep, nil
}

var errStop = errors.New("stop")
