package screens

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app/cert"
	"pkiodesk/app/demo"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/org"
	"pkiodesk/internal/fixture"
)

// adminUI is a test window on the demo organisation, logged in as the
// person with the given role.
func adminUI(t *testing.T, role org.Role) *ui {
	t.Helper()
	u := newTestUI(t, i18n.NL)
	ctx := context.Background()
	o := org.Organisation{Name: demo.OrgName, SubscriberNumber: "100234", OIN: demo.OIN, KvK: "12345678"}
	if err := u.core.Store.SetUp(ctx, o, org.Person{ID: "p-bv", Name: "Anouk Visser", Role: org.BevoegdVertegenwoordiger, Active: true}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []org.Person{
		{ID: "p-alle", Name: "Daan Meijer", Role: org.ContactpersoonAlle, Active: true},
		{ID: "p-basis", Name: "Fatima El Amrani", Role: org.ContactpersoonBasis, Active: true},
		{ID: "p-beheer", Name: "Zoë Brouwer", Role: org.Certificaatbeheerder, Active: true},
		{ID: "p-oud", Name: "Kees Jansen", Role: org.ContactpersoonAlle, Active: false},
	} {
		if err := u.core.Store.PutPerson(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	people, _ := u.core.Store.People(ctx)
	for _, p := range people {
		if p.Role == role && p.Active {
			u.person = p
		}
	}
	return u
}

func buttonNamed(t *testing.T, root fyne.CanvasObject, text string) *button {
	t.Helper()
	for _, obj := range test.LaidOutObjects(root) {
		if b, ok := obj.(*button); ok && b.Text == text {
			return b
		}
	}
	t.Fatalf("no button %q", text)
	return nil
}

// Importing another organisation's certificate says so and lets the user
// keep or skip it; skipping is the default (Enter).
func TestImportAsksAboutOtherOrganisations(t *testing.T) {
	u := adminUI(t, org.BevoegdVertegenwoordiger)
	dir := t.TempDir()
	rvig := filepath.Join(dir, "rvig.crt")
	os.WriteFile(rvig, fixture.ReadPKIo(t, "RvIG_lap.gbav.idm.diginetwerk.net.crt"), 0o644)
	u.files = &FakeFileChooser{dir: dir, files: []string{rvig}}
	o := server(t, u)
	o.status.SetSelected("Alle")
	before := len(o.view.Rows)
	o.chooseImport()
	msg := dialogText(t, u)
	if !strings.Contains(msg, "1 certificaat hoort niet bij Gemeente Voorbeeldstad") || !strings.Contains(msg, "OIN 00000001822100824000 is niet het OIN van de organisatie") {
		t.Errorf("dialog:\n%s", msg)
	}
	if len(o.view.Rows) != before {
		t.Error("the foreign certificate is listed before the user chose")
	}
	keep := buttonNamed(t, u.win.Canvas().Overlays().Top(), "Aangevinkte bewaren")
	if !keep.Disabled() {
		t.Error("keep is open with nothing ticked")
	}
	key(u, fyne.KeyReturn) // Overslaan
	if msg := dialogText(t, u); !strings.Contains(msg, "1 overgeslagen (andere organisatie)") || !strings.Contains(msg, "overgeslagen: lap.gbav.idm.diginetwerk.net") {
		t.Errorf("report after skipping:\n%s", msg)
	}
	key(u, fyne.KeyReturn)
	if len(o.view.Rows) != before {
		t.Error("a skipped certificate was stored")
	}
	// Again, and keep it.
	o.chooseImport()
	u.foreignChecks[0].SetChecked(true)
	test.Tap(buttonNamed(t, u.win.Canvas().Overlays().Top(), "Aangevinkte bewaren"))
	if msg := dialogText(t, u); !strings.Contains(msg, "1 toegevoegd") || strings.Contains(msg, "overgeslagen") {
		t.Errorf("report after keeping:\n%s", msg)
	}
	key(u, fyne.KeyReturn)
	if len(o.view.Rows) != before+1 {
		t.Errorf("kept certificate not listed: %d rows, was %d", len(o.view.Rows), before)
	}
}

// Removal: named in the confirmation, Annuleren is the default, the
// certificate leaves the overview and the user is back where they were.
func TestRemoveFromTheDetail(t *testing.T) {
	u := adminUI(t, org.ContactpersoonAlle)
	o := server(t, u)
	c := *o.view.Rows[0]
	n := len(o.view.Rows)
	key(u, fyne.KeyReturn) // open the first row
	remove := buttonNamed(t, u.win.Content(), "Verwijderen uit overzicht")
	test.Tap(remove)
	if msg := dialogText(t, u); !strings.Contains(msg, c.CommonName) || !strings.Contains(msg, c.SHA256[:16]) || !strings.Contains(msg, "blijft geldig") {
		t.Errorf("confirmation does not name it:\n%s", msg)
	}
	key(u, fyne.KeyReturn) // the default: Annuleren
	if _, ok := u.core.Inventory.Get(c.SHA256); !ok {
		t.Fatal("Enter removed the certificate")
	}
	test.Tap(remove)
	test.Tap(buttonNamed(t, u.win.Canvas().Overlays().Top(), "Verwijderen"))
	if _, ok := u.core.Inventory.Get(c.SHA256); ok {
		t.Fatal("not removed")
	}
	if !strings.HasPrefix(title(u), "Servercertificaten") || len(o.view.Rows) != n-1 {
		t.Errorf("after removal: %q with %d rows (was %d)", title(u), len(o.view.Rows), n)
	}
	if msg := dialogText(t, u); !strings.Contains(msg, c.CommonName+" is uit het overzicht verwijderd") {
		t.Errorf("message %q", msg)
	}
}

// A Contactpersoon with basic rights sees Verwijderen closed, with why, and
// may assign people.
func TestBasicContactCannotRemoveButAssigns(t *testing.T) {
	u := adminUI(t, org.ContactpersoonBasis)
	srv := *u.core.Inventory.Query(inventory.Query{Kind: cert.KindServer}).Rows[0]
	u.openDetail(srv)
	if !buttonNamed(t, u.win.Content(), "Verwijderen uit overzicht").Disabled() {
		t.Error("Verwijderen open to a contact with basic rights")
	}
	texts := labelTexts(u.win.Content())
	if !strings.Contains(texts, "Alleen de Bevoegd Vertegenwoordiger en Contactpersonen met alle autorisaties") {
		t.Errorf("no reason shown:\n%s", texts)
	}
	if !strings.Contains(texts, "Certificaatbeheerder\nniet vastgelegd") && !strings.Contains(texts, "niet vastgelegd") {
		t.Errorf("no empty people rows:\n%s", texts)
	}
	test.Tap(buttonNamed(t, u.win.Content(), "Toewijzen…"))
	var selects []*keySelect
	for _, obj := range test.LaidOutObjects(u.win.Canvas().Overlays().Top()) {
		if s, ok := obj.(*keySelect); ok {
			selects = append(selects, s)
		}
	}
	if len(selects) != 2 {
		t.Fatalf("%d choices for a server certificate, want contact and manager", len(selects))
	}
	for _, opt := range selects[0].Options {
		if strings.Contains(opt, "Certificaatbeheerder") || strings.Contains(opt, "Kees Jansen") {
			t.Errorf("contact choice offers %q", opt)
		}
	}
	selects[0].SetSelected(selects[0].Options[1])
	selects[1].SetSelected(selects[1].Options[1])
	key(u, fyne.KeyReturn) // Opslaan
	contact, manager, err := u.core.CertificatePeople(context.Background(), srv.SHA256)
	if err != nil || contact == nil || manager == nil || manager.Role != org.Certificaatbeheerder {
		t.Fatalf("assigned %v %v %v", contact, manager, err)
	}
	if texts := labelTexts(u.win.Content()); !strings.Contains(texts, contact.Name) || !strings.Contains(texts, manager.Name) {
		t.Errorf("detail does not show them:\n%s", texts)
	}
	// A personal certificate has only a Contactpersoon (manual 4.1).
	u.openDetail(*u.core.Inventory.Query(inventory.Query{Kind: cert.KindPersonal}).Rows[0])
	if strings.Contains(labelTexts(u.win.Content()), "Certificaatbeheerder") {
		t.Error("a personal certificate shows a Certificaatbeheerder")
	}
}

func labelTexts(root fyne.CanvasObject) string {
	var b []string
	for _, obj := range test.LaidOutObjects(root) {
		if l, ok := obj.(*widget.Label); ok {
			b = append(b, l.Text)
		}
	}
	return strings.Join(b, "\n")
}
