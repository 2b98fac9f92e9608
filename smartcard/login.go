package smartcard

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/ThalesIgnite/crypto11"
	"github.com/miekg/pkcs11"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

// LoginToken logs in to the token in tok's slot, so that two cards with one
// label can each be chosen. Every C_Login goes through the PIN guard (see
// askPIN and stillSafe): the PIN state is read first and a locked token is
// never asked or sent a PIN; the prompt sees warnings before it asks; an
// empty, too short or too long PIN never reaches the token; a PIN-pad
// reader gets a NULL PIN; a wrong PIN is never tried again here.
//
// The PIN lives in byte slices that are wiped after C_Login. crypto11 would
// keep it as a Go string for the life of the session, so crypto11 opens the
// token without logging in, and C_Login is called on the same module with
// the PIN bytes themselves (login).
func (m *Manager) LoginToken(ctx context.Context, tok TokenInfo, prompt PINPrompt) (*Session, error) {
	s, err := m.loggedIn(ctx, tok, prompt)
	if err != nil {
		return nil, err
	}
	if err := s.loadCertificates(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// loggedIn is the one way to a logged-in session, for a login and for a key
// made on a token: the token as it is now, the PIN through the guard, the
// module opened, C_Login with the last look at the token. The PIN is wiped
// on every path.
func (m *Manager) loggedIn(ctx context.Context, tok TokenInfo, prompt PINPrompt) (*Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, i18n.E("card.pin_cancelled", err)
	}
	shown, err := m.tokenAt(tok)
	if err != nil {
		return nil, err
	}
	pin, err := askPIN(ctx, shown, false, prompt)
	defer wipe(pin)
	if err != nil {
		return nil, err
	}
	s, err := m.open(shown)
	if err != nil {
		return nil, err
	}
	if err := s.login(shown, pin); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// open loads the module for a session through crypto11, without a login.
func (m *Manager) open(tok TokenInfo) (*Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	slot := int(tok.Slot)
	c, err := crypto11.Configure(&crypto11.Config{Path: tok.Module, SlotNumber: &slot, LoginNotSupported: true})
	if err != nil {
		var p11 pkcs11.Error
		if errors.As(err, &p11) {
			return nil, loginError(nil, tok, p11)
		}
		return nil, i18n.E("card.login_failed", err)
	}
	p := pkcs11.New(tok.Module)
	if p == nil {
		c.Close()
		return nil, i18n.E("card.module_missing", nil, tok.Module)
	}
	m.loaded[tok.Module]++
	return &Session{m: m, token: tok, c11: c, p: p}, nil
}

// login is the C_Login of a session: the last look at the token, then the
// PIN (nil on a PIN pad). pin is wiped here.
func (s *Session) login(shown TokenInfo, pin []byte) error {
	defer wipe(pin)
	now, present := readToken(s.p, shown.Module, shown.Slot)
	if err := stillSafe(shown, now, present); err != nil {
		return err
	}
	sh, err := s.p.OpenSession(shown.Slot, pkcs11.CKF_SERIAL_SESSION)
	if err != nil {
		return loginError(s.p, shown, err)
	}
	s.sh, s.hasSession = sh, true
	err = login(shown.Module, sh, pkcs11.CKU_USER, pin)
	wipe(pin)
	if err != nil && !errors.Is(err, pkcs11.Error(pkcs11.CKR_USER_ALREADY_LOGGED_IN)) {
		return loginError(s.p, shown, err)
	}
	s.token = now
	s.m.mu.Lock()
	s.m.logins[slotKey{shown.Module, shown.Slot}]++
	s.loggedIn = true
	s.m.mu.Unlock()
	return nil
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
	m   *Manager
	c11 *crypto11.Context
	p   *pkcs11.Ctx // the same module, for what crypto11 cannot do
	sh  pkcs11.SessionHandle

	// ops is held (shared) by every use of the module and (exclusively) by
	// Close, so a card pulled mid-signature cannot unload the module under
	// it. Nobody holds it while a user types a PIN.
	ops sync.RWMutex

	mu         sync.Mutex
	token      TokenInfo
	hasSession bool
	loggedIn   bool
	closed     bool
	certs      []TokenCertificate
}

// Token is the token this session is logged in to.
func (s *Session) Token() TokenInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token
}

func (s *Session) loadCertificates() error {
	pairs, err := s.c11.FindAllPairedCertificates()
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
	s.ops.Lock()
	defer s.ops.Unlock()
	m := s.m
	m.mu.Lock()
	defer m.mu.Unlock()
	module := s.token.Module
	if s.loggedIn {
		key := slotKey{module, s.token.Slot}
		m.logins[key]--
		if m.logins[key] <= 0 {
			delete(m.logins, key)
			_ = s.p.Logout(s.sh) // the token may be gone already
		}
	}
	if s.hasSession {
		_ = s.p.CloseSession(s.sh)
	}
	err := s.c11.Close()
	s.p.Destroy()
	m.loaded[module]--
	return err
}

// use runs f with the module held open, or says the card is gone.
func (s *Session) use(f func() error) error {
	s.ops.RLock()
	defer s.ops.RUnlock()
	if s.Closed() {
		return i18n.E("card.removed", nil)
	}
	return f()
}

// Signer is a card key as a crypto.Signer, with its certificate chain, for
// PDF seals and TLS client authentication.
type Signer struct {
	s     *Session
	key   crypto11.Signer
	Chain []*x509.Certificate // the key's certificate first
	// prompt is set for keys that need the PIN before every signature.
	prompt    PINPrompt
	promptCtx context.Context
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
	var sig []byte
	err := k.s.use(func() error {
		var err error
		sig, err = k.key.Sign(r, digest, opts)
		return err
	})
	if err != nil {
		if k.s.Closed() || i18n.Is(err, "card.removed") {
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
	var key crypto11.Signer
	err := s.use(func() error {
		var err error
		key, err = s.c11.FindKeyPair(nil, []byte(label))
		return err
	})
	if err != nil || key == nil {
		return TokenCertificate{}, i18n.E("card.no_key_label", err, label)
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	for _, c := range s.Certificates() {
		if pub, ok := c.Cert.PublicKey.(equaler); ok && pub.Equal(key.Public()) {
			return c, nil
		}
	}
	return TokenCertificate{}, i18n.E("card.key_no_certificate", nil, label)
}

// SignChallenge proves that the card holds the private key of login (one
// of this session's certificates), not just a copy of the certificate: it
// signs SHA-256(challenge) with that key. Check the result with
// login.CheckSignature(alg, challenge, sig). A key that wants the PIN for
// every signature asks prompt (nil: such a key fails with card.pin_empty).
func (s *Session) SignChallenge(ctx context.Context, login *x509.Certificate, challenge []byte, prompt PINPrompt) (sig []byte, alg x509.SignatureAlgorithm, err error) {
	var tc *TokenCertificate
	for _, c := range s.Certificates() {
		if login != nil && string(c.Cert.Raw) == string(login.Raw) {
			tc = &c
			break
		}
	}
	if tc == nil {
		return nil, 0, i18n.E("card.no_certificate", nil)
	}
	switch tc.Cert.PublicKey.(type) {
	case *rsa.PublicKey:
		alg = x509.SHA256WithRSA
	case *ecdsa.PublicKey:
		alg = x509.ECDSAWithSHA256
	default:
		return nil, 0, i18n.E("card.key_type", nil, fmt.Sprintf("%T", tc.Cert.PublicKey))
	}
	digest := sha256.Sum256(challenge)
	signer := s.Signer(*tc)
	if prompt != nil {
		signer = signer.WithPINPrompt(ctx, prompt)
	}
	sig, err = signer.Sign(nil, digest[:], crypto.SHA256)
	return sig, alg, err
}
