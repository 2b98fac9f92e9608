package screens

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/org"
	"pkiodesk/internal/testpki"
)

// newOrgTestUI is a window on the demo organisation (people in every
// role, certificates with requesters and managers), logged in as the
// first person with the role.
func newOrgTestUI(t *testing.T, role org.Role, active bool) *ui {
	t.Helper()
	u := newTestUI(t, i18n.NL)
	ctx := context.Background()
	pki, err := testpki.New(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	login, err := pki.Personal(key.Public(), testpki.Person{GivenName: "Anouk", Surname: "Visser", Email: "a.visser@voorbeeldstad.nl", Organization: "Gemeente Voorbeeldstad", Number: "PN-1"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := u.core.SeedDemoOrganisation(ctx, login, pki.Chain(login)[1:]...); err != nil {
		t.Fatal(err)
	}
	u.person = personWith(t, u, role, active)
	return u
}

func personWith(t *testing.T, u *ui, role org.Role, active bool) org.Person {
	t.Helper()
	reg, err := u.core.Register(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range reg.People {
		if p.Role == role && p.Active == active {
			return p
		}
	}
	t.Fatalf("no %s (active %v) in the demo", role, active)
	return org.Person{}
}

// labels returns the texts of every label in a canvas object.
func orgLabels(o fyne.CanvasObject) []string {
	var out []string
	for _, obj := range test.LaidOutObjects(o) {
		if l, ok := obj.(*widget.Label); ok {
			out = append(out, l.Text)
		}
	}
	return out
}

func orgHasLabel(o fyne.CanvasObject, text string) bool {
	for _, l := range orgLabels(o) {
		if l == text {
			return true
		}
	}
	return false
}

// The matrix in the window: on Organisatiegegevens every action is there
// for every role, enabled exactly where app/org allows it, and disabled
// with the matrix's reason beside it otherwise.
func TestOrganisationActionsFollowTheMatrix(t *testing.T) {
	for _, c := range []struct {
		role   org.Role
		active bool
	}{{org.BevoegdVertegenwoordiger, true}, {org.ContactpersoonAlle, true}, {org.ContactpersoonBasis, true}} {
		u := newOrgTestUI(t, c.role, c.active)
		s := u.newOrgScreen()
		content := s.build()
		u.win.SetContent(content)
		for _, a := range []struct {
			b    *button
			perm org.Permission
			err  error
		}{
			{s.changeForm, org.OpenChangeForm, org.Check(u.person, org.OpenChangeForm)},
			{s.managers, org.ChangeCertManagers, org.Check(u.person, org.ChangeCertManagers)},
		} {
			if (a.err == nil) != (c.active && org.Allowed(c.role, a.perm)) {
				t.Fatalf("%s: the window's check and the matrix disagree", a.perm)
			}
			if a.b.Disabled() != (a.err != nil) {
				t.Errorf("%s (active %v): %q disabled %v, matrix says %v", c.role, c.active, a.b.Text, a.b.Disabled(), a.err)
			}
			if a.err != nil {
				want := sentence(i18n.Localize(i18n.NL, a.err))
				if s.why[a.perm] == nil || s.why[a.perm].Text != want || !orgHasLabel(content, want) {
					t.Errorf("%s %s: reason %v, want %q", c.role, a.perm, s.why[a.perm], want)
				}
			} else if s.why[a.perm] != nil {
				t.Errorf("%s %s: a reason beside an enabled action: %q", c.role, a.perm, s.why[a.perm].Text)
			}
		}
		// Reports per person: every row offers them, under the matrix.
		repErr := org.Check(u.person, org.RequestPersonalReports)
		if len(s.reports) == 0 {
			t.Fatal("no report buttons")
		}
		for id, buttons := range s.reports {
			for _, b := range buttons {
				if b.Disabled() != (repErr != nil) {
					t.Errorf("%s: report %q of %s disabled %v", c.role, b.Text, id, b.Disabled())
				}
			}
		}
	}
	// The seed's own case: a Contactpersoon with basic rights sees the form
	// disabled and why.
	u := newOrgTestUI(t, org.ContactpersoonBasis, true)
	s := u.newOrgScreen()
	content := s.build()
	if !s.changeForm.Disabled() || !orgHasLabel(content, "Als Contactpersoon met basis autorisaties kunt u het wijzigingsformulier niet openen.") {
		t.Errorf("basic rights: form disabled %v, labels %v", s.changeForm.Disabled(), orgLabels(content))
	}
}

// A Certificaatbeheerder, or someone no longer active, does not log in;
// should one reach the screen, it shows why instead of the data.
func TestOrganisationViewNeedsTheMatrix(t *testing.T) {
	for _, c := range []struct {
		role   org.Role
		active bool
		want   string
	}{
		{org.Certificaatbeheerder, true, "Alleen de Bevoegd Vertegenwoordiger en Contactpersonen kunnen de organisatiegegevens inzien."},
		{org.ContactpersoonAlle, false, "Kees Jansen is niet (meer) actief geregistreerd."},
	} {
		u := newOrgTestUI(t, c.role, c.active)
		s := u.newOrgScreen()
		content := s.build()
		if !orgHasLabel(content, c.want) || orgHasLabel(content, "Gemeente Voorbeeldstad") {
			t.Errorf("%s: labels %v", c.role, orgLabels(content))
		}
	}
}

// 7.1: organisation and billing data, everyone grouped by role, active
// and inactive; a row expands to details, rights and reports.
func TestOrganisationShowsEveryoneByRole(t *testing.T) {
	u := newOrgTestUI(t, org.BevoegdVertegenwoordiger, true)
	s := u.newOrgScreen()
	content := s.build()
	u.shell("Organisatiegegevens", sectionOrganisation, content)
	u.win.Resize(fyne.NewSize(1180, 1400))
	for _, want := range []string{"Gemeente Voorbeeldstad", "100234", "Postbus 1234, 1000 AB Voorbeeldstad", "Crediteurenadministratie", "facturen@voorbeeldstad.nl"} {
		if !orgHasLabel(content, want) {
			t.Errorf("no %q on the screen", want)
		}
	}
	var titles []string
	for _, it := range s.people.Items {
		titles = append(titles, it.Title)
	}
	want := "Bevoegd Vertegenwoordiger (1 actief)|Contactpersonen met alle autorisaties (1 actief, 1 niet actief)|Contactpersonen met basis autorisaties (1 actief)|Certificaatbeheerders (2 actief)"
	if strings.Join(titles, "|") != want {
		t.Errorf("groups\n got %s\nwant %s", strings.Join(titles, "|"), want)
	}
	kees := personWith(t, u, org.ContactpersoonAlle, false)
	row := s.personItems[kees.ID]
	if row == nil || !strings.Contains(row.Items[0].Title, "Kees Jansen") || !strings.HasSuffix(row.Items[0].Title, "niet actief") {
		t.Fatalf("inactive row: %+v", row)
	}
	// Expand the basic contact's row: details, the matrix's row for the
	// role, and the reports of someone who orders.
	fatima := personWith(t, u, org.ContactpersoonBasis, true)
	s.people.Open(2)
	s.personItems[fatima.ID].Open(0)
	detail := s.personItems[fatima.ID].Items[0].Detail
	for _, want := range []string{"f.elamrani@voorbeeldstad.nl", "Applicatiebeheerder", "Contactpersoon (basis autorisaties)",
		"✗ Wijzigingsformulier openen", "✓ Certificaatbeheerders wijzigen", "✗ Opzeggen abonnement", "✓ Rapportages per persoon opvragen"} {
		if !orgHasLabel(detail, want) {
			t.Errorf("detail lacks %q: %v", want, orgLabels(detail))
		}
	}
	var reports []string
	for _, b := range s.reports[fatima.ID] {
		reports = append(reports, b.Text)
	}
	if strings.Join(reports, "|") != "Aangevraagde servercertificaten|Aangevraagde persoonlijke certificaten|Aangevraagde groepscertificaten|Aangevraagde eSeal certificaten" {
		t.Errorf("reports of a contact: %v", reports)
	}
	zoe := personWith(t, u, org.Certificaatbeheerder, true)
	reports = nil
	for _, b := range s.reports[zoe.ID] {
		reports = append(reports, b.Text)
	}
	if strings.Join(reports, "|") != "Beheerde servercertificaten|Beheerde groepscertificaten" {
		t.Errorf("reports of a manager: %v", reports)
	}
	if !orgHasLabel(s.personItems[zoe.ID].Items[0].Detail, "logt niet in") {
		t.Error("a manager's detail does not say they do not log in")
	}
	s.people.Close(2)
	s.people.Open(3)
	s.personItems[zoe.ID].Open(0)
	u.win.Content().Refresh()
	saveShot(t, u.win, "organisatiegegevens")
}

// 7.4 in the window: a person's report is the regular overview of its
// kind with the person's selection applied and the banner.
func TestPersonReportIsTheOverviewWithASelection(t *testing.T) {
	u := newOrgTestUI(t, org.ContactpersoonBasis, true)
	daan := personWith(t, u, org.ContactpersoonAlle, true)
	_, requested, err := u.core.PersonSelection(context.Background(), daan.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	r := app.PersonReport{Kind: "server"}
	rep, err := u.newReport(daan, r)
	if err != nil {
		t.Fatal(err)
	}
	u.shell("x", sectionOrganisation, rep.content)
	if rep.banner.Text != "Er is een selectie toegepast: certificaten aangevraagd door Daan Meijer" {
		t.Errorf("banner %q", rep.banner.Text)
	}
	want := 0
	for _, c := range u.core.Inventory.Query(inventory.Query{Kind: r.Kind, Status: inventory.FilterAll}).Rows {
		if requested[c.SHA256] {
			want++
		}
	}
	rows := rep.overview.view.Rows
	if len(rows) != want || want == 0 {
		t.Errorf("%d rows, Daan requested %d server certificates", len(rows), want)
	}
	for _, c := range rows {
		if !requested[c.SHA256] || c.Kind != r.Kind {
			t.Errorf("row %s (%s) is not in the selection", c.CommonName, c.Kind)
		}
	}
	// The overview's own filters work within the selection.
	rep.overview.status.SetSelected("Geldig")
	for _, c := range rep.overview.view.Rows {
		if !requested[c.SHA256] {
			t.Errorf("filtered row %s is not in the selection", c.CommonName)
		}
	}
	saveShot(t, u.win, "rapportage")
}

// Every cell of the matrix in the window: each person's row shows the
// matrix's row for their role, permission by permission, exactly as
// app/org has it (a Certificaatbeheerder's says they do not log in).
func TestEveryMatrixCellInThePersonRows(t *testing.T) {
	u := newOrgTestUI(t, org.BevoegdVertegenwoordiger, true)
	s := u.newOrgScreen()
	u.shell("Organisatiegegevens", sectionOrganisation, s.build())
	for group, role := range []org.Role{org.BevoegdVertegenwoordiger, org.ContactpersoonAlle, org.ContactpersoonBasis, org.Certificaatbeheerder} {
		p := personWith(t, u, role, true)
		s.people.Open(group)
		s.personItems[p.ID].Open(0)
		detail := s.personItems[p.ID].Items[0].Detail
		for _, perm := range org.Permissions() {
			name := i18n.T(i18n.NL, "perm."+string(perm))
			yes, no := orgHasLabel(detail, "✓ "+name), orgHasLabel(detail, "✗ "+name)
			switch {
			case role == org.Certificaatbeheerder:
				if yes {
					t.Errorf("%s: a certificate manager may %s", p.Name, perm)
				}
			case yes == no:
				t.Errorf("%s (%s): %s shown %v/%v", p.Name, role, perm, yes, no)
			case yes != org.Allowed(role, perm):
				t.Errorf("%s (%s): the window says %s is %v, the matrix %v", p.Name, role, perm, yes, org.Allowed(role, perm))
			}
		}
		if role == org.Certificaatbeheerder && !orgHasLabel(detail, "Een Certificaatbeheerder logt niet in; hij of zij is verantwoordelijk voor server- en groepscertificaten.") {
			t.Errorf("manager's rights: %v", orgLabels(detail))
		}
		s.people.Close(group)
	}
}
