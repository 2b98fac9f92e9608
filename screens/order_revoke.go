package screens

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/order"
)

// The revocation wizard (Intrekken, seed 3.1): the certificate, an RFC 5280
// reason and an explanation, signed like an order. The certificate shows
// "intrekking aangevraagd" until revocation information confirms it.

func (w *wizard) revokeStep() wizardStep {
	u := w.u
	return wizardStep{key: "intrekken", title: u.tr("Certificaat en reden", "Certificate and reason"), build: w.revokePage, check: func() error {
		for _, p := range order.Problems(&w.rec.Order) {
			return p.Err
		}
		return nil
	}}
}

func (w *wizard) revokePage() fyne.CanvasObject {
	u := w.u
	r := w.rec.Order.Revoke
	var labels []string
	for _, x := range order.Reasons {
		labels = append(labels, i18n.T(u.lang, "order.reason."+x.Name()))
	}
	reason := widget.NewRadioGroup(labels, nil)
	for i, x := range order.Reasons {
		if x == r.Reason {
			reason.SetSelected(labels[i])
		}
	}
	reason.OnChanged = func(s string) {
		for i, l := range labels {
			if l == s {
				r.Reason = order.Reasons[i]
			}
		}
		w.changed()
	}
	explanation := widget.NewMultiLineEntry()
	explanation.SetMinRowsVisible(3)
	w.bindEntry(explanation, order.FieldExplanation, r.Explanation, func(s string) { r.Explanation = s })
	form := widget.NewForm(
		widget.NewFormItem(u.tr("Certificaat", "Certificate"), note(dnLines(r.Subject))),
		widget.NewFormItem(i18n.T(u.lang, "col.serial"), widget.NewLabel(cert.Printable(r.Serial))),
		widget.NewFormItem(i18n.T(u.lang, "col.issuer"), note(dnLines(r.Issuer))),
		widget.NewFormItem(u.tr("Reden", "Reason"), reason),
		widget.NewFormItem(u.tr("Toelichting", "Explanation"), explanation),
	)
	warn := note(u.tr("Een ingetrokken certificaat is direct onbruikbaar en kan niet meer worden verlengd. Zorg dat een vervanger klaarstaat.",
		"A revoked certificate is unusable at once and can no longer be renewed. Make sure a replacement is ready."))
	warn.Importance = widget.WarningImportance
	return container.NewVBox(heading(u.tr("Certificaat intrekken", "Revoke certificate")), warn, form)
}
