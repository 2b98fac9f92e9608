// Package files opens input files and replaces output files without the
// surprises of special files: a FIFO that blocks an open forever, a device
// node or a symbolic link that a rename would replace with a plain file.
package files

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"pkiodesk/app/i18n"
)

// NotRegular says what a path is when it is not a regular file.
func NotRegular(path string, mode fs.FileMode) error {
	key := "err.not_regular.other"
	switch {
	case mode.IsDir():
		key = "err.not_regular.dir"
	case mode&fs.ModeNamedPipe != 0:
		key = "err.not_regular.fifo"
	case mode&fs.ModeDevice != 0, mode&fs.ModeCharDevice != 0:
		key = "err.not_regular.device"
	case mode&fs.ModeSocket != 0:
		key = "err.not_regular.socket"
	}
	return i18n.E(key, nil, path)
}

// OpenRegular opens path for reading when it is a regular file (a symbolic
// link to one counts). Anything else is refused before it is opened, since
// opening a FIFO waits for a writer; the open file is checked again, so a
// file swapped for a FIFO in between is refused as well.
func OpenRegular(path string) (*os.File, fs.FileInfo, error) {
	before, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	return OpenListed(path, before)
}

// OpenListed opens a file whose FileInfo was just read (from a folder's
// listing): it must still be that regular file.
func OpenListed(path string, before fs.FileInfo) (*os.File, fs.FileInfo, error) {
	if !before.Mode().IsRegular() {
		return nil, nil, NotRegular(path, before.Mode())
	}
	f, err := os.OpenFile(path, openReadFlags, 0)
	if err != nil {
		return nil, nil, err
	}
	after, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !after.Mode().IsRegular() || !os.SameFile(before, after) {
		f.Close()
		return nil, nil, NotRegular(path, after.Mode())
	}
	return f, after, nil
}

// ReadRegular reads a regular file of at most limit bytes; the size is
// checked before reading. listed, when not nil, is the file's information
// from a folder listing (it saves a stat).
func ReadRegular(path string, listed fs.FileInfo, limit int64) ([]byte, error) {
	if listed == nil {
		fi, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		listed = fi
	}
	if !listed.Mode().IsRegular() {
		return nil, NotRegular(path, listed.Mode())
	}
	if data, done, err := readDirect(path, listed, limit); done {
		return data, err
	}
	var f *os.File
	var fi fs.FileInfo
	var err error
	if listed != nil {
		f, fi, err = OpenListed(path, listed)
	} else {
		f, fi, err = OpenRegular(path)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi.Size() > limit {
		return nil, i18n.E("err.file_too_large", nil, limit>>20)
	}
	// The size it had when opened: a file that grows meanwhile is read as
	// it was, and never beyond the limit. One read for a small file.
	buf := make([]byte, fi.Size())
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return buf[:n], nil
}

// OutputTarget is where WriteReplacing writes: a symbolic link is followed
// to the file it names, which is replaced while the link stays; a link to
// nothing, a directory, a device, a FIFO or a socket is refused.
func OutputTarget(path string) (target string, existing fs.FileInfo, err error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return path, nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		resolved, err := filepath.EvalSymlinks(path)
		if err != nil {
			return "", nil, i18n.E("err.output_dangling_link", nil, path)
		}
		fi, err = os.Stat(resolved)
		if err != nil {
			return "", nil, err
		}
		path = resolved
	}
	if !fi.Mode().IsRegular() {
		return "", nil, NotRegular(path, fi.Mode())
	}
	return path, fi, nil
}

// IsOneOf tells whether path, followed through links, is one of the files
// named by own that exist: an export must never replace the database or its
// companions, whichever name or link the user chose for it.
func IsOneOf(path string, own ...string) bool {
	_, existing, err := OutputTarget(path)
	if err != nil || existing == nil {
		return false
	}
	for _, o := range own {
		if fi, err := os.Stat(o); err == nil && os.SameFile(fi, existing) {
			return true
		}
	}
	return false
}

// WriteReplacing writes a file through a temporary file in the same folder
// and renames it into place, so that an interrupted write never leaves half
// a file under the chosen name. A file it replaces keeps its permissions; a
// new file gets mode. See OutputTarget for links and special files.
func WriteReplacing(path string, mode fs.FileMode, write func(io.Writer) error) error {
	target, existing, err := OutputTarget(path)
	if err != nil {
		return err
	}
	if fd, held := HeldOpen(existing); held {
		return i18n.E("err.output_held_open", nil, path, fd)
	}
	if existing != nil {
		mode = existing.Mode().Perm()
	}
	dir := filepath.Dir(target)
	tmp, err := writeTemp(dir, mode, write)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Rename(tmp, target); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// ReplaceEntry writes a file through a temporary file in the same folder
// renamed over path, whatever path is now: for a folder of pkiodesk's own
// (the outbox), where a link planted under one of its names must be
// replaced, not followed. The file gets mode.
func ReplaceEntry(path string, mode fs.FileMode, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	tmp, err := writeTemp(dir, mode, write)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// WriteNew writes a file that must not exist yet: through a temporary file
// in the same folder that is then linked to its name, so an existing file
// (a private key, say) is never overwritten, not even by a race, and a power
// cut leaves no half file. An existing name gives an error that is
// fs.ErrExist.
func WriteNew(path string, mode fs.FileMode, write func(io.Writer) error) error {
	if _, err := os.Lstat(path); err == nil {
		return &fs.PathError{Op: "create", Path: path, Err: fs.ErrExist}
	}
	dir := filepath.Dir(path)
	tmp, err := writeTemp(dir, mode, write)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// writeTemp writes a temporary file in dir with mode and syncs it; it is
// removed again when anything fails. It returns the file's name. On Linux
// the file has no name until it is whole (createUnnamed).
func writeTemp(dir string, mode fs.FileMode, write func(io.Writer) error) (string, error) {
	if tmp, name, ok := createUnnamed(dir, mode); ok {
		return finishTemp(tmp, name, mode, write)
	}
	tmp, err := os.CreateTemp(dir, ".pkiodesk-*.tmp")
	if err != nil {
		// Name the folder, not a temporary file the user never chose.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return "", &fs.PathError{Op: "create", Path: dir, Err: pe.Err}
		}
		return "", err
	}
	path, err := finishTemp(tmp, func() (string, error) { return tmp.Name(), nil }, mode, write)
	if err != nil {
		os.Remove(tmp.Name())
	}
	return path, err
}

// finishTemp writes, syncs, names and closes the temporary file.
func finishTemp(tmp *os.File, name func() (string, error), mode fs.FileMode, write func(io.Writer) error) (string, error) {
	defer tmp.Close()
	if err := tmp.Chmod(mode); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return "", writeError(err)
	}
	if err := write(tempWriter{tmp}); err != nil {
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		return "", writeError(err)
	}
	path, err := name()
	if err != nil {
		return "", writeError(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(path)
		return "", writeError(err)
	}
	return path, nil
}

// WriteError is a failed write of the file being written (a full disk, an
// I/O error): it tells a caller that the output failed, not what was being
// copied into it, and its text names no temporary file the user never
// chose; the caller names the file.
type WriteError struct{ Err error }

func (e *WriteError) Error() string { return e.Err.Error() }
func (e *WriteError) Unwrap() error { return e.Err }

func writeError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &WriteError{Err: err}
}

// tempWriter is the temporary file as the write function sees it.
type tempWriter struct{ f *os.File }

func (t tempWriter) Write(p []byte) (int, error) {
	n, err := t.f.Write(p)
	if err != nil {
		err = writeError(err)
	}
	return n, err
}
