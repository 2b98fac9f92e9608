package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"

	bolt "go.etcd.io/bbolt"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
)

// Orders live in a bucket of their own. The store, not only the screens,
// keeps a placed order as it was signed: every write is compared with what
// is stored, and a change to a placed order's content or document is refused
// inside the transaction, so no code path can rewrite a signed order. Every
// write goes through b.update, so an audit entry carried by the context
// lands in the same transaction.
var bucketOrders = []byte("orders")

// OrderRecord is an order as the store keeps it. app/order encodes Content
// and Lifecycle; the store checks the hash and guards immutability.
type OrderRecord struct {
	ID string `json:"id"`
	// Content is the order itself (JSON). Until it is placed it may change;
	// once placed it never does.
	Content []byte `json:"content"`
	// Hash is the hex SHA-256 of Content, printed on the order's PDF.
	Hash string `json:"hash"`
	// Placed freezes Content, Hash and Document.
	Placed bool `json:"placed"`
	// Document is the signed PDF, set when the order is placed.
	Document []byte `json:"document,omitempty"`
	// Lifecycle is the order's state and history (JSON); it is the only
	// part that changes after placing.
	Lifecycle []byte `json:"lifecycle"`
}

// ContentHash is the hash the store expects for an order's content.
func ContentHash(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}

// OrderChange is one change made in one transaction: the order, and
// optionally the certificate it concerns and people it registers (a new
// Certificaatbeheerder is registered by the order that names them).
type OrderChange struct {
	// Order changes the record; an error leaves everything unchanged.
	Order func(*OrderRecord) error
	// Certificate, when set, names a certificate record changed by
	// ChangeCertificate in the same transaction.
	Certificate       string
	ChangeCertificate func(*cert.Certificate) error
	// Assignment, when set, records who requested and who manages
	// Certificate, in the same transaction.
	Assignment *Assignment
	// People are added or replaced in the same transaction.
	People []org.Person
}

// OrderResult is what a change wrote.
type OrderResult struct {
	Order       OrderRecord
	Certificate *cert.Certificate // set when the change touched one
}

var (
	errOrderExists  = errors.New("order exists")
	errOrderMissing = errors.New("order not found")
)

// CreateOrder stores a new order (a draft). An existing ID is refused.
func (b *Bolt) CreateOrder(ctx context.Context, rec OrderRecord) error {
	if err := checkOrderWrite(nil, &rec); err != nil {
		return err
	}
	var userErr error
	err := b.update(ctx, func(tx *bolt.Tx) error {
		bk, err := countedBucket(tx, bucketOrders)
		if err != nil {
			return err
		}
		if bk.Get([]byte(rec.ID)) != nil {
			userErr = i18n.E("order.exists", nil, cert.Printable(rec.ID))
			return errOrderExists
		}
		return putOrder(bk, &rec)
	})
	if userErr != nil {
		return userErr
	}
	if err != nil {
		return writeErr(err)
	}
	return nil
}

// Order reads one order and checks its content against its hash.
func (b *Bolt) Order(ctx context.Context, id string) (OrderRecord, error) {
	var rec OrderRecord
	var userErr error
	err := b.view(ctx, func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketOrders)
		var v []byte
		if bk != nil {
			v = bk.Get([]byte(id))
		}
		if v == nil {
			userErr = i18n.E("order.not_found", nil, cert.Printable(id))
			return errOrderMissing
		}
		var err error
		rec, err = decodeOrder(id, v)
		if err != nil {
			userErr = err
		}
		return err
	})
	if userErr != nil {
		return OrderRecord{}, userErr
	}
	if err != nil {
		return OrderRecord{}, readErr(err)
	}
	return rec, nil
}

// DamagedOrder is a stored order that failed its check, named by the key
// it is stored under, so that a list can show it as a row of its own.
type DamagedOrder struct {
	ID  string
	Err error
}

func (d *DamagedOrder) Error() string { return d.Err.Error() }
func (d *DamagedOrder) Unwrap() error { return d.Err }

