package app

import (
	"context"
	"crypto/x509"
	"fmt"
	"strings"
	"testing"
	"time"

	"pkiodesk/app/audit"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/internal/testca"
)

func importCerts(t *testing.T, a *App, certs ...*x509.Certificate) {
	t.Helper()
	var in []inventory.Input
	for i, c := range certs {
		in = append(in, inventory.Input{Name: fmt.Sprintf("c%d.pem", i), Data: testca.PEM(c)})
	}
	rep, err := a.Inventory.Import(context.Background(), in, inventory.ImportOptions{})
	if err != nil || len(rep.Rejected) > 0 {
		t.Fatalf("import: %+v %v", rep, err)
	}
}

func statusCell(a *App, c *x509.Certificate, l i18n.Lang) string {
	v := a.Inventory.Query(inventory.Query{Status: inventory.FilterAll})
	for _, r := range v.Rows {
		if r.SHA256 == cert.Fingerprint(c.Raw) {
			return inventory.Cell(r, inventory.ColStatus, v, l)
		}
	}
	return "(not listed)"
}

// A certificate its CA revoked becomes Ingetrokken in the inventory, with
// the CA's date and reason; one whose CA cannot be reached shows
// "onbekend sinds …", never "Geldig".
func TestRefreshMarksRevokedAndUnknown(t *testing.T) {
	ctx := context.Background()
	ca := testca.New(t)
	a := openTestApp(t, ca)
	good, _ := ca.Issue(nil, testca.CRLOnly, nil)
	bad, _ := ca.Issue(nil, testca.OCSPOnly, nil)
	none, _ := ca.Issue(nil, testca.NoSources, nil)
	importCerts(t, a, good, bad, none)
	if got := statusCell(a, good, i18n.NL); got != "Onbekend (nog niet gecontroleerd)" {
		t.Errorf("before any refresh: %q", got)
	}
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	ca.Revoke(bad, at, 1)
	var calls int
	rep, err := a.RefreshRevocation(ctx, func(done, total int) { calls++ })
	if err != nil || rep.Revoked != 1 || rep.Good != 1 || rep.NoSource != 1 || calls == 0 {
		t.Fatalf("refresh: %+v %v (%d progress calls)", rep, err, calls)
	}
	rec, _ := a.Inventory.Get(cert.Fingerprint(bad.Raw))
	if !rec.Revoked || !rec.RevokedAt.Equal(at) || rec.RevocationReason != "keyCompromise" {
		t.Errorf("inventory record %+v", rec)
	}
	if got := statusCell(a, bad, i18n.NL); got != "Ingetrokken op 2026-03-01 (sleutel gecompromitteerd)" {
		t.Errorf("status %q", got)
	}
	if got := statusCell(a, good, i18n.NL); got != "Geldig" {
		t.Errorf("good: %q", got)
	}
	if got := statusCell(a, none, i18n.EN); got != "Valid" {
		t.Errorf("no revocation service: %q", got)
	}
	revokedView := a.Inventory.Query(inventory.Query{Status: inventory.FilterRevoked})
	if len(revokedView.Rows) != 1 || revokedView.Rows[0].SHA256 != cert.Fingerprint(bad.Raw) {
		t.Errorf("Ingetrokken filter: %d rows", len(revokedView.Rows))
	}

	// A new certificate while the CA is down: unknown, never valid.
	ca.SetMode(testca.Down)
	later, _ := ca.Issue(nil, testca.OCSPOnly, nil)
	importCerts(t, a, later)
	rep, err = a.RefreshRevocation(ctx, nil)
	if err != nil || rep.Unknown != 1 {
		t.Fatalf("refresh with the CA down: %+v %v", rep, err)
	}
	if got := statusCell(a, later, i18n.NL); !strings.HasPrefix(got, "Onbekend sinds ") {
		t.Errorf("unreachable: %q", got)
	}
	chain, st, err := a.CertificateTrust(ctx, cert.Fingerprint(later.Raw))
	if err != nil || !chain.Trusted || st.Problem == nil || !strings.Contains(st.Detail(i18n.NL), "niet dat het certificaat geldig is") {
		t.Errorf("detail: %v %+v %v", chain.Err, st, err)
	}
}

// A CRL imported by hand (no route to the CA) marks what it lists.
func TestImportCRLMarksRevoked(t *testing.T) {
	ctx := context.Background()
	ca := testca.New(t)
	a := openTestApp(t, ca)
	c, _ := ca.Issue(nil, testca.CRLOnly, nil)
	importCerts(t, a, c)
	ca.Revoke(c, time.Now().Add(-time.Hour), 5)
	crl, _ := ca.CRL()
	forged, _ := ca.ForgedCRL()
	rest, done, err := a.ImportCRLs(ctx, []inventory.Input{
		{Name: "ca.crl", Data: crl},
		{Name: "vals.crl", Data: forged},
		{Name: "kapot.crl", Data: []byte("=1+1")},
		{Name: "cert.pem", Data: testca.PEM(ca.Root)},
	})
	if err != nil || len(rest) != 1 || rest[0].Name != "cert.pem" || len(done) != 3 {
		t.Fatalf("rest %v, done %+v, %v", rest, done, err)
	}
	if done[0].Err != nil || done[1].Err == nil || !i18n.Is(done[2].Err, "trust.crl_invalid") {
		t.Errorf("outcomes: %v / %v / %v", done[0].Err, done[1].Err, done[2].Err)
	}
	if txt := CRLImportText(done[0], i18n.NL); !strings.Contains(txt, "1 ingetrokken certificaten") {
		t.Errorf("text %q", txt)
	}
	rec, _ := a.Inventory.Get(cert.Fingerprint(c.Raw))
	if !rec.Revoked || rec.RevocationReason != "cessationOfOperation" {
		t.Errorf("after the CRL import: %+v", rec)
	}
}

// What changes trust or the inventory is journaled with the change: an
// administrator's anchor, and a revocation the CA's list reported.
func TestTrustChangesAreJournaled(t *testing.T) {
	ctx := context.Background()
	ca := testca.New(t)
	a := openTestApp(t, nil)
	anchor, err := a.AddTrustAnchor(ctx, testca.PEM(ca.Root))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.AddTrustAnchor(ctx, []byte("geen certificaat")); err == nil {
		t.Fatal("garbage accepted as anchor")
	}
	c, _ := ca.Issue(nil, testca.CRLOnly, nil)
	importCerts(t, a, ca.Issuer, c)
	ca.Revoke(c, time.Now().Add(-time.Hour), 1)
	if _, err := a.RefreshRevocation(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := a.RemoveTrustAnchor(ctx, anchor.SHA256); err != nil {
		t.Fatal(err)
	}
	es, err := a.Journal.List(ctx, audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, fmt.Sprintf("%s:%s:%s", e.Action, e.Outcome, e.Object.ID))
	}
	want := []string{
		"settings:ok:" + anchor.SHA256, "settings:refused:",
		"revoked:ok:" + cert.Fingerprint(c.Raw), "settings:ok:" + anchor.SHA256,
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("journal\n got %v\nwant %v", got, want)
	}
	if rep, err := a.VerifyJournal(ctx); err != nil || !rep.OK() {
		t.Errorf("verify: %v %+v", err, rep)
	}
}
