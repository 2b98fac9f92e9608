package pdfseal

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
	"testing"
	"time"

	"pkiodesk/app/i18n"
)

// miniCA issues certificates with any key usage and validity, which the
// shared test PKI does not.
type miniCA struct {
	root *x509.Certificate
	key  crypto.Signer
}

func newMiniCA(t testing.TB) miniCA {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pdfseal test root"},
		NotBefore: testNow.AddDate(-5, 0, 0), NotAfter: testNow.AddDate(5, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := x509.ParseCertificate(der)
	return miniCA{root: root, key: key}
}

// issue makes a certificate from tmpl for a new key.
func (ca miniCA) issue(t testing.TB, tmpl *x509.Certificate) softSigner {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.root, key.Public(), ca.key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return softSigner{key: key, chain: []*x509.Certificate{c, ca.root}}
}

// Defects 4 and 6: a certificate that may not sign, or is not valid now,
// is refused for sealing (with the reason) and reported when verifying.
func TestUnusableCertificates(t *testing.T) {
	ca := newMiniCA(t)
	nss := nssTrusting(t, ca.root)
	doc := drawDoc(t, OrderNew)
	valid := func(ku x509.KeyUsage, isCA bool) *x509.Certificate {
		return &x509.Certificate{Subject: pkix.Name{CommonName: "Zegel"}, NotBefore: testNow.AddDate(0, -1, 0), NotAfter: testNow.AddDate(1, 0, 0),
			KeyUsage: ku, IsCA: isCA, BasicConstraintsValid: true}
	}
	expired := valid(x509.KeyUsageDigitalSignature, false)
	expired.NotBefore, expired.NotAfter = testNow.AddDate(-1, 0, 0), testNow.AddDate(0, -1, 0)
	future := valid(x509.KeyUsageDigitalSignature, false)
	future.NotBefore = testNow.AddDate(0, 1, 0)
	cases := []struct {
		name   string
		tmpl   *x509.Certificate
		code   string
		reason string // in the Dutch refusal
		// pdfsigTrusts: pdfsig (poppler 22) does not object to a CA
		// certificate that also has digitalSignature; pkiodesk does.
		pdfsigTrusts bool
	}{
		{"only keyEncipherment", valid(x509.KeyUsageKeyEncipherment, false), "cert_key_usage", "sleutelgebruik: keyEncipherment", false},
		{"CA certificate", valid(x509.KeyUsageCertSign|x509.KeyUsageCRLSign, true), "cert_is_ca", "CA-certificaat", false},
		{"CA certificate that also signs", valid(x509.KeyUsageCertSign|x509.KeyUsageDigitalSignature, true), "cert_is_ca", "CA-certificaat", true},
		{"expired", expired, "cert_expired", "verlopen op", false},
		{"not yet valid", future, "cert_not_yet_valid", "pas geldig vanaf", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := ca.issue(t, c.tmpl)
			_, err := Seal(t.Context(), doc, SealOptions{Signer: s.key, Chain: s.chain, Time: testNow})
			if msg := i18n.Localize(i18n.NL, err); !i18n.Is(err, "pdf.err.cert_unusable") || !strings.Contains(msg, c.reason) {
				t.Errorf("sealing: %q", msg)
			}
			sealed := sealDoc(t, doc, s, false, sealInternals{skipCertCheck: true})
			keep(t, "sealed", sealed)
			rep, err := Verify(t.Context(), sealed, VerifyOptions{Roots: rootPool(ca.root), Now: testClock})
			if err != nil || rep.OK() || !hasProblem(rep.Signatures[0], c.code) {
				t.Errorf("Verify: %v %+v", err, rep)
			}
			if res := pdfsig(t, nss, sealed); strings.Contains(res.out, "Certificate is Trusted.") != c.pdfsigTrusts {
				t.Errorf("pdfsig:\n%s", res.out)
			}
		})
	}
}

// Defect 4: a seal made with a certificate that has expired, its time
// back-dated into the certificate's life, is checked at the current time.
func TestBackdatedSealWithExpiredCertificate(t *testing.T) {
	ca := newMiniCA(t)
	tmpl := &x509.Certificate{Subject: pkix.Name{CommonName: "Verlopen Zegel"}, NotBefore: testNow.AddDate(-1, 0, 0), NotAfter: testNow.AddDate(0, -1, 0),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment, BasicConstraintsValid: true}
	s := ca.issue(t, tmpl)
	backdated, err := Seal(t.Context(), drawDoc(t, OrderNew), SealOptions{Signer: s.key, Chain: s.chain, Time: testNow.AddDate(0, -2, 0)})
	if err != nil {
		t.Fatalf("sealing at a time the certificate was valid: %v", err)
	}
	keep(t, "backdated", backdated)
	rep, err := Verify(t.Context(), backdated, VerifyOptions{Roots: rootPool(ca.root), Now: testClock})
	if err != nil {
		t.Fatal(err)
	}
	sig := rep.Signatures[0]
	if rep.OK() || sig.Trusted == nil || *sig.Trusted || !hasProblem(sig, "cert_expired") || !sig.ValidationTime.Equal(testClock()) || sig.TimeSource != TimeNow {
		t.Errorf("the back-dated seal was trusted: %+v", sig)
	}
	if !sig.ClaimedTime.Equal(testNow.AddDate(0, -2, 0)) {
		t.Errorf("claimed time %v", sig.ClaimedTime)
	}
	if res := pdfsig(t, nssTrusting(t, ca.root), backdated); strings.Contains(res.out, "Certificate is Trusted.") {
		t.Errorf("pdfsig:\n%s", res.out)
	}
}
