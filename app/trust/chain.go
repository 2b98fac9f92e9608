package trust

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

// Usage is what a certificate is validated for.
type Usage int

const (
	// UsageAny checks the chain only (the inventory's detail screen).
	UsageAny Usage = iota
	// UsageClientAuth: logging in to pkiodesk, a TLS client (the BRP gateway).
	UsageClientAuth
	// UsageServerAuth: a TLS server.
	UsageServerAuth
	// UsageSeal: a signature or seal on a document.
	UsageSeal
)

// word names the usage in message keys.
func (u Usage) word() string {
	return [...]string{"any", "client", "server", "seal"}[u]
}

// ValidateOptions tune Validate.
type ValidateOptions struct {
	// At is the moment of validation; zero means now.
	At time.Time
	// Usage the leaf must allow.
	Usage Usage
	// Extra are more intermediates: those a signature, token or TLS
	// handshake carried.
	Extra []*x509.Certificate
}

// Chain is the outcome of validating a certificate.
type Chain struct {
	// Certs is the chain, leaf first, as far as it could be built: up to
	// the trust anchor when Trusted.
	Certs   []*x509.Certificate
	Trusted bool
	// Source of the trust anchor, when Trusted.
	Source Source
	At     time.Time
	// Err says in words why the chain is not trusted (an *i18n.Error).
	Err error
}

// Issuer is the certificate that issued the leaf, if the chain has one.
func (c Chain) Issuer() *x509.Certificate {
	if len(c.Certs) < 2 {
		return nil
	}
	return c.Certs[1]
}

// material is what one validation needs.
type material struct {
	roots, inter *x509.CertPool
	anchors      map[string]Source // by SHA-256, trust anchors only
	all          []*x509.Certificate
}

// material gathers anchors and intermediates: the bundled ones, the
// stored ones, the inventory's issuers and the extra ones given.
func (s *Service) material(ctx context.Context, extra []*x509.Certificate) (*material, error) {
	m := &material{roots: x509.NewCertPool(), inter: x509.NewCertPool(), anchors: map[string]Source{}}
	for _, a := range s.Anchors() {
		m.all = append(m.all, a.Cert)
		if a.Anchor {
			m.roots.AddCert(a.Cert)
			m.anchors[a.SHA256] = a.Source
		} else {
			m.inter.AddCert(a.Cert)
		}
	}
	var more []*x509.Certificate
	if s.issuers != nil {
		is, err := s.issuers(ctx)
		if err != nil {
			return nil, err
		}
		more = is
	}
	for _, c := range append(more, extra...) {
		if c == nil {
			continue
		}
		m.inter.AddCert(c)
		m.all = append(m.all, c)
	}
	return m, nil
}

func (m *material) anchorOf(c *x509.Certificate) (Source, bool) {
	src, ok := m.anchors[cert.Fingerprint(c.Raw)]
	return src, ok
}

// Validate builds the chain of a certificate to a trust anchor and checks
// it at opt.At: signatures (RSA PKCS#1, RSASSA-PSS, ECDSA), validity
// periods, CA flags and key usage of every certificate, and the usage the
// leaf is wanted for. When it fails, Err says why in words: unknown issuer,
// untrusted root, invalid signature, expired (intermediate) certificate,
// not a CA, wrong key usage.
func (s *Service) Validate(ctx context.Context, leaf *x509.Certificate, opt ValidateOptions) Chain {
	at := opt.At
	if at.IsZero() {
		at = s.now()
	}
	m, err := s.material(ctx, opt.Extra)
	if err != nil {
		return Chain{Certs: []*x509.Certificate{leaf}, At: at, Err: err}
	}
	chains, verr := leaf.Verify(x509.VerifyOptions{Roots: m.roots, Intermediates: m.inter, CurrentTime: at, KeyUsages: extKeyUsages(opt.Usage)})
	if verr == nil {
		best := chains[0]
		for _, ch := range chains[1:] {
			if len(ch) < len(best) {
				best = ch
			}
		}
		out := Chain{Certs: best, At: at}
		if err := checkKeyUsage(best, opt.Usage); err != nil {
			out.Err = err
			return out
		}
		out.Source, _ = m.anchorOf(best[len(best)-1])
		out.Trusted = true
		return out
	}
	return diagnose(leaf, m, opt.Usage, at, verr)
}

