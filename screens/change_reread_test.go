package screens

import (
	"os"
	"testing"

	"fyne.io/fyne/v2/test"

	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
)

// A Bevoegd Vertegenwoordiger who appoints a new one and records KPN's
// confirmation is a Contactpersoon from then on: the window takes the
// person anew from the register, and the change form shows the BV-only
// sections disabled with the reason. The private copy of the PDF goes
// when its page is left, and at logout.
func TestBVWhoConfirmsANewBVSeesBVActionsDisabled(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	loginDemo(t, u)
	if u.person.Role != org.BevoegdVertegenwoordiger {
		t.Fatalf("the demo card is a %s", u.person.Role)
	}
	f, err := u.newChangeForm()
	if err != nil {
		t.Fatal(err)
	}
	u.shell("x", sectionOrganisation, f.build())
	f.checks[org.SectionBV].SetChecked(true)
	f.d.bvExisting = ""
	f.d.draft.NewBV.Person = org.Person{Name: "Mark Smit", Email: "m.smit@voorbeeldstad.nl", Phone: "020 555 0199", Function: "Gemeentesecretaris"}
	p := signForm(t, u, f, "Ondertekenen")
	number := p.ch.Number

	// Opened for the viewer, then the page is left: the file goes.
	test.Tap(p.open)
	if _, err := os.Stat(p.opened); err != nil {
		t.Fatalf("the viewer's file: %v", err)
	}
	u.showOrganisation()
	if _, err := os.Stat(p.opened); !os.IsNotExist(err) {
		t.Errorf("the viewer's file outlived its page: %v", err)
	}

	u.showChange(number)
	p = u.changeShown
	if p == nil || p.confirm.Disabled() {
		t.Fatal("the change page offers no confirmation")
	}
	test.Tap(p.confirm)
	tapOverlayButton(t, u, "Vastleggen")
	if u.changeShown == nil || u.changeShown.ch.State == org.ChangePending {
		t.Fatalf("the change was not confirmed: %v", orgLabels(u.win.Content()))
	}
	if u.person.Role != org.ContactpersoonAlle || !u.person.Active {
		t.Fatalf("after the confirmation the window still holds a %s (active %v)", u.person.Role, u.person.Active)
	}
	f, err = u.newChangeForm()
	if err != nil {
		t.Fatal(err)
	}
	content := f.build()
	u.shell("x", sectionOrganisation, content)
	f.refresh()
	for _, s := range []org.Section{org.SectionBV, org.SectionCancel} {
		err := org.CheckSection(u.person, s, nil)
		if err == nil {
			t.Fatalf("%s: a Contactpersoon may add it", s)
		}
		want := sentence(i18n.Localize(i18n.NL, err))
		if !f.checks[s].Disabled() || f.why[s].Text != want || !f.why[s].Visible() {
			t.Errorf("%s: disabled %v, reason %q, want %q", s, f.checks[s].Disabled(), f.why[s].Text, want)
		}
	}

	// Logout (or a pulled card) removes the private folder too.
	path, err := u.core.PrivateFile("B-1.pdf", []byte("%PDF"))
	if err != nil {
		t.Fatal(err)
	}
	u.endSession()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("a private file outlived the session: %v", err)
	}
}
