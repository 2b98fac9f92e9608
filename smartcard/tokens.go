package smartcard

import (
	"errors"
	"fmt"

	"github.com/miekg/pkcs11"

	"pkiodesk/app/i18n"
)

// PINState is what a token says about its user PIN before anyone types it.
type PINState struct {
	CountLow     bool // a wrong PIN was entered since the last good one
	FinalTry     bool // one more wrong PIN locks the card
	Locked       bool
	PINPad       bool // CKF_PROTECTED_AUTHENTICATION_PATH: PIN entry on the reader
	LoginNeeded  bool
	NotSupported bool // no PIN state flags at all
}

// Message is the advice for a PIN prompt, as an i18n key.
func (s PINState) Message() string {
	switch {
	case s.Locked:
		return "card.pin_locked"
	case s.FinalTry:
		return "card.state_final_try"
	case s.CountLow:
		return "card.state_count_low"
	case s.PINPad:
		return "card.state_pinpad"
	}
	return "card.state_ok"
}

// Text is the PIN state in the user's words. On a PIN-pad reader the user
// must also learn where to type, even when a counter warning comes first.
func (s PINState) Text(l i18n.Lang) string {
	key := s.Message()
	text := i18n.T(l, key)
	if s.PINPad && !s.Locked && key != "card.state_pinpad" {
		text += " — " + i18n.T(l, "card.state_pinpad")
	}
	return text
}

func pinStateFromFlags(flags uint) PINState {
	return PINState{
		CountLow:    flags&pkcs11.CKF_USER_PIN_COUNT_LOW != 0,
		FinalTry:    flags&pkcs11.CKF_USER_PIN_FINAL_TRY != 0,
		Locked:      flags&pkcs11.CKF_USER_PIN_LOCKED != 0,
		PINPad:      flags&pkcs11.CKF_PROTECTED_AUTHENTICATION_PATH != 0,
		LoginNeeded: flags&pkcs11.CKF_LOGIN_REQUIRED != 0,
	}
}

// TokenInfo describes one token (a card in a reader, or a USB token).
type TokenInfo struct {
	Module       string
	Slot         uint
	SlotName     string
	Label        string
	Manufacturer string
	Model        string
	Serial       string
	PIN          PINState
}

// TokenInfoSource reads token information. The real one asks the module;
// tests of lockout use FakeTokenInfo, since SoftHSM never reports a final
// try or a locked PIN.
type TokenInfoSource interface {
	Tokens(module string) ([]TokenInfo, error)
}

// ModuleTokenInfo reads tokens through miekg/pkcs11.
type ModuleTokenInfo struct {
	// loaded reports whether the module is already initialised in this
	// process (by a logged-in crypto11 session); then it must not be
	// initialised or finalised again.
	loaded func(module string) bool
}

// Tokens lists the tokens present in the module's slots.
func (m ModuleTokenInfo) Tokens(module string) ([]TokenInfo, error) {
	p := pkcs11.New(module)
	if p == nil {
		return nil, i18n.E("card.module_missing", nil, module)
	}
	defer p.Destroy()
	if m.loaded == nil || !m.loaded(module) {
		if err := p.Initialize(); err != nil && !errors.Is(err, pkcs11.Error(pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED)) {
			return nil, i18n.E("card.module_missing", err, module)
		} else if err == nil {
			defer p.Finalize()
		}
	}
	slots, err := p.GetSlotList(true)
	if err != nil {
		return nil, fmt.Errorf("PKCS#11 slot list: %w", err)
	}
	var out []TokenInfo
	for _, s := range slots {
		ti, err := p.GetTokenInfo(s)
		if err != nil || ti.Flags&pkcs11.CKF_TOKEN_INITIALIZED == 0 {
			continue // pulled between the two calls, or blank (no user, no keys)
		}
		si, _ := p.GetSlotInfo(s)
		out = append(out, TokenInfo{
			Module: module, Slot: s, SlotName: si.SlotDescription, Label: ti.Label,
			Manufacturer: ti.ManufacturerID, Model: ti.Model, Serial: ti.SerialNumber,
			PIN: pinStateFromFlags(ti.Flags),
		})
	}
	return out, nil
}

// FakeTokenInfo is a fake TokenInfoSource for states a test token cannot
// produce (final try, locked). It returns the real tokens with the PIN
// state replaced.
type FakeTokenInfo struct {
	Real  TokenInfoSource
	State PINState
}

// Tokens returns the real tokens with the fake PIN state.
func (f FakeTokenInfo) Tokens(module string) ([]TokenInfo, error) {
	ts, err := f.Real.Tokens(module)
	for i := range ts {
		ts[i].PIN = f.State
	}
	return ts, err
}
