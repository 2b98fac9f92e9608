package screens

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver"
	"fyne.io/fyne/v2/storage"
	"github.com/ncruces/zenity"

	"pkiodesk/app"
	"pkiodesk/app/cert"
	"pkiodesk/app/files"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
)

// File dialogs. Where the system has a file dialog of its own, pkiodesk
// uses it (ncruces/zenity): on Windows the Windows dialog (pure Go, no cgo),
// on Linux the desktop's GTK dialog through the zenity program (or qarma,
// matedialog). Those know the user's folders, show many files, remember
// their size, filter by type with "Alle bestanden" to choose, and select
// several files at once. Without them (a Linux without zenity, or
// PKIODESK_FILE_DIALOG=fyne) Fyne's own dialog is used, sized to the window
// and filtered on certificate types; it picks one file at a time.

// fileWriter is where a save writes.
type fileWriter = io.Writer

// fileFilter is a named set of patterns ("*.pem").
type fileFilter struct {
	name     string
	patterns []string
}

// saveRequest asks for a file to save to.
type saveRequest struct {
	title  string
	name   string // suggested file name
	filter []fileFilter
	write  func(fileWriter) error
	// done is told the path written, to name the file and its folder.
	done func(path string)
}

// openRequest asks for files to read.
type openRequest struct {
	title    string
	filter   []fileFilter
	multiple bool
	// read gets the chosen files, each read (at most cert.MaxFileSize).
	read func([]inventory.Input)
}

// fileChooser shows file dialogs.
type fileChooser interface {
	save(u *ui, req saveRequest)
	open(u *ui, req openRequest)
}

// pickFileChooser uses the system's dialog when there is one.
func pickFileChooser(getenv func(string) string) fileChooser {
	if getenv("PKIODESK_FILE_DIALOG") != "fyne" && zenity.IsAvailable() {
		return systemChooser{}
	}
	return fyneChooser{}
}

func (u *ui) saveFile(req saveRequest) { u.files.save(u, req) }

// ownFiles are the files a save must never replace: the open database's.
func (u *ui) ownFiles() []string {
	if u.core == nil || u.core.Store == nil {
		return nil
	}
	return app.OwnFiles(u.core.Store.Path())
}
func (u *ui) openFiles(req openRequest) { u.files.open(u, req) }

func certFilter(l i18n.Lang) []fileFilter {
	return []fileFilter{
		{i18n.T(l, "window.filter_certs"), []string{"*.pem", "*.crt", "*.cer", "*.der", "*.p7b", "*.p7c", "*.p12", "*.pfx"}},
		{i18n.T(l, "window.filter_all"), []string{"*"}},
	}
}

func csvFilter(l i18n.Lang) []fileFilter {
	return []fileFilter{{"CSV", []string{"*.csv"}}, {i18n.T(l, "window.filter_all"), []string{"*"}}}
}

func baseName(path string) string { return filepath.Base(path) }
func dirName(path string) string  { return filepath.Dir(path) }

// systemChooser shows the system's own dialogs. They block, so they run
// beside the window's loop and report back on it.
type systemChooser struct{}

func (systemChooser) options(u *ui, title string, filter []fileFilter) []zenity.Option {
	opts := []zenity.Option{zenity.Title(title), zenity.Modal()}
	if nw, ok := u.win.(driver.NativeWindow); ok {
		nw.RunNative(func(ctx any) {
			switch c := ctx.(type) {
			case driver.X11WindowContext:
				opts = append(opts, zenity.Attach(int(c.WindowHandle)))
			case driver.WindowsWindowContext:
				opts = append(opts, zenity.Attach(c.HWND))
			}
		})
	}
	var ff zenity.FileFilters
	for _, f := range filter {
		ff = append(ff, zenity.FileFilter{Name: f.name, Patterns: f.patterns})
	}
	return append(opts, ff)
}

func (s systemChooser) save(u *ui, req saveRequest) {
	opts := append(s.options(u, req.title, req.filter), zenity.ConfirmOverwrite(), zenity.Filename(filepath.Join(u.lastDir, req.name)))
	go func() {
		path, err := zenity.SelectFileSave(opts...)
		fyne.Do(func() {
			if errors.Is(err, zenity.ErrCanceled) {
				return
			}
			if err != nil {
				u.showError(i18n.E("window.dialog_failed", err))
				return
			}
			if err := writeFile(path, u.ownFiles(), req.write); err != nil {
				u.showError(err)
				return
			}
			u.lastDir = filepath.Dir(path)
			if req.done != nil {
				req.done(path)
			}
		})
	}()
}