// Orders reads every order, oldest ID first. A damaged order is reported by
// name (a *DamagedOrder) and left out; the others stay usable.
func (b *Bolt) Orders(ctx context.Context) ([]OrderRecord, []error, error) {
	var out []OrderRecord
	var damaged []error
	err := b.view(ctx, func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketOrders)
		var seen uint64
		defer func() {
			// Orders a damaged page hid have no number to name them by.
			if hidden := hiddenBy(tx, bucketOrders, seen); hidden > 0 {
				damaged = append(damaged, &DamagedOrder{Err: hiddenError(string(bucketOrders), hidden, nil)})
			}
		}()
		if bk == nil {
			return nil
		}
		return cursorRange{b: bk, seen: &seen}.ForEach(func(k, v []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			rec, err := decodeOrder(string(k), v)
			if err != nil {
				damaged = append(damaged, &DamagedOrder{ID: string(k), Err: err})
				return nil
			}
			out = append(out, rec)
			return nil
		})
	})
	if err != nil {
		return nil, nil, readErr(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, damaged, nil
}

// ChangeOrder changes one order, and what ch names beside it, in one
// transaction. A placed order keeps its content, hash and document: a change
// to any of them, or an attempt to un-place it, is refused.
func (b *Bolt) ChangeOrder(ctx context.Context, id string, ch OrderChange) (OrderResult, error) {
	var res OrderResult
	var userErr error
	fail := func(err error) error { userErr = err; return err }
	err := b.update(ctx, func(tx *bolt.Tx) error {
		if err := ctx.Err(); err != nil {
			return fail(i18n.E("err.context_canceled", err))
		}
		bk := tx.Bucket(bucketOrders)
		var v []byte
		if bk != nil {
			v = bk.Get([]byte(id))
		}
		if v == nil {
			return fail(i18n.E("order.not_found", nil, cert.Printable(id)))
		}
		old, err := decodeOrder(id, v)
		if err != nil {
			return fail(err)
		}
		rec := cloneOrder(old)
		if err := ch.Order(&rec); err != nil {
			return fail(err)
		}
		if err := checkOrderWrite(&old, &rec); err != nil {
			return fail(err)
		}
		if ch.Certificate != "" && ch.ChangeCertificate != nil {
			c, err := changeCertificate(tx, ch.Certificate, ch.ChangeCertificate)
			if err != nil {
				return fail(err)
			}
			res.Certificate = &c
			if ch.Assignment != nil {
				if err := putAssignment(tx, ch.Certificate, *ch.Assignment); err != nil {
					return err
				}
			}
		}
		for _, p := range ch.People {
			if err := putPerson(tx, p); err != nil {
				return err
			}
		}
		res.Order = rec
		orders, err := countedBucket(tx, bucketOrders)
		if err != nil {
			return err
		}
		return putOrder(orders, &rec)
	})
	if userErr != nil {
		return OrderResult{}, userErr
	}
	if err != nil {
		return OrderResult{}, writeErr(err)
	}
	return res, nil
}

// DeleteOrder removes a draft. A placed order is never deleted.
func (b *Bolt) DeleteOrder(ctx context.Context, id string) error {
	var userErr error
	err := b.update(ctx, func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketOrders)
		var v []byte
		if bk != nil {
			v = bk.Get([]byte(id))
		}
		if v == nil {
			userErr = i18n.E("order.not_found", nil, cert.Printable(id))
			return userErr
		}
		rec, err := decodeOrder(id, v)
		if err != nil {
			userErr = err
			return err
		}
		if rec.Placed {
			userErr = i18n.E("order.immutable", nil, cert.Printable(id))
			return userErr
		}
		orders, err := countedBucket(tx, bucketOrders)
		if err != nil {
			return err
		}
		return orders.Delete([]byte(id))
	})
	if userErr != nil {
		return userErr
	}
	if err != nil {
		return writeErr(err)
	}
	return nil
}

// checkOrderWrite is the store's own guard: the hash must match the
// content, and a placed order (old) must stay exactly as it was placed.
func checkOrderWrite(old, rec *OrderRecord) error {
	if rec.ID == "" || len(rec.ID) > 64 {
		return i18n.E("order.id_invalid", nil, cert.Printable(rec.ID))
	}
	if ContentHash(rec.Content) != rec.Hash {
		return i18n.E("order.hash_mismatch", nil, cert.Printable(rec.ID))
	}
	if rec.Placed && len(rec.Document) == 0 {
		return i18n.E("order.placed_without_document", nil, cert.Printable(rec.ID))
	}
	if old == nil || !old.Placed {
		return nil
	}
	if !rec.Placed || rec.ID != old.ID || rec.Hash != old.Hash || !bytes.Equal(rec.Content, old.Content) || !bytes.Equal(rec.Document, old.Document) {
		return i18n.E("order.immutable", nil, cert.Printable(old.ID))
	}
	return nil
}

func putOrder(bk counted, rec *OrderRecord) error {
	v, err := sealJSON(rec)
	if err != nil {
		return err
	}
	return bk.Put([]byte(rec.ID), v)
}

// decodeOrder reads a stored order and checks its content hash: an order
// whose bytes changed on disk is reported, never shown as if intact.
func decodeOrder(key string, v []byte) (OrderRecord, error) {
	var rec OrderRecord
	if err := openJSON(v, &rec); err != nil {
		return OrderRecord{}, i18n.E("order.damaged", err, cert.Printable(key))
	}
	if rec.ID != key {
		return OrderRecord{}, i18n.E("order.damaged", fmt.Errorf("stored under %q", cert.Printable(key)), cert.Printable(rec.ID))
	}
	if ContentHash(rec.Content) != rec.Hash {
		return OrderRecord{}, i18n.E("order.hash_mismatch", nil, cert.Printable(key))
	}
	return rec, nil
}

func cloneOrder(r OrderRecord) OrderRecord {
	r.Content = bytes.Clone(r.Content)
	r.Document = bytes.Clone(r.Document)
	r.Lifecycle = bytes.Clone(r.Lifecycle)
	return r
}

// changeCertificate changes an own certificate record inside tx.
func changeCertificate(tx *bolt.Tx, sha string, change func(*cert.Certificate) error) (cert.Certificate, error) {
	bk := tx.Bucket(bucketCerts)
	v := bk.Get([]byte(sha))
	if v == nil {
		return cert.Certificate{}, i18n.E("err.cert_not_found", nil, cert.Printable(sha))
	}
	if err := checkRecord([]byte(sha), v); err != nil {
		return cert.Certificate{}, i18n.E("err.record_damaged", err, damageOf([]byte(sha), tx.Bucket(bucketDER), err).Label())
	}
	c, err := decodeRecord(v)
	if err != nil {
		return cert.Certificate{}, i18n.E("err.record_damaged", err, cert.Printable(sha))
	}
	if err := change(&c); err != nil {
		return cert.Certificate{}, err
	}
	if err := bk.Put([]byte(sha), encodeRecord(&c)); err != nil {
		return cert.Certificate{}, err
	}
	return c, nil
}

// putAssignment records a certificate's assignment inside tx (the bucket of
// certadmin.go).
func putAssignment(tx *bolt.Tx, sha string, a Assignment) error {
	bk, err := countedBucket(tx, bucketAssignments)
	if err != nil {
		return err
	}
	if a == (Assignment{}) {
		return bk.Delete([]byte(sha))
	}
	v, err := sealJSON(a)
	if err != nil {
		return err
	}
	return bk.Put([]byte(sha), v)
}
