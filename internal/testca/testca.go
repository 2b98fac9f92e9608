// Package testca is a certificate authority for tests that publishes
// revocation the way a real one does: a CRL over HTTP and an OCSP
// responder, on 127.0.0.1 (net/http/httptest). It can also misbehave: hang,
// answer garbage, sign with the wrong key, or serve an out-of-date CRL.
package testca

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
)

// Mode is how the CA's server answers.
type Mode int

const (
	// Normal answers correctly.
	Normal Mode = iota
	// Hang never answers (until the client gives up).
	Hang
	// Garbage answers with bytes that are no CRL or OCSP response.
	Garbage
	// Forged answers with a CRL or OCSP response that says nothing is
	// revoked, signed by another key under the CA's name.
	Forged
	// Stale serves a CRL whose next update has passed.
	Stale
	// Down answers 503.
	Down
)

// CA is a root and an issuing CA with a revocation service.
type CA struct {
	Root, Issuer       *x509.Certificate
	rootKey, issuerKey crypto.Signer
	// Fake is a CA certificate with the issuer's name and key identifier
	// but another key: what a forger would use.
	Fake    *x509.Certificate
	fakeKey crypto.Signer

	Server          *httptest.Server
	CRLURL, OCSPURL string
	NextUpdateAfter time.Duration
	stop            chan struct{}
	stopOnce        sync.Once
	mu              sync.Mutex
	mode            Mode
	revoked         map[string]x509.RevocationListEntry
	crl             []byte // cached CRL for the current state
	crlNumber       int64
	serial          int64
	requests        map[string]int
	leafKey         crypto.Signer
}

// New starts a CA whose server runs until the test ends.
func New(t testing.TB) *CA {
	t.Helper()
	ca, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ca.Close)
	return ca
}

// Start starts a CA; Close stops it.
func Start() (*CA, error) {
	ca := &CA{revoked: map[string]x509.RevocationListEntry{}, requests: map[string]int{}, stop: make(chan struct{}), NextUpdateAfter: 24 * time.Hour, serial: 1000}
	now := time.Now()
	var err error
	if ca.rootKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, err
	}
	if ca.issuerKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, err
	}
	if ca.fakeKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, err
	}
	rootTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pkiodesk Test Revocation Root", Organization: []string{"pkiodesk test"}},
		NotBefore: now.AddDate(-2, 0, 0), NotAfter: now.AddDate(10, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	if ca.Root, err = create(rootTmpl, rootTmpl, ca.rootKey.Public(), ca.rootKey); err != nil {
		return nil, err
	}
	issuerTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "pkiodesk Test Revocation CA", Organization: []string{"pkiodesk test"}},
		NotBefore: now.AddDate(-2, 0, 0), NotAfter: now.AddDate(8, 0, 0), IsCA: true, BasicConstraintsValid: true, MaxPathLenZero: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, SubjectKeyId: []byte("pkiodesk-test-ca-key-id"),
	}
	if ca.Issuer, err = create(issuerTmpl, ca.Root, ca.issuerKey.Public(), ca.rootKey); err != nil {
		return nil, err
	}
	fakeTmpl := *issuerTmpl
	fakeTmpl.SerialNumber = big.NewInt(3)
	if ca.Fake, err = create(&fakeTmpl, &fakeTmpl, ca.fakeKey.Public(), ca.fakeKey); err != nil {
		return nil, err
	}
	if ca.leafKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/ca.crl", ca.serveCRL)
	mux.HandleFunc("/ocsp", ca.serveOCSP)
	ca.Server = httptest.NewServer(mux)
	ca.CRLURL = ca.Server.URL + "/ca.crl"
	ca.OCSPURL = ca.Server.URL + "/ocsp"
	return ca, nil
}

// Close stops the server; a hanging answer ends.
func (ca *CA) Close() {
	ca.stopOnce.Do(func() { close(ca.stop) })
	ca.Server.Close()
}

func create(tmpl, parent *x509.Certificate, pub crypto.PublicKey, key crypto.Signer) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// SetMode changes how the server answers.
func (ca *CA) SetMode(m Mode) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	ca.mode, ca.crl = m, nil
}

// Requests counts the requests to "crl" or "ocsp".
func (ca *CA) Requests(kind string) int {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	return ca.requests[kind]
}

// Sources say which revocation services a certificate names.
type Sources int

const (
	CRLAndOCSP Sources = iota
	CRLOnly
	OCSPOnly
	NoSources
)

// Issue issues a leaf certificate for pub (nil: a key shared by all leaves,
// fast for thousands of certificates). edit may change the template.
func (ca *CA) Issue(pub crypto.PublicKey, src Sources, edit func(*x509.Certificate)) (*x509.Certificate, error) {
	ca.mu.Lock()
	ca.serial++
	serial := ca.serial
	ca.mu.Unlock()
	if pub == nil {
		pub = ca.leafKey.Public()
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: new(big.Int).Lsh(big.NewInt(serial), 24),
		Subject:      pkix.Name{CommonName: "Test Persoon", Organization: []string{"Gemeente Voorbeeldstad"}, SerialNumber: "PN-" + big.NewInt(serial).String(), Country: []string{"NL"}},
		NotBefore:    now.Add(-24 * time.Hour), NotAfter: now.AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		IssuingCertificateURL: []string{ca.Server.URL + "/ca.crt"},
	}
	if src == CRLAndOCSP || src == CRLOnly {
		tmpl.CRLDistributionPoints = []string{ca.CRLURL}
	}
	if src == CRLAndOCSP || src == OCSPOnly {
		tmpl.OCSPServer = []string{ca.OCSPURL}
	}
	if edit != nil {
		edit(tmpl)
	}
	return create(tmpl, ca.Issuer, pub, ca.issuerKey)
}