func (s systemChooser) open(u *ui, req openRequest) {
	opts := s.options(u, req.title, req.filter)
	if u.lastDir != "" {
		opts = append(opts, zenity.Filename(u.lastDir+string(filepath.Separator)))
	}
	go func() {
		var paths []string
		var err error
		if req.multiple {
			paths, err = zenity.SelectFileMultiple(opts...)
		} else {
			var p string
			p, err = zenity.SelectFile(opts...)
			paths = []string{p}
		}
		var inputs []inventory.Input
		if err == nil {
			inputs = inventory.ReadFiles(paths)
		}
		fyne.Do(func() {
			if errors.Is(err, zenity.ErrCanceled) {
				return
			}
			if err != nil {
				u.showError(i18n.E("window.dialog_failed", err))
				return
			}
			if len(paths) > 0 {
				u.lastDir = filepath.Dir(paths[0])
			}
			req.read(inputs)
		})
	}()
}

// writeFile writes a new file, or replaces a regular one, through a
// temporary file in the same folder (files.WriteReplacing): a crash leaves
// the old file or the new one, never half of it. It refuses to replace what
// is not a regular file (a device, a folder, a link the user may not know
// of), and the database's own files (own). A new file is an ordinary
// document (0644); a replaced one keeps its permissions.
func writeFile(path string, own []string, write func(fileWriter) error) error {
	name := cert.Printable(filepath.Base(path))
	if st, err := os.Lstat(path); err == nil && !st.Mode().IsRegular() {
		return i18n.E("window.not_regular", nil, name)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return i18n.E("window.write_failed", err, name)
	}
	if files.IsOneOf(path, own...) {
		return i18n.E("window.output_is_database", nil, name)
	}
	var writeErr error
	err := files.WriteReplacing(path, 0o644, func(w io.Writer) error {
		writeErr = write(w)
		return writeErr
	})
	switch {
	case err == nil:
		return nil
	case writeErr != nil:
		return writeErr // what the content's writer said
	default:
		return i18n.E("window.write_failed", err, name)
	}
}

// fyneChooser is Fyne's file dialog, made as large as the window allows and
// filtered on the first filter's types.
type fyneChooser struct{}

func (fyneChooser) track(u *ui, fd *dialog.FileDialog, title string) {
	fd.SetTitleText(title)
	if u.lastDir != "" {
		if l, err := storage.ListerForURI(storage.NewFileURI(u.lastDir)); err == nil {
			fd.SetLocation(l)
		}
	}
	od := &openDialog{d: fd, escape: fd.Dismiss}
	fd.SetOnClosed(func() { u.popDialog(od) })
	u.pushDialog(od)
	fd.Show()
	fd.Resize(dialogSize(u.win.Canvas().Size()))
}

// dialogSize is a file dialog's size: most of the window, not less than
// Fyne's own minimum.
func dialogSize(win fyne.Size) fyne.Size {
	return fyne.NewSize(max(win.Width*0.9, 560), max(win.Height*0.9, 400))
}

func extensions(filter []fileFilter) []string {
	if len(filter) == 0 {
		return nil
	}
	var ext []string
	for _, p := range filter[0].patterns {
		if e := strings.TrimPrefix(p, "*"); strings.HasPrefix(e, ".") {
			ext = append(ext, e, strings.ToUpper(e)) // Fyne's filter minds case
		}
	}
	return ext
}

func (c fyneChooser) save(u *ui, req saveRequest) {
	fd := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			u.showError(i18n.E("window.dialog_failed", err))
			return
		}
		if w == nil {
			return
		}
		path := w.URI().Path()
		if werr := req.write(w); werr != nil {
			w.Close()
			u.showError(werr)
			return
		}
		if err := w.Close(); err != nil {
			// The guarded writer (filerepo.go) says what went wrong itself.
			var said *i18n.Error
			if !errors.As(err, &said) {
				err = i18n.E("window.write_failed", err, cert.Printable(w.URI().Name()))
			}
			u.showError(err)
			return
		}
		u.lastDir = filepath.Dir(path)
		if req.done != nil {
			req.done(path)
		}
	}, u.win)
	fd.SetFileName(req.name)
	if ext := extensions(req.filter); len(ext) > 0 {
		fd.SetFilter(storage.NewExtensionFileFilter(ext))
	}
	c.track(u, fd, req.title)
}

func (c fyneChooser) open(u *ui, req openRequest) {
	fd := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			u.showError(i18n.E("window.dialog_failed", err))
			return
		}
		if r == nil {
			return
		}
		defer r.Close()
		data, rerr := inventory.ReadLimited(r, cert.MaxFileSize)
		u.lastDir = filepath.Dir(r.URI().Path())
		req.read([]inventory.Input{{Name: r.URI().Name(), Data: data, Err: rerr}})
	}, u.win)
	if ext := extensions(req.filter); len(ext) > 0 {
		fd.SetFilter(storage.NewExtensionFileFilter(ext))
	}
	c.track(u, fd, req.title)
}
