package order

import (
	"bytes"
	"context"
	"testing"

	bolt "go.etcd.io/bbolt"

	"pkiodesk/app/i18n"
	"pkiodesk/app/store"
)

// rewriteStored changes a stored order in the database file behind the
// store's back, as someone with the file would, and reopens the desk.
func rewriteStored(t *testing.T, d *desk, id string, change func(*store.OrderRecord)) {
	t.Helper()
	d.st.Close()
	db, err := bolt.Open(d.path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		bk := tx.Bucket([]byte("orders"))
		var rec store.OrderRecord
		if err := store.OpenJSON(bk.Get([]byte(id)), &rec); err != nil {
			return err
		}
		change(&rec)
		v, _ := store.SealJSON(rec)
		return bk.Put([]byte(id), v)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	d.open(t)
}

// A placed order's content rewritten in the file with its hash
// recomputed no longer matches the order in its signed document: every
// read path refuses it with the hash-mismatch error.
func TestPlacedContentMustMatchSignedDocument(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	card := newCard(t, d.bv)
	r := serverDraft(t, d, d.bv)
	first, err := d.Place(ctx, r.Order.ID, d.bv, card.signing())
	if err != nil {
		t.Fatal(err)
	}
	rewriteStored(t, d, r.Order.ID, func(rec *store.OrderRecord) {
		rec.Content = bytes.Replace(rec.Content, []byte("Zaaksysteem"), []byte("GEWIJZIGD"), 1)
		rec.Hash = store.ContentHash(rec.Content)
	})
	if _, err := d.Get(ctx, r.Order.ID); !i18n.Is(err, "order.hash_mismatch") {
		t.Errorf("Get: %v", err)
	}
	list, damaged, err := d.List(ctx)
	if err != nil || len(list) != 0 || len(damaged) != 1 || !i18n.Is(damaged[0], "order.hash_mismatch") {
		t.Errorf("List: %d orders, damaged %v, %v", len(list), damaged, err)
	}
	if _, err := d.Submit(ctx, r.Order.ID, d.bv, Outbox{Dir: t.TempDir()}); !i18n.Is(err, "order.hash_mismatch") {
		t.Errorf("Submit: %v", err)
	}
	if _, err := d.Cancel(ctx, r.Order.ID, d.bv); !i18n.Is(err, "order.hash_mismatch") {
		t.Errorf("Cancel: %v", err)
	}

	// A document swapped for one without the order is refused too.
	r2 := serverDraft(t, d, d.bv)
	placed, err := d.Place(ctx, r2.Order.ID, d.bv, card.signing())
	if err != nil {
		t.Fatal(err)
	}
	rewriteStored(t, d, r2.Order.ID, func(rec *store.OrderRecord) { rec.Document = first.Document })
	if _, err := d.Get(ctx, placed.Order.ID); !i18n.Is(err, "order.hash_mismatch") {
		t.Errorf("another document: %v", err)
	}
}
