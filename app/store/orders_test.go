package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
)

func openTestBolt(t *testing.T) *Bolt {
	t.Helper()
	b, err := OpenBolt(filepath.Join(t.TempDir(), "orders.db"), BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func draftRecord(id, content string) OrderRecord {
	return OrderRecord{ID: id, Content: []byte(content), Hash: ContentHash([]byte(content)), Lifecycle: []byte(`{"state":"draft"}`)}
}

// A placed order cannot be changed through the store, whatever the caller:
// content, hash, document and the placed mark are compared inside the
// transaction, and nothing is written when one differs.
func TestPlacedOrderIsImmutableInTheStore(t *testing.T) {
	ctx := context.Background()
	b := openTestBolt(t)
	if err := b.CreateOrder(ctx, draftRecord("PKIO-1", `{"v":1}`)); err != nil {
		t.Fatal(err)
	}
	// A draft may change.
	if _, err := b.ChangeOrder(ctx, "PKIO-1", OrderChange{Order: func(r *OrderRecord) error {
		r.Content = []byte(`{"v":2}`)
		r.Hash = ContentHash(r.Content)
		return nil
	}}); err != nil {
		t.Fatalf("draft change: %v", err)
	}
	// Placing needs the signed document.
	if _, err := b.ChangeOrder(ctx, "PKIO-1", OrderChange{Order: func(r *OrderRecord) error { r.Placed = true; return nil }}); !i18n.Is(err, "order.placed_without_document") {
		t.Fatalf("placed without document: %v", err)
	}
	if _, err := b.ChangeOrder(ctx, "PKIO-1", OrderChange{Order: func(r *OrderRecord) error {
		r.Placed, r.Document = true, []byte("%PDF signed")
		r.Lifecycle = []byte(`{"state":"placed"}`)
		return nil
	}}); err != nil {
		t.Fatal(err)
	}
	placed, err := b.Order(ctx, "PKIO-1")
	if err != nil {
		t.Fatal(err)
	}
	changes := map[string]func(r *OrderRecord){
		"content":            func(r *OrderRecord) { r.Content = []byte(`{"v":3}`); r.Hash = ContentHash(r.Content) },
		"content, same hash": func(r *OrderRecord) { r.Content = []byte(`{"v":3}`) },
		"document":           func(r *OrderRecord) { r.Document = []byte("%PDF other") },
		"no document":        func(r *OrderRecord) { r.Document = nil },
		"un-place":           func(r *OrderRecord) { r.Placed = false },
	}
	for name, change := range changes {
		_, err := b.ChangeOrder(ctx, "PKIO-1", OrderChange{Order: func(r *OrderRecord) error { change(r); return nil }})
		if !i18n.Is(err, "order.immutable") && !i18n.Is(err, "order.hash_mismatch") && !i18n.Is(err, "order.placed_without_document") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := b.DeleteOrder(ctx, "PKIO-1"); !i18n.Is(err, "order.immutable") {
		t.Errorf("delete placed: %v", err)
	}
	// The lifecycle may change, and a linked certificate with it.
	if _, err := b.ChangeOrder(ctx, "PKIO-1", OrderChange{Order: func(r *OrderRecord) error {
		r.Lifecycle = []byte(`{"state":"submitted"}`)
		return nil
	}}); err != nil {
		t.Fatalf("lifecycle change: %v", err)
	}
	after, err := b.Order(ctx, "PKIO-1")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(after.Content, placed.Content) || !bytes.Equal(after.Document, placed.Document) || after.Hash != placed.Hash || string(after.Lifecycle) != `{"state":"submitted"}` {
		t.Errorf("after refused changes: %+v", after)
	}
}

// The content hash is checked on every read: bytes changed on disk are
// reported by order number, and the other orders stay readable.
func TestOrderHashIsCheckedOnRead(t *testing.T) {
	ctx := context.Background()
	b := openTestBolt(t)
	for _, id := range []string{"PKIO-A", "PKIO-B"} {
		if err := b.CreateOrder(ctx, draftRecord(id, `{"fqdn":"www.voorbeeldstad.nl"}`)); err != nil {
			t.Fatal(err)
		}
	}
	// Someone edits the database file: the content changes, the hash not.
	if err := b.db.Update(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketOrders)
		var rec OrderRecord
		if err := openJSON(bk.Get([]byte("PKIO-A")), &rec); err != nil {
			return err
		}
		rec.Content = []byte(`{"fqdn":"www.aanvaller.nl"}`)
		// Resealed, so that the value's own checksum holds: only the
		// content hash can tell.
		v, _ := sealJSON(rec)
		return bk.Put([]byte("PKIO-A"), v)
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Order(ctx, "PKIO-A"); !i18n.Is(err, "order.hash_mismatch") {
		t.Errorf("tampered order read: %v", err)
	}
	if _, err := b.ChangeOrder(ctx, "PKIO-A", OrderChange{Order: func(*OrderRecord) error { return nil }}); !i18n.Is(err, "order.hash_mismatch") {
		t.Errorf("tampered order changed: %v", err)
	}
	all, damaged, err := b.Orders(ctx)
	if err != nil || len(all) != 1 || all[0].ID != "PKIO-B" || len(damaged) != 1 || !i18n.Is(damaged[0], "order.hash_mismatch") {
		t.Errorf("list: %v, %d orders, damaged %v", err, len(all), damaged)
	}
	if got := i18n.Localize(i18n.NL, damaged[0]); got != "bestelling PKIO-A is beschadigd: de inhoud past niet bij de opgeslagen hash" {
		t.Errorf("message %q", got)
	}
}

func TestCreateOrderRefusesDuplicatesAndBadHashes(t *testing.T) {
	ctx := context.Background()
	b := openTestBolt(t)
	if err := b.CreateOrder(ctx, draftRecord("X-1", `{}`)); err != nil {
		t.Fatal(err)
	}
	if err := b.CreateOrder(ctx, draftRecord("X-1", `{"other":1}`)); !i18n.Is(err, "order.exists") {
		t.Errorf("duplicate: %v", err)
	}
	bad := draftRecord("X-2", `{}`)
	bad.Hash = ContentHash([]byte("other"))
	if err := b.CreateOrder(ctx, bad); !i18n.Is(err, "order.hash_mismatch") {
		t.Errorf("bad hash: %v", err)
	}
	if _, err := b.Order(ctx, "X-2"); !i18n.Is(err, "order.not_found") {
		t.Errorf("refused order stored: %v", err)
	}
}

// An order change and the certificate and people it concerns land in one
// transaction: a refused certificate change leaves the order as it was.
func TestOrderChangeWithCertificateIsOneTransaction(t *testing.T) {
	ctx := context.Background()
	b := openTestBolt(t)
	c := cert.Certificate{SHA256: "aa", Kind: cert.KindServer, CommonName: "www.voorbeeldstad.nl"}
	if _, _, err := b.AddCertificates(ctx, []Entry{{Cert: c, DER: []byte{1}}}); err != nil {
		t.Fatal(err)
	}
	if err := b.CreateOrder(ctx, draftRecord("O-1", `{}`)); err != nil {
		t.Fatal(err)
	}
	refused := errors.New("refused")
	_, err := b.ChangeOrder(ctx, "O-1", OrderChange{
		Order:             func(r *OrderRecord) error { r.Lifecycle = []byte(`{"state":"x"}`); return nil },
		Certificate:       "aa",
		ChangeCertificate: func(c *cert.Certificate) error { c.OrderID = "O-1"; return refused },
		People:            []org.Person{{ID: "p1", Name: "Nieuw"}},
	})
	if !errors.Is(err, refused) {
		t.Fatalf("err %v", err)
	}
	rec, _ := b.Order(ctx, "O-1")
	people, _ := b.People(ctx)
	if string(rec.Lifecycle) != `{"state":"draft"}` || len(people) != 0 {
		t.Errorf("partial write: %s, people %v", rec.Lifecycle, people)
	}
	res, err := b.ChangeOrder(ctx, "O-1", OrderChange{
		Order:             func(r *OrderRecord) error { return nil },
		Certificate:       "aa",
		ChangeCertificate: func(c *cert.Certificate) error { c.OrderID = "O-1"; return nil },
		Assignment:        &Assignment{ContactID: "r1", ManagerID: "m1"},
		People:            []org.Person{{ID: "m1", Name: "Nieuwe Beheerder", Role: org.Certificaatbeheerder, Active: true}},
	})
	if err != nil || res.Certificate == nil || res.Certificate.OrderID != "O-1" {
		t.Fatalf("%v %+v", err, res.Certificate)
	}
	certs, _ := b.Certificates(ctx)
	people, _ = b.People(ctx)
	as, _ := b.Assignment(ctx, "aa")
	if len(certs) != 1 || certs[0].OrderID != "O-1" || as.ManagerID != "m1" || as.ContactID != "r1" || len(people) != 1 {
		t.Errorf("stored %+v, assignment %+v, people %v", certs, as, people)
	}
}

// Records written before orders existed have no order links and still
// decode; new records keep them.
func TestCertificateRecordOrderLinks(t *testing.T) {
	c := cert.Certificate{SHA256: "bb", CommonName: "x", OrderID: "o", Renews: "old", RevocationOrderID: "rev"}
	got, err := decodeRecord(encodeRecord(&c))
	if err != nil || got.OrderID != "o" || got.Renews != "old" || got.RevocationOrderID != "rev" {
		t.Fatalf("%v %+v", err, got)
	}
	// Schema 1 records, before orders (no tail) and after (a tail of links).
	plain := cert.Certificate{SHA256: "cc", CommonName: "y"}
	got, err = decodeRecord(encodeV1(&plain))
	if err != nil || got.CommonName != "y" || got.OrderID != "" {
		t.Errorf("old record: %v %+v", err, got)
	}
	linked := append(encodeV1(&plain), 1, 'o', 0, 0)
	got, err = decodeRecord(linked)
	if err != nil || got.CommonName != "y" || got.OrderID != "o" {
		t.Errorf("schema 1 record with order links: %v %+v", err, got)
	}
	// A version 2 record without its links is damaged, not silently empty.
	enc := encodeRecord(&plain)
	short := append(enc[:len(enc)-4-3:len(enc)-4-3], 0, 0, 0, 0)
	binary.BigEndian.PutUint32(short[len(short)-4:], crc32.Checksum(short[:len(short)-4], castagnoli))
	if _, err := decodeRecord(short); err == nil {
		t.Errorf("a version 2 record without order links decoded")
	}
}
