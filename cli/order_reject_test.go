package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pkiodesk/app"
	"pkiodesk/app/audit"
	"pkiodesk/app/cert"
	"pkiodesk/app/org"
)

// trustCard makes db trust the test card's CA, as an administrator does.
func trustCard(t *testing.T, db string) {
	t.Helper()
	c := needCard(t)
	dir := t.TempDir()
	writePEM(t, filepath.Join(dir, "root.pem"), "CERTIFICATE", c.PKI.Root.Raw)
	writePEM(t, filepath.Join(dir, "ca.pem"), "CERTIFICATE", c.PKI.Issuer.Raw)
	for _, args := range [][]string{{"--db", db, "trust", "add", filepath.Join(dir, "root.pem")}, {"--db", db, "import", filepath.Join(dir, "ca.pem")}} {
		if r := runWithPIN(t, "", args...); r.code != 0 {
			t.Fatalf("%v: %d %s%s", args, r.code, r.stdout, r.stderr)
		}
	}
}

// registerCardHolder registers the test card's holder in db with role.
func registerCardHolder(t *testing.T, db string, role org.Role) org.Person {
	t.Helper()
	c := needCard(t)
	a, err := app.Open(context.Background(), app.Config{DBPath: db, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	p := org.Person{ID: "kaart-" + string(role), Name: "Bram de Boer", Email: "b.deboer@voorbeeldstad.nl", Role: role, Active: true,
		CertFingerprints: []string{cert.Fingerprint(c.Auth.Raw)}}
	if err := a.Store.PutPerson(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return p
}

// `order reject` records the CA's refusal of a submitted order, by the
// card holder who logs in, journaled under their name.
func TestOrderReject(t *testing.T) {
	c := needCard(t)
	db, _, id := placedOrder(t)
	card := []string{"--db", db, "--module", c.Module, "--token", "cli kaart", "--pin-fd", "3"}
	reject := func(pin string, more ...string) result {
		return runWithPIN(t, pin, append(append([]string{"order", "reject"}, more...), card...)...)
	}

	if r := reject(cardPIN, id); r.code != 2 || !strings.Contains(r.stderr, "geef de reden die de CA opgaf") {
		t.Errorf("without a reason: %d %s", r.code, r.stderr)
	}
	// Not registered: the login is refused, nothing changes.
	trustCard(t, db)
	if r := reject(cardPIN, id, "--reason", "onbekend"); r.code != 2 || !strings.Contains(r.stderr, "niet geregistreerd") {
		t.Errorf("unregistered card holder: %d %s%s", r.code, r.stdout, r.stderr)
	}
	who := registerCardHolder(t, db, org.ContactpersoonBasis)
	if r := reject(cardPIN, id, "--reason", "KvK-nummer onjuist"); r.code != 0 || !strings.Contains(r.stdout, "afgewezen") {
		t.Fatalf("reject: %d %s%s", r.code, r.stdout, r.stderr)
	}
	r := runWithPIN(t, "", "--db", db, "order", "show", id)
	if !strings.Contains(r.stdout, "Status: afgewezen") || !strings.Contains(r.stdout, "KvK-nummer onjuist") {
		t.Errorf("show after reject: %d %s%s", r.code, r.stdout, r.stderr)
	}
	// Once only: a rejected order is final.
	if r := reject(cardPIN, id, "--reason", "nogmaals"); r.code != 2 || !strings.Contains(r.stderr, "afgewezen") {
		t.Errorf("reject twice: %d %s", r.code, r.stderr)
	}
	a, err := app.Open(context.Background(), app.Config{DBPath: db, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	entries, err := a.Journal.List(context.Background(), audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		if e.Action == audit.OrderRejected && e.Who.PersonID == who.ID && e.Object == audit.Order(id) {
			found = true
		}
	}
	if !found {
		t.Errorf("rejection not journaled by %s: %+v", who.ID, entries)
	}
}

// Who may not order may not record a rejection either: Certificaatbeheerders
// cannot log in at all.
func TestOrderRejectRefusesWhoMayNot(t *testing.T) {
	c := needCard(t)
	db, _, id := placedOrder(t)
	trustCard(t, db)
	registerCardHolder(t, db, org.Certificaatbeheerder)
	r := runWithPIN(t, cardPIN, "order", "reject", id, "--reason", "x", "--db", db, "--module", c.Module, "--token", "cli kaart", "--pin-fd", "3")
	if r.code != 2 || !strings.Contains(r.stderr, "Bram de Boer") {
		t.Errorf("certificate manager: %d %s%s", r.code, r.stdout, r.stderr)
	}
	r = runWithPIN(t, "", "--db", db, "order", "show", id)
	if !strings.Contains(r.stdout, "Status: ingediend") {
		t.Errorf("state changed: %s", r.stdout)
	}
}
