// Package brptest is test equipment for the BRP connection features: a
// throw-away CA that issues PKIo-shaped gateway certificates and serves its
// CRL on 127.0.0.1, a revocation checker that really fetches and verifies
// that CRL, and a stand-in for RvIG's gateway: a TLS server on 127.0.0.1
// that demands client certificates and issues OAuth tokens.
package brptest

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pkiodesk/app/brp"
)

// CA is a root and an issuing CA; the issuing CA's CRL is served over HTTP
// on 127.0.0.1 and named in every certificate it issues.
type CA struct {
	Root, Issuer       *x509.Certificate
	rootKey, issuerKey *ecdsa.PrivateKey
	CRL                *httptest.Server
	// CRLRequests counts the CRL downloads.
	CRLRequests atomic.Int32

	mu      sync.Mutex
	serial  int64
	revoked []x509.RevocationListEntry
	crlNum  int64
}

// NewCA makes the CAs and starts the CRL server; both end with the test.
func NewCA(t testing.TB) *CA {
	t.Helper()
	ca := &CA{serial: 1000}
	var err error
	if ca.rootKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if ca.issuerKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ca.Root = ca.create(t, &x509.Certificate{
		Subject:   pkix.Name{CommonName: "brptest Root - niet vertrouwen", Organization: []string{"pkiodesk test"}},
		NotBefore: now.AddDate(-2, 0, 0), NotAfter: now.AddDate(10, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}, nil, ca.rootKey.Public(), ca.rootKey)
	ca.CRL = httptest.NewServer(http.HandlerFunc(ca.serveCRL))
	t.Cleanup(ca.CRL.Close)
	ca.Issuer = ca.create(t, &x509.Certificate{
		Subject:   pkix.Name{CommonName: "brptest Private Services CA", Organization: []string{"pkiodesk test"}},
		NotBefore: now.AddDate(-2, 0, 0), NotAfter: now.AddDate(9, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, MaxPathLenZero: true,
	}, ca.Root, ca.issuerKey.Public(), ca.rootKey)
	return ca
}

func (ca *CA) create(t testing.TB, tmpl, parent *x509.Certificate, pub crypto.PublicKey, key crypto.Signer) *x509.Certificate {
	t.Helper()
	ca.mu.Lock()
	ca.serial++
	tmpl.SerialNumber = big.NewInt(ca.serial<<24 | time.Now().UnixNano()&0xFFFFFF)
	ca.mu.Unlock()
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// CRLURL is where the issuing CA's CRL is served.
func (ca *CA) CRLURL() string { return ca.CRL.URL + "/issuer.crl" }

// Pool holds the root, for a TLS peer that trusts this CA.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Root)
	return p
}

// Gateway describes a PKIo-shaped gateway (server/services) certificate.
// Zero fields get the values of a good one.
type Gateway struct {
	OIN                 string
	CN                  string
	DNSNames            []string
	NotBefore, NotAfter time.Time
	ExtKeyUsage         []x509.ExtKeyUsage
	KeyUsage            x509.KeyUsage
	// Policy defaults to a PKIo G4 production policy.
	Policy []uint64
}

// Issue makes a gateway certificate for pub.
func (ca *CA) Issue(t testing.TB, pub crypto.PublicKey, g Gateway) *x509.Certificate {
	t.Helper()
	now := time.Now()
	if g.CN == "" && len(g.DNSNames) > 0 {
		g.CN = g.DNSNames[0]
	}
	if g.NotBefore.IsZero() {
		g.NotBefore = now.AddDate(0, -1, 0)
	}
	if g.NotAfter.IsZero() {
		g.NotAfter = now.AddDate(1, 0, 0)
	}
	if g.ExtKeyUsage == nil {
		g.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	}
	if g.KeyUsage == 0 {
		g.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
	}
	if g.Policy == nil {
		g.Policy = []uint64{2, 16, 528, 1, 1003, 1, 2, 44, 6}
	}
	policy, err := x509.OIDFromInts(g.Policy)
	if err != nil {
		t.Fatal(err)
	}
	return ca.create(t, &x509.Certificate{
		Subject: pkix.Name{CommonName: g.CN, Organization: []string{"Gemeente Voorbeeldstad"}, SerialNumber: g.OIN, Country: []string{"NL"},
			ExtraNames: []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{2, 5, 4, 97}, Value: "NTRNL-12345678"}}},
		DNSNames: g.DNSNames, NotBefore: g.NotBefore, NotAfter: g.NotAfter,
		KeyUsage: g.KeyUsage, ExtKeyUsage: g.ExtKeyUsage, Policies: []x509.OID{policy},
		CRLDistributionPoints: []string{ca.CRLURL()},
	}, ca.Issuer, pub, ca.issuerKey)
}

