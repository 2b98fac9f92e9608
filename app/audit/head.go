package audit

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"pkiodesk/app/files"
	"pkiodesk/app/i18n"
)

// Head is the newest entry: its number and the SHA-256 of its stored bytes
// (what the next entry's Prev will be).
type Head struct {
	Seq  uint64    `json:"seq"`
	Hash string    `json:"hash"`
	Time time.Time `json:"time"`
}

// SignedHead is a head signed with a login card, normally at logout.
type SignedHead struct {
	Head Head   `json:"head"`
	Cert []byte `json:"cert"` // DER of the login certificate
	Sig  []byte `json:"sig"`
}

// headFile is the checkpoint file beside the database. The head is rewritten
// after every entry, the signed head at every logout with a card.
type headFile struct {
	V      int         `json:"v"`
	Head   Head        `json:"head"`
	Signed *SignedHead `json:"signed,omitempty"`
}

const maxHeadFile = 64 << 10

func readHeadFile(path string) (*headFile, error) {
	// A regular file only: a FIFO planted under its name would hold the
	// database's lock while waiting for a writer.
	buf, err := files.ReadRegular(path, nil, maxHeadFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, i18n.E("audit.err.head_read", err, path)
	}
	var h headFile
	if err := json.Unmarshal(buf, &h); err != nil || h.V != 1 {
		return nil, i18n.E("audit.err.head_read", err, path)
	}
	return &h, nil
}

// writeHeadFile replaces the file atomically: a power cut leaves the old
// one or the new one.
func writeHeadFile(path string, h *headFile) error {
	v, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return err
	}
	return files.WriteReplacing(path, 0o600, func(w io.Writer) error {
		_, err := w.Write(v)
		return err
	})
}

// head reads the newest entry from the database.
func (j *Journal) head(ctx context.Context) (Head, error) {
	var h Head
	err := j.st.ViewJournal(ctx, func(k, v []byte) error {
		if len(k) == 8 {
			h.Seq, h.Hash = binary.BigEndian.Uint64(k), sum(v)
		}
		return nil
	})
	return h, err
}

// saveHead writes the database's head to the checkpoint file, keeping the
// signed head in it. A head never moves back: a stale writer (another
// process) loses against a newer head.
func (j *Journal) saveHead(ctx context.Context) error {
	if j.headPath == "" {
		return nil
	}
	h, err := j.head(ctx)
	if err != nil {
		return err
	}
	h.Time = j.now().UTC()
	old, _ := readHeadFile(j.headPath)
	f := &headFile{V: 1, Head: h}
	if old != nil {
		f.Signed = old.Signed
		if old.Head.Seq > h.Seq {
			// The database holds fewer entries than the checkpoint: keep the
			// evidence for Verify.
			return nil
		}
	}
	if err := writeHeadFile(j.headPath, f); err != nil {
		return i18n.E("audit.err.head_write", err, j.headPath)
	}
	return nil
}

// signedBytes is what a card signs: a fixed text with the head, so that a
// signature over anything else is never taken for a checkpoint.
func signedBytes(h Head) []byte {
	return fmt.Appendf(nil, "pkiodesk journal head\nseq %d\nsha256 %s\ntime %s\n", h.Seq, h.Hash, h.Time.UTC().Format(time.RFC3339Nano))
}

// SignHead signs the current head with the login card (normally at logout)
// and keeps the signature in the checkpoint file; the journal records it.
func (j *Journal) SignHead(ctx context.Context, who Actor, signer crypto.Signer, login *x509.Certificate) error {
	if j.headPath == "" {
		return nil
	}
	if err := j.Record(ctx, Entry{Who: who, Action: Checkpoint, Object: Object{Kind: JournalObject}, Outcome: OK}); err != nil {
		return err
	}
	h, err := j.head(ctx)
	if err != nil {
		return err
	}
	h.Time = j.now().UTC()
	digest := sha256.Sum256(signedBytes(h))
	var opts crypto.SignerOpts = crypto.SHA256
	if _, ok := login.PublicKey.(*rsa.PublicKey); ok {
		opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}
	}
	sig, err := signer.Sign(rand.Reader, digest[:], opts)
	if err != nil && opts != crypto.SHA256 {
		// Some cards do not do PSS; PKCS #1 v1.5 is checked just as well.
		sig, err = signer.Sign(rand.Reader, digest[:], crypto.SHA256)
	}
	if err != nil {
		return i18n.E("audit.err.sign", err)
	}
	sh := &SignedHead{Head: h, Cert: login.Raw, Sig: sig}
	if err := sh.check(); err != nil {
		return i18n.E("audit.err.sign", err)
	}
	f := &headFile{V: 1, Head: h, Signed: sh}
	if err := writeHeadFile(j.headPath, f); err != nil {
		return i18n.E("audit.err.head_write", err, j.headPath)
	}
	return nil
}

var errSignature = errors.New("signature does not match the head")

// check verifies the signature with the certificate's public key.
func (s *SignedHead) check() error {
	c, err := x509.ParseCertificate(s.Cert)
	if err != nil {
		return err
	}
	digest := sha256.Sum256(signedBytes(s.Head))
	switch pub := c.PublicKey.(type) {
	case *rsa.PublicKey:
		if rsa.VerifyPSS(pub, crypto.SHA256, digest[:], s.Sig, nil) == nil || rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], s.Sig) == nil {
			return nil
		}
	case *ecdsa.PublicKey:
		if ecdsa.VerifyASN1(pub, digest[:], s.Sig) {
			return nil
		}
	}
	return errSignature
}
