package inventory

import (
	"context"
	"strings"
	"unicode"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
	"pkiodesk/app/store"
)

// Foreign is an imported certificate that does not belong to the
// organisation, and why.
type Foreign struct {
	Entry  store.Entry
	Reason error
	// Kept: stored anyway (ImportOptions.KeepForeign, or KeepForeign).
	Kept bool
}

// NotOwn tells why a certificate is not the organisation's, or returns nil
// when it is. The identifiers PKIoverheid puts in the subject decide, the
// strongest first: the OIN in serialNumber and the KvK number in
// organizationIdentifier (NTRNL-…); one that matches makes the certificate
// the organisation's, and one that differs (with none matching) makes it
// someone else's. Without either, the organisation name (O) decides,
// compared without regard to case and spacing. A certificate that names no
// organisation at all cannot be told to be the organisation's. Issuing CA
// certificates belong to no one and are never foreign.
func NotOwn(c cert.Certificate, o org.Organisation) error {
	if c.Kind == cert.KindCA {
		return nil
	}
	var differs error
	if oin := strings.TrimSpace(c.OIN); oin != "" && cert.ValidateOIN(oin) == nil {
		if oin == o.OIN {
			return nil
		}
		differs = i18n.E("own.oin", nil, cert.Printable(oin), o.OIN)
	}
	if kvk, ok := strings.CutPrefix(strings.TrimSpace(c.OrganizationIdentifier), "NTRNL-"); ok {
		if kvk == o.KvK {
			return nil
		}
		if differs == nil {
			differs = i18n.E("own.kvk", nil, cert.Printable(kvk), o.KvK)
		}
	}
	if differs != nil {
		return differs
	}
	if c.Organization == "" {
		return i18n.E("own.unnamed", nil)
	}
	if sameName(c.Organization, o.Name) {
		return nil
	}
	return i18n.E("own.name", nil, cert.Printable(c.Organization))
}

// sameName compares organisation names as a person reads them.
func sameName(a, b string) bool {
	norm := func(s string) string {
		return strings.Join(strings.FieldsFunc(strings.ToLower(s), unicode.IsSpace), " ")
	}
	return norm(a) != "" && norm(a) == norm(b)
}

// foreign reports an imported certificate that is not the organisation's
// and not stored yet (a certificate already in the inventory is a
// duplicate, whoever it belongs to). Without an organisation to compare
// with (before setup) nothing is foreign.
func (s *Service) foreign(ctx context.Context, c cert.Certificate, der []byte, opt ImportOptions) *Foreign {
	if opt.Owner == nil {
		return nil
	}
	reason := NotOwn(c, *opt.Owner)
	if reason == nil {
		return nil
	}
	if _, err := s.store.DER(ctx, c.SHA256); err == nil {
		return nil
	}
	return &Foreign{Entry: store.Entry{Cert: c, DER: der}, Reason: reason, Kept: opt.KeepForeign}
}

// KeepForeign stores certificates an import held back as foreign, after
// the user chose to keep them. It reports them as added (or as duplicates
// when meanwhile stored).
func (s *Service) KeepForeign(ctx context.Context, held []Foreign) (Report, error) {
	entries := make([]store.Entry, 0, len(held))
	for _, f := range held {
		entries = append(entries, f.Entry)
	}
	added, dups, err := s.store.AddCertificates(ctx, entries)
	if err != nil {
		return Report{}, err
	}
	s.add(added)
	return Report{Added: added, Duplicates: dups}, nil
}
