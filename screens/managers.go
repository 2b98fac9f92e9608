package screens

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
)

// managersForm is "Wijzigen Certificaatbeheerders" (manual 7.3): update a
// manager's data, or deactivate one and optionally hand their
// certificates over to another active manager, existing or new.
type managersForm struct {
	u        *ui
	managers []org.Person
	counts   map[string]int

	choose  *widget.Select
	action  *widget.RadioGroup
	update  struct{ name, email, phone, function *widget.Entry }
	handTo  *widget.RadioGroup
	to      *widget.Select
	newMgr  struct{ name, email, phone, function *widget.Entry }
	save    *button
	problem *widget.Label
	done    *widget.Label
	// shown is the panel of the chosen action.
	updatePanel, deactivatePanel *fyne.Container
	newPanel                     *fyne.Container
	body                         *fyne.Container
}

const (
	actionUpdate     = 0
	actionDeactivate = 1
	handNone         = 0
	handExisting     = 1
	handNew          = 2
)

func (u *ui) showManagersForm() {
	title := u.tr("Certificaatbeheerders wijzigen", "Change certificate managers")
	u.open(u.orgPlace("managers", title, func() {
		f, err := u.newManagersForm()
		if err != nil {
			u.shell(title, sectionOrganisation, container.NewVBox(sectionHeading(title), reasonLabel(i18n.Localize(u.lang, err)), container.NewHBox(u.backButton())))
			return
		}
		u.shell(title, sectionOrganisation, f.build())
	}))
}

func (u *ui) newManagersForm() (*managersForm, error) {
	ctx := context.Background()
	reg, err := u.core.Register(ctx)
	if err != nil {
		return nil, err
	}
	if err := org.CheckManagersForm(u.person, reg.People); err != nil {
		return nil, err
	}
	counts, err := u.core.ManagedCount(ctx)
	if err != nil {
		return nil, err
	}
	return &managersForm{u: u, managers: org.ActiveManagers(reg.People, ""), counts: counts}, nil
}

func (f *managersForm) label(p org.Person) string {
	return fmt.Sprintf("%s · %s · %s", cert.Printable(p.Name), cert.Printable(p.Email), app.CertCount(f.u.lang, f.counts[p.ID]))
}

