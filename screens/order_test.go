package screens

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/order"
	"pkiodesk/app/org"
	"pkiodesk/internal/fixture"
	"pkiodesk/smartcard"
)

// loginDemo logs in to the demo token as the demo organisation's
// Bevoegd Vertegenwoordiger, as the login screen does.
func loginDemo(t *testing.T, u *ui) {
	t.Helper()
	if demoCard.err != nil {
		fixture.Missing(t, "SoftHSM demo token: %v", demoCard.err)
	}
	ctx := context.Background()
	u.demo = &demoToken{module: demoCard.tok.Module, label: demoCard.tok.Label, pin: demoCard.tok.PIN}
	tok, err := u.cards.Token(demoCard.tok.Module, demoCard.tok.Label)
	if err != nil {
		t.Fatal(err)
	}
	s, err := u.cards.LoginToken(ctx, tok, smartcard.GivenPIN([]byte(demoCard.tok.PIN)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	auth, _ := s.Pick(smartcard.UsageAuthentication)
	if err := u.core.SeedDemoOrganisation(ctx, auth.Cert, demoCard.chain...); err != nil {
		t.Fatal(err)
	}
	check, err := u.core.CheckLogin(ctx, auth.Cert, s.Signer(auth))
	if err != nil {
		t.Fatal(err)
	}
	p, err := u.core.LogIn(ctx, check)
	if err != nil {
		t.Fatal(err)
	}
	u.session, u.loginCert, u.loginCheck, u.person = s, auth.Cert, check, p
	u.win.Resize(fyne.NewSize(1180, 760))
}

// shot captures the window as the software renderer draws it, and keeps
// it in $PKIODESK_SCREENSHOT_DIR (make screenshots: docs/screenshots).
func shot(t *testing.T, u *ui, name string) {
	t.Helper()
	img := u.win.Canvas().Capture()
	if b := img.Bounds(); b.Dx() < 800 || b.Dy() < 500 {
		t.Fatalf("%s: capture of %v", name, b)
	}
	dir := os.Getenv("PKIODESK_SCREENSHOT_DIR")
	if dir == "" {
		return
	}
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

func screenLabels(obj fyne.CanvasObject) []string {
	var out []string
	for _, o := range test.LaidOutObjects(obj) {
		if l, ok := o.(*widget.Label); ok && l.Visible() && l.Text != "" {
			out = append(out, l.Text)
		}
	}
	return out
}

func hasLabel(obj fyne.CanvasObject, part string) bool {
	for _, l := range screenLabels(obj) {
		if strings.Contains(l, part) {
			return true
		}
	}
	return false
}

func findRadio(obj fyne.CanvasObject, option string) *widget.RadioGroup {
	for _, o := range test.LaidOutObjects(obj) {
		if r, ok := o.(*widget.RadioGroup); ok {
			for _, opt := range r.Options {
				if strings.HasPrefix(opt, option) {
					return r
				}
			}
		}
	}
	return nil
}

func findButton(obj fyne.CanvasObject, text string) *widget.Button {
	for _, o := range test.LaidOutObjects(obj) {
		switch b := o.(type) {
		case *widget.Button:
			if b.Text == text {
				return b
			}
		case *button:
			if b.Text == text {
				return &b.Button
			}
		}
	}
	return nil
}

func findSelect(obj fyne.CanvasObject) *widget.Select {
	for _, o := range test.LaidOutObjects(obj) {
		if s, ok := o.(*widget.Select); ok && s.Visible() {
			return s
		}
	}
	return nil
}

// chooseManager picks the first registered Certificaatbeheerder.
func chooseManager(t *testing.T, w *wizard) {
	t.Helper()
	r := findRadio(w.u.win.Content(), "Een geregistreerde Certificaatbeheerder")
	if r == nil {
		t.Fatal("no manager choice")
	}
	r.SetSelected("Een geregistreerde Certificaatbeheerder")
	sel := findSelect(w.u.win.Content())
	if sel == nil {
		t.Fatal("no list of managers")
	}
	sel.SetSelectedIndex(0)
}

// The server wizard from the overview's button to the confirmation page:
// every field validated where it is typed, CSR findings as the CSR is
// pasted, signing with the demo card, the order in the outbox.
func TestServerWizardToConfirmation(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	u.fa.Settings().SetTheme(theme.DarkTheme())
	loginDemo(t, u)
	u.showOverview(cert.KindServer)
	button := findButton(u.win.Content(), "Nieuw PKIO servercertificaat")
	if button == nil || button.Disabled() {
		t.Fatal("order button missing or disabled")
	}
	test.Tap(button)
	w := u.wizard
	if w == nil || w.stepKey() != "abonnee" {
		t.Fatal("wizard not opened at its first step")
	}
	if !hasLabel(u.win.Content(), "00000099123456789000") || !hasLabel(u.win.Content(), "Organisatiegegevens") {
		t.Errorf("subscriber step: %v", screenLabels(u.win.Content()))
	}
	shot(t, u, "30-bestelling-abonneegegevens")

	test.Tap(w.next)
	if w.stepKey() != "beheerder" {
		t.Fatalf("step %s", w.stepKey())
	}
	test.Tap(w.next) // no manager chosen yet
	if w.stepKey() != "beheerder" || !strings.Contains(w.problem.Text, "Kies een Certificaatbeheerder") {
		t.Errorf("went on without a manager: %q", w.problem.Text)
	}
	r := findRadio(u.win.Content(), "Nieuwe Certificaatbeheerder aanmelden")
	r.SetSelected("Nieuwe Certificaatbeheerder aanmelden")
	test.Type(w.inputs[order.FieldPersonName], "Sven de Boer")
	u.win.Canvas().Focus(w.inputs[order.FieldPhone])
	test.Type(w.inputs[order.FieldPhone], "12")
	if err := w.inputs[order.FieldPhone].Validate(); err == nil || !strings.Contains(err.Error(), "10 tot 15 cijfers") {
		t.Errorf("phone validated where typed: %v", err)
	}
	// The field shows its message once it has been left.
	u.win.Canvas().Focus(w.inputs[order.FieldEmail])
	if !hasText(u.win.Content(), "Telefoonnummer: 10 tot 15 cijfers") {
		t.Error("the phone's message is not under the field")
	}
	u.win.Content().Refresh()
	shot(t, u, "31-bestelling-certificaatbeheerder")
	chooseManager(t, w)
	test.Tap(w.next)
	if w.stepKey() != "certificaat" {
		t.Fatalf("step %s: %s", w.stepKey(), w.problem.Text)
	}

	test.Type(w.inputs[order.FieldServiceName], "Zaaksysteem")
	w.inputs[order.FieldFQDNs].SetText("zaken.voorbeeldstad.nl\n*.voorbeeldstad.nl")
	if err := w.inputs[order.FieldFQDNs].Validate(); err == nil || !strings.Contains(err.Error(), "wildcard is bij PKIoverheid niet toegestaan") {
		t.Errorf("wildcard validated where typed: %v", err)
	}
	w.inputs[order.FieldFQDNs].SetText("zaken.voorbeeldstad.nl\napi.voorbeeldstad.nl")
	// A CSR for other names and another organisation: findings, no going on.
	wrong := w.rec.Order.Organisation
	wrong.Name = "Gemeente Elders"
	_, badCSR, err := order.SoftwareKey(order.KeyRequest{Profile: order.LintPKIoG4, Bits: 2048, Org: wrong, FQDNs: []string{"zaken.voorbeeldstad.nl"}}, []byte("wachtwoord voor de test"))
	if err != nil {
		t.Fatal(err)
	}
	w.csrEntry.SetText(string(badCSR))
	if !hasLabel(u.win.Content(), `Fout: organisatienaam (O) in de CSR is "Gemeente Elders"`) || !hasLabel(u.win.Content(), "Fout: FQDN api.voorbeeldstad.nl is aangevraagd maar staat niet in de CSR") {
		t.Errorf("findings: %v", screenLabels(u.win.Content()))
	}
	shot(t, u, "32-bestelling-csr-bevindingen")
	test.Tap(w.next)
	if w.stepKey() != "certificaat" || !strings.Contains(w.problem.Text, "De CSR heeft fouten") {
		t.Errorf("went on with CSR errors: %q", w.problem.Text)
	}
	_, goodCSR, err := order.SoftwareKey(order.KeyRequest{Profile: order.LintPKIoG4, Bits: 2048, Org: w.rec.Order.Organisation, FQDNs: w.rec.Order.Server.FQDNs}, []byte("wachtwoord voor de test"))
	if err != nil {
		t.Fatal(err)
	}
	w.csrEntry.SetText(string(goodCSR))
	if !hasLabel(u.win.Content(), "Geen bevindingen") {
		t.Errorf("good CSR: %v", screenLabels(u.win.Content()))
	}
	shot(t, u, "33-bestelling-servercertificaat")
	test.Tap(w.next)
	if w.stepKey() != "overzicht" {
		t.Fatalf("step %s: %s", w.stepKey(), w.problem.Text)
	}
	if !hasLabel(u.win.Content(), "Zaaksysteem") || !hasLabel(u.win.Content(), "Alles is ingevuld") {
		t.Errorf("overview: %v", screenLabels(u.win.Content()))
	}
	shot(t, u, "34-bestelling-overzicht")
	test.Tap(w.next)
	if w.stepKey() != "ondertekenen" || w.placeButton == nil || w.placeButton.Disabled() {
		t.Fatalf("sign step: %s", w.stepKey())
	}
	shot(t, u, "35-bestelling-ondertekenen")
	test.Tap(w.placeButton)
	waitUntil(t, func() bool { return u.confirmation != nil }, func() string { return strings.Join(screenLabels(u.win.Content()), " | ") })
	c := u.confirmation
	if c.rec.State() != order.StateSubmitted || !strings.HasPrefix(u.win.Title(), "pkiodesk — Bevestiging "+c.rec.Order.ID) {
		t.Errorf("confirmation: %s, %q", c.rec.State(), u.win.Title())
	}
	for _, b := range []*widget.Button{c.open, c.save, c.print} {
		if b == nil || b.Disabled() {
			t.Error("Openen/Opslaan/Afdrukken missing")
		}
	}
	if c.open.Text != "Openen" || c.save.Text != "Opslaan" || c.print.Text != "Afdrukken" {
		t.Errorf("buttons %q %q %q", c.open.Text, c.save.Text, c.print.Text)
	}
	shot(t, u, "36-bevestiging")
	test.Tap(c.open)
	data, err := os.ReadFile(c.opened)
	if err != nil || c.opened != c.rec.Life.SubmittedTo {
		t.Fatalf("opened %q: %v", c.opened, err)
	}
	signed, err := u.core.ReadSignedOrder(context.Background(), data)
	if err != nil || signed.Hash != c.rec.Hash || signed.Order.Server.ServiceName != "Zaaksysteem" || signed.Order.Requester.ID != u.person.ID {
		t.Errorf("outbox PDF: %v", err)
	}
	if drafts, _ := u.core.Orders.Drafts(context.Background(), u.person); len(drafts) != 0 {
		t.Errorf("%d drafts left after placing", len(drafts))
	}
}

// A draft is stored as it is typed: it survives a pulled card and a
// restart, and the same button continues it at the same step.
func TestWizardDraftSurvivesPulledCardAndRestart(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	loginDemo(t, u)
	who := u.person
	u.startOrder(order.ProductGroup)
	w := u.wizard
	test.Tap(w.next)
	chooseManager(t, w)
	test.Tap(w.next)
	if w.stepKey() != "certificaat" {
		t.Fatalf("step %s: %s", w.stepKey(), w.problem.Text)
	}
	test.Type(w.inputs[order.FieldGroupName], "Servicedesk")
	test.Type(w.inputs[order.FieldMailbox], "servicedesk@voorbeeldstad")
	if err := w.inputs[order.FieldMailbox].Validate(); err == nil || !strings.Contains(err.Error(), "geen geldig e-mailadres") {
		t.Errorf("mailbox validated where typed: %v", err)
	}
	test.Type(w.inputs[order.FieldMailbox], ".nl")
	shot(t, u, "37-bestelling-groepscertificaat")
	// The card is pulled before the autosave delay has passed: the draft
	// is saved at once.
	u.cardPulled()
	if !strings.HasPrefix(u.win.Title(), "pkiodesk — Inloggen") || w.lastErr != nil {
		t.Fatalf("after the pull: %q, %v", u.win.Title(), w.lastErr)
	}

	// Restart: a new pkiodesk on the same database.
	path := u.core.Store.Path()
	u.core.Close()
	core, err := app.Open(context.Background(), app.Config{DBPath: path, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer core.Close()
	u2 := newUI(test.NewTempApp(t), core, app.Database{Demo: true}, i18n.NL, nil)
	u2.person = who
	u2.startOrder(order.ProductGroup)
	w2 := u2.wizard
	if w2 == nil || w2.rec.Order.ID != w.rec.Order.ID || w2.stepKey() != "certificaat" {
		t.Fatalf("draft not continued: %+v", w2)
	}
	if g := w2.rec.Order.Group; g.GroupName != "Servicedesk" || g.Mailbox != "servicedesk@voorbeeldstad.nl" || w2.rec.Order.Manager == nil {
		t.Errorf("draft after restart: %+v", g)
	}
	if w2.inputs[order.FieldGroupName].Text != "Servicedesk" {
		t.Errorf("field shows %q", w2.inputs[order.FieldGroupName].Text)
	}
}

// Each wizard's certificate page, validated where typed, and the
// revocation wizard from the detail screen's Intrekken.
func TestPersonalESealAndRevokeWizards(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	u.fa.Settings().SetTheme(theme.DarkTheme())
	loginDemo(t, u)

	u.startOrder(order.ProductPersonalCard)
	w := u.wizard
	test.Tap(w.next)
	if w.stepKey() != "certificaat" {
		t.Fatalf("personal: step %s", w.stepKey())
	}
	test.Type(w.inputs[order.FieldHolderName], "Sanne de Vries")
	test.Type(w.inputs[order.FieldEmail], "s.devries@voorbeeldstad.nl")
	test.Type(w.inputs[order.FieldPhone], "06-12345678")
	findRadio(u.win.Content(), "USB-token").SetSelected("USB-token")
	shot(t, u, "38-bestelling-persoonlijk")
	test.Tap(w.next)
	if w.stepKey() != "overzicht" {
		t.Errorf("personal: %s %q", w.stepKey(), w.problem.Text)
	}

	u.startOrder(order.ProductESealToken)
	w = u.wizard
	test.Tap(w.next)
	findRadio(u.win.Content(), "cloud").SetSelected("cloud")
	if w.rec.Order.Product != order.ProductESealCloud {
		t.Errorf("eSeal product %s", w.rec.Order.Product)
	}
	shot(t, u, "39-bestelling-eseal")

	// Intrekken from the detail screen of a valid server certificate.
	view := u.core.Inventory.Query(inventory.Query{Kind: cert.KindServer, Status: inventory.FilterValid})
	if len(view.Rows) == 0 {
		t.Fatal("no valid server certificate")
	}
	c := *view.Rows[0]
	u.showDetail(c)
	revoke := findButton(u.win.Content(), "Intrekken")
	renew := findButton(u.win.Content(), "Verlengen")
	if revoke == nil || revoke.Disabled() || renew == nil || renew.Disabled() {
		t.Fatal("Intrekken/Verlengen not enabled on a valid certificate")
	}
	test.Tap(revoke)
	w = u.wizard
	test.Tap(w.next)
	if w.stepKey() != "intrekken" {
		t.Fatalf("revoke: step %s", w.stepKey())
	}
	findRadio(u.win.Content(), "vervangen door").SetSelected(i18n.T(i18n.NL, "order.reason.superseded"))
	shot(t, u, "40-intrekken")
	test.Tap(w.next)
	test.Tap(w.next)
	test.Tap(w.placeButton)
	waitUntil(t, func() bool { return u.confirmation != nil && u.confirmation.rec.Order.ID == w.rec.Order.ID }, func() string { return w.problem.Text })
	after, _ := u.core.Inventory.Get(c.SHA256)
	if !after.RevocationRequested() {
		t.Error("certificate not marked 'intrekking aangevraagd'")
	}
	u.showDetail(after)
	if !hasLabel(u.win.Content(), "intrekking aangevraagd") {
		t.Errorf("detail: %v", screenLabels(u.win.Content()))
	}
	if b := findButton(u.win.Content(), "Intrekken"); b == nil || !b.Disabled() || !hasLabel(u.win.Content(), "Intrekken: intrekking is al aangevraagd") {
		t.Error("Intrekken not disabled with its reason")
	}
	shot(t, u, "41-detail-intrekking-aangevraagd")
}

// eSeal cloud activation: only the requester, only with the invitation
// code, then locked for five minutes.
func TestESealCloudActivation(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	u.fa.Settings().SetTheme(theme.DarkTheme())
	loginDemo(t, u)
	ctx := context.Background()
	r, err := u.core.Orders.NewDraft(ctx, order.ProductESealCloud, u.person)
	if err != nil {
		t.Fatal(err)
	}
	signing, err := u.cardSigning()
	if err != nil {
		t.Fatal(err)
	}
	box, _ := u.core.Outbox(ctx)
	if _, err := u.core.Orders.PlaceAndSubmit(ctx, r.Order.ID, u.person, signing.Signing, box); err != nil {
		t.Fatal(err)
	}
	// Someone else sees the button disabled, with the reason.
	me := u.person
	u.person = org.Person{ID: "x", Name: "Daan Meijer", Role: org.ContactpersoonAlle, Active: true}
	a := u.activationScreen()
	if b := a.buttons[r.Order.ID]; b == nil || !b.Disabled() || !strings.Contains(a.status[r.Order.ID].Text, "Alleen de aanvrager") {
		t.Errorf("other person: %v", a.status[r.Order.ID])
	}
	u.person = me
	a = u.activationScreen()
	if a.buttons[r.Order.ID].Disabled() {
		t.Fatal("requester's button disabled")
	}
	test.Tap(a.buttons[r.Order.ID]) // without the code
	if !strings.Contains(a.status[r.Order.ID].Text, "uitnodiging per e-mail") {
		t.Errorf("no code: %q", a.status[r.Order.ID].Text)
	}
	test.Type(a.codes[r.Order.ID], "KPN-7F3A-91C2")
	shot(t, u, "42-activatie-eseal-cloud")
	test.Tap(a.buttons[r.Order.ID])
	waitUntil(t, func() bool {
		rec, _ := u.core.Orders.Get(ctx, r.Order.ID)
		return rec.Life.Activation != nil && rec.Life.Activation.Status == order.ActivationConfirmed
	}, func() string { return a.status[r.Order.ID].Text })
	// The screen redraws after the confirmation: the new status, the button
	// disabled.
	waitUntil(t, func() bool {
		var ok bool
		fyne.DoAndWait(func() {
			b := u.activation.buttons[r.Order.ID]
			ok = b != nil && b.Disabled() && hasLabel(u.win.Content(), "bevestigd, wacht op uitgifte")
		})
		return ok
	}, func() string { return strings.Join(screenLabels(u.win.Content()), " | ") })
}

// hasText finds a text on screen, also a form's hint or error line.
func hasText(obj fyne.CanvasObject, part string) bool {
	for _, o := range test.LaidOutObjects(obj) {
		if tx, ok := o.(*canvas.Text); ok && tx.Visible() && strings.Contains(tx.Text, part) {
			return true
		}
	}
	return hasLabel(obj, part)
}

// Renewal (seed 3.2): the first screen warns when a colleague already
// placed a renewal of the certificate; everything is pre-filled and the
// Naam van de service cannot be changed.
func TestRenewalWizardWarnsAndKeepsTheServiceName(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	loginDemo(t, u)
	ctx := context.Background()
	view := u.core.Inventory.Query(inventory.Query{Kind: cert.KindServer, Status: inventory.FilterValid})
	c := *view.Rows[0]
	people, _ := u.core.Store.People(ctx)
	var daan org.Person
	for _, p := range people {
		if p.Name == "Daan Meijer" {
			daan = p
		}
	}
	r, err := u.core.Orders.NewRenewal(ctx, c.SHA256, daan)
	if err != nil {
		t.Fatal(err)
	}
	o := r.Order
	_, csr, err := order.SoftwareKey(order.KeyRequest{Profile: order.ProfileFor(o.Product), Bits: 2048, Org: o.Organisation, FQDNs: o.Server.FQDNs}, []byte("wachtwoord voor de test"))
	if err != nil {
		t.Fatal(err)
	}
	o.Server.CSR = string(csr)
	managers, _ := u.core.Orders.Managers(ctx)
	ref := order.Ref(managers[0])
	o.Manager = &ref
	if _, err := u.core.Orders.SaveDraft(ctx, o, 4, daan); err != nil {
		t.Fatal(err)
	}
	signing, _ := u.cardSigning()
	if _, err := u.core.Orders.Place(ctx, o.ID, daan, signing.Signing); err != nil {
		t.Fatal(err)
	}

	u.showDetail(c)
	test.Tap(findButton(u.win.Content(), "Verlengen"))
	w := u.wizard
	if w == nil || w.rec.Order.Kind != order.KindRenew || w.rec.Order.ID == o.ID {
		t.Fatal("no renewal wizard of my own")
	}
	if !hasLabel(u.win.Content(), "Let op: Daan Meijer heeft op") {
		t.Errorf("no colleague warning: %v", screenLabels(u.win.Content()))
	}
	test.Tap(w.next)
	chooseManager(t, w)
	test.Tap(w.next)
	if w.stepKey() != "certificaat" {
		t.Fatalf("step %s: %s", w.stepKey(), w.problem.Text)
	}
	service := w.inputs[order.FieldServiceName]
	if !service.Disabled() || service.Text != c.CommonName || w.inputs[order.FieldFQDNs].Text != strings.Join(c.DNSNames, "\n") {
		t.Errorf("service %q (disabled %v), FQDNs %q", service.Text, service.Disabled(), w.inputs[order.FieldFQDNs].Text)
	}
}
