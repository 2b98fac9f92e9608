package app

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/org"
	"pkiodesk/app/trust"
	"pkiodesk/internal/testca"
)

// openTestApp opens a database that trusts the test CA's root (as an
// administrator would add it) and knows its issuing CA (imported), with a
// short network time-out.
func openTestApp(t *testing.T, ca *testca.CA) *App {
	t.Helper()
	ctx := context.Background()
	a, err := Open(ctx, Config{DBPath: filepath.Join(t.TempDir(), "db"), HTTP: trust.NewHTTPClient(500 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if ca != nil {
		if _, err := a.Trust.AddAnchor(ctx, ca.Root.Raw); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Inventory.Import(ctx, []inventory.Input{{Name: "ca.pem", Data: testca.PEM(ca.Issuer)}}, inventory.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

func person(name, serial string) func(*x509.Certificate) {
	return func(c *x509.Certificate) {
		c.Subject = pkix.Name{CommonName: name, SerialNumber: serial, Organization: []string{"Gemeente Voorbeeldstad"}}
		c.EmailAddresses = []string{strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@voorbeeldstad.nl"}
	}
}

// The login rule: the card proves it holds the key, the certificate
// chains to the trust store and is not revoked; each refusal has its own
// message; unknown revocation logs in with a warning.
func TestLoginProvesKeyTrustAndRevocation(t *testing.T) {
	ctx := context.Background()
	ca := testca.New(t)
	a := openTestApp(t, ca)
	good, goodKey, err := ca.Leaf(testca.CRLAndOCSP, person("Anouk Visser", "PN-1"))
	if err != nil {
		t.Fatal(err)
	}
	check, err := a.CheckLogin(ctx, good, goodKey)
	if err != nil {
		t.Fatalf("good card: %v", err)
	}
	if check.Warning() != nil || check.Revocation().State != trust.StateGood || !check.Chain().Trusted {
		t.Errorf("good card: warning %v, %+v", check.Warning(), check.Revocation())
	}
	o := org.Organisation{Name: "Gemeente Voorbeeldstad", SubscriberNumber: "100234", OIN: "00000099123456789000", KvK: "12345678"}
	bv, err := a.SetUp(ctx, o, "Anouk Visser", "anouk.visser@voorbeeldstad.nl", check)
	if err != nil {
		t.Fatal(err)
	}

	// Key mismatch: the certificate of one key, a token holding another.
	otherKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if _, err := a.CheckLogin(ctx, good, otherKey); !i18n.Is(err, "id.key_mismatch") {
		t.Errorf("mismatched key: %v", err)
	}

	// Untrusted: a CA nobody added.
	stranger := testca.New(t)
	alien, alienKey, _ := stranger.Leaf(testca.CRLOnly, person("Anouk Visser", "PN-1"))
	_, err = a.CheckLogin(ctx, alien, alienKey, stranger.Issuer, stranger.Root)
	if !i18n.Is(err, "id.untrusted") || !i18n.Is(err, "trust.untrusted_root") {
		t.Errorf("untrusted: %v", err)
	}

	// Revoked at the CA.
	revoked, revokedKey, _ := ca.Leaf(testca.CRLAndOCSP, person("Daan Meijer", "PN-2"))
	at := time.Now().Add(-3 * time.Hour)
	ca.Revoke(revoked, at, 1)
	_, err = a.CheckLogin(ctx, revoked, revokedKey)
	if !i18n.Is(err, "id.revoked") {
		t.Fatalf("revoked: %v", err)
	}
	if msg := i18n.Localize(i18n.NL, err); !strings.Contains(msg, at.Local().Format("2006-01-02")) || !strings.Contains(msg, "sleutel gecompromitteerd") {
		t.Errorf("revoked message %q", msg)
	}
	if msg := i18n.Localize(i18n.EN, err); !strings.Contains(msg, "key compromise") {
		t.Errorf("revoked message in English %q", msg)
	}

	// A renewed card: new certificate, same serialNumber, same CA.
	renewed, renewedKey, _ := ca.Leaf(testca.CRLAndOCSP, person("Anouk Visser", "PN-1"))
	rc, err := a.CheckLogin(ctx, renewed, renewedKey)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := a.Identify(ctx, rc); err != nil || p.ID != bv.ID {
		t.Errorf("renewed card: %+v %v", p, err)
	}

	// The CA cannot be reached and nothing current is cached (another
	// workstation): logged in, with a visible warning.
	elsewhere := openTestApp(t, ca)
	ca.SetMode(testca.Hang)
	uc, err := elsewhere.CheckLogin(ctx, renewed, renewedKey)
	if err != nil {
		t.Fatalf("unknown revocation must not refuse: %v", err)
	}
	w := uc.Warning()
	if !i18n.Is(w, "id.revocation_unknown") || !strings.Contains(i18n.Localize(i18n.NL, w), "onbekend sinds") {
		t.Errorf("warning %v", w)
	}
	if !i18n.Is(w, "trust.problem.timeout") {
		t.Errorf("the warning does not say why: %v", i18n.Localize(i18n.NL, w))
	}
}

// An e-mail address alone never identifies: a trusted certificate of a
// stranger carrying a registered person's address is refused.
func TestEmailAloneNeverIdentifies(t *testing.T) {
	ctx := context.Background()
	ca := testca.New(t)
	a := openTestApp(t, ca)
	bvCert, bvKey, _ := ca.Leaf(testca.NoSources, person("Anouk Visser", "PN-1"))
	check, err := a.CheckLogin(ctx, bvCert, bvKey)
	if err != nil {
		t.Fatal(err)
	}
	if !i18n.Is(check.Warning(), "id.revocation_no_source") {
		t.Errorf("no revocation source: %v", check.Warning())
	}
	if _, err := a.SetUp(ctx, org.Organisation{Name: "Gemeente", SubscriberNumber: "1", OIN: "00000099123456789000", KvK: "12345678"}, "Anouk Visser", "anouk.visser@voorbeeldstad.nl", check); err != nil {
		t.Fatal(err)
	}
	if err := a.Store.PutPerson(ctx, org.Person{ID: "mail", Name: "Fatima", Email: "f.elamrani@voorbeeldstad.nl", Role: org.ContactpersoonAlle, Active: true}); err != nil {
		t.Fatal(err)
	}
	impostor, impKey, _ := ca.Leaf(testca.NoSources, func(c *x509.Certificate) {
		c.Subject = pkix.Name{CommonName: "Fatima El Amrani", SerialNumber: "PN-99"}
		c.EmailAddresses = []string{"f.elamrani@voorbeeldstad.nl"}
	})
	ic, err := a.CheckLogin(ctx, impostor, impKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Identify(ctx, ic); !i18n.Is(err, "id.not_registered") {
		t.Errorf("identified by e-mail: %v", err)
	}
	if _, err := a.Identify(ctx, LoginCheck{}); !i18n.Is(err, "id.not_registered") {
		t.Errorf("an unchecked login identified: %v", err)
	}
}
