//go:build unix

package app

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The signed change form with its ID copy goes to the viewer from this
// process's own folder under $XDG_RUNTIME_DIR, never through a name
// another user could have planted a link at; it goes at the end.
func TestChangePDFForTheViewerLivesInTheProcesssPrivateFolder(t *testing.T) {
	run, target := t.TempDir(), t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", run)
	if err := os.Symlink(target, filepath.Join(run, fmt.Sprintf("pkiodesk-%d", os.Getuid()))); err != nil {
		t.Fatal(err)
	}
	r := newRegister(t, filepath.Join(t.TempDir(), "db"), 1)
	ctx := context.Background()
	ch, _, err := r.a.SubmitChange(ctx, r.people["cpa"], contactsDraft(), []IDCopy{{Contact: 0, Name: "paspoort.jpg", Data: idCopyBytes(t)}}, r.signing(t, r.people["cpa"]))
	if err != nil {
		t.Fatal(err)
	}
	path, err := r.a.ChangeDocumentFile(ctx, ch.Number, DocumentOpened)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(path)
	if filepath.Dir(dir) != run || !strings.HasPrefix(filepath.Base(dir), fmt.Sprintf("pkiodesk-%d-", os.Getpid())) {
		t.Fatalf("the viewer's copy is at %s, not in %s/pkiodesk-%d-*", path, run, os.Getpid())
	}
	if fi, err := os.Lstat(dir); err != nil || fi.Mode()&os.ModeSymlink != 0 || fi.Mode().Perm() != 0o700 {
		t.Fatalf("folder %v %v", fi.Mode(), err)
	}
	if fi, err := os.Lstat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("file %v %v", fi.Mode(), err)
	}
	if left, _ := os.ReadDir(target); len(left) != 0 {
		t.Fatalf("written through the planted link: %v", left)
	}
	// An order's PDF shares the folder; both go with it.
	other, err := r.a.PrivateFile("B-1.pdf", []byte("%PDF"))
	if err != nil || filepath.Dir(other) != dir {
		t.Fatalf("order PDF at %s (%v), want in %s", other, err, dir)
	}
	if err := r.a.RemovePrivateFiles(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(dir); !os.IsNotExist(err) {
		t.Fatalf("the private folder outlived its removal: %v", err)
	}

	// A crashed pkiodesk's folder is removed at the next start.
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	left := filepath.Join(run, fmt.Sprintf("pkiodesk-%d-123", gone.Process.Pid))
	if err := os.Mkdir(left, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := r.a.RemovePrivateLeftovers(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(left); !os.IsNotExist(err) {
		t.Fatalf("a gone process's folder stayed: %v", err)
	}
}
