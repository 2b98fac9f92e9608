package screens

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"pkiodesk/app/i18n"
	"pkiodesk/internal/fixture"
	"pkiodesk/smartcard"
)

// flagDemo sets token flags on the demo SoftHSM token for one test: SoftHSM
// reports what its token file says, so the login screen sees a real
// locked, final-try or PIN-pad token.
func flagDemo(t *testing.T, u *ui, set uint64) {
	t.Helper()
	tok, err := u.cards.Token(demoCard.tok.Module, demoCard.tok.Label)
	if err != nil {
		t.Fatal(err)
	}
	all := fixture.FlagUserPINLocked | fixture.FlagUserPINFinalTry | fixture.FlagUserPINCountLow | fixture.FlagProtectedAuthPath
	fixture.SetSoftHSMFlags(t, demoCard.tok.ConfPath, tok.Serial, set, all&^set)
	t.Cleanup(func() { fixture.SetSoftHSMFlags(t, demoCard.tok.ConfPath, tok.Serial, 0, all) })
}

// Enter in an empty PIN field, or a PIN shorter than the token takes, is
// answered on the screen and never sent: the spy in front of the demo
// token counts no C_Login.
func TestWindowSendsNoEmptyPIN(t *testing.T) {
	if demoCard.err != nil {
		fixture.Missing(t, "SoftHSM demo token: %v", demoCard.err)
	}
	spy := fixture.NewSpy(t, demoCard.tok.Module)
	u := newTestUI(t, i18n.NL)
	u.demo = &demoToken{module: spy.Module, label: demoCard.tok.Label, pin: demoCard.tok.PIN}
	s := u.loginScreenForTest()
	for typed, want := range map[string]string{"": "voer uw PIN in", "12": "te kort"} {
		s.problem.SetText("")
		test.Type(s.pin, typed)
		s.pin.OnSubmitted(s.pin.Text) // Enter
		waitUntil(t, func() bool { return strings.Contains(s.problem.Text, want) && !s.login.Disabled() }, func() string {
			return fmt.Sprintf("problem %q", s.problem.Text)
		})
	}
	if n := spy.Calls("C_Login"); n != 0 {
		t.Errorf("%d PINs sent from the window", n)
	}
}

// The demo's SoftHSM is offered once, though p11-kit names its real file
// and the demo its Debian symlink.
func TestDemoTokenIsOfferedOnce(t *testing.T) {
	if demoCard.err != nil {
		fixture.Missing(t, "SoftHSM demo token: %v", demoCard.err)
	}
	u := newTestUI(t, i18n.NL)
	u.demo = &demoToken{module: demoCard.tok.Module, label: demoCard.tok.Label, pin: demoCard.tok.PIN}
	s := u.loginScreenForTest()
	n := 0
	for _, c := range s.choices {
		if c.info.Label == demoCard.tok.Label {
			n++
		}
	}
	if n != 1 {
		t.Errorf("demo token offered %d times: %v", n, s.tokens.Options)
	}
}

// When the card watcher cannot reach pcscd, the login screen says that
// card removal is not being watched.
func TestLoginScreenSaysRemovalIsNotWatched(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	s := u.loginScreenForTest()
	if strings.Contains(s.readers.Text, "niet bewaakt") {
		t.Fatalf("warning without cause: %q", s.readers.Text)
	}
	u.cs.HandleEvent(smartcard.Event{Kind: smartcard.WatchLost, Err: i18n.E("card.pcsc", nil)})
	s.refresh()
	if !strings.Contains(s.readers.Text, "het verwijderen van de kaart wordt nu niet bewaakt") {
		t.Errorf("readers %q", s.readers.Text)
	}
	u.cs.HandleEvent(smartcard.Event{Kind: smartcard.WatchRestored})
	s.refresh()
	if strings.Contains(s.readers.Text, "niet bewaakt") {
		t.Errorf("warning stays after the watcher is back: %q", s.readers.Text)
	}
}

// Lists that nothing is chosen in yet speak the user's language: Fyne's
// own placeholder is English ("(Select one)"), in the Dutch login screen.
func TestEmptySelectSpeaksTheUsersLanguage(t *testing.T) {
	for lang, want := range map[i18n.Lang]string{i18n.NL: "(Kies er een)", i18n.EN: "(Select one)"} {
		u := newTestUI(t, lang)
		s := u.loginScreenForTest()
		s.tokens.ClearSelected()
		if s.tokens.PlaceHolder != want {
			t.Errorf("%v: the token list shows %q", lang, s.tokens.PlaceHolder)
		}
	}
}
