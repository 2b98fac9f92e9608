package screens

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
)

// tapOverlayButton taps the button with this text in the top dialog.
func tapOverlayButton(t *testing.T, u *ui, text string) {
	t.Helper()
	top := u.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatalf("no dialog open (wanted %q)", text)
	}
	var found []string
	for _, obj := range test.LaidOutObjects(top) {
		if b, ok := obj.(*button); ok {
			found = append(found, b.Text)
			if b.Text == text {
				test.Tap(b)
				return
			}
		}
	}
	t.Fatalf("no button %q in the dialog (%v)", text, found)
}

func overlayText(u *ui) string {
	top := u.win.Canvas().Overlays().Top()
	if top == nil {
		return ""
	}
	return strings.Join(orgLabels(top), " ")
}

// 7.3 in the window: a Contactpersoon with basic rights deactivates a
// manager and hands their certificates over to the other one.
func TestManagersFormHandsOver(t *testing.T) {
	u := newOrgTestUI(t, org.ContactpersoonBasis, true)
	u.win.Resize(fyne.NewSize(1180, 900))
	f, err := u.newManagersForm()
	if err != nil {
		t.Fatal(err)
	}
	u.shell("x", sectionOrganisation, f.build())
	if len(f.managers) != 2 || f.choose.Selected == "" {
		t.Fatalf("managers %v, chosen %q", f.managers, f.choose.Selected)
	}
	// The first is Bram de Wit (by name); choose Zoë Brouwer.
	var zoe, bram org.Person
	for i, m := range f.managers {
		if m.Name == "Zoë Brouwer" {
			zoe = m
			f.choose.SetSelectedIndex(i)
		} else {
			bram = m
		}
	}
	if f.update.name.Text != "Zoë Brouwer" || f.update.phone.Text != "06 1234 5678" {
		t.Errorf("fields not filled with the chosen manager: %q %q", f.update.name.Text, f.update.phone.Text)
	}
	before, _ := u.core.ManagedCount(context.Background())
	f.action.SetSelected(f.action.Options[actionDeactivate])
	if f.updatePanel.Visible() || !f.deactivatePanel.Visible() || f.save.Text != "Deactiveren" {
		t.Error("the deactivation panel is not shown")
	}
	f.handTo.SetSelected(f.handTo.Options[handExisting])
	if !f.to.Visible() || f.newPanel.Visible() || len(f.to.Options) != 1 || !strings.HasPrefix(f.to.Options[0], "Bram de Wit") {
		t.Fatalf("successor choice: visible %v, options %v", f.to.Visible(), f.to.Options)
	}
	f.to.SetSelectedIndex(0)
	saveShot(t, u.win, "certificaatbeheerders")
	test.Tap(f.save)
	if q := overlayText(u); !strings.Contains(q, "Zoë Brouwer deactiveren en het beheer van") || !strings.Contains(q, "overdragen aan Bram de Wit?") {
		t.Errorf("confirmation %q", q)
	}
	tapOverlayButton(t, u, "Deactiveren")
	after, _ := u.core.ManagedCount(context.Background())
	if after[zoe.ID] != 0 || after[bram.ID] != before[bram.ID]+before[zoe.ID] || before[zoe.ID] == 0 {
		t.Errorf("managed before %v, after %v", before, after)
	}
	if !strings.HasPrefix(u.win.Title(), "pkiodesk — Organisatiegegevens") || !strings.Contains(overlayText(u), "is gedeactiveerd;") {
		t.Errorf("after: title %q, message %q", u.win.Title(), overlayText(u))
	}
}

// A refused update says why in the form and keeps what was typed.
func TestManagersFormRefusesBadInput(t *testing.T) {
	u := newOrgTestUI(t, org.ContactpersoonAlle, true)
	f, err := u.newManagersForm()
	if err != nil {
		t.Fatal(err)
	}
	u.shell("x", sectionOrganisation, f.build())
	f.update.email.SetText("geen-adres")
	test.Tap(f.save)
	if f.problem.Text != sentence(i18n.T(i18n.NL, "org.person.email_invalid", "geen-adres")) {
		t.Errorf("problem %q", f.problem.Text)
	}
	if d := u.draft("managers"); d["email"] != "geen-adres" {
		t.Errorf("draft %v", d)
	}
	// Deactivate, hand over to a new manager whose data is incomplete.
	f.action.SetSelected(f.action.Options[actionDeactivate])
	f.handTo.SetSelected(f.handTo.Options[handNew])
	test.Type(f.newMgr.name, "Nina Bos")
	test.Tap(f.save)
	tapOverlayButton(t, u, "Deactiveren")
	if f.problem.Text != "Vul het e-mailadres in." {
		t.Errorf("problem %q", f.problem.Text)
	}
	reg, _ := u.core.Register(context.Background())
	for _, p := range reg.People {
		if p.Role == org.Certificaatbeheerder && !p.Active || p.Name == "Nina Bos" {
			t.Errorf("a refused deactivation changed %+v", p)
		}
	}
}

// Without active Certificaatbeheerders the form does not open, and the
// button on Organisatiegegevens says why.
func TestManagersFormNeedsActiveManagers(t *testing.T) {
	u := newOrgTestUI(t, org.BevoegdVertegenwoordiger, true)
	ctx := context.Background()
	reg, _ := u.core.Register(ctx)
	for _, p := range reg.People {
		if p.Role == org.Certificaatbeheerder {
			if _, err := u.core.DeactivateManager(ctx, u.person, org.Deactivation{ManagerID: p.ID}); err != nil {
				t.Fatal(err)
			}
		}
	}
	s := u.newOrgScreen()
	content := s.build()
	want := sentence(i18n.T(i18n.NL, "org.managers.none_active"))
	if !s.managers.Disabled() || !orgHasLabel(content, want) {
		t.Errorf("managers button disabled %v, labels %v", s.managers.Disabled(), orgLabels(content))
	}
	if _, err := u.newManagersForm(); !i18n.Is(err, "org.managers.none_active") {
		t.Errorf("form: %v", err)
	}
}

// buttonsIn returns the texts of the buttons in an object.
func buttonsIn(o fyne.CanvasObject) []string {
	var out []string
	for _, obj := range test.LaidOutObjects(o) {
		switch b := obj.(type) {
		case *button:
			out = append(out, b.Text)
		case *widget.Button:
			out = append(out, b.Text)
		}
	}
	return out
}
