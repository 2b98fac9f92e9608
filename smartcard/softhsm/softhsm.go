// Package softhsm provisions SoftHSM2 tokens: a real PKCS#11 token in a
// folder, for tests and for the demo's software token. It runs
// softhsm2-util and loads the module through crypto11.
package softhsm

import (
	"context"
	"crypto"
	"crypto/elliptic"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/ThalesIgnite/crypto11"
)

// modulePaths are where distributions install libsofthsm2.so.
var modulePaths = []string{
	"/usr/lib/softhsm/libsofthsm2.so",
	"/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
	"/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
	"/usr/local/lib/softhsm/libsofthsm2.so",
	"/opt/homebrew/lib/softhsm/libsofthsm2.so",
}

// FindModule returns the path of the SoftHSM2 PKCS#11 module.
func FindModule() (string, error) {
	for _, p := range modulePaths {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("softhsm: libsofthsm2.so not found (install softhsm2)")
}

// Token is a provisioned SoftHSM token.
type Token struct {
	Module   string
	Label    string
	PIN      string
	SOPIN    string
	ConfPath string // value for SOFTHSM2_CONF
	// Serial, when set, picks the token when several carry the same label.
	Serial string
}

// crypto11Config selects the token by serial when known, else by label.
func (t Token) crypto11Config() *crypto11.Config {
	if t.Serial != "" {
		return &crypto11.Config{Path: t.Module, TokenSerial: t.Serial, Pin: t.PIN}
	}
	return &crypto11.Config{Path: t.Module, TokenLabel: t.Label, Pin: t.PIN}
}

// WriteConfig makes a SoftHSM configuration whose tokens live in dir. The
// module reads SOFTHSM2_CONF when it is initialised, so a process that loads
// it must set that variable first (see Token.ConfPath).
func WriteConfig(dir string) (string, error) {
	tokens := filepath.Join(dir, "tokens")
	if err := os.MkdirAll(tokens, 0o700); err != nil {
		return "", fmt.Errorf("softhsm: %w", err)
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	body := fmt.Sprintf("directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n", tokens)
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		return "", fmt.Errorf("softhsm: %w", err)
	}
	return conf, nil
}

// InitToken creates a token in the configuration's folder.
func InitToken(ctx context.Context, conf, label, soPIN, pin string) (Token, error) {
	module, err := FindModule()
	if err != nil {
		return Token{}, err
	}
	cmd := exec.CommandContext(ctx, "softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", soPIN, "--pin", pin)
	cmd.Env = append(os.Environ(), "SOFTHSM2_CONF="+conf)
	if out, err := cmd.CombinedOutput(); err != nil {
		return Token{}, fmt.Errorf("softhsm2-util --init-token: %w: %s", err, out)
	}
	return Token{Module: module, Label: label, PIN: pin, SOPIN: soPIN, ConfPath: conf}, nil
}

// Delete removes the token and its keys, so a test that made it leaves the
// token directory as it found it.
func (t Token) Delete(ctx context.Context) error {
	which := []string{"--token", t.Label}
	if t.Serial != "" {
		which = []string{"--serial", t.Serial}
	}
	cmd := exec.CommandContext(ctx, "softhsm2-util", append([]string{"--delete-token"}, which...)...)
	cmd.Env = append(os.Environ(), "SOFTHSM2_CONF="+t.ConfPath)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("softhsm2-util --delete-token %s: %w: %s", t.Label, err, out)
	}
	return nil
}

// KeyType selects the key AddKey generates.
type KeyType int

const (
	RSA2048 KeyType = iota
	ECP256
)

// Issue makes the certificate for a public key (a test or demo CA).
type Issue func(pub crypto.PublicKey) (*x509.Certificate, error)

// AddKey generates a key pair on the token and stores the certificate that
// issue makes for it under the same ID and label. SOFTHSM2_CONF must point
// at t.ConfPath in this process.
func (t Token) AddKey(id []byte, label string, kt KeyType, issue Issue) (*x509.Certificate, error) {
	c, err := crypto11.Configure(t.crypto11Config())
	if err != nil {
		return nil, fmt.Errorf("softhsm: open token %s: %w", t.Label, err)
	}
	defer c.Close()
	var signer crypto11.Signer
	switch kt {
	case RSA2048:
		signer, err = c.GenerateRSAKeyPairWithLabel(id, []byte(label), 2048)
	case ECP256:
		signer, err = c.GenerateECDSAKeyPairWithLabel(id, []byte(label), elliptic.P256())
	default:
		err = fmt.Errorf("unknown key type %d", kt)
	}
	if err != nil {
		return nil, fmt.Errorf("softhsm: generate key %s: %w", label, err)
	}
	return storeCertificate(c, signer.Public(), id, label, issue)
}

// AddAlwaysAuthKey generates an RSA-2048 key that needs the PIN before every
// signature (CKA_ALWAYS_AUTHENTICATE), as a qualified signature key on a
// card does, and stores its certificate.
func (t Token) AddAlwaysAuthKey(id []byte, label string, issue Issue) (*x509.Certificate, error) {
	c, err := crypto11.Configure(t.crypto11Config())
	if err != nil {
		return nil, fmt.Errorf("softhsm: open token %s: %w", t.Label, err)
	}
	defer c.Close()
	public, err := crypto11.NewAttributeSetWithIDAndLabel(id, []byte(label))
	if err != nil {
		return nil, err
	}
	private, err := crypto11.NewAttributeSetWithIDAndLabel(id, []byte(label))
	if err != nil {
		return nil, err
	}
	if err := private.Set(crypto11.CkaAlwaysAuthenticate, true); err != nil {
		return nil, err
	}
	signer, err := c.GenerateRSAKeyPairWithAttributes(public, private, 2048)
	if err != nil {
		return nil, fmt.Errorf("softhsm: generate key %s: %w", label, err)
	}
	return storeCertificate(c, signer.Public(), id, label, issue)
}

// storeCertificate issues the certificate for a new key and stores it on
// the token under the key's ID and label.
func storeCertificate(c *crypto11.Context, pub crypto.PublicKey, id []byte, label string, issue Issue) (*x509.Certificate, error) {
	cert, err := issue(pub)
	if err != nil {
		return nil, err
	}
	if err := c.ImportCertificateWithLabel(id, []byte(label), cert); err != nil {
		return nil, fmt.Errorf("softhsm: store certificate %s: %w", label, err)
	}
	return cert, nil
}
