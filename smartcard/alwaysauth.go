package smartcard

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	"github.com/ThalesIgnite/crypto11"
	"github.com/miekg/pkcs11"

	"pkiodesk/app/i18n"
)

// PINPrompt asks the user for the PIN again; the signer wipes the result.
type PINPrompt func() ([]byte, error)

// alwaysAuthenticate reports whether a key needs the PIN before each
// signature (CKA_ALWAYS_AUTHENTICATE), as a PKIo card's signature key may.
func (s *Session) alwaysAuthenticate(key crypto11.Signer) bool {
	a, err := s.ctx.GetAttribute(key, pkcs11.CKA_ALWAYS_AUTHENTICATE)
	return err == nil && a != nil && len(a.Value) == 1 && a.Value[0] != 0
}

// NeedsPINPerSignature reports whether signing with this certificate's key
// asks for the PIN every time.
func (s *Session) NeedsPINPerSignature(tc TokenCertificate) bool {
	return s.alwaysAuthenticate(tc.key)
}

// WithPINPrompt makes a signer for a key with CKA_ALWAYS_AUTHENTICATE: each
// Sign asks for the PIN and logs in for that one operation. crypto11 has no
// such login, so this signs through the module directly, on the session
// crypto11's login opened.
func (k *Signer) WithPINPrompt(prompt PINPrompt) *Signer {
	c := *k
	c.prompt = prompt
	return &c
}

// digestInfoSHA256 is the DER prefix of a SHA-256 DigestInfo (PKCS#1 v1.5).
var digestInfoSHA256 = []byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}

func (k *Signer) signContextLogin(digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if opts.HashFunc() != crypto.SHA256 || len(digest) != 32 {
		return nil, errors.New("context-specific signing supports SHA-256 only")
	}
	id, err := k.s.ctx.GetAttribute(k.key, pkcs11.CKA_ID)
	if err != nil {
		return nil, i18n.E("card.sign_failed", err)
	}
	var mech *pkcs11.Mechanism
	data := digest
	switch k.key.Public().(type) {
	case *rsa.PublicKey:
		if pss, ok := opts.(*rsa.PSSOptions); ok {
			salt := pss.SaltLength
			if salt <= 0 {
				salt = 32
			}
			mech = pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS_PSS, pkcs11.NewPSSParams(pkcs11.CKM_SHA256, pkcs11.CKG_MGF1_SHA256, uint(salt)))
		} else {
			mech = pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS, nil)
			data = append(append([]byte{}, digestInfoSHA256...), digest...)
		}
	case *ecdsa.PublicKey:
		mech = pkcs11.NewMechanism(pkcs11.CKM_ECDSA, nil)
	default:
		return nil, fmt.Errorf("unsupported key %T", k.key.Public())
	}

	p := pkcs11.New(k.s.module)
	if p == nil {
		return nil, i18n.E("card.module_missing", nil, k.s.module)
	}
	defer p.Destroy() // the module stays initialised: crypto11's login holds it
	sh, err := p.OpenSession(k.s.token.Slot, pkcs11.CKF_SERIAL_SESSION)
	if err != nil {
		return nil, k.s.m.loginError(k.s.token, err)
	}
	defer p.CloseSession(sh)
	if err := p.FindObjectsInit(sh, []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PRIVATE_KEY), pkcs11.NewAttribute(pkcs11.CKA_ID, id.Value),
	}); err != nil {
		return nil, i18n.E("card.sign_failed", err)
	}
	objs, _, err := p.FindObjects(sh, 1)
	p.FindObjectsFinal(sh)
	if err != nil || len(objs) == 0 {
		return nil, i18n.E("card.no_key", err, fmt.Sprintf("%x", id.Value))
	}
	if err := p.SignInit(sh, []*pkcs11.Mechanism{mech}, objs[0]); err != nil {
		return nil, i18n.E("card.sign_failed", err)
	}
	pin, err := k.prompt()
	if err != nil {
		return nil, err
	}
	err = p.Login(sh, pkcs11.CKU_CONTEXT_SPECIFIC, string(pin))
	wipe(pin)
	if err != nil {
		return nil, k.s.m.loginError(k.s.token, err)
	}
	sig, err := p.Sign(sh, data)
	if err != nil {
		return nil, i18n.E("card.sign_failed", err)
	}
	if _, ok := k.key.Public().(*ecdsa.PublicKey); ok {
		return ecdsaASN1(sig)
	}
	return sig, nil
}

// ecdsaASN1 turns PKCS#11's r||s into the ASN.1 form crypto.Signer returns.
func ecdsaASN1(raw []byte) ([]byte, error) {
	if len(raw)%2 != 0 || len(raw) == 0 {
		return nil, errors.New("malformed ECDSA signature from the card")
	}
	n := len(raw) / 2
	return asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(raw[:n]), new(big.Int).SetBytes(raw[n:])})
}
