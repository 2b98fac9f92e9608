package screens

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/order"
	"pkiodesk/smartcard"
)

// The server certificate wizard (seed 3.2, 3.3): PKIoverheid PRIVATE,
// Digipoort PRIVATE or Trial, or certSIGN OV SSL; new or renewal. Its
// certificate page holds the product type, the Naam van de service, the
// FQDNs and the CSR, linted as it is pasted.

var pkioTypes = []order.Product{order.ProductPKIoPrivate, order.ProductDigipoortPrivate, order.ProductPKIoTrial}

func (w *wizard) serverStep() wizardStep {
	u := w.u
	return wizardStep{key: "certificaat", title: u.tr("Servercertificaat", "Server certificate"), build: w.serverPage, check: func() error {
		o := &w.rec.Order
		for _, p := range order.Problems(o) {
			switch p.Field {
			case order.FieldServiceName, order.FieldFQDNs, order.FieldCSR, order.FieldProduct:
				return p.Err
			}
		}
		fs, err := u.core.Orders.LintOrder(context.Background(), o)
		if err != nil {
			return err
		}
		if order.HasErrors(fs) {
			return i18n.E("order.csr_errors", nil)
		}
		return nil
	}}
}

func (w *wizard) serverPage() fyne.CanvasObject {
	u := w.u
	o := &w.rec.Order
	if o.Server == nil {
		o.Server = &order.ServerDetails{}
	}
	d := o.Server
	form := widget.NewForm()
	if o.Kind == order.KindNew && o.Product != order.ProductCertSIGNOV {
		// The seed's own words for the choice (3.3).
		labels := []string{"PRIVATE", "Digipoort PRIVATE", "Trial"}
		kind := widget.NewRadioGroup(labels, nil)
		for i, p := range pkioTypes {
			if p == o.Product {
				kind.SetSelected(labels[i])
			}
		}
		kind.OnChanged = func(s string) {
			for i, l := range labels {
				if l == s {
					o.Product = pkioTypes[i]
				}
			}
			w.changed()
			w.lintCSR()
		}
		kind.Horizontal = true
		form.AppendItem(widget.NewFormItem(u.tr("Type servercertificaat", "Server certificate type"), kind))
	}
	service := w.entry(order.FieldServiceName, d.ServiceName, func(s string) { d.ServiceName = strings.TrimSpace(s) })
	serviceItem := widget.NewFormItem(u.tr("Naam van de service", "Service name"), service)
	if o.Kind == order.KindRenew {
		service.Disable()
		serviceItem.HintText = u.tr("Bij verlenging is de Naam van de service niet aan te passen.", "The service name cannot be changed on renewal.")
	}
	form.AppendItem(serviceItem)
	fqdns := widget.NewMultiLineEntry()
	fqdns.SetMinRowsVisible(3)
	fqdns.SetPlaceHolder("www.gemeente.nl\napi.gemeente.nl")
	w.bindEntry(fqdns, order.FieldFQDNs, strings.Join(d.FQDNs, "\n"), func(s string) {
		d.FQDNs = order.SplitFQDNs(s)
		w.lintCSR()
	})
	fqdnItem := widget.NewFormItem(u.tr("FQDN's (één per regel)", "FQDNs (one per line)"), fqdns)
	fqdnItem.HintText = u.tr("De domeinnamen van de server; zij moeten in de CSR staan.", "The server's domain names; they must be in the CSR.")
	form.AppendItem(fqdnItem)

	csr := widget.NewMultiLineEntry()
	csr.SetMinRowsVisible(6)
	csr.TextStyle = fyne.TextStyle{Monospace: true}
	csr.SetPlaceHolder("-----BEGIN CERTIFICATE REQUEST-----")
	csr.SetText(d.CSR)
	csr.OnChanged = func(s string) {
		d.CSR = s
		w.changed()
		w.lintCSR()
	}
	w.csrEntry = csr
	openCSR := widget.NewButton(u.tr("CSR openen…", "Open CSR…"), func() { w.openCSR(csr) })
	makeKey := widget.NewButton(u.tr("Sleutel en CSR maken…", "Make key and CSR…"), func() { w.makeKeyDialog(csr) })
	onServer := widget.NewButton(u.tr("Op de server maken…", "Make on the server…"), w.commandsDialog)
	form.AppendItem(widget.NewFormItem("CSR", csr))
	form.AppendItem(widget.NewFormItem("", container.NewHBox(openCSR, makeKey, onServer)))
	w.findingsBox = container.NewVBox()
	items := []fyne.CanvasObject{heading(u.tr("Servercertificaat", "Server certificate"))}
	if o.Kind == order.KindRenew {
		items = append(items, note(u.tr("Bij verlenging hoort een nieuwe CSR, met een nieuwe sleutel.", "A renewal needs a new CSR, with a new key.")))
	}
	items = append(items, form)
	w.lintCSR()
	// The findings beside the form, so they are in view while the CSR is
	// pasted.
	check := container.NewVBox(heading(u.tr("Controle van de CSR", "CSR check")), w.findingsBox)
	split := container.NewHSplit(container.NewVBox(items...), container.NewPadded(check))
	split.SetOffset(0.64)
	return split
}

