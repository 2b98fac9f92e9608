package cli

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/store"
	"pkiodesk/internal/fixture"
	"pkiodesk/internal/testca"
	"pkiodesk/pdfseal"
	"pkiodesk/smartcard/softhsm"
)

// runNow runs a command on the real clock: the test CA's CRLs and OCSP
// answers carry the real time.
func runNow(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Now: time.Now,
		Getenv: func(k string) string { return map[string]string{"LANG": "nl_NL.UTF-8"}[k] },
	}
	code := Run(context.Background(), args, env)
	return result{code, out.String(), errb.String()}
}

// caDatabase is a database that trusts the test CA (trust add) and knows
// its issuing CA (import).
func caDatabase(t *testing.T, ca *testca.CA) (db, dir string) {
	t.Helper()
	dir = t.TempDir()
	db = filepath.Join(dir, "p.db")
	if r := runNow(t, "init", "--db", db); r.code != 0 {
		t.Fatalf("init: %d %s", r.code, r.stderr)
	}
	if r := runNow(t, "--db", db, "trust", "add", testca.WritePEM(t, dir, "root.pem", ca.Root)); r.code != 0 || !strings.Contains(r.stdout, "wordt nu vertrouwd") {
		t.Fatalf("trust add: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := runNow(t, "--db", db, "import", testca.WritePEM(t, dir, "ca.pem", ca.Issuer)); r.code != 0 {
		t.Fatalf("import CA: %d %s %s", r.code, r.stdout, r.stderr)
	}
	return db, dir
}

// A certificate revoked at the CA is Ingetrokken after `revocation
// refresh`, in `list` too; a CA that hangs gives "onbekend" and exit 1.
func TestRevocationRefreshCommand(t *testing.T) {
	ca := testca.New(t)
	db, dir := caDatabase(t, ca)
	good, _ := ca.Issue(nil, testca.CRLAndOCSP, func(c *x509.Certificate) { c.Subject.CommonName = "goed.voorbeeldstad.nl" })
	bad, _ := ca.Issue(nil, testca.CRLAndOCSP, func(c *x509.Certificate) { c.Subject.CommonName = "fout.voorbeeldstad.nl" })
	runNow(t, "--db", db, "import", testca.WritePEM(t, dir, "leaves.pem", good, bad))

	r := runNow(t, "--db", db, "list")
	if !strings.Contains(r.stdout, "Onbekend (nog niet gecontroleerd)") {
		t.Errorf("list before any refresh:\n%s", r.stdout)
	}
	if r := runNow(t, "--db", db, "revocation", "status"); r.code != 1 {
		t.Errorf("status with unchecked certificates: exit %d\n%s", r.code, r.stdout)
	}
	r = runNow(t, "--db", db, "revocation", "refresh")
	if r.code != 0 || !strings.Contains(r.stdout, "2 certificaten gecontroleerd: 2 niet ingetrokken, 0 ingetrokken, 0 onbekend") {
		t.Fatalf("first refresh: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	at := time.Date(2026, 2, 3, 9, 0, 0, 0, time.UTC)
	ca.Revoke(bad, at, 1)
	r = runNow(t, "--db", db, "revocation", "refresh")
	if r.code != 0 || !strings.Contains(r.stdout, "fout.voorbeeldstad.nl") || !strings.Contains(r.stdout, "1 ingetrokken") {
		t.Fatalf("refresh after revocation: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runNow(t, "--db", db, "list", "--status", "ingetrokken")
	if !strings.Contains(r.stdout, "fout.voorbeeldstad.nl") || !strings.Contains(r.stdout, "Ingetrokken op 2026-02-03 (sleutel gecompromitteerd)") || strings.Contains(r.stdout, "goed.") {
		t.Errorf("list --status ingetrokken:\n%s", r.stdout)
	}
	if r := runNow(t, "--db", db, "revocation", "status"); r.code != 0 || !strings.Contains(r.stdout, "Niet ingetrokken") {
		t.Errorf("status: %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// A new certificate while the CA hangs: unknown within the time-out.
	ca.SetMode(testca.Hang)
	later, _ := ca.Issue(nil, testca.OCSPOnly, func(c *x509.Certificate) { c.Subject.CommonName = "later.voorbeeldstad.nl" })
	runNow(t, "--db", db, "import", testca.WritePEM(t, dir, "later.pem", later))
	r = runNow(t, "--db", db, "revocation", "refresh", "--timeout", "300ms")
	if r.code != 1 || !strings.Contains(r.stdout, "Onbekend sinds") || !strings.Contains(r.stdout, "geen antwoord binnen de wachttijd") {
		t.Errorf("refresh with a hanging CA: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runNow(t, "--db", db, "list"); !strings.Contains(r.stdout, "Onbekend sinds") {
		t.Errorf("list after a failed refresh:\n%s", r.stdout)
	}
}

// `import x.crl` for a workstation without a route to the CA; a forged
// CRL is refused and changes nothing.
func TestImportCRLCommand(t *testing.T) {
	ca := testca.New(t)
	db, dir := caDatabase(t, ca)
	c, _ := ca.Issue(nil, testca.CRLOnly, func(c *x509.Certificate) { c.Subject.CommonName = "zonder-route.voorbeeldstad.nl" })
	runNow(t, "--db", db, "import", testca.WritePEM(t, dir, "leaf.pem", c))
	ca.Revoke(c, time.Now().Add(-time.Hour), 4)
	forged, _ := ca.ForgedCRL()
	os.WriteFile(filepath.Join(dir, "vals.crl"), forged, 0o600)
	r := runNow(t, "--db", db, "import", filepath.Join(dir, "vals.crl"))
	if r.code != 1 || !strings.Contains(r.stdout, "geweigerd") || !strings.Contains(r.stdout, "niet ondertekend door de uitgever") {
		t.Errorf("forged CRL: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runNow(t, "--db", db, "list", "--status", "ingetrokken"); strings.Contains(r.stdout, "zonder-route") {
		t.Errorf("a forged CRL changed the inventory:\n%s", r.stdout)
	}
	crl, _ := ca.CRL()
	os.WriteFile(filepath.Join(dir, "ca.crl"), crl, 0o600)
	r = runNow(t, "--db", db, "import", filepath.Join(dir, "ca.crl"))
	if r.code != 0 || !strings.Contains(r.stdout, "1 CRL's geïmporteerd, 0 geweigerd") {
		t.Fatalf("CRL import: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runNow(t, "--db", db, "list", "--status", "ingetrokken"); !strings.Contains(r.stdout, "zonder-route") || !strings.Contains(r.stdout, "vervangen") {
		t.Errorf("after the CRL import:\n%s", r.stdout)
	}
}

func TestTrustCommand(t *testing.T) {
	ca := testca.New(t)
	db, dir := caDatabase(t, ca)
	r := runNow(t, "--db", db, "trust", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "Staat der Nederlanden Private Root CA - G1") || !strings.Contains(r.stdout, "meegeleverd (PKIoverheid)") ||
		!strings.Contains(r.stdout, "pkiodesk Test Revocation Root") || !strings.Contains(r.stdout, "toegevoegd door beheerder") {
		t.Errorf("trust list: %d\n%s", r.code, r.stdout)
	}
	leaf, _ := ca.Issue(nil, testca.NoSources, nil)
	if r := runNow(t, "--db", db, "trust", "add", testca.WritePEM(t, dir, "leaf.pem", leaf)); r.code != 1 || !strings.Contains(r.stdout, "geen CA-certificaat") {
		t.Errorf("a leaf as anchor: %d\n%s", r.code, r.stdout)
	}
	if r := runNow(t, "--db", db, "trust", "remove", cert.Fingerprint(ca.Root.Raw)); r.code != 0 {
		t.Errorf("remove: %d %s", r.code, r.stderr)
	}
	if r := runNow(t, "--db", db, "trust", "list"); strings.Contains(r.stdout, "pkiodesk Test Revocation Root") {
		t.Errorf("removed anchor still listed:\n%s", r.stdout)
	}
}

// verify-pdf trusts the trust store by default and says whether the
// signer is revoked; a revoked signer fails the verification.
func TestVerifyPDFUsesTheTrustStore(t *testing.T) {
	ca := testca.New(t)
	db, dir := caDatabase(t, ca)
	signer, key, err := ca.Leaf(testca.CRLAndOCSP, func(c *x509.Certificate) {
		c.Subject = pkix.Name{CommonName: "Gemeente Voorbeeldstad eSeal", Organization: []string{"Gemeente Voorbeeldstad"}}
		c.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
		c.ExtKeyUsage = nil
	})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := pdfseal.Draw(pdfseal.Document{Kind: pdfseal.OrderNew, Number: "T-2", Created: time.Now(), Organisation: "Gemeente Voorbeeldstad"})
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := pdfseal.Seal(context.Background(), doc, pdfseal.SealOptions{Signer: key.(crypto.Signer), Chain: []*x509.Certificate{signer, ca.Issuer, ca.Root}, Time: time.Now(), Reason: "test"})
	if err != nil {
		t.Fatal(err)
	}
	pdf := filepath.Join(dir, "zegel.pdf")
	os.WriteFile(pdf, sealed, 0o600)

	// No database: the bundled PKIoverheid roots only.
	if r := runNow(t, "--db", filepath.Join(dir, "bestaat-niet.db"), "verify-pdf", pdf); r.code != 1 || !strings.Contains(r.stdout, "Vertrouwd: nee") {
		t.Errorf("without the test CA trusted: %d\n%s", r.code, r.stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "bestaat-niet.db")); err == nil {
		t.Error("verify-pdf created a database")
	}
	r := runNow(t, "--db", db, "verify-pdf", pdf)
	if r.code != 0 || !strings.Contains(r.stdout, "Vertrouwd: ja") || !strings.Contains(r.stdout, "intrekking van de ondertekenaar: Niet ingetrokken") {
		t.Errorf("trusted by the trust store: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// While the window holds the database: the bundled anchors, and a word why.
	held, err := store.OpenBolt(db, store.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r = runNow(t, "--db", db, "verify-pdf", pdf)
	held.Close()
	if r.code != 1 || !strings.Contains(r.stdout, "Vertrouwd: nee") || !strings.Contains(r.stderr, "alleen de meegeleverde PKIoverheid-CA's worden vertrouwd") {
		t.Errorf("database in use: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// --roots still overrides.
	other := testca.New(t)
	if r := runNow(t, "--db", db, "verify-pdf", pdf, "--roots", testca.WritePEM(t, dir, "other.pem", other.Root)); r.code != 1 || !strings.Contains(r.stdout, "Vertrouwd: nee") {
		t.Errorf("--roots override: %d\n%s", r.code, r.stdout)
	}
	ca.Revoke(signer, time.Now().Add(-time.Minute), 1)
	// A fresh database: nothing cached, the CA is asked.
	db2, _ := caDatabase(t, ca)
	r = runNow(t, "--db", db2, "verify-pdf", pdf)
	if r.code != 1 || !strings.Contains(r.stdout, "! ondertekenaar: Ingetrokken op") || !strings.Contains(r.stdout, "NIET in orde") {
		t.Errorf("revoked signer: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// login-test refuses a SoftHSM token whose certificate is revoked, not
// trusted, or does not belong to its key, each with its own message.
func TestLoginTestRefusesRevokedUntrustedAndMismatched(t *testing.T) {
	c := needCard(t)
	ca := testca.New(t)
	db, _ := caDatabase(t, ca)
	ctx := context.Background()
	type tokenCase struct {
		label string
		issue softhsm.Issue
		want  string
		code  int
	}
	person := func(c *x509.Certificate) {
		c.Subject = pkix.Name{CommonName: "Iris Dekker", SerialNumber: "PN-7", Organization: []string{"Gemeente Voorbeeldstad"}}
	}
	revokedCert := make(chan *x509.Certificate, 1)
	stranger := testca.New(t)
	cases := []tokenCase{
		{"goed", func(pub crypto.PublicKey) (*x509.Certificate, error) { return ca.Issue(pub, testca.CRLAndOCSP, person) }, "Vertrouwd: keten naar pkiodesk Test Revocation Root", 0},
		{"ingetrokken", func(pub crypto.PublicKey) (*x509.Certificate, error) {
			c, err := ca.Issue(pub, testca.CRLAndOCSP, person)
			revokedCert <- c
			return c, err
		}, "Inloggen geweigerd: uw certificaat is door de CA ingetrokken op", 1},
		{"onbekende CA", func(pub crypto.PublicKey) (*x509.Certificate, error) {
			return stranger.Issue(pub, testca.CRLAndOCSP, func(c *x509.Certificate) { person(c); c.Subject.CommonName = "Vreemde Kaart" })
		}, "Inloggen geweigerd: uw certificaat is niet vertrouwd", 1},
		{"andere sleutel", func(pub crypto.PublicKey) (*x509.Certificate, error) {
			other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			return ca.Issue(other.Public(), testca.CRLAndOCSP, person)
		}, "Inloggen geweigerd: de sleutel op de kaart hoort niet bij het certificaat", 1},
	}
	for _, tc := range cases {
		t.Run(tc.label, func(t *testing.T) {
			tok, err := softhsm.InitToken(ctx, c.ConfPath, "trust "+tc.label, "so-"+cardPIN, cardPIN)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { tok.Delete(context.Background()) })
			if _, err := tok.AddKey([]byte{0x01}, "Authenticatie", softhsm.RSA2048, tc.issue); err != nil {
				t.Fatal(err)
			}
			if tc.label == "ingetrokken" {
				ca.Revoke(<-revokedCert, time.Now().Add(-time.Hour), 1)
			}
			r := runWithPIN(t, cardPIN, "--db", db, "login-test", "--module", tok.Module, "--token", tok.Label, "--pin-fd", "3")
			if r.code != tc.code || !strings.Contains(r.stdout, tc.want) {
				t.Errorf("exit %d (want %d), want %q:\n%s%s", r.code, tc.code, tc.want, r.stdout, r.stderr)
			}
		})
	}
	if _, err := os.Stat(c.ConfPath); err != nil {
		fixture.Missing(t, "SoftHSM configuration: %v", err)
	}
}
