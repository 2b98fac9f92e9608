package store

import (
	"context"
	"errors"

	bolt "go.etcd.io/bbolt"
)

// Records is one named collection of records that a feature package (the
// BRP register, ...) keeps in the same database file, in a bucket of its
// own. The package encodes its records itself; the store only promises that
// everything one Update does lands together, or not at all.
type Records interface {
	// ViewRecords reads the collection; a collection never written is empty.
	ViewRecords(ctx context.Context, collection string, read func(RecordTx) error) error
	// UpdateRecords changes the collection in one transaction. An error from
	// change is returned as it is and nothing is written.
	UpdateRecords(ctx context.Context, collection string, change func(RecordTx) error) error
}

// RecordTx is a collection inside one transaction. Values handed out are
// copies: they stay valid after the transaction.
type RecordTx interface {
	Get(key string) []byte
	Put(key string, value []byte) error
	Delete(key string) error
	// ForEach visits the records in key order.
	ForEach(visit func(key string, value []byte) error) error
}

var _ Records = (*Bolt)(nil)

// recordsBucket keeps feature collections apart from the core's buckets.
func recordsBucket(collection string) []byte { return []byte("rec:" + collection) }

// ViewRecords reads one collection.
func (b *Bolt) ViewRecords(ctx context.Context, collection string, read func(RecordTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var userErr error
	err := b.view(ctx, func(tx *bolt.Tx) error {
		userErr = read(readableRecords(tx, collection))
		return userErr
	})
	if userErr != nil {
		return userErr
	}
	if err != nil {
		return readErr(err)
	}
	return nil
}

// UpdateRecords changes one collection in one transaction, through the
// store's one write path (update).
func (b *Bolt) UpdateRecords(ctx context.Context, collection string, change func(RecordTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var userErr error
	err := b.update(ctx, func(tx *bolt.Tx) error {
		w, err := countedBucket(tx, recordsBucket(collection))
		if err != nil {
			return err
		}
		userErr = change(writableRecords(w))
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

// boltRecords is a bucket as a RecordTx; a nil bucket is an empty, read-only
// collection. Writes go through counted (w), reads check the bucket's count.
type boltRecords struct {
	tx   *bolt.Tx
	name []byte
	bk   *bolt.Bucket
	w    *counted
}

// readableRecords is collection in a transaction that only reads it.
func readableRecords(tx *bolt.Tx, collection string) boltRecords {
	name := recordsBucket(collection)
	return boltRecords{tx: tx, name: name, bk: tx.Bucket(name)}
}

// writableRecords is a collection opened for writing.
func writableRecords(w counted) boltRecords {
	return boltRecords{tx: w.tx, name: w.name, bk: w.bk, w: &w}
}

// recordsIn is collection in tx, writable where tx is.
func recordsIn(tx *bolt.Tx, collection string) (RecordTx, error) {
	if !tx.Writable() {
		return readableRecords(tx, collection), nil
	}
	w, err := countedBucket(tx, recordsBucket(collection))
	if err != nil {
		return nil, err
	}
	return writableRecords(w), nil
}

func (r boltRecords) Get(key string) []byte {
	if r.bk == nil {
		return nil
	}
	if v := r.bk.Get([]byte(key)); v != nil {
		return append([]byte(nil), v...)
	}
	return nil
}

func (r boltRecords) Put(key string, value []byte) error {
	if r.w == nil {
		return errReadOnly
	}
	return r.w.Put([]byte(key), value)
}

func (r boltRecords) Delete(key string) error {
	if r.w == nil {
		return errReadOnly
	}
	return r.w.Delete([]byte(key))
}

var errReadOnly = errors.New("records: read-only transaction")

// ForEach visits the records in key order; keys a damaged page shows twice
// are visited once. When fewer keys were met than the collection holds, a
// damaged page hid the rest: that is an error after the visit, so that
// nobody takes what was shown for the whole collection.
func (r boltRecords) ForEach(visit func(key string, value []byte) error) error {
	var seen uint64
	if r.bk == nil {
		// Never written, or the bucket itself hidden by a damaged page.
		return withHidden(nil, r.name, hiddenBy(r.tx, r.name, 0))
	}
	err := cursorRange{b: r.bk, seen: &seen}.ForEach(func(k, v []byte) error {
		return visit(string(k), append([]byte(nil), v...))
	})
	if err != nil {
		return err
	}
	if hidden := hiddenBy(r.tx, r.name, seen); hidden > 0 {
		return hiddenError(string(r.name), hidden, nil)
	}
	return nil
}
