package cert

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"software.sslmate.com/src/go-pkcs12"

	"pkiodesk/app/i18n"
	"pkiodesk/internal/fixture"
)

// selfSigned makes a key and a certificate for PKCS#12 files with a key.
func selfSigned(t *testing.T) (*ecdsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "api.voorbeeld.nl"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"api.voorbeeld.nl"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return key, c
}

// Notepad saves PEM with a byte order mark; it was refused as damaged.
func TestDecodePEMWithByteOrderMark(t *testing.T) {
	pems := realPEMs(t)
	bundle := bytes.Join(pems[:2], nil)
	utf8BOM := append([]byte{0xEF, 0xBB, 0xBF}, bundle...)
	u := utf16.Encode([]rune(string(bundle)))
	utf16LE := []byte{0xFF, 0xFE}
	for _, r := range u {
		utf16LE = append(utf16LE, byte(r), byte(r>>8))
	}
	for name, data := range map[string][]byte{"UTF-8 BOM": utf8BOM, "UTF-16LE BOM": utf16LE} {
		d, err := Decode(data, "")
		if err != nil || len(d.Certs) != 2 {
			t.Errorf("%s: %d certificates, %v", name, len(d.Certs), err)
		}
	}
}

// Files with only a key, or only a request, say so.
func TestDecodeSaysWhatTheFileHolds(t *testing.T) {
	key, c := selfSigned(t)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(key)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "x"}}, key)
	if err != nil {
		t.Fatal(err)
	}
	csrPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr})
	ecDER, _ := x509.MarshalECPrivateKey(key)
	tests := []struct {
		name string
		data []byte
		key  string
		nl   string
	}{
		{"PEM key", keyPEM, "err.only_private_key", "alleen een privésleutel"},
		{"PEM EC key", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER}), "err.only_private_key", "alleen een privésleutel"},
		{"DER key", pkcs8, "err.only_private_key", "alleen een privésleutel"},
		{"PEM request", csrPEM, "err.only_csr", "certificaataanvraag"},
		{"DER request", csr, "err.only_csr", "certificaataanvraag"},
		{"key and request", append(keyPEM, csrPEM...), "err.no_certificate_but", "privésleutels (1)"},
	}
	for _, tt := range tests {
		_, err := Decode(tt.data, "")
		if !i18n.Is(err, tt.key) || !strings.Contains(i18n.Localize(i18n.NL, err), tt.nl) {
			t.Errorf("%s: %v", tt.name, i18n.Localize(i18n.NL, err))
		}
	}
	// Beside a certificate, a key is counted (and never stored).
	d, err := Decode(append(keyPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...), "")
	if err != nil || len(d.Certs) != 1 || d.PrivateKeys != 1 {
		t.Errorf("key + certificate: %+v %v", d, err)
	}
}

