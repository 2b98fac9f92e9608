package brp

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

// StepID names a step of the connection test.
type StepID string

const (
	StepConnect   StepID = "connect"   // TCP connection to the endpoint
	StepHandshake StepID = "handshake" // TLS handshake with the client certificate
	StepAccepted  StepID = "accepted"  // the server took the certificate and answered HTTP
	StepToken     StepID = "token"     // OAuth client-credentials token
)

// Step is one step's progress: running (Done false) or its outcome.
type Step struct {
	ID     StepID
	Done   bool
	Status Status
	Key    string
	Args   []any
}

// Name of the step in language l.
func (s Step) Name(l i18n.Lang) string { return i18n.T(l, "brp.step."+string(s.ID)) }

// Reason in language l.
func (s Step) Reason(l i18n.Lang) string {
	if s.Key == "" {
		return ""
	}
	return i18n.T(l, s.Key, localArgs(l, s.Args)...)
}

// TestOptions configure a connection test.
type TestOptions struct {
	// URL is the BRP endpoint to connect to (https).
	URL string
	// TokenURL, when set, is also asked for a token (client credentials).
	TokenURL string
	// Signer is the certificate's key: a token key through the smartcard
	// signer, or a software key. Chain is the certificate first, then its
	// issuers.
	Signer crypto.Signer
	Chain  []*x509.Certificate
	// ServerRoots are trusted for the server's certificate; nil uses the
	// system's roots.
	ServerRoots *x509.CertPool
	// Secret returns the client secret (keyring or asked); it is wiped.
	Secret func(ctx context.Context) ([]byte, error)
	// Timeout bounds each step; 15 seconds when zero.
	Timeout time.Duration
	// Progress hears every step start and end.
	Progress func(Step)
	// Dial connects (a proxy, tests); net.Dialer when nil.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// TestResult is the outcome of a connection test.
type TestResult struct {
	Steps []Step
	Token *TokenInfo
}

// OK reports whether no step failed.
func (r TestResult) OK() bool {
	for _, s := range r.Steps {
		if s.Status == Fail {
			return false
		}
	}
	return len(r.Steps) > 0
}

// connTest is one run of TestConnection.
type connTest struct {
	a       Afnemer
	opt     TestOptions
	res     TestResult
	timeout time.Duration
	signer  *recordingSigner
	asked   atomic.Bool // the server asked for a client certificate
}

// TestConnection makes a mutual TLS connection to opt.URL with the
// certificate's key, sends one HTTP request to see the server accept the
// certificate, and then, with a TokenURL, asks for a token. Every failure
// is explained in words; nothing of the secret or the token is logged.
func TestConnection(ctx context.Context, a Afnemer, opt TestOptions) TestResult {
	t := &connTest{a: a, opt: opt, timeout: opt.Timeout}
	if t.timeout <= 0 {
		t.timeout = 15 * time.Second
	}
	if opt.Dial == nil {
		d := &net.Dialer{}
		t.opt.Dial = d.DialContext
	}
	u, err := parseHTTPS(opt.URL)
	if err != nil {
		t.done(StepConnect, Fail, "brp.test.bad_url", errArg{err})
		return t.res
	}
	if opt.Signer == nil || len(opt.Chain) == 0 {
		t.done(StepHandshake, Fail, "brp.test.no_key")
		return t.res
	}
	t.signer = &recordingSigner{Signer: opt.Signer}
	if !t.endpoint(ctx, u) || opt.TokenURL == "" {
		return t.res
	}
	t.token(ctx)
	return t.res
}

func (t *connTest) start(id StepID) {
	if t.opt.Progress != nil {
		t.opt.Progress(Step{ID: id})
	}
}

func (t *connTest) done(id StepID, st Status, key string, args ...any) bool {
	s := Step{ID: id, Done: true, Status: st, Key: key, Args: args}
	t.res.Steps = append(t.res.Steps, s)
	if t.opt.Progress != nil {
		t.opt.Progress(s)
	}
	return st != Fail
}

func parseHTTPS(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, i18n.E("brp.err.url", nil, cert.Printable(raw))
	}
	if u.Scheme != "https" || u.Hostname() == "" || u.User != nil {
		return nil, i18n.E("brp.err.url", nil, cert.Printable(raw))
	}
	return u, nil
}

