package screens

import (
	"context"
	"fmt"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
)

// orgScreen is Organisatiegegevens (manual 7.1): the organisation and
// billing data, the change forms in progress, and everyone registered,
// grouped by role, active and inactive; each person expands to their
// details, rights and reports. Actions the logged-in person may not take
// are shown disabled with the matrix's reason, never hidden.
type orgScreen struct {
	u   *ui
	reg app.Register

	changeForm, managers *button
	// why holds the reason beside each disabled action, by permission.
	why    map[org.Permission]*widget.Label
	people *widget.Accordion
	// personItems are each person's expanding row, by ID.
	personItems map[string]*widget.Accordion
	// reports are the report buttons of each person, by ID.
	reports map[string][]*button
}

// showOrganisation opens the organisation data from the menu.
func (u *ui) showOrganisation() {
	u.open(place{id: "organisation", section: sectionOrganisation, title: func() string { return u.tr("Organisatiegegevens", "Organisation data") }, show: u.drawOrganisation})
}

func (u *ui) drawOrganisation() {
	s := u.newOrgScreen()
	u.shell(u.tr("Organisatiegegevens", "Organisation data"), sectionOrganisation, s.build())
}

func (u *ui) newOrgScreen() *orgScreen {
	s := &orgScreen{u: u, why: map[org.Permission]*widget.Label{}, personItems: map[string]*widget.Accordion{}, reports: map[string][]*button{}}
	reg, err := u.core.Register(context.Background())
	if err != nil {
		s.reg = app.Register{}
		s.why["load"] = reasonLabel(i18n.Localize(u.lang, err))
		return s
	}
	s.reg = reg
	return s
}

// reasonLabel is the italic text beside a disabled action.
func reasonLabel(text string) *widget.Label {
	l := widget.NewLabel(sentence(text))
	l.TextStyle = fyne.TextStyle{Italic: true}
	l.Wrapping = fyne.TextWrapWord
	return l
}

// guard enables an action, or disables it and returns its reason label.
func (s *orgScreen) guard(b *button, perm org.Permission, err error) {
	if err == nil {
		b.Enable()
		return
	}
	b.Disable()
	s.why[perm] = reasonLabel(i18n.Localize(s.u.lang, err))
}

