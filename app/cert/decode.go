package cert

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"strings"
	"unicode/utf16"

	"github.com/smallstep/pkcs7"

	"pkiodesk/app/i18n"
)

// MaxFileSize is the largest file pkiodesk reads as certificate input. A
// real bundle is a few kilobytes, an export of a whole CA's issuance a few
// megabytes (10,000 certificates in PEM are 11.4 MB); anything larger is
// refused before it is read, and several such files still fit the import's
// memory bound.
const MaxFileSize = 32 << 20

// Decoded is what one input file yielded: its certificates, and the parts of
// it that could not be read (a bundle may be partly damaged).
type Decoded struct {
	Certs    []*x509.Certificate
	Problems []error
	// Companions found beside (or instead of) certificates; pkiodesk never
	// stores a private key, and says so.
	PrivateKeys, Requests, CRLs int
}

// Decode reads certificates from PEM (bundles, PKCS#7 blocks too; a byte
// order mark is skipped), DER, PKCS#7 (.p7b/.p7c) or PKCS#12 (any number of
// certificates, with or without keys or a password; keys are never read).
// It returns an error when nothing usable was found, naming what the file
// holds instead (a private key, a certificate request, a CRL).
func Decode(data []byte, p12Password string) (Decoded, error) {
	if len(data) > MaxFileSize {
		return Decoded{}, i18n.E("err.file_too_large", nil, MaxFileSize>>20)
	}
	data = withoutByteOrderMark(data)
	if len(bytes.TrimSpace(data)) == 0 {
		return Decoded{}, i18n.E("err.file_empty", nil)
	}
	var d Decoded
	if bytes.Contains(data, []byte("-----BEGIN ")) {
		d = decodePEM(data)
	} else {
		var err error
		if d, err = decodeDER(data, p12Password); err != nil {
			return Decoded{}, err
		}
	}
	if len(d.Certs) > 0 {
		return d, nil
	}
	switch {
	case len(d.Problems) == 0 && d.PrivateKeys > 0 && d.Requests == 0 && d.CRLs == 0:
		return Decoded{}, i18n.E("err.only_private_key", nil)
	case len(d.Problems) == 0 && d.Requests > 0 && d.PrivateKeys == 0 && d.CRLs == 0:
		return Decoded{}, i18n.E("err.only_csr", nil)
	case len(d.Problems) == 0 && d.CRLs > 0 && d.PrivateKeys == 0 && d.Requests == 0:
		return Decoded{}, i18n.E("err.only_crl", nil)
	case len(d.Problems) == 0:
		return Decoded{}, i18n.E("err.no_certificate_but", nil, d.PrivateKeys, d.Requests, d.CRLs)
	case len(d.Problems) == 1:
		return Decoded{}, d.Problems[0]
	}
	return Decoded{}, i18n.E("err.no_certificate", errors.Join(d.Problems...))
}

// withoutByteOrderMark drops a UTF-8 byte order mark (Notepad writes one)
// and turns UTF-16 text with its mark into UTF-8.
func withoutByteOrderMark(data []byte) []byte {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return data[3:]
	case len(data)%2 == 0 && (bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF})):
		units := make([]uint16, 0, len(data)/2-1)
		for i := 2; i < len(data); i += 2 {
			if data[0] == 0xFF {
				units = append(units, uint16(data[i])|uint16(data[i+1])<<8)
			} else {
				units = append(units, uint16(data[i])<<8|uint16(data[i+1]))
			}
		}
		return []byte(string(utf16.Decode(units)))
	}
	return data
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
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "OPENSSH PRIVATE KEY":
			d.PrivateKeys++
		case "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST":
			d.Requests++
		case "X509 CRL":
			d.CRLs++
		case "PUBLIC KEY", "RSA PUBLIC KEY", "EC PARAMETERS", "DH PARAMETERS", "PARAMETERS":
			// Common companions of a certificate in one file; nothing to store.
		default:
			d.Problems = append(d.Problems, i18n.E("err.pem_block_type", nil, n, Printable(block.Type)))
		}
	}
	if len(d.Certs) == 0 && len(d.Problems) == 0 && d.PrivateKeys+d.Requests+d.CRLs == 0 {
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

func decodeDER(data []byte, p12Password string) (Decoded, error) {
	if c, err := x509.ParseCertificate(data); err == nil {
		return Decoded{Certs: []*x509.Certificate{c}}, nil
	}
	if cs, err := parsePKCS7(data); err == nil && len(cs) > 0 {
		return Decoded{Certs: cs}, nil
	}
	p12, err := readPKCS12(data, p12Password)
	switch {
	case err == nil && len(p12.certs) == 0 && p12.keys > 0:
		return Decoded{}, i18n.E("err.only_private_key", nil)
	case err == nil && len(p12.certs) == 0:
		return Decoded{}, i18n.E("err.p12_empty", nil)
	case err == nil:
		return Decoded{Certs: p12.certs, PrivateKeys: p12.keys}, nil
	case errors.Is(err, errP12Password):
		return Decoded{}, i18n.E("err.p12_password", nil)
	case errors.Is(err, errP12Unsupported):
		return Decoded{}, i18n.E("err.p12_unsupported", nil)
	case errors.Is(err, errP12Iterations):
		return Decoded{}, i18n.E("err.p12_iterations", nil, maxIterations)
	}
	switch {
	case isPrivateKeyDER(data):
		return Decoded{}, i18n.E("err.only_private_key", nil)
	case isCSRDER(data):
		return Decoded{}, i18n.E("err.only_csr", nil)
	case isCRLDER(data):
		return Decoded{}, i18n.E("err.only_crl", nil)
	}
	return Decoded{}, i18n.E("err.not_certificate", nil)
}

func isPrivateKeyDER(der []byte) bool {
	if _, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return true
	}
	if _, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return true
	}
	_, err := x509.ParseECPrivateKey(der)
	return err == nil
}

func isCSRDER(der []byte) bool {
	_, err := x509.ParseCertificateRequest(der)
	return err == nil
}

func isCRLDER(der []byte) bool {
	_, err := x509.ParseRevocationList(der)
	return err == nil
}

// parsePKCS7 reads the certificates of a PKCS#7/CMS structure. The library
// is third-party code reading hostile input: a panic in it becomes an error.
func parsePKCS7(der []byte) (certs []*x509.Certificate, err error) {
	defer func() {
		if r := recover(); r != nil {
			certs, err = nil, i18n.E("err.pkcs7_invalid", nil)
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

// readPKCS12 guards the PKCS#12 reader against panics on hostile input.
func readPKCS12(der []byte, password string) (c p12Contents, err error) {
	defer func() {
		if r := recover(); r != nil {
			c, err = p12Contents{}, errP12Malformed
		}
	}()
	return parsePKCS12(der, password)
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
