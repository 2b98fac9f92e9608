// Package brp helps an afnemer (a municipality, or a technical connecting
// party acting for several) connect its API gateway to the RvIG BRP APIs:
// the register of afnemers, the pre-flight checks of each afnemer's PKIo
// certificate (before RvIG checks it), the gateway export and the
// connection test (mutual TLS and the OAuth client-credentials token).
//
// Sources: the RvIG letter of 27 March 2026 ("Gebruik PKIo-certificaat bij
// aansluiting op de BRP Berichten API") and DOMAIN.md.
package brp

import (
	"net"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

// Endpoint is a BRP API an afnemer is authorised for, as the token's
// endpoint claim names it ("brp;brp-berichten", with "-lap" for the test
// environment, per the RvIG letter).
type Endpoint string

const (
	EndpointBRP          Endpoint = "brp"
	EndpointBerichten    Endpoint = "brp-berichten"
	EndpointBRPLAP       Endpoint = "brp-lap"
	EndpointBerichtenLAP Endpoint = "brp-berichten-lap"
)

// Endpoints lists the known endpoints in the order they are shown.
func Endpoints() []Endpoint {
	return []Endpoint{EndpointBRP, EndpointBerichten, EndpointBRPLAP, EndpointBerichtenLAP}
}

// Secret modes: where the OAuth client secret lives. Never in the database.
const (
	SecretKeyring = "keyring" // the OS keyring (Secret Service, Credential Manager)
	SecretAsk     = "ask"     // asked for each time it is needed
)

// Afnemer is one party that takes BRP data through the gateway, with its
// own PKIo certificate. A technical connecting party (TAP) registers each
// afnemer it acts for; TAP then names the party.
type Afnemer struct {
	// ID is the AfnemerID (autorisatiebesluitnummer), 6 digits.
	ID   string `json:"afnemerID"`
	Name string `json:"name"`
	// OIN is the afnemer's Organisatie-identificatienummer; its certificate
	// carries it in the subject serialNumber.
	OIN string `json:"oin"`
	// Gemeentecode is the 4-digit municipality code (municipal accounts).
	Gemeentecode string `json:"gemeentecode,omitempty"`
	// Berichtenbox is the berichtenboxnummer of the BRP Berichten API.
	Berichtenbox string     `json:"berichtenboxnummer,omitempty"`
	Endpoints    []Endpoint `json:"endpoints"`
	// Hosts are the gateway's host names, which the certificate's SANs
	// must hold (RvIG checks the hostname).
	Hosts []string `json:"hosts"`
	// CertSHA256 picks the server certificate from the inventory.
	CertSHA256 string `json:"certSHA256,omitempty"`
	// Key says where the certificate's private key is: a PKCS#11 URI
	// (RFC 7512) for a token, or a file path.
	Key      string `json:"key,omitempty"`
	ClientID string `json:"clientID,omitempty"`
	// Secret is SecretKeyring or SecretAsk: where the client secret lives.
	Secret string `json:"secret,omitempty"`
	// TAP names the technical connecting party acting for this afnemer.
	TAP string `json:"tap,omitempty"`
}

// Scope is the OAuth scope RvIG expects: "<afnemerID>-<OIN>".
func (a *Afnemer) Scope() string { return a.ID + "-" + a.OIN }

// Validate checks every field and returns the first problem in the user's
// words; it also normalises host names to lower case.
func (a *Afnemer) Validate() error {
	if !digits(a.ID, 6) {
		return i18n.E("brp.err.afnemer_id", nil, cert.Printable(a.ID))
	}
	if err := plainText(a.Name, 200); err != nil || strings.TrimSpace(a.Name) == "" {
		return i18n.E("brp.err.name", err)
	}
	if err := cert.ValidateOIN(a.OIN); err != nil {
		return err
	}
	if a.Gemeentecode != "" && !digits(a.Gemeentecode, 4) {
		return i18n.E("brp.err.gemeentecode", nil, cert.Printable(a.Gemeentecode))
	}
	if a.Berichtenbox != "" && (len(a.Berichtenbox) > 20 || !digits(a.Berichtenbox, len(a.Berichtenbox))) {
		return i18n.E("brp.err.berichtenbox", nil, cert.Printable(a.Berichtenbox))
	}
	if len(a.Endpoints) == 0 {
		return i18n.E("brp.err.no_endpoint", nil)
	}
	for i, e := range a.Endpoints {
		if !slices.Contains(Endpoints(), e) {
			return i18n.E("brp.err.endpoint", nil, cert.Printable(string(e)))
		}
		if slices.Contains(a.Endpoints[:i], e) {
			return i18n.E("brp.err.endpoint_twice", nil, string(e))
		}
	}
	if len(a.Hosts) == 0 {
		return i18n.E("brp.err.no_host", nil)
	}
	if len(a.Hosts) > 100 {
		return i18n.E("brp.err.too_many_hosts", nil, len(a.Hosts))
	}
	for i, h := range a.Hosts {
		h = strings.ToLower(strings.TrimSuffix(h, "."))
		if err := ValidateHost(h); err != nil {
			return err
		}
		if slices.Contains(a.Hosts[:i], h) {
			return i18n.E("brp.err.host_twice", nil, h)
		}
		a.Hosts[i] = h
	}
	if a.CertSHA256 != "" && !isSHA256(a.CertSHA256) {
		return i18n.E("brp.err.cert_sha256", nil, cert.Printable(a.CertSHA256))
	}
	if a.Key != "" {
		if _, err := ParseKeyRef(a.Key); err != nil {
			return err
		}
	}
	if err := plainText(a.ClientID, 200); err != nil || strings.ContainsAny(a.ClientID, " \t") {
		return i18n.E("brp.err.client_id", err)
	}
	switch a.Secret {
	case "", SecretKeyring, SecretAsk:
	default:
		return i18n.E("brp.err.secret_mode", nil, cert.Printable(a.Secret))
	}
	if err := plainText(a.TAP, 200); err != nil {
		return i18n.E("brp.err.tap", err)
	}
	return nil
}

// ValidateHost checks a gateway host name: a DNS name of letters, digits
// and hyphens (PKIo certificates hold no IP addresses and, in G4, no
// wildcards).
func ValidateHost(h string) error {
	if h == "" {
		return i18n.E("brp.err.host_empty", nil)
	}
	if net.ParseIP(h) != nil {
		return i18n.E("brp.err.host_ip", nil, h)
	}
	if len(h) > 253 {
		return i18n.E("brp.err.host_long", nil, len(h))
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return i18n.E("brp.err.host", nil, cert.Printable(h))
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return i18n.E("brp.err.host", nil, cert.Printable(h))
			}
		}
	}
	if !strings.Contains(h, ".") {
		return i18n.E("brp.err.host_not_fqdn", nil, h)
	}
	return nil
}

func digits(s string, n int) bool {
	if len(s) != n || n == 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f') {
			return false
		}
	}
	return true
}

// plainText accepts valid UTF-8 without control characters, up to max bytes.
func plainText(s string, max int) error {
	if len(s) > max {
		return i18n.E("brp.err.too_long", nil, max)
	}
	if !utf8.ValidString(s) {
		return i18n.E("brp.err.not_text", nil)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return i18n.E("brp.err.not_text", nil)
		}
	}
	return nil
}
