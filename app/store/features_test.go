package store

import (
	"context"
	"errors"
	"testing"

	bolt "go.etcd.io/bbolt"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

// journalCount counts the stored audit entries.
func journalCount(t *testing.T, j Journal) int {
	t.Helper()
	n := 0
	if err := j.ViewJournal(context.Background(), func(_, _ []byte) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

func appendEntry(value string) func(JournalTx) error {
	return func(j JournalTx) error {
		_, err := j.Append([]byte(value))
		return err
	}
}

// An audit entry rides in the transaction that makes a change visible: an
// import in many transactions carries it in its last one only, so an
// import that fails there leaves neither the certificates nor the entry,
// although earlier transactions committed. A read-only open refuses both.
func TestJournalEntryLandsWithTheLastImportTransaction(t *testing.T) {
	ctx := context.Background()
	st, path := openTemp(t)
	entries := demoEntries(t, 30, 7)

	failing, p := WithJournal(ctx, appendEntry("import 1"))
	im := st.BeginImport(ImportOptions{BatchBytes: 1, MemoryBytes: 1})
	if err := im.Add(failing, entries); err != nil {
		t.Fatal(err)
	}
	_, err := im.Finish(failing, func(*Tx) error { return errors.New("refused in the last transaction") })
	if err == nil {
		t.Fatal("the last transaction's refusal was not reported")
	}
	if err := im.Abort(failing); err != nil {
		t.Fatal(err)
	}
	if p.Landed() || journalCount(t, st) != 0 {
		t.Errorf("an entry landed for an import that did not: landed %v, %d entries", p.Landed(), journalCount(t, st))
	}
	if certs, _ := st.Certificates(ctx); len(certs) != 0 {
		t.Errorf("%d certificates of a failed import", len(certs))
	}

	ok, p := WithJournal(ctx, appendEntry("import 2"))
	im = st.BeginImport(ImportOptions{BatchBytes: 1, MemoryBytes: 1})
	if err := im.Add(ok, entries); err != nil {
		t.Fatal(err)
	}
	if _, err := im.Finish(ok, nil); err != nil {
		t.Fatal(err)
	}
	if !p.Landed() || journalCount(t, st) != 1 {
		t.Errorf("after an import in %d transactions: landed %v, %d entries (want 1)", len(entries), p.Landed(), journalCount(t, st))
	}
	st.Close()

	ro, err := OpenBolt(path, BoltOptions{Access: ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if err := ro.AppendJournal(ctx, appendEntry("x")); !i18n.Is(err, "err.db_read_only") {
		t.Errorf("journal written read-only: %v", err)
	}
	withEntry, _ := WithJournal(ctx, appendEntry("y"))
	if err := ro.SetAssignment(withEntry, entries[0].Cert.SHA256, Assignment{ContactID: "p"}); !i18n.Is(err, "err.db_read_only") {
		t.Errorf("assignment written read-only: %v", err)
	}
	if n := journalCount(t, ro); n != 1 {
		t.Errorf("read-only journal: %d entries", n)
	}
}

// Orders and assignments carry a checksum like every other value: a
// damaged one is named by db check and on reading, the others stay usable,
// and what is left of a damaged file still shows orders, assignments and
// the journal, read-only.
func TestOrdersAssignmentsAndJournalAreCheckedAndSalvaged(t *testing.T) {
	ctx := context.Background()
	st, path := openTemp(t)
	entries := demoEntries(t, 3, 9)
	if _, _, err := st.AddCertificates(ctx, entries); err != nil {
		t.Fatal(err)
	}
	var own []string
	for _, e := range entries {
		if e.Cert.Kind != cert.KindCA {
			own = append(own, e.Cert.SHA256)
		}
	}
	if len(own) < 2 {
		t.Fatalf("need two own certificates, have %d", len(own))
	}
	for _, id := range []string{"PKIO-A", "PKIO-B"} {
		if err := st.CreateOrder(ctx, draftRecord(id, `{"fqdn":"www.voorbeeld.nl"}`)); err != nil {
			t.Fatal(err)
		}
	}
	for _, sha := range own[:2] {
		if err := st.SetAssignment(ctx, sha, Assignment{ContactID: "p1", ManagerID: "p2"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.AppendJournal(ctx, appendEntry("entry")); err != nil {
		t.Fatal(err)
	}
	// One byte changes in an order and in an assignment, as on a bad disk.
	flip := func(bucket []byte, key string) {
		t.Helper()
		if err := st.db.Update(func(tx *bolt.Tx) error {
			bk := tx.Bucket(bucket)
			v := append([]byte(nil), bk.Get([]byte(key))...)
			v[len(v)/2] ^= 0x20
			return bk.Put([]byte(key), v)
		}); err != nil {
			t.Fatal(err)
		}
	}
	flip(bucketOrders, "PKIO-B")
	flip(bucketAssignments, own[1])

	rep, err := st.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]bool{}
	for _, d := range rep.Damaged {
		named[d.Key] = true
	}
	if rep.Orders != 1 || !named["orders/PKIO-B"] || !named["assignments/"+own[1]] || rep.OK() {
		t.Errorf("check: %d orders, damaged %v, ok %v", rep.Orders, named, rep.OK())
	}
	if _, err := st.Order(ctx, "PKIO-B"); !i18n.Is(err, "order.damaged") {
		t.Errorf("damaged order read: %v", err)
	}
	if a, err := st.Assignment(ctx, own[1]); !i18n.Is(err, "err.assignment_damaged") {
		t.Errorf("damaged assignment read: %+v %v", a, err)
	}
	if a, err := st.Assignment(ctx, own[0]); err != nil || a.ManagerID != "p2" {
		t.Errorf("intact assignment: %+v %v", a, err)
	}
	st.Close()

	s, err := OpenSalvaged(ctx, path, errors.New("test: damaged"))
	if err != nil {
		t.Fatal(err)
	}
	// The scan leaves damaged values out and names them in its report.
	orders, _, err := s.Orders(ctx)
	if err != nil || len(orders) != 1 || orders[0].ID != "PKIO-A" {
		t.Errorf("salvaged orders: %d, %v", len(orders), err)
	}
	salvageNamed := map[string]bool{}
	for _, d := range s.Report().Damaged {
		salvageNamed[d.Key] = true
	}
	if !salvageNamed["orders/PKIO-B"] || !salvageNamed["assignments/"+own[1]] {
		t.Errorf("salvage report: %v", salvageNamed)
	}
	if a, err := s.Assignment(ctx, own[0]); err != nil || a.ContactID != "p1" {
		t.Errorf("salvaged assignment: %+v %v", a, err)
	}
	if n := journalCount(t, s); n != 1 {
		t.Errorf("salvaged journal: %d entries", n)
	}
	if err := s.CreateOrder(ctx, draftRecord("PKIO-C", `{}`)); !i18n.Is(err, "err.db_damaged_read_only") {
		t.Errorf("order written to a damaged file: %v", err)
	}
	if err := s.AppendJournal(ctx, appendEntry("x")); !i18n.Is(err, "err.db_damaged_read_only") {
		t.Errorf("journal written to a damaged file: %v", err)
	}
}

// Once a damaged page was met, the store refuses writes: the journal's
// own transactions too, and a change carrying an entry.
func TestDamageFoundStopsJournalToo(t *testing.T) {
	ctx := context.Background()
	st, _ := openTemp(t)
	defer st.Close()
	var found error = &pageFault{"page 7: unexpected flags"}
	st.damage.Store(&found)
	if err := st.AppendJournal(ctx, appendEntry("after")); !IsDamaged(err) {
		t.Errorf("journal written after damage was found: %v", err)
	}
	withEntry, p := WithJournal(ctx, appendEntry("with a change"))
	if err := st.SaveSettings(withEntry, Settings{Language: "en"}); !IsDamaged(err) || p.Landed() {
		t.Errorf("change written after damage was found: %v, landed %v", err, p.Landed())
	}
}
