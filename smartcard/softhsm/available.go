package softhsm

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"os/exec"
	"time"

	"pkiodesk/internal/testpki"
)

// Available reports whether the demo's software token can be made here:
// the SoftHSM2 module and softhsm2-util are both installed. On Windows they
// mostly are not; the demo then opens without its token.
func Available() error {
	if _, err := FindModule(); err != nil {
		return err
	}
	_, err := exec.LookPath("softhsm2-util")
	return err
}

// DemoHolder is the demo administrator's authentication certificate for a
// demo without a token, and its CA chain: they fill the demo organisation,
// and with no key on any token nobody can log in with it.
func DemoHolder(now time.Time) (*x509.Certificate, []*x509.Certificate, error) {
	pki, err := testpki.New(now)
	if err != nil {
		return nil, nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	c, err := pki.Personal(&key.PublicKey, demoPerson(), false)
	if err != nil {
		return nil, nil, err
	}
	return c, []*x509.Certificate{pki.Issuer, pki.Root}, nil
}

// demoPerson is the demo's administrator.
func demoPerson() testpki.Person {
	return testpki.Person{GivenName: "Anouk", Surname: "Visser", Email: "a.visser@voorbeeldstad.nl", Organization: "Gemeente Voorbeeldstad", Number: "DEMO-000001"}
}
