package screens

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/org"
	"pkiodesk/smartcard"
)

// changeDraft is the change form as typed: it outlives the screen (a
// pulled card, a look at another screen) but never leaves memory, because
// it can hold copies of ID documents.
type changeDraft struct {
	draft  org.ChangeDraft
	copies []app.IDCopy
	// bvExisting is the contact chosen as new BV; empty: someone new.
	bvExisting string
	// owner is the person who wrote it (org.Person.ID).
	owner string
	// chosen is the ID copy chosen in the open contact dialog, not (yet)
	// put in the form: wiped when the dialog is cancelled, another file
	// is chosen, or the session ends.
	chosen []byte
}

// changeForm is "Wijzigen organisatiegegevens" (manual 7.2): choose the
// sections, everything pre-filled with today's data, ID copies for new
// contact persons, signed with the card.
type changeForm struct {
	u   *ui
	reg app.Register
	d   *changeDraft

	checks map[org.Section]*widget.Check
	why    map[org.Section]*widget.Label
	panels map[org.Section]fyne.CanvasObject

	contactsBox *fyne.Container
	problem     *widget.Label
	submit      *button
	body        *fyne.Container
	// confirmDialog is the open confirmation step (tests).
	confirmDialog *openDialog
	// pinPrompt answers a per-signature PIN request (tests set it).
	pinPrompt smartcard.PINPrompt
}

// sectionTitle names a section of the change form.
func sectionTitle(u *ui, s org.Section) string { return i18n.T(u.lang, "section."+string(s)) }

// showChangeForm opens the change form, when the matrix lets the user.
func (u *ui) showChangeForm() {
	title := u.tr("Wijzigen organisatiegegevens", "Change organisation data")
	u.open(u.orgPlace("change-form", title, func() {
		f, err := u.newChangeForm()
		if err != nil {
			u.shell(title, sectionOrganisation, container.NewVBox(sectionHeading(title), reasonLabel(i18n.Localize(u.lang, err)), container.NewHBox(u.backButton())))
			return
		}
		u.shell(title, sectionOrganisation, f.build())
	}))
}

func (u *ui) newChangeForm() (*changeForm, error) {
	if err := org.Check(u.person, org.OpenChangeForm); err != nil {
		return nil, err
	}
	reg, err := u.core.Register(context.Background())
	if err != nil {
		return nil, err
	}
	// A draft is its writer's: the next card holder starts afresh.
	if u.change != nil && u.change.owner != u.person.ID {
		u.change.wipe()
		u.change = nil
	}
	if u.change == nil {
		u.change = &changeDraft{draft: org.NewDraft(reg.Organisation), owner: u.person.ID}
	}
	return &changeForm{u: u, reg: reg, d: u.change, checks: map[org.Section]*widget.Check{}, why: map[org.Section]*widget.Label{}, panels: map[org.Section]fyne.CanvasObject{}}, nil
}

