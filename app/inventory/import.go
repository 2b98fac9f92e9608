package inventory

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
	"pkiodesk/app/store"
)

// Input is one file to import.
type Input struct {
	Name string
	Data []byte
	// Err is set when the file could not be read; it is reported as rejected.
	Err error
}

// ImportOptions tune an import.
type ImportOptions struct {
	P12Password string
	// Owner, when set, is the organisation: certificates that are not its
	// own (NotOwn) are reported in Report.Foreign and, unless KeepForeign,
	// not stored.
	Owner       *org.Organisation
	KeepForeign bool
}

// Rejection is input that was not imported, and why.
type Rejection struct {
	Source string
	Err    error
}

// Report tells what an import did.
type Report struct {
	Added      []cert.Certificate
	Duplicates []cert.Certificate
	Issuers    []cert.Certificate // CA certificates newly stored as issuers
	Rejected   []Rejection
	// Foreign are certificates of another organisation (see ImportOptions.Owner).
	Foreign []Foreign
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

// ReadFile reads a file of at most limit bytes. A directory, an unreadable
// file or a larger one is refused with a user-facing error; the size is
// checked before reading.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, i18n.E("err.file_read", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, i18n.E("err.file_read", err)
	}
	if st.IsDir() {
		return nil, i18n.E("err.file_read", fmt.Errorf("%s is a directory", filepath.Base(path)))
	}
	if st.Size() > limit {
		return nil, i18n.E("err.file_too_large", nil, limit>>20)
	}
	return ReadLimited(f, limit)
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

// Import decodes every input and stores the new certificates in one
// transaction: a crash leaves all of this import or none of it. A file that
// cannot be read is rejected without stopping the others.
func (s *Service) Import(ctx context.Context, inputs []Input, opt ImportOptions) (Report, error) {
	var rep Report
	entries := make([]store.Entry, 0, len(inputs))
	seen := make(map[string]bool, len(inputs))
	now := s.now().UTC()
	for _, in := range inputs {
		if err := ctx.Err(); err != nil {
			return Report{}, i18n.E("err.context_canceled", err)
		}
		if in.Err != nil {
			rep.Rejected = append(rep.Rejected, Rejection{Source: in.Name, Err: in.Err})
			continue
		}
		dec, err := cert.Decode(in.Data, opt.P12Password)
		if err != nil {
			rep.Rejected = append(rep.Rejected, Rejection{Source: in.Name, Err: err})
			continue
		}
		for _, p := range dec.Problems {
			rep.Rejected = append(rep.Rejected, Rejection{Source: in.Name, Err: p})
		}
		for _, x := range dec.Certs {
			c := cert.FromX509(x)
			if seen[c.SHA256] {
				rep.Duplicates = append(rep.Duplicates, c)
				continue
			}
			seen[c.SHA256] = true
			c.ImportedAt, c.Source = now, filepath.Base(in.Name)
			if f := s.foreign(ctx, c, x.Raw, opt); f != nil {
				rep.Foreign = append(rep.Foreign, *f)
				if !opt.KeepForeign {
					continue
				}
			}
			entries = append(entries, store.Entry{Cert: c, DER: x.Raw})
		}
	}
	added, dups, err := s.store.AddCertificates(ctx, entries)
	if err != nil {
		return Report{}, err
	}
	rep.Duplicates = append(rep.Duplicates, dups...)
	var own []cert.Certificate
	for _, c := range added {
		if c.Kind == cert.KindCA {
			rep.Issuers = append(rep.Issuers, c)
		} else {
			own = append(own, c)
		}
	}
	rep.Added = own
	s.add(own)
	return rep, nil
}
