package smartcard

import (
	"context"
	"crypto"
	"crypto/rand"
	"fmt"

	"github.com/ThalesIgnite/crypto11"

	"pkiodesk/app/i18n"
)

// GenerateRSAKey makes an RSA key pair on a token, for a server
// certificate's CSR: the private key is made on the token, marked sensitive
// and not extractable (crypto11's defaults), and never leaves it. use gets
// a crypto.Signer for the new key while the token is logged in (to sign the
// CSR); afterwards the token is logged out. It returns the key's CKA_ID.
//
// The login takes the same guard as LoginToken: the PIN state is read
// first, a locked token gets no PIN, a wrong PIN is not retried, and pin is
// wiped whatever happens. A token for server keys (an HSM) holds no
// certificate yet, so this does not ask for one.
func (m *Manager) GenerateRSAKey(ctx context.Context, tok TokenInfo, pin []byte, bits int, label string, use func(crypto.Signer) error) ([]byte, error) {
	defer wipe(pin)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now, err := m.tokenAt(tok)
	if err != nil {
		return nil, err
	}
	if now.PIN.Locked {
		return nil, i18n.E("card.pin_locked", nil)
	}
	if len(pin) == 0 && !now.PIN.PINPad {
		return nil, i18n.E("card.pin_empty", nil)
	}
	slot := int(now.Slot)
	c, err := crypto11.Configure(&crypto11.Config{Path: now.Module, SlotNumber: &slot, Pin: string(pin)})
	if err != nil {
		return nil, m.loginError(now, err)
	}
	m.mu.Lock()
	m.loaded[now.Module]++
	m.mu.Unlock()
	defer func() {
		c.Close()
		m.mu.Lock()
		m.loaded[now.Module]--
		m.mu.Unlock()
	}()
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return nil, err
	}
	key, err := c.GenerateRSAKeyPairWithLabel(id, []byte(label), bits)
	if err != nil {
		return nil, i18n.E("keygen.token_failed", err)
	}
	if err := use(key); err != nil {
		return nil, err
	}
	return id, nil
}

// KeyLabel is the label pkiodesk gives a key it makes for a service.
func KeyLabel(service string) string {
	if service == "" {
		return "pkiodesk"
	}
	return fmt.Sprintf("pkiodesk %s", service)
}