func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "443"
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// tlsConfig presents the certificate with the signer, and notes that the
// server asked for it.
func (t *connTest) tlsConfig(serverName string) *tls.Config {
	der := make([][]byte, len(t.opt.Chain))
	for i, c := range t.opt.Chain {
		der[i] = c.Raw
	}
	client := &tls.Certificate{Certificate: der, PrivateKey: t.signer, Leaf: t.opt.Chain[0]}
	return &tls.Config{
		ServerName: serverName, RootCAs: t.opt.ServerRoots, MinVersion: tls.VersionTLS12,
		NextProtos: []string{"http/1.1"},
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			t.asked.Store(true)
			return client, nil
		},
	}
}

// endpoint runs the connect, handshake and accepted steps.
func (t *connTest) endpoint(ctx context.Context, u *url.URL) bool {
	addr := hostPort(u)
	t.start(StepConnect)
	cctx, cancel := context.WithTimeout(ctx, t.timeout)
	conn, err := t.opt.Dial(cctx, "tcp", addr)
	cancel()
	if err != nil {
		key, args := explainNetError(err, addr, t.timeout)
		return t.done(StepConnect, Fail, key, args...)
	}
	defer conn.Close()
	t.done(StepConnect, Pass, "brp.test.connected", addr)

	t.start(StepHandshake)
	tc := tls.Client(conn, t.tlsConfig(u.Hostname()))
	hctx, cancel := context.WithTimeout(ctx, t.timeout)
	err = tc.HandshakeContext(hctx)
	cancel()
	if err != nil {
		key, args := t.explainTLSError(err, addr)
		return t.done(StepHandshake, Fail, key, args...)
	}
	state := tc.ConnectionState()
	server := state.PeerCertificates[0]
	if !t.asked.Load() {
		t.done(StepHandshake, Warn, "brp.test.no_client_auth", tls.VersionName(state.Version))
	} else {
		t.done(StepHandshake, Pass, "brp.test.handshake_ok", tls.VersionName(state.Version), cert.Printable(server.Subject.CommonName), cert.Printable(server.Issuer.CommonName))
	}

	// In TLS 1.3 the server judges the client certificate after the
	// client's handshake is done: its verdict comes with the first answer.
	t.start(StepAccepted)
	tc.SetDeadline(time.Now().Add(t.timeout))
	req, err := http.NewRequest(http.MethodGet, u.String(), nil)
	if err != nil {
		return t.done(StepAccepted, Fail, "brp.err.url", cert.Printable(u.String()))
	}
	req.Header.Set("User-Agent", "pkiodesk")
	req.Close = true
	if err := req.Write(tc); err != nil {
		key, args := t.explainTLSError(err, addr)
		return t.done(StepAccepted, Fail, key, args...)
	}
	resp, err := http.ReadResponse(bufio.NewReader(tc), req)
	if err != nil {
		key, args := t.explainTLSError(err, addr)
		return t.done(StepAccepted, Fail, key, args...)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	switch code := resp.StatusCode; {
	case code < 300:
		return t.done(StepAccepted, Pass, "brp.test.http_ok", code)
	case code == http.StatusUnauthorized:
		return t.done(StepAccepted, Pass, "brp.test.http_401", code)
	case code == http.StatusForbidden:
		return t.done(StepAccepted, Warn, "brp.test.http_403", code)
	case code == http.StatusNotFound:
		return t.done(StepAccepted, Warn, "brp.test.http_404", code)
	default:
		return t.done(StepAccepted, Warn, "brp.test.http_other", code)
	}
}

// token asks the token endpoint for a client-credentials token with the
// form fields RvIG expects, over the same mutual TLS.
func (t *connTest) token(ctx context.Context) bool {
	t.start(StepToken)
	u, err := parseHTTPS(t.opt.TokenURL)
	if err != nil {
		return t.done(StepToken, Fail, "brp.test.bad_url", errArg{err})
	}
	if t.a.ClientID == "" {
		return t.done(StepToken, Fail, "brp.test.no_client_id", t.a.ID)
	}
	if t.opt.Secret == nil {
		return t.done(StepToken, Fail, "brp.test.no_secret")
	}
	secret, err := t.opt.Secret(ctx)
	defer wipe(secret)
	if err != nil {
		return t.done(StepToken, Fail, "brp.test.secret_failed", errArg{err})
	}
	body := tokenForm(t.a, secret)
	defer wipe(body)

	t.asked.Store(false)
	transport := &http.Transport{
		DialContext: t.opt.Dial, TLSClientConfig: t.tlsConfig(u.Hostname()),
		DisableKeepAlives: true, ForceAttemptHTTP2: false, TLSHandshakeTimeout: t.timeout,
	}
	defer transport.CloseIdleConnections()
	client := &http.Client{
		Transport: transport, Timeout: t.timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return t.done(StepToken, Fail, "brp.err.url", cert.Printable(u.String()))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "pkiodesk")
	resp, err := client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		key, args := t.explainTLSError(err, hostPort(u))
		return t.done(StepToken, Fail, key, args...)
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxTokenResponse+1))
	resp.Body.Close()
	defer wipe(data)
	if resp.StatusCode != http.StatusOK {
		key, args := explainTokenError(resp.StatusCode, ParseOAuthError(data), t.a)
		return t.done(StepToken, Fail, key, args...)
	}
	info, err := ParseTokenResponse(data)
	if err != nil {
		return t.done(StepToken, Fail, "brp.test.token_unreadable")
	}
	t.res.Token = &info
	if info.Scope != "" && !strings.Contains(" "+info.Scope+" ", " "+t.a.Scope()+" ") {
		return t.done(StepToken, Warn, "brp.test.token_other_scope", info.Scope, t.a.Scope())
	}
	return t.done(StepToken, Pass, "brp.test.token_ok", info.ExpiresIn)
}

