package smartcard

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"testing"

	"github.com/ThalesIgnite/crypto11"
	"github.com/miekg/pkcs11"

	"pkiodesk/app/i18n"
	"pkiodesk/internal/fixture"
)

// A server key made on a token: the CSR is signed on the token, and the
// private key stays there, sensitive and not extractable.
func TestGenerateRSAKeyOnTheToken(t *testing.T) {
	c := needCard(t)
	m := NewManager()
	tok, err := m.Token(c.Module, "PKIo kaart")
	if err != nil {
		t.Fatal(err)
	}
	var csrDER []byte
	p := pin(testPIN)
	id, err := m.GenerateRSAKey(context.Background(), tok, GivenPIN(p), 2048, KeyLabel("Zaaksysteem"), func(key crypto.Signer) error {
		var err error
		csrDER, err = x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
			Subject: pkix.Name{CommonName: "zaken.voorbeeldstad.nl", Organization: []string{"Gemeente Voorbeeldstad"}}, DNSNames: []string{"zaken.voorbeeldstad.nl"},
		}, key)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if string(p) != string(make([]byte, len(p))) {
		t.Error("PIN not wiped")
	}
	csr, err := x509.ParseCertificateRequest(csrDER)
	if err != nil || csr.CheckSignature() != nil {
		t.Fatalf("CSR: %v", err)
	}
	if bits := csr.PublicKey.(*rsa.PublicKey).N.BitLen(); bits != 2048 {
		t.Errorf("%d bits", bits)
	}
	// Look at the key on the token with a session of our own.
	ctx, err := crypto11.Configure(&crypto11.Config{Path: c.Module, TokenLabel: "PKIo kaart", Pin: testPIN})
	if err != nil {
		t.Fatal(err)
	}
	defer ctx.Close()
	key, err := ctx.FindKeyPair(id, nil)
	if err != nil || key == nil {
		t.Fatalf("key %x not on the token: %v", id, err)
	}
	if !key.Public().(*rsa.PublicKey).Equal(csr.PublicKey) {
		t.Error("the CSR's key is not the token's")
	}
	for attr, want := range map[uint]byte{pkcs11.CKA_SENSITIVE: 1, pkcs11.CKA_EXTRACTABLE: 0, pkcs11.CKA_TOKEN: 1} {
		a, err := ctx.GetAttribute(key, attr)
		if err != nil || a == nil || len(a.Value) != 1 || a.Value[0] != want {
			t.Errorf("attribute %#x: %v %v", attr, a, err)
		}
	}
	if label, err := ctx.GetAttribute(key, pkcs11.CKA_LABEL); err != nil || string(label.Value) != "pkiodesk Zaaksysteem" {
		t.Errorf("label %v %v", label, err)
	}
}

// Key generation logs in through the same guard: a locked token gets no
// PIN, an empty PIN is refused before the token sees it, and a wrong PIN
// gets the login's own message.
func TestGenerateRSAKeyPINGuard(t *testing.T) {
	c := needCard(t)
	never := func(crypto.Signer) error { t.Error("key made without a good login"); return nil }
	m := NewManager()
	tok, err := m.Token(c.Module, "PKIo kaart")
	if err != nil {
		t.Fatal(err)
	}
	// The real token reports a locked PIN (its token file says so).
	unlock := func() {
		fixture.SetSoftHSMFlags(t, c.ConfPath, tok.Serial, 0, fixture.FlagUserPINLocked|fixture.FlagUserPINCountLow)
	}
	t.Cleanup(unlock)
	fixture.SetSoftHSMFlags(t, c.ConfPath, tok.Serial, fixture.FlagUserPINLocked, 0)
	locked, err := m.Token(c.Module, "PKIo kaart")
	if err != nil || !locked.PIN.Locked {
		t.Fatalf("token not locked: %v %+v", err, locked.PIN)
	}
	notAsked := func(context.Context, PINRequest) ([]byte, error) {
		t.Error("a locked token's PIN asked")
		return pin(testPIN), nil
	}
	if _, err := m.GenerateRSAKey(context.Background(), locked, notAsked, 2048, "x", never); !i18n.Is(err, "card.pin_locked") {
		t.Errorf("locked: %v", err)
	}
	unlock()
	tok, _ = m.Token(c.Module, "PKIo kaart")
	if _, err := m.GenerateRSAKey(context.Background(), tok, GivenPIN(nil), 2048, "x", never); !i18n.Is(err, "card.pin_empty") {
		t.Errorf("empty PIN: %v", err)
	}
	if _, err := m.GenerateRSAKey(context.Background(), tok, GivenPIN(pin("000000")), 2048, "x", never); !i18n.Is(err, "card.pin_wrong") && !i18n.Is(err, "card.pin_count_low") {
		t.Errorf("wrong PIN: %v", err)
	}
	// A good login afterwards resets SoftHSM's counter for the other tests.
	s, err := loginByLabel(m, c.Module, "PKIo kaart", pin(testPIN))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}
