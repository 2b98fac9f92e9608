package screens

import (
	"context"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
)

// chooseImport lets the user pick certificate files (PEM, DER, PKCS#7,
// PKCS#12; several at once where the system's dialog allows it) and
// imports them into the inventory.
func (o *overview) chooseImport() {
	u := o.u
	u.openFiles(openRequest{
		title: u.tr("Certificaten importeren", "Import certificates"), filter: certFilter(u.lang), multiple: true,
		read: func(in []inventory.Input) { o.importInputs(in) },
	})
}

// importInputs imports files and shows what happened. PKCS#12 files that
// need a password ask for it once and are tried again with it; the report
// covers both rounds. It returns the first round's report (for tests).
func (o *overview) importInputs(in []inventory.Input) inventory.Report {
	u := o.u
	// CRL files (for a workstation without a route to the CA) go to the
	// trust store; what they did heads the report.
	certs, crls, cerr := u.core.ImportCRLs(context.Background(), in)
	o.note = ""
	if len(crls) > 0 || cerr != nil {
		o.refresh(true)
		o.note = u.crlReport(crls)
		if cerr != nil {
			o.note = strings.TrimSpace(o.note + "\n" + i18n.Localize(u.lang, cerr))
		}
	}
	if len(certs) == 0 {
		u.inform(u.tr("Importeren", "Import"), o.note)
		return inventory.Report{}
	}
	in = certs
	opt, err := u.core.ImportOptions(context.Background(), false)
	if err != nil {
		u.showError(err)
		return inventory.Report{}
	}
	rep, err := u.core.Import(context.Background(), in, opt)
	if err != nil {
		u.showError(err)
		return rep
	}
	o.note = strings.TrimSpace(o.note + u.matchReport(u.linkImported(rep)))
	o.refresh(true)
	var locked []inventory.Input
	var lockedRejections, rest []inventory.Rejection
	for _, r := range rep.Rejected {
		if !i18n.Is(r.Err, "err.p12_password") {
			rest = append(rest, r)
			continue
		}
		lockedRejections = append(lockedRejections, r)
		for _, x := range in {
			if x.Name == r.Source {
				locked = append(locked, x)
			}
		}
	}
	if len(locked) == 0 {
		o.showImportReport(rep)
		return rep
	}
	first := rep
	first.Rejected = rest
	u.askP12Password(func(pw string) {
		opt.P12Password = pw
		again, err := u.core.Import(context.Background(), locked, opt)
		if err != nil {
			u.showError(err)
			return
		}
		o.note = strings.TrimSpace(o.note + u.matchReport(u.linkImported(again)))
		o.refresh(true)
		o.showImportReport(mergeReports(first, again))
	}, func() {
		first.Rejected = append(first.Rejected, lockedRejections...)
		o.showImportReport(first)
	})
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
// mergeReports joins two rounds of one import.
func mergeReports(a, b inventory.Report) inventory.Report {
	a.Added = append(a.Added, b.Added...)
	a.Issuers = append(a.Issuers, b.Issuers...)
	a.Duplicates = append(a.Duplicates, b.Duplicates...)
	a.Rejected = append(a.Rejected, b.Rejected...)
	a.Foreign = append(a.Foreign, b.Foreign...)
	return a
}

// showImportReport shows what an import did. Certificates of another
// organisation were held back: the user first chooses which to keep.
func (o *overview) showImportReport(rep inventory.Report) {
	u := o.u
	report := func() string {
		if o.note != "" {
			return o.note + "\n" + u.importReport(rep)
		}
		return u.importReport(rep)
	}
	if len(rep.Foreign) == 0 {
		u.inform(u.tr("Importeren", "Import"), report())
		return
	}
	org, _ := u.core.Organisation(context.Background())
	intro := widget.NewLabel(i18n.N(u.lang, "window.foreign_intro", len(rep.Foreign), len(rep.Foreign), org.Name))
	intro.Wrapping = fyne.TextWrapWord
	list := container.NewVBox()
	checks := make([]*widget.Check, len(rep.Foreign))
	var keepButton *button
	for i, f := range rep.Foreign {
		c := f.Entry.Cert
		label := i18n.T(u.lang, "kind."+string(c.Kind)) + " " + orDash(cert.Printable(c.CommonName)) + " — " + i18n.Localize(u.lang, f.Reason)
		checks[i] = widget.NewCheck(label, func(bool) {
			n := 0
			for _, ch := range checks {
				if ch != nil && ch.Checked {
					n++
				}
			}
			if keepButton != nil {
				if n == 0 {
					keepButton.Disable()
				} else {
					keepButton.Enable()
				}
			}
		})
		list.Add(checks[i])
	}
	scroll := container.NewVScroll(list)
	win := u.win.Canvas().Size()
	scroll.SetMinSize(fyne.NewSize(min(win.Width*0.8, max(480, list.MinSize().Width+20)), min(win.Height*0.5, list.MinSize().Height+8)))
	finish := func(keep bool) {
		var held []inventory.Foreign
		for i, f := range rep.Foreign {
			if keep && checks[i].Checked {
				held = append(held, f)
			}
		}
		if len(held) > 0 {
			kept, err := u.core.KeepForeign(context.Background(), held)
			if err != nil {
				u.showError(err)
				return
			}
			rep.Added = append(rep.Added, kept.Added...)
			rep.Duplicates = append(rep.Duplicates, kept.Duplicates...)
			for i := range rep.Foreign {
				for _, k := range kept.Added {
					if rep.Foreign[i].Entry.Cert.SHA256 == k.SHA256 {
						rep.Foreign[i].Kept = true
					}
				}
			}
			o.refresh(true)
		}
		u.inform(u.tr("Importeren", "Import"), report())
	}
	od := u.showDialog(u.tr("Certificaten van een andere organisatie", "Certificates of another organisation"), container.NewBorder(intro, nil, nil, nil, scroll),
		dialogButton{label: u.tr("Overslaan", "Skip"), importance: widget.HighImportance, isDefault: true, isCancel: true, action: func() { finish(false) }},
		dialogButton{label: u.tr("Aangevinkte bewaren", "Keep the ticked ones"), action: func() { finish(true) }})
	u.foreignChecks = checks
	for _, obj := range od.buttons {
		if obj.Text == u.tr("Aangevinkte bewaren", "Keep the ticked ones") {
			keepButton = obj
			obj.Disable()
		}
	}
}

// skipped counts the foreign certificates not kept.
func skipped(rep inventory.Report) int {
	n := 0
	for _, f := range rep.Foreign {
		if !f.Kept {
			n++
		}
	}
	return n
}

// askP12Password asks for the password of PKCS#12 files.
func (u *ui) askP12Password(ok func(string), cancel func()) {
	pw := u.newKeyPasswordEntry()
	form := widget.NewForm(widget.NewFormItem(u.tr("Wachtwoord", "Password"), pw))
	od := u.showDialog(u.tr("PKCS#12-wachtwoord", "PKCS#12 password"), form,
		dialogButton{label: u.tr("Annuleren", "Cancel"), isCancel: true, action: cancel},
		dialogButton{label: u.tr("Importeren", "Import"), importance: widget.HighImportance, isDefault: true, action: func() { ok(pw.Text) }})
	pw.OnSubmitted = func(string) { od.enter() }
	u.win.Canvas().Focus(pw)
}

// importReport says what an import did: a line per certificate added, per
// CA certificate kept as an issuer, per file refused and why.
func (u *ui) importReport(rep inventory.Report) string {
	var parts []string
	for _, p := range []struct {
		key string
		n   int
	}{
		{"window.import_added", len(rep.Added)}, {"window.import_issuers", len(rep.Issuers)},
		{"window.import_dups", len(rep.Duplicates)}, {"window.import_rejected", len(rep.Rejected)}, {"window.import_skipped", skipped(rep)},
	} {
		if p.n > 0 {
			parts = append(parts, i18n.N(u.lang, p.key, p.n, p.n))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, i18n.T(u.lang, "window.import_nothing"))
	}
	lines := []string{sentence(strings.Join(parts, ", "))}
	for _, c := range rep.Added {
		lines = append(lines, i18n.T(u.lang, "import.added")+": "+i18n.T(u.lang, "kind."+string(c.Kind))+" "+orDash(cert.Printable(c.CommonName)))
	}
	for _, f := range rep.Foreign {
		if !f.Kept {
			lines = append(lines, i18n.T(u.lang, "window.foreign_skipped", orDash(cert.Printable(f.Entry.Cert.CommonName)), i18n.Localize(u.lang, f.Reason)))
		}
	}
	for _, c := range rep.Issuers {
		lines = append(lines, i18n.T(u.lang, "window.stored_as_issuer", orDash(cert.Printable(c.CommonName))))
	}
	for _, c := range rep.Duplicates {
		lines = append(lines, i18n.T(u.lang, "import.dup")+": "+orDash(cert.Printable(c.CommonName)))
	}
	for _, r := range rep.Rejected {
		lines = append(lines, i18n.T(u.lang, "import.rejected")+": "+cert.Printable(r.Source)+": "+i18n.Localize(u.lang, r.Err))
	}
	return strings.Join(lines, "\n")
}