func extKeyUsages(u Usage) []x509.ExtKeyUsage {
	switch u {
	case UsageClientAuth:
		return []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	case UsageServerAuth:
		return []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	return []x509.ExtKeyUsage{x509.ExtKeyUsageAny}
}

// checkKeyUsage checks what crypto/x509 leaves out: the key usage bits of
// the CA certificates and of the leaf for its purpose.
func checkKeyUsage(chain []*x509.Certificate, u Usage) error {
	for _, ca := range chain[1:] {
		if ca.KeyUsage != 0 && ca.KeyUsage&x509.KeyUsageCertSign == 0 {
			return i18n.E("trust.ca_key_usage", nil, name(ca))
		}
	}
	leaf := chain[0]
	if leaf.KeyUsage == 0 {
		return nil
	}
	var need x509.KeyUsage
	switch u {
	case UsageClientAuth:
		need = x509.KeyUsageDigitalSignature
	case UsageServerAuth:
		need = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageKeyAgreement
	case UsageSeal:
		need = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	default:
		return nil
	}
	if leaf.KeyUsage&need == 0 {
		return i18n.E("trust.wrong_key_usage."+u.word(), nil, name(leaf))
	}
	return nil
}

// diagnose finds out why crypto/x509 found no chain, by building the chain
// by names and signatures and checking each link.
func diagnose(leaf *x509.Certificate, m *material, u Usage, at time.Time, verr error) Chain {
	built := cert.BuildChain(leaf, m.all)
	// Stop at the first trust anchor on the way up.
	for i, c := range built {
		if _, ok := m.anchorOf(c); ok {
			built = built[:i+1]
			break
		}
	}
	out := Chain{Certs: built, At: at}
	top := built[len(built)-1]
	_, anchored := m.anchorOf(top)
	switch {
	case anchored:
	case bytes.Equal(top.RawSubject, top.RawIssuer):
		out.Err = i18n.E("trust.untrusted_root", nil, name(top))
		return out
	default:
		for _, c := range m.all {
			if !bytes.Equal(c.RawSubject, top.RawIssuer) {
				continue
			}
			// crypto/x509 refuses a signature by a certificate that may
			// not sign certificates; say which rule it breaks.
			switch {
			case c.CheckSignature(top.SignatureAlgorithm, top.RawTBSCertificate, top.Signature) != nil:
				out.Err = i18n.E("trust.bad_signature", nil, name(top), name(c))
			case !c.IsCA || !c.BasicConstraintsValid:
				out.Certs = append(out.Certs, c)
				out.Err = i18n.E("trust.not_ca", nil, name(c))
			default:
				out.Certs = append(out.Certs, c)
				out.Err = i18n.E("trust.ca_key_usage", nil, name(c))
			}
			return out
		}
		out.Err = i18n.E("trust.unknown_issuer", nil, cert.Printable(issuerName(top)))
		return out
	}
	for i, c := range built {
		switch {
		case at.After(c.NotAfter) && i == 0:
			out.Err = i18n.E("trust.expired", nil, c.NotAfter.Format("2006-01-02"))
		case at.After(c.NotAfter):
			out.Err = i18n.E("trust.ca_expired", nil, name(c), c.NotAfter.Format("2006-01-02"))
		case at.Before(c.NotBefore) && i == 0:
			out.Err = i18n.E("trust.not_yet_valid", nil, c.NotBefore.Format("2006-01-02"))
		case at.Before(c.NotBefore):
			out.Err = i18n.E("trust.ca_not_yet_valid", nil, name(c), c.NotBefore.Format("2006-01-02"))
		case i > 0 && (!c.IsCA || !c.BasicConstraintsValid):
			out.Err = i18n.E("trust.not_ca", nil, name(c))
		}
		if out.Err != nil {
			return out
		}
	}
	var inv x509.CertificateInvalidError
	if errors.As(verr, &inv) && inv.Reason == x509.IncompatibleUsage {
		out.Err = i18n.E("trust.wrong_ext_key_usage."+u.word(), nil, name(leaf))
		return out
	}
	if err := checkKeyUsage(built, u); err != nil {
		out.Err = err
		return out
	}
	out.Err = i18n.E("trust.invalid", verr)
	return out
}

// name is how a certificate is named in a reason: its Common Name, else
// its whole subject.
func name(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return cert.Printable(c.Subject.CommonName)
	}
	return cert.Printable(c.Subject.String())
}

func issuerName(c *x509.Certificate) string {
	if c.Issuer.CommonName != "" {
		return c.Issuer.CommonName
	}
	return c.Issuer.String()
}

// Pools returns the trust anchors and the known intermediates as pools,
// for code that verifies with crypto/x509 itself (the PDF verifier).
func (s *Service) Pools(ctx context.Context) (roots, intermediates *x509.CertPool, err error) {
	m, err := s.material(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	return m.roots, m.inter, nil
}
