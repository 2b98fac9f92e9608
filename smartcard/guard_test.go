package smartcard

import (
	"context"
	"strings"
	"testing"

	"pkiodesk/app/i18n"
	"pkiodesk/internal/fixture"
)

// flagged sets SoftHSM token flags on the test card for one test; SoftHSM
// reports them as the token's state, so the real module says "locked",
// "final try" or "PIN pad".
func flagged(t *testing.T, tok TokenInfo, set uint64) {
	t.Helper()
	c := needCard(t)
	all := fixture.FlagUserPINLocked | fixture.FlagUserPINFinalTry | fixture.FlagUserPINCountLow | fixture.FlagProtectedAuthPath
	fixture.SetSoftHSMFlags(t, c.ConfPath, tok.Serial, set, all&^set)
	t.Cleanup(func() { fixture.SetSoftHSMFlags(t, c.ConfPath, tok.Serial, 0, all) })
}

// spied is the test card through OpenSC's PKCS#11 spy, which counts C_Login.
func spied(t *testing.T) (*Manager, TokenInfo, *fixture.Spy) {
	t.Helper()
	c := needCard(t)
	spy := fixture.NewSpy(t, c.Module)
	m := NewManager()
	tok, err := m.Token(spy.Module, "PKIo kaart")
	if err != nil {
		t.Fatal(err)
	}
	return m, tok, spy
}

// A locked token (real SoftHSM, flag set in its token file) is neither
// asked nor sent a PIN, even the right one, and says so once.
func TestLockedTokenIsNeverSentAPIN(t *testing.T) {
	m, tok, spy := spied(t)
	flagged(t, tok, fixture.FlagUserPINLocked)
	var asked []PINRequest
	_, err := m.LoginToken(context.Background(), tok, typed(testPIN, &asked))
	if !i18n.Is(err, "card.pin_locked") {
		t.Fatalf("locked: %v", err)
	}
	if msg := i18n.Localize(i18n.NL, err); !strings.Contains(msg, "PUK") || strings.Count(msg, "geblokkeerd") != 1 {
		t.Errorf("message %q", msg)
	}
	if len(asked) != 0 || spy.Calls("C_Login") != 0 {
		t.Errorf("locked token asked %d times, sent %d PINs", len(asked), spy.Calls("C_Login"))
	}
	// Read fresh from the module, as the prompt would see it.
	if now, _ := m.Token(spy.Module, "PKIo kaart"); !now.PIN.Locked {
		t.Errorf("the module does not report the lock: %+v", now.PIN)
	}
}

// FINAL_TRY: the prompt hears it before it asks; a wrong PIN is sent once
// and answered with the final-try message.
func TestFinalTryIsSaidBeforeThePrompt(t *testing.T) {
	m, tok, spy := spied(t)
	flagged(t, tok, fixture.FlagUserPINFinalTry)
	var asked []PINRequest
	_, err := m.LoginToken(context.Background(), tok, typed("999999", &asked))
	if !i18n.Is(err, "card.pin_final_try") {
		t.Fatalf("final try: %v", err)
	}
	if len(asked) != 1 || !asked[0].Token.PIN.FinalTry || asked[0].Token.PIN.Message() != "card.state_final_try" {
		t.Errorf("prompt told %+v", asked)
	}
	if n := spy.Calls("C_Login"); n != 1 {
		t.Errorf("%d C_Login for one attempt", n)
	}
}

// Empty, too short and too long PINs never reach C_Login; the token's
// own limits (SoftHSM: 4..255) decide.
func TestPINLengthIsCheckedBeforeLogin(t *testing.T) {
	m, tok, spy := spied(t)
	for pin, key := range map[string]string{
		"":                       "card.pin_empty",
		"12":                     "card.pin_too_short",
		strings.Repeat("7", 256): "card.pin_too_long",
	} {
		_, err := m.LoginToken(context.Background(), tok, typed(pin, nil))
		if !i18n.Is(err, key) {
			t.Errorf("PIN of %d: %v, want %s", len(pin), err, key)
		}
	}
	if msg := i18n.Localize(i18n.NL, i18n.E("card.pin_too_short", nil, tok.MinPIN)); !strings.Contains(msg, "minstens 4") {
		t.Errorf("message %q", msg)
	}
	if n := spy.Calls("C_Login"); n != 0 {
		t.Errorf("%d PINs sent that the token cannot take", n)
	}
	s, err := m.LoginToken(context.Background(), tok, typed(testPIN, nil))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if n := spy.Calls("C_Login"); n != 1 {
		t.Errorf("%d C_Login for one good login", n)
	}
}