// lintCSR checks the CSR against the order as it stands and shows the
// findings under the form.
func (w *wizard) lintCSR() {
	if w.findingsBox == nil {
		return
	}
	u := w.u
	fs, err := u.core.Orders.LintOrder(context.Background(), &w.rec.Order)
	w.findings, w.findingsError = fs, err
	w.findingsBox.RemoveAll()
	switch {
	case err != nil:
		l := note(sentence(i18n.Localize(u.lang, err)))
		if strings.TrimSpace(w.rec.Order.Server.CSR) != "" {
			l.Importance = widget.DangerImportance
		}
		w.findingsBox.Add(l)
	case len(fs) == 0:
		l := note(sentence(i18n.T(u.lang, "csr.ok")))
		l.Importance = widget.SuccessImportance
		w.findingsBox.Add(l)
	default:
		for _, l := range findingLabels(u, fs) {
			w.findingsBox.Add(l)
		}
	}
	w.findingsBox.Refresh()
}

func (w *wizard) openCSR(target *widget.Entry) {
	u := w.u
	open := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		defer r.Close()
		data, err := inventory.ReadLimited(r, order.MaxCSRSize)
		if err == nil {
			_, err = order.ParseCSR(data)
		}
		if err != nil {
			dialog.ShowError(errors.New(sentence(i18n.Localize(u.lang, err))), u.win)
			return
		}
		target.SetText(string(data))
	}, u.win)
	open.SetFilter(storage.NewExtensionFileFilter([]string{".csr", ".pem", ".req", ".der"}))
	open.Show()
}

// keyRequest is what a generated key and CSR are for.
func (w *wizard) keyRequest() order.KeyRequest {
	o := &w.rec.Order
	return order.KeyRequest{Profile: order.ProfileFor(o.Product), Org: o.Organisation, FQDNs: o.Server.FQDNs}
}

