//go:build unix

package privatefiles

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestFilesAreTheUsersOnlyInAFolderNamedAfterTheProcess(t *testing.T) {
	base := t.TempDir()
	f := In(base)
	path, err := f.Write("W-1.pdf", []byte("%PDF"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(path)
	if filepath.Dir(dir) != base || !strings.HasPrefix(filepath.Base(dir), fmt.Sprintf("pkiodesk-%d-", os.Getpid())) {
		t.Fatalf("folder %s: want %s/pkiodesk-%d-*", dir, base, os.Getpid())
	}
	if fi, _ := os.Lstat(dir); fi.Mode().Perm() != 0o700 || !fi.IsDir() {
		t.Fatalf("folder mode %v, want drwx------", fi.Mode())
	}
	if fi, _ := os.Lstat(path); fi.Mode().Perm() != 0o600 || !fi.Mode().IsRegular() {
		t.Fatalf("file mode %v, want -rw-------", fi.Mode())
	}
	// Writing the same name again replaces it.
	if again, err := f.Write("../W-1.pdf", []byte("%PDF-2")); err != nil || again != path {
		t.Fatalf("second write: %s, %v", again, err)
	}
	if b, _ := os.ReadFile(path); string(b) != "%PDF-2" {
		t.Fatalf("content %q", b)
	}
	if err := f.Remove("W-1.pdf"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("removed file still there: %v", err)
	}
	if _, err := f.Write("W-2.pdf", nil); err != nil {
		t.Fatal(err)
	}
	if err := f.RemoveAll(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("folder still there after RemoveAll: %v", err)
	}
	// A new write after RemoveAll gets a new, unpredictable folder.
	next, err := f.Write("W-3.pdf", nil)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(next) == dir {
		t.Fatal("the folder's name was used again")
	}
	_ = f.RemoveAll()
}

// The old folder was /tmp/pkiodesk-UID/wijzigingen: a link planted there
// (or at any name another user can guess) must not be followed.
func TestAPlantedLinkIsNeverFollowed(t *testing.T) {
	base, target := t.TempDir(), t.TempDir()
	for _, name := range []string{
		fmt.Sprintf("pkiodesk-%d", os.Getuid()),
		fmt.Sprintf("pkiodesk-%d", os.Getpid()),
		fmt.Sprintf("pkiodesk-%d-", os.Getpid()),
		"pkiodesk-",
	} {
		if err := os.Symlink(target, filepath.Join(base, name)); err != nil {
			t.Fatal(err)
		}
	}
	f := In(base)
	path, err := f.Write("W-1.pdf", []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.RemoveAll()
	if real, err := filepath.EvalSymlinks(path); err != nil || real != path {
		t.Fatalf("the file %s resolves to %s (%v)", path, real, err)
	}
	if left, _ := os.ReadDir(target); len(left) != 0 {
		t.Fatalf("a file was written through a planted link: %v", left)
	}
	if err := f.RemoveAll(); err != nil {
		t.Fatal(err)
	}
	for _, e := range mustReadDir(t, base) {
		if fi, _ := os.Lstat(filepath.Join(base, e.Name())); fi.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("left behind: %s", e.Name())
		}
	}
}

func TestLeftoversOfAGoneProcessAreRemovedARunningOnesKept(t *testing.T) {
	base := t.TempDir()
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	alive := exec.Command("sleep", "60")
	if err := alive.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = alive.Process.Kill(); _ = alive.Wait() }()

	mk := func(pid int) string {
		dir, err := os.MkdirTemp(base, fmt.Sprintf("pkiodesk-%d-*", pid))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "W-1.pdf"), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	goneDir, aliveDir, ownDir := mk(gone.Process.Pid), mk(alive.Process.Pid), mk(os.Getpid())
	// A link named like a gone process's folder, pointing at someone's
	// files: neither the link's target nor its content is touched.
	target := t.TempDir()
	if err := os.WriteFile(filepath.Join(target, "keep"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(base, fmt.Sprintf("pkiodesk-%d-link", gone.Process.Pid))
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	// Not ours by name.
	other := filepath.Join(base, "pkiodesk-notapid")
	if err := os.Mkdir(other, 0o700); err != nil {
		t.Fatal(err)
	}

	removed, err := RemoveLeftovers(base)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 1 || removed[0] != goneDir {
		t.Fatalf("removed %v, want only %s", removed, goneDir)
	}
	for _, keep := range []string{aliveDir, ownDir, link, other, filepath.Join(target, "keep")} {
		if _, err := os.Lstat(keep); err != nil {
			t.Fatalf("%s should be kept: %v", keep, err)
		}
	}
	if _, err := os.Lstat(goneDir); !os.IsNotExist(err) {
		t.Fatalf("%s should be gone: %v", goneDir, err)
	}
}

func TestBaseIsTheRuntimeFolderWhenSet(t *testing.T) {
	run := t.TempDir()
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "XDG_RUNTIME_DIR" {
				return v
			}
			return ""
		}
	}
	if got := Base(env(run)); got != run {
		t.Fatalf("Base = %s, want %s", got, run)
	}
	for _, v := range []string{"", "relative/dir", filepath.Join(run, "missing")} {
		if got := Base(env(v)); got != os.TempDir() {
			t.Fatalf("Base(%q) = %s, want %s", v, got, os.TempDir())
		}
	}
}

func TestFolderNames(t *testing.T) {
	for name, want := range map[string]int{"pkiodesk-12-abc": 12, "pkiodesk-12-": 0, "pkiodesk-12": 0, "pkiodesk--1-x": 0, "pkiodesk-1x-y": 0, "other-12-a": 0} {
		if got, ok := pidOf(name); got != want || ok != (want != 0) {
			t.Errorf("pidOf(%q) = %d, %v", name, got, ok)
		}
	}
}

func mustReadDir(t *testing.T, dir string) []os.DirEntry {
	t.Helper()
	e, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
