package screens

import (
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/internal/fixture"
	"pkiodesk/internal/testca"
	"pkiodesk/smartcard"
	"pkiodesk/smartcard/softhsm"
)

func labels(u *ui) map[string]*widget.Label {
	out := map[string]*widget.Label{}
	for _, obj := range test.LaidOutObjects(u.win.Content()) {
		if l, ok := obj.(*widget.Label); ok {
			out[l.Text] = l
		}
	}
	return out
}

// The refresh runs in the background with a progress bar; a certificate
// its CA revoked is Ingetrokken in the open overview afterwards.
func TestRevocationRefreshUpdatesTheOverview(t *testing.T) {
	ca := testca.New(t)
	u := newTestUI(t, i18n.NL)
	ctx := context.Background()
	var leaves []*x509.Certificate
	for i := 0; i < 3; i++ {
		c, err := ca.Issue(nil, testca.CRLOnly, func(c *x509.Certificate) { c.Subject.CommonName = fmt.Sprintf("Kaarthouder %d", i) })
		if err != nil {
			t.Fatal(err)
		}
		leaves = append(leaves, c)
	}
	in := []inventory.Input{{Name: "ca.pem", Data: testca.PEM(ca.Issuer)}, {Name: "leaves.pem", Data: testca.PEM(leaves...)}}
	if _, err := u.core.Inventory.Import(ctx, in, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
	ca.Revoke(leaves[1], at, 1)
	kind := cert.FromX509(leaves[1]).Kind
	u.showOverview(kind) // which refreshes it after a revocation refresh
	o := u.overviews[string(kind)]
	o.status.SetSelected("Ingetrokken")
	for _, r := range o.view.Rows {
		if r.CommonName == "Kaarthouder 1" {
			t.Fatal("revoked before any refresh")
		}
	}

	u.startRevocationRefresh(ctx)
	if !u.rev.running {
		t.Fatal("the refresh is not running in the background")
	}
	cell := func() string {
		for _, r := range o.view.Rows {
			if r.CommonName == "Kaarthouder 1" {
				return inventory.Cell(r, inventory.ColStatus, o.view, u.lang)
			}
		}
		return ""
	}
	// The refresh ends on the UI thread: the overview re-reads, then the bar.
	// Fyne's test driver runs fyne.Do on the calling goroutine, so the
	// refresh's end is watched through the status text's binding (which
	// locks): the overview was re-read before that text was set.
	waitUntil(t, func() bool {
		s, _ := u.rev.text.Get()
		return strings.HasPrefix(s, "Gecontroleerd om")
	}, func() string { s, _ := u.rev.text.Get(); return s })
	if p, _ := u.rev.progress.Get(); p != 1 {
		t.Errorf("progress %v after the refresh", p)
	}
	if s, _ := u.rev.text.Get(); !strings.HasPrefix(s, "Gecontroleerd om") {
		t.Errorf("status text %q", s)
	}
	found := cell()
	if found != "Ingetrokken op 2026-04-01 (sleutel gecompromitteerd)" {
		t.Errorf("the open overview shows %q for the revoked certificate", found)
	}
}

// The detail screen shows the chain and what it means, and the
// revocation state in words.
func TestDetailShowsChainTrustAndRevocation(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	var in []inventory.Input
	for _, name := range []string{"RvIG_lap.gbav.idm.diginetwerk.net.crt", "QuoVadis_PKIoverheid_Private_Services_CA_-_G1.crt"} {
		in = append(in, inventory.Input{Name: name, Data: fixture.ReadPKIo(t, name)})
	}
	rep, err := u.core.Inventory.Import(context.Background(), in, inventory.ImportOptions{})
	if err != nil || len(rep.Added) != 1 {
		t.Fatalf("import: %v %+v", err, rep)
	}
	u.showDetail(rep.Added[0])
	l := labels(u)
	chain := "1. lap.gbav.idm.diginetwerk.net (2025-05-13 – 2026-05-13)\n2. QuoVadis PKIoverheid Private Services CA - G1 (2016-11-03 – 2028-11-12)\n" +
		"3. Staat der Nederlanden Private Services CA - G1 (2013-11-15 – 2028-11-12)\n4. Staat der Nederlanden Private Root CA - G1 (2013-11-14 – 2028-11-13)"
	if l[chain] == nil {
		t.Errorf("chain not shown as %q", chain)
	}
	if l["Niet vertrouwd: certificaat verlopen op 2026-05-13"] == nil {
		t.Error("the verdict does not say the RvIG certificate expired")
	}
	if l["Nog niet gecontroleerd bij de CA. Kies 'Intrekking controleren' of gebruik 'pkiodesk revocation refresh'."] == nil {
		t.Error("revocation state not shown")
	}
}

// A login whose revocation state cannot be known shows a warning in the
// top bar of every screen.
func TestLoginWarningInTheTopBar(t *testing.T) {
	if demoCard.err != nil {
		fixture.Missing(t, "SoftHSM demo token: %v", demoCard.err)
	}
	u := newTestUI(t, i18n.NL)
	if err := u.core.SeedDemoOrganisation(context.Background(), demoCard.login, demoCard.chain...); err != nil {
		t.Fatal(err)
	}
	u.demo = &demoToken{module: demoCard.tok.Module, label: demoCard.tok.Label, pin: demoCard.tok.PIN}
	s := u.loginScreenForTest()
	test.Type(s.pin, demoCard.tok.PIN)
	test.Tap(s.login)
	waitUntil(t, func() bool { return strings.HasPrefix(u.win.Title(), "pkiodesk — Start") }, func() string { return u.win.Title() + " " + s.problem.Text })
	defer u.endSession()
	// The demo card names no CRL or OCSP responder.
	want := "Let op: uw inlogcertificaat noemt geen CRL of OCSP-dienst; of het is ingetrokken kan niet worden nagegaan."
	w := labels(u)[want]
	if w == nil || w.Importance != widget.WarningImportance {
		t.Fatalf("no warning %q in the top bar", want)
	}
	u.showOverview(cert.KindServer)
	if labels(u)[want] == nil {
		t.Error("the warning is gone on the next screen")
	}
}

// A CRL file chosen with Importeren… marks what it lists.
func TestImportCRLThroughTheOverview(t *testing.T) {
	ca := testca.New(t)
	u := newTestUI(t, i18n.NL)
	c, err := ca.Issue(nil, testca.CRLOnly, func(c *x509.Certificate) { c.Subject.CommonName = "Zonder Route" })
	if err != nil {
		t.Fatal(err)
	}
	in := []inventory.Input{{Name: "ca.pem", Data: testca.PEM(ca.Issuer)}, {Name: "leaf.pem", Data: testca.PEM(c)}}
	if _, err := u.core.Inventory.Import(context.Background(), in, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	ca.Revoke(c, time.Now().Add(-time.Hour), 3)
	crl, _ := ca.CRL()
	u.showOverview(cert.FromX509(c).Kind)
	o := u.overviews[string(cert.FromX509(c).Kind)]
	o.status.SetSelected("Ingetrokken")
	o.importInputs([]inventory.Input{{Name: "ca.crl", Data: crl}})
	got := ""
	for _, r := range o.view.Rows {
		if r.CommonName == "Zonder Route" {
			got = inventory.Cell(r, inventory.ColStatus, o.view, u.lang)
		}
	}
	if !strings.Contains(got, "gegevens gewijzigd") {
		t.Errorf("after the CRL import the Ingetrokken overview shows %q", got)
	}
}

// Logging in through the PIN field with a card whose certificate its CA
// revoked is refused, with the CA's date.
func TestRevokedCardCannotLogIn(t *testing.T) {
	if demoCard.err != nil {
		fixture.Missing(t, "SoftHSM demo token: %v", demoCard.err)
	}
	ca := testca.New(t)
	u := newTestUI(t, i18n.NL)
	ctx := context.Background()
	if _, err := u.core.Trust.AddAnchor(ctx, ca.Root.Raw); err != nil {
		t.Fatal(err)
	}
	if _, err := u.core.Inventory.Import(ctx, []inventory.Input{{Name: "ca.pem", Data: testca.PEM(ca.Issuer)}}, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	tok, err := softhsm.InitToken(ctx, demoCard.tok.ConfPath, "ingetrokken kaart", "so-pin-3", "246810")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tok.Delete(context.Background()) })
	leaf, err := tok.AddKey([]byte{0x01}, "Authenticatie", softhsm.RSA2048, func(pub crypto.PublicKey) (*x509.Certificate, error) {
		return ca.Issue(pub, testca.CRLAndOCSP, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	ca.Revoke(leaf, at, 1)
	u.demo = &demoToken{module: tok.Module, label: tok.Label, pin: tok.PIN}
	s := u.loginScreenForTest()
	for i, c := range s.choices {
		if c.info.Label == tok.Label {
			s.tokens.SetSelectedIndex(i)
		}
	}
	test.Type(s.pin, tok.PIN)
	test.Tap(s.login)
	want := "Inloggen geweigerd: uw certificaat is door de CA ingetrokken op 2026-05-04"
	waitUntil(t, func() bool { return strings.HasPrefix(s.problem.Text, want) }, func() string { return s.problem.Text })
	if u.session != nil || !strings.HasPrefix(u.win.Title(), "pkiodesk — Inloggen") {
		t.Errorf("a revoked card got a session (title %q)", u.win.Title())
	}
	if st, _ := u.cs.State(); st == smartcard.LoggedIn {
		t.Error("the token stays logged in after the refusal")
	}
}
