package order

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
)

// MaxCSRSize bounds a CSR file: a real one is a few kilobytes.
const MaxCSRSize = 64 << 10

// LintProfile is the certificate profile a CSR is checked against
// (DOMAIN.md: key types and sizes, subject and SAN rules per hierarchy).
type LintProfile string

const (
	LintPKIoG1      LintProfile = "pkio-g1"       // PKIo Private Services G1 server
	LintPKIoG4      LintProfile = "pkio-g4"       // PKIo G4 G-TLS server
	LintPKIoG4Trial LintProfile = "pkio-g4-trial" // PKIo G4 trial server
	LintCertSIGNOV  LintProfile = "certsign-ov"   // publicly trusted OV SSL
)

// LintProfiles lists the profiles `csr lint --profile` accepts.
var LintProfiles = []LintProfile{LintPKIoG4, LintPKIoG4Trial, LintPKIoG1, LintCertSIGNOV}

type profileRules struct {
	rsaBits    []int    // allowed RSA sizes
	ecCurves   []string // allowed ECDSA curves; none: RSA only
	pkio       bool     // subject serialNumber must be the OIN
	g4         bool     // organizationIdentifier NTRNL-<KvK>; no wildcard, no IP; 1-100 SANs
	ipSANError bool
}

var rules = map[LintProfile]profileRules{
	LintPKIoG1:      {rsaBits: []int{2048, 3072, 4096}, pkio: true},
	LintPKIoG4:      {rsaBits: []int{2048, 3072, 4096}, pkio: true, g4: true, ipSANError: true},
	LintPKIoG4Trial: {rsaBits: []int{3072, 4096}, pkio: true, g4: true, ipSANError: true},
	LintCertSIGNOV:  {rsaBits: []int{2048, 3072, 4096}, ecCurves: []string{"P-256", "P-384"}, ipSANError: true},
}

// ParseLintProfile reads --profile.
func ParseLintProfile(s string) (LintProfile, error) {
	for _, p := range LintProfiles {
		if string(p) == s {
			return p, nil
		}
	}
	names := make([]string, len(LintProfiles))
	for i, p := range LintProfiles {
		names[i] = string(p)
	}
	return "", i18n.E("csr.profile_unknown", nil, cert.Printable(s), strings.Join(names, ", "))
}

// ProfileFor is the lint profile of a server product.
func ProfileFor(p Product) LintProfile {
	switch p {
	case ProductPKIoTrial:
		return LintPKIoG4Trial
	case ProductCertSIGNOV:
		return LintCertSIGNOV
	}
	return LintPKIoG4
}

// Severity of a lint finding: an error stops the order being placed.
type Severity string

const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Finding is one thing lint has to say about a CSR, in the user's words.
type Finding struct {
	Severity Severity
	Err      *i18n.Error
}

// Text renders the finding.
func (f Finding) Text(l i18n.Lang) string {
	word := "csr.error"
	if f.Severity == SeverityWarning {
		word = "csr.warning"
	}
	return i18n.T(l, word) + ": " + f.Err.Localize(l)
}

// HasErrors reports whether any finding is an error.
func HasErrors(fs []Finding) bool {
	return slices.ContainsFunc(fs, func(f Finding) bool { return f.Severity == SeverityError })
}

// ParseCSR reads a PKCS#10 request from PEM or DER. A private key pasted by
// mistake gets a message of its own: it must not be sent anywhere.
func ParseCSR(data []byte) (*x509.CertificateRequest, error) {
	if len(data) > MaxCSRSize {
		return nil, i18n.E("csr.too_large", nil, MaxCSRSize>>10)
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, i18n.E("csr.empty", nil)
	}
	// DER is taken as it is: its last bytes belong to the signature and may
	// well be ones TrimSpace would cut.
	der := data
	if bytes.Contains(trimmed, []byte("-----BEGIN")) {
		var found [][]byte
		rest := trimmed
		for {
			var block *pem.Block
			block, rest = pem.Decode(rest)
			if block == nil {
				break
			}
			switch {
			case block.Type == "CERTIFICATE REQUEST" || block.Type == "NEW CERTIFICATE REQUEST":
				found = append(found, block.Bytes)
			case strings.Contains(block.Type, "PRIVATE KEY"):
				return nil, i18n.E("csr.private_key", nil)
			case block.Type == "CERTIFICATE":
				return nil, i18n.E("csr.is_certificate", nil)
			}
		}
		switch len(found) {
		case 0:
			return nil, i18n.E("csr.not_csr", nil)
		case 1:
			der = found[0]
		default:
			return nil, i18n.E("csr.several", nil, len(found))
		}
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		if _, cerr := x509.ParseCertificate(der); cerr == nil {
			return nil, i18n.E("csr.is_certificate", nil)
		}
		return nil, i18n.E("csr.not_csr", err)
	}
	return csr, nil
}

