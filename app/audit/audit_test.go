package audit

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"pkiodesk/app/i18n"
	"pkiodesk/app/store"
)

var (
	alice = Actor{PersonID: "a1b2c3d4e5f60718", CertSHA: strings.Repeat("ab", 32)}
	cli   = Actor{OSUser: "beheerder"}
)

type fixture struct {
	t      *testing.T
	dbPath string
	st     *store.Bolt
	j      *Journal
}

func clock() func() time.Time {
	t := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(time.Minute); return t }
}

func open(t *testing.T, dbPath string) *fixture {
	t.Helper()
	st, err := store.OpenBolt(dbPath, store.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &fixture{t: t, dbPath: dbPath, st: st, j: New(st, HeadPath(dbPath), clock())}
}

func newFixture(t *testing.T, n int) *fixture {
	f := open(t, filepath.Join(t.TempDir(), "pkiodesk.db"))
	for i := 0; i < n; i++ {
		who := alice
		if i%2 == 1 {
			who = cli
		}
		if err := f.j.Record(context.Background(), Entry{Who: who, Action: Download, Object: Cert(strings.Repeat("0f", 32))}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// rawEdit closes the store and changes the journal bucket with bbolt
// directly, as someone with the file would.
func (f *fixture) rawEdit(edit func(bk *bolt.Bucket) error) *fixture {
	f.t.Helper()
	f.st.Close()
	db, err := bolt.Open(f.dbPath, 0o600, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { return edit(tx.Bucket([]byte("journal"))) }); err != nil {
		f.t.Fatal(err)
	}
	db.Close()
	return open(f.t, f.dbPath)
}

func (f *fixture) verify() *Report {
	f.t.Helper()
	rep, err := f.j.Verify(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return rep
}

func wantProblem(t *testing.T, rep *Report, fault Fault, seq uint64) {
	t.Helper()
	if rep.Problem == nil {
		t.Fatalf("no problem found; want %s at %d", fault, seq)
	}
	if rep.Problem.Fault != fault || rep.Problem.Seq != seq {
		t.Fatalf("problem %+v; want %s at %d", *rep.Problem, fault, seq)
	}
	if msg := i18n.Localize(i18n.NL, rep.Problem.Err()); strings.Contains(msg, "%!") || !strings.Contains(msg, "logboekregel") && !strings.Contains(msg, "logboek") {
		t.Errorf("message %q", msg)
	}
}

func TestIntactJournalVerifies(t *testing.T) {
	f := newFixture(t, 5)
	rep := f.verify()
	if !rep.OK() || rep.Entries != 5 || rep.Checkpoint == nil || rep.Checkpoint.Seq != 5 || rep.Checkpoint.Hash != rep.Head.Hash {
		t.Fatalf("report %+v problem %+v", rep, rep.Problem)
	}
	es, err := f.j.List(context.Background(), Filter{})
	if err != nil || len(es) != 5 || es[0].Prev != "" || es[1].Prev == "" || es[4].Seq != 5 {
		t.Fatalf("list %v %+v", err, es)
	}
}

func editEntry(seq uint64, change func(m map[string]any)) func(bk *bolt.Bucket) error {
	return func(bk *bolt.Bucket) error {
		var m map[string]any
		if err := json.Unmarshal(bk.Get(store.JournalKey(seq)), &m); err != nil {
			return err
		}
		change(m)
		v, _ := json.Marshal(m)
		return bk.Put(store.JournalKey(seq), v)
	}
}

func TestEditedEntryIsNamed(t *testing.T) {
	f := newFixture(t, 6)
	f = f.rawEdit(editEntry(3, func(m map[string]any) { m["outcome"] = "refused" }))
	wantProblem(t, f.verify(), Edited, 3)
}

// An editor who also recomputes the entry's own hash is caught by the next
// entry's link to it.
func TestEditedEntryWithNewHashIsNamed(t *testing.T) {
	f := newFixture(t, 6)
	f = f.rawEdit(func(bk *bolt.Bucket) error {
		e, _, err := decode(bk.Get(store.JournalKey(3)))
		if err != nil {
			return err
		}
		e.Who = cli
		v, err := e.seal()
		if err != nil {
			return err
		}
		return bk.Put(store.JournalKey(3), v)
	})
	wantProblem(t, f.verify(), Broken, 4)
}

func TestRemovedEntryIsNamed(t *testing.T) {
	f := newFixture(t, 6)
	f = f.rawEdit(func(bk *bolt.Bucket) error { return bk.Delete(store.JournalKey(2)) })
	rep := f.verify()
	wantProblem(t, rep, Removed, 2)
	if rep.Problem.Other != 3 {
		t.Errorf("next found %d", rep.Problem.Other)
	}
}

func TestReorderedEntriesAreNamed(t *testing.T) {
	f := newFixture(t, 6)
	f = f.rawEdit(func(bk *bolt.Bucket) error {
		a, b := append([]byte(nil), bk.Get(store.JournalKey(4))...), append([]byte(nil), bk.Get(store.JournalKey(5))...)
		if err := bk.Put(store.JournalKey(4), b); err != nil {
			return err
		}
		return bk.Put(store.JournalKey(5), a)
	})
	rep := f.verify()
	wantProblem(t, rep, Reordered, 4)
	if rep.Problem.Other != 5 {
		t.Errorf("carries %d", rep.Problem.Other)
	}
}

func TestTruncatedJournalIsNamed(t *testing.T) {
	f := newFixture(t, 6)
	f = f.rawEdit(func(bk *bolt.Bucket) error {
		if err := bk.Delete(store.JournalKey(6)); err != nil {
			return err
		}
		return bk.Delete(store.JournalKey(5))
	})
	rep := f.verify()
	wantProblem(t, rep, Truncated, 5)
	if rep.Problem.Other != 6 {
		t.Errorf("checkpoint head %d", rep.Problem.Other)
	}
	// The next action must not paper over the cut: the checkpoint stays.
	if err := f.j.Record(context.Background(), Entry{Who: cli, Action: Logout}); err != nil {
		t.Fatal(err)
	}
	wantProblem(t, f.verify(), Truncated, 6)
}

// A damaged key at the end stops appending instead of renumbering.
func TestDamagedKeyStopsAppending(t *testing.T) {
	f := newFixture(t, 2)
	f = f.rawEdit(func(bk *bolt.Bucket) error { return bk.Put([]byte{0xff}, []byte("x")) })
	if err := f.j.Record(context.Background(), Entry{Who: cli, Action: Logout}); err == nil {
		t.Fatal("appended behind a damaged key")
	}
	wantProblem(t, f.verify(), Edited, 3)
}

// The entry has typed fields only, each checked: there is no field a PIN,
// key, ID document or secret could be put in as free text.
func TestEntryCarriesNoFreeText(t *testing.T) {
	typ := reflect.TypeOf(Entry{})
	for i := 0; i < typ.NumField(); i++ {
		fld := typ.Field(i)
		switch fld.Name {
		case "V", "Seq", "Time", "Action", "Outcome", "Count", "Prev", "Hash", "Reason", "Who", "Object":
		default:
			t.Errorf("unexpected field %s: give it a type and a check", fld.Name)
		}
	}
	secret := "1234-geheim-PIN"
	bad := []Entry{
		{Action: "login; pin=1234"},
		{Action: Login, Who: Actor{PersonID: "pin 1234"}},
		{Action: Login, Who: Actor{CertSHA: secret}},
		{Action: Login, Who: Actor{OSUser: "user\npin=1234"}},
		{Action: Login, Object: Object{Kind: CertObject, ID: secret}},
		{Action: Login, Object: Object{Kind: "note", ID: secret}},
		{Action: Login, Object: Object{Kind: OrgObject, ID: secret}},
		{Action: Login, Object: Object{Kind: SettingObject, ID: "client-secret"}},
		{Action: Login, Object: Object{Kind: AfnemerObject, ID: "12345a"}},
		{Action: Login, Reason: "my secret is 1234"},
		{Action: Login, Reason: "not.a.known.key"},
		{Action: Login, Outcome: "ok, pin 1234"},
		{Action: Login, Count: -1},
	}
	f := newFixture(t, 0)
	for _, e := range bad {
		if err := f.j.Record(context.Background(), e); !i18n.Is(err, "audit.err.field") {
			t.Errorf("entry %+v: %v", e, err)
		}
	}
	if es, _ := f.j.List(context.Background(), Filter{}); len(es) != 0 {
		t.Errorf("refused entries were written: %+v", es)
	}
	// A refusal keeps only the message key, never its arguments.
	err := i18n.E("id.not_allowed", nil, secret)
	if r := ReasonOf(err); r != "id.not_allowed" {
		t.Errorf("reason %q", r)
	}
}

// Change: entry and change in one transaction; a refused change leaves no
// change and a refusal entry with the reason.
func TestChangeAndEntryLandTogether(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	e := Entry{Who: alice, Action: SettingChange, Object: Setting("language")}
	err := f.j.Change(ctx, e, func(ctx context.Context) error {
		return f.st.UpdateRecords(ctx, "x", func(tx store.RecordTx) error { return tx.Put("k", []byte("v")) })
	})
	if err != nil {
		t.Fatal(err)
	}
	refusal := i18n.E("settings.language", nil, "xx")
	err = f.j.Change(ctx, e, func(ctx context.Context) error {
		return f.st.UpdateRecords(ctx, "x", func(tx store.RecordTx) error {
			if err := tx.Put("k2", []byte("v")); err != nil {
				return err
			}
			return refusal
		})
	})
	if !errors.Is(err, refusal) {
		t.Fatalf("err %v", err)
	}
	es, _ := f.j.List(ctx, Filter{})
	if len(es) != 2 || es[0].Outcome != OK || es[1].Outcome != Refused || es[1].Reason != "settings.language" {
		t.Fatalf("entries %+v", es)
	}
	var k2 []byte
	f.st.ViewRecords(ctx, "x", func(tx store.RecordTx) error { k2 = tx.Get("k2"); return nil })
	if k2 != nil {
		t.Error("refused change landed")
	}
	// The pending entry rides along once: a second write in the same call
	// does not write it again.
	err = f.j.Change(ctx, e, func(ctx context.Context) error {
		for _, k := range []string{"a", "b"} {
			if err := f.st.UpdateRecords(ctx, "x", func(tx store.RecordTx) error { return tx.Put(k, nil) }); err != nil {
				return err
			}
		}
		return nil
	})
	if es, _ := f.j.List(ctx, Filter{}); err != nil || len(es) != 3 {
		t.Fatalf("%v: %d entries", err, len(es))
	}
	if !f.verify().OK() {
		t.Error("chain broken")
	}
}

func TestListFilters(t *testing.T) {
	f := newFixture(t, 6)
	ctx := context.Background()
	es, _ := f.j.List(ctx, Filter{Person: alice.PersonID})
	if len(es) != 3 {
		t.Errorf("person: %d", len(es))
	}
	es, _ = f.j.List(ctx, Filter{Person: "—"})
	if len(es) != 3 || es[0].Who.OSUser != "beheerder" {
		t.Errorf("nobody: %+v", es)
	}
	all, _ := f.j.List(ctx, Filter{})
	es, _ = f.j.List(ctx, Filter{From: all[2].Time, To: all[4].Time})
	if len(es) != 2 || es[0].Seq != 3 {
		t.Errorf("period: %+v", es)
	}
	es, _ = f.j.List(ctx, Filter{Action: Logout})
	if len(es) != 0 {
		t.Errorf("action: %d", len(es))
	}
}

// Ctrl-C that comes just after an entry landed must not leave the
// checkpoint behind it: the checkpoint is written without the signal's
// cancellation.
func TestCheckpointAfterTheCommitIsNotCancelled(t *testing.T) {
	f := newFixture(t, 3)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f.j.checkpoint(ctx)
	if err := f.j.HeadProblem(); err != nil {
		t.Fatalf("checkpoint after a cancelled context: %v", err)
	}
	h, err := readHeadFile(HeadPath(f.dbPath))
	if err != nil || h.Head.Seq != 3 {
		t.Fatalf("checkpoint file holds %+v (%v), want entry 3", h, err)
	}
}