// NewKey makes an RSA-2048 key, as PKIo server certificates have.
func NewKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// IssueWithKey makes a key and its gateway certificate.
func (ca *CA) IssueWithKey(t testing.TB, g Gateway) (*x509.Certificate, *rsa.PrivateKey) {
	t.Helper()
	k := NewKey(t)
	return ca.Issue(t, k.Public(), g), k
}

// ServerCert is a TLS server certificate for 127.0.0.1 from this CA.
func (ca *CA) ServerCert(t testing.TB) tls.Certificate {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	c := ca.create(t, &x509.Certificate{
		Subject: pkix.Name{CommonName: "apigw.test.diginetwerk"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(0, 1, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, ca.Issuer, k.Public(), ca.issuerKey)
	return tls.Certificate{Certificate: [][]byte{c.Raw, ca.Issuer.Raw}, PrivateKey: k, Leaf: c}
}

// Revoke lists a certificate on the CRL from now on.
func (ca *CA) Revoke(c *x509.Certificate, at time.Time, reason int) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	ca.revoked = append(ca.revoked, x509.RevocationListEntry{SerialNumber: c.SerialNumber, RevocationTime: at, ReasonCode: reason})
}

func (ca *CA) serveCRL(w http.ResponseWriter, r *http.Request) {
	ca.CRLRequests.Add(1)
	if r.URL.Path != "/issuer.crl" {
		http.NotFound(w, r)
		return
	}
	ca.mu.Lock()
	ca.crlNum++
	tmpl := &x509.RevocationList{
		Number: big.NewInt(ca.crlNum), ThisUpdate: time.Now().Add(-time.Minute), NextUpdate: time.Now().Add(48 * time.Hour),
		RevokedCertificateEntries: append([]x509.RevocationListEntry(nil), ca.revoked...),
	}
	ca.mu.Unlock()
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, ca.Issuer, ca.issuerKey)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/pkix-crl")
	w.Write(der)
}

// CRLChecker is a RevocationChecker that downloads the CRL named in the
// certificate, checks the issuer's signature and freshness, and looks the
// serial up. It stands in for the trust store's checker in tests.
type CRLChecker struct {
	Client *http.Client
	Now    func() time.Time
}

var _ brp.RevocationChecker = CRLChecker{}

// CheckRevocation asks the CRL; every failure is an unknown state.
func (c CRLChecker) CheckRevocation(ctx context.Context, leaf, issuer *x509.Certificate) brp.RevocationStatus {
	unknown := func(err error) brp.RevocationStatus {
		return brp.RevocationStatus{State: brp.RevocationUnknown, Err: err}
	}
	if len(leaf.CRLDistributionPoints) == 0 {
		return unknown(errors.New("certificate names no CRL"))
	}
	url := leaf.CRLDistributionPoints[0]
	client := c.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return unknown(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return unknown(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return unknown(fmt.Errorf("CRL %s: HTTP %d", url, resp.StatusCode))
	}
	der, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return unknown(err)
	}
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		return unknown(fmt.Errorf("CRL %s: %w", url, err))
	}
	if err := crl.CheckSignatureFrom(issuer); err != nil {
		return unknown(fmt.Errorf("CRL %s is not signed by %s: %w", url, issuer.Subject.CommonName, err))
	}
	now := time.Now()
	if c.Now != nil {
		now = c.Now()
	}
	if !crl.NextUpdate.IsZero() && now.After(crl.NextUpdate) {
		return unknown(fmt.Errorf("CRL %s is out of date (next update %s)", url, crl.NextUpdate.Format(time.RFC3339)))
	}
	for _, e := range crl.RevokedCertificateEntries {
		if e.SerialNumber.Cmp(leaf.SerialNumber) == 0 {
			return brp.RevocationStatus{State: brp.RevocationRevoked, RevokedAt: e.RevocationTime, Reason: e.ReasonCode, Source: url}
		}
	}
	return brp.RevocationStatus{State: brp.RevocationGood, Source: url}
}

