package screens

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/org"
	"pkiodesk/internal/fixture"
	"pkiodesk/internal/testpki"
	"pkiodesk/smartcard"
	"pkiodesk/smartcard/softhsm"
)

// demoCard is the SoftHSM demo token for this test binary.
var demoCard struct {
	tok   softhsm.Token
	login *x509.Certificate
	chain []*x509.Certificate // the demo card's CAs, trusted in the demo
	err   error
}

func TestMain(m *testing.M) {
	dir, _ := os.MkdirTemp("", "screens-softhsm-")
	demoCard.tok, demoCard.login, demoCard.err = softhsm.DemoCard(context.Background(), dir)
	if demoCard.err == nil {
		os.Setenv("SOFTHSM2_CONF", demoCard.tok.ConfPath)
		demoCard.chain, demoCard.err = softhsm.DemoChain(dir)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func newTestUI(t *testing.T, lang i18n.Lang) *ui {
	t.Helper()
	ctx := context.Background()
	core, err := app.Open(ctx, app.Config{DBPath: filepath.Join(t.TempDir(), "db"), Now: time.Now, Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { core.Close() })
	// The demo card logs in through the demo CA, as in the real demo.
	if err := core.Trust.AddDemoAnchors(ctx, demoCard.chain...); err != nil {
		t.Fatal(err)
	}
	if err := core.SeedDemo(ctx, 120, 7); err != nil {
		t.Fatal(err)
	}
	fa := test.NewTempApp(t)
	u := newUI(fa, core, app.Database{Demo: true}, lang, nil)
	u.files = fyneChooser{}
	u.person = org.Person{Name: "Test Persoon", Role: org.BevoegdVertegenwoordiger, Active: true}
	// A test that stops early must not leave its token session open: an
	// open session keeps SoftHSM initialised, and the next test's new token
	// would not be seen.
	t.Cleanup(u.endSession)
	return u
}

func TestOverviewFiltersAndSortsThroughTheWidgets(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	u.showOverview(cert.KindServer)
	o := u.overviews[string(cert.KindServer)]
	if o.status.Selected != "Geldig" {
		t.Errorf("default status %q, want Geldig", o.status.Selected)
	}
	now := u.core.Inventory.Now()
	for _, r := range o.view.Rows {
		if r.Kind != cert.KindServer || r.Status(now) != cert.StatusValid {
			t.Fatalf("row %s (%s, %s) in the default server overview", r.CommonName, r.Kind, r.Status(now))
		}
	}
	all := len(o.view.Rows)
	word := ""
	for _, label := range strings.Split(o.view.Rows[0].CommonName, ".") {
		if strings.ContainsAny(label, "0123456789") {
			word = label + "." // e.g. "brp25."
			break
		}
	}
	test.Type(o.filter, word)
	if len(o.view.Rows) == 0 || len(o.view.Rows) >= all {
		t.Fatalf("filter %s: %d of %d rows", word, len(o.view.Rows), all)
	}
	for _, r := range o.view.Rows {
		if !strings.Contains(r.CommonName+strings.Join(r.DNSNames, " "), word) {
			t.Errorf("row %s does not match %s", r.CommonName, word)
		}
	}
	if want := i18n.N(i18n.NL, "window.count", len(o.view.Rows), len(o.view.Rows)); o.count.Text != want || strings.Contains(want, "1 certificaten") {
		t.Errorf("count label %q, want %q", o.count.Text, want)
	}
	// Click the Common Name header twice: ascending, then descending.
	o.sortBy(inventory.ColCN)
	if h := o.headerText(inventory.ColCN); !strings.HasSuffix(h, "▲") {
		t.Errorf("header %q", h)
	}
	first := o.view.Rows[0].CommonName
	o.sortBy(inventory.ColCN)
	if h := o.headerText(inventory.ColCN); !strings.HasSuffix(h, "▼") {
		t.Errorf("header %q", h)
	}
	if last := o.view.Rows[len(o.view.Rows)-1].CommonName; last != first {
		t.Errorf("descending order does not end with %q but %q", first, last)
	}
	o.status.SetSelected("Alle")
	if o.query.Status != inventory.FilterAll {
		t.Errorf("status %q", o.query.Status)
	}
	// The overview remembers its filter and sort within the session.
	u.showHome()
	u.showOverview(cert.KindServer)
	again := u.overviews[string(cert.KindServer)]
	if again.filter.Text != word || again.query.Sort != inventory.ColCN || !again.query.Desc || again.query.Status != inventory.FilterAll {
		t.Errorf("state not kept: %+v %q", again.query, again.filter.Text)
	}
}

// The overview's order buttons open their wizard; for someone who may not
// order they are shown disabled, with the reason, never hidden.
func TestOrderButtonsAreDisabledWithAReason(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	u.person = org.Person{Name: "Kees Jansen", Role: org.ContactpersoonAlle, Active: false}
	o := newOverview(u, string(cert.KindPersonal))
	content := o.content
	var found []string
	var walk func(obj any)
	walk = func(obj any) {
		switch w := obj.(type) {
		case *button:
			if strings.HasPrefix(w.Text, "Nieuw") {
				found = append(found, w.Text)
				if !w.Disabled() {
					t.Errorf("%q is enabled for an inactive person", w.Text)
				}
			}
		case *widget.Label:
			if strings.Contains(w.Text, "niet (meer) actief") && w.Visible() {
				found = append(found, "reason")
			}
		}
	}
	for _, obj := range test.LaidOutObjects(content) {
		walk(obj)
	}
	if strings.Join(found, "|") != "Nieuw persoonlijk certificaat|Nieuw certificaat via Mobiel|reason" {
		t.Errorf("found %v", found)
	}
}

func TestLockedTokenDisablesPINEntry(t *testing.T) {
	if demoCard.err != nil {
		fixture.Missing(t, "SoftHSM demo token: %v", demoCard.err)
	}
	u := newTestUI(t, i18n.NL)
	u.demo = &demoToken{module: demoCard.tok.Module, label: demoCard.tok.Label, pin: demoCard.tok.PIN}
	flagDemo(t, u, fixture.FlagUserPINLocked) // the real SoftHSM reports it
	s := u.loginScreenForTest()
	if len(s.choices) == 0 {
		t.Fatal("demo token not offered")
	}
	if !s.pin.Disabled() || !s.login.Disabled() {
		t.Error("PIN entry open on a locked token")
	}
	if !strings.Contains(s.pinState.Text, "geblokkeerd") {
		t.Errorf("state %q", s.pinState.Text)
	}
}

// A PIN-pad reader (protected authentication path) takes the PIN on its own
// keys: the PIN field is closed, Inloggen stays open, and the screen says
// where to type, also next to a counter warning.
func TestPINPadTokenTakesThePINOnTheReader(t *testing.T) {
	if demoCard.err != nil {
		fixture.Missing(t, "SoftHSM demo token: %v", demoCard.err)
	}
	for _, c := range []struct {
		state uint64
		want  []string
	}{
		{fixture.FlagProtectedAuthPath, []string{"kaartlezer"}},
		{fixture.FlagProtectedAuthPath | fixture.FlagUserPINFinalTry, []string{"laatste", "kaartlezer"}},
	} {
		u := newTestUI(t, i18n.NL)
		u.demo = &demoToken{module: demoCard.tok.Module, label: demoCard.tok.Label, pin: demoCard.tok.PIN}
		flagDemo(t, u, c.state)
		s := u.loginScreenForTest()
		if len(s.choices) == 0 {
			t.Fatal("demo token not offered")
		}
		if !s.pin.Disabled() || s.login.Disabled() {
			t.Errorf("%#x: PIN field disabled %v, Inloggen disabled %v", c.state, s.pin.Disabled(), s.login.Disabled())
		}
		for _, w := range c.want {
			if !strings.Contains(strings.ToLower(s.pinState.Text), w) {
				t.Errorf("%#x: state %q lacks %q", c.state, s.pinState.Text, w)
			}
		}
	}
}

func TestLoginThroughThePINField(t *testing.T) {
	if demoCard.err != nil {
		fixture.Missing(t, "SoftHSM demo token: %v", demoCard.err)
	}
	u := newTestUI(t, i18n.NL)
	u.demo = &demoToken{module: demoCard.tok.Module, label: demoCard.tok.Label, pin: demoCard.tok.PIN}
	s := u.loginScreenForTest()
	test.Type(s.pin, "000000")
	test.Tap(s.login)
	// The failure handler writes the message, then reads the token state
	// again and enables the button: wait for both.
	waitUntil(t, func() bool { return strings.Contains(s.problem.Text, "onjuiste PIN") && !s.login.Disabled() }, func() string {
		return fmt.Sprintf("problem %q, token %q, PIN state %q, login disabled %v", s.problem.Text, s.tokens.Selected, s.pinState.Text, s.login.Disabled())
	})
	if s.pin.Text != "" {
		t.Error("the PIN stays in the field after a try")
	}
	test.Type(s.pin, demoCard.tok.PIN)
	test.Tap(s.login)
	// An empty database: the first login opens the organisation setup.
	waitUntil(t, func() bool { return strings.HasPrefix(u.win.Title(), "pkiodesk — Organisatie inrichten") }, func() string {
		return fmt.Sprintf("title %q, problem %q", u.win.Title(), s.problem.Text)
	})
	if u.session == nil || u.loginCert == nil {
		t.Fatal("no session after login")
	}
	u.endSession()
}

func TestSetupDraftSurvivesAPulledCard(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	u.showSetup()
	u.draft("setup")["org"] = "Gemeente Zoëterwoude"
	u.draft("setup")["kvk"] = "1234"
	u.showLogin(i18n.T(u.lang, "card.removed"))
	u.showSetup()
	d := u.draft("setup")
	if d["org"] != "Gemeente Zoëterwoude" || d["kvk"] != "1234" {
		t.Errorf("draft lost: %v", d)
	}
}

func waitUntil(t *testing.T, cond func() bool, state func() string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not reached in 10 s: %s", state())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestLanguageSwitchOnTheLoginScreen(t *testing.T) {
	t.Setenv("LANGUAGE", "") // restored afterwards; the switch sets it
	u := newTestUI(t, i18n.NL)
	s := u.loginScreenForTest()
	if s.login.Text != "Inloggen" {
		t.Fatalf("button %q", s.login.Text)
	}
	// Fyne's own widgets (file dialogs, confirm buttons) follow the choice.
	if got := lang.L("Cancel"); got != "Annuleren" {
		t.Errorf("Fyne's Cancel in Dutch: %q", got)
	}
	var choice *widget.RadioGroup
	for _, obj := range test.LaidOutObjects(u.win.Content()) {
		if r, ok := obj.(*widget.RadioGroup); ok {
			choice = r
		}
	}
	if choice == nil {
		t.Fatal("no language choice")
	}
	choice.SetSelected("English")
	if u.lang != i18n.EN || !strings.HasPrefix(u.win.Title(), "pkiodesk — Log in") {
		t.Errorf("lang %s, title %q", u.lang, u.win.Title())
	}
	if got, _ := u.core.Settings(context.Background()); got.Language != "en" {
		t.Errorf("choice not kept: %+v", got)
	}
	if got := lang.L("Cancel"); got != "Cancel" {
		t.Errorf("Fyne's Cancel in English: %q", got)
	}
}

// Pulling the card anywhere ends the session and returns to the login
// screen; what was typed in an open form stays as a draft.
func TestPullingTheCardReturnsToLoginAndKeepsTheDraft(t *testing.T) {
	if demoCard.err != nil {
		fixture.Missing(t, "SoftHSM demo token: %v", demoCard.err)
	}
	vc := fixture.NewVirtualCard(t)
	u := newTestUI(t, i18n.NL)
	u.demo = &demoToken{module: demoCard.tok.Module, label: demoCard.tok.Label, pin: demoCard.tok.PIN}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go u.cs.Run(ctx)
	go u.followCard(ctx)
	vc.Insert()
	waitUntil(t, func() bool { st, _ := u.cs.State(); return st == smartcard.CardPresent }, func() string { st, _ := u.cs.State(); return string(st) })

	s := u.loginScreenForTest()
	test.Type(s.pin, demoCard.tok.PIN)
	test.Tap(s.login)
	waitUntil(t, func() bool { return strings.HasPrefix(u.win.Title(), "pkiodesk — Organisatie inrichten") }, func() string { return u.win.Title() + " " + s.problem.Text })
	sess := u.session
	var orgEntry *widget.Entry
	for _, obj := range test.LaidOutObjects(u.win.Content()) {
		if e, ok := obj.(*widget.Entry); ok && e.PlaceHolder == "Gemeente …" {
			orgEntry = e
		}
	}
	if orgEntry == nil {
		t.Fatal("no organisation field on the setup screen")
	}
	test.Type(orgEntry, "Gemeente Zoëterwoude")

	vc.Remove()
	waitUntil(t, func() bool { return strings.HasPrefix(u.win.Title(), "pkiodesk — Inloggen") }, func() string { return u.win.Title() })
	if u.session != nil || !sess.Closed() {
		t.Error("the token session outlived the card")
	}
	u.showSetup()
	if d := u.draft("setup"); d["org"] != "Gemeente Zoëterwoude" {
		t.Errorf("draft lost: %v", d)
	}
}

func TestImportFromTheOverview(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	u.showOverview(cert.KindServer)
	o := u.overviews[string(cert.KindServer)]
	o.status.SetSelected("Verlopen")
	before := len(o.view.Rows)
	data := fixture.ReadPKIo(t, "RvIG_lap.gbav.idm.diginetwerk.net.crt")
	rep := o.importInputs([]inventory.Input{{Name: "rvig.crt", Data: data}})
	if len(rep.Added) != 1 || len(o.view.Rows) != before+1 {
		t.Fatalf("import: %+v, rows %d -> %d", rep, before, len(o.view.Rows))
	}
	if txt := u.importReport(rep); !strings.Contains(txt, "1 toegevoegd") || !strings.Contains(txt, "lap.gbav.idm.diginetwerk.net") {
		t.Errorf("report %q", txt)
	}
	bad := o.importInputs([]inventory.Input{{Name: "kapot.pem", Data: []byte("=1+1")}})
	if txt := u.importReport(bad); len(bad.Rejected) != 1 || !strings.Contains(txt, "kapot.pem: geen certificaat") {
		t.Errorf("bad file report %q", txt)
	}
}

// A token with two authentication certificates: the user chooses one.
func TestChoiceBetweenCertificates(t *testing.T) {
	if demoCard.err != nil {
		fixture.Missing(t, "SoftHSM demo token: %v", demoCard.err)
	}
	tok, err := softhsm.InitToken(context.Background(), demoCard.tok.ConfPath, "twee certificaten", "so-pin-2", "112233")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := tok.Delete(context.Background()); err != nil {
			t.Error(err)
		}
	})
	pki, err := testpki.New(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var certs []*x509.Certificate
	for i, name := range []string{"Oude Pas", "Nieuwe Pas"} {
		who := testpki.Person{GivenName: name, Surname: "Jansen", Email: fmt.Sprintf("p%d@voorbeeldstad.nl", i), Organization: "Gemeente Voorbeeldstad", Number: fmt.Sprintf("PN-%d", i)}
		c, err := tok.AddKey([]byte{byte(0x10 + i)}, name, softhsm.RSA2048, func(pub crypto.PublicKey) (*x509.Certificate, error) { return pki.Personal(pub, who, false) })
		if err != nil {
			t.Fatal(err)
		}
		certs = append(certs, c)
	}
	u := newTestUI(t, i18n.NL)
	if err := u.core.Trust.AddDemoAnchors(context.Background(), pki.Issuer, pki.Root); err != nil {
		t.Fatal(err)
	}
	u.demo = &demoToken{module: tok.Module, label: tok.Label, pin: tok.PIN}
	s := u.loginScreenForTest()
	for i, c := range s.choices {
		if c.info.Label == tok.Label {
			s.tokens.SetSelectedIndex(i)
		}
	}
	test.Type(s.pin, tok.PIN)
	test.Tap(s.login)
	waitUntil(t, func() bool { return u.certChoice != nil }, func() string { return s.problem.Text })
	if len(u.certChoice.Options) != 2 {
		t.Fatalf("options %v", u.certChoice.Options)
	}
	for _, o := range u.certChoice.Options {
		if strings.Contains(o, "Nieuwe Pas") {
			u.certChoice.SetSelected(o)
		}
	}
	var confirm *widget.Button
	for _, obj := range test.LaidOutObjects(u.win.Canvas().Overlays().Top()) {
		if b, ok := obj.(*widget.Button); ok && b.Text == "Inloggen" {
			confirm = b
		}
	}
	if confirm == nil {
		t.Fatal("no confirm button in the choice")
	}
	test.Tap(confirm)
	waitUntil(t, func() bool { return strings.HasPrefix(u.win.Title(), "pkiodesk — Organisatie inrichten") }, func() string { return u.win.Title() })
	if !u.loginCert.Equal(certs[1]) {
		t.Errorf("logged in with %s, want the chosen Nieuwe Pas", u.loginCert.Subject.CommonName)
	}
	u.endSession()
}

// The detail screen shows whole values: the real RvIG certificate's issuer
// is longer than a table cell, and each DN attribute gets its own line.
func TestDetailShowsWholeDistinguishedNames(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	data := fixture.ReadPKIo(t, "RvIG_lap.gbav.idm.diginetwerk.net.crt")
	rep, err := u.core.Inventory.Import(context.Background(), []inventory.Input{{Name: "rvig.crt", Data: data}}, inventory.ImportOptions{})
	if err != nil || len(rep.Added) != 1 {
		t.Fatalf("import: %v %+v", err, rep)
	}
	u.showDetail(rep.Added[0])
	values := map[string]bool{}
	for _, obj := range test.LaidOutObjects(u.win.Content()) {
		if l, ok := obj.(*widget.Label); ok {
			values[l.Text] = true
		}
	}
	issuer := rep.Added[0].Issuer
	if len(issuer) <= 80 {
		t.Fatalf("fixture issuer too short to test: %q", issuer)
	}
	// The QuoVadis issuer has an organizationIdentifier, which crypto/x509
	// prints as hex; the screen names it.
	want := "CN=QuoVadis PKIoverheid Private Services CA - G1\nO=QuoVadis Trustlink B.V.\nC=NL\norganizationIdentifier=NTRNL-30237459"
	if !values[want] {
		t.Errorf("issuer not shown whole, one readable attribute a line: want %q", want)
	}
	subject := strings.Join(cert.DNParts(rep.Added[0].Subject), "\n")
	if !values[subject] || !strings.Contains(subject, "O=Rijksdienst voor Identiteitsgegevens (RvIG)") {
		t.Errorf("subject not shown whole: want %q", subject)
	}
}

// A second pkiodesk on a database that is in use gets a window that says so
// in Dutch, instead of a message on stderr nobody sees; nothing is written.
func TestSecondInstanceGetsAStartupWindow(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pkiodesk.db")
	first, err := app.Open(ctx, app.Config{DBPath: path, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	before, _ := os.ReadFile(path)

	_, err = start(ctx, Options{DBFlag: path})
	if !i18n.Is(err, "err.db_in_use") {
		t.Fatalf("second start: %v", err)
	}
	closed := 0
	w := startupErrorWindow(test.NewTempApp(t), i18n.NL, err, func() { closed++ })
	if w.Title() != "pkiodesk — Kan niet starten" {
		t.Errorf("title %q", w.Title())
	}
	found := false
	for _, obj := range test.LaidOutObjects(w.Content()) {
		if l, ok := obj.(*widget.Label); ok && strings.Contains(l.Text, "in gebruik door een andere pkiodesk") {
			found = true
		}
	}
	if !found {
		t.Error("the window does not say the database is in use")
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("the second start changed the database")
	}
	// Enter ends pkiodesk, as the window's only button does.
	w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if closed != 1 {
		t.Errorf("Enter on the startup window ended pkiodesk %d times", closed)
	}
}