// makeKeyDialog lets pkiodesk make the key and CSR: on a token (an HSM)
// through PKCS#11, or as a software key in an encrypted file.
func (w *wizard) makeKeyDialog(target *widget.Entry) {
	u := w.u
	if err := order.ValidateField(order.FieldFQDNs, strings.Join(w.rec.Order.Server.FQDNs, "\n"), w.rec.Order.Product); err != nil {
		dialog.ShowError(errors.New(sentence(i18n.Localize(u.lang, err))), u.win)
		return
	}
	onToken := u.tr("Op een token of HSM (PKCS#11): de sleutel verlaat het token nooit", "On a token or HSM (PKCS#11): the key never leaves the token")
	inFile := u.tr("Als versleuteld sleutelbestand (PKCS#8, AES-256) op een plek die u kiest", "As an encrypted key file (PKCS#8, AES-256) in a place you choose")
	where := widget.NewRadioGroup([]string{onToken, inFile}, nil)
	where.SetSelected(inFile)

	tokens, choices := u.tokenChoices()
	tokenSel := u.newSelect(choices, nil)
	if len(choices) > 0 {
		tokenSel.SetSelectedIndex(0)
	}
	pin := widget.NewPasswordEntry()
	pass1, pass2 := widget.NewPasswordEntry(), widget.NewPasswordEntry()
	tokenForm := widget.NewForm(widget.NewFormItem(u.tr("Token", "Token"), tokenSel), widget.NewFormItem("PIN", pin))
	fileForm := widget.NewForm(
		widget.NewFormItem(u.tr("Wachtwoord voor de sleutel", "Passphrase for the key"), pass1),
		widget.NewFormItem(u.tr("Nogmaals", "Again"), pass2))
	fileForm.Items[0].HintText = fmt.Sprintf(u.tr("Minstens %d tekens. Zonder dit wachtwoord is de sleutel onbruikbaar.", "At least %d characters. Without it the key is useless."), order.MinPassphrase)
	tokenForm.Hide()
	where.OnChanged = func(s string) {
		tokenForm.Hidden, fileForm.Hidden = s != onToken, s == onToken
		tokenForm.Refresh()
		fileForm.Refresh()
	}
	bits := fmt.Sprintf("RSA %d", order.DefaultBits)
	info := note(fmt.Sprintf(u.tr("pkiodesk maakt een %s-sleutel en een CSR voor: %s", "pkiodesk makes an %s key and a CSR for: %s"), bits, strings.Join(w.rec.Order.Server.FQDNs, ", ")))
	content := container.NewVBox(info, where, tokenForm, fileForm)
	dlg := dialog.NewCustomConfirm(u.tr("Sleutel en CSR maken", "Make key and CSR"), u.tr("Maken", "Make"), u.tr("Annuleren", "Cancel"), content, func(ok bool) {
		if !ok {
			return
		}
		if where.Selected == onToken {
			i := tokenSel.SelectedIndex()
			if i < 0 {
				dialog.ShowError(errors.New(sentence(i18n.T(u.lang, "card.no_token"))), u.win)
				return
			}
			w.keyOnToken(tokens[i], []byte(pin.Text), target)
			pin.SetText("")
			return
		}
		if pass1.Text != pass2.Text {
			dialog.ShowError(errors.New(sentence(i18n.T(u.lang, "keygen.passphrase_mismatch"))), u.win)
			return
		}
		w.keyInFile([]byte(pass1.Text), target)
	}, u.win)
	dlg.Resize(fyne.NewSize(620, 360))
	dlg.Show()
}

// tokenChoices lists the tokens a server key can be made on.
func (u *ui) tokenChoices() ([]smartcard.TokenInfo, []string) {
	settings, _ := u.core.Settings(context.Background())
	var paths []string
	if u.demo != nil {
		paths = append(paths, u.demo.module)
	}
	for _, c := range smartcard.DiscoverModules(smartcard.DiscoverOptions{Configured: settings.ModulePaths}) {
		if u.demo == nil || c.Path != u.demo.module {
			paths = append(paths, c.Path)
		}
	}
	var infos []smartcard.TokenInfo
	var names []string
	for _, m := range paths {
		ts, err := u.cards.Tokens(m)
		if err != nil {
			continue
		}
		for _, t := range ts {
			infos = append(infos, t)
			names = append(names, fmt.Sprintf("%s — %s (%s)", cert.Printable(t.Label), cert.Printable(t.Model), filepath.Base(m)))
		}
	}
	return infos, names
}

func (w *wizard) keyOnToken(tok smartcard.TokenInfo, pin []byte, target *widget.Entry) {
	u := w.u
	req := w.keyRequest()
	label := smartcard.KeyLabel(w.rec.Order.Server.ServiceName)
	go func() {
		var csr []byte
		_, err := u.cards.GenerateRSAKey(context.Background(), tok, smartcard.GivenPIN(pin), order.DefaultBits, label, func(k crypto.Signer) error {
			var err error
			csr, err = order.CSRFor(req, k)
			return err
		})
		fyne.Do(func() {
			if err != nil {
				dialog.ShowError(errors.New(sentence(i18n.Localize(u.lang, err))), u.win)
				return
			}
			target.SetText(string(csr))
			dialog.ShowInformation(u.tr("Sleutel gemaakt", "Key made"), fmt.Sprintf(u.tr("De sleutel %q staat op het token %s; de CSR staat in het formulier.", "The key %q is on token %s; the CSR is in the form."), label, cert.Printable(tok.Label)), u.win)
		})
	}()
}