// tokenForm builds the form body in a buffer of its own, so the secret can
// be wiped from it afterwards (url.Values would leave it in strings).
func tokenForm(a Afnemer, secret []byte) []byte {
	var b []byte
	add := func(name string, value []byte) {
		if len(b) > 0 {
			b = append(b, '&')
		}
		b = append(b, name...)
		b = append(b, '=')
		b = appendQueryEscaped(b, value)
	}
	b = make([]byte, 0, 256+3*len(secret))
	add("grant_type", []byte("client_credentials"))
	add("client_id", []byte(a.ClientID))
	add("client_secret", secret)
	add("scope", []byte(a.Scope()))
	add("resourceServer", []byte(ResourceServer))
	return b
}

// appendQueryEscaped is url.QueryEscape onto a byte slice.
func appendQueryEscaped(b, v []byte) []byte {
	const hex = "0123456789ABCDEF"
	for _, c := range v {
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~':
			b = append(b, c)
		case c == ' ':
			b = append(b, '+')
		default:
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return b
}

// recordingSigner keeps the signer's own error: crypto/tls reports a
// failed signature only as text ("tls: failed to sign handshake").
type recordingSigner struct {
	crypto.Signer
	mu  sync.Mutex
	err error
}

func (s *recordingSigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	sig, err := s.Signer.Sign(r, digest, opts)
	if err != nil {
		s.mu.Lock()
		s.err = err
		s.mu.Unlock()
	}
	return sig, err
}

func (s *recordingSigner) lastError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}