// RvIG is a stand-in for RvIG's API gateway and token endpoint: TLS on
// 127.0.0.1 that demands and verifies a client certificate from the CA.
type RvIG struct {
	Server       *httptest.Server
	ClientID     string
	ClientSecret string
	// Issued holds every access token handed out, so a test can make sure
	// none of them shows up in output.
	mu     sync.Mutex
	issued []string
	// Forms are the token requests' form fields, secret removed.
	Forms []map[string]string
}

// APIPath and TokenPath are the gateway's paths.
const (
	APIPath   = "/lap/api/brp/personen"
	TokenPath = "/nidp/oauth/nam/token"
)

// NewRvIG starts the gateway; it ends with the test.
func NewRvIG(t testing.TB, ca *CA, clientID, secret string) *RvIG {
	t.Helper()
	g := &RvIG{ClientID: clientID, ClientSecret: secret}
	mux := http.NewServeMux()
	mux.HandleFunc(APIPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", "Bearer")
		http.Error(w, "token required", http.StatusUnauthorized)
	})
	mux.HandleFunc(TokenPath, g.token)
	srv := httptest.NewUnstartedServer(mux)
	srv.TLS = &tls.Config{
		Certificates: []tls.Certificate{ca.ServerCert(t)},
		ClientAuth:   tls.RequireAndVerifyClientCert, ClientCAs: ca.Pool(), MinVersion: tls.VersionTLS12,
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	g.Server = srv
	return g
}

// URL of the BRP API and TokenURL of the token endpoint.
func (g *RvIG) URL() string      { return g.Server.URL + APIPath }
func (g *RvIG) TokenURL() string { return g.Server.URL + TokenPath }

// IssuedTokens returns the access tokens handed out.
func (g *RvIG) IssuedTokens() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.issued...)
}

// token answers a client-credentials request as DOMAIN.md describes it:
// the scope is "<afnemerID>-<OIN>" and the OIN must be the client
// certificate's.
func (g *RvIG) token(w http.ResponseWriter, r *http.Request) {
	oauthError := func(status int, code, desc string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
	}
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		oauthError(http.StatusBadRequest, "invalid_request", "POST a form")
		return
	}
	form := map[string]string{}
	for k := range r.PostForm {
		if k != "client_secret" {
			form[k] = r.PostForm.Get(k)
		}
	}
	g.mu.Lock()
	g.Forms = append(g.Forms, form)
	g.mu.Unlock()
	if r.PostForm.Get("grant_type") != "client_credentials" {
		oauthError(http.StatusBadRequest, "unsupported_grant_type", "only client_credentials")
		return
	}
	if r.PostForm.Get("client_id") != g.ClientID || r.PostForm.Get("client_secret") != g.ClientSecret {
		oauthError(http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	if r.PostForm.Get("resourceServer") != "ResourceServer01" {
		oauthError(http.StatusBadRequest, "invalid_request", "unknown resourceServer")
		return
	}
	afnemer, oin, ok := strings.Cut(r.PostForm.Get("scope"), "-")
	peerOIN := r.TLS.PeerCertificates[0].Subject.SerialNumber
	if !ok || len(afnemer) != 6 || oin != peerOIN {
		oauthError(http.StatusBadRequest, "invalid_scope", "scope does not match the certificate's OIN")
		return
	}
	claims, _ := json.Marshal(map[string]any{
		"OIN": oin, "afnemerID": afnemer, "gemeenteCode": "0599", "endpoint": "brp;brp-berichten-lap",
		"berichtenboxnummer": "1234567", "exp": time.Now().Add(time.Hour).Unix(),
	})
	enc := base64.RawURLEncoding
	secretPart := make([]byte, 16)
	rand.Read(secretPart)
	tok := enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc.EncodeToString(claims) + "." + enc.EncodeToString(secretPart)
	g.mu.Lock()
	g.issued = append(g.issued, tok)
	g.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 3599, "scope": afnemer + "-" + oin})
}
