package screens

import (
	"context"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/order"
)

// confirmation is the page after placing (seed 3.2's bevestigingspagina):
// the signed PDF with Openen, Opslaan and Afdrukken.
type confirmation struct {
	u      *ui
	rec    order.Record
	open   *widget.Button
	save   *widget.Button
	print  *widget.Button
	status *widget.Label
	signer *widget.Label
	// reject records the CA's rejection of a submitted order; rejectWhy
	// says why it is disabled, rejectReason is the open dialog's field.
	reject       *widget.Button
	rejectWhy    *widget.Label
	rejectReason *widget.Entry
	history      *widget.Label
	opened       string // the file last handed to the system viewer (tests)
	printed      string
}

// showConfirmation shows a placed order. submitErr is set when the outbox
// could not take it: the order is placed, and can be submitted again.
func (u *ui) showConfirmation(rec order.Record, submitErr error) *confirmation {
	u.open(place{id: "confirmation:" + rec.Order.ID, section: sectionOf(rec.Order.CertKind()),
		title: func() string { return u.tr("Bevestiging", "Confirmation") + " " + rec.Order.ID },
		show:  func() { u.drawConfirmation(rec, submitErr) },
		// The private copies of the PDF go with the page.
		leave: u.removePrivateFiles})
	return u.confirmation
}

