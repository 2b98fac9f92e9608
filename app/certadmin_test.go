package app

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pkiodesk/app/audit"
	"pkiodesk/app/cert"
	"pkiodesk/app/demo"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/org"
)

// demoApp is a demo organisation with people in every role and a demo
// inventory.
func demoApp(t *testing.T) (*App, map[org.Role]org.Person) {
	t.Helper()
	ctx := context.Background()
	a, err := Open(ctx, Config{DBPath: filepath.Join(t.TempDir(), "db"), Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if err := a.SeedDemo(ctx, 60, 3); err != nil {
		t.Fatal(err)
	}
	seedPeople(t, a)
	people, _ := a.Store.People(ctx)
	byRole := map[org.Role]org.Person{}
	for _, p := range people {
		if p.Active {
			byRole[p.Role] = p
		}
	}
	return a, byRole
}

func first(a *App, k cert.Kind) cert.Certificate {
	return *a.Inventory.Query(inventory.Query{Kind: k, Status: inventory.FilterAll}).Rows[0]
}

// Removal: the Bevoegd Vertegenwoordiger and a Contactpersoon with all
// rights may; one with basic rights, a certificate manager or an inactive
// person may not, and then nothing changes.
func TestRemoveCertificateFollowsTheMatrix(t *testing.T) {
	ctx := context.Background()
	a, who := demoApp(t)
	inactive := who[org.ContactpersoonAlle]
	inactive.Active = false
	for _, p := range []org.Person{who[org.ContactpersoonBasis], who[org.Certificaatbeheerder], inactive} {
		n := a.Inventory.Len()
		c := first(a, cert.KindServer)
		if _, err := a.RemoveCertificate(ctx, p, c.SHA256); !i18n.Is(err, "cert.remove_denied") {
			t.Errorf("%s (active %v): %v", p.Role, p.Active, err)
		}
		if a.Inventory.Len() != n {
			t.Errorf("%s: a refused removal removed", p.Role)
		}
	}
	for _, p := range []org.Person{who[org.BevoegdVertegenwoordiger], who[org.ContactpersoonAlle]} {
		c := first(a, cert.KindServer)
		if got, err := a.RemoveCertificate(ctx, p, c.SHA256); err != nil || got.SHA256 != c.SHA256 {
			t.Errorf("%s: %v", p.Role, err)
		}
		if _, ok := a.Inventory.Get(c.SHA256); ok {
			t.Errorf("%s: still there", p.Role)
		}
	}
}

// Assignment: every contact may record who requested a certificate and who
// manages it; the people must fit their role, and only server and group
// certificates have a Certificaatbeheerder.
func TestAssignPeople(t *testing.T) {
	ctx := context.Background()
	a, who := demoApp(t)
	srv, personal := first(a, cert.KindServer), first(a, cert.KindPersonal)
	contact, manager := who[org.ContactpersoonAlle], who[org.Certificaatbeheerder]
	people, _ := a.Store.People(ctx)
	var inactive org.Person
	for _, p := range people {
		if !p.Active {
			inactive = p
		}
	}
	for _, tt := range []struct {
		name              string
		by                org.Person
		sha, contact, mgr string
		key               string
	}{
		{"certificate manager may not assign", manager, srv.SHA256, contact.ID, "", "cert.assign_denied"},
		{"a manager is no contact", who[org.BevoegdVertegenwoordiger], srv.SHA256, manager.ID, "", "cert.contact_role"},
		{"a contact is no manager", who[org.BevoegdVertegenwoordiger], srv.SHA256, "", contact.ID, "cert.manager_role"},
		{"inactive contact", who[org.BevoegdVertegenwoordiger], srv.SHA256, inactive.ID, "", "cert.person_inactive"},
		{"unknown person", who[org.BevoegdVertegenwoordiger], srv.SHA256, "nobody", "", "cert.person_unknown"},
		{"personal certificates have no manager", who[org.BevoegdVertegenwoordiger], personal.SHA256, contact.ID, manager.ID, "cert.manager_kind"},
		{"unknown certificate", who[org.BevoegdVertegenwoordiger], "00ff", contact.ID, "", "err.cert_not_found"},
	} {
		if err := a.AssignPeople(ctx, tt.by, tt.sha, tt.contact, tt.mgr); !i18n.Is(err, tt.key) {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.key)
		}
	}
	if c, m, _ := a.CertificatePeople(ctx, srv.SHA256); c != nil || m != nil {
		t.Fatal("a refused assignment was stored")
	}
	// A Contactpersoon with basic rights may (manual 7.3).
	if err := a.AssignPeople(ctx, who[org.ContactpersoonBasis], srv.SHA256, contact.ID, manager.ID); err != nil {
		t.Fatal(err)
	}
	c, m, err := a.CertificatePeople(ctx, srv.SHA256)
	if err != nil || c == nil || m == nil || c.ID != contact.ID || m.ID != manager.ID {
		t.Fatalf("people: %+v %+v %v", c, m, err)
	}
	// Clearing the manager keeps the contact.
	if err := a.AssignPeople(ctx, who[org.BevoegdVertegenwoordiger], srv.SHA256, contact.ID, ""); err != nil {
		t.Fatal(err)
	}
	if c, m, _ := a.CertificatePeople(ctx, srv.SHA256); c == nil || m != nil {
		t.Errorf("after clearing the manager: %v %v", c, m)
	}
	if err := a.AssignPeople(ctx, who[org.BevoegdVertegenwoordiger], personal.SHA256, who[org.BevoegdVertegenwoordiger].ID, ""); err != nil {
		t.Errorf("the BV as requester of a personal certificate: %v", err)
	}
}

// ImportOptions compare with the organisation once it is set up.
func TestImportOptionsCarryTheOrganisation(t *testing.T) {
	ctx := context.Background()
	a, err := Open(ctx, Config{DBPath: filepath.Join(t.TempDir(), "db"), Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if opt, _ := a.ImportOptions(ctx, false); opt.Owner != nil {
		t.Error("an owner before setup")
	}
	seedPeople(t, a)
	if opt, _ := a.ImportOptions(ctx, true); opt.Owner == nil || opt.Owner.OIN == "" || !opt.KeepForeign {
		t.Errorf("options %+v", opt)
	}
}

// seedPeople registers the demo organisation with a person in every role
// and an inactive contact, straight in the store (the login checks are not
// what these tests are about).
func seedPeople(t *testing.T, a *App) {
	t.Helper()
	ctx := context.Background()
	o := org.Organisation{Name: demo.OrgName, SubscriberNumber: "100234", OIN: demo.OIN, KvK: "12345678"}
	if err := a.Store.SetUp(ctx, o, org.Person{ID: "p-bv", Name: "Anouk Visser", Role: org.BevoegdVertegenwoordiger, Active: true}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []org.Person{
		{ID: "p-alle", Name: "Daan Meijer", Role: org.ContactpersoonAlle, Active: true},
		{ID: "p-basis", Name: "Fatima El Amrani", Role: org.ContactpersoonBasis, Active: true},
		{ID: "p-beheer", Name: "Zoë Brouwer", Role: org.Certificaatbeheerder, Active: true},
		{ID: "p-oud", Name: "Kees Jansen", Role: org.ContactpersoonAlle, Active: false},
	} {
		if err := a.Store.PutPerson(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
}

// Removal and assignment are journalled with the certificate, in the same
// transaction as the change; a refusal by the matrix or by the rules is
// journalled with its reason.
func TestRemovalAndAssignmentAreJournalled(t *testing.T) {
	ctx := context.Background()
	a, who := demoApp(t)
	srv := first(a, cert.KindServer)
	if _, err := a.RemoveCertificate(ctx, who[org.ContactpersoonBasis], srv.SHA256); err == nil {
		t.Fatal("removal by a basic contact")
	}
	if err := a.AssignPeople(ctx, who[org.BevoegdVertegenwoordiger], srv.SHA256, who[org.Certificaatbeheerder].ID, ""); err == nil {
		t.Fatal("a manager as contact")
	}
	if err := a.AssignPeople(ctx, who[org.BevoegdVertegenwoordiger], srv.SHA256, who[org.ContactpersoonAlle].ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := a.RemoveCertificate(ctx, who[org.BevoegdVertegenwoordiger], srv.SHA256); err != nil {
		t.Fatal(err)
	}
	entries, err := a.Journal.List(ctx, audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		switch e.Action {
		case audit.Denied, audit.CertAssigned, audit.CertRemoved:
			got = append(got, fmt.Sprintf("%s %s %s %s", e.Action, e.Object.ID, e.Outcome, e.Reason))
		}
	}
	want := []string{
		fmt.Sprintf("denied %s refused cert.remove_denied", org.RemoveCertificate),
		fmt.Sprintf("cert-assigned %s refused cert.contact_role", srv.SHA256),
		fmt.Sprintf("cert-assigned %s %s ", srv.SHA256, audit.OK),
		fmt.Sprintf("cert-removed %s %s ", srv.SHA256, audit.OK),
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("journal:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if rep, err := a.VerifyJournal(ctx); err != nil || rep.Problem != nil {
		t.Errorf("verify: %+v %v", rep, err)
	}
}
