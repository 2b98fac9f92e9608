package audit

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"sync"
	"time"

	"pkiodesk/app/i18n"
	"pkiodesk/app/store"
)

// Journal appends to and reads the audit journal of one database.
type Journal struct {
	st  store.Journal
	now func() time.Time
	// headPath is the checkpoint file beside the database ("" = none).
	headPath string
	// headProblem is why the checkpoint could not be written after an
	// entry had landed (see HeadProblem).
	mu          sync.Mutex
	headProblem error
}

// HeadProblem tells why the checkpoint file could not be written after an
// entry had landed, and forgets it. What was stored stays stored: the
// checkpoint lags behind the journal, which audit verify accepts, so the
// action did not fail; the user is told, since the checkpoint is the
// journal's protection against losing its newest entries.
func (j *Journal) HeadProblem() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	err := j.headProblem
	j.headProblem = nil
	return err
}

// checkpoint writes the checkpoint after an entry landed. It is not
// cancelled: a Ctrl-C just after the commit must not leave the checkpoint
// behind what it protects.
func (j *Journal) checkpoint(ctx context.Context) {
	if err := j.saveHead(context.WithoutCancel(ctx)); err != nil {
		j.mu.Lock()
		j.headProblem = err
		j.mu.Unlock()
	}
}

// New opens the journal kept in st. headPath names the checkpoint file that
// keeps the head outside the database; "" keeps none (tests).
func New(st store.Journal, headPath string, now func() time.Time) *Journal {
	if now == nil {
		now = time.Now
	}
	return &Journal{st: st, now: now, headPath: headPath}
}

// HeadPath is the checkpoint file for the database at dbPath.
func HeadPath(dbPath string) string { return dbPath + ".journal-head" }

// Record writes an entry in a transaction of its own: for actions that
// change nothing stored (a login, an export, a refusal).
func (j *Journal) Record(ctx context.Context, e Entry) error {
	write, err := j.writer(e)
	if err != nil {
		return err
	}
	if err := j.st.AppendJournal(ctx, write); err != nil {
		return err
	}
	j.checkpoint(ctx)
	return nil
}

// Change runs change with the entry carried into its write transaction, so
// that the change and its entry land together or not at all. When change
// fails or is refused, nothing of it was stored, and the refusal is recorded
// in a transaction of its own with the error's message key as the reason.
// When change writes nothing (nothing to change), the entry is recorded on
// its own.
func (j *Journal) Change(ctx context.Context, e Entry, change func(context.Context) error) error {
	write, err := j.writer(e)
	if err != nil {
		return err
	}
	cctx, pending := store.WithJournal(ctx, write)
	cerr := change(cctx)
	if pending.Landed() {
		// Landed with a committed change: a later error is not the change's.
		j.checkpoint(ctx)
		return cerr
	}
	if cerr != nil {
		e.Outcome, e.Reason = Failed, ReasonOf(cerr)
		if !isStorageReason(e.Reason) {
			e.Outcome = Refused
		}
	}
	if err := j.Record(ctx, e); err != nil {
		return errors.Join(cerr, err)
	}
	return cerr
}

func isStorageReason(key string) bool {
	switch key {
	case "err.db_write", "err.db_read", "err.db_open", "err.db_in_use", "err.context_canceled", "":
		return true
	}
	return false
}

// writer validates the entry now (a refused entry refuses the action) and
// returns the function that appends it inside a transaction.
func (j *Journal) writer(e Entry) (func(store.JournalTx) error, error) {
	if e.Outcome == "" {
		e.Outcome = OK
	}
	if err := e.Validate(); err != nil {
		return nil, err
	}
	at := j.now().UTC()
	return func(tx store.JournalTx) error {
		e := e
		last, prev := tx.Last()
		e.Seq, e.Time, e.Prev = last+1, at, ""
		if prev != nil {
			e.Prev = sum(prev)
		}
		v, err := e.seal()
		if err != nil {
			return err
		}
		n, err := tx.Append(v)
		if err != nil {
			return err
		}
		if n != e.Seq {
			return errors.New("journal: numbering moved")
		}
		return nil
	}, nil
}

func sum(v []byte) string {
	s := sha256.Sum256(v)
	return hex.EncodeToString(s[:])
}

// Filter selects entries for List and Export. Zero fields select all.
type Filter struct {
	Person string
	Action Action
	From   time.Time // inclusive
	To     time.Time // exclusive
}

func (f Filter) match(e *Entry) bool {
	return (f.Person == "" || e.Who.PersonID == f.Person || (f.Person == "—" && e.Who.PersonID == "")) &&
		(f.Action == "" || e.Action == f.Action) &&
		(f.From.IsZero() || !e.Time.Before(f.From)) &&
		(f.To.IsZero() || e.Time.Before(f.To))
}

// List returns the entries the filter selects, oldest first. It reads
// what is there; Verify says whether it can be trusted.
func (j *Journal) List(ctx context.Context, f Filter) ([]Entry, error) {
	var out []Entry
	err := j.st.ViewJournal(ctx, func(k, v []byte) error {
		e, _, err := decode(v)
		if err != nil {
			n := uint64(0)
			if len(k) == 8 {
				n = binary.BigEndian.Uint64(k)
			}
			return i18n.E("audit.err.entry_unreadable", err, n)
		}
		if f.match(&e) {
			out = append(out, e)
		}
		return nil
	})
	return out, err
}
