// Package privatefiles keeps the files pkiodesk hands to other programs
// (the PDF viewer, the print command): signed PDFs that may carry copies
// of ID documents. They live in one folder per process, made with an
// unpredictable name (os.MkdirTemp) under $XDG_RUNTIME_DIR when set, else
// the system's temporary folder, readable by the user only. No path is
// predictable, so a link planted by another user is never followed, and
// one pkiodesk never removes another running pkiodesk's files.
package privatefiles

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// prefix starts every folder's name; the process id follows it, so that
// leftovers of a process that is gone can be told from a running one's.
const prefix = "pkiodesk-"

// Folder is one process's private folder, made on first use and made
// anew after RemoveAll.
type Folder struct {
	base string
	pid  int

	mu  sync.Mutex
	dir string
}

// New returns the folder of this process under Base(getenv).
func New(getenv func(string) string) *Folder { return In(Base(getenv)) }

// In returns the folder of this process under base.
func In(base string) *Folder { return &Folder{base: base, pid: os.Getpid()} }

// Base is where the folders are made: $XDG_RUNTIME_DIR (a user's own
// folder, in memory, emptied at logout) when set, else os.TempDir().
func Base(getenv func(string) string) string {
	if d := getenv("XDG_RUNTIME_DIR"); d != "" && filepath.IsAbs(d) {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			return d
		}
	}
	return os.TempDir()
}

// Base is the folder the private folder is made in.
func (f *Folder) Base() string { return f.base }

// Dir is the folder made so far, "" when none is.
func (f *Folder) Dir() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dir
}

// Write puts data in the folder under name (only its base name counts)
// and returns the file's path. The file is made new (O_EXCL), readable by
// the user only; one of the same name written earlier is replaced.
func (f *Folder) Write(name string, data []byte) (string, error) {
	name = filepath.Base(name)
	if name == "." || name == ".." || name == string(filepath.Separator) {
		return "", fmt.Errorf("private file: bad name %q", name)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dir == "" {
		dir, err := os.MkdirTemp(f.base, prefix+strconv.Itoa(f.pid)+"-*")
		if err != nil {
			return "", err
		}
		// MkdirTemp makes it 0700 already; a umask cannot widen that,
		// but say so for the platforms where it differs.
		if err := os.Chmod(dir, 0o700); err != nil {
			_ = os.RemoveAll(dir)
			return "", err
		}
		f.dir = dir
	}
	path := filepath.Join(f.dir, name)
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	_, err = file.Write(data)
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return "", err
	}
	return path, nil
}

// Remove deletes one file written earlier, if there is one.
func (f *Folder) Remove(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dir == "" {
		return nil
	}
	err := os.Remove(filepath.Join(f.dir, filepath.Base(name)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// RemoveAll deletes the folder and everything in it: when the page that
// wrote the files closes, at logout or when the card is pulled, and when
// pkiodesk ends.
func (f *Folder) RemoveAll() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dir == "" {
		return nil
	}
	err := os.RemoveAll(f.dir)
	f.dir = ""
	return err
}

// RemoveLeftovers deletes, under base, the folders of this user's earlier
// pkiodesk processes that are no longer running (a crash, a power cut).
// A folder of a running process, of another user, or a link is left
// alone. It returns the folders it removed.
func RemoveLeftovers(base string) ([]string, error) {
	entries, err := os.ReadDir(base)
	if err != nil {
		return nil, err
	}
	self := os.Getpid()
	var removed []string
	var errs []error
	for _, e := range entries {
		pid, ok := pidOf(e.Name())
		if !ok || pid == self {
			continue
		}
		path := filepath.Join(base, e.Name())
		fi, err := os.Lstat(path)
		if err != nil || !fi.IsDir() || fi.Mode()&fs.ModeSymlink != 0 || !ownedByMe(fi) {
			continue
		}
		if running(pid) {
			continue
		}
		if err := os.RemoveAll(path); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, path)
	}
	return removed, errors.Join(errs...)
}

// pidOf reads the process id from a folder name "pkiodesk-<pid>-<random>".
func pidOf(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok {
		return 0, false
	}
	digits, random, ok := strings.Cut(rest, "-")
	if !ok || random == "" || digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	pid, err := strconv.Atoi(digits)
	return pid, err == nil && pid > 0
}