func (w *wizard) keyInFile(passphrase []byte, target *widget.Entry) {
	u := w.u
	keyPEM, csrPEM, err := order.SoftwareKey(w.keyRequest(), passphrase)
	if err != nil {
		dialog.ShowError(errors.New(sentence(i18n.Localize(u.lang, err))), u.win)
		return
	}
	// A folder, not a file: pkiodesk names the file and never overwrites
	// one (a save dialog would truncate an existing key first).
	pick := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil || dir == nil {
			return
		}
		path := filepath.Join(dir.Path(), keyFileBase(w.rec.Order.Server.ServiceName)+".key")
		if err := order.WriteNewFile(path, keyPEM); err != nil {
			dialog.ShowError(errors.New(sentence(i18n.Localize(u.lang, err))), u.win)
			return
		}
		target.SetText(string(csrPEM))
		dialog.ShowInformation(u.tr("Sleutel opgeslagen", "Key saved"), fmt.Sprintf(u.tr("De versleutelde sleutel staat in %s. Bewaar het wachtwoord apart; de CSR staat in het formulier.", "The encrypted key is in %s. Keep the passphrase apart; the CSR is in the form."), path), u.win)
	}, u.win)
	pick.SetConfirmText(u.tr("Sleutel hier opslaan", "Save key here"))
	pick.Show()
}

// commandsDialog shows how to make the key and CSR on the server itself:
// an openssl command and a Windows certreq INF, to copy or save.
func (w *wizard) commandsDialog() {
	u := w.u
	if err := order.ValidateField(order.FieldFQDNs, strings.Join(w.rec.Order.Server.FQDNs, "\n"), w.rec.Order.Product); err != nil {
		dialog.ShowError(errors.New(sentence(i18n.Localize(u.lang, err))), u.win)
		return
	}
	req := w.keyRequest()
	base := keyFileBase(w.rec.Order.Server.ServiceName)
	cmd := order.OpenSSLCommand(req, base+".key", base+".csr")
	inf := order.CertreqINF(req)
	text := func(s string) *widget.Entry {
		e := widget.NewMultiLineEntry()
		e.SetText(s)
		e.TextStyle = fyne.TextStyle{Monospace: true}
		e.Wrapping = fyne.TextWrapBreak
		e.SetMinRowsVisible(5)
		return e
	}
	copyButton := func(s string) *widget.Button {
		return widget.NewButton(u.tr("Kopiëren", "Copy"), func() { u.fa.Clipboard().SetContent(s) })
	}
	saveINF := widget.NewButton(u.tr("INF opslaan…", "Save INF…"), func() {
		d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
			if err != nil || wc == nil {
				return
			}
			defer wc.Close()
			wc.Write([]byte(inf))
		}, u.win)
		d.SetFileName(base + ".inf")
		d.Show()
	})
	content := container.NewVBox(
		note(u.tr("Linux of macOS, met OpenSSL (vraagt een wachtwoord voor de sleutel):", "Linux or macOS, with OpenSSL (asks for a passphrase for the key):")),
		text(cmd), copyButton(cmd),
		note(u.tr("Windows: sla het INF-bestand op en voer uit: certreq -new "+base+".inf "+base+".csr", "Windows: save the INF file and run: certreq -new "+base+".inf "+base+".csr")),
		text(inf), container.NewHBox(copyButton(inf), saveINF),
		note(u.tr("Open daarna de CSR in dit formulier; pkiodesk controleert hem.", "Then open the CSR in this form; pkiodesk checks it.")),
	)
	d := dialog.NewCustom(u.tr("Sleutel en CSR op de server maken", "Make key and CSR on the server"), u.tr("Sluiten", "Close"), container.NewVScroll(content), u.win)
	d.Resize(fyne.NewSize(900, 620))
	d.Show()
}

// keyFileBase names key, CSR and INF files after the service.
func keyFileBase(service string) string {
	if strings.TrimSpace(service) == "" {
		return "server"
	}
	return app.SafeFileName(service)
}
