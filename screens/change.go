package screens

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
)

// changePage shows one change form: the confirmation page right after
// signing (seed 3.2's bevestigingspagina: Openen, Opslaan, Afdrukken), or
// a change kept earlier, pending or closed. A pending one can be recorded
// as confirmed by the CA, or withdrawn.
type changePage struct {
	u       *ui
	ch      org.Change
	open    *button
	save    *button
	print   *button
	confirm *button
	cancel  *button
	status  *widget.Label
	why     *widget.Label
	// opened and printed are the files last handed on (tests).
	opened, printed string
}

// showChange shows a kept change by number.
func (u *ui) showChange(number string) { u.open(u.changePlace(number, false)) }

// changePlace is a change's page; the private copy of its PDF (for the
// viewer or the printer) goes when the page is left.
func (u *ui) changePlace(number string, justSigned bool) place {
	pl := u.orgPlace("change:"+number, fmt.Sprintf(u.tr("Wijziging %s", "Change %s"), number), func() { u.changePage(number, justSigned) })
	pl.leave = u.removePrivateFiles
	return pl
}

func (u *ui) changePage(number string, justSigned bool) *changePage {
	reg, err := u.core.Register(context.Background())
	var ch org.Change
	found := false
	for _, c := range reg.Changes {
		if c.Number == number {
			ch, found = c, true
		}
	}
	if err == nil && !found {
		err = i18n.E("org.change.unknown", nil, number)
	}
	if err != nil {
		u.shell(number, sectionOrganisation, container.NewVBox(reasonLabel(i18n.Localize(u.lang, err)), container.NewHBox(u.backButton())))
		return nil
	}
	p := &changePage{u: u, ch: ch, status: wrappedLabel(""), why: reasonLabel("")}
	p.why.Hide()
	title := fmt.Sprintf(u.tr("Wijziging %s", "Change %s"), ch.Number)
	var intro *widget.Label
	switch {
	case justSigned && ch.Has(org.SectionBV):
		title = u.tr("Druk het formulier af en onderteken het met de hand", "Print the form and sign it by hand")
		intro = wrappedLabel(u.tr(
			"Het formulier voor een nieuwe Bevoegd Vertegenwoordiger is elektronisch verzegeld met uw kaart. Druk het af: u en de nieuwe Bevoegd Vertegenwoordiger ondertekenen het beiden met de hand. Stuur het met een kopie van het identiteitsbewijs van de nieuwe Bevoegd Vertegenwoordiger naar KPN. De wijziging wordt van kracht zodra KPN haar bevestigt.",
			"The form for a new authorised representative is sealed electronically with your card. Print it: you and the new authorised representative both sign it by hand. Send it to KPN with a copy of the ID document of the new authorised representative. The change takes effect once KPN confirms it."))
		intro.Importance = widget.WarningImportance
	case justSigned:
		title = u.tr("Uw wijzigingsformulier is ondertekend", "Your change form has been signed")
		intro = wrappedLabel(u.tr(
			"Het wijzigingsformulier is elektronisch ondertekend. Sla de PDF op en stuur hem naar KPN. De wijziging wordt van kracht zodra KPN haar bevestigt; tot dan staat zij als 'in behandeling' bij Organisatiegegevens.",
			"The change form has been signed electronically. Save the PDF and send it to KPN. The change takes effect once KPN confirms it; until then it shows as 'pending' on the organisation data."))
	}
	var sections []string
	for _, s := range ch.Sections {
		sections = append(sections, sectionTitle(u, s))
	}
	state := i18n.T(u.lang, "change.state."+string(ch.State))
	if ch.State != org.ChangePending {
		state += fmt.Sprintf(" (%s, %s", ch.Closed.Local().Format("02-01-2006 15:04"), cert.Printable(ch.ClosedBy))
		if ch.Note != "" {
			state += ": " + cert.Printable(ch.Note)
		}
		state += ")"
	}
	form := widget.NewForm(
		widget.NewFormItem(u.tr("Nummer", "Number"), widget.NewLabel(ch.Number)),
		widget.NewFormItem(u.tr("Status", "State"), widget.NewLabel(state)),
		widget.NewFormItem(u.tr("Rubrieken", "Sections"), widget.NewLabel(strings.Join(sections, ", "))),
		widget.NewFormItem(u.tr("Ondertekend door", "Signed by"), widget.NewLabel(cert.Printable(ch.By.Name)+" · "+ch.Created.Local().Format("02-01-2006 15:04"))),
		widget.NewFormItem(u.tr("Handtekening", "Signature"), wrappedLabel(cert.Printable(ch.Document.Signer))),
		widget.NewFormItem("SHA-256 (PDF)", wrappedLabel(ch.Document.SHA256)),
	)
	for _, line := range changeLines(u, ch) {
		form.Append(line[0], wrappedLabel(line[1]))
	}
	if ch.HasIDCopies() {
		kept := u.tr("Deze PDF bevat een kopie van een identiteitsbewijs. pkiodesk bewaart hem versleuteld zolang de wijziging in behandeling is en verwijdert hem bij bevestiging of intrekking.",
			"This PDF holds a copy of an ID document. pkiodesk keeps it encrypted while the change is pending and removes it on confirmation or withdrawal.")
		if ch.Document.Removed {
			kept = u.tr("De PDF bevatte een kopie van een identiteitsbewijs en is verwijderd.", "The PDF held a copy of an ID document and has been removed.")
		}
		form.Append(u.tr("Kopie identiteitsbewijs", "Copy of ID document"), wrappedLabel(kept))
	}
	p.open = u.newButton(u.tr("Openen", "Open"), p.openPDF)
	p.save = u.newButton(u.tr("Opslaan", "Save"), p.savePDF)
	p.print = u.newButton(u.tr("Afdrukken", "Print"), p.printPDF)
	p.open.Importance = widget.HighImportance
	if ch.Document.Removed {
		p.open.Disable()
		p.save.Disable()
		p.print.Disable()
	}
	p.confirm = u.newButton(u.tr("Bevestiging door KPN vastleggen…", "Record KPN's confirmation…"), p.recordConfirmation)
	p.cancel = u.newButton(u.tr("Wijziging intrekken…", "Withdraw the change…"), p.withdraw)
	if err := app.CheckCloseChange(u.person, ch); err != nil {
		p.confirm.Disable()
		if ch.State == org.ChangePending {
			p.why.SetText(sentence(i18n.Localize(u.lang, err)))
			p.why.Show()
		}
	}
	if app.CheckWithdrawChange(u.person, ch) != nil {
		p.cancel.Disable()
	}
	items := []fyne.CanvasObject{sectionHeading(title)}
	if intro != nil {
		items = append(items, intro)
	}
	items = append(items, form, container.NewHBox(p.open, p.save, p.print), p.status)
	if ch.State == org.ChangePending {
		items = append(items, container.NewHBox(p.confirm, p.cancel), p.why)
	}
	items = append(items, container.NewHBox(u.backButton()))
	u.shell(fmt.Sprintf(u.tr("Wijziging %s", "Change %s"), ch.Number), sectionOrganisation, container.NewVScroll(container.NewVBox(items...)))
	u.win.Content().Refresh()
	u.changeShown = p
	return p
}

