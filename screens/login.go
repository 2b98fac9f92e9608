package screens

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/smartcard"
)

// tokenChoice is a token offered on the login screen.
type tokenChoice struct {
	info smartcard.TokenInfo
	name string
}

// loginScreen follows the manual's chapter 2.1: insert the card, choose
// the certificate's token, type the PIN.
type loginScreen struct {
	u        *ui
	readers  *widget.Label
	tokens   *widget.Select
	pinState *widget.Label
	pin      *widget.Entry
	login    *widget.Button
	problem  *widget.Label
	choices  []tokenChoice
}

func (u *ui) showLogin(problem string) { u.loginScreen(problem) }

// loginScreenForTest shows the login screen and returns it.
func (u *ui) loginScreenForTest() *loginScreen { return u.loginScreen("") }

func (u *ui) loginScreen(problem string) *loginScreen {
	s := &loginScreen{u: u}
	s.readers = widget.NewLabel("")
	s.readers.Wrapping = fyne.TextWrapWord
	s.tokens = u.newSelect(nil, func(string) { s.showPINState() })
	s.pinState = widget.NewLabel("")
	s.pinState.Wrapping = fyne.TextWrapWord
	s.pin = widget.NewPasswordEntry()
	s.pin.SetPlaceHolder("PIN")
	s.pin.OnSubmitted = func(string) { s.doLogin() }
	s.login = widget.NewButton(u.tr("Inloggen", "Log in"), s.doLogin)
	s.login.Importance = widget.HighImportance
	s.problem = widget.NewLabel(problem)
	s.problem.Wrapping = fyne.TextWrapWord
	s.problem.Importance = widget.DangerImportance

	intro := widget.NewLabel(u.tr(
		"Stop uw persoonlijke smartcard in de kaartlezer van uw computer of het USB-token in een vrije USB-poort. Kies daarna het token en voer uw PIN in.",
		"Insert your personal smartcard into your computer's card reader or the USB token into a free USB port. Then choose the token and enter your PIN."))
	intro.Wrapping = fyne.TextWrapWord
	title := widget.NewLabelWithStyle(u.tr("Inloggen met smartcard of USB-token", "Log in with smartcard or USB token"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	items := []fyne.CanvasObject{title, intro}
	if u.demo != nil {
		demo := widget.NewLabel(fmt.Sprintf(u.tr("Demo: de software-token %q heeft PIN %s. Deze demo gebruikt nooit uw echte database.", "Demo: the software token %q has PIN %s. This demo never uses your real database."), u.demo.label, u.demo.pin))
		demo.Importance = widget.WarningImportance
		demo.Wrapping = fyne.TextWrapWord
		items = append(items, demo)
	} else if u.db.Demo {
		demo := widget.NewLabel(u.tr("Demo zonder software-token: SoftHSM2 is niet geïnstalleerd, dus in deze demo kan niemand inloggen. Deze demo gebruikt nooit uw echte database.", "Demo without a software token: SoftHSM2 is not installed, so nobody can log in to this demo. This demo never uses your real database."))
		demo.Importance = widget.WarningImportance
		demo.Wrapping = fyne.TextWrapWord
		items = append(items, demo)
	}
	items = append(items,
		widget.NewLabelWithStyle(u.tr("Kaartlezers", "Card readers"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), s.readers,
		widget.NewLabelWithStyle(u.tr("Token", "Token"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewBorder(nil, nil, nil, widget.NewButton(u.tr("Vernieuwen", "Refresh"), s.refresh), s.tokens),
		s.pinState, s.pin, s.login, s.problem,
		container.NewGridWithColumns(2,
			widget.NewButton(u.tr("Diagnose kaartlezer en middleware", "Diagnose card reader and middleware"), u.showDoctor),
			widget.NewButton(u.tr("Middleware toevoegen…", "Add middleware…"), s.addModule)),
		s.languageChoice(),
	)
	form := container.NewVBox(items...)
	u.win.SetContent(container.NewCenter(container.NewGridWrap(fyne.NewSize(560, 620), form)))
	u.onCardState = func(smartcard.State) { s.refresh() }
	s.refresh()
	// The title last: whoever waits for it finds the screen it names.
	u.setTitle(u.tr("Inloggen", "Log in"))
	u.win.Canvas().Focus(s.pin)
	return s
}

// modules lists the middleware to look in: the demo token first. Discovery
// lists each real file once, so the demo's SoftHSM (a symlink on Debian)
// is not offered a second time through p11-kit's entry.
func (s *loginScreen) modules() []string {
	settings, _ := s.u.core.Settings(context.Background())
	configured := settings.ModulePaths
	if s.u.demo != nil {
		configured = append([]string{s.u.demo.module}, configured...)
	}
	var paths []string
	for _, c := range smartcard.DiscoverModules(smartcard.DiscoverOptions{Configured: configured}) {
		if c.Missing {
			continue
		}
		// SoftHSM outside the demo holds test tokens, not cards.
		if s.u.demo == nil && strings.Contains(c.Path, "softhsm") {
			continue
		}
		paths = append(paths, c.Path)
	}
	return paths
}

// refresh reads readers and tokens again (on every card event).
func (s *loginScreen) refresh() {
	u := s.u
	readers, err := smartcard.ListReaders()
	var lines []string
	watching, why := u.cs.Watching()
	blind := !watching && why != nil
	switch {
	case err != nil && blind && i18n.Is(err, "card.pcsc"):
		// Said below, with what it means for a login.
	case err != nil:
		lines = append(lines, i18n.Localize(u.lang, err))
	case len(readers) == 0:
		lines = append(lines, i18n.T(u.lang, "card.no_readers"))
	}
	for _, r := range readers {
		state := u.tr("geen kaart", "no card")
		if r.CardPresent {
			state = u.tr("kaart aanwezig", "card present")
		}
		lines = append(lines, cert.Printable(r.Name)+": "+state)
	}
	// The card watcher cannot see the readers (pcscd away): say so, since a
	// session on a card then ends and a card login is refused.
	if blind {
		lines = append(lines, i18n.T(u.lang, "card.watch_off"))
	}
	s.readers.SetText(strings.Join(lines, "\n"))

	s.choices = nil
	var names []string
	for _, m := range s.modules() {
		ts, err := u.cards.Tokens(m)
		if err != nil {
			continue
		}
		for _, t := range ts {
			name := fmt.Sprintf("%s — %s (%s)", cert.Printable(t.Label), cert.Printable(t.Model), filepath.Base(m))
			s.choices = append(s.choices, tokenChoice{info: t, name: name})
			names = append(names, name)
		}
	}
	prev := s.tokens.Selected
	s.tokens.Options = names
	s.tokens.Refresh()
	switch {
	case len(names) == 0:
		s.tokens.ClearSelected()
	case prev != "" && slices.Contains(names, prev):
		s.tokens.SetSelected(prev)
	default:
		s.tokens.SetSelectedIndex(0)
	}
	s.showPINState()
}

// addModule lets the user pick a PKCS#11 module file pkiodesk did not find.
func (s *loginScreen) addModule() {
	u := s.u
	dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		r.Close()
		if err := u.core.AddModulePath(context.Background(), r.URI().Path()); err != nil {
			s.problem.SetText(i18n.Localize(u.lang, err))
			return
		}
		s.refresh()
	}, u.win)
}

// languageChoice switches between Dutch and English and remembers it.
func (s *loginScreen) languageChoice() fyne.CanvasObject {
	u := s.u
	choice := widget.NewRadioGroup([]string{"Nederlands", "English"}, nil)
	choice.Horizontal = true
	if u.lang == i18n.EN {
		choice.SetSelected("English")
	} else {
		choice.SetSelected("Nederlands")
	}
	choice.OnChanged = func(v string) {
		lang := i18n.NL
		if v == "English" {
			lang = i18n.EN
		}
		if lang == u.lang {
			return
		}
		u.setLanguage(lang)
		_ = u.core.SetLanguage(context.Background(), string(lang))
		u.showLogin("")
	}
	return choice
}

func (s *loginScreen) chosen() (smartcard.TokenInfo, bool) {
	i := s.tokens.SelectedIndex()
	if i < 0 || i >= len(s.choices) {
		return smartcard.TokenInfo{}, false
	}
	return s.choices[i].info, true
}

// showPINState tells, before the user types, what the PIN counter says;
// a locked token gets no PIN entry at all.
func (s *loginScreen) showPINState() {
	tok, ok := s.chosen()
	if !ok {
		s.pinState.SetText(i18n.T(s.u.lang, "card.no_token"))
		s.pin.Disable()
		s.login.Disable()
		return
	}
	s.pinState.SetText(tok.PIN.Text(s.u.lang))
	switch {
	case tok.PIN.Locked:
		s.pinState.Importance = widget.DangerImportance
		s.pin.Disable()
		s.login.Disable()
	case tok.PIN.FinalTry || tok.PIN.CountLow:
		s.pinState.Importance = widget.WarningImportance
		s.pin.Enable()
		s.login.Enable()
	default:
		s.pinState.Importance = widget.MediumImportance
		s.pin.Enable()
		s.login.Enable()
	}
	if tok.PIN.PINPad {
		s.pin.Disable() // the PIN goes in on the reader's own keys
	}
	s.pinState.Refresh()
}

// doLogin logs in through the PIN guard in smartcard, the same as the
// CLI: an empty, too short or too long PIN never reaches the token, a
// locked token gets none, a PIN pad gets a NULL PIN. The field's text is a
// Go string Fyne keeps, which cannot be wiped; the bytes made from it are.
func (s *loginScreen) doLogin() {
	u := s.u
	tok, ok := s.chosen()
	if !ok {
		return
	}
	pin := []byte(s.pin.Text)
	s.pin.SetText("")
	s.login.Disable()
	s.problem.Importance = widget.MediumImportance // progress, not an error
	s.problem.SetText(u.tr("Bezig met inloggen…", "Logging in…"))
	if tok.PIN.PINPad {
		// C_Login waits until the PIN is typed on the reader.
		s.problem.SetText(i18n.T(u.lang, "card.state_pinpad") + " …")
	}
	shown := tok.PIN // what the screen said before the user typed
	prompt := func(_ context.Context, req smartcard.PINRequest) ([]byte, error) {
		now := req.Token.PIN
		if now.Warning() > shown.Warning() || now.PINPad != shown.PINPad {
			// The user typed without the warning the token now gives.
			clear(pin)
			return nil, i18n.E("card.state_changed", i18n.E(now.Message(), nil))
		}
		return pin, nil
	}
	go func() {
		defer clear(pin) // also when the guard never asked (a locked token)
		sess, err := u.cs.LoginToken(context.Background(), tok, prompt)
		fyne.Do(func() {
			s.problem.Importance = widget.DangerImportance
			if err != nil {
				_ = u.core.LoginRefused(context.Background(), nil, err)
				// Re-read the token first (the counter may have changed),
				// then answer: the answer is the last thing the screen does.
				s.refresh()
				s.problem.SetText(i18n.Localize(u.lang, err))
				return
			}
			u.afterLogin(sess, s.problem)
		})
	}()
}

// afterLogin picks the login certificate: the only authentication
// certificate, or the one the user chooses when the token holds several.
func (u *ui) afterLogin(sess *smartcard.Session, problem *widget.Label) {
	var auth []smartcard.TokenCertificate
	for _, c := range sess.Certificates() {
		if c.Usage == smartcard.UsageAuthentication {
			auth = append(auth, c)
		}
	}
	if len(auth) <= 1 {
		tc, err := sess.Pick(smartcard.UsageAuthentication)
		if err != nil {
			u.cs.Logout()
			problem.SetText(i18n.Localize(u.lang, err))
			return
		}
		u.loginWith(sess, tc, problem)
		return
	}
	var names []string
	for _, c := range auth {
		names = append(names, fmt.Sprintf("%s — %s (%s %s)", cert.Printable(c.Cert.Subject.CommonName), cert.Printable(c.Cert.Issuer.CommonName),
			u.tr("geldig tot", "valid until"), c.Cert.NotAfter.Format("2006-01-02")))
	}
	choice := widget.NewRadioGroup(names, nil)
	choice.SetSelected(names[0])
	u.certChoice = choice
	dialog.ShowCustomConfirm(u.tr("Kies uw certificaat", "Choose your certificate"), u.tr("Inloggen", "Log in"), u.tr("Annuleren", "Cancel"), choice, func(ok bool) {
		u.certChoice = nil
		if !ok {
			u.cs.Logout()
			problem.SetText("")
			return
		}
		for i, n := range names {
			if n == choice.Selected {
				u.loginWith(sess, auth[i], problem)
				return
			}
		}
	}, u.win)
}

// loginWith checks the chosen certificate (the card signs a challenge, the
// chain and revocation are checked; this may ask the CA, so off the UI
// thread), then identifies its holder: setup on an empty database, the home
// screen for a registered person, chapter 9's error otherwise.
func (u *ui) loginWith(sess *smartcard.Session, tc smartcard.TokenCertificate, problem *widget.Label) {
	problem.SetText(u.tr("Certificaat controleren…", "Checking the certificate…"))
	go func() {
		check, err := u.core.CheckLogin(context.Background(), tc.Cert, sess.Signer(tc))
		if err != nil {
			// Key, chain or revocation refused: the journal keeps why.
			_ = u.core.LoginRefused(context.Background(), tc.Cert, err)
		}
		fyne.Do(func() { u.finishLogin(sess, check, err, problem) })
	}()
}

func (u *ui) finishLogin(sess *smartcard.Session, check app.LoginCheck, err error, problem *widget.Label) {
	if err == nil && sess.Closed() {
		err = i18n.E("card.removed", nil)
	}
	if err != nil {
		u.endSession()
		u.cs.Logout()
		problem.SetText(i18n.Localize(u.lang, err))
		return
	}
	u.session, u.loginCert, u.loginCheck = sess, check.Certificate(), check
	if w := check.Warning(); w != nil {
		u.loginWarning = sentence(i18n.Localize(u.lang, w))
	}
	ctx := context.Background()
	need, err := u.core.NeedsSetup(ctx)
	if err != nil {
		problem.SetText(i18n.Localize(u.lang, err))
		return
	}
	if need {
		u.showSetup()
		return
	}
	p, err := u.core.LogIn(ctx, check)
	if err != nil {
		u.endSession()
		u.cs.Logout()
		problem.SetText(i18n.Localize(u.lang, err))
		return
	}
	u.person = p
	u.showHome()
}

// rereadPerson takes the logged-in person anew from the register, after
// something the window did may have changed their role or state.
func (u *ui) rereadPerson() {
	if u.person.ID == "" {
		return
	}
	// Unreadable: keep the person as known; every action asks the core,
	// which checks against the register itself.
	if p, err := u.core.Reread(context.Background(), u.person); err == nil || !p.Active {
		u.person = p
	}
}

// showDoctor shows the middleware report with a copy button, for the
// service desk (chapter 9: "de software ... is niet (goed) geïnstalleerd").
func (u *ui) showDoctor() {
	text := u.cards.Doctor(smartcard.DiscoverOptions{}).Text(u.lang)
	report := widget.NewMultiLineEntry()
	report.SetText(text)
	report.Wrapping = fyne.TextWrapOff
	copyButton := widget.NewButton(u.tr("Kopiëren", "Copy"), func() { u.fa.Clipboard().SetContent(text) })
	d := dialog.NewCustom(u.tr("Diagnose", "Diagnosis"), u.tr("Sluiten", "Close"),
		container.NewBorder(nil, copyButton, nil, nil, report), u.win)
	d.Resize(fyne.NewSize(760, 480))
	d.Show()
}
