// Package testpki is a throw-away CA for tests and the demo token: a root
// and an issuing CA whose names say not to trust them, issuing personal
// certificates with an OIN for any public key (also one on a token).
package testpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"time"
)

// PKI is a root and an issuing CA.
type PKI struct {
	Root, Issuer       *x509.Certificate
	rootKey, issuerKey crypto.Signer
	now                time.Time
	serial             int64
}

// New makes the two CAs.
func New(now time.Time) (*PKI, error) {
	rootKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	issuerKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	p := &PKI{rootKey: rootKey, issuerKey: issuerKey, now: now, serial: 100}
	p.Root, err = p.create(&x509.Certificate{
		Subject:   pkix.Name{CommonName: "pkiodesk Test Root - niet vertrouwen", Organization: []string{"pkiodesk test"}},
		NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(10, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}, nil, rootKey.Public(), rootKey)
	if err != nil {
		return nil, err
	}
	p.Issuer, err = p.create(&x509.Certificate{
		Subject:   pkix.Name{CommonName: "pkiodesk Test Organisatie Persoon CA", Organization: []string{"pkiodesk test"}},
		NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(9, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, MaxPathLenZero: true,
	}, p.Root, issuerKey.Public(), rootKey)
	return p, err
}

func (p *PKI) create(tmpl, parent *x509.Certificate, pub crypto.PublicKey, key crypto.Signer) (*x509.Certificate, error) {
	p.serial++
	tmpl.SerialNumber = big.NewInt(p.serial<<20 | time.Now().UnixNano()&0xFFFFF)
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		return nil, fmt.Errorf("testpki: %w", err)
	}
	return x509.ParseCertificate(der)
}

// Person describes the holder of a personal certificate.
type Person struct {
	GivenName, Surname, Email, Organization string
	// Number is the holder's unique number, in the subject serialNumber
	// as on a PKIoverheid organisation-person certificate.
	Number string
}

// Personal issues a PKIo-shaped personal certificate (organisation person
// domain) for authentication or, with signature set, non-repudiation.
func (p *PKI) Personal(pub crypto.PublicKey, who Person, signature bool) (*x509.Certificate, error) {
	ku, eku := x509.KeyUsageDigitalSignature, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection}
	policy := x509.OID{}
	var err error
	if signature {
		ku, eku = x509.KeyUsageContentCommitment, nil
		policy, err = x509.OIDFromInts([]uint64{2, 16, 528, 1, 1003, 1, 2, 5, 2})
	} else {
		policy, err = x509.OIDFromInts([]uint64{2, 16, 528, 1, 1003, 1, 2, 5, 1})
	}
	if err != nil {
		return nil, err
	}
	return p.create(&x509.Certificate{
		Subject: pkix.Name{
			CommonName: who.GivenName + " " + who.Surname, Organization: []string{who.Organization}, SerialNumber: who.Number, Country: []string{"NL"},
			ExtraNames: []pkix.AttributeTypeAndValue{
				{Type: asn1.ObjectIdentifier{2, 5, 4, 42}, Value: who.GivenName}, {Type: asn1.ObjectIdentifier{2, 5, 4, 4}, Value: who.Surname},
			},
		},
		EmailAddresses: []string{who.Email},
		NotBefore:      p.now.AddDate(0, -2, 0), NotAfter: p.now.AddDate(3, 0, 0),
		KeyUsage: ku, ExtKeyUsage: eku, Policies: []x509.OID{policy},
	}, p.Issuer, pub, p.issuerKey)
}

// Seal issues an eSeal-shaped certificate (non-repudiation, the
// organisation's OIN and organizationIdentifier) for a public key.
func (p *PKI) Seal(pub crypto.PublicKey, cn, org, oin, orgID string) (*x509.Certificate, error) {
	return p.create(&x509.Certificate{
		Subject: pkix.Name{CommonName: cn, Organization: []string{org}, SerialNumber: oin, Country: []string{"NL"},
			ExtraNames: []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{2, 5, 4, 97}, Value: orgID}}},
		NotBefore: p.now.AddDate(0, -1, 0), NotAfter: p.now.AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}, p.Issuer, pub, p.issuerKey)
}

// Chain is a leaf with the issuing CA and the root above it.
func (p *PKI) Chain(leaf *x509.Certificate) []*x509.Certificate {
	return []*x509.Certificate{leaf, p.Issuer, p.Root}
}
