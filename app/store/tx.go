package store

import (
	"context"

	bolt "go.etcd.io/bbolt"
)

// Tx is a transaction handed to another package that keeps collections of
// its own in the database (see Records): what it writes lands together
// with the store's own changes in that transaction (the last transaction of
// an import, for one), or not at all.
type Tx struct {
	tx *bolt.Tx
}

// Records returns one collection in this transaction; in a read
// transaction a collection never written is empty and read-only.
func (t *Tx) Records(collection string) (RecordTx, error) {
	return recordsIn(t.tx, collection)
}

// Writable tells whether the transaction may write.
func (t *Tx) Writable() bool { return t.tx.Writable() }

// Update runs fn in a write transaction of its own, for a change that spans
// several collections.
func (b *Bolt) Update(ctx context.Context, fn func(*Tx) error) error {
	if err := b.update(ctx, func(tx *bolt.Tx) error { return fn(&Tx{tx: tx}) }); err != nil {
		return writeErr(err)
	}
	return nil
}

// View runs fn in a read transaction.
func (b *Bolt) View(ctx context.Context, fn func(*Tx) error) error {
	if err := b.view(ctx, func(tx *bolt.Tx) error { return fn(&Tx{tx: tx}) }); err != nil {
		return readErr(err)
	}
	return nil
}
