package screens

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
)

// chooseImport lets the user pick a certificate file (PEM, DER, PKCS#7,
// PKCS#12) and imports it into the inventory.
func (o *overview) chooseImport() {
	u := o.u
	open := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		defer r.Close()
		data, err := inventory.ReadLimited(r, cert.MaxFileSize)
		o.importInput(inventory.Input{Name: r.URI().Name(), Data: data, Err: err}, "")
	}, u.win)
	open.Show()
}

// importInput imports one file and shows what happened. A PKCS#12 file with
// a password asks for it and tries again.
func (o *overview) importInput(in inventory.Input, password string) inventory.Report {
	u := o.u
	// A CRL (for a workstation without a route to the CA) goes to the trust store.
	rest, crls, err := u.core.ImportCRLs(context.Background(), []inventory.Input{in})
	if len(crls) > 0 || err != nil {
		o.refresh()
		msg := u.crlReport(crls)
		if err != nil {
			msg += "\n" + i18n.Localize(u.lang, err)
		}
		dialog.ShowInformation(u.tr("Importeren", "Import"), msg, u.win)
	}
	if len(rest) == 0 {
		return inventory.Report{}
	}
	rep, err := u.core.Import(context.Background(), rest, inventory.ImportOptions{P12Password: password})
	if err != nil {
		dialog.ShowError(fmt.Errorf("%s", i18n.Localize(u.lang, err)), u.win)
		return rep
	}
	o.refresh()
	if len(rep.Rejected) == 1 && i18n.Is(rep.Rejected[0].Err, "err.p12_password") {
		pw := widget.NewPasswordEntry()
		dialog.ShowForm(u.tr("PKCS#12-wachtwoord", "PKCS#12 password"), u.tr("Importeren", "Import"), u.tr("Annuleren", "Cancel"),
			[]*widget.FormItem{widget.NewFormItem(u.tr("Wachtwoord", "Password"), pw)}, func(ok bool) {
				if ok {
					o.importInput(in, pw.Text)
				}
			}, u.win)
		return rep
	}
	dialog.ShowInformation(u.tr("Importeren", "Import"), o.u.importReport(rep), u.win)
	return rep
}

// crlReport says per CRL file what was imported, or why it was refused.
func (u *ui) crlReport(crls []app.CRLImport) string {
	var lines []string
	for _, c := range crls {
		lines = append(lines, cert.Printable(filepath.Base(c.Name))+": "+app.CRLImportText(c, u.lang))
	}
	return strings.Join(lines, "\n")
}

// importReport is the summary line and, per rejected part, the reason.
func (u *ui) importReport(rep inventory.Report) string {
	lines := []string{i18n.T(u.lang, "import.summary", len(rep.Added), len(rep.Duplicates), len(rep.Rejected), len(rep.Issuers))}
	for _, c := range rep.Added {
		lines = append(lines, i18n.T(u.lang, "import.added")+": "+i18n.T(u.lang, "kind."+string(c.Kind))+" "+cert.Printable(c.CommonName))
	}
	for _, r := range rep.Rejected {
		lines = append(lines, i18n.T(u.lang, "import.rejected")+": "+cert.Printable(r.Source)+": "+i18n.Localize(u.lang, r.Err))
	}
	return strings.Join(lines, "\n")
}
