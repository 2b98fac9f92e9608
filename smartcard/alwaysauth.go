package smartcard

import (
	"context"
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

// alwaysAuthenticate reports whether a key needs the PIN before each
// signature (CKA_ALWAYS_AUTHENTICATE), as a PKIo card's signature key may.
func (s *Session) alwaysAuthenticate(key crypto11.Signer) bool {
	var a *pkcs11.Attribute
	err := s.use(func() error {
		var err error
		a, err = s.c11.GetAttribute(key, pkcs11.CKA_ALWAYS_AUTHENTICATE)
		return err
	})
	return err == nil && a != nil && len(a.Value) == 1 && a.Value[0] != 0
}

// NeedsPINPerSignature reports whether signing with this certificate's key
// asks for the PIN every time.
func (s *Session) NeedsPINPerSignature(tc TokenCertificate) bool {
	return s.alwaysAuthenticate(tc.key)
}

// WithPINPrompt makes a signer for a key with CKA_ALWAYS_AUTHENTICATE: each
// Sign asks for the PIN and logs in for that one operation, through the
// same PIN guard as the first login. crypto11 has no such login, so this
// signs through the module directly, on the token crypto11 opened. ctx
// ends a prompt that waits for the user.
func (k *Signer) WithPINPrompt(ctx context.Context, prompt PINPrompt) *Signer {
	c := *k
	c.prompt, c.promptCtx = prompt, ctx
	return &c
}

// digestInfo are the DER prefixes of a DigestInfo (PKCS#1 v1.5) by hash.
var digestInfo = map[crypto.Hash][]byte{
	crypto.SHA256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
	crypto.SHA384: {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
	crypto.SHA512: {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
}

// pssHash names a hash and its MGF1 for CKM_RSA_PKCS_PSS.
var pssHash = map[crypto.Hash][2]uint{
	crypto.SHA256: {pkcs11.CKM_SHA256, pkcs11.CKG_MGF1_SHA256},
	crypto.SHA384: {pkcs11.CKM_SHA384, pkcs11.CKG_MGF1_SHA384},
	crypto.SHA512: {pkcs11.CKM_SHA512, pkcs11.CKG_MGF1_SHA512},
}

// mechanism returns the raw-signature mechanism and input for a digest.
func mechanism(pub crypto.PublicKey, digest []byte, opts crypto.SignerOpts) (*pkcs11.Mechanism, []byte, error) {
	h := opts.HashFunc()
	prefix, ok := digestInfo[h]
	if !ok || len(digest) != h.Size() {
		return nil, nil, i18n.E("card.sign_hash", nil)
	}
	switch pub.(type) {
	case *rsa.PublicKey:
		if pss, ok := opts.(*rsa.PSSOptions); ok {
			salt := pss.SaltLength
			if salt <= 0 {
				salt = h.Size()
			}
			hm := pssHash[h]
			return pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS_PSS, pkcs11.NewPSSParams(hm[0], hm[1], uint(salt))), digest, nil
		}
		return pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS, nil), append(append([]byte{}, prefix...), digest...), nil
	case *ecdsa.PublicKey:
		return pkcs11.NewMechanism(pkcs11.CKM_ECDSA, nil), digest, nil
	}
	return nil, nil, i18n.E("card.key_type", nil, fmt.Sprintf("%T", pub))
}

// signContextLogin signs with a context-specific login: read the token
// (locked: no prompt, no PIN), ask, check the PIN, look again, then
// C_SignInit, C_Login(CKU_CONTEXT_SPECIFIC) and C_Sign on one session.
func (k *Signer) signContextLogin(digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	s := k.s
	mech, data, err := mechanism(k.key.Public(), digest, opts)
	if err != nil {
		return nil, err
	}
	var id *pkcs11.Attribute
	var shown TokenInfo
	var present bool
	if err := s.use(func() error {
		var err error
		if id, err = s.c11.GetAttribute(k.key, pkcs11.CKA_ID); err != nil {
			return i18n.E("card.sign_failed", err)
		}
		shown, present = readToken(s.p, s.token.Module, s.token.Slot)
		return nil
	}); err != nil {
		return nil, err
	}
	if !present {
		return nil, i18n.E("card.removed", nil)
	}
	ctx := k.promptCtx
	if ctx == nil {
		ctx = context.Background()
	}
	// No lock while the user types: pulling the card must end the session
	// at once.
	pin, err := askPIN(ctx, shown, true, k.prompt)
	defer wipe(pin)
	if err != nil {
		return nil, err
	}
	var sig []byte
	err = s.use(func() error {
		now, present := readToken(s.p, shown.Module, shown.Slot)
		if err := stillSafe(shown, now, present); err != nil {
			return err
		}
		sh, err := s.p.OpenSession(shown.Slot, pkcs11.CKF_SERIAL_SESSION)
		if err != nil {
			return loginError(s.p, shown, err)
		}
		defer s.p.CloseSession(sh)
		if err := s.p.FindObjectsInit(sh, []*pkcs11.Attribute{
			pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PRIVATE_KEY), pkcs11.NewAttribute(pkcs11.CKA_ID, id.Value),
		}); err != nil {
			return i18n.E("card.sign_failed", err)
		}
		objs, _, err := s.p.FindObjects(sh, 1)
		s.p.FindObjectsFinal(sh)
		if err != nil || len(objs) == 0 {
			return i18n.E("card.no_key", err, fmt.Sprintf("%x", id.Value))
		}
		if err := s.p.SignInit(sh, []*pkcs11.Mechanism{mech}, objs[0]); err != nil {
			return i18n.E("card.sign_failed", err)
		}
		err = login(shown.Module, sh, pkcs11.CKU_CONTEXT_SPECIFIC, pin)
		wipe(pin)
		if err != nil {
			return loginError(s.p, shown, err)
		}
		if sig, err = s.p.Sign(sh, data); err != nil {
			return i18n.E("card.sign_failed", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
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
