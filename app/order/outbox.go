package order

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"

	"pkiodesk/app/cert"
	"pkiodesk/app/files"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
	"pkiodesk/app/signeddoc"
)

// Submission is a placed order as it goes to the CA: the signed PDF (the
// order itself) and, for a server certificate, the CSR as a file of its own.
type Submission struct {
	ID  string
	PDF []byte
	CSR []byte
}

// Submitter hands placed orders to the CA. The outbox is the default; a CA
// with an API (ACME, EST) would be another.
type Submitter interface {
	// Submit delivers the order and says where it went.
	Submit(ctx context.Context, s Submission) (string, error)
}

// Outbox is the default submitter: a folder (set in Instellingen) in
// which each order lands as <number>.pdf and <number>.csr. Files are
// written under a temporary name and renamed, so no one ever sees half a
// file; the PDF comes last, so its presence means the order is complete.
type Outbox struct {
	Dir string
}

// Submit writes the order's files.
func (b Outbox) Submit(ctx context.Context, s Submission) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", i18n.E("err.context_canceled", err)
	}
	if !safeName(s.ID) {
		return "", i18n.E("order.id_invalid", nil, cert.Printable(s.ID))
	}
	if !filepath.IsAbs(b.Dir) {
		return "", i18n.E("outbox.relative", nil, b.Dir)
	}
	if err := os.MkdirAll(b.Dir, 0o700); err != nil {
		return "", i18n.E("outbox.write", err, b.Dir)
	}
	if fi, err := os.Stat(b.Dir); err != nil || !fi.IsDir() {
		return "", i18n.E("outbox.dir_missing", err, b.Dir)
	}
	if len(s.CSR) > 0 {
		if err := writeReplace(filepath.Join(b.Dir, s.ID+".csr"), s.CSR); err != nil {
			return "", i18n.E("outbox.write", err, b.Dir)
		}
	}
	pdf := filepath.Join(b.Dir, s.ID+".pdf")
	if err := writeReplace(pdf, s.PDF); err != nil {
		return "", i18n.E("outbox.write", err, b.Dir)
	}
	return pdf, nil
}

// safeName allows only what order numbers are made of.
func safeName(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	return strings.Trim(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") == ""
}

// writeReplace writes a file of the outbox (0600) all at once, replacing
// whatever stands under its name.
func writeReplace(path string, data []byte) error {
	return files.ReplaceEntry(path, 0o600, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Submit hands a placed order to the submitter and marks it submitted.
func (s *Service) Submit(ctx context.Context, id string, who org.Person, sub Submitter) (Record, error) {
	r, err := s.Get(ctx, id)
	if err != nil {
		return Record{}, err
	}
	if r.Life.State != StatePlaced || len(r.Document) == 0 {
		return Record{}, i18n.E("outbox.not_placed", nil, cert.Printable(id))
	}
	// The stored document is what goes to the CA: its seal must still be
	// intact (Get already checked it holds this order).
	if _, err := signeddoc.Open(ctx, r.Document, nil); err != nil {
		return Record{}, i18n.E("order.hash_mismatch", err, cert.Printable(id))
	}
	var csr []byte
	if r.Order.Server != nil && r.Order.Kind != KindRevoke {
		csr = []byte(r.Order.Server.CSR)
	}
	where, err := sub.Submit(ctx, Submission{ID: r.Order.ID, PDF: r.Document, CSR: csr})
	if err != nil {
		return Record{}, err
	}
	key := "order.note.submitted"
	switch sub.(type) {
	case Outbox, *Outbox:
		key = "order.note.outbox"
	}
	return s.move(ctx, id, step{to: StateSubmitted, by: who.ID, noteKey: key, noteArgs: []string{where}, edit: func(r *Record) error {
		r.Life.SubmittedTo = where
		return nil
	}})
}

// PlaceAndSubmit places a draft and hands it straight to the submitter,
// as MijnCertificaten does ("direct ... ingediend"). When the submission
// fails the order stays placed, and Submit can try again.
func (s *Service) PlaceAndSubmit(ctx context.Context, id string, who org.Person, sig Signing, sub Submitter) (Record, error) {
	placed, err := s.Place(ctx, id, who, sig)
	if err != nil {
		return Record{}, err
	}
	submitted, err := s.Submit(ctx, id, who, sub)
	if err != nil {
		return placed, err
	}
	return submitted, nil
}