func sectionHeading(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func wrappedLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

func (f *changeForm) build() fyne.CanvasObject {
	u := f.u
	intro := wrappedLabel(u.tr(
		"Kies de rubrieken die u wilt wijzigen; alle gegevens zijn al gevuld met de huidige registratie. Voeg voor elke nieuwe Contactpersoon een digitale kopie van het identiteitsbewijs toe. U ondertekent het formulier elektronisch met uw kaart. De wijziging wordt van kracht zodra KPN haar bevestigt; tot dan staat zij als 'in behandeling' bij de personen.",
		"Choose the sections you want to change; every field already holds today's registration. Add a digital copy of the ID document for every new contact person. You sign the form electronically with your card. The change takes effect once KPN confirms it; until then it shows as 'pending' with the people."))
	sections := container.NewVBox()
	for _, s := range org.Sections {
		s := s
		c := widget.NewCheck(sectionTitle(u, s), func(on bool) { f.toggle(s, on) })
		c.Checked = slices.Contains(f.d.draft.Sections, s)
		f.checks[s] = c
		f.why[s] = reasonLabel("")
		f.why[s].Hide()
		sections.Add(container.NewVBox(c, f.why[s]))
	}
	f.panels[org.SectionOrganisation] = f.organisationPanel()
	f.panels[org.SectionBilling] = f.billingPanel()
	f.panels[org.SectionContacts] = f.contactsPanel()
	f.panels[org.SectionBV] = f.bvPanel()
	f.panels[org.SectionCancel] = f.cancelPanel()

	f.problem = wrappedLabel("")
	f.problem.Importance = widget.DangerImportance
	f.submit = u.newButton(u.tr("Controleren en ondertekenen", "Check and sign"), f.check)
	f.submit.Importance = widget.HighImportance
	cancel := u.newButton(u.tr("Formulier leegmaken", "Clear the form"), func() {
		f.d.wipe()
		u.change = nil
		u.here.show()
	})
	back := u.backButton()

	f.body = container.NewVBox(sectionHeading(u.tr("Wijzigen organisatiegegevens", "Change organisation data")), intro,
		widget.NewCard("", u.tr("Rubrieken", "Sections"), sections))
	for _, s := range org.Sections {
		f.body.Add(f.panels[s])
	}
	f.body.Add(f.problem)
	f.body.Add(container.NewHBox(back, cancel, f.submit))
	f.refresh()
	return container.NewVScroll(f.body)
}

// toggle chooses or drops a section.
func (f *changeForm) toggle(s org.Section, on bool) {
	d := &f.d.draft
	d.Sections = slices.DeleteFunc(d.Sections, func(x org.Section) bool { return x == s })
	if on {
		d.Sections = append(d.Sections, s)
	}
	f.refresh()
}

// refresh shows each chosen section's panel, and disables with the reason
// each section the user may not add: the matrix, and the seed's rules
// between sections.
func (f *changeForm) refresh() {
	u := f.u
	chosen := f.d.draft.Sections
	for _, s := range org.Sections {
		c := f.checks[s]
		err := org.CheckSection(u.person, s, slices.DeleteFunc(slices.Clone(chosen), func(x org.Section) bool { return x == s }))
		on := slices.Contains(chosen, s)
		if err != nil && !on {
			c.Disable()
			f.why[s].SetText(sentence(i18n.Localize(u.lang, err)))
			f.why[s].Show()
		} else {
			c.Enable()
			f.why[s].Hide()
		}
		if c.Checked != on {
			c.SetChecked(on)
		}
		if on {
			f.panels[s].Show()
		} else {
			f.panels[s].Hide()
		}
	}
	if f.problem != nil {
		f.problem.SetText("")
	}
	if f.body != nil {
		f.body.Refresh()
	}
}

// bound is an entry that writes into the draft as the user types.
func bound(value *string, multiLine bool) *widget.Entry {
	e := widget.NewEntry()
	if multiLine {
		e = widget.NewMultiLineEntry()
		e.SetMinRowsVisible(2)
		e.Wrapping = fyne.TextWrapWord
	}
	e.SetText(*value)
	e.OnChanged = func(s string) { *value = s }
	return e
}

func (f *changeForm) organisationPanel() fyne.CanvasObject {
	u, o := f.u, &f.d.draft.Organisation
	sub := widget.NewLabel(f.reg.Organisation.SubscriberNumber)
	form := widget.NewForm(
		widget.NewFormItem(u.tr("Organisatienaam", "Organisation name"), bound(&o.Name, false)),
		widget.NewFormItem(u.tr("Abonneenummer", "Subscriber number"), sub),
		widget.NewFormItem("OIN", bound(&o.OIN, false)),
		widget.NewFormItem(u.tr("KvK-nummer", "KvK number"), bound(&o.KvK, false)),
		widget.NewFormItem(u.tr("Bezoekadres", "Visiting address"), bound(&o.Address, true)),
		widget.NewFormItem(u.tr("Postadres", "Postal address"), bound(&o.PostalAddress, true)),
		widget.NewFormItem(u.tr("Telefoon", "Telephone"), bound(&o.Phone, false)),
		widget.NewFormItem(u.tr("E-mailadres", "E-mail address"), bound(&o.Email, false)),
	)
	return widget.NewCard("", sectionTitle(u, org.SectionOrganisation), form)
}

func (f *changeForm) billingPanel() fyne.CanvasObject {
	u, o := f.u, &f.d.draft.Organisation
	form := widget.NewForm(
		widget.NewFormItem(u.tr("Factuuradres", "Billing address"), bound(&o.BillingAddress, true)),
		widget.NewFormItem(u.tr("Ter attentie van", "For the attention of"), bound(&o.BillingAttention, false)),
		widget.NewFormItem(u.tr("Referentie / kostenplaats", "Reference / cost centre"), bound(&o.BillingReference, false)),
		widget.NewFormItem(u.tr("E-mailadres voor facturen", "E-mail address for invoices"), bound(&o.BillingEmail, false)),
	)
	return widget.NewCard("", sectionTitle(u, org.SectionBilling), form)
}

// contactsPanel lists today's contact persons with what the form does to
// each, the ones the form adds, and the button to add one.
func (f *changeForm) contactsPanel() fyne.CanvasObject {
	u := f.u
	f.contactsBox = container.NewVBox()
	add := widget.NewButton(u.tr("Nieuwe Contactpersoon toevoegen…", "Add a new contact person…"), func() { f.contactDialog(-1, org.Person{Role: org.ContactpersoonBasis}) })
	f.fillContacts()
	return widget.NewCard("", sectionTitle(u, org.SectionContacts), container.NewVBox(f.contactsBox, container.NewHBox(add)))
}

// contactIndex is where the draft changes a person, or -1.
func (f *changeForm) contactIndex(id string) int {
	for i, c := range f.d.draft.Contacts {
		if c.Person.ID == id && id != "" {
			return i
		}
	}
	return -1
}

func (f *changeForm) fillContacts() {
	u := f.u
	box := f.contactsBox
	box.RemoveAll()
	for _, g := range org.Grouped(f.reg.People) {
		if g.Role != org.ContactpersoonAlle && g.Role != org.ContactpersoonBasis {
			continue
		}
		for _, p := range g.People {
			if !p.Active {
				continue
			}
			p := p
			line := cert.Printable(p.Name) + " · " + cert.Printable(p.Email) + " · " + i18n.T(u.lang, "role."+string(p.Role))
			var actions *fyne.Container
			if i := f.contactIndex(p.ID); i >= 0 {
				what := u.tr("wordt gewijzigd", "to be changed")
				if f.d.draft.Contacts[i].Action == org.ContactDeactivate {
					what = u.tr("wordt gedeactiveerd", "to be deactivated")
				}
				line += " — " + what
				actions = container.NewHBox(widget.NewButton(u.tr("Ongedaan maken", "Undo"), func() { f.dropContact(i) }))
			} else {
				actions = container.NewHBox(
					widget.NewButton(u.tr("Wijzigen…", "Change…"), func() { f.contactDialog(-1, p) }),
					widget.NewButton(u.tr("Deactiveren", "Deactivate"), func() {
						f.d.draft.Contacts = append(f.d.draft.Contacts, org.ContactChange{Action: org.ContactDeactivate, Person: p})
						f.fillContacts()
					}))
			}
			box.Add(container.NewBorder(nil, nil, nil, actions, wrappedLabel(line)))
		}
	}
	for i, c := range f.d.draft.Contacts {
		if c.Action != org.ContactAdd {
			continue
		}
		i, c := i, c
		idText := u.tr("nog geen kopie identiteitsbewijs", "no copy of an ID document yet")
		for _, cp := range f.d.copies {
			if cp.Contact == i {
				idText = fmt.Sprintf(u.tr("kopie identiteitsbewijs: %s (%d kB)", "copy of ID document: %s (%d kB)"), cert.Printable(cp.Name), (len(cp.Data)+1023)/1024)
			}
		}
		line := wrappedLabel(u.tr("Nieuw: ", "New: ") + cert.Printable(c.Person.Name) + " · " + cert.Printable(c.Person.Email) + " · " + i18n.T(u.lang, "role."+string(c.Person.Role)) + " · " + idText)
		box.Add(container.NewBorder(nil, nil, nil, container.NewHBox(
			widget.NewButton(u.tr("Wijzigen…", "Change…"), func() { f.contactDialog(i, c.Person) }),
			widget.NewButton(u.tr("Verwijderen", "Remove"), func() { f.dropContact(i) })), line))
	}
	box.Refresh()
	if f.body != nil {
		f.body.Refresh()
	}
}

// dropContact takes a contact change out of the form, with its ID copy.
func (f *changeForm) dropContact(i int) {
	d := f.d
	d.draft.Contacts = slices.Delete(d.draft.Contacts, i, i+1)
	var kept []app.IDCopy
	for _, c := range d.copies {
		switch {
		case c.Contact == i:
			clear(c.Data)
		case c.Contact > i:
			c.Contact--
			kept = append(kept, c)
		default:
			kept = append(kept, c)
		}
	}
	d.copies = kept
	f.fillContacts()
}

// setIDCopy attaches an ID copy to the new contact at index i, replacing
// an earlier one.
func (f *changeForm) setIDCopy(i int, name string, data []byte) error {
	if _, err := org.ValidateIDCopy(name, data); err != nil {
		return err
	}
	d := f.d
	d.copies = slices.DeleteFunc(d.copies, func(c app.IDCopy) bool {
		if c.Contact == i {
			clear(c.Data)
			return true
		}
		return false
	})
	d.copies = append(d.copies, app.IDCopy{Contact: i, Name: name, Data: data})
	return nil
}

// contactDialog adds a contact (index -1 and no ID), changes a new one
// (index >= 0), or records a change of an existing one (ID set).
func (f *changeForm) contactDialog(index int, p org.Person) {
	u := f.u
	isNew := index >= 0 || p.ID == ""
	name, email, phone, function := widget.NewEntry(), widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	name.SetText(p.Name)
	email.SetText(p.Email)
	phone.SetText(p.Phone)
	function.SetText(p.Function)
	rights := widget.NewRadioGroup([]string{i18n.T(u.lang, "role.contactpersoon-alle"), i18n.T(u.lang, "role.contactpersoon-basis")}, nil)
	rights.SetSelected(i18n.T(u.lang, "role."+string(p.Role)))
	items := []*widget.FormItem{
		widget.NewFormItem(u.tr("Naam", "Name"), name), widget.NewFormItem(u.tr("E-mailadres", "E-mail address"), email),
		widget.NewFormItem(u.tr("Telefoon", "Telephone"), phone), widget.NewFormItem(u.tr("Functie", "Function"), function),
		widget.NewFormItem(u.tr("Autorisaties", "Rights"), rights),
	}
	// A copy chosen in an earlier dialog that was closed otherwise.
	f.d.dropChosen()
	chosenName := ""
	idLabel := widget.NewLabel(u.tr("nog niet gekozen", "not chosen yet"))
	if isNew {
		for _, c := range f.d.copies {
			if c.Contact == index && index >= 0 {
				idLabel.SetText(cert.Printable(c.Name))
			}
		}
		choose := u.newButton(u.tr("Kopie identiteitsbewijs kiezen…", "Choose a copy of the ID document…"), func() {
			u.openFiles(openRequest{
				title:  u.tr("Kopie identiteitsbewijs", "Copy of ID document"),
				filter: []fileFilter{{u.tr("PDF of foto", "PDF or photo"), []string{"*.pdf", "*.jpg", "*.jpeg", "*.png"}}, {i18n.T(u.lang, "window.filter_all"), []string{"*"}}},
				read: func(in []inventory.Input) {
					if len(in) != 1 {
						for _, x := range in {
							clear(x.Data)
						}
						return
					}
					f.d.dropChosen()
					chosenName = ""
					if _, err := org.ValidateChosenIDCopy(in[0].Name, in[0].Data, in[0].Err); err != nil {
						clear(in[0].Data)
						idLabel.SetText(sentence(i18n.Localize(u.lang, err)))
						return
					}
					chosenName, f.d.chosen = in[0].Name, in[0].Data
					idLabel.SetText(cert.Printable(baseName(in[0].Name)))
				},
			})
		})
		items = append(items, widget.NewFormItem(u.tr("Kopie identiteitsbewijs", "Copy of ID document"), container.NewVBox(choose, idLabel)))
	}
	title := u.tr("Contactpersoon wijzigen", "Change contact person")
	if isNew {
		title = u.tr("Nieuwe Contactpersoon", "New contact person")
	}
	put := func() {
		next := p
		next.Name, next.Email, next.Phone, next.Function = name.Text, email.Text, phone.Text, function.Text
		next.Role = org.ContactpersoonBasis
		if rights.Selected == i18n.T(u.lang, "role.contactpersoon-alle") {
			next.Role = org.ContactpersoonAlle
		}
		switch {
		case index >= 0:
			f.d.draft.Contacts[index].Person = next
		case isNew:
			f.d.draft.Contacts = append(f.d.draft.Contacts, org.ContactChange{Action: org.ContactAdd, Person: next})
			index = len(f.d.draft.Contacts) - 1
		default:
			f.d.draft.Contacts = append(f.d.draft.Contacts, org.ContactChange{Action: org.ContactUpdate, Person: next})
		}
		if data := f.d.chosen; data != nil {
			f.d.chosen = nil // the form holds it now
			if f.setIDCopy(index, baseName(chosenName), data) != nil {
				clear(data)
			}
		}
		f.fillContacts()
	}
	u.showDialog(title, widget.NewForm(items...),
		dialogButton{label: u.tr("Annuleren", "Cancel"), isCancel: true, action: f.d.dropChosen},
		dialogButton{label: u.tr("Opnemen in het formulier", "Put in the form"), importance: widget.HighImportance, isDefault: true, action: put})
}

// bvPanel: a new Bevoegd Vertegenwoordiger, an existing contact or
// someone new; the form is printed and signed by hand by both.
func (f *changeForm) bvPanel() fyne.CanvasObject {
	u := f.u
	d := &f.d.draft
	if d.NewBV == nil {
		d.NewBV = &org.NewBV{CurrentStaysAs: org.ContactpersoonAlle}
	}
	nb := d.NewBV
	note := wrappedLabel(u.tr(
		"Bij het opvoeren van een nieuwe Bevoegd Vertegenwoordiger wordt het formulier uitgeprint en met de hand ondertekend door u en de nieuwe Bevoegd Vertegenwoordiger. In hetzelfde formulier kunt u geen wijzigingen in Contactpersonen doorgeven.",
		"When you register a new authorised representative, the form is printed and signed by hand by you and the new authorised representative. You cannot change contact persons in the same form."))
	note.Importance = widget.WarningImportance
	current, _ := org.ActiveBV(f.reg.People)
	currentForm := widget.NewForm(
		widget.NewFormItem(u.tr("Naam", "Name"), widget.NewLabel(cert.Printable(current.Name))),
		widget.NewFormItem(u.tr("E-mailadres", "E-mail address"), widget.NewLabel(cert.Printable(current.Email))),
		widget.NewFormItem(u.tr("Telefoon", "Telephone"), widget.NewLabel(cert.Printable(current.Phone))))

	var contacts []org.Person
	var labels []string
	for _, p := range f.reg.People {
		if p.Active && (p.Role == org.ContactpersoonAlle || p.Role == org.ContactpersoonBasis) {
			contacts = append(contacts, p)
			labels = append(labels, cert.Printable(p.Name)+" · "+cert.Printable(p.Email))
		}
	}
	existing := u.newSelect(labels, func(string) {})
	newPerson := widget.NewForm(
		widget.NewFormItem(u.tr("Naam", "Name"), bound(&nb.Person.Name, false)),
		widget.NewFormItem(u.tr("E-mailadres", "E-mail address"), bound(&nb.Person.Email, false)),
		widget.NewFormItem(u.tr("Telefoon", "Telephone"), bound(&nb.Person.Phone, false)),
		widget.NewFormItem(u.tr("Functie", "Function"), bound(&nb.Person.Function, false)))
	who := widget.NewRadioGroup([]string{u.tr("Een bestaande Contactpersoon", "An existing contact person"), u.tr("Iemand nieuw", "Someone new")}, nil)
	who.OnChanged = func(string) {
		if radioIndex(who) == 0 {
			existing.Show()
			newPerson.Hide()
			if i := existing.SelectedIndex(); i >= 0 {
				f.d.bvExisting = contacts[i].ID
			}
		} else {
			existing.Hide()
			newPerson.Show()
			f.d.bvExisting = ""
		}
		if f.body != nil {
			f.body.Refresh()
		}
	}
	existing.OnChanged = func(string) {
		if i := existing.SelectedIndex(); i >= 0 {
			f.d.bvExisting = contacts[i].ID
		}
	}
	for i, p := range contacts {
		if p.ID == f.d.bvExisting {
			existing.SetSelectedIndex(i)
		}
	}
	if f.d.bvExisting != "" {
		who.SetSelected(who.Options[0])
	} else {
		who.SetSelected(who.Options[1])
	}
	stays := widget.NewRadioGroup([]string{i18n.T(u.lang, "role.contactpersoon-alle"), u.tr("niet meer actief", "no longer active")}, func(s string) {
		if s == i18n.T(u.lang, "role.contactpersoon-alle") {
			nb.CurrentStaysAs = org.ContactpersoonAlle
		} else {
			nb.CurrentStaysAs = ""
		}
	})
	if nb.CurrentStaysAs == "" {
		stays.SetSelected(stays.Options[1])
	} else {
		stays.SetSelected(stays.Options[0])
	}
	return widget.NewCard("", sectionTitle(u, org.SectionBV), container.NewVBox(note,
		sectionHeading(u.tr("Huidige Bevoegd Vertegenwoordiger", "Current authorised representative")), currentForm,
		sectionHeading(u.tr("Nieuwe Bevoegd Vertegenwoordiger", "New authorised representative")), who, existing, newPerson,
		sectionHeading(u.tr("De huidige Bevoegd Vertegenwoordiger is daarna", "Afterwards the current authorised representative is")), stays))
}

func (f *changeForm) cancelPanel() fyne.CanvasObject {
	u := f.u
	d := &f.d.draft
	if d.Cancellation == nil {
		d.Cancellation = &org.Cancellation{}
	}
	note := wrappedLabel(u.tr("Met dit formulier zegt u het abonnement van uw organisatie op. Voordat u ondertekent, ziet u wat er stopt.",
		"With this form you cancel your organisation's subscription. Before you sign, you see what stops."))
	note.Importance = widget.DangerImportance
	return widget.NewCard("", sectionTitle(u, org.SectionCancel), container.NewVBox(note,
		widget.NewForm(widget.NewFormItem(u.tr("Reden (niet verplicht)", "Reason (optional)"), bound(&d.Cancellation.Reason, true)))))
}

// formDraft is the draft as the core takes it: only the chosen sections'
// parts, the new BV as chosen.
func (f *changeForm) formDraft() org.ChangeDraft {
	d := f.d.draft
	out := org.ChangeDraft{Sections: d.Sections, Organisation: d.Organisation}
	if slices.Contains(d.Sections, org.SectionContacts) {
		out.Contacts = d.Contacts
	}
	if slices.Contains(d.Sections, org.SectionBV) && d.NewBV != nil {
		nb := *d.NewBV
		if f.d.bvExisting != "" {
			nb.Person = org.Person{ID: f.d.bvExisting}
		}
		out.NewBV = &nb
	}
	if slices.Contains(d.Sections, org.SectionCancel) {
		out.Cancellation = d.Cancellation
	}
	return out
}

// copies are the ID copies of the contacts the form adds.
func (f *changeForm) copies() []app.IDCopy {
	if !slices.Contains(f.d.draft.Sections, org.SectionContacts) {
		return nil
	}
	return f.d.copies
}

// check runs the core's rules; when they pass, the confirmation step.
func (f *changeForm) check() {
	u := f.u
	ctx := context.Background()
	ch, err := u.core.PrepareChange(ctx, u.person, f.formDraft(), f.copies())
	if err != nil {
		f.problem.SetText(sentence(i18n.Localize(u.lang, err)))
		return
	}
	f.problem.SetText("")
	f.confirmStep(ch)
}

// confirmStep says what signing does, and for a cancellation what stops.
func (f *changeForm) confirmStep(ch org.Change) {
	u := f.u
	var lines []string
	for _, s := range ch.Sections {
		lines = append(lines, "• "+sectionTitle(u, s))
	}
	text := u.tr("U ondertekent met uw kaart een wijzigingsformulier met:", "With your card you sign a change form with:") + "\n" + strings.Join(lines, "\n")
	title := u.tr("Wijzigingsformulier ondertekenen", "Sign the change form")
	confirm := u.tr("Ondertekenen", "Sign")
	switch {
	case ch.Has(org.SectionCancel):
		stops, err := u.core.CancellationEffects(context.Background(), u.lang)
		if err != nil {
			f.problem.SetText(sentence(i18n.Localize(u.lang, err)))
			return
		}
		f.d.draft.Cancellation.Stops = stops
		text = u.tr("U zegt het abonnement van ", "You cancel the subscription of ") + cert.Printable(f.reg.Organisation.Name) +
			u.tr(" op. Na bevestiging door KPN stopt:", ". Once KPN confirms it, this stops:") + "\n• " + strings.Join(stops, "\n• ")
		title = u.tr("Abonnement opzeggen", "Cancel the subscription")
		confirm = u.tr("Opzegging ondertekenen", "Sign the cancellation")
	case ch.Has(org.SectionBV):
		text = u.tr("U ondertekent met uw kaart het formulier voor een nieuwe Bevoegd Vertegenwoordiger. Daarna drukt u het af; u en ", "With your card you sign the form for a new authorised representative. Then you print it; you and ") +
			cert.Printable(ch.NewBV.Person.Name) + u.tr(" ondertekenen het met de hand.", " sign it by hand.")
	}
	f.confirmDialog = u.showDialog(title, u.messageContent(text),
		dialogButton{label: u.tr("Annuleren", "Cancel"), isCancel: true},
		dialogButton{label: confirm, importance: widget.HighImportance, isDefault: true, action: f.sign})
}

// sign signs the form with the logged-in card through the shared path
// (the PIN again where the key asks for it per signature) and shows the
// confirmation page. Signing may wait for the card, so it runs off the UI
// thread. The signed form is done: its draft and ID copies leave memory.
func (f *changeForm) sign() {
	u := f.u
	sig, err := u.signingNow(f.pinPrompt)
	if err != nil {
		f.problem.SetText(sentence(i18n.Localize(u.lang, err)))
		return
	}
	f.submit.Disable()
	f.problem.Importance = widget.MediumImportance
	f.problem.SetText(u.tr("Bezig met ondertekenen…", "Signing…"))
	d, who := f.d, u.person
	draft, copies := f.formDraft(), f.copies()
	go func() {
		ch, _, err := u.core.SubmitChange(context.Background(), who, draft, copies, sig)
		fyne.Do(func() {
			f.submit.Enable()
			if err != nil {
				f.problem.Importance = widget.DangerImportance
				f.problem.SetText(sentence(i18n.Localize(u.lang, err)))
				return
			}
			d.wipe()
			if u.change == d {
				u.change = nil
			}
			u.here = place{} // the way back skips the signed form
			u.open(u.changePlace(ch.Number, true))
		})
	}()
}

// wipe overwrites the ID copies in memory.
func (d *changeDraft) wipe() {
	for _, c := range d.copies {
		clear(c.Data)
	}
	d.copies = nil
	d.dropChosen()
}

// dropChosen wipes the ID copy chosen in a contact dialog and not put in
// the form.
func (d *changeDraft) dropChosen() {
	clear(d.chosen)
	d.chosen = nil
}
