package brp

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"sigs.k8s.io/yaml"

	"pkiodesk/app/cert"
	"pkiodesk/app/files"
	"pkiodesk/app/i18n"
)

// ResourceServer is the resourceServer field of RvIG's token request.
const ResourceServer = "ResourceServer01"

// Token endpoints of RvIG (DOMAIN.md).
const (
	TokenURLTest       = "https://auth.npr.idm.diginetwerk.net/nidp/oauth/nam/token"
	TokenURLProduction = "https://auth.idm.diginetwerk.net/nidp/oauth/nam/token"
)

// GatewayConfig is what an API gateway needs per afnemer, as JSON or YAML.
// It holds references to the key and the client secret, never the secret.
type GatewayConfig struct {
	Afnemers []GatewayAfnemer `json:"afnemers"`
}

// GatewayAfnemer is one afnemer in the gateway export.
type GatewayAfnemer struct {
	AfnemerID   string      `json:"afnemerID"`
	Name        string      `json:"name"`
	OIN         string      `json:"oin"`
	TAP         string      `json:"tap,omitempty"`
	Hosts       []string    `json:"hosts"`
	Scope       string      `json:"scope"`
	Claims      Claims      `json:"claims"`
	OAuth       OAuthConfig `json:"oauth"`
	Certificate CertRef     `json:"certificate"`
	// Key is a PKCS#11 URI (RFC 7512) or a key file path.
	Key string `json:"key,omitempty"`
}

// Claims are the token claims RvIG issues for the afnemer (RvIG letter).
// Only gemeenteCode is confirmed publicly as a claim name; endpoint and
// berichtenboxnummer follow the letter's words.
type Claims struct {
	GemeenteCode       string `json:"gemeenteCode,omitempty"`
	Endpoint           string `json:"endpoint"`
	Berichtenboxnummer string `json:"berichtenboxnummer,omitempty"`
}

// OAuthConfig is the client-credentials request without the secret.
type OAuthConfig struct {
	GrantType      string `json:"grantType"`
	ClientID       string `json:"clientID,omitempty"`
	ResourceServer string `json:"resourceServer"`
	// ClientSecret says where the secret is ("keyring:<service>/<account>"
	// or "ask"), never what it is.
	ClientSecret string `json:"clientSecret"`
}

// CertRef points at the certificate and its chain file.
type CertRef struct {
	SHA256    string    `json:"sha256,omitempty"`
	Subject   string    `json:"subject,omitempty"`
	NotAfter  time.Time `json:"notAfter,omitzero"`
	ChainFile string    `json:"chainFile,omitempty"`
}

// Export is the gateway configuration and the PEM chain files it names.
type Export struct {
	Config GatewayConfig
	// Files maps a chain file name to its PEM bundle (leaf first, then
	// each issuer up to, not including, the root).
	Files map[string][]byte
}

// ChainFileName is the name of an afnemer's PEM bundle.
func ChainFileName(a Afnemer) string { return a.ID + "-chain.pem" }

// BuildExport makes the gateway export of the afnemers. A chain is ordered
// by the chain validator when it verifies, else by issuer names.
func BuildExport(ctx context.Context, afnemers []Afnemer, c *Checker) (Export, error) {
	ex := Export{Files: map[string][]byte{}}
	issuers := c.issuers(ctx)
	for _, a := range afnemers {
		g := GatewayAfnemer{
			AfnemerID: a.ID, Name: a.Name, OIN: a.OIN, TAP: a.TAP, Hosts: a.Hosts, Scope: a.Scope(),
			Claims: Claims{GemeenteCode: a.Gemeentecode, Endpoint: endpointClaim(a.Endpoints), Berichtenboxnummer: a.Berichtenbox},
			OAuth:  OAuthConfig{GrantType: "client_credentials", ClientID: a.ClientID, ResourceServer: ResourceServer, ClientSecret: secretRef(a)},
			Key:    a.Key,
		}
		if a.CertSHA256 != "" {
			leaf, err := c.leaf(ctx, a.CertSHA256)
			if err != nil {
				return Export{}, i18n.E("brp.err.export_cert", err, a.ID)
			}
			now := time.Now()
			if c.Now != nil {
				now = c.Now()
			}
			chain, err := c.verifyChain(ctx, leaf, issuers, now)
			if err != nil {
				chain = cert.BuildChain(leaf, issuers)
			}
			name := ChainFileName(a)
			ex.Files[name] = pemBundle(chain)
			g.Certificate = CertRef{SHA256: a.CertSHA256, Subject: leaf.Subject.String(), NotAfter: leaf.NotAfter.UTC(), ChainFile: name}
		}
		ex.Config.Afnemers = append(ex.Config.Afnemers, g)
	}
	return ex, nil
}

// endpointClaim joins the endpoints as the letter writes the claim.
func endpointClaim(es []Endpoint) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = string(e)
	}
	return strings.Join(s, ";")
}

func secretRef(a Afnemer) string {
	if a.Secret == SecretKeyring {
		return "keyring:" + keyringService + "/" + SecretAccount(a)
	}
	return SecretAsk
}

// pemBundle writes the chain leaf first and leaves out a self-signed root:
// a gateway sends its chain without the root, which the server has.
func pemBundle(chain []*x509.Certificate) []byte {
	var b bytes.Buffer
	for _, c := range chain {
		if len(chain) > 1 && bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil {
			continue
		}
		pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.Bytes()
}

// JSON renders the configuration, indented.
func (g GatewayConfig) JSON() ([]byte, error) {
	out, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// YAML renders the same configuration (the JSON field names) as YAML.
func (g GatewayConfig) YAML() ([]byte, error) { return yaml.Marshal(g) }

// Write stores the configuration (pkiodesk-brp.json or .yaml) and the PEM
// chains in dir, each file written whole or not at all (temporary file,
// then rename). A name in dir that is (or links to) one of own, the
// database's files, is refused before anything is written. It returns the
// paths written.
func (e Export) Write(dir, format string, own ...string) ([]string, error) {
	var data []byte
	var err error
	switch format {
	case "json":
		data, err = e.Config.JSON()
	case "yaml":
		data, err = e.Config.YAML()
	default:
		return nil, i18n.E("brp.err.format", nil, cert.Printable(format))
	}
	if err != nil {
		return nil, i18n.E("brp.err.export_write", err, dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, i18n.E("brp.err.export_write", err, dir)
	}
	out := map[string][]byte{"pkiodesk-brp." + format: data}
	maps.Copy(out, e.Files)
	names := slices.Sorted(maps.Keys(out))
	for _, name := range names {
		if path := filepath.Join(dir, name); files.IsOneOf(path, own...) {
			return nil, i18n.E("brp.err.export_is_database", nil, path)
		}
	}
	var written []string
	for _, name := range names {
		path := filepath.Join(dir, name)
		if err := writeFile(path, out[name]); err != nil {
			return written, i18n.E("brp.err.export_write", err, path)
		}
		written = append(written, path)
	}
	return written, nil
}

// writeFile replaces a file atomically: a power cut leaves the old one or
// the new one, never half of the gateway's configuration.
func writeFile(path string, data []byte) error {
	return files.WriteReplacing(path, 0o644, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
