package screens

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/order"
	"pkiodesk/app/org"
	"pkiodesk/app/signeddoc"
	"pkiodesk/smartcard"
)

// The order wizards (seed 3.2, 3.3, 4.2, 4.3, 5, 6): one frame, shared
// steps (abonneegegevens, Certificaatbeheerder, overzicht, ondertekenen en
// plaatsen) and one file per wizard for its certificate page. A draft is
// stored in the database as it is typed, so it survives a restart and a
// pulled card; every rule is in app/order.

// wizardStep is one page of a wizard.
type wizardStep struct {
	key   string // for tests and screenshot names
	title string
	build func() fyne.CanvasObject
	// check says why the user cannot go on yet (nil: go on).
	check func() error
}

type wizard struct {
	u   *ui
	who org.Person // the requester: kept when the card is pulled mid-form
	rec order.Record

	steps   []wizardStep
	cur     int
	body    *fyne.Container
	crumbs  *fyne.Container
	problem *widget.Label
	prev    *widget.Button
	next    *widget.Button

	mu        sync.Mutex
	saveTimer *time.Timer
	saved     int // number of saves, for tests
	lastErr   error

	// inputs are the current step's fields (for tests).
	inputs map[order.Field]*widget.Entry
	// The server wizard's CSR field and its findings.
	csrEntry      *widget.Entry
	findingsBox   *fyne.Container
	findings      []order.Finding
	findingsError error
	// placeButton is the last step's button (for tests).
	placeButton *widget.Button
	// pinPrompt answers a per-signature PIN request (tests set it).
	pinPrompt smartcard.PINPrompt
}

// autosaveDelay is how long after the last keystroke a draft is saved.
const autosaveDelay = 400 * time.Millisecond

// wizardFor builds the wizard that fits an order.
func (u *ui) wizardFor(rec order.Record) *wizard {
	w := &wizard{u: u, who: u.person, rec: rec}
	w.problem = widget.NewLabel("")
	w.problem.Wrapping = fyne.TextWrapWord
	w.problem.Importance = widget.DangerImportance
	w.steps = append(w.steps, w.subscriberStep())
	switch {
	case rec.Order.Kind == order.KindRevoke:
		w.steps = append(w.steps, w.revokeStep())
	case rec.Order.CertKind() == cert.KindServer:
		w.steps = append(w.steps, w.managerStep(), w.serverStep())
	case rec.Order.CertKind() == cert.KindPersonal:
		w.steps = append(w.steps, w.personalStep())
	case rec.Order.CertKind() == cert.KindGroup:
		w.steps = append(w.steps, w.managerStep(), w.groupStep())
	case rec.Order.CertKind() == cert.KindESeal:
		w.steps = append(w.steps, w.esealStep())
	}
	w.steps = append(w.steps, w.overviewStep(), w.signStep())
	w.cur = min(max(rec.Life.Step, 0), len(w.steps)-1)
	return w
}

// title is the wizard's name, as the seed's buttons say.
func (w *wizard) title() string {
	u, o := w.u, &w.rec.Order
	product := i18n.T(u.lang, "order.product."+string(o.Product))
	if o.Kind == order.KindNew {
		// The type is chosen in the form; the title names the family.
		switch o.Product {
		case order.ProductPKIoPrivate, order.ProductDigipoortPrivate, order.ProductPKIoTrial:
			product = u.tr("PKIoverheid servercertificaat", "PKIoverheid server certificate")
		case order.ProductESealToken, order.ProductESealCloud:
			product = i18n.T(u.lang, "kind.eseal")
		}
	}
	switch o.Kind {
	case order.KindRenew:
		return u.tr("Verlengen", "Renew") + ": " + product
	case order.KindRevoke:
		return u.tr("Intrekken", "Revoke") + ": " + cert.Printable(order.Subject(o))
	}
	return u.tr("Nieuwe aanvraag", "New request") + ": " + product
}

