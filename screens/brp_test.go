package screens

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"

	"pkiodesk/app/brp"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/internal/brptest"
)

// The BRP screen lists the register and shows each afnemer's checklist in
// colour with the reasons: the demo's TAP mistake (a second afnemer on the
// same certificate, with the wrong OIN) shows in red.
func TestBRPScreenShowsChecklist(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	if err := u.core.SeedDemoBRP(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := &brpScreen{u: u, reports: map[string]brp.Report{}}
	u.win.SetContent(s.build())
	if len(s.afnemers) != 3 || len(s.reports) != 3 {
		t.Fatalf("%d afnemers, %d reports", len(s.afnemers), len(s.reports))
	}
	s.selectIndex(1)
	if s.selected != "510200" || len(s.checklist) != len(brp.Checks()) {
		t.Fatalf("selected %s, %d checklist rows", s.selected, len(s.checklist))
	}
	found := map[string]widget.Importance{}
	for _, l := range s.checklist {
		found[l.Text] = l.Importance
	}
	for text, imp := range map[string]widget.Importance{
		`fout: het certificaat bevat OIN "00000099123456789000", niet het OIN 00000001002220647000 van deze afnemer`: widget.DangerImportance,
		"fout: hetzelfde certificaat is ook gekozen voor afnemer 510193":                                             widget.DangerImportance,
		"waarschuwing: onbekend: nog niet gecontroleerd bij de CA":                                                   widget.WarningImportance,
		"in orde: extended key usage: serverAuth, clientAuth":                                                        widget.SuccessImportance,
	} {
		ok := false
		for got, gotImp := range found {
			if strings.HasPrefix(got, text) && gotImp == imp {
				ok = true
			}
		}
		if !ok {
			t.Errorf("no row %q with importance %v in:\n%v", text, imp, found)
		}
	}
}

// Adding an afnemer through the screen refuses bad input with the reason
// (the form reopens) and stores a good one; the connection test runs with
// a key file against a local gateway that demands client certificates,
// showing each step and the token's claims.
func TestBRPScreenAddAndConnectionTest(t *testing.T) {
	u := newTestUI(t, i18n.EN)
	ctx := context.Background()
	ca := brptest.NewCA(t)
	leaf, key := ca.IssueWithKey(t, brptest.Gateway{OIN: "00000001002564440000", DNSNames: []string{"gw.voorbeeldstad.nl"}})
	dir := t.TempDir()
	var bundle []byte
	for _, c := range []*x509.Certificate{leaf, ca.Issuer} {
		bundle = append(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	if _, err := u.core.Inventory.Import(ctx, []inventory.Input{{Name: "gw.pem", Data: bundle}}, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	keyFile := filepath.Join(dir, "gw.key")
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	rootFile := filepath.Join(dir, "root.pem")
	os.WriteFile(rootFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Root.Raw}), 0o600)

	s := &brpScreen{u: u, reports: map[string]brp.Report{}}
	u.win.SetContent(s.build())
	a := brp.Afnemer{ID: "51019", Name: "Gemeente Voorbeeldstad", OIN: "00000001002564440000", Endpoints: []brp.Endpoint{brp.EndpointBRP},
		Hosts: []string{"gw.voorbeeldstad.nl"}, CertSHA256: cert.Fingerprint(leaf.Raw), ClientID: "voorbeeldstad"}
	s.save(a, nil, false)
	if list, _ := s.reg.List(ctx); len(list) != 0 {
		t.Fatalf("a bad AfnemerID was stored: %+v", list)
	}
	a.ID = "510193"
	s.save(a, nil, false)
	if s.selected != "510193" || len(s.afnemers) != 1 {
		t.Fatalf("not stored or not selected: %q %d", s.selected, len(s.afnemers))
	}

	gw := brptest.NewRvIG(t, ca, "voorbeeldstad", "geheim")
	v := s.runTest(s.afnemers[0], brpTestInput{url: gw.URL(), tokenURL: gw.TokenURL(), keyFile: keyFile, serverCA: rootFile, secret: []byte("geheim")})
	select {
	case <-v.done:
	case <-time.After(30 * time.Second):
		t.Fatal("the connection test did not finish")
	}
	if v.result.Importance != widget.SuccessImportance || !strings.Contains(v.result.Text, "Claim afnemerID = 510193") {
		t.Errorf("result %q", v.result.Text)
	}
	if got := v.rows[brp.StepAccepted].Text; !strings.Contains(got, "asks for a token (HTTP 401)") {
		t.Errorf("accepted row %q", got)
	}
	if strings.Contains(v.result.Text, gw.IssuedTokens()[0]) || strings.Contains(v.result.Text, "geheim") {
		t.Error("the window shows the token or the secret")
	}
}
