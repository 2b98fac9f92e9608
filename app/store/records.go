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
		userErr = read(boltRecords{bk: tx.Bucket(recordsBucket(collection))})
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
		bk, err := tx.CreateBucketIfNotExists(recordsBucket(collection))
		if err != nil {
			return err
		}
		userErr = change(boltRecords{bk: bk})
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
// collection.
type boltRecords struct{ bk *bolt.Bucket }

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
	if r.bk == nil {
		return errReadOnly
	}
	return r.bk.Put([]byte(key), value)
}

func (r boltRecords) Delete(key string) error {
	if r.bk == nil {
		return errReadOnly
	}
	return r.bk.Delete([]byte(key))
}

var errReadOnly = errors.New("records: read-only transaction")

func (r boltRecords) ForEach(visit func(key string, value []byte) error) error {
	if r.bk == nil {
		return nil
	}
	return r.bk.ForEach(func(k, v []byte) error {
		return visit(string(k), append([]byte(nil), v...))
	})
}
