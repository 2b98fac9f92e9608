package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pkiodesk/app/store"
)

// Commands without --db and PKIODESK_DB use the user's own database. The
// tests must never reach the real one of whoever runs them (an earlier
// session's tests migrated /root/.config/pkiodesk/pkiodesk.db): TestMain
// points the configuration folder into a temporary one, and this fails
// when that guard goes.
func TestDefaultDatabaseIsTheTestsOwn(t *testing.T) {
	own := os.Getenv("XDG_CONFIG_HOME")
	if own == "" || !strings.HasPrefix(own, os.TempDir()) {
		t.Fatalf("XDG_CONFIG_HOME is %q: the tests would use the user's own configuration folder", own)
	}
	path, err := store.ResolvePath("", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if rel, err := filepath.Rel(own, path); err != nil || strings.HasPrefix(rel, "..") {
		t.Fatalf("default database %s lies outside the tests' folder %s", path, own)
	}
	// And a command without --db names that path, creating nothing.
	r := run(t, "nl", "expiring")
	if r.code != 2 || !strings.Contains(r.stderr, path) {
		t.Errorf("expiring without --db: %d %s", r.code, r.stderr)
	}
	if _, err := os.Stat(path); err == nil {
		t.Errorf("%s was created", path)
	}
}
