package order

import (
	"bytes"
	"context"
	"crypto/x509"
	"slices"
	"strings"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/store"
	"pkiodesk/app/trust"
)

// Match is a certificate linked to its order, or one that fits an order
// but was not linked, and why.
type Match struct {
	OrderID     string
	Certificate string // SHA-256
	Kind        Kind
	// Refused says why a certificate that fits the order was not linked
	// (an *i18n.Error); nil when it was linked.
	Refused error
}

// Text says what was linked, or why not, for an import report.
func (m Match) Text(l i18n.Lang) string {
	if m.Refused != nil {
		return i18n.T(l, "match.refused", m.Certificate[:16], m.OrderID, i18n.Localize(l, m.Refused))
	}
	if m.Kind == KindRevoke {
		return i18n.T(l, "match.revoked", m.Certificate[:16], m.OrderID)
	}
	return i18n.T(l, "match.issued", m.Certificate[:16], m.OrderID)
}

// AwaitingCertificates tells whether a submitted order waits for its
// certificate (what MatchImported links imported certificates to).
func (s *Service) AwaitingCertificates(ctx context.Context) (bool, error) {
	all, _, err := s.List(ctx)
	if err != nil {
		return false, err
	}
	for _, r := range all {
		if r.Life.State == StateSubmitted && r.Order.Kind != KindRevoke {
			return true, nil
		}
	}
	return false, nil
}

// MatchImported links newly imported certificates to the submitted orders
// they were issued for: by public key for orders with a CSR, otherwise by
// the holder's, group's or organisation's name in the certificate, and only
// when exactly one order fits. Anyone can have their own CA certify a
// CSR's key or a name, so a fitting certificate is linked only when it
// chains to the trust store and, for a server order, carries the order's
// organisation, OIN and names; otherwise it is reported, with why, and the
// order stays open. A link marks the order issued and records on the
// certificate who requested it, who manages it, the order, and the
// certificate it renews, in one transaction.
func (s *Service) MatchImported(ctx context.Context, added []cert.Certificate) ([]Match, error) {
	if len(added) == 0 {
		return nil, nil
	}
	all, _, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	issuers, _ := s.issuers(ctx)
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
		der, err := s.inv.DER(ctx, c.SHA256)
		if err != nil {
			continue
		}
		x, err := x509.ParseCertificate(der)
		if err != nil {
			continue
		}
		var fits []Record
		for _, r := range open {
			if !taken[r.Order.ID] && fitsOrder(&r.Order, &c, x.RawSubjectPublicKeyInfo) {
				fits = append(fits, r)
			}
		}
		if len(fits) != 1 {
			continue // none, or ambiguous: left for the user
		}
		if why := s.issuedFor(ctx, &fits[0].Order, x, issuers); why != nil {
			out = append(out, Match{OrderID: fits[0].Order.ID, Certificate: c.SHA256, Kind: fits[0].Order.Kind, Refused: why})
			continue
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

// issuedFor says why certificate x, which fits order o, may not be linked
// to it, or nil: it must chain to the trust store, and a server
// certificate must name the order's organisation (O), its OIN
// (serialNumber, for PKIoverheid) and exactly the order's host names.
func (s *Service) issuedFor(ctx context.Context, o *Order, x *x509.Certificate, issuers []*x509.Certificate) error {
	if s.trust == nil {
		return i18n.E("match.untrusted", i18n.E("order.no_trust_store", nil))
	}
	if ch := s.trust.Validate(ctx, x, trust.ValidateOptions{Usage: trust.UsageAny, Extra: issuers}); !ch.Trusted {
		return i18n.E("match.untrusted", ch.Err)
	}
	if o.Server == nil {
		return nil
	}
	orgs := values(x.Subject.Names, oidOrganization)
	if len(orgs) != 1 || orgs[0] != o.Organisation.Name {
		return i18n.E("match.o_differs", nil, cert.Printable(strings.Join(orgs, ", ")), o.Organisation.Name)
	}
	if rules[ProfileFor(o.Product)].pkio {
		serials := values(x.Subject.Names, oidSerialNumber)
		if len(serials) != 1 || serials[0] != o.Organisation.OIN {
			return i18n.E("match.oin_differs", nil, cert.Printable(strings.Join(serials, ", ")), o.Organisation.OIN)
		}
	}
	if !sameNames(x.DNSNames, o.Server.FQDNs) || len(x.IPAddresses) > 0 || len(x.URIs) > 0 || len(x.EmailAddresses) > 0 {
		var got []string
		got = append(got, x.DNSNames...)
		for _, ip := range x.IPAddresses {
			got = append(got, ip.String())
		}
		for _, u := range x.URIs {
			got = append(got, u.String())
		}
		got = append(got, x.EmailAddresses...)
		return i18n.E("match.sans_differ", nil, cert.Printable(strings.Join(got, ", ")), strings.Join(o.Server.FQDNs, ", "))
	}
	return nil
}

// sameNames: the same host names, in any order and case.
func sameNames(a, b []string) bool {
	norm := func(v []string) []string {
		out := make([]string, len(v))
		for i, s := range v {
			out[i] = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s), "."))
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	x, y := norm(a), norm(b)
	return len(a) == len(x) && slices.Equal(x, y)
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
