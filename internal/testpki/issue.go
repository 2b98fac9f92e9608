package testpki

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"time"
)

// RootPool trusts the test root.
func (p *PKI) RootPool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.Root)
	return pool
}

// ServerFromCSR issues a PKIo G4-shaped server certificate for a CSR, as a
// CA does: the CSR's subject and DNS names, its key, serverAuth and
// clientAuth, and the G4 G-TLS policy. The CSR's signature is checked first.
func (p *PKI) ServerFromCSR(csr *x509.CertificateRequest, validity time.Duration) (*x509.Certificate, error) {
	if err := csr.CheckSignature(); err != nil {
		return nil, fmt.Errorf("testpki: CSR signature: %w", err)
	}
	policy, err := x509.OIDFromInts([]uint64{2, 16, 528, 1, 1003, 1, 2, 44, 15, 35, 11})
	if err != nil {
		return nil, err
	}
	if validity == 0 {
		validity = 397 * 24 * time.Hour
	}
	return p.create(&x509.Certificate{
		Subject: pkix.Name{
			CommonName: csr.Subject.CommonName, Organization: csr.Subject.Organization, Country: csr.Subject.Country,
			SerialNumber: csr.Subject.SerialNumber, ExtraNames: orgIdentifier(csr.Subject.Names),
		},
		DNSNames:  csr.DNSNames,
		NotBefore: p.now.Add(-time.Hour), NotAfter: p.now.Add(validity),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		Policies:    []x509.OID{policy},
		// A distribution point, as every PKIo certificate has: the trust
		// store then judges the certificate by this CA's CRL (served or
		// imported); .invalid never resolves.
		CRLDistributionPoints: []string{"http://crl.pkiodesk-test.invalid/issuer.crl"},
	}, p.Issuer, csr.PublicKey, p.issuerKey)
}

func orgIdentifier(names []pkix.AttributeTypeAndValue) []pkix.AttributeTypeAndValue {
	for _, n := range names {
		if n.Type.String() == "2.5.4.97" {
			return []pkix.AttributeTypeAndValue{n}
		}
	}
	return nil
}

// CRL is the issuing CA's revocation list with these certificates revoked
// at the given time for an RFC 5280 reason.
func (p *PKI) CRL(revoked []*x509.Certificate, at time.Time, reason int) ([]byte, error) {
	var entries []x509.RevocationListEntry
	for _, c := range revoked {
		entries = append(entries, x509.RevocationListEntry{SerialNumber: c.SerialNumber, RevocationTime: at, ReasonCode: reason})
	}
	p.serial++
	return x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(p.serial), ThisUpdate: at, NextUpdate: at.Add(48 * time.Hour), RevokedCertificateEntries: entries,
	}, p.Issuer, p.issuerKey)
}