// show opens the wizard as a place of its own: the way back returns to it
// at the step it was left at.
func (w *wizard) show() {
	w.u.open(place{id: "order:" + w.rec.Order.ID, section: sectionOf(w.rec.Order.CertKind()), title: w.title, show: w.draw})
}

// draw puts the wizard on screen at its current step.
func (w *wizard) draw() {
	u := w.u
	w.body = container.NewStack()
	w.crumbs = container.NewHBox()
	w.prev = widget.NewButton(u.tr("Vorige", "Previous"), func() { w.goTo(w.cur - 1) })
	w.next = widget.NewButton(u.tr("Volgende", "Next"), func() { w.forward() })
	w.next.Importance = widget.HighImportance
	keep := widget.NewButton(u.tr("Concept bewaren en sluiten", "Keep draft and close"), func() {
		w.saveNow()
		u.showOverview(w.rec.Order.CertKind())
	})
	cancel := widget.NewButton(u.tr("Aanvraag annuleren", "Cancel request"), w.cancel)
	title := widget.NewLabelWithStyle(w.title(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	number := widget.NewLabel(u.tr("Concept", "Draft") + " " + cert.Printable(w.rec.Order.ID) + " · " + u.tr("wordt automatisch bewaard", "saved automatically"))
	number.Importance = widget.LowImportance
	top := container.NewVBox(title, number, w.crumbs, widget.NewSeparator())
	bottom := container.NewVBox(w.problem, container.NewHBox(w.prev, w.next, widget.NewSeparator(), keep, cancel))
	u.shell(w.title(), sectionOf(w.rec.Order.CertKind()), container.NewBorder(top, bottom, nil, nil, container.NewVScroll(w.body)))
	u.wizard = w
	w.render()
}

// render draws the current step.
func (w *wizard) render() {
	w.crumbs.RemoveAll()
	for i, s := range w.steps {
		l := widget.NewLabel(fmt.Sprintf("%d. %s", i+1, s.title))
		if i == w.cur {
			l.TextStyle = fyne.TextStyle{Bold: true}
			l.Importance = widget.HighImportance
		} else {
			l.Importance = widget.LowImportance
		}
		w.crumbs.Add(l)
		if i < len(w.steps)-1 {
			w.crumbs.Add(widget.NewLabel("›"))
		}
	}
	w.problem.SetText("")
	w.inputs, w.findingsBox, w.csrEntry = nil, nil, nil
	w.body.Objects = []fyne.CanvasObject{w.steps[w.cur].build()}
	w.body.Refresh()
	if w.cur == 0 {
		w.prev.Disable()
	} else {
		w.prev.Enable()
	}
	if w.cur == len(w.steps)-1 {
		w.next.Hide()
	} else {
		w.next.Show()
	}
}

// forward goes to the next step when this one is complete.
func (w *wizard) forward() {
	if check := w.steps[w.cur].check; check != nil {
		if err := check(); err != nil {
			w.problem.SetText(sentence(i18n.Localize(w.u.lang, err)))
			return
		}
	}
	w.goTo(w.cur + 1)
}

func (w *wizard) goTo(i int) {
	if i < 0 || i >= len(w.steps) {
		return
	}
	w.cur = i
	w.saveNow()
	w.render()
}

// stepKey is the current step's key.
func (w *wizard) stepKey() string { return w.steps[w.cur].key }

// changed is called by every field: the draft is saved shortly after the
// last keystroke.
func (w *wizard) changed() {
	w.problem.SetText("")
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.saveTimer != nil {
		w.saveTimer.Stop()
	}
	w.saveTimer = time.AfterFunc(autosaveDelay, func() { fyne.Do(w.saveNow) })
}

// saveNow stores the draft. The requester is the one who started the
// wizard, also after the card was pulled.
func (w *wizard) saveNow() {
	w.mu.Lock()
	if w.saveTimer != nil {
		w.saveTimer.Stop()
		w.saveTimer = nil
	}
	w.mu.Unlock()
	if w.rec.State() != order.StateDraft {
		return
	}
	r, err := w.u.core.Orders.SaveDraft(context.Background(), w.rec.Order, w.cur, w.who)
	w.mu.Lock()
	w.saved++
	w.lastErr = err
	w.mu.Unlock()
	if err != nil {
		w.problem.SetText(sentence(i18n.Localize(w.u.lang, err)))
		return
	}
	w.rec = r
}

// cancel withdraws the draft after a confirmation.
func (w *wizard) cancel() {
	u := w.u
	dialog.ShowConfirm(u.tr("Aanvraag annuleren", "Cancel request"),
		u.tr("Het concept wordt geannuleerd. Wat u hebt ingevuld, gaat verloren.", "The draft is cancelled. What you entered is lost."), func(ok bool) {
			if !ok {
				return
			}
			if _, err := u.core.Orders.Cancel(context.Background(), w.rec.Order.ID, w.who); err != nil {
				dialog.ShowError(errors.New(i18n.Localize(u.lang, err)), u.win)
				return
			}
			u.wizard = nil
			u.showOverview(w.rec.Order.CertKind())
		}, u.win)
}

// entry makes a text field that validates as it is typed and calls set.
func (w *wizard) entry(f order.Field, value string, set func(string)) *widget.Entry {
	e := widget.NewEntry()
	w.bindEntry(e, f, value, set)
	return e
}

func (w *wizard) bindEntry(e *widget.Entry, f order.Field, value string, set func(string)) {
	if w.inputs == nil {
		w.inputs = map[order.Field]*widget.Entry{}
	}
	w.inputs[f] = e
	e.SetText(value)
	e.Validator = func(s string) error {
		if err := order.ValidateField(f, s, w.rec.Order.Product); err != nil {
			return errors.New(sentence(i18n.Localize(w.u.lang, err)))
		}
		return nil
	}
	e.OnChanged = func(s string) {
		set(s)
		w.changed()
	}
}

// note is an explanatory line.
func note(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// heading is a bold line.
func heading(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// --- Step 1: abonneegegevens (read-only). ---

func (w *wizard) subscriberStep() wizardStep {
	u := w.u
	return wizardStep{key: "abonnee", title: u.tr("Abonneegegevens", "Subscriber details"), build: func() fyne.CanvasObject {
		o := w.rec.Order.Organisation
		reg, _ := u.core.Organisation(context.Background())
		form := widget.NewForm(
			widget.NewFormItem(u.tr("Organisatienaam", "Organisation name"), widget.NewLabel(o.Name)),
			widget.NewFormItem(u.tr("Abonneenummer", "Subscriber number"), widget.NewLabel(o.SubscriberNumber)),
			widget.NewFormItem("OIN", widget.NewLabel(o.OIN)),
			widget.NewFormItem(u.tr("KvK-nummer", "KvK number"), widget.NewLabel(o.KvK)),
			widget.NewFormItem(u.tr("Factuuradres", "Billing address"), widget.NewLabel(reg.BillingAddress)),
			widget.NewFormItem(u.tr("Aanvrager", "Requester"), widget.NewLabel(w.rec.Order.Requester.Name+" ("+i18n.T(u.lang, "role."+string(w.rec.Order.Requester.Role))+")")),
		)
		items := []fyne.CanvasObject{}
		if w.rec.Order.Kind == order.KindRenew {
			items = append(items, w.colleagueWarning()...)
		}
		items = append(items, heading(u.tr("Abonneegegevens", "Subscriber details")), form,
			note(u.tr("Deze gegevens zijn niet te wijzigen in dit formulier. Kloppen ze niet? Wijzig ze dan eerst via het wijzigingsformulier onder Organisatiegegevens (hoofdstuk 7).",
				"These details cannot be changed in this form. Are they wrong? Change them first with the change form under Organisation data (chapter 7).")),
			container.NewHBox(widget.NewButton(u.tr("Naar Organisatiegegevens", "To Organisation data"), func() { w.saveNow(); u.showOrganisation() })))
		return container.NewVBox(items...)
	}}
}

// colleagueWarning says on a renewal's first screen that a colleague
// already placed a renewal of this certificate (seed 3.2).
func (w *wizard) colleagueWarning() []fyne.CanvasObject {
	u := w.u
	others, err := u.core.Orders.ColleagueRenewals(context.Background(), w.rec.Order.Renews, w.who)
	if err != nil || len(others) == 0 {
		return nil
	}
	var out []fyne.CanvasObject
	for _, r := range others {
		l := note(i18n.T(u.lang, "order.colleague_renewal", r.Order.Requester.Name, r.Order.PlacedAt.Local().Format("02-01-2006 15:04"), r.Order.ID))
		l.Importance = widget.WarningImportance
		out = append(out, l)
	}
	return out
}

// --- Certificaatbeheerder (server and group certificates). ---

func (w *wizard) managerStep() wizardStep {
	u := w.u
	return wizardStep{key: "beheerder", title: u.tr("Certificaatbeheerder", "Certificate manager"), build: w.managerPage, check: func() error {
		o := &w.rec.Order
		if o.Manager == nil {
			return i18n.E("order.field.manager", nil)
		}
		if o.Manager.New {
			for _, p := range order.Problems(o) {
				if p.Field == order.FieldPersonName || p.Field == order.FieldEmail || p.Field == order.FieldPhone {
					return p.Err
				}
			}
		}
		return nil
	}}
}

func (w *wizard) managerPage() fyne.CanvasObject {
	u := w.u
	o := &w.rec.Order
	managers, _ := u.core.Orders.Managers(context.Background())
	var proposed *org.Person
	if o.Kind == order.KindRenew {
		// The current Certificaatbeheerder, proposed while still active.
		if as, err := u.core.Inventory.Assignment(context.Background(), o.Renews); err == nil {
			for i := range managers {
				if managers[i].ID == as.ManagerID {
					proposed = &managers[i]
				}
			}
		}
	}
	optCurrent := u.tr("Huidige Certificaatbeheerder", "Current certificate manager")
	optOther := u.tr("Een geregistreerde Certificaatbeheerder", "A registered certificate manager")
	optNew := u.tr("Nieuwe Certificaatbeheerder aanmelden", "Register a new certificate manager")
	var options []string
	if proposed != nil {
		options = append(options, optCurrent+": "+proposed.Name)
	}
	if len(managers) > 0 {
		options = append(options, optOther)
	}
	options = append(options, optNew)

	var names []string
	for _, m := range managers {
		names = append(names, m.Name+" — "+m.Email)
	}
	pick := u.newSelect(names, func(s string) {
		for i, n := range names {
			if n == s {
				ref := order.Ref(managers[i])
				o.Manager = &ref
				w.changed()
			}
		}
	})
	newManager := order.PersonRef{New: true}
	if o.Manager != nil && o.Manager.New {
		newManager = *o.Manager
	}
	name := w.entry(order.FieldPersonName, newManager.Name, func(s string) { newManager.Name = s; o.Manager = &newManager })
	email := w.entry(order.FieldEmail, newManager.Email, func(s string) { newManager.Email = s; o.Manager = &newManager })
	phone := w.entry(order.FieldPhone, newManager.Phone, func(s string) { newManager.Phone = s; o.Manager = &newManager })
	newForm := widget.NewForm(
		widget.NewFormItem(u.tr("Naam", "Name"), name),
		hinted(u.tr("E-mailadres", "E-mail address"), email, u.tr("Bijvoorbeeld naam@gemeente.nl", "For example name@municipality.nl")),
		hinted(u.tr("Telefoonnummer", "Telephone number"), phone, u.tr("Bijvoorbeeld 030 123 45 67 of +31 30 123 45 67", "For example 030 123 45 67 or +31 30 123 45 67")),
	)
	registerWhy := note("")
	if err := org.Check(w.who, org.RegisterCertManager); err != nil {
		registerWhy.SetText(sentence(i18n.Localize(u.lang, err)))
		registerWhy.Importance = widget.WarningImportance
		newForm.Hide()
	} else {
		registerWhy.Hide()
	}
	page := container.NewVBox()
	choice := widget.NewRadioGroup(options, nil)
	choice.OnChanged = func(s string) {
		defer page.Refresh()
		pick.Hide()
		newForm.Hide()
		switch {
		case strings.HasPrefix(s, optCurrent) && proposed != nil:
			ref := order.Ref(*proposed)
			o.Manager = &ref
		case s == optOther:
			pick.Show()
			o.Manager = nil
			if pick.Selected != "" {
				pick.OnChanged(pick.Selected)
			}
		case s == optNew:
			if registerWhy.Hidden {
				newForm.Show()
			}
			o.Manager = &newManager
		}
		w.changed()
	}
	pick.Hide()
	newForm.Hide()
	switch {
	case o.Manager != nil && o.Manager.New:
		choice.SetSelected(optNew)
	case o.Manager != nil && proposed != nil && o.Manager.ID == proposed.ID:
		choice.SetSelected(options[0])
	case o.Manager != nil:
		choice.SetSelected(optOther)
		for i, m := range managers {
			if m.ID == o.Manager.ID {
				pick.SetSelected(names[i])
			}
		}
	case proposed != nil:
		choice.SetSelected(options[0])
	}
	intro := u.tr("De Certificaatbeheerder is verantwoordelijk voor dit certificaat.", "The certificate manager is responsible for this certificate.")
	if o.Kind == order.KindRenew {
		if proposed != nil {
			intro += u.tr(" pkiodesk stelt de huidige Certificaatbeheerder voor, want die is nog actief.", " pkiodesk proposes the current certificate manager, who is still active.")
		} else {
			intro += u.tr(" De vorige Certificaatbeheerder is niet meer actief: kies een andere of meld een nieuwe aan.", " The previous certificate manager is no longer active: choose another or register a new one.")
		}
	}
	intro += u.tr(" Een nieuwe Certificaatbeheerder meldt u alleen hier aan, bij de aanvraag van een server- of groepscertificaat.", " A new certificate manager is registered only here, when ordering a server or group certificate.")
	page.Objects = []fyne.CanvasObject{heading(u.tr("Certificaatbeheerder", "Certificate manager")), note(intro), choice, pick, newForm, registerWhy}
	return page
}

// --- Overzicht: the order as its PDF will show it. ---

func (w *wizard) overviewStep() wizardStep {
	u := w.u
	return wizardStep{key: "overzicht", title: u.tr("Overzicht", "Overview"), build: w.overviewPage, check: func() error {
		_, err := u.core.Orders.Check(context.Background(), &w.rec.Order)
		return err
	}}
}

func (w *wizard) overviewPage() fyne.CanvasObject {
	u := w.u
	items := []fyne.CanvasObject{heading(u.tr("Controleer uw aanvraag", "Check your request"))}
	d := order.Document(&w.rec.Order, "", nil, u.lang)
	for _, s := range d.Sections {
		form := widget.NewForm()
		for _, f := range s.Fields {
			if f.Value == "" {
				continue
			}
			v := widget.NewLabel(printableLines(f.Value))
			v.Wrapping = fyne.TextWrapWord
			form.Append(f.Label, v)
		}
		items = append(items, widget.NewCard(s.Heading, "", form))
	}
	findings, err := u.core.Orders.Check(context.Background(), &w.rec.Order)
	status := note(u.tr("Alles is ingevuld. Ga verder om de aanvraag te ondertekenen en te plaatsen.", "Everything is filled in. Go on to sign and place the request."))
	if err != nil {
		status.SetText(sentence(i18n.Localize(u.lang, err)))
		status.Importance = widget.DangerImportance
	}
	items = append(items, status)
	items = append(items, findingLabels(u, findings)...)
	return container.NewVBox(items...)
}

// findingLabels shows CSR findings, errors in red, warnings in orange.
func findingLabels(u *ui, fs []order.Finding) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	for _, f := range fs {
		l := note(sentence(f.Text(u.lang)))
		l.Importance = widget.WarningImportance
		if f.Severity == order.SeverityError {
			l.Importance = widget.DangerImportance
		}
		out = append(out, l)
	}
	return out
}

// --- Ondertekenen en plaatsen. ---

func (w *wizard) signStep() wizardStep {
	u := w.u
	return wizardStep{key: "ondertekenen", title: u.tr("Ondertekenen en plaatsen", "Sign and place"), build: w.signPage}
}

func (w *wizard) placeLabel() string {
	switch w.rec.Order.Kind {
	case order.KindRenew:
		return w.u.tr("Verlenging ondertekenen en plaatsen", "Sign and place renewal")
	case order.KindRevoke:
		return w.u.tr("Intrekking ondertekenen en aanvragen", "Sign and request revocation")
	}
	return w.u.tr("Bestelling ondertekenen en plaatsen", "Sign and place order")
}

func (w *wizard) signPage() fyne.CanvasObject {
	u := w.u
	items := []fyne.CanvasObject{heading(u.tr("Ondertekenen en plaatsen", "Sign and place"))}
	items = append(items, note(u.tr(
		"Let op: met deze knop plaatst u direct een bestelling die niet meer te wijzigen is. pkiodesk maakt er één PDF van met de gegevens van uw aanvraag en van het certificaat waarmee u bent ingelogd, en de aanvraag zelf (JSON en CSR) als bijlagen. U ondertekent die PDF met de handtekeningsleutel van uw kaart; daarna gaat hij naar de uitgaande map.",
		"Careful: this button places an order that can no longer be changed. pkiodesk makes one PDF of it with the request's details and those of the certificate you logged in with, and the request itself (JSON and CSR) as attachments. You sign that PDF with your card's signature key; then it goes to the outbox folder.")))
	signing, err := w.u.cardSigning()
	var signer string
	if err == nil {
		signer = cert.Printable(signing.Signer.Chain[0].Subject.CommonName) + " — " + cert.Printable(signing.Signer.Chain[0].Issuer.CommonName)
	}
	form := widget.NewForm(
		widget.NewFormItem(u.tr("Ondertekenen met", "Sign with"), widget.NewLabel(signer)),
		widget.NewFormItem(u.tr("Ingelogd met", "Logged in with"), widget.NewLabel(loginName(u.loginCert))),
	)
	if box, err := u.core.Outbox(context.Background()); err == nil {
		change := widget.NewButton(u.tr("Wijzigen…", "Change…"), func() { u.chooseOutbox(func() { w.render() }) })
		form.Append(u.tr("Uitgaande map", "Outbox folder"), container.NewBorder(nil, nil, nil, change, note(box.Dir)))
	}
	items = append(items, form)
	if err == nil && u.session != nil && u.session.NeedsPINPerSignature(signing.tc) {
		pinNote := note(u.tr("Uw handtekeningsleutel vraagt bij elke handtekening opnieuw om de PIN.", "Your signature key asks for the PIN again for every signature."))
		pinNote.Importance = widget.WarningImportance
		items = append(items, pinNote)
	}
	status := note("")
	w.placeButton = widget.NewButton(w.placeLabel(), nil)
	w.placeButton.Importance = widget.HighImportance
	w.placeButton.OnTapped = func() { w.place(status) }
	if err != nil {
		status.SetText(sentence(i18n.Localize(u.lang, err)))
		status.Importance = widget.DangerImportance
		w.placeButton.Disable()
	} else if perm := org.Check(w.who, order.Permission(w.rec.Order.Kind)); perm != nil {
		status.SetText(sentence(i18n.Localize(u.lang, perm)))
		status.Importance = widget.DangerImportance
		w.placeButton.Disable()
	}
	items = append(items, w.placeButton, status)
	return container.NewVBox(items...)
}

func loginName(c *x509.Certificate) string {
	if c == nil {
		return ""
	}
	return cert.Printable(c.Subject.CommonName) + " — " + cert.Printable(c.Issuer.CommonName)
}

// cardSigning is the card's signature key with its chain (issuers from the
// inventory), and the login certificate.
type cardSigning struct {
	order.Signing
	tc smartcard.TokenCertificate
}

func (u *ui) cardSigning() (cardSigning, error) {
	if u.session == nil || u.session.Closed() || u.loginCert == nil {
		return cardSigning{}, i18n.E("card.not_logged_in", nil)
	}
	tc, err := u.session.Pick(smartcard.UsageSignature)
	if err != nil {
		return cardSigning{}, err
	}
	var issuers []*x509.Certificate
	ctx := context.Background()
	list, _ := u.core.Inventory.Issuers(ctx)
	for _, c := range list {
		if der, err := u.core.Inventory.DER(ctx, c.SHA256); err == nil {
			if x, err := x509.ParseCertificate(der); err == nil {
				issuers = append(issuers, x)
			}
		}
	}
	s := u.session.Signer(tc, issuers...)
	return cardSigning{Signing: order.Signing{Signer: signeddoc.Signer{Key: s, Chain: s.Chain}, Login: u.loginCert, Lang: u.lang}, tc: tc}, nil
}

// signingNow is the card's signature key for one document (orders and
// the organisation's change forms alike): where the key asks for the PIN
// per signature, prompt (nil: a dialog) asks for it again.
func (u *ui) signingNow(prompt smartcard.PINPrompt) (order.Signing, error) {
	signing, err := u.cardSigning()
	if err != nil {
		return order.Signing{}, err
	}
	if u.session.NeedsPINPerSignature(signing.tc) {
		if prompt == nil {
			prompt = u.askPIN
		}
		s := u.session.Signer(signing.tc).WithPINPrompt(context.Background(), prompt)
		s.Chain = signing.Signer.Chain
		signing.Signer.Key = s
	}
	return signing.Signing, nil
}

// place signs and places the order, hands it to the outbox and shows the
// confirmation page. Signing may wait for the card (or a PIN per
// signature), so it runs off the UI thread.
func (w *wizard) place(status *widget.Label) {
	u := w.u
	w.saveNow()
	signing, err := u.signingNow(w.pinPrompt)
	if err != nil {
		status.SetText(sentence(i18n.Localize(u.lang, err)))
		return
	}
	box, err := u.core.Outbox(context.Background())
	if err != nil {
		status.SetText(sentence(i18n.Localize(u.lang, err)))
		return
	}
	w.placeButton.Disable()
	status.Importance = widget.MediumImportance
	status.SetText(u.tr("Bezig met ondertekenen…", "Signing…"))
	id := w.rec.Order.ID
	go func() {
		rec, err := u.core.Orders.PlaceAndSubmit(context.Background(), id, w.who, signing, box)
		fyne.Do(func() {
			if err != nil && rec.State() != order.StatePlaced {
				status.Importance = widget.DangerImportance
				status.SetText(sentence(i18n.Localize(u.lang, err)))
				w.placeButton.Enable()
				return
			}
			w.rec = rec
			u.wizard = nil
			u.showConfirmation(rec, err)
		})
	}()
}

// askPIN asks for the PIN for one signature (CKA_ALWAYS_AUTHENTICATE) and
// waits for the answer; the card's PIN guard calls it off the UI thread,
// with the token's state to show first. On a PIN-pad reader the PIN is
// typed there.
func (u *ui) askPIN(ctx context.Context, req smartcard.PINRequest) ([]byte, error) {
	if req.Token.PIN.PINPad {
		return nil, nil
	}
	answer := make(chan []byte, 1)
	fyne.Do(func() {
		pin := widget.NewPasswordEntry()
		state := widget.NewLabel(req.Token.PIN.Text(u.lang))
		state.Wrapping = fyne.TextWrapWord
		dialog.ShowForm(u.tr("PIN voor uw handtekening", "PIN for your signature"), u.tr("Ondertekenen", "Sign"), u.tr("Annuleren", "Cancel"),
			[]*widget.FormItem{widget.NewFormItem("", state), widget.NewFormItem("PIN", pin)}, func(ok bool) {
				if !ok {
					answer <- nil
					return
				}
				answer <- []byte(pin.Text)
				pin.SetText("")
			}, u.win)
	})
	select {
	case pin := <-answer:
		if pin == nil {
			return nil, i18n.E("card.pin_cancelled", smartcard.ErrPINCancelled)
		}
		return pin, nil
	case <-ctx.Done():
		return nil, i18n.E("card.pin_cancelled", ctx.Err())
	}
}

// --- Starting a wizard. ---

// startOrder opens the wizard for a new certificate of product p: the
// person's open draft of that product when there is one, else a new draft.
func (u *ui) startOrder(p order.Product) {
	u.resumeOrStart(func(r order.Record) bool {
		return r.Order.Kind == order.KindNew && r.Order.CertKind() == p.CertKind() && sameFamily(r.Order.Product, p)
	}, func(ctx context.Context) (order.Record, error) { return u.core.Orders.NewDraft(ctx, p, u.person) })
}

// sameFamily: a draft of a PKIo server type continues as another PKIo
// type (the type is chosen in the form); certSIGN and mobile are their own.
func sameFamily(a, b order.Product) bool {
	pkio := func(p order.Product) bool {
		return p == order.ProductPKIoPrivate || p == order.ProductDigipoortPrivate || p == order.ProductPKIoTrial
	}
	eseal := func(p order.Product) bool { return p == order.ProductESealToken || p == order.ProductESealCloud }
	return a == b || pkio(a) && pkio(b) || eseal(a) && eseal(b)
}

// startRenewal opens the renewal wizard for a certificate.
func (u *ui) startRenewal(c cert.Certificate) {
	u.resumeOrStart(func(r order.Record) bool { return r.Order.Kind == order.KindRenew && r.Order.Renews == c.SHA256 },
		func(ctx context.Context) (order.Record, error) {
			return u.core.Orders.NewRenewal(ctx, c.SHA256, u.person)
		})
}

// startRevocation opens the revocation wizard for a certificate.
func (u *ui) startRevocation(c cert.Certificate) {
	u.resumeOrStart(func(r order.Record) bool {
		return r.Order.Kind == order.KindRevoke && r.Order.Revoke != nil && r.Order.Revoke.Certificate == c.SHA256
	}, func(ctx context.Context) (order.Record, error) {
		return u.core.Orders.NewRevocation(ctx, c.SHA256, u.person)
	})
}

func (u *ui) resumeOrStart(match func(order.Record) bool, start func(context.Context) (order.Record, error)) {
	ctx := context.Background()
	drafts, err := u.core.Orders.Drafts(ctx, u.person)
	if err == nil {
		for _, r := range drafts {
			if match(r) {
				u.wizardFor(r).show()
				return
			}
		}
	}
	r, err := start(ctx)
	if err != nil {
		dialog.ShowError(errors.New(sentence(i18n.Localize(u.lang, err))), u.win)
		return
	}
	u.wizardFor(r).show()
}

// hinted is a form item with a hint line, where the field's message
// appears once it is typed in and left.
func hinted(label string, w fyne.CanvasObject, hint string) *widget.FormItem {
	item := widget.NewFormItem(label, w)
	item.HintText = hint
	return item
}

// chooseOutbox lets the user pick the outbox folder (a setting, kept in
// the database), then runs done.
func (u *ui) chooseOutbox(done func()) {
	d := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil || dir == nil {
			return
		}
		if err := u.core.SetOutboxDir(context.Background(), dir.Path()); err != nil {
			dialog.ShowError(errors.New(sentence(i18n.Localize(u.lang, err))), u.win)
			return
		}
		done()
	}, u.win)
	d.SetConfirmText(u.tr("Deze map gebruiken", "Use this folder"))
	d.Show()
}