// Leaf issues a certificate with a key of its own and returns both.
func (ca *CA) Leaf(src Sources, edit func(*x509.Certificate)) (*x509.Certificate, crypto.Signer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	c, err := ca.Issue(key.Public(), src, edit)
	return c, key, err
}

// Revoke lists a certificate as revoked from now on.
func (ca *CA) Revoke(c *x509.Certificate, at time.Time, reason int) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	ca.revoked[c.SerialNumber.String()] = x509.RevocationListEntry{SerialNumber: c.SerialNumber, RevocationTime: at.UTC().Truncate(time.Second), ReasonCode: reason}
	ca.crl = nil
}

// CRL makes the CA's current CRL (also for writing to a file).
func (ca *CA) CRL() ([]byte, error) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	return ca.crlLocked(Normal)
}

// ForgedCRL is a CRL under the CA's name, signed by another key, that
// lists nothing.
func (ca *CA) ForgedCRL() ([]byte, error) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	return ca.crlLocked(Forged)
}

func (ca *CA) crlLocked(m Mode) ([]byte, error) {
	if m == Normal && ca.crl != nil {
		return ca.crl, nil
	}
	now := time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
	ca.crlNumber++
	tmpl := &x509.RevocationList{Number: big.NewInt(ca.crlNumber), ThisUpdate: now, NextUpdate: now.Add(ca.NextUpdateAfter)}
	issuer, key := ca.Issuer, ca.issuerKey
	switch m {
	case Forged:
		issuer, key = ca.Fake, ca.fakeKey
	case Stale:
		tmpl.ThisUpdate, tmpl.NextUpdate = now.Add(-72*time.Hour), now.Add(-24*time.Hour)
		fallthrough
	default:
		for _, e := range ca.revoked {
			tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries, e)
		}
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, issuer, key)
	if err != nil {
		return nil, err
	}
	if m == Normal {
		ca.crl = der
	}
	return der, nil
}

// misbehave handles the modes shared by both services; true when it answered.
func (ca *CA) misbehave(w http.ResponseWriter, r *http.Request, m Mode) bool {
	switch m {
	case Hang:
		select {
		case <-r.Context().Done():
		case <-ca.stop:
		}
		return true
	case Garbage:
		w.Write([]byte("<html><body>Dit is geen CRL</body></html>"))
		return true
	case Down:
		http.Error(w, "onderhoud", http.StatusServiceUnavailable)
		return true
	}
	return false
}

func (ca *CA) serveCRL(w http.ResponseWriter, r *http.Request) {
	ca.mu.Lock()
	ca.requests["crl"]++
	m := ca.mode
	ca.mu.Unlock()
	if ca.misbehave(w, r, m) {
		return
	}
	ca.mu.Lock()
	der, err := ca.crlLocked(m)
	ca.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/pkix-crl")
	w.Write(der)
}

func (ca *CA) serveOCSP(w http.ResponseWriter, r *http.Request) {
	ca.mu.Lock()
	ca.requests["ocsp"]++
	m := ca.mode
	ca.mu.Unlock()
	if ca.misbehave(w, r, m) {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		return
	}
	req, err := ocsp.ParseRequest(body)
	if err != nil {
		w.Write(ocsp.MalformedRequestErrorResponse)
		return
	}
	resp, err := ca.ocspResponse(req.SerialNumber, m)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/ocsp-response")
	w.Write(resp)
}

// OCSPResponse is the CA's signed OCSP answer about a serial number.
func (ca *CA) OCSPResponse(serial *big.Int) ([]byte, error) { return ca.ocspResponse(serial, Normal) }

func (ca *CA) ocspResponse(serial *big.Int, m Mode) ([]byte, error) {
	now := time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
	tmpl := ocsp.Response{SerialNumber: serial, Status: ocsp.Good, ThisUpdate: now, NextUpdate: now.Add(ca.NextUpdateAfter)}
	ca.mu.Lock()
	if e, ok := ca.revoked[serial.String()]; ok && m != Forged {
		tmpl.Status, tmpl.RevokedAt, tmpl.RevocationReason = ocsp.Revoked, e.RevocationTime, e.ReasonCode
	}
	ca.mu.Unlock()
	if m == Stale {
		tmpl.ThisUpdate, tmpl.NextUpdate = now.Add(-72*time.Hour), now.Add(-24*time.Hour)
	}
	issuer, key := ca.Issuer, ca.issuerKey
	if m == Forged {
		issuer, key = ca.Fake, ca.fakeKey
	}
	return ocsp.CreateResponse(issuer, issuer, tmpl, key)
}

// PEM encodes certificates.
func PEM(certs ...*x509.Certificate) []byte {
	var b bytes.Buffer
	for _, c := range certs {
		pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.Bytes()
}

// WritePEM writes certificates to a file in dir and returns its path.
func WritePEM(t testing.TB, dir, name string, certs ...*x509.Certificate) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, PEM(certs...), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
