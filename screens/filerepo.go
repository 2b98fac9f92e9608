package screens

import (
	"bytes"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage/repository"

	"pkiodesk/app/files"
)

// Fyne's own file dialog opens the chosen file for writing itself, before
// the program sees the name: os.Create truncates it at once (the database,
// if the user picked it), follows links, writes into devices and blocks on
// a FIFO. pkiodesk replaces the writer of Fyne's file repository with one
// that holds what is written and hands it to writeFile when it is closed:
// the same checks, and the same all-or-nothing write, as after the
// system's dialog. Reading, it opened a FIFO and waited on it forever,
// on the window's thread: the guarded reader opens regular files only.

// fileRepository is everything Fyne's file repository does; the guarded
// one passes all of it on but the writer.
type fileRepository interface {
	repository.ListableRepository
	repository.HierarchicalRepository
	repository.AppendableRepository
	repository.CopyableRepository
	repository.MovableRepository
	repository.DeleteAllRepository
}

type guardedFiles struct {
	fileRepository
	own func() []string
}

// guardFileWrites registers the guarded repository for file URIs; own
// names the files that must never be replaced. It replaces an earlier
// guard (a new window), never wraps one.
func guardFileWrites(own func() []string) {
	r, err := repository.ForScheme("file")
	if err != nil {
		return
	}
	if g, ok := r.(guardedFiles); ok {
		r = g.fileRepository
	}
	if fr, ok := r.(fileRepository); ok {
		repository.Register("file", guardedFiles{fr, own})
	}
}

func (g guardedFiles) Reader(u fyne.URI) (fyne.URIReadCloser, error) {
	f, _, err := files.OpenRegular(u.Path())
	if err != nil {
		return nil, err
	}
	return uriFile{f, u}, nil
}

type uriFile struct {
	*os.File
	uri fyne.URI
}

func (f uriFile) URI() fyne.URI { return f.uri }

func (g guardedFiles) Writer(u fyne.URI) (fyne.URIWriteCloser, error) {
	return &heldWriter{uri: u, own: g.own}, nil
}

// heldWriter keeps what is written until Close, which writes the file.
type heldWriter struct {
	uri    fyne.URI
	own    func() []string
	buf    bytes.Buffer
	closed bool
}

func (w *heldWriter) URI() fyne.URI               { return w.uri }
func (w *heldWriter) Write(p []byte) (int, error) { return w.buf.Write(p) }

func (w *heldWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	return writeFile(w.uri.Path(), w.own(), func(f fileWriter) error {
		_, err := f.Write(w.buf.Bytes())
		return err
	})
}
