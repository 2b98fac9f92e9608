package screens

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
)

// showOrganisation opens the organisation data from the menu.
func (u *ui) showOrganisation() {
	u.open(place{id: "organisation", section: sectionOrganisation, title: func() string { return u.tr("Organisatiegegevens", "Organisation data") }, show: u.drawOrganisation})
}

// drawOrganisation shows the organisation, billing data and the registered
// people, active and inactive (manual 7.1).
func (u *ui) drawOrganisation() {
	ctx := context.Background()
	o, _ := u.core.Organisation(ctx)
	people, err := u.core.Store.People(ctx)
	if err != nil {
		people = nil
	}
	data := widget.NewForm(
		widget.NewFormItem(u.tr("Organisatienaam", "Organisation name"), widget.NewLabel(o.Name)),
		widget.NewFormItem(u.tr("Abonneenummer", "Subscriber number"), widget.NewLabel(o.SubscriberNumber)),
		widget.NewFormItem("OIN", widget.NewLabel(o.OIN)),
		widget.NewFormItem(u.tr("KvK-nummer", "KvK number"), widget.NewLabel(o.KvK)),
		widget.NewFormItem(u.tr("Factuuradres", "Billing address"), widget.NewLabel(o.BillingAddress)),
		widget.NewFormItem(u.tr("Factuurreferentie", "Billing reference"), widget.NewLabel(o.BillingReference)),
	)
	list := widget.NewList(
		func() int { return len(people) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, c fyne.CanvasObject) {
			p := people[i]
			state := u.tr("actief", "active")
			if !p.Active {
				state = u.tr("niet actief", "inactive")
			}
			c.(*widget.Label).SetText(cert.Printable(p.Name) + " — " + i18n.T(u.lang, "role."+string(p.Role)) + " — " + cert.Printable(p.Email) + " — " + state)
		})
	change := widget.NewButton(u.tr("Wijzigingsformulier", "Change form"), nil)
	change.Disable()
	why := u.tr("Het wijzigingsformulier is in deze versie nog niet beschikbaar.", "The change form is not available in this version yet.")
	if !org.Allowed(u.person.Role, org.OpenChangeForm) {
		why = u.tr("Als Contactpersoon met basis autorisaties kunt u het wijzigingsformulier niet openen.", "As a contact person with basic rights you cannot open the change form.")
	}
	note := widget.NewLabel(why)
	note.TextStyle = fyne.TextStyle{Italic: true}
	top := container.NewVBox(
		widget.NewLabelWithStyle(u.tr("Organisatiegegevens", "Organisation data"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		data, container.NewHBox(change), note,
		widget.NewLabelWithStyle(u.tr("Geregistreerde personen", "Registered people"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	u.shell(u.tr("Organisatiegegevens", "Organisation data"), sectionOrganisation, container.NewBorder(top, nil, nil, nil, list))
}