func (f *managersForm) build() fyne.CanvasObject {
	u := f.u
	d := u.draft("managers")
	entry := func(key string) *widget.Entry {
		e := widget.NewEntry()
		e.SetText(d[key])
		e.OnChanged = func(s string) { d[key] = s }
		return e
	}
	f.update.name, f.update.email, f.update.phone, f.update.function = entry("name"), entry("email"), entry("phone"), entry("function")
	f.newMgr.name, f.newMgr.email, f.newMgr.phone, f.newMgr.function = entry("new-name"), entry("new-email"), entry("new-phone"), entry("new-function")
	f.problem = widget.NewLabel("")
	f.problem.Importance = widget.DangerImportance
	f.problem.Wrapping = fyne.TextWrapWord
	f.done = widget.NewLabel("")
	f.done.Importance = widget.SuccessImportance
	f.done.Wrapping = fyne.TextWrapWord

	var labels []string
	for _, m := range f.managers {
		labels = append(labels, f.label(m))
	}
	f.to = u.newSelect(nil, func(string) { d["to"] = f.successorID() })
	f.choose = u.newSelect(labels, func(string) { f.chosen(true) })
	f.action = widget.NewRadioGroup([]string{u.tr("Gegevens wijzigen", "Update data"), u.tr("Deactiveren", "Deactivate")}, func(string) { f.chosen(false) })
	f.action.Horizontal = true
	f.handTo = widget.NewRadioGroup([]string{
		u.tr("Niet overdragen", "Do not hand over"),
		u.tr("Overdragen aan een bestaande Certificaatbeheerder", "Hand over to an existing certificate manager"),
		u.tr("Overdragen aan een nieuwe Certificaatbeheerder", "Hand over to a new certificate manager"),
	}, func(string) { d["hand"] = fmt.Sprint(radioIndex(f.handTo)); f.showPanels() })

	f.updatePanel = container.NewVBox(widget.NewForm(
		widget.NewFormItem(u.tr("Naam", "Name"), f.update.name),
		widget.NewFormItem(u.tr("E-mailadres", "E-mail address"), f.update.email),
		widget.NewFormItem(u.tr("Telefoon", "Telephone"), f.update.phone),
		widget.NewFormItem(u.tr("Functie", "Function"), f.update.function)))
	f.newPanel = container.NewVBox(widget.NewForm(
		widget.NewFormItem(u.tr("Naam", "Name"), f.newMgr.name),
		widget.NewFormItem(u.tr("E-mailadres", "E-mail address"), f.newMgr.email),
		widget.NewFormItem(u.tr("Telefoon", "Telephone"), f.newMgr.phone),
		widget.NewFormItem(u.tr("Functie", "Function"), f.newMgr.function)))
	f.deactivatePanel = container.NewVBox(
		widget.NewLabel(u.tr("Als onderdeel van het deactiveren kunt u het beheer van de certificaten overdragen:", "As part of the deactivation you can hand the certificates over:")),
		f.handTo, f.to, f.newPanel)
	f.save = u.newButton("", f.submit)
	f.save.Importance = widget.HighImportance

	intro := widget.NewLabel(u.tr(
		"Met dit formulier kunt u gegevens van bestaande Certificaatbeheerders updaten of een Certificaatbeheerder deactiveren. Als onderdeel van het deactiveren kunt u kiezen om het beheer van certificaten over te dragen aan een andere Certificaatbeheerder. Een nieuwe Certificaatbeheerder los van een deactivatie registreert u bij de aanvraag van een server- of groepscertificaat.",
		"With this form you can update the data of registered certificate managers or deactivate one. As part of a deactivation you can hand the certificates over to another certificate manager. A new certificate manager on their own is registered when you order a server or group certificate."))
	intro.Wrapping = fyne.TextWrapWord
	back := u.backButton()
	f.body = container.NewVBox(
		widget.NewLabelWithStyle(u.tr("Certificaatbeheerders wijzigen", "Change certificate managers"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		intro,
		widget.NewForm(widget.NewFormItem(u.tr("Certificaatbeheerder", "Certificate manager"), f.choose)),
		f.action, f.updatePanel, f.deactivatePanel, f.problem, f.done, container.NewHBox(back, f.save))

	// Restore the draft: chosen manager, action, successor.
	for i, m := range f.managers {
		if m.ID == d["manager"] {
			f.choose.SetSelectedIndex(i)
		}
	}
	if f.choose.SelectedIndex() < 0 && len(f.managers) > 0 {
		f.choose.SetSelectedIndex(0)
	}
	if d["action"] == "deactivate" {
		f.action.SetSelected(f.action.Options[actionDeactivate])
	} else {
		f.action.SetSelected(f.action.Options[actionUpdate])
	}
	hand := handNone
	fmt.Sscan(d["hand"], &hand)
	f.handTo.SetSelected(f.handTo.Options[hand])
	for i, m := range f.others() {
		if m.ID == d["to"] {
			f.to.SetSelectedIndex(i)
		}
	}
	f.showPanels()
	return container.NewVScroll(f.body)
}

// current is the chosen manager.
func (f *managersForm) current() (org.Person, bool) {
	i := f.choose.SelectedIndex()
	if i < 0 || i >= len(f.managers) {
		return org.Person{}, false
	}
	return f.managers[i], true
}

// others are the active managers who can take over.
func (f *managersForm) others() []org.Person {
	m, _ := f.current()
	var out []org.Person
	for _, p := range f.managers {
		if p.ID != m.ID {
			out = append(out, p)
		}
	}
	return out
}

func (f *managersForm) successorID() string {
	others := f.others()
	if i := f.to.SelectedIndex(); i >= 0 && i < len(others) {
		return others[i].ID
	}
	return ""
}

// chosen follows a new choice of manager (fill the fields with their
// data) or of action.
func (f *managersForm) chosen(managerChanged bool) {
	d := f.u.draft("managers")
	m, ok := f.current()
	if ok && managerChanged && d["manager"] != m.ID {
		d["manager"] = m.ID
		f.update.name.SetText(m.Name)
		f.update.email.SetText(m.Email)
		f.update.phone.SetText(m.Phone)
		f.update.function.SetText(m.Function)
	}
	if f.action != nil && radioIndex(f.action) == actionDeactivate {
		d["action"] = "deactivate"
	} else {
		d["action"] = "update"
	}
	if f.to != nil && managerChanged {
		var labels []string
		for _, o := range f.others() {
			labels = append(labels, f.label(o))
		}
		f.to.SetOptions(labels)
		f.to.ClearSelected()
	}
	f.showPanels()
}

func (f *managersForm) showPanels() {
	if f.save == nil {
		return
	}
	f.problem.SetText("")
	deactivate := radioIndex(f.action) == actionDeactivate
	show := func(o fyne.CanvasObject, on bool) {
		if on {
			o.Show()
		} else {
			o.Hide()
		}
	}
	show(f.updatePanel, !deactivate)
	show(f.deactivatePanel, deactivate)
	show(f.to, radioIndex(f.handTo) == handExisting)
	show(f.newPanel, radioIndex(f.handTo) == handNew)
	if deactivate {
		f.save.SetText(f.u.tr("Deactiveren", "Deactivate"))
	} else {
		f.save.SetText(f.u.tr("Opslaan", "Save"))
	}
	if len(f.others()) == 0 {
		f.to.Disable()
	} else {
		f.to.Enable()
	}
	if f.body != nil {
		f.body.Refresh()
	}
}

// deactivation is the form's deactivation as the core takes it.
func (f *managersForm) deactivation() org.Deactivation {
	m, _ := f.current()
	d := org.Deactivation{ManagerID: m.ID}
	switch radioIndex(f.handTo) {
	case handExisting:
		d.HandOverTo = f.successorID()
		if d.HandOverTo == "" {
			d.HandOverTo = "-" // chosen to hand over, but to no one: the core says so
		}
	case handNew:
		d.NewManager = &org.Person{Name: f.newMgr.name.Text, Email: f.newMgr.email.Text, Phone: f.newMgr.phone.Text, Function: f.newMgr.function.Text}
	}
	return d
}

func (f *managersForm) submit() {
	u := f.u
	ctx := context.Background()
	f.problem.SetText("")
	f.done.SetText("")
	m, ok := f.current()
	if !ok {
		return
	}
	if radioIndex(f.action) != actionDeactivate {
		p, err := u.core.UpdateManager(ctx, u.person, org.ManagerUpdate{ID: m.ID, Name: f.update.name.Text, Email: f.update.email.Text, Phone: f.update.phone.Text, Function: f.update.function.Text})
		if err != nil {
			f.problem.SetText(sentence(i18n.Localize(u.lang, err)))
			return
		}
		delete(u.drafts, "managers")
		f.finish(fmt.Sprintf(u.tr("De gegevens van %s zijn bijgewerkt.", "The data of %s were updated."), cert.Printable(p.Name)))
		return
	}
	d := f.deactivation()
	question := fmt.Sprintf(u.tr("%s deactiveren? %s blijft vastgelegd als laatste beheerder van %s.", "Deactivate %s? %s stays recorded as the last manager of %s."),
		cert.Printable(m.Name), cert.Printable(m.Name), app.CertCount(u.lang, f.counts[m.ID]))
	if d.HandOverTo != "" || d.NewManager != nil {
		to := d.HandOverTo
		name := ""
		if d.NewManager != nil {
			name = d.NewManager.Name + u.tr(" (nieuw)", " (new)")
		} else if p, ok := org.FindPerson(f.managers, to); ok {
			name = p.Name
		}
		question = fmt.Sprintf(u.tr("%s deactiveren en het beheer van %s overdragen aan %s?", "Deactivate %s and hand %s over to %s?"),
			cert.Printable(m.Name), app.CertCount(u.lang, f.counts[m.ID]), cert.Printable(name))
	}
	u.showDialog(u.tr("Certificaatbeheerder deactiveren", "Deactivate certificate manager"), u.messageContent(question),
		dialogButton{label: u.tr("Annuleren", "Cancel"), isCancel: true},
		dialogButton{label: u.tr("Deactiveren", "Deactivate"), importance: widget.DangerImportance, isDefault: true, action: func() { f.deactivate(d) }})
}

// deactivate deactivates the chosen manager, with the hand-over chosen.
func (f *managersForm) deactivate(d org.Deactivation) {
	u := f.u
	ctx := context.Background()
	{
		res, err := u.core.DeactivateManager(ctx, u.person, d)
		if err != nil {
			f.problem.SetText(sentence(i18n.Localize(u.lang, err)))
			return
		}
		delete(u.drafts, "managers")
		u.rereadPerson()
		f.finish(handOverText(u, res))
	}
}

// handOverText says what a deactivation did.
func handOverText(u *ui, res app.HandOver) string {
	if res.Successor == nil {
		return fmt.Sprintf(u.tr("%s is gedeactiveerd.", "%s was deactivated."), cert.Printable(res.Deactivated.Name))
	}
	return fmt.Sprintf(u.tr("%s is gedeactiveerd; %s overgedragen aan %s.", "%s was deactivated; %s handed over to %s."),
		cert.Printable(res.Deactivated.Name), app.CertCount(u.lang, len(res.Moved)), cert.Printable(res.Successor.Name))
}

// finish shows the outcome on Organisatiegegevens.
func (f *managersForm) finish(msg string) {
	u := f.u
	u.returnToOrganisation()
	u.inform(u.tr("Certificaatbeheerders", "Certificate managers"), msg)
}

// radioIndex is the index of a radio group's choice, -1 for none.
func radioIndex(r *widget.RadioGroup) int {
	for i, o := range r.Options {
		if o == r.Selected {
			return i
		}
	}
	return -1
}
