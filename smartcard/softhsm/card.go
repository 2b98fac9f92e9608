package softhsm

import (
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"os"
	"time"

	"pkiodesk/internal/testpki"
)

// Card is a SoftHSM token set up like a PKIoverheid personal card: an
// authentication key (RSA-2048) and a signature key (EC P-256), each with a
// certificate carrying the organisation's OIN.
type Card struct {
	Token
	Auth, Sign *x509.Certificate
	PKI        *testpki.PKI
}

// ProvisionCard makes such a token in the configuration's folder.
// SOFTHSM2_CONF must point at conf in this process.
func ProvisionCard(ctx context.Context, conf, label, pin string, pki *testpki.PKI, who testpki.Person) (Card, error) {
	tok, err := InitToken(ctx, conf, label, "so-"+pin, pin)
	if err != nil {
		return Card{}, err
	}
	c := Card{Token: tok, PKI: pki}
	c.Auth, err = tok.AddKey([]byte{0x01}, "Authenticatie", RSA2048, func(pub crypto.PublicKey) (*x509.Certificate, error) {
		return pki.Personal(pub, who, false)
	})
	if err != nil {
		return Card{}, fmt.Errorf("authentication key: %w", err)
	}
	c.Sign, err = tok.AddKey([]byte{0x02}, "Onweerlegbaarheid", ECP256, func(pub crypto.PublicKey) (*x509.Certificate, error) {
		return pki.Personal(pub, who, true)
	})
	if err != nil {
		return Card{}, fmt.Errorf("signature key: %w", err)
	}
	return c, nil
}

// ProvisionTestCard makes a SoftHSM configuration in dir, points this
// process's SOFTHSM2_CONF at it (the module reads it once per process), and
// provisions a card for who, issued by a new throw-away test PKI.
func ProvisionTestCard(ctx context.Context, dir, label, pin string, who testpki.Person) (Card, error) {
	conf, err := WriteConfig(dir)
	if err != nil {
		return Card{}, err
	}
	if err := os.Setenv("SOFTHSM2_CONF", conf); err != nil {
		return Card{}, err
	}
	pki, err := testpki.New(time.Now())
	if err != nil {
		return Card{}, err
	}
	return ProvisionCard(ctx, conf, label, pin, pki, who)
}
