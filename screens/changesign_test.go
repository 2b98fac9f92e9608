package screens

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"pkiodesk/app/audit"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
	"pkiodesk/internal/idcopytest"
)

// signForm checks the form, confirms the step and waits for the page the
// signing ends on.
func signForm(t *testing.T, u *ui, f *changeForm, confirm string) *changePage {
	t.Helper()
	u.changeShown = nil
	test.Tap(f.submit)
	if f.problem.Text != "" || f.confirmDialog == nil {
		t.Fatalf("the form was not accepted: %q", f.problem.Text)
	}
	tapOverlayButton(t, u, confirm)
	waitUntil(t, func() bool { return u.changeShown != nil }, func() string { return f.problem.Text })
	return u.changeShown
}

// "Ondertekenen" in the change form signs with the logged-in card through
// the shared path: the confirmation page offers Openen, Opslaan and
// Afdrukken; the PDF it opens verifies, carries the change and the ID
// copy, and is signed with the card's signature key; the change is
// pending in the person list; the form and its ID copy are gone from
// memory.
func TestChangeFormSignedWithTheCard(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	loginDemo(t, u)
	ctx := context.Background()
	u.showChangeForm()
	f, err := u.newChangeForm()
	if err != nil {
		t.Fatal(err)
	}
	u.shell("x", sectionOrganisation, f.build())
	f.checks[org.SectionBilling].SetChecked(true)
	f.d.draft.Organisation.BillingReference = "ICT-2026-01"
	f.checks[org.SectionContacts].SetChecked(true)
	f.d.draft.Contacts = append(f.d.draft.Contacts, org.ContactChange{Action: org.ContactAdd,
		Person: org.Person{Name: "Sanne de Vries", Email: "s.devries@voorbeeldstad.nl", Phone: "020 555 0110", Role: org.ContactpersoonBasis}})
	photo := idcopytest.JPEG(8192)
	if err := f.setIDCopy(0, "paspoort.jpg", bytes.Clone(photo)); err != nil {
		t.Fatal(err)
	}
	f.fillContacts()
	held := f.d.copies[0].Data
	p := signForm(t, u, f, "Ondertekenen")
	if !strings.HasPrefix(u.win.Title(), "pkiodesk — Wijziging WIJZ-") || !orgHasLabel(u.win.Content(), "Uw wijzigingsformulier is ondertekend") {
		t.Errorf("confirmation page %q: %v", u.win.Title(), orgLabels(u.win.Content()))
	}
	for _, b := range []*button{p.open, p.save, p.print} {
		if b.Disabled() {
			t.Errorf("%s disabled", b.Text)
		}
	}
	if p.open.Text != "Openen" || p.save.Text != "Opslaan" || p.print.Text != "Afdrukken" {
		t.Errorf("buttons %q %q %q", p.open.Text, p.save.Text, p.print.Text)
	}
	shot(t, u, "20-wijziging-ondertekend")
	if u.change != nil || held[100] != 0 || held[4000] != 0 {
		t.Error("the signed form's draft or ID copy stayed in memory")
	}
	test.Tap(p.open)
	pdf, err := os.ReadFile(p.opened)
	if err != nil {
		t.Fatalf("opened %q: %v", p.opened, err)
	}
	ch, opened, err := u.core.ReadChangeDocument(ctx, pdf)
	if err != nil || ch.Number != p.ch.Number || ch.Organisation.BillingReference != "ICT-2026-01" {
		t.Fatalf("the opened PDF: %+v %v", ch, err)
	}
	card, err := u.cardSigning()
	if err != nil {
		t.Fatal(err)
	}
	if signCert := card.Signer.Chain[0]; !opened.Signer.Equal(signCert) {
		t.Errorf("signed by %s, not the card's signature key", opened.Signer.Subject)
	}
	if data, ok := opened.Attachment("identiteitsbewijs-1.jpg"); !ok || !bytes.Equal(data, photo) {
		t.Error("the ID copy is not in the signed PDF")
	}
	// Opening and saving a form with an ID copy are journaled.
	u.files = &FakeFileChooser{dir: t.TempDir()}
	test.Tap(p.save)
	for _, act := range []audit.Action{audit.ChangeDocOpened, audit.ChangeDocSaved} {
		if es, err := u.core.Journal.List(ctx, audit.Filter{Action: act}); err != nil || len(es) != 1 || es[0].Object != audit.ChangeNumber(p.ch.Number) || es[0].Count != 1 {
			t.Errorf("%s: journal %+v %v", act, es, err)
		}
	}
	// Pending, with the person it adds not yet registered.
	reg, _ := u.core.Register(ctx)
	if len(reg.Pending()) != 1 || reg.Organisation.BillingReference == "ICT-2026-01" {
		t.Errorf("pending %d, billing %q", len(reg.Pending()), reg.Organisation.BillingReference)
	}
	u.showOrganisation()
	if !hasText(u.win.Content(), "Wijzigingen in behandeling") || !hasText(u.win.Content(), p.ch.Number) {
		t.Errorf("the person list does not show the pending change: %v", orgLabels(u.win.Content()))
	}
	// Confirmed by KPN: the private file goes with the ID copy.
	if _, err := u.core.ConfirmChange(ctx, u.person, p.ch.Number, "KPN-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p.opened); !os.IsNotExist(err) {
		t.Errorf("the viewer's file outlived the change: %v", err)
	}
}

// The form for a new Bevoegd Vertegenwoordiger ends on the page that says
// to print it and sign it by hand; the PDF holds both and is sealed.
func TestBVFormSignedWithTheCard(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	loginDemo(t, u)
	f, err := u.newChangeForm()
	if err != nil {
		t.Fatal(err)
	}
	u.shell("x", sectionOrganisation, f.build())
	f.checks[org.SectionBV].SetChecked(true)
	f.d.bvExisting = ""
	f.d.draft.NewBV.Person = org.Person{Name: "Mark Smit", Email: "m.smit@voorbeeldstad.nl", Phone: "020 555 0199", Function: "Gemeentesecretaris"}
	p := signForm(t, u, f, "Ondertekenen")
	if !orgHasLabel(u.win.Content(), "Druk het formulier af en onderteken het met de hand") {
		t.Errorf("labels %v", orgLabels(u.win.Content()))
	}
	shot(t, u, "23-formulier-bv-ondertekend")
	pdf, err := u.core.ChangeDocument(context.Background(), p.ch.Number)
	if err != nil {
		t.Fatal(err)
	}
	ch, _, err := u.core.ReadChangeDocument(context.Background(), pdf)
	if err != nil || ch.NewBV == nil || ch.NewBV.Person.Name != "Mark Smit" || ch.NewBV.Current.ID != u.person.ID {
		t.Errorf("BV form %+v: %v", ch.NewBV, err)
	}
}
