package store

import bolt "go.etcd.io/bbolt"

// The trust store (app/trust) keeps its anchors and its revocation cache in
// buckets of its own in the same file, so that a certificate, its revocation
// state and the CRL that decided it live and die together. These two methods
// hand it a transaction; it touches only the buckets whose names start with
// "trust-".

// View runs fn in a read-only transaction.
func (b *Bolt) View(fn func(*bolt.Tx) error) error { return b.db.View(fn) }

// Update runs fn in one read-write transaction: all of it lands, or none.
func (b *Bolt) Update(fn func(*bolt.Tx) error) error { return b.db.Update(fn) }