// changeLines says what a change does, a line per thing.
func changeLines(u *ui, ch org.Change) [][2]string {
	var out [][2]string
	if o := ch.Organisation; o != nil {
		if ch.Has(org.SectionOrganisation) {
			out = append(out, [2]string{sectionTitle(u, org.SectionOrganisation), strings.Join([]string{o.Name, o.OIN, o.KvK, strings.ReplaceAll(o.Address, "\n", ", ")}, " · ")})
		}
		if ch.Has(org.SectionBilling) {
			out = append(out, [2]string{sectionTitle(u, org.SectionBilling), strings.ReplaceAll(o.BillingAddress, "\n", ", ") + " · " + o.BillingReference})
		}
	}
	for _, c := range ch.Contacts {
		what := map[org.ContactAction][2]string{
			org.ContactAdd: {"nieuw", "new"}, org.ContactUpdate: {"gewijzigd", "changed"}, org.ContactDeactivate: {"gedeactiveerd", "deactivated"},
		}[c.Action]
		out = append(out, [2]string{sectionTitle(u, org.SectionContacts), cert.Printable(c.Person.Name) + " · " + u.tr(what[0], what[1]) + " · " + i18n.T(u.lang, "role."+string(c.Person.Role))})
	}
	if nb := ch.NewBV; nb != nil {
		out = append(out, [2]string{sectionTitle(u, org.SectionBV), cert.Printable(nb.Current.Name) + " → " + cert.Printable(nb.Person.Name)})
	}
	if c := ch.Cancellation; c != nil {
		out = append(out, [2]string{sectionTitle(u, org.SectionCancel), strings.Join(c.Stops, "\n")})
	}
	return out
}

func (p *changePage) fail(err error) {
	p.status.Importance = widget.DangerImportance
	p.status.SetText(sentence(i18n.Localize(p.u.lang, err)))
}

