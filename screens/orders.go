package screens

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2/dialog"

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
