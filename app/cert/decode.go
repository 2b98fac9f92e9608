package cert

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/smallstep/pkcs7"
	"software.sslmate.com/src/go-pkcs12"

	"pkiodesk/app/i18n"
)

// MaxFileSize is the largest file pkiodesk reads as certificate input.
// A real bundle is a few kilobytes; anything near this is not one.
const MaxFileSize = 10 << 20

// Decoded is what one input file yielded: its certificates, and the parts of
// it that could not be read (a bundle may be partly damaged).
type Decoded struct {
	Certs    []*x509.Certificate
	Problems []error
}

// Decode reads certificates from PEM (bundles, PKCS#7 blocks too), DER,
// PKCS#7 (.p7b/.p7c) or PKCS#12 (certificates only; private keys in it are
// ignored). It returns an error when nothing usable was found.
func Decode(data []byte, p12Password string) (Decoded, error) {
	if len(data) > MaxFileSize {
		return Decoded{}, i18n.E("err.file_too_large", nil, MaxFileSize>>20)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return Decoded{}, i18n.E("err.file_empty", nil)
	}
	var d Decoded
	if bytes.Contains(data, []byte("-----BEGIN ")) {
		d = decodePEM(data)
	} else {
		certs, err := decodeDER(data, p12Password)
		if err != nil {
			return Decoded{}, err
		}
		d.Certs = certs
	}
	if len(d.Certs) == 0 {
		if len(d.Problems) == 1 {
			return Decoded{}, d.Problems[0]
		}
		return Decoded{}, i18n.E("err.no_certificate", errors.Join(d.Problems...))
	}
	return d, nil
}

func decodePEM(data []byte) Decoded {
	var d Decoded
	rest := data
	for n := 1; ; n++ {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		switch block.Type {
		case "CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE":
			c, err := parseCertificate(block.Bytes, block.Type == "TRUSTED CERTIFICATE")
			if err != nil {
				d.Problems = append(d.Problems, i18n.E("err.pem_block", err, n))
				continue
			}
			d.Certs = append(d.Certs, c)
		case "PKCS7", "CMS":
			cs, err := parsePKCS7(block.Bytes)
			if err != nil {
				d.Problems = append(d.Problems, i18n.E("err.pem_block", err, n))
				continue
			}
			d.Certs = append(d.Certs, cs...)
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY",
			"PUBLIC KEY", "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST", "X509 CRL":
			// Common companions of a certificate in one file; not ours to store.
		default:
			d.Problems = append(d.Problems, i18n.E("err.pem_block_type", nil, n, Printable(block.Type)))
		}
	}
	if len(d.Certs) == 0 && len(d.Problems) == 0 {
		d.Problems = append(d.Problems, i18n.E("err.pem_malformed", nil))
	}
	return d
}

// parseCertificate parses one DER certificate. OpenSSL's TRUSTED CERTIFICATE
// appends trust settings after the certificate; only the first element counts.
func parseCertificate(der []byte, trailingAllowed bool) (*x509.Certificate, error) {
	if trailingAllowed {
		var raw asn1.RawValue
		if _, err := asn1.Unmarshal(der, &raw); err == nil {
			der = raw.FullBytes
		}
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, i18n.E("err.x509_invalid", err)
	}
	return c, nil
}

func decodeDER(data []byte, p12Password string) ([]*x509.Certificate, error) {
	if c, err := x509.ParseCertificate(data); err == nil {
		return []*x509.Certificate{c}, nil
	}
	if cs, err := parsePKCS7(data); err == nil && len(cs) > 0 {
		return cs, nil
	}
	cs, err := parsePKCS12(data, p12Password)
	if err == nil {
		return cs, nil
	}
	if errors.Is(err, pkcs12.ErrIncorrectPassword) {
		return nil, i18n.E("err.p12_password", nil)
	}
	return nil, i18n.E("err.not_certificate", nil)
}

// parsePKCS7 reads the certificates of a PKCS#7/CMS structure. The library
// is third-party code reading hostile input: a panic in it becomes an error.
func parsePKCS7(der []byte) (certs []*x509.Certificate, err error) {
	defer func() {
		if r := recover(); r != nil {
			certs, err = nil, fmt.Errorf("pkcs7: %v", r)
		}
	}()
	p, err := pkcs7.Parse(der)
	if err != nil {
		return nil, i18n.E("err.pkcs7_invalid", err)
	}
	if len(p.Certificates) == 0 {
		return nil, i18n.E("err.pkcs7_empty", nil)
	}
	return p.Certificates, nil
}

func parsePKCS12(der []byte, password string) (certs []*x509.Certificate, err error) {
	defer func() {
		if r := recover(); r != nil {
			certs, err = nil, fmt.Errorf("pkcs12: %v", r)
		}
	}()
	if cs, err := pkcs12.DecodeTrustStore(der, password); err == nil {
		return cs, nil
	} else if errors.Is(err, pkcs12.ErrIncorrectPassword) {
		return nil, err
	}
	_, leaf, cas, err := pkcs12.DecodeChain(der, password)
	if err != nil {
		return nil, err
	}
	return append([]*x509.Certificate{leaf}, cas...), nil
}

// Printable makes a string from hostile input safe to show: control and
// format characters become '?', and it is cut to a length that fits a table cell.
func Printable(s string) string {
	return PrintableMax(s, 80)
}

// PrintableMax is Printable with another length limit: a detail view shows
// whole values, but a hostile certificate still cannot flood the screen.
func PrintableMax(s string, max int) string {
	var b []rune
	for _, r := range s {
		if len(b) == max {
			b = append(b, '…')
			break
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || (r >= 0x200b && r <= 0x200f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			r = '?'
		}
		b = append(b, r)
	}
	return string(b)
}

// DNParts splits a distinguished name as crypto/x509 prints it
// ("CN=a,O=b\,c") into its attributes, so each can be shown on its own line.
// A comma escaped with a backslash stays inside its attribute.
func DNParts(dn string) []string {
	var parts []string
	start, escaped := 0, false
	for i, r := range dn {
		switch {
		case escaped:
			escaped = false
		case r == '\\':
			escaped = true
		case r == ',' || r == '+':
			parts = append(parts, dn[start:i])
			start = i + 1
		}
	}
	if start < len(dn) || len(parts) > 0 {
		parts = append(parts, dn[start:])
	}
	return parts
}

// dnAttributeNames names the subject attributes crypto/x509 prints as a bare
// OID with a hex value; PKIo certificates carry several of them.
var dnAttributeNames = map[string]string{
	"2.5.4.97":             "organizationIdentifier",
	"2.5.4.42":             "GN",
	"2.5.4.4":              "SN",
	"2.5.4.12":             "title",
	"2.5.4.13":             "description",
	"2.5.4.15":             "businessCategory",
	"2.5.4.65":             "pseudonym",
	"1.2.840.113549.1.9.1": "emailAddress",
}

// ReadableDNPart turns an attribute crypto/x509 printed as "OID=#hex DER"
// into "name=value" when the value is a plain string; anything else is
// returned as it came.
func ReadableDNPart(part string) string {
	oid, value, ok := strings.Cut(part, "=")
	if !ok || !strings.HasPrefix(value, "#") {
		return part
	}
	der, err := hex.DecodeString(value[1:])
	if err != nil {
		return part
	}
	var s string
	if rest, err := asn1.Unmarshal(der, &s); err != nil || len(rest) != 0 {
		return part
	}
	if name, ok := dnAttributeNames[oid]; ok {
		oid = name
	}
	return oid + "=" + s
}