// A PIN-pad reader (CKF_PROTECTED_AUTHENTICATION_PATH): the prompt is told
// to say "type on the reader", whatever it returns is not sent, and C_Login
// gets a NULL PIN. SoftHSM has no PIN pad and answers CKR_ARGUMENTS_BAD,
// which reaches the user as a sentence, not as a code.
func TestPINPadGetsANullPIN(t *testing.T) {
	m, tok, spy := spied(t)
	flagged(t, tok, fixture.FlagProtectedAuthPath|fixture.FlagUserPINCountLow)
	var asked []PINRequest
	_, err := m.LoginToken(context.Background(), tok, typed(testPIN, &asked))
	if len(asked) != 1 || !asked[0].Token.PIN.PINPad {
		t.Fatalf("prompt told %+v", asked)
	}
	if text := asked[0].Token.PIN.Text(i18n.NL); !strings.Contains(text, "weinig") || !strings.Contains(text, "kaartlezer") {
		t.Errorf("prompt text %q", text)
	}
	if n := spy.Calls("C_Login"); n != 1 {
		t.Fatalf("%d C_Login calls", n)
	}
	if log := spy.Log(); strings.Contains(log, testPIN) || !strings.Contains(log, "pPin[ulPinLen] NULL") {
		t.Errorf("the PIN pad login was not sent a NULL PIN:\n%s", log[strings.Index(log, "C_Login"):])
	}
	if !i18n.Is(err, "card.pinpad_unsupported") {
		t.Errorf("SoftHSM's answer to a NULL PIN: %v", err)
	}
	for _, l := range []i18n.Lang{i18n.NL, i18n.EN} {
		if msg := i18n.Localize(l, err); strings.Contains(msg, "CKR_") {
			t.Errorf("raw code for the user: %q", msg)
		}
	}
}

// The counter moves while the user types (another program tries a PIN):
// the guard looks again before C_Login and sends nothing.
func TestStateChangedWhileTypingSendsNoPIN(t *testing.T) {
	m, tok, spy := spied(t)
	c := needCard(t)
	flagged(t, tok, 0)
	for flag, key := range map[uint64]string{fixture.FlagUserPINFinalTry: "card.state_changed", fixture.FlagUserPINLocked: "card.pin_locked"} {
		prompt := func(context.Context, PINRequest) ([]byte, error) {
			fixture.SetSoftHSMFlags(t, c.ConfPath, tok.Serial, flag, 0)
			return pin(testPIN), nil
		}
		_, err := m.LoginToken(context.Background(), tok, prompt)
		if !i18n.Is(err, key) {
			t.Errorf("flag %#x while typing: %v", flag, err)
		}
		fixture.SetSoftHSMFlags(t, c.ConfPath, tok.Serial, 0, flag)
	}
	if n := spy.Calls("C_Login"); n != 0 {
		t.Errorf("%d PINs sent after the state changed", n)
	}
}

// A prompt the user cancels (Ctrl-C, Escape) sends nothing.
func TestCancelledPromptSendsNoPIN(t *testing.T) {
	m, tok, spy := spied(t)
	ctx, cancel := context.WithCancel(context.Background())
	prompt := func(context.Context, PINRequest) ([]byte, error) {
		cancel()
		return pin(testPIN), nil // typed, but cancelled before Enter
	}
	if _, err := m.LoginToken(ctx, tok, prompt); !i18n.Is(err, "card.pin_cancelled") {
		t.Errorf("cancelled: %v", err)
	}
	if n := spy.Calls("C_Login"); n != 0 {
		t.Errorf("%d PINs sent after a cancel", n)
	}
}

// The PIN buffer the prompt hands over is wiped, whatever happens.
func TestPINBufferIsWiped(t *testing.T) {
	c := needCard(t)
	m := NewManager()
	tok, err := m.Token(c.Module, "PKIo kaart")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"000000", "12", testPIN} {
		buf := pin(p)
		s, _ := m.LoginToken(context.Background(), tok, GivenPIN(buf))
		if s != nil {
			s.Close()
		}
		for _, b := range buf {
			if b != 0 {
				t.Errorf("PIN %q not wiped: %q", p, buf)
				break
			}
		}
	}
	// One wrong PIN above set COUNT_LOW; the good login cleared it.
}