func (u *ui) drawConfirmation(rec order.Record, submitErr error) {
	c := &confirmation{u: u, rec: rec}
	o := &rec.Order
	title := u.tr("Uw bestelling is geplaatst", "Your order has been placed")
	switch o.Kind {
	case order.KindRenew:
		title = u.tr("Uw verlenging is geplaatst", "Your renewal has been placed")
	case order.KindRevoke:
		title = u.tr("Uw intrekking is aangevraagd", "Your revocation has been requested")
	}
	c.status = note("")
	done := note(u.tr(
		"U hoeft verder geen vervolgactie te ondernemen. De aanvraag is direct en volledig elektronisch ondertekend en in de uitgaande map gezet, vanwaar zij naar de CA gaat.",
		"You need not do anything else. The request was signed electronically at once and in full and put in the outbox folder, from where it goes to the CA."))
	// Opened again from Bestellingen, the page says where the order is now.
	switch rec.State() {
	case order.StateRejected:
		title = u.tr("De CA heeft de bestelling afgewezen", "The CA rejected the order")
		done.SetText(u.tr("De afwijzing is vastgelegd; de reden staat hieronder in het verloop.", "The rejection is recorded; its reason is in the history below."))
	case order.StateIssued:
		title = u.tr("Het certificaat is uitgegeven", "The certificate has been issued")
		if o.Kind == order.KindRevoke {
			title = u.tr("De intrekking is bevestigd", "The revocation is confirmed")
		}
		done.SetText(u.tr("Deze bestelling is afgerond.", "This order is complete."))
	case order.StateCancelled:
		title = u.tr("De bestelling is geannuleerd", "The order was cancelled")
		done.SetText(u.tr("De bestelling is geannuleerd en gaat niet naar de CA.", "The order was cancelled and does not go to the CA."))
	case order.StatePlaced:
		if submitErr == nil {
			done.SetText(u.tr("De bestelling is geplaatst en ondertekend, maar staat nog niet in de uitgaande map; dien haar opnieuw in.",
				"The order is placed and signed, but not in the outbox folder yet; submit it again."))
			done.Importance = widget.WarningImportance
		}
	}
	if submitErr != nil {
		done.SetText(sentence(i18n.Localize(u.lang, submitErr)) + " " + u.tr("De bestelling is wel geplaatst en ondertekend; dien haar opnieuw in.", "The order is placed and signed; submit it again."))
		done.Importance = widget.DangerImportance
	}
	// The signed PDF is checked as `order show` checks it: seal, page,
	// signer against the trust store and the registered requester.
	signer := note("")
	if len(rec.Document) == 0 {
		// A draft cancelled before it was signed has no PDF.
		signer.SetText(u.tr("niet ondertekend (geannuleerd als concept)", "not signed (cancelled as a draft)"))
	} else if signed, err := u.core.ReadSignedOrder(context.Background(), rec.Document); err != nil {
		signer.SetText(sentence(i18n.Localize(u.lang, err)))
		signer.Importance = widget.DangerImportance
	} else {
		signer.SetText(cert.Printable(signed.Signer.Subject.CommonName) + " · " + signed.SignedAt.Local().Format("02-01-2006 15:04:05"))
	}
	c.signer = signer
	form := widget.NewForm(
		widget.NewFormItem(u.tr("Nummer", "Number"), widget.NewLabel(o.ID)),
		widget.NewFormItem(u.tr("Status", "State"), widget.NewLabel(i18n.T(u.lang, "order.state."+string(rec.State())))),
		widget.NewFormItem(u.tr("Betreft", "Concerns"), widget.NewLabel(cert.Printable(order.Subject(o)))),
		widget.NewFormItem(u.tr("Ondertekend door", "Signed by"), signer),
		widget.NewFormItem(u.tr("Inhoudshash (SHA-256)", "Content hash (SHA-256)"), widget.NewLabel(rec.Hash)),
	)
	if rec.Life.SubmittedTo != "" {
		form.Append(u.tr("PDF in de uitgaande map", "PDF in the outbox folder"), note(rec.Life.SubmittedTo))
	}
	sealed := note(u.tr("De PDF is elektronisch verzegeld en bevat de gegevens van het certificaat waarmee u bent ingelogd, en de aanvraag zelf (bestelling.json en de CSR) als bijlagen. Elke PDF-lezer kan de handtekening controleren; pkiodesk ook: pkiodesk order show BESTAND.pdf.",
		"The PDF is sealed electronically and holds the data of the certificate you logged in with, and the request itself (bestelling.json and the CSR) as attachments. Any PDF reader can check the signature; so can pkiodesk: pkiodesk order show FILE.pdf."))
	c.open = widget.NewButton(u.tr("Openen", "Open"), c.openPDF)
	c.save = widget.NewButton(u.tr("Opslaan", "Save"), c.savePDF)
	c.print = widget.NewButton(u.tr("Afdrukken", "Print"), c.printPDF)
	c.open.Importance = widget.HighImportance
	buttons := container.NewHBox(c.open, c.save, c.print)
	if len(rec.Document) == 0 {
		buttons.Hide()
		sealed.Hide()
	}
	if submitErr != nil || rec.State() == order.StatePlaced {
		buttons.Add(widget.NewButton(u.tr("Opnieuw indienen", "Submit again"), c.resubmit))
	}
	content := container.NewVBox(heading(title), done, form, sealed, buttons, c.status)
	// The CA's answer: a submitted order it refused is recorded here, by
	// who may order (disabled with the reason otherwise).
	if rec.State() == order.StateSubmitted {
		c.reject = widget.NewButton(u.tr("Afwijzing vastleggen", "Record rejection"), c.askReject)
		c.rejectWhy = note("")
		if err := order.RejectBlocked(u.person, &rec); err != nil {
			c.reject.Disable()
			c.rejectWhy.SetText(sentence(i18n.Localize(u.lang, err)))
		} else {
			c.rejectWhy.SetText(u.tr("Heeft de CA de bestelling afgewezen? Leg dat vast met de reden die de CA opgaf.",
				"Did the CA reject the order? Record it with the reason the CA stated."))
		}
		content.Add(container.NewBorder(nil, nil, c.reject, nil, c.rejectWhy))
	}
	c.history = note(c.historyText())
	content.Add(widget.NewLabelWithStyle(u.tr("Verloop", "History"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	content.Add(c.history)
	// Opened from Bestellingen, the page goes back there (filters and
	// choice as they were left); just placed, to the certificates' overview.
	var back fyne.CanvasObject = widget.NewButton(u.tr("Terug naar het overzicht", "Back to the overview"), func() { u.showOverview(o.CertKind()) })
	if len(u.history) > 0 && u.history[len(u.history)-1].id == "orders" {
		back = u.backButton()
	}
	content.Add(container.NewHBox(back))
	u.shell(u.tr("Bevestiging", "Confirmation")+" "+o.ID, sectionOf(o.CertKind()), container.NewVScroll(content))
	u.win.Content().Refresh() // wrapped lines know their width only now
	u.confirmation = c
}

// pdfFile is a file holding the signed PDF: the outbox copy, or a private
// temporary copy when there is none.
func (c *confirmation) pdfFile() (string, error) {
	if p := c.rec.Life.SubmittedTo; p != "" {
		if data, err := os.ReadFile(p); err == nil && string(data) == string(c.rec.Document) {
			return p, nil
		}
	}
	// The process's private folder, removed when this page is left.
	return c.u.core.PrivateFile(c.rec.Order.ID+".pdf", c.rec.Document)
}

// historyText is the order's history, a line per step, in the user's
// language.
func (c *confirmation) historyText() string {
	var lines []string
	for _, e := range c.rec.Life.History {
		line := e.At.Local().Format("02-01-2006 15:04:05") + "  " + i18n.T(c.u.lang, "order.state."+string(e.State))
		if n := e.NoteText(c.u.lang); n != "" {
			line += " — " + n
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// askReject asks for the reason the CA stated and records the rejection.
func (c *confirmation) askReject() {
	u := c.u
	c.rejectReason = widget.NewMultiLineEntry()
	c.rejectReason.SetPlaceHolder(u.tr("Reden die de CA opgaf", "Reason the CA stated"))
	c.rejectReason.Wrapping = fyne.TextWrapWord
	c.rejectReason.SetMinRowsVisible(3)
	intro := note(u.tr("Leg vast dat de CA bestelling "+c.rec.Order.ID+" heeft afgewezen. Dit kan niet ongedaan worden gemaakt.",
		"Record that the CA rejected order "+c.rec.Order.ID+". This cannot be undone."))
	od := u.showDialog(u.tr("Afwijzing vastleggen", "Record rejection"), container.NewVBox(intro, c.rejectReason),
		dialogButton{label: u.tr("Annuleren", "Cancel"), isCancel: true, isDefault: true},
		dialogButton{label: u.tr("Vastleggen", "Record"), importance: widget.DangerImportance, action: func() { c.doReject(c.rejectReason.Text) }})
	// Wide enough for the explanation on two lines and the reason.
	od.d.Resize(fyne.NewSize(min(560, u.win.Canvas().Size().Width-40), 300))
	u.win.Canvas().Focus(c.rejectReason)
}

func (c *confirmation) doReject(reason string) {
	u := c.u
	rec, err := u.core.Orders.Reject(context.Background(), c.rec.Order.ID, reason, u.person)
	if err != nil {
		c.fail(err)
		return
	}
	u.showConfirmation(rec, nil)
}

func (c *confirmation) fail(err error) {
	c.status.Importance = widget.DangerImportance
	c.status.SetText(sentence(i18n.Localize(c.u.lang, err)))
}

// openPDF shows the PDF in the system's PDF reader.
func (c *confirmation) openPDF() {
	p, err := c.pdfFile()
	if err != nil {
		c.fail(err)
		return
	}
	c.opened = p
	if err := c.u.fa.OpenURL(&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}); err != nil {
		c.fail(err)
	}
}

// savePDF saves a copy where the user wants it.
func (c *confirmation) savePDF() {
	u := c.u
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		defer w.Close()
		if _, err := w.Write(c.rec.Document); err != nil {
			c.fail(err)
			return
		}
		c.status.Importance = widget.SuccessImportance
		c.status.SetText(u.tr("Opgeslagen: ", "Saved: ") + w.URI().Name())
	}, u.win)
	d.SetFileName(c.rec.Order.ID + ".pdf")
	d.SetFilter(storage.NewExtensionFileFilter([]string{".pdf"}))
	d.Show()
}

// printPDF sends the PDF to the default printer where the system has a
// print command (lp); elsewhere it opens the PDF reader to print from.
func (c *confirmation) printPDF() {
	u := c.u
	p, err := c.pdfFile()
	if err != nil {
		c.fail(err)
		return
	}
	if lp, err := exec.LookPath("lp"); err == nil && runtime.GOOS != "windows" {
		out, err := exec.CommandContext(context.Background(), lp, "--", p).CombinedOutput()
		if err != nil {
			c.fail(errors.New(u.tr("afdrukken mislukt: ", "printing failed: ") + string(out)))
			return
		}
		c.printed = p
		c.status.Importance = widget.SuccessImportance
		c.status.SetText(u.tr("Naar de standaardprinter gestuurd.", "Sent to the default printer."))
		return
	}
	c.openPDF()
	c.status.Importance = widget.MediumImportance
	c.status.SetText(u.tr("De PDF is geopend; kies daar Afdrukken.", "The PDF is open; choose Print there."))
}

// resubmit tries the outbox again for an order that is placed.
func (c *confirmation) resubmit() {
	u := c.u
	box, err := u.core.Outbox(context.Background())
	if err != nil {
		c.fail(err)
		return
	}
	rec, err := u.core.Orders.Submit(context.Background(), c.rec.Order.ID, u.person, box)
	if err != nil {
		c.fail(err)
		return
	}
	u.showConfirmation(rec, nil)
}
