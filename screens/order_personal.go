package screens

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app/i18n"
	"pkiodesk/app/order"
)

// The personal certificate wizard (seed 4.2, 4.3): the holder's name,
// e-mail and telephone, and where the certificate goes (smartcard or USB
// token; or a mobile phone for "Nieuw certificaat via Mobiel").

func (w *wizard) personalStep() wizardStep {
	u := w.u
	return wizardStep{key: "certificaat", title: u.tr("Certificaathouder", "Certificate holder"), build: w.personalPage, check: func() error {
		for _, p := range order.Problems(&w.rec.Order) {
			return p.Err
		}
		return nil
	}}
}

func (w *wizard) personalPage() fyne.CanvasObject {
	u := w.u
	o := &w.rec.Order
	if o.Personal == nil {
		o.Personal = &order.PersonalDetails{}
	}
	d := o.Personal
	name := w.entry(order.FieldHolderName, d.Name, func(s string) { d.Name = s })
	email := w.entry(order.FieldEmail, d.Email, func(s string) { d.Email = s })
	phone := w.entry(order.FieldPhone, d.Phone, func(s string) { d.Phone = s })
	form := widget.NewForm(
		widget.NewFormItem(u.tr("Naam certificaathouder", "Holder's name"), name),
		hinted(u.tr("E-mailadres", "E-mail address"), email, u.tr("Het e-mailadres van de certificaathouder", "The holder's e-mail address")),
		hinted(u.tr("Telefoonnummer", "Telephone number"), phone, u.tr("Bijvoorbeeld 06 1234 5678", "For example 06 1234 5678")),
	)
	carriers := []order.Carrier{order.CarrierSmartcard, order.CarrierUSBToken}
	if o.Product == order.ProductPersonalMobile {
		carriers = []order.Carrier{order.CarrierMobile}
	}
	form.AppendItem(widget.NewFormItem(u.tr("Drager", "Carrier"), w.carrierChoice(carriers, &d.Carrier, nil)))
	return container.NewVBox(heading(u.tr("Certificaathouder", "Certificate holder")),
		note(u.tr("De certificaathouder ontvangt de pas, het token of de activatie op de mobiele telefoon.", "The holder receives the card, the token or the activation on the mobile phone.")), form)
}

// carrierChoice is a radio group over carriers, bound to *c; changed runs
// after a choice (the eSeal wizard changes its product with it).
func (w *wizard) carrierChoice(carriers []order.Carrier, c *order.Carrier, changed func(order.Carrier)) *widget.RadioGroup {
	var labels []string
	for _, x := range carriers {
		labels = append(labels, i18n.T(w.u.lang, "order.carrier."+string(x)))
	}
	r := widget.NewRadioGroup(labels, nil)
	for i, x := range carriers {
		if x == *c {
			r.SetSelected(labels[i])
		}
	}
	if r.Selected == "" && len(labels) == 1 {
		*c = carriers[0]
		r.SetSelected(labels[0])
	}
	r.OnChanged = func(s string) {
		for i, l := range labels {
			if l == s {
				*c = carriers[i]
				if changed != nil {
					changed(carriers[i])
				}
			}
		}
		w.changed()
	}
	r.Horizontal = true
	return r
}
