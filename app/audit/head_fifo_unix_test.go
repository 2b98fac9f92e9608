//go:build unix

package audit

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"pkiodesk/app/i18n"
)

// A FIFO planted under the journal head's name is refused at once: reading
// it would wait for a writer while the database stays locked.
func TestHeadFileFIFORefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db.journal-head")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skip("no FIFOs here")
	}
	done := make(chan error, 1)
	go func() { _, err := readHeadFile(path); done <- err }()
	select {
	case err := <-done:
		if !i18n.Is(err, "audit.err.head_read") || !i18n.Is(err, "err.not_regular.fifo") {
			t.Errorf("err = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("reading a FIFO as the journal head hangs")
	}
}
