package smartcard

import (
	"context"
	"crypto"
	"crypto/rand"
	"fmt"
	"io"

	"github.com/ThalesIgnite/crypto11"

	"pkiodesk/app/i18n"
)

// GenerateRSAKey makes an RSA key pair on a token, for a server
// certificate's CSR: the private key is made on the token, marked sensitive
// and not extractable (crypto11's defaults), and never leaves it. use gets
// a crypto.Signer for the new key while the token is logged in (to sign the
// CSR); afterwards the token is logged out. It returns the key's CKA_ID.
//
// The login is the one every login takes (loggedIn: askPIN, stillSafe): a
// locked token is never asked or sent a PIN, the PIN is wiped after
// C_Login. A token for server keys (an HSM) holds no certificate yet, so
// this does not ask for one.
func (m *Manager) GenerateRSAKey(ctx context.Context, tok TokenInfo, prompt PINPrompt, bits int, label string, use func(crypto.Signer) error) ([]byte, error) {
	s, err := m.loggedIn(ctx, tok, prompt)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return nil, err
	}
	var key crypto11.Signer
	if err := s.use(func() error {
		var err error
		key, err = s.c11.GenerateRSAKeyPairWithLabel(id, []byte(label), bits)
		return err
	}); err != nil {
		return nil, i18n.E("keygen.token_failed", err)
	}
	if err := use(sessionKey{s: s, key: key}); err != nil {
		return nil, err
	}
	return id, nil
}

// sessionKey signs with a key of a session while the module is held open.
type sessionKey struct {
	s   *Session
	key crypto11.Signer
}

func (k sessionKey) Public() crypto.PublicKey { return k.key.Public() }

func (k sessionKey) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	var sig []byte
	err := k.s.use(func() error {
		var err error
		sig, err = k.key.Sign(r, digest, opts)
		return err
	})
	return sig, err
}

// KeyLabel is the label pkiodesk gives a key it makes for a service.
func KeyLabel(service string) string {
	if service == "" {
		return "pkiodesk"
	}
	return fmt.Sprintf("pkiodesk %s", service)
}
