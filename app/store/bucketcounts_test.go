package store

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
)

// collections is what each counted collection shows and whether its read
// said something was wrong.
type collections struct {
	people, assignments, orders, afnemers int
	said                                  []string
}

func readCollections(t *testing.T, b *Bolt) collections {
	t.Helper()
	ctx := context.Background()
	var c collections
	say := func(what string, err error) {
		if err != nil {
			c.said = append(c.said, what+": "+i18n.Localize(i18n.NL, err))
		}
	}
	people, err := b.People(ctx)
	c.people = len(people)
	say("people", err)
	say("register", b.ViewOrganisation(ctx, func(tx OrgTx) error {
		a, err := tx.CertificatePeople()
		c.assignments = len(a)
		if err != nil {
			return err
		}
		_, err = tx.People()
		return err
	}))
	orders, damaged, err := b.Orders(ctx)
	c.orders = len(orders)
	say("orders", err)
	for _, d := range damaged {
		say("orders", d)
	}
	say("afnemers", b.ViewRecords(ctx, "brp-afnemers", func(tx RecordTx) error {
		return tx.ForEach(func(string, []byte) error { c.afnemers++; return nil })
	}))
	return c
}

// countedDB stores n people, assignments, orders and afnemers, enough of
// each for a bucket of its own pages, and removes one of each again (the
// removals must keep the counts true as well).
func countedDB(t *testing.T, n int) string {
	t.Helper()
	ctx := context.Background()
	var entries []Entry
	for _, e := range demoEntries(t, 2*n+8, 7) {
		if e.Cert.Kind != cert.KindCA && len(entries) < n+1 {
			entries = append(entries, e)
		}
	}
	path := storedDB(t, entries)
	b, err := OpenBolt(path, BoltOptions{Access: OpenExisting})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	pad := strings.Repeat("x", 300)
	for i := range n + 1 {
		id := fmt.Sprintf("p%03d", i)
		if err := b.PutPerson(ctx, org.Person{ID: id, Name: "Persoon " + id + pad}); err != nil {
			t.Fatal(err)
		}
		if err := b.SetAssignment(ctx, entries[i].Cert.SHA256, Assignment{ContactID: id, ManagerID: id + pad}); err != nil {
			t.Fatal(err)
		}
		if err := b.CreateOrder(ctx, draftRecord(fmt.Sprintf("PKIO-%03d", i), `{"v":"`+pad+`"}`)); err != nil {
			t.Fatal(err)
		}
		if err := b.UpdateRecords(ctx, "brp-afnemers", func(tx RecordTx) error {
			return tx.Put(fmt.Sprintf("%06d", 100000+i), []byte(pad))
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.SetAssignment(ctx, entries[n].Cert.SHA256, Assignment{}); err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteOrder(ctx, fmt.Sprintf("PKIO-%03d", n)); err != nil {
		t.Fatal(err)
	}
	if err := b.UpdateRecords(ctx, "brp-afnemers", func(tx RecordTx) error { return tx.Delete(fmt.Sprintf("%06d", 100000+n)) }); err != nil {
		t.Fatal(err)
	}
	// A person is never removed; one more assignment goes with its
	// certificate.
	if _, err := b.RemoveCertificate(ctx, entries[0].Cert.SHA256); err != nil {
		t.Fatal(err)
	}
	return path
}

// One flipped element count in a leaf page hid people, afnemers or orders
// without a word (exit 0, db check silent). Lowered by one or set to zero
// on every leaf page in turn: a read that shows fewer records than were
// stored says so, and db check finds it. The undamaged file reads whole,
// with nothing said: the counts are kept true through removals.
func TestHiddenCollectionRecordsAreReported(t *testing.T) {
	const n = 24
	path := countedDB(t, n)
	want := collections{people: n + 1, assignments: n - 1, orders: n, afnemers: n}
	b, err := OpenBolt(path, BoltOptions{Access: ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	got := readCollections(t, b)
	rep, err := b.Check(context.Background())
	b.Close()
	if got.people != want.people || got.assignments != want.assignments || got.orders != want.orders || got.afnemers != want.afnemers || len(got.said) > 0 {
		t.Fatalf("undamaged: %+v, want %+v", got, want)
	}
	if err != nil || !rep.OK() {
		t.Fatalf("undamaged, db check: %v %+v", err, rep.Structure)
	}

	orig, _ := os.ReadFile(path)
	hid := map[string]int{}
	lowerLeafCounts(t, orig, func(trial, path string) {
		b, err := OpenBolt(path, BoltOptions{Access: ReadOnly})
		if err != nil {
			return // refused as damaged: said
		}
		defer b.Close()
		got := readCollections(t, b)
		short := map[string]bool{
			"people":      got.people < want.people,
			"assignments": got.assignments < want.assignments,
			"orders":      got.orders < want.orders,
			"afnemers":    got.afnemers < want.afnemers,
		}
		anyShort := false
		for what, s := range short {
			if s {
				hid[what]++
				anyShort = true
			}
		}
		if !anyShort {
			return
		}
		if len(got.said) == 0 {
			t.Errorf("%s: %+v shown, want %+v, and nothing said", trial, got, want)
		}
		if rep, err := b.Check(context.Background()); err != nil || rep.OK() {
			t.Errorf("%s: db check finds nothing (%v)", trial, err)
		}
	})
	for _, what := range []string{"people", "assignments", "orders", "afnemers"} {
		if hid[what] == 0 {
			t.Errorf("no %s were ever hidden: the test damages the wrong places", what)
		}
	}
	t.Logf("hidden by a damaged count: %v", hid)
}

// A database from before the counts were kept gets them the first time it
// is opened for writing, whatever is written then (the window's start, any
// change): its people and afnemers are guarded from then on, not only after
// they are next changed.
func TestOldDatabaseIsCountedWhenOpenedForWriting(t *testing.T) {
	path := countedDB(t, 12)
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		var old [][]byte
		_ = meta.ForEach(func(k, _ []byte) error {
			if bytes.HasPrefix(k, []byte("n:")) {
				old = append(old, bytes.Clone(k))
			}
			return nil
		})
		if len(old) != 4 {
			t.Errorf("counts kept: %q", old)
		}
		for _, k := range old {
			if err := meta.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	b, err := OpenBolt(path, BoltOptions{Access: OpenExisting})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	err = b.view(context.Background(), func(tx *bolt.Tx) error {
		for name, want := range map[string]uint64{"people": 13, "assignments": 11, "orders": 12, "rec:brp-afnemers": 12} {
			if n, ok := bucketCount(tx, []byte(name)); !ok || n != want {
				t.Errorf("%s: count %d (kept %v), want %d", name, n, ok, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
