package trust

import (
	"bytes"
	"context"
	"crypto/x509"
	"embed"
	"encoding/json"
	"encoding/pem"
	"path"
	"slices"
	"sort"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/store"
)

// Source says where a trusted certificate comes from.
type Source string

const (
	// SourceBundled: shipped with pkiodesk (the PKIoverheid hierarchies).
	SourceBundled Source = "bundled"
	// SourceAdmin: added by an administrator, for a TSP hierarchy pkiodesk
	// does not ship.
	SourceAdmin Source = "admin"
	// SourceDemo: the demo's CAs, trusted only in the demo database.
	SourceDemo Source = "demo"
)

// Anchor is a CA certificate the trust store knows: a trust anchor, or an
// intermediate used to build chains up to one.
type Anchor struct {
	Cert   *x509.Certificate
	SHA256 string
	Source Source
	// Anchor is true for a trust anchor; false for an intermediate that is
	// only used to build chains (it is trusted through its root).
	Anchor  bool
	AddedAt time.Time
}

// The PKIoverheid CA certificates pkiodesk ships: G1 Private (root,
// Private Services CA, KPN and QuoVadis) and G4 Private G-TLS (root,
// intermediate, KPN). Copied from shared/testdata/pkio; a test checks each
// fingerprint against the one the PA publishes.
//
//go:embed pkio/*.crt
var pkioFiles embed.FS

func bundledAnchors() []Anchor {
	entries, err := pkioFiles.ReadDir("pkio")
	if err != nil {
		panic("trust: bundled certificates missing: " + err.Error())
	}
	var out []Anchor
	for _, e := range entries {
		data, err := pkioFiles.ReadFile(path.Join("pkio", e.Name()))
		if err != nil {
			panic("trust: " + err.Error())
		}
		b, _ := pem.Decode(data)
		if b == nil {
			panic("trust: bundled certificate " + e.Name() + " is not PEM")
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			panic("trust: bundled certificate " + e.Name() + ": " + err.Error())
		}
		out = append(out, Anchor{Cert: c, SHA256: cert.Fingerprint(c.Raw), Source: SourceBundled, Anchor: selfSigned(c)})
	}
	return out
}

// Bundled returns the PKIoverheid CA certificates pkiodesk ships.
func Bundled() []Anchor { return bundledAnchors() }

func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawSubject, c.RawIssuer) && c.CheckSignatureFrom(c) == nil
}

// storedAnchor is the stored form of an administrator's or the demo's CA.
type storedAnchor struct {
	DER     []byte    `json:"der"`
	Source  Source    `json:"source"`
	Anchor  bool      `json:"anchor"`
	AddedAt time.Time `json:"added"`
}

func (s *Service) readAnchors(ctx context.Context) ([]Anchor, error) {
	var out []Anchor
	err := s.db.ViewRecords(ctx, collAnchors, func(tx store.RecordTx) error {
		return tx.ForEach(func(k string, v []byte) error {
			var sa storedAnchor
			if err := json.Unmarshal(v, &sa); err != nil {
				return i18n.E("err.db_corrupt", err, cert.Printable(k))
			}
			c, err := x509.ParseCertificate(sa.DER)
			if err != nil || cert.Fingerprint(sa.DER) != k {
				return i18n.E("err.db_corrupt", err, cert.Printable(k))
			}
			out = append(out, Anchor{Cert: c, SHA256: k, Source: sa.Source, Anchor: sa.Anchor, AddedAt: sa.AddedAt})
			return nil
		})
	})
	if ctx.Err() != nil {
		return nil, i18n.E("err.context_canceled", err)
	}
	return out, err
}

// Anchors lists every CA certificate the trust store uses here: the
// bundled ones, the administrator's, and in the demo the demo's. Anchors
// first, then by name.
func (s *Service) Anchors() []Anchor {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := append([]Anchor(nil), s.bundled...)
	for _, a := range s.anchors {
		if a.Source != SourceDemo || s.demo {
			out = append(out, a)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Anchor != out[j].Anchor {
			return out[i].Anchor
		}
		return out[i].Cert.Subject.CommonName < out[j].Cert.Subject.CommonName
	})
	return out
}

