package softhsm

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"pkiodesk/internal/testpki"
)

// Demo card settings: the login screen shows the PIN, it is a demo.
const (
	DemoLabel = "pkiodesk demo"
	DemoPIN   = "123456"
)

// DemoCard returns the demo token in dir, creating it on first use. The
// caller sets SOFTHSM2_CONF to the returned card's ConfPath before loading
// the module.
func DemoCard(ctx context.Context, dir string) (Token, *x509.Certificate, error) {
	conf := filepath.Join(dir, "softhsm2.conf")
	authFile := filepath.Join(dir, "authenticatie.pem")
	module, err := FindModule()
	if err != nil {
		return Token{}, nil, err
	}
	// A card made before its CA chain was kept is made anew.
	cached := authFile
	if _, err := DemoChain(dir); err != nil {
		cached = ""
	}
	if data, err := os.ReadFile(cached); err == nil {
		if b, _ := pem.Decode(data); b != nil {
			if c, err := x509.ParseCertificate(b.Bytes); err == nil {
				return Token{Module: module, Label: DemoLabel, PIN: DemoPIN, ConfPath: conf}, c, nil
			}
		}
	}
	os.RemoveAll(dir)
	if conf, err = WriteConfig(dir); err != nil {
		return Token{}, nil, err
	}
	if err := os.Setenv("SOFTHSM2_CONF", conf); err != nil {
		return Token{}, nil, err
	}
	pki, err := testpki.New(time.Now())
	if err != nil {
		return Token{}, nil, err
	}
	who := demoPerson()
	card, err := ProvisionCard(ctx, conf, DemoLabel, DemoPIN, pki, who)
	if err != nil {
		return Token{}, nil, fmt.Errorf("demo card: %w", err)
	}
	if card.Auth == nil {
		return Token{}, nil, errors.New("demo card: no authentication certificate")
	}
	if err := writeDemoChain(dir, pki); err != nil {
		return Token{}, nil, err
	}
	if err := os.WriteFile(authFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: card.Auth.Raw}), 0o600); err != nil {
		return Token{}, nil, err
	}
	return card.Token, card.Auth, nil
}
