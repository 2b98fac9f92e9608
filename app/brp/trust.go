package brp

import (
	"context"
	"crypto/x509"
	"errors"
	"slices"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

// ChainValidator builds a verified chain from a certificate to a trusted
// PKIoverheid private root. The trust store (app/trust) implements it; so
// does X509Chain, on a fixed set of roots.
type ChainValidator interface {
	// VerifyChain returns the chain, leaf first and the root last, as it
	// holds at the given time. intermediates may help build it.
	VerifyChain(ctx context.Context, leaf *x509.Certificate, intermediates []*x509.Certificate, at time.Time) ([]*x509.Certificate, error)
}

// RevocationState is what a CRL or OCSP responder says of a certificate.
type RevocationState string

const (
	RevocationGood    RevocationState = "good"
	RevocationRevoked RevocationState = "revoked"
	// RevocationUnknown: no answer could be had or trusted. Never "ok".
	RevocationUnknown RevocationState = "unknown"
)

// RevocationStatus is the answer of a RevocationChecker.
type RevocationStatus struct {
	State     RevocationState
	RevokedAt time.Time
	// Reason is the CRL reason code of a revocation (RFC 5280 5.3.1).
	Reason int
	// Source is where the answer came from (a CRL or OCSP URL).
	Source string
	// Err says why the state is unknown.
	Err error
}

// RevocationChecker asks the CRL or OCSP responder of issuer about leaf.
// The trust and revocation package (app/trust) implements it.
type RevocationChecker interface {
	CheckRevocation(ctx context.Context, leaf, issuer *x509.Certificate) RevocationStatus
}

// Fingerprints of the PKIoverheid private roots that server and services
// certificates chain to (SHA-256 of the DER, as the PA publishes them).
const (
	RootG1PrivateFingerprint  = "0257ce27b52408e24ee2c0945640b723c5bc66ddbda4ada58c60357604f0e675" // Staat der Nederlanden Private Root CA - G1
	RootG4PrivGTLSFingerprint = "4411f67d3d7f4f49d34ff8862249de0d6692adc92df0855fb1dd67a169800484" // Staat der Nederlanden - G4 Root Priv G-TLS - 2024
)

// IsPKIoPrivateRoot reports whether a certificate is one of those roots.
func IsPKIoPrivateRoot(c *x509.Certificate) bool {
	fp := cert.Fingerprint(c.Raw)
	return fp == RootG1PrivateFingerprint || fp == RootG4PrivGTLSFingerprint
}

// X509Chain validates chains with crypto/x509 against fixed roots. It
// stands in for the trust store until that lands, and serves tests.
type X509Chain struct {
	Roots         []*x509.Certificate
	Intermediates []*x509.Certificate
}

// PKIoChain keeps, of the given CA certificates, the PKIoverheid private
// roots as roots (recognised by fingerprint, never by name) and the rest as
// intermediates.
func PKIoChain(cas []*x509.Certificate) *X509Chain {
	v := &X509Chain{}
	for _, c := range cas {
		if IsPKIoPrivateRoot(c) {
			v.Roots = append(v.Roots, c)
		} else if c.IsCA {
			v.Intermediates = append(v.Intermediates, c)
		}
	}
	return v
}

// VerifyChain verifies with crypto/x509. Extended key usage is not part of
// this check (it is a check of its own).
func (v *X509Chain) VerifyChain(ctx context.Context, leaf *x509.Certificate, intermediates []*x509.Certificate, at time.Time) ([]*x509.Certificate, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(v.Roots) == 0 {
		return nil, i18n.E("brp.chain.no_roots", nil)
	}
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	for _, r := range v.Roots {
		roots.AddCert(r)
	}
	for _, c := range slices.Concat(v.Intermediates, intermediates) {
		inter.AddCert(c)
	}
	chains, err := leaf.Verify(x509.VerifyOptions{
		Roots: roots, Intermediates: inter, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return nil, explainChainError(leaf, err)
	}
	return chains[0], nil
}

func explainChainError(leaf *x509.Certificate, err error) error {
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknown):
		return i18n.E("brp.chain.unknown_authority", nil, cert.Printable(leaf.Issuer.CommonName))
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return i18n.E("brp.chain.ca_expired", nil, cert.Printable(invalid.Cert.Subject.CommonName))
	default:
		return i18n.E("brp.chain.invalid", err)
	}
}

// StoredTrust builds the chain validator from the CA certificates stored
// in pkiodesk (imported with `pkiodesk import`): the PKIoverheid private
// roots among them, by fingerprint, and the rest as intermediates. It
// serves until the trust store (app/trust) takes over.
func StoredTrust(ctx context.Context, certs CertSource) (*X509Chain, error) {
	cas, err := loadIssuers(ctx, certs)
	if err != nil {
		return nil, err
	}
	return PKIoChain(cas), nil
}

// loadIssuers parses the stored CA certificates; one that does not parse
// is left out (the import accepted it, so it is the store's to report).
func loadIssuers(ctx context.Context, certs CertSource) ([]*x509.Certificate, error) {
	recs, err := certs.Issuers(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*x509.Certificate, 0, len(recs))
	for _, r := range recs {
		der, err := certs.DER(ctx, r.SHA256)
		if err != nil {
			return nil, err
		}
		if x, err := x509.ParseCertificate(der); err == nil {
			out = append(out, x)
		}
	}
	return out, nil
}
