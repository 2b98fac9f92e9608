package files

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"pkiodesk/app/i18n"
)

// A file swapped for a FIFO after it was listed is refused, and opening it
// does not wait for a writer.
func TestSwappedForAFIFOIsRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.pem")
	os.WriteFile(path, []byte("x"), 0o600)
	listed, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(path)
	if err := mkfifo(path); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := ReadRegular(path, listed, 1<<20)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a swapped file was read")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reading a swapped FIFO waits")
	}
	if _, err := ReadRegular(path, nil, 1<<20); !i18n.Is(err, "err.not_regular.fifo") {
		t.Errorf("FIFO: %v", err)
	}
}

func TestReadRegular(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.pem")
	os.WriteFile(path, []byte(strings.Repeat("x", 5000)), 0o600)
	data, err := ReadRegular(path, nil, 1<<20)
	if err != nil || len(data) != 5000 {
		t.Fatalf("%d %v", len(data), err)
	}
	if _, err := ReadRegular(path, nil, 4000); !i18n.Is(err, "err.file_too_large") {
		t.Errorf("limit: %v", err)
	}
	if _, err := ReadRegular(filepath.Dir(path), nil, 1<<20); !i18n.Is(err, "err.not_regular.dir") {
		t.Errorf("folder: %v", err)
	}
}

func TestWriteReplacingTargets(t *testing.T) {
	dir := t.TempDir()
	write := func(w io.Writer) error { _, err := io.WriteString(w, "nieuw"); return err }
	target := filepath.Join(dir, "doel.csv")
	os.WriteFile(target, []byte("oud"), 0o640)
	link := filepath.Join(dir, "link.csv")
	os.Symlink(target, link)
	if err := WriteReplacing(link, 0o600, write); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the link was replaced")
	}
	if data, _ := os.ReadFile(target); string(data) != "nieuw" {
		t.Errorf("target holds %q", data)
	}
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v", fi.Mode())
	}
	dangling := filepath.Join(dir, "los")
	os.Symlink(filepath.Join(dir, "weg"), dangling)
	if err := WriteReplacing(dangling, 0o600, write); !i18n.Is(err, "err.output_dangling_link") {
		t.Errorf("dangling: %v", err)
	}
	// A device node of our own (the null device), never the system's.
	dev := filepath.Join(dir, "null")
	if mknodNull(dev) == nil {
		if err := WriteReplacing(dev, 0o600, write); !i18n.Is(err, "err.not_regular.device") {
			t.Errorf("device: %v", err)
		}
		if fi, err := os.Lstat(dev); err != nil || fi.Mode()&os.ModeDevice == 0 {
			t.Errorf("the device node was replaced: %v", err)
		}
	}
	fresh := filepath.Join(dir, "nieuw.csv")
	if err := WriteReplacing(fresh, 0o600, write); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".pkiodesk-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

// leftovers are temporary files a write left behind in dir.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	found, _ := filepath.Glob(filepath.Join(dir, ".pkiodesk-*"))
	return found
}

// WriteNew never replaces anything under its name (a file, a link, a link
// to nothing) and leaves no temporary file when refused or failing.
func TestWriteNewNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "server.key")
	if err := WriteNew(key, 0o600, writeString("geheim")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(key); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
	other := filepath.Join(dir, "ander")
	os.WriteFile(other, []byte("ander"), 0o644)
	link := filepath.Join(dir, "link.key")
	os.Symlink(other, link)
	dangling := filepath.Join(dir, "los.key")
	os.Symlink(filepath.Join(dir, "weg"), dangling)
	for _, p := range []string{key, link, dangling} {
		if err := WriteNew(p, 0o600, writeString("nieuw")); !errors.Is(err, fs.ErrExist) {
			t.Errorf("%s: %v, want ErrExist", filepath.Base(p), err)
		}
	}
	if got, _ := os.ReadFile(key); string(got) != "geheim" {
		t.Errorf("existing key now %q", got)
	}
	if got, _ := os.ReadFile(other); string(got) != "ander" {
		t.Errorf("link target now %q", got)
	}
	if _, err := os.Lstat(filepath.Join(dir, "weg")); err == nil {
		t.Error("a file was made behind the dangling link")
	}
	failing := errors.New("schijf vol")
	if err := WriteNew(filepath.Join(dir, "half.key"), 0o600, func(w io.Writer) error { io.WriteString(w, "ha"); return failing }); !errors.Is(err, failing) {
		t.Errorf("failing write: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "half.key")); err == nil {
		t.Error("a failed write left a file")
	}
	if l := leftovers(t, dir); len(l) > 0 {
		t.Errorf("temporary files left: %v", l)
	}
}

// ReplaceEntry replaces what stands under the name, a planted link too,
// without writing through it.
func TestReplaceEntryReplacesALink(t *testing.T) {
	dir := t.TempDir()
	elsewhere := filepath.Join(t.TempDir(), "doel")
	os.WriteFile(elsewhere, []byte("niet van ons"), 0o644)
	name := filepath.Join(dir, "ORD-1.pdf")
	os.Symlink(elsewhere, name)
	if err := ReplaceEntry(name, 0o600, writeString("%PDF")); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Lstat(name)
	if !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
		t.Errorf("entry: %v", fi.Mode())
	}
	if got, _ := os.ReadFile(elsewhere); string(got) != "niet van ons" {
		t.Errorf("written through the link: %q", got)
	}
	if l := leftovers(t, dir); len(l) > 0 {
		t.Errorf("temporary files left: %v", l)
	}
}

// A process killed while it writes (SIGKILL during a backup) must leave
// nothing in the user's folder: on Linux the file has no name until it is
// whole, so nothing is there to leave.
func TestNothingNamedWhileWriting(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("unnamed temporary files are Linux's")
	}
	dir := t.TempDir()
	target := filepath.Join(dir, "kopie.db")
	err := WriteReplacing(target, 0o600, func(w io.Writer) error {
		entries, _ := os.ReadDir(dir)
		if len(entries) != 0 {
			t.Errorf("while writing, the folder holds %v: a kill now leaves it behind", entries)
		}
		_, err := io.WriteString(w, "inhoud")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if got, _ := os.ReadFile(target); string(got) != "inhoud" || len(entries) != 1 {
		t.Errorf("after the write: %q, folder %v", got, entries)
	}
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
}

// A file this process has open (a log the shell handed over) is not
// replaced, by its name or through a link: the rename would cut the open
// descriptor off, and what is written through it would be lost. A file
// that is not open is replaced as before.
func TestWriteReplacingRefusesAFileHeldOpen(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no descriptor table to look at")
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "fouten.log")
	os.WriteFile(log, []byte("oude regel\n"), 0o600)
	held, err := os.OpenFile(log, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "x.csv")
	os.Symlink(log, link)
	for _, path := range []string{log, link} {
		err := WriteReplacing(path, 0o600, func(w io.Writer) error { _, err := io.WriteString(w, "nieuw"); return err })
		if !i18n.Is(err, "err.output_held_open") {
			t.Errorf("%s while held open: %v", path, err)
		}
	}
	held.Write([]byte("tweede regel\n"))
	held.Close()
	if got, _ := os.ReadFile(log); string(got) != "oude regel\ntweede regel\n" {
		t.Errorf("the log holds %q", got)
	}
	if err := WriteReplacing(log, 0o600, func(w io.Writer) error { _, err := io.WriteString(w, "nieuw"); return err }); err != nil {
		t.Errorf("once closed: %v", err)
	}
}
