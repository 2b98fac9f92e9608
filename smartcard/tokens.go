package smartcard

import (
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

// Warning orders the states by danger: 0 nothing, 1 few attempts left,
// 2 the last attempt, 3 locked. A prompt shown at one level must not lead
// to a PIN sent at a higher one.
func (s PINState) Warning() int {
	switch {
	case s.Locked:
		return 3
	case s.FinalTry:
		return 2
	case s.CountLow:
		return 1
	}
	return 0
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
	// MinPIN and MaxPIN are the token's PIN length limits (ulMinPinLen,
	// ulMaxPinLen); 0 means the token does not say.
	MinPIN, MaxPIN uint
	// Removable is a slot whose token can be taken out (CKF_REMOVABLE_DEVICE):
	// a card or USB token, not a software token.
	Removable bool
}

// readTokens lists the initialised tokens of a module that p has open and
// initialised.
func readTokens(p *pkcs11.Ctx, module string) ([]TokenInfo, error) {
	slots, err := p.GetSlotList(true)
	if err != nil {
		return nil, i18n.E("card.module_missing", fmt.Errorf("PKCS#11 slot list: %w", err), module)
	}
	var out []TokenInfo
	for _, s := range slots {
		ti, ok := readToken(p, module, s)
		if ok {
			out = append(out, ti)
		}
	}
	return out, nil
}

// readToken reads one slot's token; false when it was pulled meanwhile or
// is blank (no user, no keys).
func readToken(p *pkcs11.Ctx, module string, slot uint) (TokenInfo, bool) {
	if p == nil {
		return TokenInfo{}, false
	}
	ti, err := p.GetTokenInfo(slot)
	if err != nil || ti.Flags&pkcs11.CKF_TOKEN_INITIALIZED == 0 {
		return TokenInfo{}, false
	}
	si, _ := p.GetSlotInfo(slot)
	return TokenInfo{
		Module: module, Slot: slot, SlotName: si.SlotDescription, Label: ti.Label,
		Manufacturer: ti.ManufacturerID, Model: ti.Model, Serial: ti.SerialNumber,
		PIN:    pinStateFromFlags(ti.Flags),
		MinPIN: limit(ti.MinPinLen), MaxPIN: limit(ti.MaxPinLen),
		Removable: si.Flags&pkcs11.CKF_REMOVABLE_DEVICE != 0,
	}, true
}

// limit drops the values PKCS#11 uses for "no information".
func limit(v uint) uint {
	if v == pkcs11.CK_UNAVAILABLE_INFORMATION || v == pkcs11.CK_EFFECTIVELY_INFINITE || v > 1<<16 {
		return 0
	}
	return v
}