// openPDF shows the signed PDF in the system's viewer, from a private
// file that goes when the change closes or pkiodesk ends.
func (p *changePage) openPDF() {
	path, err := p.u.core.ChangeDocumentFile(context.Background(), p.ch.Number, app.DocumentOpened)
	if err != nil {
		p.fail(err)
		return
	}
	p.opened = path
	if err := p.u.fa.OpenURL(&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}); err != nil {
		p.fail(err)
	}
}

// savePDF saves a copy where the user wants it (to send it to KPN).
func (p *changePage) savePDF() {
	u := p.u
	doc, err := u.core.ChangeDocument(context.Background(), p.ch.Number)
	if err != nil {
		p.fail(err)
		return
	}
	u.saveFile(saveRequest{
		title: u.tr("PDF opslaan", "Save the PDF"), name: p.ch.Number + ".pdf", filter: []fileFilter{{"PDF", []string{"*.pdf"}}},
		write: func(w fileWriter) error {
			if _, err := w.Write(doc); err != nil {
				return err
			}
			// Not journaled, not saved: the temporary file is dropped.
			return u.core.JournalChangeDocument(context.Background(), p.ch.Number, app.DocumentSaved)
		},
		done: func(path string) {
			p.status.Importance = widget.SuccessImportance
			p.status.SetText(u.tr("Opgeslagen: ", "Saved: ") + baseName(path))
		},
	})
}

// printPDF sends the PDF to the default printer where there is a print
// command (lp); elsewhere it opens the viewer to print from.
func (p *changePage) printPDF() {
	u := p.u
	lp, err := exec.LookPath("lp")
	if err != nil || runtime.GOOS == "windows" {
		// Handed to the viewer, and journaled as opened.
		p.openPDF()
		p.status.Importance = widget.MediumImportance
		p.status.SetText(u.tr("De PDF is geopend; kies daar Afdrukken.", "The PDF is open; choose Print there."))
		return
	}
	path, err := u.core.ChangeDocumentFile(context.Background(), p.ch.Number, app.DocumentPrinted)
	if err != nil {
		p.fail(err)
		return
	}
	out, err := exec.CommandContext(context.Background(), lp, "--", path).CombinedOutput()
	if err != nil {
		p.fail(errors.New(u.tr("afdrukken mislukt: ", "printing failed: ") + string(out)))
		return
	}
	p.printed = path
	p.status.Importance = widget.SuccessImportance
	p.status.SetText(u.tr("Naar de standaardprinter gestuurd.", "Sent to the default printer."))
}

// recordConfirmation records that KPN confirmed the change, with its
// reference; the register changes now.
func (p *changePage) recordConfirmation() {
	u := p.u
	ref := u.newKeyEntry()
	ref.SetPlaceHolder(u.tr("bijvoorbeeld het kenmerk uit de e-mail van KPN", "for instance the reference in KPN's e-mail"))
	text := wrappedLabel(u.tr("De wijziging komt nu in de registratie.", "The change now enters the register."))
	u.showDialog(u.tr("Bevestiging door KPN vastleggen", "Record KPN's confirmation"),
		container.NewVBox(text, widget.NewForm(widget.NewFormItem(u.tr("Kenmerk", "Reference"), ref))),
		dialogButton{label: u.tr("Annuleren", "Cancel"), isCancel: true},
		dialogButton{label: u.tr("Vastleggen", "Record"), importance: widget.HighImportance, isDefault: true, action: func() {
			p.close(func(ctx context.Context) (org.Change, error) {
				return u.core.ConfirmChange(ctx, u.person, p.ch.Number, ref.Text)
			})
		}})
}

// withdraw cancels the change (or records that KPN refused it).
func (p *changePage) withdraw() {
	u := p.u
	reason := u.newKeyEntry()
	u.showDialog(u.tr("Wijziging intrekken", "Withdraw the change"), widget.NewForm(widget.NewFormItem(u.tr("Reden", "Reason"), reason)),
		dialogButton{label: u.tr("Annuleren", "Cancel"), isCancel: true},
		dialogButton{label: u.tr("Intrekken", "Withdraw"), importance: widget.DangerImportance, isDefault: true, action: func() {
			p.close(func(ctx context.Context) (org.Change, error) {
				return u.core.CancelChange(ctx, u.person, p.ch.Number, reason.Text)
			})
		}})
}

func (p *changePage) close(do func(context.Context) (org.Change, error)) {
	ch, err := do(context.Background())
	if err != nil && ch.Number == "" {
		p.fail(err)
		return
	}
	// A confirmed change may have changed the card holder's own role (a
	// new Bevoegd Vertegenwoordiger) or ended the subscription.
	p.u.rereadPerson()
	next := p.u.changePage(ch.Number, false)
	if err != nil && next != nil {
		next.fail(err)
	}
}
