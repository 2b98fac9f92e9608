package smartcard

import (
	"context"
	"errors"

	"github.com/miekg/pkcs11"

	"pkiodesk/app/i18n"
)

// PINRequest is what a PIN prompt learns before it asks: the token as it
// is now (its PIN state and length limits) and whether the PIN is for one
// signature only (a key with CKA_ALWAYS_AUTHENTICATE).
type PINRequest struct {
	Token        TokenInfo
	PerSignature bool
}

// PINPrompt asks the user for the PIN. It shows req.Token.PIN.Text first
// (a warning comes before the prompt). On a PIN-pad reader
// (req.Token.PIN.PINPad) it only tells the user to type on the reader and
// returns no PIN. The guard wipes what it returns. A prompt the user
// cancels returns an error; no PIN is sent then.
type PINPrompt func(ctx context.Context, req PINRequest) ([]byte, error)

// GivenPIN is a prompt for a PIN typed before the login started (the login
// screen's field). It hands the PIN over once; the guard wipes it.
func GivenPIN(pin []byte) PINPrompt {
	return func(context.Context, PINRequest) ([]byte, error) {
		p := pin
		pin = nil
		return p, nil
	}
}

// ErrPINCancelled is the cause of a login the user cancelled at the prompt.
var ErrPINCancelled = errors.New("PIN prompt cancelled")

// askPIN is the guard's first half, the same for every C_Login: a locked
// token is never asked, the prompt sees the state, and a PIN the token
// cannot take (empty, too short, too long) goes no further. On a PIN-pad
// reader the result is nil: C_Login then gets a NULL PIN.
func askPIN(ctx context.Context, tok TokenInfo, perSignature bool, prompt PINPrompt) ([]byte, error) {
	if tok.PIN.Locked {
		return nil, i18n.E("card.pin_locked", nil)
	}
	if err := ctx.Err(); err != nil {
		return nil, i18n.E("card.pin_cancelled", err)
	}
	if prompt == nil {
		return nil, i18n.E("card.pin_empty", nil)
	}
	pin, err := prompt(ctx, PINRequest{Token: tok, PerSignature: perSignature})
	if err != nil {
		wipe(pin)
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		wipe(pin)
		return nil, i18n.E("card.pin_cancelled", err)
	}
	if tok.PIN.PINPad {
		wipe(pin)
		return nil, nil
	}
	if err := checkPIN(tok, pin); err != nil {
		wipe(pin)
		return nil, err
	}
	return pin, nil
}

// checkPIN refuses a PIN the token's own limits rule out, so that a stray
// Enter or a pasted line never costs an attempt.
func checkPIN(tok TokenInfo, pin []byte) error {
	switch {
	case len(pin) == 0:
		return i18n.E("card.pin_empty", nil)
	case tok.MinPIN > 0 && uint(len(pin)) < tok.MinPIN:
		return i18n.E("card.pin_too_short", nil, tok.MinPIN)
	case tok.MaxPIN > 0 && uint(len(pin)) > tok.MaxPIN:
		return i18n.E("card.pin_too_long", nil, tok.MaxPIN)
	}
	return nil
}

// stillSafe is the guard's second half, just before C_Login: the token is
// read again, because the counter may have moved while the user typed
// (another program, a second window). Locked now, or worse than what the
// user was shown, sends no PIN.
func stillSafe(shown TokenInfo, now TokenInfo, present bool) error {
	switch {
	case !present:
		return i18n.E("card.removed", nil)
	case now.Label != shown.Label:
		return i18n.E("card.token_not_found", nil, shown.Label)
	case now.PIN.Locked:
		return i18n.E("card.pin_locked", nil)
	case now.PIN.Warning() > shown.PIN.Warning() || now.PIN.PINPad != shown.PIN.PINPad:
		return i18n.E("card.state_changed", i18n.E(now.PIN.Message(), nil))
	}
	return nil
}

// loginError turns a failed C_Login into the message for the user, reading
// the token's PIN state again so the message says what the counter says
// now. No raw PKCS#11 code reaches the user for a login.
func loginError(p *pkcs11.Ctx, tok TokenInfo, err error) error {
	var p11 pkcs11.Error
	if !errors.As(err, &p11) {
		return i18n.E("card.login_failed", err)
	}
	switch p11 {
	case pkcs11.CKR_PIN_INCORRECT:
		now, ok := readToken(p, tok.Module, tok.Slot)
		switch {
		case !ok:
			return i18n.E("card.pin_wrong", nil)
		case now.PIN.Locked:
			return i18n.E("card.pin_locked", nil)
		case now.PIN.FinalTry:
			return i18n.E("card.pin_final_try", nil)
		case now.PIN.CountLow:
			return i18n.E("card.pin_count_low", nil)
		}
		return i18n.E("card.pin_wrong", nil)
	case pkcs11.CKR_PIN_LOCKED:
		return i18n.E("card.pin_locked", nil)
	case pkcs11.CKR_PIN_LEN_RANGE:
		return i18n.E("card.pin_length", nil)
	case pkcs11.CKR_TOKEN_NOT_PRESENT, pkcs11.CKR_DEVICE_REMOVED, pkcs11.CKR_SESSION_HANDLE_INVALID, pkcs11.CKR_SESSION_CLOSED:
		return i18n.E("card.removed", nil)
	case pkcs11.CKR_TOKEN_NOT_RECOGNIZED:
		return i18n.E("card.wrong_module", nil)
	case pkcs11.CKR_FUNCTION_CANCELED:
		return i18n.E("card.pinpad_cancelled", nil)
	case pkcs11.CKR_ARGUMENTS_BAD, pkcs11.CKR_FUNCTION_NOT_SUPPORTED:
		// A NULL PIN for a PIN pad the middleware does not drive; with a
		// typed PIN this cannot happen, and the code means nothing to a user.
		if tok.PIN.PINPad {
			return i18n.E("card.pinpad_unsupported", nil)
		}
		return i18n.E("card.login_failed", nil)
	}
	return i18n.E("card.login_failed", err)
}

func wipe(b []byte) {
	for i := range b {
		b[i] = 0
	}
}
