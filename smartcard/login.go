package smartcard

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"io"
	"sync"

	"github.com/ThalesIgnite/crypto11"
	"github.com/miekg/pkcs11"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

// Manager opens token sessions. It keeps count of the modules it has
// loaded, because a PKCS#11 module is initialised once per process.
type Manager struct {
	info TokenInfoSource

	mu     sync.Mutex
	loaded map[string]int
}

// NewManager reads token state through the modules themselves.
func NewManager() *Manager {
	m := &Manager{loaded: map[string]int{}}
	m.info = ModuleTokenInfo{loaded: m.isLoaded}
	return m
}

// WithTokenInfo replaces where token state comes from (tests of lockout).
func (m *Manager) WithTokenInfo(wrap func(real TokenInfoSource) TokenInfoSource) *Manager {
	m.info = wrap(m.info)
	return m
}

func (m *Manager) isLoaded(module string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.loaded[module] > 0
}

// Tokens lists the tokens of a module with their PIN state, read fresh.
func (m *Manager) Tokens(module string) ([]TokenInfo, error) {
	return m.info.Tokens(module)
}

// Token finds one token by label; with an empty label the only token.
func (m *Manager) Token(module, label string) (TokenInfo, error) {
	ts, err := m.Tokens(module)
	if err != nil {
		return TokenInfo{}, err
	}
	var found []TokenInfo
	for _, t := range ts {
		if label == "" || t.Label == label {
			found = append(found, t)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(ts) == 0:
		return TokenInfo{}, i18n.E("card.no_token", nil)
	case label == "":
		return TokenInfo{}, i18n.E("card.several_tokens", nil, len(found))
	case len(found) > 1:
		return TokenInfo{}, i18n.E("card.label_twice", nil, len(found), label)
	default:
		return TokenInfo{}, i18n.E("card.token_not_found", nil, label)
	}
}

// LoginToken logs in with the PIN to the token in tok's slot, so that two
// cards with one label can each be chosen. The guard: the PIN state is read
// first and a locked token is never sent a PIN; a wrong PIN is never tried
// again here; pin is wiped before LoginToken returns, whatever happens.
//
// crypto11 takes the PIN as a Go string, which cannot be wiped; that copy
// lives until the garbage collector reclaims it. It is never logged.
func (m *Manager) LoginToken(ctx context.Context, tok TokenInfo, pin []byte) (*Session, error) {
	defer wipe(pin)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now, err := m.tokenAt(tok)
	if err != nil {
		return nil, err
	}
	if now.PIN.Locked {
		return nil, i18n.E("card.pin_locked", nil)
	}
	if len(pin) == 0 && !now.PIN.PINPad {
		return nil, i18n.E("card.pin_empty", nil)
	}
	slot := int(now.Slot)
	c, err := crypto11.Configure(&crypto11.Config{Path: now.Module, SlotNumber: &slot, Pin: string(pin)})
	if err != nil {
		return nil, m.loginError(now, err)
	}
	m.mu.Lock()
	m.loaded[now.Module]++
	m.mu.Unlock()
	s := &Session{m: m, module: now.Module, token: now, ctx: c}
	if err := s.loadCertificates(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// tokenAt reads tok's slot afresh. The card there must still be the one
// chosen: a different label means it was swapped.
func (m *Manager) tokenAt(tok TokenInfo) (TokenInfo, error) {
	ts, err := m.Tokens(tok.Module)
	if err != nil {
		return TokenInfo{}, err
	}
	for _, t := range ts {
		if t.Slot == tok.Slot {
			if t.Label != tok.Label {
				return TokenInfo{}, i18n.E("card.token_not_found", nil, tok.Label)
			}
			return t, nil
		}
	}
	return TokenInfo{}, i18n.E("card.removed", nil)
}

// loginError turns a failed login into the message for the user, reading
// the token's PIN state again so the message says what the counter says now.
func (m *Manager) loginError(tok TokenInfo, err error) error {
	var p11 pkcs11.Error
	if !errors.As(err, &p11) {
		return i18n.E("card.login_failed", err)
	}
	switch p11 {
	case pkcs11.CKR_PIN_INCORRECT:
		now, terr := m.tokenAt(tok)
		switch {
		case terr != nil:
			return i18n.E("card.pin_wrong", nil)
		case now.PIN.Locked:
			return i18n.E("card.pin_locked", nil)
		case now.PIN.FinalTry:
			return i18n.E("card.pin_final_try", nil)
		case now.PIN.CountLow:
			return i18n.E("card.pin_count_low", nil)
		}
		return i18n.E("card.pin_wrong", nil)
	case pkcs11.CKR_PIN_LOCKED:
		return i18n.E("card.pin_locked", nil)
	case pkcs11.CKR_PIN_LEN_RANGE:
		return i18n.E("card.pin_length", nil)
	case pkcs11.CKR_TOKEN_NOT_PRESENT, pkcs11.CKR_DEVICE_REMOVED, pkcs11.CKR_SESSION_HANDLE_INVALID:
		return i18n.E("card.removed", nil)
	case pkcs11.CKR_TOKEN_NOT_RECOGNIZED:
		return i18n.E("card.wrong_module", nil)
	}
	return i18n.E("card.login_failed", err)
}

func wipe(b []byte) {
	for i := range b {
		b[i] = 0
	}
}

// Usage is what a certificate on a card is for.
type Usage string

const (
	UsageAuthentication Usage = "authentication"
	UsageSignature      Usage = "signature" // non-repudiation
	UsageOther          Usage = "other"     // e.g. confidentiality
)

// UsageOf classifies a card certificate by key usage and EKU: a PKIo card
// has one each for authentication, signature and confidentiality.
func UsageOf(c *x509.Certificate) Usage {
	if c.KeyUsage&x509.KeyUsageContentCommitment != 0 {
		return UsageSignature
	}
	if c.KeyUsage&x509.KeyUsageDigitalSignature != 0 {
		return UsageAuthentication
	}
	for _, u := range c.ExtKeyUsage {
		if u == x509.ExtKeyUsageClientAuth {
			return UsageAuthentication
		}
	}
	return UsageOther
}

// TokenCertificate is a certificate on the token with a private key.
type TokenCertificate struct {
	Cert  *x509.Certificate
	Usage Usage
	key   crypto11.Signer
}

// Session is a logged-in token. Close it when the card is removed or the
// user logs out; every signer from it fails cleanly afterwards.
type Session struct {
	m      *Manager
	module string
	token  TokenInfo
	ctx    *crypto11.Context

	mu     sync.Mutex
	closed bool
	certs  []TokenCertificate
}

// Token is the token this session is logged in to.
func (s *Session) Token() TokenInfo { return s.token }

func (s *Session) loadCertificates() error {
	pairs, err := s.ctx.FindAllPairedCertificates()
	if err != nil {
		return i18n.E("card.login_failed", err)
	}
	for _, p := range pairs {
		if p.Leaf == nil || p.Leaf.IsCA {
			continue // CA certificates are not the holder's
		}
		key, ok := p.PrivateKey.(crypto11.Signer)
		if !ok {
			continue
		}
		s.certs = append(s.certs, TokenCertificate{Cert: p.Leaf, Usage: UsageOf(p.Leaf), key: key})
	}
	if len(s.certs) == 0 {
		return i18n.E("card.no_certificate", nil)
	}
	return nil
}

// Certificates lists the holder's certificates that have a key.
func (s *Session) Certificates() []TokenCertificate {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]TokenCertificate(nil), s.certs...)
}

// Pick returns the first certificate for the usage, falling back to any
// certificate: a simple token holds one key for everything.
func (s *Session) Pick(u Usage) (TokenCertificate, error) {
	certs := s.Certificates()
	for _, c := range certs {
		if c.Usage == u {
			return c, nil
		}
	}
	if len(certs) > 0 {
		return certs[0], nil
	}
	return TokenCertificate{}, i18n.E("card.no_certificate", nil)
}

// Closed reports whether the session has ended.
func (s *Session) Closed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Close logs out and closes every PKCS#11 session of this login. It is
// safe to call more than once and from the card watcher.
func (s *Session) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	err := s.ctx.Close()
	s.m.mu.Lock()
	s.m.loaded[s.module]--
	s.m.mu.Unlock()
	return err
}

