package screens

import (
	"context"
	"crypto/x509"
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/trust"
)

// openDetail opens a certificate's detail; Terug, Escape, Backspace and
// Alt+Left return to where it was opened from.
func (u *ui) openDetail(c cert.Certificate) {
	title := orDash(cert.Printable(c.CommonName))
	u.open(place{id: "detail:" + c.SHA256, section: sectionOf(c.Kind), title: func() string { return title }, show: func() { u.showDetail(c) }, closable: true})
}

// showDetail shows every field of a certificate (manual 3.1).
func (u *ui) showDetail(c cert.Certificate) {
	yes := func(b bool) string { return i18n.T(u.lang, map[bool]string{true: "word.yes", false: "word.no"}[b]) }
	oinShape := ""
	if c.OIN != "" {
		if err := cert.ValidateOIN(c.OIN); err != nil {
			oinShape = " (" + i18n.Localize(u.lang, err) + ")"
		} else {
			oinShape = " (" + cert.OINKind(c.OIN) + ")"
		}
	}
	chain, revocation, chainErr := u.core.CertificateTrust(context.Background(), c.SHA256)
	rows := [][2]string{
		{i18n.T(u.lang, "col.kind"), i18n.T(u.lang, "kind."+string(c.Kind))},
		{i18n.T(u.lang, "col.profile"), i18n.T(u.lang, "profile."+string(c.Profile()))},
		{i18n.T(u.lang, "col.status"), u.core.StatusText(&c, u.lang) + revocationRequested(u, &c)},
		{u.tr("Intrekking", "Revocation"), revocation.Detail(u.lang)},
		{u.tr("Vertrouwen", "Trust"), u.chainVerdict(chain, chainErr)},
		{u.tr("Keten", "Chain"), chainLines(chain)},
		{"Common Name", c.CommonName},
		{i18n.T(u.lang, "col.o"), c.Organization},
		{"OIN", c.OIN + oinShape},
		{"organizationIdentifier", c.OrganizationIdentifier},
		{u.tr("Onderwerp", "Subject"), dnLines(c.Subject)},
		{"FQDN / SAN", strings.Join(c.DNSNames, ", ")},
		{u.tr("E-mailadres", "E-mail address"), strings.Join(c.Emails, ", ")},
		{i18n.T(u.lang, "col.issuer"), dnLines(c.Issuer)},
		{i18n.T(u.lang, "col.serial"), c.Serial},
		{i18n.T(u.lang, "col.notbefore"), c.NotBefore.Local().Format("2006-01-02 15:04 MST")},
		{i18n.T(u.lang, "col.notafter"), c.NotAfter.Local().Format("2006-01-02 15:04 MST")},
		{i18n.T(u.lang, "col.key"), fmt.Sprintf("%s %d", c.KeyType, c.KeyBits)},
		{u.tr("Handtekeningalgoritme", "Signature algorithm"), c.SignatureAlgorithm},
		{u.tr("Sleutelgebruik", "Key usage"), strings.Join(append(append([]string{}, c.KeyUsage...), c.ExtKeyUsage...), ", ")},
		{u.tr("Beleid (policy OID's)", "Policies (OIDs)"), strings.Join(c.Policies, ", ")},
		{"SHA-256", c.SHA256},
		{u.tr("Bestelling", "Order"), orderLinks(u, &c)},
		{"CA", yes(c.IsCA)},
	}
	form := widget.NewForm()
	for _, r := range rows {
		v := widget.NewLabel(orDash(printableLines(r[1])))
		v.Wrapping = fyne.TextWrapWord
		v.Selectable = true
		form.Append(r[0], v)
	}
	for _, item := range u.peopleItems(c) {
		form.AppendItem(item)
	}
	download := u.newButton(u.tr("Downloaden", "Download"), func() { u.download(c) })
	renew, revoke, why := u.detailOrderButtons(c)
	back := u.newButton("← "+i18n.T(u.lang, "window.back_to", u.backTitle()), u.back)
	title := widget.NewLabelWithStyle(orDash(cert.Printable(c.CommonName)), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	remove, closed := u.removeButton(c)
	if closed != "" {
		why.SetText(strings.TrimSpace(why.Text + "\n" + closed))
		why.Show()
	}
	why.Wrapping = fyne.TextWrapWord
	top := container.NewVBox(title, container.NewHBox(back, download, renew, revoke, remove), why)
	u.shell(orDash(cert.Printable(c.CommonName)), sectionOf(c.Kind), container.NewBorder(top, nil, nil, nil, container.NewVScroll(form)))
	u.win.Canvas().Focus(back)
}

// chainVerdict says whether the chain is trusted, or why not.
func (u *ui) chainVerdict(ch trust.Chain, err error) string {
	if err != nil {
		return i18n.Localize(u.lang, err)
	}
	return ch.Text(u.lang)
}

// chainLines shows the chain one certificate a line, leaf first, with each
// certificate's validity.
func chainLines(ch trust.Chain) string {
	var lines []string
	for i, c := range ch.Certs {
		lines = append(lines, fmt.Sprintf("%d. %s (%s – %s)", i+1, cert.Printable(cnOrSubject(c)), c.NotBefore.Format("2006-01-02"), c.NotAfter.Format("2006-01-02")))
	}
	return strings.Join(lines, "\n")
}

func cnOrSubject(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return c.Subject.CommonName
	}
	return c.Subject.String()
}

