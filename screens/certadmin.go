package screens

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
)

// The detail's part in keeping the inventory clean: who requested and who
// manages a certificate (manual 3.1, 4.1), assigning them, and removing a
// certificate from the inventory. The rules are app's; this shows them.

// peopleItems are the detail's rows for the certificate's people: the
// Certificaatbeheerder (server and group certificates) and the
// Contactpersoon who requested it, with Toewijzen… under them, and where
// the certificate was imported from.
func (u *ui) peopleItems(c cert.Certificate) []*widget.FormItem {
	contact, manager, err := u.core.CertificatePeople(context.Background(), c.SHA256)
	value := func(p *org.Person) *widget.Label {
		text := ""
		switch {
		case err != nil:
			text = i18n.Localize(u.lang, err)
		case p == nil:
			text = u.tr("niet vastgelegd", "not recorded")
		case !p.Active:
			text = cert.Printable(p.Name) + " (" + u.tr("niet actief", "inactive") + ")"
		default:
			text = cert.Printable(p.Name)
		}
		l := widget.NewLabel(text)
		l.Selectable = true
		return l
	}
	var items []*widget.FormItem
	if app.HasManager(c.Kind) {
		items = append(items, widget.NewFormItem(u.tr("Certificaatbeheerder", "Certificate manager"), value(manager)))
	}
	items = append(items, widget.NewFormItem(u.tr("Contactpersoon (aanvrager)", "Contact person (requester)"), value(contact)))
	assign := u.newButton(u.tr("Toewijzen…", "Assign…"), func() { u.assignPeople(c) })
	var row fyne.CanvasObject = container.NewHBox(assign)
	if !org.Allowed(u.person.Role, org.AssignCertificatePeople) {
		assign.Disable()
		why := widget.NewLabel(sentence(i18n.T(u.lang, "cert.assign_denied")))
		why.TextStyle = fyne.TextStyle{Italic: true}
		row = container.NewHBox(assign, why)
	}
	items = append(items, widget.NewFormItem("", row))
	imported := c.Source
	if !c.ImportedAt.IsZero() {
		imported += " (" + c.ImportedAt.Local().Format("2006-01-02 15:04") + ")"
	}
	l := widget.NewLabel(orDash(cert.Printable(imported)))
	l.Selectable = true
	return append(items, widget.NewFormItem(u.tr("Geïmporteerd uit", "Imported from"), l))
}

// removeButton is the detail's Verwijderen uit overzicht, and why it is
// closed to this user ("" when open).
func (u *ui) removeButton(c cert.Certificate) (*button, string) {
	remove := u.newButton(u.tr("Verwijderen uit overzicht", "Remove from overview"), func() { u.confirmRemove(c) })
	remove.Importance = widget.DangerImportance
	if !org.Allowed(u.person.Role, org.RemoveCertificate) {
		remove.Disable()
		return remove, sentence(i18n.T(u.lang, "cert.remove_denied"))
	}
	return remove, ""
}

// assignPeople lets the user choose the Contactpersoon and, for server and
// group certificates, the Certificaatbeheerder.
func (u *ui) assignPeople(c cert.Certificate) {
	ctx := context.Background()
	people, err := u.core.Store.People(ctx)
	if err != nil {
		u.showError(err)
		return
	}
	contact, manager, _ := u.core.CertificatePeople(ctx, c.SHA256)
	none := u.tr("— niet vastgelegd —", "— not recorded —")
	choice := func(fits func(org.Person) bool, current *org.Person) (*keySelect, func() string) {
		options, ids := []string{none}, []string{""}
		for _, p := range people {
			if p.Active && fits(p) {
				options = append(options, p.Name+" — "+i18n.T(u.lang, "role."+string(p.Role)))
				ids = append(ids, p.ID)
			}
		}
		s := u.newKeySelect(options, nil)
		s.SetSelectedIndex(0)
		for i, id := range ids {
			if current != nil && id == current.ID {
				s.SetSelectedIndex(i)
			}
		}
		return s, func() string { return ids[max(0, s.SelectedIndex())] }
	}
	contactSelect, contactID := choice(func(p org.Person) bool { return p.Role != org.Certificaatbeheerder }, contact)
	items := []*widget.FormItem{widget.NewFormItem(u.tr("Contactpersoon (aanvrager)", "Contact person (requester)"), contactSelect)}
	managerID := func() string { return "" }
	if app.HasManager(c.Kind) {
		var managerSelect *keySelect
		managerSelect, managerID = choice(func(p org.Person) bool { return p.Role == org.Certificaatbeheerder }, manager)
		item := widget.NewFormItem(u.tr("Certificaatbeheerder", "Certificate manager"), managerSelect)
		if len(managerSelect.Options) == 1 {
			item.HintText = u.tr("Er is geen actieve Certificaatbeheerder geregistreerd.", "No active certificate manager is registered.")
		}
		items = append(items, item)
	}
	form := widget.NewForm(items...)
	u.showDialog(u.tr("Toewijzen", "Assign")+": "+orDash(cert.Printable(c.CommonName)), form,
		dialogButton{label: u.tr("Annuleren", "Cancel"), isCancel: true},
		dialogButton{label: u.tr("Opslaan", "Save"), importance: widget.HighImportance, isDefault: true, action: func() {
			if err := u.core.AssignPeople(ctx, u.person, c.SHA256, contactID(), managerID()); err != nil {
				u.showError(err)
				return
			}
			u.showDetail(c)
		}})
}

// confirmRemove asks, naming the certificate, before it leaves the
// inventory; Annuleren is the default.
func (u *ui) confirmRemove(c cert.Certificate) {
	msg := i18n.T(u.lang, "window.remove_confirm", orDash(cert.Printable(c.CommonName)), i18n.T(u.lang, "kind."+string(c.Kind)),
		c.NotAfter.Local().Format("2006-01-02"), c.SHA256[:min(16, len(c.SHA256))])
	u.showDialog(u.tr("Verwijderen uit overzicht", "Remove from overview"), u.messageContent(msg),
		dialogButton{label: u.tr("Annuleren", "Cancel"), isCancel: true, isDefault: true},
		dialogButton{label: u.tr("Verwijderen", "Remove"), importance: widget.DangerImportance, action: func() {
			gone, err := u.core.RemoveCertificate(context.Background(), u.person, c.SHA256)
			if err != nil {
				u.showError(err)
				return
			}
			u.back()
			u.inform(u.tr("Verwijderen uit overzicht", "Remove from overview"), i18n.T(u.lang, "window.removed", orDash(cert.Printable(gone.CommonName))))
		}})
}
