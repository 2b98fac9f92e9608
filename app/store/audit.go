package store

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

// The audit journal lives in a bucket of its own: key = the entry's number
// (8 bytes, big endian, from 1), value = the entry as app/audit encoded it.
// The store knows nothing of the entry's content or its hash chain; it only
// promises that an entry handed to a change lands in the change's own
// transaction.
var bucketJournal = []byte("journal")

// JournalTx is the journal inside one write transaction.
type JournalTx interface {
	// Last returns the newest entry's number and a copy of its bytes; 0 and
	// nil for an empty journal.
	Last() (uint64, []byte)
	// Append stores value under the next number and returns that number.
	Append(value []byte) (uint64, error)
}

// Journal is the store's side of the audit journal.
type Journal interface {
	// AppendJournal writes in a transaction of its own: for actions that
	// change nothing else (a login, an export, a refusal).
	AppendJournal(ctx context.Context, write func(JournalTx) error) error
	// ViewJournal visits the stored entries in key order with their raw
	// keys, so that a damaged key is seen too.
	ViewJournal(ctx context.Context, visit func(key, value []byte) error) error
}

var _ Journal = (*Bolt)(nil)

// Pending is an audit entry waiting for the transaction of the change it
// records. It is written at most once: after the transaction that carried it
// committed, later transactions with the same context leave it alone.
type Pending struct {
	write  func(JournalTx) error
	landed atomic.Bool
}

// Landed reports whether the entry was committed together with a change.
// When the change failed or was refused, it was not; the caller then records
// the failure in a transaction of its own.
func (p *Pending) Landed() bool { return p.landed.Load() }

type pendingKey struct{}

// WithJournal returns a context that carries an audit entry into the next
// write transaction that uses it: every Store and Records write appends it
// after its change, in the same transaction, so both land or neither does.
func WithJournal(ctx context.Context, write func(JournalTx) error) (context.Context, *Pending) {
	p := &Pending{write: write}
	return context.WithValue(ctx, pendingKey{}, p), p
}

// journaled wraps a change so that the context's pending audit entry is
// appended after it, in the same transaction (Bolt.update runs it).
func journaled(ctx context.Context, change func(*bolt.Tx) error) func(*bolt.Tx) error {
	p, _ := ctx.Value(pendingKey{}).(*Pending)
	if p == nil {
		return change
	}
	return func(tx *bolt.Tx) error {
		if err := change(tx); err != nil {
			return err
		}
		if p.landed.Load() {
			return nil
		}
		j, err := openJournal(tx)
		if err != nil {
			return err
		}
		if err := p.write(j); err != nil {
			return err
		}
		tx.OnCommit(func() { p.landed.Store(true) })
		return nil
	}
}

// AppendJournal writes audit entries in a transaction of their own.
func (b *Bolt) AppendJournal(ctx context.Context, write func(JournalTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var userErr error
	err := b.write(ctx, func(tx *bolt.Tx) error {
		j, err := openJournal(tx)
		if err != nil {
			return err
		}
		userErr = write(j)
		return userErr
	})
	if userErr != nil {
		return userErr
	}
	if err != nil {
		return writeErr(err)
	}
	return nil
}

// ViewJournal visits the journal in key order.
func (b *Bolt) ViewJournal(ctx context.Context, visit func(key, value []byte) error) error {
	var userErr error
	err := b.view(ctx, func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketJournal)
		if bk == nil {
			return nil
		}
		i := 0
		return bk.ForEach(func(k, v []byte) error {
			if i++; i%4096 == 0 && ctx.Err() != nil {
				userErr = ctx.Err()
				return userErr
			}
			userErr = visit(append([]byte(nil), k...), append([]byte(nil), v...))
			return userErr
		})
	})
	if userErr != nil {
		return userErr
	}
	if err != nil {
		return readErr(err)
	}
	return nil
}

// JournalKey is the bucket key of entry number n.
func JournalKey(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

type boltJournal struct{ bk *bolt.Bucket }

func openJournal(tx *bolt.Tx) (boltJournal, error) {
	bk, err := tx.CreateBucketIfNotExists(bucketJournal)
	return boltJournal{bk: bk}, err
}

func (j boltJournal) Last() (uint64, []byte) {
	k, v := j.bk.Cursor().Last()
	if len(k) != 8 {
		return 0, nil
	}
	return binary.BigEndian.Uint64(k), append([]byte(nil), v...)
}

// Append refuses to write behind a damaged last key: it would start the
// numbering again and hide the damage.
func (j boltJournal) Append(value []byte) (uint64, error) {
	k, _ := j.bk.Cursor().Last()
	var n uint64
	switch {
	case len(k) == 8:
		n = binary.BigEndian.Uint64(k)
	case k != nil:
		return 0, errJournalKey
	}
	if n == math.MaxUint64 {
		return 0, errJournalKey
	}
	n++
	return n, j.bk.Put(JournalKey(n), value)
}

var errJournalKey = errors.New("journal: damaged last key")