// LintInput is what a CSR is checked against.
type LintInput struct {
	Profile LintProfile
	// Org is the subscriber; nil leaves the subject unchecked (a warning).
	Org *org.Organisation
	// FQDNs are the names ordered; nil leaves the SANs uncompared.
	FQDNs []string
	// Previous is the key of the certificate a renewal replaces: the new
	// CSR must have a new key.
	Previous crypto.PublicKey
}

var oidOrganizationIdentifier = asn1.ObjectIdentifier{2, 5, 4, 97}

// Lint checks a CSR against the order and the profile. Each finding is one
// clear message; an error finding keeps the order from being placed.
func Lint(csr *x509.CertificateRequest, in LintInput) []Finding {
	var fs []Finding
	errf := func(key string, args ...any) {
		fs = append(fs, Finding{SeverityError, i18n.E(key, nil, args...)})
	}
	warnf := func(key string, args ...any) {
		fs = append(fs, Finding{SeverityWarning, i18n.E(key, nil, args...)})
	}
	r, ok := rules[in.Profile]
	if !ok {
		r = rules[LintPKIoG4]
	}
	if err := csr.CheckSignature(); err != nil {
		errf("csr.signature")
	}
	switch csr.SignatureAlgorithm {
	case x509.SHA1WithRSA, x509.ECDSAWithSHA1, x509.MD5WithRSA, x509.DSAWithSHA1:
		errf("csr.weak_hash", csr.SignatureAlgorithm.String())
	}

	// The key.
	switch k := csr.PublicKey.(type) {
	case *rsa.PublicKey:
		bits := k.N.BitLen()
		if !slices.Contains(r.rsaBits, bits) {
			errf("csr.rsa_size", bits, joinInts(r.rsaBits))
		}
		if k.E != 65537 {
			// PKIoverheid's profiles require 65537 (ETSI TS 119 312).
			if r.pkio {
				errf("csr.rsa_exponent", k.E)
			} else {
				warnf("csr.rsa_exponent", k.E)
			}
		}
	case *ecdsa.PublicKey:
		curve := k.Curve.Params().Name
		if len(r.ecCurves) == 0 {
			errf("csr.rsa_only", "ECDSA "+curve)
		} else if !slices.Contains(r.ecCurves, curve) {
			errf("csr.ec_curve", curve, strings.Join(r.ecCurves, ", "))
		}
	case ed25519.PublicKey:
		errf("csr.rsa_only", "Ed25519")
	default:
		errf("csr.key_unknown")
	}
	if in.Previous != nil && sameKey(csr.PublicKey, in.Previous) {
		errf("csr.same_key")
	}

	// The subject. pkix.Name keeps the last of a repeated attribute and
	// other readers the first: a single-valued attribute given twice is an
	// error, and every value of it is checked.
	s := csr.Subject
	seen := map[string]int{}
	for _, atv := range s.Names {
		for _, one := range singleValued {
			if atv.Type.Equal(one.oid) {
				seen[one.name]++
				if seen[one.name] == 2 {
					errf("csr.attr_repeated", one.name)
				}
			}
		}
	}
	if in.Org == nil {
		warnf("csr.org_unknown")
	} else {
		o := in.Org
		switch {
		case len(s.Organization) == 0:
			errf("csr.o_missing", o.Name)
		case len(s.Organization) > 1 || s.Organization[0] != o.Name:
			errf("csr.o_wrong", cert.Printable(strings.Join(s.Organization, ", ")), o.Name)
		}
		if r.pkio {
			serials := values(s.Names, oidSerialNumber)
			if len(serials) == 0 {
				errf("csr.oin_missing", o.OIN)
			}
			for _, v := range serials {
				if v != o.OIN {
					errf("csr.oin_wrong", cert.Printable(v), o.OIN)
				}
			}
		}
		orgIDs := values(s.Names, oidOrganizationIdentifier)
		want := "NTRNL-" + o.KvK
		if r.g4 && len(orgIDs) == 0 {
			errf("csr.orgid_missing", want)
		}
		for _, orgID := range orgIDs {
			switch {
			case orgID != want && r.g4:
				errf("csr.orgid_wrong", cert.Printable(orgID), want)
			case orgID != want:
				warnf("csr.orgid_wrong", cert.Printable(orgID), want)
			}
		}
	}
	switch {
	case len(s.Country) == 0:
		errf("csr.c_missing")
	case len(s.Country) > 1 || s.Country[0] != "NL":
		errf("csr.c_wrong", cert.Printable(strings.Join(s.Country, ",")))
	}
	if len(s.OrganizationalUnit) > 0 {
		if r.g4 || in.Profile == LintCertSIGNOV {
			errf("csr.ou", cert.Printable(strings.Join(s.OrganizationalUnit, ", ")))
		} else {
			warnf("csr.ou", cert.Printable(strings.Join(s.OrganizationalUnit, ", ")))
		}
	}

	// The names.
	dns := make([]string, len(csr.DNSNames))
	for i, n := range csr.DNSNames {
		dns[i] = strings.ToLower(n)
	}
	if len(dns) == 0 {
		errf("csr.no_sans")
	}
	if r.g4 && len(dns) > 100 {
		errf("csr.too_many_sans", len(dns))
	}
	for _, n := range dns {
		if strings.HasPrefix(n, "*.") || strings.Contains(n, "*") {
			if r.g4 {
				errf("csr.wildcard", cert.Printable(n))
			} else if in.Profile == LintPKIoG1 {
				warnf("csr.wildcard", cert.Printable(n))
			}
		}
	}
	for _, ip := range csr.IPAddresses {
		if r.ipSANError {
			errf("csr.ip_san", ip.String())
		} else {
			warnf("csr.ip_san", ip.String())
		}
	}
	if len(csr.EmailAddresses) > 0 || len(csr.URIs) > 0 {
		errf("csr.other_sans")
	}
	for _, cn := range values(s.Names, oidCommonName) {
		if len(dns) > 0 && !slices.Contains(dns, strings.ToLower(cn)) {
			errf("csr.cn_not_san", cert.Printable(cn))
		}
	}
	for _, n := range dns {
		// The wildcard itself is judged above; the name must be a real
		// host name (no IP address, no single label, no underscore).
		if err := ValidateFQDN(strings.TrimPrefix(n, "*."), ProductPKIoPrivate); err != nil {
			var ue *i18n.Error
			if errors.As(err, &ue) {
				fs = append(fs, Finding{SeverityError, ue})
			}
		}
	}
	if in.FQDNs == nil {
		warnf("csr.fqdns_unknown")
	} else {
		want := make([]string, 0, len(in.FQDNs))
		for _, f := range in.FQDNs {
			want = append(want, strings.ToLower(strings.TrimSpace(f)))
		}
		for _, f := range want {
			if !slices.Contains(dns, f) {
				errf("csr.fqdn_missing", cert.Printable(f))
			}
		}
		for _, n := range dns {
			if !slices.Contains(want, n) {
				errf("csr.fqdn_extra", cert.Printable(n))
			}
		}
	}
	return fs
}