// download saves the certificate as PEM, DER or PEM with its chain, and
// says where it went.
func (u *ui) download(c cert.Certificate) {
	formats := []string{"PEM (.pem)", "DER (.cer)", u.tr("PEM met keten (.pem)", "PEM with chain (.pem)")}
	kinds := []app.ExportFormat{app.ExportPEM, app.ExportDER, app.ExportPEMChain}
	choice := widget.NewRadioGroup(formats, nil)
	choice.SetSelected(formats[0])
	save := func() {
		format := app.ExportPEM
		for i, f := range formats {
			if f == choice.Selected {
				format = kinds[i]
			}
		}
		data, ext, err := u.core.ExportCertificate(context.Background(), c.SHA256, format)
		if err != nil {
			u.showError(err)
			return
		}
		name := c.CommonName
		if name == "" {
			name = c.SHA256[:16]
		}
		filter := []fileFilter{{i18n.T(u.lang, "window.filter_certs"), []string{"*" + filepath.Ext(ext)}}, {i18n.T(u.lang, "window.filter_all"), []string{"*"}}}
		u.saveFile(saveRequest{
			title: u.tr("Downloaden", "Download"), name: app.SafeFileName(name) + ext, filter: filter,
			write: func(w fileWriter) error {
				if _, err := w.Write(data); err != nil {
					return i18n.E("window.write_failed", err, name)
				}
				return nil
			},
			done: func(path string) {
				u.inform(u.tr("Downloaden", "Download"), i18n.T(u.lang, "window.saved", baseName(path), dirName(path)))
			},
		})
	}
	u.showDialog(u.tr("Downloaden", "Download"), choice,
		dialogButton{label: u.tr("Annuleren", "Cancel"), isCancel: true},
		dialogButton{label: u.tr("Opslaan…", "Save…"), importance: widget.HighImportance, action: save, isDefault: true})
}

// dnLines shows a distinguished name one attribute per line, so a long
// subject is read whole instead of cut off, with names instead of hex for
// the attributes crypto/x509 does not name (organizationIdentifier, GN, SN).
func dnLines(dn string) string {
	parts := cert.DNParts(dn)
	for i, p := range parts {
		parts[i] = cert.ReadableDNPart(p)
	}
	return strings.Join(parts, "\n")
}

// printableLines makes each line of a detail value safe to show, in full:
// the detail screen is where a user reads a whole value.
func printableLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = cert.PrintableMax(l, 1000)
	}
	return strings.Join(lines, "\n")
}
