package screens

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
	"pkiodesk/internal/idcopytest"
)

// The matrix in the change form: every section is there for every role
// that may open the form, enabled exactly where app/org allows it, and
// disabled with the reason otherwise; choosing a section disables what
// may not go with it (seed 7.2, scenario 2), with that reason.
func TestChangeFormSectionsFollowTheMatrix(t *testing.T) {
	for _, role := range []org.Role{org.BevoegdVertegenwoordiger, org.ContactpersoonAlle} {
		u := newOrgTestUI(t, role, true)
		f, err := u.newChangeForm()
		if err != nil {
			t.Fatal(err)
		}
		u.shell("x", sectionOrganisation, f.build())
		for _, s := range org.Sections {
			err := org.Check(u.person, org.SectionPermission(s))
			c := f.checks[s]
			if c.Disabled() != (err != nil) {
				t.Errorf("%s: %s disabled %v, matrix %v", role, s, c.Disabled(), err)
			}
			if err != nil && (!f.why[s].Visible() || f.why[s].Text != sentence(i18n.Localize(i18n.NL, err))) {
				t.Errorf("%s: %s reason %q", role, s, f.why[s].Text)
			}
			if err == nil && f.why[s].Visible() {
				t.Errorf("%s: %s has a reason while enabled", role, s)
			}
		}
		if role == org.ContactpersoonAlle {
			if f.why[org.SectionBV].Text != "Alleen de Bevoegd Vertegenwoordiger kan de Bevoegd Vertegenwoordiger wijzigen." ||
				f.why[org.SectionCancel].Text != "Alleen de Bevoegd Vertegenwoordiger kan het abonnement opzeggen." {
				t.Errorf("reasons %q / %q", f.why[org.SectionBV].Text, f.why[org.SectionCancel].Text)
			}
			continue
		}
		// BV: choosing a new BV closes Contactpersonen, and the other way.
		f.checks[org.SectionBV].SetChecked(true)
		if !f.checks[org.SectionContacts].Disabled() || f.why[org.SectionContacts].Text != sentence(i18n.T(i18n.NL, "org.change.bv_with_contacts")) {
			t.Errorf("contacts beside a new BV: disabled %v, %q", f.checks[org.SectionContacts].Disabled(), f.why[org.SectionContacts].Text)
		}
		if !f.checks[org.SectionCancel].Disabled() || f.checks[org.SectionOrganisation].Disabled() {
			t.Error("cancel should close, organisation stay open beside a new BV")
		}
		if !f.panels[org.SectionBV].Visible() || f.panels[org.SectionContacts].Visible() {
			t.Error("panels do not follow the sections")
		}
		f.checks[org.SectionBV].SetChecked(false)
		f.checks[org.SectionCancel].SetChecked(true)
		for _, s := range []org.Section{org.SectionOrganisation, org.SectionBilling, org.SectionContacts, org.SectionBV} {
			if !f.checks[s].Disabled() || f.why[s].Text != sentence(i18n.T(i18n.NL, "org.change.cancel_alone")) {
				t.Errorf("%s beside a cancellation: disabled %v, %q", s, f.checks[s].Disabled(), f.why[s].Text)
			}
		}
	}
	// A Contactpersoon with basic rights cannot open the form at all.
	u := newOrgTestUI(t, org.ContactpersoonBasis, true)
	if _, err := u.newChangeForm(); !i18n.Is(err, "org.denied.open-change-form") {
		t.Errorf("basic rights: %v", err)
	}
	u.showChangeForm()
	if !orgHasLabel(u.win.Content(), "Als Contactpersoon met basis autorisaties kunt u het wijzigingsformulier niet openen.") {
		t.Errorf("labels %v", orgLabels(u.win.Content()))
	}
}

