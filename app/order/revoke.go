package order

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

// Revocation is what revocation information says about a certificate.
type Revocation struct {
	Revoked bool
	At      time.Time
	Reason  string // RFC 5280 name, e.g. "cessationOfOperation"
}

// RevocationSource tells whether a certificate is revoked, from a CRL or
// OCSP (app/trust keeps them). issuer may be nil when it is not stored.
type RevocationSource interface {
	Status(ctx context.Context, c, issuer *x509.Certificate) (Revocation, error)
}

// ConfirmRevocations asks revocation information about every certificate
// whose revocation was ordered and submitted. A confirmed revocation marks
// the certificate revoked (it stops showing "intrekking aangevraagd") and
// the revocation order done, in one transaction. A certificate the source
// cannot judge stays as it is; the error is returned with the matches made.
func (s *Service) ConfirmRevocations(ctx context.Context, src RevocationSource) ([]Match, error) {
	all, _, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	issuers, _ := s.issuers(ctx)
	var out []Match
	var errs []error
	for _, r := range all {
		if r.Order.Kind != KindRevoke || r.Life.State != StateSubmitted {
			continue
		}
		sha := r.Order.Revoke.Certificate
		der, err := s.inv.DER(ctx, sha)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		x, err := x509.ParseCertificate(der)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		st, err := src.Status(ctx, x, issuerOf(x, issuers))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.Order.ID, err))
			continue
		}
		if !st.Revoked {
			continue
		}
		id := r.Order.ID
		_, err = s.move(ctx, id, step{to: StateIssued, noteKey: "order.note.revocation_confirmed", cert: sha,
			edit: func(r *Record) error { r.Life.IssuedCertificate = sha; return nil },
			certChange: func(c *cert.Certificate) error {
				if !c.Revoked {
					c.Revoked, c.RevokedAt, c.RevocationReason = true, st.At.UTC(), st.Reason
				}
				c.RevocationOrderID = id
				return nil
			}})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, Match{OrderID: id, Certificate: sha, Kind: KindRevoke})
	}
	return out, errors.Join(errs...)
}

func (s *Service) issuers(ctx context.Context) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	list, err := s.inv.Issuers(ctx)
	for _, c := range list {
		if der, err := s.inv.DER(ctx, c.SHA256); err == nil {
			if x, err := x509.ParseCertificate(der); err == nil {
				out = append(out, x)
			}
		}
	}
	return out, err
}

func issuerOf(c *x509.Certificate, issuers []*x509.Certificate) *x509.Certificate {
	for _, i := range issuers {
		if c.CheckSignatureFrom(i) == nil {
			return i
		}
	}
	return nil
}

// CRLs is a RevocationSource over CRLs already at hand (files a user
// downloaded, or a test CA's): a CRL counts only when its issuer's
// signature on it verifies and it is current.
type CRLs struct {
	Lists []*x509.RevocationList
	Now   func() time.Time
}

// Status looks the certificate up in the CRLs of its issuer.
func (l CRLs) Status(ctx context.Context, c, issuer *x509.Certificate) (Revocation, error) {
	if issuer == nil {
		return Revocation{}, i18n.E("revocation.no_issuer", nil, cert.Printable(c.Subject.CommonName))
	}
	now := time.Now()
	if l.Now != nil {
		now = l.Now()
	}
	found := false
	for _, crl := range l.Lists {
		if crl.CheckSignatureFrom(issuer) != nil {
			continue
		}
		if !crl.NextUpdate.IsZero() && now.After(crl.NextUpdate) {
			continue
		}
		found = true
		for _, e := range crl.RevokedCertificateEntries {
			if e.SerialNumber.Cmp(c.SerialNumber) == 0 {
				return Revocation{Revoked: true, At: e.RevocationTime, Reason: Reason(e.ReasonCode).Name()}, nil
			}
		}
	}
	if !found {
		return Revocation{}, i18n.E("revocation.no_crl", nil, cert.Printable(issuer.Subject.CommonName))
	}
	return Revocation{}, nil
}