// Signer is a card key as a crypto.Signer, with its certificate chain, for
// PDF seals and TLS client authentication.
type Signer struct {
	s     *Session
	key   crypto11.Signer
	Chain []*x509.Certificate // the key's certificate first
	// prompt is set for keys that need the PIN before every signature.
	prompt PINPrompt
}

// Signer returns the signer for a certificate of this session. extra
// issuers (e.g. from the inventory) complete the chain.
func (s *Session) Signer(tc TokenCertificate, issuers ...*x509.Certificate) *Signer {
	return &Signer{s: s, key: tc.key, Chain: cert.BuildChain(tc.Cert, issuers)}
}

// Public is the key's public half.
func (k *Signer) Public() crypto.PublicKey { return k.key.Public() }

// Sign signs a digest on the card. RSA PKCS#1 v1.5 (crypto.Hash opts),
// RSA-PSS (*rsa.PSSOptions) and ECDSA work.
func (k *Signer) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if k.s.Closed() {
		return nil, i18n.E("card.removed", nil)
	}
	if k.s.alwaysAuthenticate(k.key) {
		if k.prompt == nil {
			return nil, i18n.E("card.pin_empty", nil)
		}
		return k.signContextLogin(digest, opts)
	}
	sig, err := k.key.Sign(r, digest, opts)
	if err != nil {
		if k.s.Closed() {
			return nil, i18n.E("card.removed", err)
		}
		var p11 pkcs11.Error
		if errors.As(err, &p11) && (p11 == pkcs11.CKR_DEVICE_REMOVED || p11 == pkcs11.CKR_TOKEN_NOT_PRESENT || p11 == pkcs11.CKR_SESSION_HANDLE_INVALID) {
			return nil, i18n.E("card.removed", err)
		}
		return nil, i18n.E("card.sign_failed", err)
	}
	return sig, nil
}

var _ crypto.Signer = (*Signer)(nil)

// ByKeyLabel returns the certificate whose private key has this label.
func (s *Session) ByKeyLabel(label string) (TokenCertificate, error) {
	key, err := s.ctx.FindKeyPair(nil, []byte(label))
	if err != nil || key == nil {
		return TokenCertificate{}, i18n.E("card.no_key", err, label)
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	for _, c := range s.Certificates() {
		if pub, ok := c.Cert.PublicKey.(equaler); ok && pub.Equal(key.Public()) {
			return c, nil
		}
	}
	return TokenCertificate{}, i18n.E("card.no_key", nil, label)
}
