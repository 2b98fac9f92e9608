package cli

import (
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"pkiodesk/app/store"
)

func TestAuditVerifyListExport(t *testing.T) {
	db := newDB(t)
	for _, lang := range []string{"nl", "en", "auto"} {
		if r := run(t, "nl", "--db", db, "settings", "--lang", lang); r.code != 0 {
			t.Fatalf("settings: %d %s", r.code, r.stderr)
		}
	}
	r := run(t, "nl", "--db", db, "audit", "verify")
	if r.code != 0 || !strings.Contains(r.stdout, "Logboek in orde: 3 regels") {
		t.Fatalf("verify: %d %s %s", r.code, r.stdout, r.stderr)
	}
	r = run(t, "en", "--db", db, "audit", "list", "--action", "settings", "--person", "—")
	if r.code != 0 || strings.Count(r.stdout, "Setting changed") != 3 || !strings.Contains(r.stdout, "setting language") {
		t.Fatalf("list: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, "nl", "--db", db, "audit", "list", "--action", "geheim"); r.code == 0 || !strings.Contains(r.stderr, "onbekende actie") {
		t.Errorf("unknown action: %d %s", r.code, r.stderr)
	}
	if r := run(t, "nl", "--db", db, "audit", "export", "--from", "1-2-2026", "--csv", "-"); r.code == 0 || !strings.Contains(r.stderr, "ongeldige datum") {
		t.Errorf("bad date: %d %s", r.code, r.stderr)
	}
	r = run(t, "nl", "--db", db, "audit", "export", "--from", "2000-01-01", "--to", "2999-12-31", "--csv", "-")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "\uFEFFNr;Tijd;Persoon") || strings.Count(r.stdout, "\n") != 4 {
		t.Fatalf("export: %d %q %s", r.code, r.stdout, r.stderr)
	}
	// The export itself is journaled.
	if r := run(t, "nl", "--db", db, "audit", "list", "--action", "journal-export"); !strings.Contains(r.stdout, "Logboek geëxporteerd") {
		t.Errorf("export not journaled: %s", r.stdout)
	}

	// Edit the file behind pkiodesk's back: verify exits 1 naming the entry.
	raw, err := bolt.Open(db, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw.Update(func(tx *bolt.Tx) error {
		bk := tx.Bucket([]byte("journal"))
		v := strings.Replace(string(bk.Get(store.JournalKey(2))), `"ok"`, `"failed"`, 1)
		return bk.Put(store.JournalKey(2), []byte(v))
	})
	raw.Close()
	r = run(t, "nl", "--db", db, "audit", "verify")
	if r.code != 1 || !strings.Contains(r.stderr, "logboekregel 2 is gewijzigd") {
		t.Errorf("edited: %d %s %s", r.code, r.stdout, r.stderr)
	}
}

// The export counts journal entries, not certificates.
func TestAuditExportCountsEntries(t *testing.T) {
	db := newDB(t)
	out := filepath.Join(t.TempDir(), "logboek.csv")
	r := run(t, "nl", "--db", db, "audit", "export", "--csv", out)
	if r.code != 0 || !strings.Contains(r.stdout, "logboekregel") || strings.Contains(r.stdout, "certifica") {
		t.Errorf("%d %q %s", r.code, r.stdout, r.stderr)
	}
}
