package screens

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/order"
)

// linkImported links imported certificates to their orders (the rule is
// in app); a failure is shown, the import itself stands.
func (u *ui) linkImported(rep inventory.Report) []order.Match {
	matches, err := u.core.LinkImported(context.Background(), rep)
	if err != nil {
		dialog.ShowError(fmt.Errorf("%s", i18n.Localize(u.lang, err)), u.win)
	}
	return matches
}

// matchReport is the lines an import report adds for linked orders.
func (u *ui) matchReport(matches []order.Match) string {
	var lines []string
	for _, m := range matches {
		lines = append(lines, "\n"+m.Text(u.lang))
	}
	return strings.Join(lines, "")
}

// newProducts are the products behind the overview's "Nieuw …" buttons, in
// the order of newButtons.
var newProducts = map[cert.Kind][]order.Product{
	cert.KindServer:   {order.ProductPKIoPrivate, order.ProductCertSIGNOV},
	cert.KindPersonal: {order.ProductPersonalCard, order.ProductPersonalMobile},
	cert.KindGroup:    {order.ProductGroup},
	cert.KindESeal:    {order.ProductESealToken},
}

// orderButtons adds an overview's order buttons, each opening its wizard,
// and returns the line that says why they are disabled (hidden when they
// are not). The eSeal overview also opens the cloud activation.
func (u *ui) orderButtons(kind cert.Kind, actions *fyne.Container) *widget.Label {
	blocked := order.NewBlocked(u.person)
	for i, b := range newButtons[kind] {
		p := newProducts[kind][i]
		nb := u.newButton(u.tr(b[0], b[1]), func() { u.startOrder(p) })
		if blocked != nil {
			nb.Disable()
		}
		actions.Add(nb)
	}
	if kind == cert.KindESeal {
		actions.Add(u.newButton(u.tr("Activatie eSeal cloud", "eSeal cloud activation"), u.showActivation))
	}
	why := widget.NewLabel("")
	why.TextStyle = fyne.TextStyle{Italic: true}
	if blocked != nil {
		why.SetText(sentence(i18n.Localize(u.lang, blocked)))
	} else {
		why.Hide()
	}
	return why
}

// detailOrderButtons are the detail screen's Verlengen and Intrekken, each
// disabled with its reason when the user may not, or the certificate
// cannot (revoked, revocation pending).
func (u *ui) detailOrderButtons(c cert.Certificate) (renew, revoke *button, why *widget.Label) {
	renew = u.newButton(u.tr("Verlengen", "Renew"), func() { u.startRenewal(c) })
	revoke = u.newButton(u.tr("Intrekken", "Revoke"), func() { u.startRevocation(c) })
	var reasons []string
	if err := order.RenewBlockedFor(u.person, &c); err != nil {
		renew.Disable()
		reasons = append(reasons, u.tr("Verlengen: ", "Renew: ")+i18n.Localize(u.lang, err))
	}
	if err := order.RevokeBlockedFor(u.person, &c); err != nil {
		revoke.Disable()
		reasons = append(reasons, u.tr("Intrekken: ", "Revoke: ")+i18n.Localize(u.lang, err))
	}
	why = widget.NewLabel(strings.Join(reasons, "\n"))
	why.TextStyle = fyne.TextStyle{Italic: true}
	why.Wrapping = fyne.TextWrapWord
	if len(reasons) == 0 {
		why.Hide()
	}
	return renew, revoke, why
}

// revocationRequested is what the status adds while a placed revocation
// waits for the CA's confirmation.
func revocationRequested(u *ui, c *cert.Certificate) string {
	if !c.RevocationRequested() {
		return ""
	}
	return " — " + i18n.T(u.lang, "revocation.requested") + " (" + c.RevocationOrderID + ")"
}

// orderLinks names the order a certificate came from and the one it renews.
func orderLinks(u *ui, c *cert.Certificate) string {
	var parts []string
	if c.OrderID != "" {
		parts = append(parts, c.OrderID)
	}
	if c.Renews != "" {
		parts = append(parts, u.tr("verlengt ", "renews ")+c.Renews)
	}
	return strings.Join(parts, "\n")
}