var (
	oidCommonName   = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidSerialNumber = asn1.ObjectIdentifier{2, 5, 4, 5}
	oidCountry      = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidOrganization = asn1.ObjectIdentifier{2, 5, 4, 10}
)

// singleValued are the subject attributes a server certificate has once.
var singleValued = []struct {
	oid  asn1.ObjectIdentifier
	name string
}{{oidCommonName, "CN"}, {oidSerialNumber, "serialNumber"}, {oidOrganizationIdentifier, "organizationIdentifier"}, {oidOrganization, "O"}, {oidCountry, "C"}}

// values returns every value of an attribute in the subject; a value that
// is not a string is returned printed.
func values(names []pkix.AttributeTypeAndValue, oid asn1.ObjectIdentifier) []string {
	var out []string
	for _, atv := range names {
		if atv.Type.Equal(oid) {
			s, ok := atv.Value.(string)
			if !ok {
				s = fmt.Sprint(atv.Value)
			}
			out = append(out, s)
		}
	}
	return out
}

// sameKey: a renewal's CSR must have a new key. For RSA the modulus is the
// key: the same modulus with another exponent is the same private key.
func sameKey(a, b crypto.PublicKey) bool {
	if x, ok := a.(*rsa.PublicKey); ok {
		if y, ok := b.(*rsa.PublicKey); ok {
			return x.N.Cmp(y.N) == 0
		}
	}
	pub, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(b)
}

func joinInts(v []int) string {
	parts := make([]string, len(v))
	for i, n := range v {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ", ")
}
