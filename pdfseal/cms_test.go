package pdfseal

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"strings"
	"testing"
)

// Defect 5: the digest the SignerInfo declares is the one used, within
// the allowed set; signing-certificate-v2 is checked with its own hash.
func TestDigestAlgorithms(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	pki := newTestPKI(t)
	nss := nssTrusting(t, pki.Root)
	doc := drawDoc(t, OrderNew)
	cases := []struct {
		name string
		key  crypto.Signer
		hash crypto.Hash
		pss  bool
		ess  crypto.Hash
	}{
		{"RSA SHA-384", rsaKey, crypto.SHA384, false, 0},
		{"RSA SHA-512", rsaKey, crypto.SHA512, false, 0},
		{"RSA-PSS SHA-512", rsaKey, crypto.SHA512, true, 0},
		{"ECDSA P-384 SHA-384", ecKey, crypto.SHA384, false, 0},
		{"SHA-256 with ESS hash SHA-512", ecKey, crypto.SHA256, false, crypto.SHA512},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			chain := pki.chain(pki.issue(t, c.key.Public(), "Zegel "+c.name))
			sealed, err := seal(t.Context(), doc, SealOptions{Signer: c.key, Chain: chain, Time: testNow, Hash: c.hash, RSAPSS: c.pss}, sealInternals{co: cmsOptions{essHash: c.ess}})
			if err != nil {
				t.Fatal(err)
			}
			keep(t, "sealed", sealed)
			rep, err := Verify(t.Context(), sealed, VerifyOptions{Roots: rootPool(pki.Root), Now: testClock})
			if err != nil || !rep.OK() || rep.Signatures[0].Digest != c.hash {
				t.Errorf("Verify: %v %+v", err, rep)
			}
			res := pdfsig(t, nss, sealed)
			want := "Signing Hash Algorithm: " + c.hash.String()
			if !strings.Contains(res.out, "Signature is Valid.") || !strings.Contains(res.out, want) {
				t.Errorf("pdfsig lacks %q:\n%s", want, res.out)
			}
		})
	}
}

// replaceInCMS changes bytes inside the newest signature's CMS (which
// lies outside the signed bytes): the last occurrence of old.
func replaceInCMS(t *testing.T, sealed, old, new []byte) []byte {
	t.Helper()
	s := newestSignature(t, sealed)
	i := bytes.LastIndex(s.cms, old)
	if i < 0 {
		t.Fatal("bytes not found in the CMS")
	}
	cms := bytes.Clone(s.cms)
	copy(cms[i:], new)
	out := bytes.Clone(sealed)
	hex.Encode(out[s.a+1:], cms)
	return out
}

func TestDeclaredDigestIsUsed(t *testing.T) {
	a := newSoftSigner(t, "Zegel")
	sealed := sealDoc(t, drawDoc(t, OrderNew), a, false, sealInternals{})
	sha256OID := []byte{0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01}
	for name, last := range map[string]byte{"SHA-512 declared": 0x03, "SHA-224 declared": 0x04} {
		t.Run(name, func(t *testing.T) {
			oid := bytes.Clone(sha256OID)
			oid[len(oid)-1] = last
			// The SignerInfo's digestAlgorithm is the last SHA-256 OID.
			bad := replaceInCMS(t, sealed, sha256OID, oid)
			keep(t, "digest", bad)
			rep, err := Verify(t.Context(), bad, VerifyOptions{Now: testClock})
			if err != nil || rep.OK() || rep.Signatures[0].Intact {
				t.Errorf("a changed digest algorithm passed: %v %+v", err, rep)
			}
			if res := pdfsig(t, "", bad); strings.Contains(res.out, "Signature is Valid.") {
				t.Errorf("pdfsig:\n%s", res.out)
			}
		})
	}
}

func TestSigningCertificateV2(t *testing.T) {
	a := newSoftSigner(t, "Zegel")
	other := newSoftSigner(t, "Ander")
	doc := drawDoc(t, OrderNew)
	cases := map[string]struct {
		co   cmsOptions
		code string
	}{
		"names another certificate": {cmsOptions{essCert: other.chain[0]}, "ess_mismatch"},
		"hash SHA-1 in v2":          {cmsOptions{essHash: crypto.SHA1}, "digest_not_allowed"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			sealed := sealDoc(t, doc, a, false, sealInternals{co: c.co})
			keep(t, "ess", sealed)
			rep, err := Verify(t.Context(), sealed, VerifyOptions{Now: testClock})
			if err != nil || rep.OK() || rep.Signatures[0].Intact || !hasProblem(rep.Signatures[0], c.code) {
				t.Errorf("Verify: %v %+v", err, rep)
			}
			// pdfsig does not check signing-certificate-v2: it cannot judge.
			t.Logf("pdfsig:\n%s", pdfsig(t, "", sealed).out)
		})
	}
}
