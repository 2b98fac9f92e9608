package inventory

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"pkiodesk/app/cert"
	"pkiodesk/app/files"
	"pkiodesk/app/i18n"
)

// Input is one file to import: read already (Data), or to be read from
// Path by the import itself, one file at a time.
type Input struct {
	Name string
	Data []byte
	// Path is read during the import when Data is nil and Err is not set;
	// Size is its size as listed, to share the work out.
	Path string
	Size int64
	// listed is the file's information from ExpandPaths.
	listed fs.FileInfo
	// Err is set when the file could not be read; it is reported as rejected.
	Err error
}

// Skipped is a file in a folder that import passed over, and why.
type Skipped struct {
	Path   string
	Reason error
}

// certificateExtensions are the files import takes from a folder.
var certificateExtensions = []string{".pem", ".crt", ".cer", ".cert", ".der", ".p7b", ".p7c", ".p12", ".pfx"}

// ExpandPaths turns the command line's paths into inputs: a file is read
// later; a folder contributes the certificate files directly in it (by
// extension, also those of extra, e.g. ".crl"), and the rest of the folder
// is reported as skipped; anything that is neither a regular file nor a
// folder is rejected before it is opened (a FIFO would wait forever).
func ExpandPaths(paths []string, extra []string) ([]Input, []Skipped) {
	var in []Input
	var skipped []Skipped
	for _, p := range paths {
		fi, err := os.Stat(p)
		switch {
		case err != nil:
			in = append(in, Input{Name: p, Err: i18n.E("err.file_read", err)})
		case fi.IsDir():
			found, sk := folderInputs(p, extra)
			in = append(in, found...)
			skipped = append(skipped, sk...)
		case !fi.Mode().IsRegular():
			in = append(in, Input{Name: p, Err: i18n.E("err.file_read", files.NotRegular(p, fi.Mode()))})
		default:
			in = append(in, Input{Name: p, Path: p, Size: fi.Size(), listed: fi})
		}
	}
	return in, skipped
}

// folderInputs lists the certificate files in dir, sorted by name. Sub-
// folders are not entered.
func folderInputs(dir string, extra []string) ([]Input, []Skipped) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return []Input{{Name: dir, Err: i18n.E("err.file_read", err)}}, nil
	}
	var in []Input
	var skipped []Skipped
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		ext := strings.ToLower(filepath.Ext(e.Name()))
		var fi fs.FileInfo
		var err error
		if e.Type().IsRegular() {
			fi, err = e.Info() // from the listing: no stat per file
		} else {
			fi, err = os.Stat(p) // follows links
		}
		switch {
		case err != nil:
			skipped = append(skipped, Skipped{p, i18n.E("err.file_read", err)})
		case fi.IsDir():
			skipped = append(skipped, Skipped{p, i18n.E("import.skip_folder", nil)})
		case !fi.Mode().IsRegular():
			skipped = append(skipped, Skipped{p, files.NotRegular(p, fi.Mode())})
		case !slices.Contains(certificateExtensions, ext) && !slices.Contains(extra, ext):
			skipped = append(skipped, Skipped{p, i18n.E("import.skip_extension", nil, strings.Join(certificateExtensions, " "))})
		default:
			in = append(in, Input{Name: p, Path: p, Size: fi.Size(), listed: fi})
		}
	}
	return in, skipped
}

// ReadFiles reads import input from disk, refusing oversized files before
// reading them. Unreadable files become inputs carrying their error.
func ReadFiles(paths []string) []Input {
	in := make([]Input, 0, len(paths))
	for _, p := range paths {
		data, err := ReadFile(p, cert.MaxFileSize)
		in = append(in, Input{Name: p, Data: data, Err: err})
	}
	return in
}

// ReadFile reads a regular file of at most limit bytes. A folder, a FIFO, a
// device, an unreadable file or a larger one is refused with a user-facing
// error; the kind and size are checked before reading.
func ReadFile(path string, limit int64) ([]byte, error) {
	return readListed(path, nil, limit)
}

func readListed(path string, listed fs.FileInfo, limit int64) ([]byte, error) {
	data, err := files.ReadRegular(path, listed, limit)
	if err != nil {
		if i18n.Is(err, "err.file_too_large") {
			return nil, err
		}
		return nil, i18n.E("err.file_read", err)
	}
	return data, nil
}

// ReadLimited reads at most limit bytes and refuses more. It also guards
// sources whose size is not known in advance (a pipe, a growing file, a
// file chosen in the window).
func ReadLimited(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, i18n.E("err.file_read", err)
	}
	if int64(len(data)) > limit {
		return nil, i18n.E("err.file_too_large", nil, limit>>20)
	}
	return data, nil
}