// AddAnchor trusts a CA certificate an administrator chose (DER or PEM):
// every certificate that chains to it is trusted from now on. It must be a
// CA certificate; adding one that is already known changes nothing and
// says so.
func (s *Service) AddAnchor(ctx context.Context, data []byte) (Anchor, error) {
	c, err := parseOneCertificate(data)
	if err != nil {
		return Anchor{}, err
	}
	if !c.IsCA || !c.BasicConstraintsValid {
		return Anchor{}, i18n.E("trust.anchor_not_ca", nil, cert.Printable(c.Subject.CommonName))
	}
	return s.store(ctx, Anchor{Cert: c, SHA256: cert.Fingerprint(c.Raw), Source: SourceAdmin, Anchor: true, AddedAt: s.now().UTC()})
}

// AddDemoAnchors trusts the demo's CAs, in the demo database only.
// Self-signed ones become anchors, the others intermediates.
func (s *Service) AddDemoAnchors(ctx context.Context, certs ...*x509.Certificate) error {
	if !s.demo {
		return i18n.E("trust.demo_only", nil)
	}
	for _, c := range certs {
		a := Anchor{Cert: c, SHA256: cert.Fingerprint(c.Raw), Source: SourceDemo, Anchor: selfSigned(c), AddedAt: s.now().UTC()}
		if _, err := s.store(ctx, a); err != nil && !i18n.Is(err, "trust.anchor_exists") {
			return err
		}
	}
	return nil
}

func (s *Service) store(ctx context.Context, a Anchor) (Anchor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, known := range append(slices.Clone(s.bundled), s.anchors...) {
		if known.SHA256 == a.SHA256 {
			return known, i18n.E("trust.anchor_exists", nil, cert.Printable(a.Cert.Subject.CommonName))
		}
	}
	v, err := json.Marshal(storedAnchor{DER: a.Cert.Raw, Source: a.Source, Anchor: a.Anchor, AddedAt: a.AddedAt})
	if err != nil {
		return Anchor{}, err
	}
	err = s.db.UpdateRecords(ctx, collAnchors, func(tx store.RecordTx) error { return tx.Put(a.SHA256, v) })
	if err != nil {
		return Anchor{}, err
	}
	s.anchors = append(s.anchors, a)
	return a, nil
}

// RemoveAnchor stops trusting a CA an administrator (or the demo) added.
// The bundled PKIoverheid certificates cannot be removed.
func (s *Service) RemoveAnchor(ctx context.Context, sha256 string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.bundled {
		if b.SHA256 == sha256 {
			return i18n.E("trust.anchor_bundled", nil, cert.Printable(b.Cert.Subject.CommonName))
		}
	}
	i := slices.IndexFunc(s.anchors, func(a Anchor) bool { return a.SHA256 == sha256 })
	if i < 0 {
		return i18n.E("err.cert_not_found", nil, cert.Printable(sha256))
	}
	if err := s.db.UpdateRecords(ctx, collAnchors, func(tx store.RecordTx) error { return tx.Delete(sha256) }); err != nil {
		return err
	}
	s.anchors = slices.Delete(s.anchors, i, i+1)
	return nil
}

// parseOneCertificate reads one certificate, PEM or DER.
func parseOneCertificate(data []byte) (*x509.Certificate, error) {
	if b, _ := pem.Decode(data); b != nil {
		if b.Type != "CERTIFICATE" {
			return nil, i18n.E("err.pem_block_type", nil, 1, cert.Printable(b.Type))
		}
		data = b.Bytes
	}
	c, err := x509.ParseCertificate(data)
	if err != nil {
		return nil, i18n.E("err.x509_invalid", err)
	}
	return c, nil
}
