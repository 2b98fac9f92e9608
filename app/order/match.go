package order

import (
	"bytes"
	"context"
	"crypto/x509"
	"strings"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/store"
)

// Match is a certificate linked to its order.
type Match struct {
	OrderID     string
	Certificate string // SHA-256
	Kind        Kind
}

// Text says what was linked, for an import report.
func (m Match) Text(l i18n.Lang) string {
	if m.Kind == KindRevoke {
		return i18n.T(l, "match.revoked", m.Certificate[:16], m.OrderID)
	}
	return i18n.T(l, "match.issued", m.Certificate[:16], m.OrderID)
}

// MatchImported links newly imported certificates to the submitted orders
// they were issued for: by public key for orders with a CSR, otherwise by
// the holder's, group's or organisation's name in the certificate, and only
// when exactly one order fits. A match marks the order issued and records
// on the certificate who requested it, who manages it, the order, and the
// certificate it renews, in one transaction.
func (s *Service) MatchImported(ctx context.Context, added []cert.Certificate) ([]Match, error) {
	if len(added) == 0 {
		return nil, nil
	}
	all, _, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	var open []Record
	for _, r := range all {
		if r.Life.State == StateSubmitted && r.Order.Kind != KindRevoke {
			open = append(open, r)
		}
	}
	var out []Match
	taken := map[string]bool{}
	for _, c := range added {
		if c.Kind == cert.KindCA || c.OrderID != "" {
			continue
		}
		var spki []byte
		if der, err := s.inv.DER(ctx, c.SHA256); err == nil {
			if x, err := x509.ParseCertificate(der); err == nil {
				spki = x.RawSubjectPublicKeyInfo
			}
		}
		var fits []Record
		for _, r := range open {
			if !taken[r.Order.ID] && fitsOrder(&r.Order, &c, spki) {
				fits = append(fits, r)
			}
		}
		if len(fits) != 1 {
			continue // none, or ambiguous: left for the user
		}
		m, err := s.link(ctx, fits[0], c)
		if err != nil {
			return out, err
		}
		taken[m.OrderID] = true
		out = append(out, m)
	}
	return out, nil
}

// fitsOrder reports whether certificate c was issued for order o.
func fitsOrder(o *Order, c *cert.Certificate, spki []byte) bool {
	if c.Kind != o.CertKind() {
		return false
	}
	// Issued for this order, so not before it was placed (a day's slack for
	// clocks).
	if c.NotBefore.Before(o.PlacedAt.Add(-24 * time.Hour)) {
		return false
	}
	same := func(a, b string) bool {
		return a != "" && strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
	}
	hasEmail := func(e string) bool {
		for _, x := range c.Emails {
			if same(x, e) {
				return true
			}
		}
		return false
	}
	switch {
	case o.Server != nil:
		csr, err := ParseCSR([]byte(o.Server.CSR))
		return err == nil && spki != nil && bytes.Equal(csr.RawSubjectPublicKeyInfo, spki)
	case o.Personal != nil:
		return hasEmail(o.Personal.Email) && same(c.CommonName, o.Personal.Name)
	case o.Group != nil:
		return hasEmail(o.Group.Mailbox)
	case o.ESeal != nil:
		return same(c.Organization, o.ESeal.OrganisationName) || same(c.CommonName, o.ESeal.OrganisationName)
	}
	return false
}

// link marks the order issued and records the order on the certificate.
func (s *Service) link(ctx context.Context, r Record, c cert.Certificate) (Match, error) {
	o := r.Order
	now := s.now().UTC()
	as := store.Assignment{ContactID: o.Requester.ID}
	if o.Manager != nil {
		as.ManagerID = o.Manager.ID
	}
	_, err := s.move(ctx, o.ID, step{to: StateIssued, noteKey: "order.note.certificate", noteArgs: []string{c.SHA256[:16]}, cert: c.SHA256, assignment: &as,
		edit: func(r *Record) error {
			r.Life.IssuedCertificate = c.SHA256
			if a := r.Life.Activation; a != nil && a.Status == ActivationConfirmed {
				a.Status, a.ActivatedAt = ActivationActivated, now
			}
			return nil
		},
		certChange: func(x *cert.Certificate) error {
			if x.OrderID != "" && x.OrderID != o.ID {
				return i18n.E("order.fixed_fields", nil)
			}
			x.OrderID, x.Renews = o.ID, o.Renews
			return nil
		}})
	if err != nil {
		return Match{}, err
	}
	return Match{OrderID: o.ID, Certificate: c.SHA256, Kind: o.Kind}, nil
}