// PKCS#12 as libraries and OpenSSL write it: with and without a key, with
// and without a password, modern (AES) and legacy (RC2/3DES).
func TestDecodePKCS12Variants(t *testing.T) {
	key, leaf := selfSigned(t)
	var chain []*x509.Certificate
	for _, p := range realPEMs(t)[:3] {
		c, err := x509.ParseCertificate(derOf(t, p))
		if err != nil {
			t.Fatal(err)
		}
		chain = append(chain, c)
	}
	type variant struct {
		data             []byte
		password         string
		certs, keys      int
		wrongPasswordErr bool
	}
	variants := map[string]variant{}
	for name, enc := range map[string]*pkcs12.Encoder{"modern": pkcs12.Modern, "legacy RC2": pkcs12.LegacyRC2, "legacy DES": pkcs12.LegacyDES, "modern 2023": pkcs12.Modern2023} {
		data, err := enc.Encode(key, leaf, chain, "geheim")
		if err != nil {
			t.Fatal(err)
		}
		variants["key + chain, "+name] = variant{data, "geheim", 4, 1, true}
	}
	passwordless, err := pkcs12.Passwordless.Encode(key, leaf, chain, "")
	if err != nil {
		t.Fatal(err)
	}
	variants["key + chain, no password"] = variant{passwordless, "", 4, 1, false}
	trust, _ := pkcs12.Modern.EncodeTrustStore(chain, "geheim")
	variants["Java trust store"] = variant{trust, "geheim", 3, 0, true}

	// OpenSSL's certificate-only files (`-nokeys`), modern, legacy and
	// unencrypted.
	openssl := fixture.Program(t, "openssl")
	dir := t.TempDir()
	bundle := filepath.Join(dir, "chain.pem")
	var pemData []byte
	for _, c := range chain {
		pemData = append(pemData, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	os.WriteFile(bundle, pemData, 0o600)
	for name, args := range map[string][]string{
		"openssl -nokeys (AES)":         {"-passout", "pass:geheim"},
		"openssl -nokeys -legacy (RC2)": {"-legacy", "-passout", "pass:geheim"},
		"openssl -nokeys unencrypted":   {"-certpbe", "NONE", "-nomac", "-passout", "pass:"},
		"openssl -nokeys, MAC only":     {"-certpbe", "NONE", "-passout", "pass:"},
	} {
		out := filepath.Join(dir, strings.NewReplacer(" ", "_", "(", "", ")", "", ",", "").Replace(name)+".p12")
		cmd := exec.Command(openssl, append([]string{"pkcs12", "-export", "-nokeys", "-in", bundle, "-out", out}, args...)...)
		if msg, err := cmd.CombinedOutput(); err != nil {
			if strings.Contains(name, "legacy") && strings.Contains(string(msg), "legacy") {
				t.Logf("%s: OpenSSL has no legacy provider here", name)
				continue
			}
			t.Fatalf("%s: %v\n%s", name, err, msg)
		}
		data, _ := os.ReadFile(out)
		pw := "geheim"
		if strings.Contains(name, "unencrypted") || strings.Contains(name, "MAC only") {
			pw = ""
		}
		variants[name] = variant{data, pw, 3, 0, pw != ""}
	}

	for name, v := range variants {
		t.Run(name, func(t *testing.T) {
			d, err := Decode(v.data, v.password)
			if err != nil {
				t.Fatalf("Decode: %v", i18n.Localize(i18n.EN, err))
			}
			if len(d.Certs) != v.certs || d.PrivateKeys != v.keys {
				t.Errorf("%d certificates, %d keys; want %d, %d", len(d.Certs), d.PrivateKeys, v.certs, v.keys)
			}
			if v.wrongPasswordErr {
				if _, err := Decode(v.data, "fout"); !i18n.Is(err, "err.p12_password") {
					t.Errorf("wrong password: %v", err)
				}
				if _, err := Decode(v.data, ""); !i18n.Is(err, "err.p12_password") {
					t.Errorf("no password: %v", err)
				}
			}
		})
	}
}

func FuzzPKCS12(f *testing.F) {
	data, err := pkcs12.LegacyRC2.EncodeTrustStore(nil, "x")
	if err == nil {
		f.Add(data, "x")
	}
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x03}, "")
	f.Fuzz(func(t *testing.T, data []byte, password string) {
		c, err := readPKCS12(data, password)
		if err != nil && (len(c.certs) > 0 || c.keys > 0) {
			t.Fatal("error with contents")
		}
	})
}

// A PKCS#12 file that asks for 2³¹−1 key derivation rounds is refused
// before any round is done, and said as what it is: not "no PKCS#12".
func TestPKCS12WithHostileIterationsIsNamed(t *testing.T) {
	leaf, err := x509.ParseCertificate(derOf(t, realPEMs(t)[0]))
	if err != nil {
		t.Fatal(err)
	}
	trust, err := pkcs12.Modern.EncodeTrustStore([]*x509.Certificate{leaf}, "geheim")
	if err != nil {
		t.Fatal(err)
	}
	var pfx p12Pfx
	if _, err := asn1.Unmarshal(trust, &pfx); err != nil {
		t.Fatal(err)
	}
	pfx.MacData.Iterations = 1<<31 - 1
	hostile, err := asn1.Marshal(pfx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Decode(hostile, "geheim")
	if !i18n.Is(err, "err.p12_iterations") {
		t.Errorf("2³¹−1 rounds: %v", err)
	}
	// The same file with its own round count still reads.
	if _, err := Decode(trust, "geheim"); err != nil {
		t.Errorf("the untouched file: %v", err)
	}
}
