package app

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pkiodesk/app/audit"
	"pkiodesk/app/brp"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/org"
	"pkiodesk/internal/testca"
)

func selfSigned(t *testing.T, cn string) (*x509.Certificate, *ecdsa.PrivateKey) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: cn, SerialNumber: "PN-" + cn}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, key
}

// Every action that exists journals itself through the app layer that
// performs it, screens and CLI alike; the journal verifies, is signed at
// logout with the login card's key, and holds no secret typed in.
func TestActionsAreJournaled(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "pkiodesk.db")
	a, err := Open(ctx, Config{DBPath: dbPath, Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	// Logins pass the login checks: a test CA, trusted as the demo's.
	ca := testca.New(t)
	if err := a.Trust.AddDemoAnchors(ctx, ca.Issuer, ca.Root); err != nil {
		t.Fatal(err)
	}
	checked := func(cn string) (LoginCheck, crypto.Signer) {
		c, key, err := ca.Leaf(testca.NoSources, func(c *x509.Certificate) { c.Subject = pkix.Name{CommonName: cn, SerialNumber: "PN-" + cn} })
		if err != nil {
			t.Fatal(err)
		}
		check, err := a.CheckLogin(ctx, c, key)
		if err != nil {
			t.Fatal(err)
		}
		return check, key
	}
	login, key := checked("Iris")
	stranger, _ := checked("Onbekend")
	o := org.Organisation{Name: "Gemeente Voorbeeld", SubscriberNumber: "123", OIN: "00000001001234567000", KvK: "12345678"}
	p, err := a.SetUp(ctx, o, "Iris Dekker", "", login)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetLanguage(ctx, "en"); err != nil {
		t.Fatal(err)
	}
	if err := a.SetLanguage(ctx, "xx"); err == nil {
		t.Fatal("bad language accepted")
	}
	const secret = "p12-wachtwoord-Geheim-7"
	if _, err := a.Import(ctx, []inventory.Input{{Name: "x.p12", Data: []byte("not a p12")}}, inventory.ImportOptions{P12Password: secret}); err != nil {
		t.Fatal(err)
	}
	var csv bytes.Buffer
	if err := a.ExportCSV(ctx, &csv, a.Inventory.Query(inventory.Query{}), inventory.CSVOptions{}); err != nil {
		t.Fatal(err)
	}
	reg, _ := a.BRPRegister()
	af := brp.Afnemer{ID: "123456", Name: "Gemeente", OIN: "00000001001234567000", Gemeentecode: "0999", Berichtenbox: "1", Endpoints: []brp.Endpoint{"brp"}, Hosts: []string{"gw.voorbeeld.nl"}, CertSHA256: strings.Repeat("a", 64)}
	if _, err := reg.Add(ctx, af); err != nil {
		t.Fatal(err)
	}
	if err := reg.Remove(ctx, "654321"); err == nil {
		t.Fatal("removed an unknown afnemer")
	}
	if err := a.LogOut(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, err := a.LogIn(ctx, stranger); !i18n.Is(err, "id.not_registered") {
		t.Fatalf("stranger: %v", err)
	}
	if err := a.LoginRefused(ctx, nil, i18n.E("card.pin_wrong", nil, 2)); err != nil {
		t.Fatal(err)
	}
	if err := a.Authorise(ctx, org.ViewJournal); !i18n.Is(err, "auth.denied") {
		t.Fatalf("nobody may view the journal: %v", err)
	}
	if _, err := a.LogIn(ctx, login); err != nil {
		t.Fatal(err)
	}
	if err := a.Authorise(ctx, org.ViewJournal); err != nil {
		t.Fatal(err)
	}
	if err := a.CardRemoved(ctx); err != nil {
		t.Fatal(err)
	}

	es, err := a.Journal.List(ctx, audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, string(e.Action)+":"+string(e.Outcome)+":"+e.Reason)
	}
	want := []string{
		"setup:ok:", "settings:ok:", "import:ok:", "export-csv:ok:",
		"brp-add:ok:", "brp-remove:refused:brp.err.not_found", "logout:ok:", "checkpoint:ok:",
		"login:refused:id.not_registered", "login:refused:card.pin_wrong", "denied:refused:auth.denied", "login:ok:", "card-removed:ok:",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("journal:\n got %v\nwant %v", got, want)
	}
	if es[0].Who.PersonID != p.ID || es[8].Who.PersonID != "" || es[9].Who.OSUser == "" {
		t.Errorf("who: %+v %+v %+v", es[0].Who, es[8].Who, es[9].Who)
	}
	rep, err := a.VerifyJournal(ctx)
	if err != nil || !rep.OK() || rep.Signed == nil || rep.Signed.Seq != 8 || rep.Entries != uint64(len(want)) {
		t.Fatalf("verify %v %+v", err, rep)
	}
	a.Close()
	raw, _ := os.ReadFile(dbPath)
	if bytes.Contains(raw, []byte(secret)) {
		t.Error("the typed password is in the database")
	}
}
