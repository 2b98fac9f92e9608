package trust

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/store"
	"pkiodesk/internal/fixture"
	"pkiodesk/internal/testca"
)

// clock is a settable clock for a Service.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// openDB is a real bbolt file of the application's store.
func openDB(t testing.TB) *store.Bolt {
	t.Helper()
	db, err := store.OpenBolt(filepath.Join(t.TempDir(), "trust.db"), store.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func openService(t testing.TB, db store.Records, opt Options) *Service {
	t.Helper()
	s, err := Open(context.Background(), db, opt)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func readCert(t testing.TB, name string) *x509.Certificate {
	t.Helper()
	b, _ := pem.Decode(fixture.ReadPKIo(t, name))
	if b == nil {
		t.Fatalf("%s: no PEM", name)
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The bundled certificates are the ones the PA publishes (fingerprints
// from shared/testdata/pkio/README.md, checked there against the PA's).
func TestBundledCertificatesAreThePKIoverheidOnes(t *testing.T) {
	want := map[string]string{
		"2b4ee93832a4b2ca349e86c21caf8f959b106c2d0aa6fd49a983fca00574d1a6": "KPN - G4 PKIo Priv G-TLS SYS - 2025",
		"bdb68500aaae2563c57b4525784360436d3e3fd8df974b25a77f132cecc2a49d": "KPN PKIoverheid Private Services CA - G1",
		"69df8d18c54503f83dc239c3dcf8115b2a447efc5defca6119d18e988c12276d": "QuoVadis PKIoverheid Private Services CA - G1",
		"a24f6f2fa192dd96ceeaf8d4c380d8663426f95858956a5adff5cfd36b30554f": "Staat der Nederlanden - G4 Intm Priv G-TLS SYS - 2024",
		"4411f67d3d7f4f49d34ff8862249de0d6692adc92df0855fb1dd67a169800484": "Staat der Nederlanden - G4 Root Priv G-TLS - 2024",
		"0257ce27b52408e24ee2c0945640b723c5bc66ddbda4ada58c60357604f0e675": "Staat der Nederlanden Private Root CA - G1",
		"2eaaf678e645dc26ea82c016ef3960935659cf81b4c44d9b2d0fb1a142666c98": "Staat der Nederlanden Private Services CA - G1",
	}
	got := Bundled()
	if len(got) != len(want) {
		t.Fatalf("%d bundled certificates, want %d", len(got), len(want))
	}
	roots := 0
	for _, a := range got {
		if want[a.SHA256] != a.Cert.Subject.CommonName {
			t.Errorf("bundled %s (%s) is not a published PKIoverheid CA certificate", a.Cert.Subject.CommonName, a.SHA256)
		}
		if a.Anchor {
			roots++
			if !strings.Contains(a.Cert.Subject.CommonName, "Root") {
				t.Errorf("%s is an anchor", a.Cert.Subject.CommonName)
			}
		}
	}
	if roots != 2 {
		t.Errorf("%d roots, want G1 and G4", roots)
	}
}

// Every bundled CA validates against the bundle: G1 by RSA PKCS#1, G4 by
// RSASSA-PSS with SHA-512.
func TestRealPKIoCertificatesValidate(t *testing.T) {
	s := openService(t, openDB(t), Options{})
	sawPSS := false
	for _, a := range Bundled() {
		ch := s.Validate(context.Background(), a.Cert, ValidateOptions{})
		if !ch.Trusted || ch.Source != SourceBundled {
			t.Errorf("%s: %s", a.Cert.Subject.CommonName, ch.Text(i18n.EN))
			continue
		}
		root := ch.Certs[len(ch.Certs)-1].Subject.CommonName
		g4 := strings.Contains(a.Cert.Subject.CommonName, "G4")
		if g4 != strings.Contains(root, "G4") {
			t.Errorf("%s chains to %s", a.Cert.Subject.CommonName, root)
		}
		if a.Cert.SignatureAlgorithm == x509.SHA512WithRSAPSS {
			sawPSS = true
		}
	}
	if !sawPSS {
		t.Error("no RSASSA-PSS certificate among the bundled G4 ones")
	}
}

// The real RvIG server certificate chains through QuoVadis to the G1 root
// while it was valid, and is refused as expired now.
func TestRvIGChainsThroughQuoVadisToG1(t *testing.T) {
	rvig := readCert(t, "RvIG_lap.gbav.idm.diginetwerk.net.crt")
	s := openService(t, openDB(t), Options{})
	inside := time.Date(2025, 11, 1, 12, 0, 0, 0, time.UTC)
	ch := s.Validate(context.Background(), rvig, ValidateOptions{At: inside, Usage: UsageServerAuth})
	if !ch.Trusted {
		t.Fatalf("at %s: %s", inside, ch.Text(i18n.EN))
	}
	var names []string
	for _, c := range ch.Certs {
		names = append(names, c.Subject.CommonName)
	}
	want := "lap.gbav.idm.diginetwerk.net > QuoVadis PKIoverheid Private Services CA - G1 > Staat der Nederlanden Private Services CA - G1 > Staat der Nederlanden Private Root CA - G1"
	if got := strings.Join(names, " > "); got != want {
		t.Errorf("chain %s", got)
	}
	if !ch.Trusted || ch.Issuer().Subject.CommonName != "QuoVadis PKIoverheid Private Services CA - G1" {
		t.Errorf("issuer %v", ch.Issuer())
	}
	now := s.Validate(context.Background(), rvig, ValidateOptions{At: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)})
	if now.Trusted || !i18n.Is(now.Err, "trust.expired") {
		t.Fatalf("now: %v", now.Err)
	}
	if got := now.Text(i18n.NL); got != "Niet vertrouwd: certificaat verlopen op 2026-05-13" {
		t.Errorf("reason in words: %q", got)
	}
}

type pki struct {
	root, inter       *x509.Certificate
	rootKey, interKey *ecdsa.PrivateKey
}

func mkcert(t *testing.T, tmpl, parent *x509.Certificate, pub any, key *ecdsa.PrivateKey) *x509.Certificate {
	t.Helper()
	if tmpl.SerialNumber == nil {
		tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	}
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

func newKey(t *testing.T) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func caTmpl(cn string, from, to time.Time, ku x509.KeyUsage) *x509.Certificate {
	return &x509.Certificate{Subject: pkix.Name{CommonName: cn}, NotBefore: from, NotAfter: to, IsCA: true, BasicConstraintsValid: true, KeyUsage: ku}
}

func leafTmpl(cn string, ku x509.KeyUsage, eku ...x509.ExtKeyUsage) *x509.Certificate {
	now := time.Now()
	return &x509.Certificate{Subject: pkix.Name{CommonName: cn}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), KeyUsage: ku, ExtKeyUsage: eku}
}

// Each way a chain fails has its own reason.
func TestChainReasonsInWords(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	rootKey, interKey, leafKey := newKey(t), newKey(t), newKey(t)
	root := mkcert(t, caTmpl("Test Root", now.AddDate(-1, 0, 0), now.AddDate(5, 0, 0), x509.KeyUsageCertSign), nil, rootKey.Public(), rootKey)
	inter := mkcert(t, caTmpl("Test Intermediate", now.AddDate(-1, 0, 0), now.AddDate(4, 0, 0), x509.KeyUsageCertSign), root, interKey.Public(), rootKey)
	leaf := mkcert(t, leafTmpl("Leaf", x509.KeyUsageDigitalSignature, x509.ExtKeyUsageClientAuth), inter, leafKey.Public(), interKey)

	db := openDB(t)
	s := openService(t, db, Options{})
	check := func(name string, ch Chain, key string) {
		t.Helper()
		if key == "" {
			if !ch.Trusted {
				t.Errorf("%s: not trusted: %s", name, ch.Text(i18n.NL))
			}
			return
		}
		if ch.Trusted || !i18n.Is(ch.Err, key) {
			t.Errorf("%s: %v, want %s", name, ch.Err, key)
		}
		if txt := ch.Text(i18n.NL); strings.Contains(txt, "%!") || strings.Contains(txt, key) {
			t.Errorf("%s: text %q", name, txt)
		}
	}
	check("no issuer known", s.Validate(ctx, leaf, ValidateOptions{}), "trust.unknown_issuer")
	check("root not trusted", s.Validate(ctx, leaf, ValidateOptions{Extra: []*x509.Certificate{inter, root}}), "trust.untrusted_root")

	// A forger's intermediate: same name, other key.
	forgerKey := newKey(t)
	forged := mkcert(t, caTmpl("Test Intermediate", now.AddDate(-1, 0, 0), now.AddDate(4, 0, 0), x509.KeyUsageCertSign), root, forgerKey.Public(), rootKey)
	check("bad signature", s.Validate(ctx, leaf, ValidateOptions{Extra: []*x509.Certificate{forged}}), "trust.bad_signature")

	if _, err := s.AddAnchor(ctx, root.Raw); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddAnchor(ctx, root.Raw); !i18n.Is(err, "trust.anchor_exists") {
		t.Errorf("second add: %v", err)
	}
	if _, err := s.AddAnchor(ctx, leaf.Raw); !i18n.Is(err, "trust.anchor_not_ca") {
		t.Errorf("leaf as anchor: %v", err)
	}
	ch := s.Validate(ctx, leaf, ValidateOptions{Extra: []*x509.Certificate{inter}, Usage: UsageClientAuth})
	check("trusted through the administrator's anchor", ch, "")
	if ch.Source != SourceAdmin || ch.Issuer() == nil || !ch.Issuer().Equal(inter) {
		t.Errorf("source %s, issuer %v", ch.Source, ch.Issuer())
	}
	// The anchor is stored: a new service on the same file trusts it.
	again := openService(t, db, Options{})
	check("anchor kept", again.Validate(ctx, leaf, ValidateOptions{Extra: []*x509.Certificate{inter}}), "")

	oldInter := mkcert(t, caTmpl("Expired Intermediate", now.AddDate(-3, 0, 0), now.AddDate(0, 0, -10), x509.KeyUsageCertSign), root, interKey.Public(), rootKey)
	leafOld := mkcert(t, leafTmpl("Leaf under expired", x509.KeyUsageDigitalSignature), oldInter, leafKey.Public(), interKey)
	check("expired intermediate", s.Validate(ctx, leafOld, ValidateOptions{Extra: []*x509.Certificate{oldInter}}), "trust.ca_expired")

	notCA := mkcert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "Not a CA"}, NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(1, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature, BasicConstraintsValid: true}, root, interKey.Public(), rootKey)
	leafNotCA := mkcert(t, leafTmpl("Leaf under non-CA", x509.KeyUsageDigitalSignature), notCA, leafKey.Public(), interKey)
	check("issuer is no CA", s.Validate(ctx, leafNotCA, ValidateOptions{Extra: []*x509.Certificate{notCA}}), "trust.not_ca")

	noCertSign := mkcert(t, caTmpl("CRL-only CA", now.AddDate(-1, 0, 0), now.AddDate(4, 0, 0), x509.KeyUsageCRLSign), root, interKey.Public(), rootKey)
	leafNoCertSign := mkcert(t, leafTmpl("Leaf under CRL-only CA", x509.KeyUsageDigitalSignature), noCertSign, leafKey.Public(), interKey)
	check("CA without keyCertSign", s.Validate(ctx, leafNoCertSign, ValidateOptions{Extra: []*x509.Certificate{noCertSign}}), "trust.ca_key_usage")

	encOnly := mkcert(t, leafTmpl("Encryption only", x509.KeyUsageKeyEncipherment, x509.ExtKeyUsageClientAuth), inter, leafKey.Public(), interKey)
	check("wrong key usage for login", s.Validate(ctx, encOnly, ValidateOptions{Extra: []*x509.Certificate{inter}, Usage: UsageClientAuth}), "trust.wrong_key_usage.client")
	serverOnly := mkcert(t, leafTmpl("Server only", x509.KeyUsageDigitalSignature, x509.ExtKeyUsageServerAuth), inter, leafKey.Public(), interKey)
	check("wrong extended key usage for login", s.Validate(ctx, serverOnly, ValidateOptions{Extra: []*x509.Certificate{inter}, Usage: UsageClientAuth}), "trust.wrong_ext_key_usage.client")

	if err := s.RemoveAnchor(ctx, cert.Fingerprint(root.Raw)); err != nil {
		t.Fatal(err)
	}
	check("anchor removed", s.Validate(ctx, leaf, ValidateOptions{Extra: []*x509.Certificate{inter, root}}), "trust.untrusted_root")
	if err := s.RemoveAnchor(ctx, Bundled()[0].SHA256); !i18n.Is(err, "trust.anchor_bundled") {
		t.Errorf("removing a bundled certificate: %v", err)
	}
}

// The demo CA is trusted in the demo's database only: the same file
// opened as a real database ignores it.
func TestDemoAnchorsCountOnlyInTheDemo(t *testing.T) {
	ctx := context.Background()
	ca := testca.New(t)
	leaf, _, err := ca.Leaf(testca.NoSources, nil)
	if err != nil {
		t.Fatal(err)
	}
	db := openDB(t)
	real := openService(t, db, Options{})
	if err := real.AddDemoAnchors(ctx, ca.Root); !i18n.Is(err, "trust.demo_only") {
		t.Fatalf("demo anchor outside the demo: %v", err)
	}
	demo := openService(t, db, Options{Demo: true})
	if err := demo.AddDemoAnchors(ctx, ca.Issuer, ca.Root); err != nil {
		t.Fatal(err)
	}
	if ch := demo.Validate(ctx, leaf, ValidateOptions{}); !ch.Trusted || ch.Source != SourceDemo {
		t.Errorf("demo: %s", ch.Text(i18n.NL))
	}
	notDemo := openService(t, db, Options{})
	if ch := notDemo.Validate(ctx, leaf, ValidateOptions{}); ch.Trusted {
		t.Error("the demo CA is trusted outside the demo")
	}
}
