// Package cert turns X.509 certificates into the organisation's certificate
// records: what kind a certificate is (server, personal, group, eSeal, or an
// issuing CA), who it names (CN, O, OIN) and what state it is in.
package cert

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Kind is the overview a certificate belongs to.
type Kind string

const (
	KindServer   Kind = "server"
	KindPersonal Kind = "personal"
	KindGroup    Kind = "group"
	KindESeal    Kind = "eseal"
	// KindCA marks an issuing certificate: kept as an issuer, never listed as
	// one of the organisation's own certificates.
	KindCA Kind = "ca"
)

// OwnKinds are the kinds with an overview, in the order of the seed's menu.
var OwnKinds = []Kind{KindServer, KindPersonal, KindGroup, KindESeal}

// Status is the state shown in the overviews' status filter.
type Status string

const (
	StatusValid   Status = "valid"
	StatusExpired Status = "expired"
	StatusRevoked Status = "revoked"
)

// Certificate is what pkiodesk knows of one certificate. Everything except
// the revocation fields is derived from the DER and never edited.
type Certificate struct {
	SHA256                 string // lower-case hex, the identity of a record
	Kind                   Kind
	CommonName             string
	Organization           string
	OrganizationalUnit     string
	OIN                    string // subject serialNumber (2.5.4.5)
	OrganizationIdentifier string // 2.5.4.97, e.g. NTRNL-12345678
	GivenName, Surname     string
	Subject                string
	Issuer                 string
	IssuerCN               string
	Serial                 string // upper-case hex
	NotBefore, NotAfter    time.Time
	DNSNames               []string
	Emails                 []string
	KeyType                string
	KeyBits                int
	SignatureAlgorithm     string
	Policies               []string
	KeyUsage               []string
	ExtKeyUsage            []string
	IsCA                   bool

	// Revocation is a stored fact: set when a revocation is placed or learnt.
	Revoked          bool
	RevokedAt        time.Time
	RevocationReason string

	ImportedAt time.Time
	Source     string // file it was first imported from

	// Order links, set by app/order: OrderID is the order the certificate
	// was issued for, Renews the SHA-256 of the certificate it renews,
	// RevocationOrderID a placed revocation not yet confirmed ("intrekking
	// aangevraagd"). Who requested and who manages it is its
	// store.Assignment.
	OrderID, Renews   string
	RevocationOrderID string
}

// RevocationRequested reports whether a revocation was placed and is not
// yet confirmed by revocation information.
func (c *Certificate) RevocationRequested() bool { return c.RevocationOrderID != "" && !c.Revoked }

// Status of the certificate at the given moment. A certificate that is not
// yet valid counts as valid: it is the organisation's, and will be.
func (c *Certificate) Status(now time.Time) Status {
	switch {
	case c.Revoked:
		return StatusRevoked
	case now.After(c.NotAfter):
		return StatusExpired
	default:
		return StatusValid
	}
}

// Fingerprint returns the SHA-256 fingerprint of DER bytes as lower-case hex.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

var (
	oidOrganizationIdentifier = asn1.ObjectIdentifier{2, 5, 4, 97}
	oidGivenName              = asn1.ObjectIdentifier{2, 5, 4, 42}
	oidSurname                = asn1.ObjectIdentifier{2, 5, 4, 4}
)

// FromX509 extracts the record of a parsed certificate.
func FromX509(x *x509.Certificate) Certificate {
	return fromX509(x, x.Issuer.String())
}

// IssuerNames renders issuer names once per issuer: an import of 100,000
// certificates from a few CAs would otherwise render the same name 100,000
// times. Not for use by several goroutines at once.
type IssuerNames map[string]string

// FromX509 is the package's FromX509 with the issuer's name remembered.
func (n IssuerNames) FromX509(x *x509.Certificate) Certificate {
	issuer, ok := n[string(x.RawIssuer)]
	if !ok {
		issuer = x.Issuer.String()
		if len(n) < 1024 {
			n[string(x.RawIssuer)] = issuer
		}
	}
	return fromX509(x, issuer)
}