// The form is pre-filled, checks what is typed through the core's rules
// and keeps the draft when the card is pulled.
func TestChangeFormChecksAndKeepsTheDraft(t *testing.T) {
	u := newOrgTestUI(t, org.ContactpersoonAlle, true)
	u.win.Resize(fyne.NewSize(1180, 900))
	f, _ := u.newChangeForm()
	u.shell("x", sectionOrganisation, f.build())
	if f.d.draft.Organisation.Name != "Gemeente Voorbeeldstad" || f.d.draft.Organisation.BillingReference != "Kostenplaats ICT-4410" {
		t.Errorf("not pre-filled: %+v", f.d.draft.Organisation)
	}
	test.Tap(f.submit)
	if f.problem.Text != "Kies ten minste één rubriek om te wijzigen." {
		t.Errorf("nothing chosen: %q", f.problem.Text)
	}
	f.checks[org.SectionBilling].SetChecked(true)
	test.Tap(f.submit)
	if f.problem.Text != "In de rubriek Facturatiegegevens is niets gewijzigd." {
		t.Errorf("unchanged billing: %q", f.problem.Text)
	}
	f.checks[org.SectionContacts].SetChecked(true)
	f.d.draft.Contacts = append(f.d.draft.Contacts, org.ContactChange{Action: org.ContactAdd,
		Person: org.Person{Name: "Sanne de Vries", Email: "s.devries@voorbeeldstad.nl", Phone: "020 555 0110", Role: org.ContactpersoonBasis}})
	f.d.draft.Organisation.BillingReference = "ICT-9999"
	f.fillContacts()
	test.Tap(f.submit)
	if f.problem.Text != "Voeg een digitale kopie van het identiteitsbewijs van Sanne de Vries toe." {
		t.Errorf("no ID copy: %q", f.problem.Text)
	}
	if err := f.setIDCopy(0, "paspoort.exe", []byte("MZ")); !i18n.Is(err, "org.id_copy.type") {
		t.Errorf("an executable as ID copy: %v", err)
	}
	photo := idcopytest.JPEG(4096)
	if err := f.setIDCopy(0, "paspoort.jpg", photo); err != nil {
		t.Fatal(err)
	}
	f.fillContacts()
	if !orgHasLabel(f.contactsBox, "Nieuw: Sanne de Vries · s.devries@voorbeeldstad.nl · Contactpersoon (basis autorisaties) · kopie identiteitsbewijs: paspoort.jpg (5 kB)") {
		t.Errorf("contacts %v", orgLabels(f.contactsBox))
	}
	saveShot(t, u.win, "wijzigingsformulier")
	test.Tap(f.submit)
	if f.problem.Text != "" || f.confirmDialog == nil {
		t.Fatalf("a valid form: %q", f.problem.Text)
	}
	if txt := overlayText(u); !strings.Contains(txt, "Facturatiegegevens") || !strings.Contains(txt, "Contactpersonen") {
		t.Errorf("confirmation step %q", txt)
	}
	// The card is pulled: the draft, ID copy included, is still there.
	u.showLogin(i18n.T(u.lang, "card.removed"))
	g, _ := u.newChangeForm()
	if len(g.d.draft.Contacts) != 1 || len(g.d.copies) != 1 || g.d.draft.Organisation.BillingReference != "ICT-9999" {
		t.Errorf("draft lost: %+v", g.d.draft)
	}
	// Removing the new contact takes the ID copy with it (and wipes it).
	u.shell("x", sectionOrganisation, g.build())
	g.dropContact(0)
	if len(g.d.copies) != 0 || photo[100] != 0 {
		t.Error("the ID copy outlived its contact")
	}
	// The session ends (logout, card pulled): the ID copy is wiped; the
	// typing stays for its writer, and the next card holder starts afresh.
	g.d.draft.Contacts = append(g.d.draft.Contacts, org.ContactChange{Action: org.ContactAdd,
		Person: org.Person{Name: "Sanne de Vries", Email: "s.devries@voorbeeldstad.nl", Phone: "020 555 0110", Role: org.ContactpersoonBasis}})
	second := idcopytest.JPEG(4096)
	if err := g.setIDCopy(0, "paspoort.jpg", second); err != nil {
		t.Fatal(err)
	}
	writer := u.person
	u.endSession()
	if len(u.change.copies) != 0 || second[100] != 0 {
		t.Error("the ID copy outlived the session")
	}
	u.person = writer
	if h, _ := u.newChangeForm(); h.d.draft.Organisation.BillingReference != "ICT-9999" {
		t.Errorf("the writer's draft is lost: %+v", h.d.draft.Organisation)
	}
	u.person = org.Person{ID: "someone-else", Name: "Mark Smit", Role: org.BevoegdVertegenwoordiger, Active: true}
	if h, _ := u.newChangeForm(); len(h.d.draft.Contacts) != 0 || h.d.draft.Organisation.BillingReference == "ICT-9999" {
		t.Errorf("the next card holder got the draft: %+v", h.d.draft)
	}
}

// Cancelling the subscription: BV only, behind a step that names what stops.
func TestCancelSubscriptionNamesWhatStops(t *testing.T) {
	u := newOrgTestUI(t, org.BevoegdVertegenwoordiger, true)
	f, _ := u.newChangeForm()
	u.shell("x", sectionOrganisation, f.build())
	f.checks[org.SectionCancel].SetChecked(true)
	test.Tap(f.submit)
	if f.problem.Text != "" || f.confirmDialog == nil {
		t.Fatalf("cancel: %q", f.problem.Text)
	}
	txt := overlayText(u)
	for _, want := range []string{"U zegt het abonnement van Gemeente Voorbeeldstad op", "het bestellen en verlengen van certificaten onder abonneenummer 100234",
		"actieve personen", "geldige certificaten", "Opzegging ondertekenen"} {
		if !strings.Contains(txt, want) && !overlayHasButton(u, want) {
			t.Errorf("confirmation step lacks %q: %s", want, txt)
		}
	}
}

func overlayHasButton(u *ui, text string) bool {
	top := u.win.Canvas().Overlays().Top()
	return top != nil && slices.Contains(buttonsIn(top), text)
}