func (s *orgScreen) build() fyne.CanvasObject {
	u := s.u
	title := widget.NewLabelWithStyle(u.tr("Organisatiegegevens", "Organisation data"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	if err := org.Check(u.person, org.ViewOrganisation); err != nil {
		s.why[org.ViewOrganisation] = reasonLabel(i18n.Localize(u.lang, err))
		return container.NewVBox(title, s.why[org.ViewOrganisation])
	}
	if l, ok := s.why["load"]; ok {
		return container.NewVBox(title, l)
	}
	o := s.reg.Organisation

	s.changeForm = u.newButton(u.tr("Wijzigingsformulier", "Change form"), func() { u.showChangeForm() })
	s.guard(s.changeForm, org.OpenChangeForm, org.Check(u.person, org.OpenChangeForm))
	s.managers = u.newButton(u.tr("Certificaatbeheerders wijzigen", "Change certificate managers"), func() { u.showManagersForm() })
	s.guard(s.managers, org.ChangeCertManagers, org.CheckManagersForm(u.person, s.reg.People))
	actions := container.NewVBox(container.NewHBox(s.changeForm, s.managers))
	for _, p := range []org.Permission{org.OpenChangeForm, org.ChangeCertManagers} {
		if l, ok := s.why[p]; ok {
			actions.Add(l)
		}
	}
	if !o.CancelledAt.IsZero() {
		l := widget.NewLabel(fmt.Sprintf(u.tr("Het abonnement is opgezegd per %s.", "The subscription was cancelled as of %s."), o.CancelledAt.Local().Format("02-01-2006")))
		l.Importance = widget.DangerImportance
		actions.Add(l)
	}

	value := func(v string) *widget.Label {
		l := widget.NewLabel(printableLines(v))
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	orgData := widget.NewForm(
		widget.NewFormItem(u.tr("Organisatienaam", "Organisation name"), value(o.Name)),
		widget.NewFormItem(u.tr("Abonneenummer", "Subscriber number"), value(o.SubscriberNumber)),
		widget.NewFormItem("OIN", value(o.OIN)),
		widget.NewFormItem(u.tr("KvK-nummer", "KvK number"), value(o.KvK)),
		widget.NewFormItem(u.tr("Bezoekadres", "Visiting address"), value(o.Address)),
		widget.NewFormItem(u.tr("Postadres", "Postal address"), value(o.PostalAddress)),
		widget.NewFormItem(u.tr("Telefoon", "Telephone"), value(o.Phone)),
		widget.NewFormItem(u.tr("E-mailadres", "E-mail address"), value(o.Email)),
	)
	billing := widget.NewForm(
		widget.NewFormItem(u.tr("Factuuradres", "Billing address"), value(o.BillingAddress)),
		widget.NewFormItem(u.tr("Ter attentie van", "For the attention of"), value(o.BillingAttention)),
		widget.NewFormItem(u.tr("Referentie / kostenplaats", "Reference / cost centre"), value(o.BillingReference)),
		widget.NewFormItem(u.tr("E-mailadres voor facturen", "E-mail address for invoices"), value(o.BillingEmail)),
	)
	data := container.NewGridWithColumns(2,
		widget.NewCard("", u.tr("Organisatiegegevens", "Organisation data"), orgData),
		widget.NewCard("", u.tr("Facturatiegegevens", "Billing data"), billing))

	body := container.NewVBox(title, actions, data)
	if pending := s.pendingBox(); pending != nil {
		body.Add(pending)
	}
	body.Add(widget.NewLabelWithStyle(u.tr("Geregistreerde personen", "Registered people"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	s.people = widget.NewAccordion()
	s.people.MultiOpen = true
	for _, g := range org.Grouped(s.reg.People) {
		s.people.Append(widget.NewAccordionItem(s.groupTitle(g), s.groupContent(g)))
	}
	body.Add(s.people)
	return container.NewVScroll(body)
}

// groupTitle is a role with its number of active and inactive people.
func (s *orgScreen) groupTitle(g org.Group) string {
	active := 0
	for _, p := range g.People {
		if p.Active {
			active++
		}
	}
	name := map[org.Role][2]string{
		org.BevoegdVertegenwoordiger: {"Bevoegd Vertegenwoordiger", "Authorised representative"},
		org.ContactpersoonAlle:       {"Contactpersonen met alle autorisaties", "Contact persons with full rights"},
		org.ContactpersoonBasis:      {"Contactpersonen met basis autorisaties", "Contact persons with basic rights"},
		org.Certificaatbeheerder:     {"Certificaatbeheerders", "Certificate managers"},
	}[g.Role]
	t := fmt.Sprintf("%s (%d %s", s.u.tr(name[0], name[1]), active, s.u.tr("actief", "active"))
	if n := len(g.People) - active; n > 0 {
		t += fmt.Sprintf(", %d %s", n, s.u.tr("niet actief", "inactive"))
	}
	return t + ")"
}

func (s *orgScreen) groupContent(g org.Group) fyne.CanvasObject {
	if len(g.People) == 0 {
		return widget.NewLabel(s.u.tr("Niemand geregistreerd.", "No one registered."))
	}
	box := container.NewVBox()
	for _, p := range g.People {
		item := widget.NewAccordion(widget.NewAccordionItem(s.personTitle(p), s.personDetail(p)))
		s.personItems[p.ID] = item
		box.Add(item)
	}
	// Indented, so that a person's row reads as part of its role.
	indent := canvas.NewRectangle(color.Transparent)
	indent.SetMinSize(fyne.NewSize(24, 0))
	return container.NewBorder(nil, nil, indent, nil, box)
}

// personTitle is the collapsed row: name, e-mail, state, a pending change.
func (s *orgScreen) personTitle(p org.Person) string {
	state := s.u.tr("actief", "active")
	if !p.Active {
		state = s.u.tr("niet actief", "inactive")
	}
	t := cert.Printable(p.Name) + " · " + cert.Printable(p.Email) + " · " + state
	if pend := s.reg.PendingFor(p.ID); len(pend) > 0 {
		t += " · " + fmt.Sprintf(s.u.tr("wijziging in behandeling (%s)", "change pending (%s)"), pend[0].Number)
	}
	return t
}

func (s *orgScreen) personDetail(p org.Person) fyne.CanvasObject {
	u := s.u
	state := u.tr("actief", "active")
	if !p.Active {
		state = u.tr("niet actief", "inactive")
	}
	var ways []string
	switch n := len(p.CertFingerprints); {
	case n == 1:
		ways = append(ways, u.tr("1 inlogcertificaat gekoppeld", "1 login certificate linked"))
	case n > 1:
		ways = append(ways, fmt.Sprintf(u.tr("%d inlogcertificaten gekoppeld", "%d login certificates linked"), n))
	}
	if p.SubjectSerial != "" {
		ways = append(ways, u.tr("herkend aan serialNumber ", "recognised by serialNumber ")+cert.Printable(p.SubjectSerial))
	}
	login := u.tr("met het e-mailadres in het certificaat", "by the e-mail address in the certificate")
	if len(ways) > 0 {
		login = strings.Join(ways, " · ")
	}
	if p.Role == org.Certificaatbeheerder {
		login = u.tr("logt niet in", "does not log in")
	}
	details := widget.NewForm(
		widget.NewFormItem(u.tr("Naam", "Name"), widget.NewLabel(cert.Printable(p.Name))),
		widget.NewFormItem(u.tr("E-mailadres", "E-mail address"), widget.NewLabel(cert.Printable(p.Email))),
		widget.NewFormItem(u.tr("Telefoon", "Telephone"), widget.NewLabel(cert.Printable(p.Phone))),
		widget.NewFormItem(u.tr("Functie", "Function"), widget.NewLabel(cert.Printable(p.Function))),
		widget.NewFormItem(u.tr("Rol", "Role"), widget.NewLabel(i18n.T(u.lang, "role."+string(p.Role)))),
		widget.NewFormItem(u.tr("Status", "Status"), widget.NewLabel(state)),
		widget.NewFormItem(u.tr("Inloggen", "Login"), widget.NewLabel(login)),
	)
	for _, c := range s.reg.PendingFor(p.ID) {
		details.Append(u.tr("In behandeling", "Pending"), widget.NewLabel(fmt.Sprintf(u.tr("%s, ondertekend op %s; wordt van kracht na bevestiging door KPN", "%s, signed on %s; takes effect when KPN confirms it"),
			c.Number, c.Created.Local().Format("02-01-2006 15:04"))))
	}

	// Rights: the matrix's row for this person's role (seed 7.2: "De
	// autorisaties van een Contactpersoon zijn in te zien bij de details").
	rights := container.NewVBox()
	if p.Role == org.Certificaatbeheerder {
		l := widget.NewLabel(u.tr("Een Certificaatbeheerder logt niet in; hij of zij is verantwoordelijk voor server- en groepscertificaten.",
			"A certificate manager does not log in; they are responsible for server and group certificates."))
		l.Wrapping = fyne.TextWrapWord
		rights.Add(l)
	} else {
		for _, perm := range org.Permissions() {
			mark := "✗ "
			if org.Allowed(p.Role, perm) {
				mark = "✓ "
			}
			rights.Add(widget.NewLabel(mark + i18n.T(u.lang, "perm."+string(perm))))
		}
	}

	reports := container.NewGridWrap(fyne.NewSize(300, 36))
	reportErr := org.Check(u.person, org.RequestPersonalReports)
	for _, r := range app.PersonReports(p.Role) {
		r := r
		b := u.newButton(reportTitle(u, r), func() { u.showPersonReport(p, r) })
		if reportErr != nil {
			b.Disable()
		}
		reports.Add(b)
		s.reports[p.ID] = append(s.reports[p.ID], b)
	}
	reportBox := container.NewVBox(reports)
	if reportErr != nil {
		reportBox.Add(reasonLabel(i18n.Localize(u.lang, reportErr)))
	}
	return container.NewVBox(details,
		widget.NewLabelWithStyle(u.tr("Autorisaties", "Rights"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), rights,
		widget.NewLabelWithStyle(u.tr("Rapportages", "Reports"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), reportBox)
}

// pendingBox lists the change forms sent and not yet confirmed.
func (s *orgScreen) pendingBox() fyne.CanvasObject {
	pending := s.reg.Pending()
	if len(pending) == 0 {
		return nil
	}
	u := s.u
	box := container.NewVBox(widget.NewLabelWithStyle(u.tr("Wijzigingen in behandeling", "Changes pending"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	for _, c := range pending {
		c := c
		var sections []string
		for _, sec := range c.Sections {
			sections = append(sections, sectionTitle(u, sec))
		}
		line := widget.NewLabel(fmt.Sprintf("%s · %s · %s %s", c.Number, strings.Join(sections, ", "), u.tr("ondertekend door", "signed by"), cert.Printable(c.By.Name)))
		box.Add(container.NewBorder(nil, nil, nil, container.NewHBox(
			u.newButton(u.tr("Bekijken", "View"), func() { u.showChange(c.Number) })), line))
	}
	return widget.NewCard("", "", box)
}

// backButton returns to where the user came from, naming it.
func (u *ui) backButton() *button {
	return u.newButton("← "+i18n.T(u.lang, "window.back_to", u.backTitle()), u.back)
}

// orgPlace is a screen opened from Organisatiegegevens: Escape leaves it.
func (u *ui) orgPlace(id, title string, show func()) place {
	return place{id: id, section: sectionOrganisation, title: func() string { return title }, show: show, closable: true}
}

// returnToOrganisation goes back to Organisatiegegevens after a form,
// drawn anew; without it on the way back, it opens it.
func (u *ui) returnToOrganisation() {
	if len(u.history) > 0 && u.history[len(u.history)-1].id == "organisation" {
		u.back()
		return
	}
	u.showOrganisation()
}