func fromX509(x *x509.Certificate, issuer string) Certificate {
	c := Certificate{
		SHA256:             Fingerprint(x.Raw),
		CommonName:         x.Subject.CommonName,
		OIN:                x.Subject.SerialNumber,
		Subject:            x.Subject.String(),
		Issuer:             issuer,
		IssuerCN:           x.Issuer.CommonName,
		Serial:             strings.ToUpper(x.SerialNumber.Text(16)),
		NotBefore:          x.NotBefore.UTC(),
		NotAfter:           x.NotAfter.UTC(),
		DNSNames:           x.DNSNames,
		Emails:             x.EmailAddresses,
		SignatureAlgorithm: x.SignatureAlgorithm.String(),
		IsCA:               x.IsCA,
		KeyUsage:           keyUsageNames(x.KeyUsage),
		ExtKeyUsage:        extKeyUsageNames(x),
	}
	if len(x.Subject.Organization) > 0 {
		c.Organization = x.Subject.Organization[0]
	}
	if len(x.Subject.OrganizationalUnit) > 0 {
		c.OrganizationalUnit = x.Subject.OrganizationalUnit[0]
	}
	for _, atv := range x.Subject.Names {
		s, ok := atv.Value.(string)
		if !ok {
			continue
		}
		switch {
		case atv.Type.Equal(oidOrganizationIdentifier):
			c.OrganizationIdentifier = s
		case atv.Type.Equal(oidGivenName):
			c.GivenName = s
		case atv.Type.Equal(oidSurname):
			c.Surname = s
		}
	}
	c.Policies = policyStrings(x)
	c.KeyType, c.KeyBits = keyTypeAndSize(x.PublicKey)
	c.Kind = Classify(x)
	return c
}

func keyTypeAndSize(pub any) (string, int) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return "RSA", k.N.BitLen()
	case *ecdsa.PublicKey:
		return "ECDSA", k.Curve.Params().BitSize
	case ed25519.PublicKey:
		return "Ed25519", 256
	default:
		return fmt.Sprintf("%T", pub), 0
	}
}

func keyUsageNames(ku x509.KeyUsage) []string {
	names := []struct {
		bit  x509.KeyUsage
		name string
	}{
		{x509.KeyUsageDigitalSignature, "digitalSignature"},
		{x509.KeyUsageContentCommitment, "nonRepudiation"},
		{x509.KeyUsageKeyEncipherment, "keyEncipherment"},
		{x509.KeyUsageDataEncipherment, "dataEncipherment"},
		{x509.KeyUsageKeyAgreement, "keyAgreement"},
		{x509.KeyUsageCertSign, "keyCertSign"},
		{x509.KeyUsageCRLSign, "cRLSign"},
		{x509.KeyUsageEncipherOnly, "encipherOnly"},
		{x509.KeyUsageDecipherOnly, "decipherOnly"},
	}
	var out []string
	for _, n := range names {
		if ku&n.bit != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

func extKeyUsageNames(x *x509.Certificate) []string {
	var out []string
	for _, u := range x.ExtKeyUsage {
		switch u {
		case x509.ExtKeyUsageServerAuth:
			out = append(out, "serverAuth")
		case x509.ExtKeyUsageClientAuth:
			out = append(out, "clientAuth")
		case x509.ExtKeyUsageEmailProtection:
			out = append(out, "emailProtection")
		case x509.ExtKeyUsageCodeSigning:
			out = append(out, "codeSigning")
		case x509.ExtKeyUsageTimeStamping:
			out = append(out, "timeStamping")
		case x509.ExtKeyUsageOCSPSigning:
			out = append(out, "OCSPSigning")
		case x509.ExtKeyUsageAny:
			out = append(out, "any")
		default:
			out = append(out, fmt.Sprintf("eku-%d", u))
		}
	}
	for _, o := range x.UnknownExtKeyUsage {
		out = append(out, o.String())
	}
	return out
}
