package screens

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app/order"
)

// The eSeal certificate wizard (seed 6): the organisation name in the
// seal, and a token or the cloud. A cloud eSeal is activated afterwards by
// its requester (order_activation.go).

func (w *wizard) esealStep() wizardStep {
	u := w.u
	return wizardStep{key: "certificaat", title: u.tr("eSeal certificaat", "eSeal certificate"), build: w.esealPage, check: func() error {
		for _, p := range order.Problems(&w.rec.Order) {
			return p.Err
		}
		return nil
	}}
}

func (w *wizard) esealPage() fyne.CanvasObject {
	u := w.u
	o := &w.rec.Order
	if o.ESeal == nil {
		o.ESeal = &order.ESealDetails{}
	}
	d := o.ESeal
	name := w.entry(order.FieldESealName, d.OrganisationName, func(s string) { d.OrganisationName = s })
	carrier := w.carrierChoice([]order.Carrier{order.CarrierToken, order.CarrierCloud}, &d.Carrier, func(c order.Carrier) {
		if o.Kind == order.KindNew {
			o.Product = order.ProductESealToken
			if c == order.CarrierCloud {
				o.Product = order.ProductESealCloud
			}
		}
	})
	if o.Kind != order.KindNew {
		carrier.Disable()
	}
	form := widget.NewForm(
		widget.NewFormItem(u.tr("Organisatienaam in het eSeal", "Organisation name in the eSeal"), name),
		widget.NewFormItem(u.tr("Drager", "Carrier"), carrier),
	)
	return container.NewVBox(heading(u.tr("eSeal certificaat", "eSeal certificate")), form,
		note(u.tr("Een eSeal cloud certificaat activeert u na de validatie door de CA, met de code uit de uitnodiging per e-mail (eSeal certificaten › Activatie).",
			"An eSeal cloud certificate is activated after the CA's validation, with the code from the invitation e-mail (eSeal certificates › Activation).")))
}
