package smartcard

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/miekg/pkcs11"

	"pkiodesk/app/i18n"
)

// Manager opens token sessions. A PKCS#11 module is initialised once per
// process, so one Manager per process keeps count of what it loaded: a
// token listing loads a module for a moment, a login keeps it until the
// session closes.
type Manager struct {
	// mu serialises initialising and finalising modules, and guards the
	// counts. It is never held while a user types a PIN.
	mu     sync.Mutex
	loaded map[string]int  // module → open sessions
	logins map[slotKey]int // (module, slot) → logged-in sessions
}

type slotKey struct {
	module string
	slot   uint
}

// NewManager reads token state through the modules themselves.
func NewManager() *Manager {
	return &Manager{loaded: map[string]int{}, logins: map[slotKey]int{}}
}

// Tokens lists the tokens of a module with their PIN state, read fresh.
func (m *Manager) Tokens(module string) ([]TokenInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := pkcs11.New(module)
	if p == nil {
		return nil, i18n.E("card.module_missing", nil, module)
	}
	defer p.Destroy()
	// A module a session holds is initialised already; initialising or
	// finalising it here would pull the ground from under that session.
	if m.loaded[module] == 0 {
		err := p.Initialize()
		switch {
		case err == nil:
			defer p.Finalize()
		case !errors.Is(err, pkcs11.Error(pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED)):
			return nil, i18n.E("card.module_missing", err, module)
		}
	}
	return readTokens(p, module)
}

// TokenSelector picks a token: by label, serial number, slot, or any of
// them together. The zero selector picks the only token.
type TokenSelector struct {
	Label  string
	Serial string
	Slot   *uint
}

// Token finds one token by label; with an empty label the only token.
func (m *Manager) Token(module, label string) (TokenInfo, error) {
	return m.Select(module, TokenSelector{Label: label})
}

// Select finds the one token the selector names. Two tokens that match
// are an error that says how to tell them apart.
func (m *Manager) Select(module string, sel TokenSelector) (TokenInfo, error) {
	ts, err := m.Tokens(module)
	if err != nil {
		return TokenInfo{}, err
	}
	if len(ts) == 0 {
		return TokenInfo{}, i18n.E("card.no_token", nil)
	}
	var found []TokenInfo
	for _, t := range ts {
		if sel.Label != "" && t.Label != sel.Label {
			continue
		}
		if sel.Serial != "" && strings.TrimSpace(t.Serial) != strings.TrimSpace(sel.Serial) {
			continue
		}
		if sel.Slot != nil && t.Slot != *sel.Slot {
			continue
		}
		found = append(found, t)
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) > 1 && sel.Label != "":
		return TokenInfo{}, i18n.E("card.label_twice", nil, len(found), sel.Label, slotList(found))
	case len(found) > 1:
		return TokenInfo{}, i18n.E("card.several_tokens", nil, len(found), slotList(found))
	case sel.Slot != nil:
		return TokenInfo{}, i18n.E("card.slot_not_found", nil, *sel.Slot)
	case sel.Serial != "":
		return TokenInfo{}, i18n.E("card.serial_not_found", nil, sel.Serial)
	}
	return TokenInfo{}, i18n.E("card.token_not_found", nil, sel.Label)
}

func slotList(ts []TokenInfo) string {
	var s []string
	for _, t := range ts {
		s = append(s, fmt.Sprint(t.Slot))
	}
	sort.Strings(s)
	return strings.Join(s, ", ")
}

// tokenAt reads tok's slot afresh. The card there must still be the one
// chosen: a different label means it was swapped.
func (m *Manager) tokenAt(tok TokenInfo) (TokenInfo, error) {
	ts, err := m.Tokens(tok.Module)
	if err != nil {
		return TokenInfo{}, err
	}
	for _, t := range ts {
		if t.Slot == tok.Slot {
			if t.Label != tok.Label {
				return TokenInfo{}, i18n.E("card.token_not_found", nil, tok.Label)
			}
			return t, nil
		}
	}
	return TokenInfo{}, i18n.E("card.removed", nil)
}
