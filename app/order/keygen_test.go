package order

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"pkiodesk/app/i18n"
	"pkiodesk/internal/fixture"
)

func keyRequest() KeyRequest {
	return KeyRequest{Profile: LintPKIoG4, Bits: 2048, Org: Snapshot(testOrg), FQDNs: testFQDNs}
}

// The software key: a CSR that lints clean, and a key file that OpenSSL
// (an independent reader) decrypts with the passphrase, and only with it,
// and that says AES-256-CBC with PBKDF2.
func TestSoftwareKeyIsEncryptedPKCS8(t *testing.T) {
	openssl := fixture.Program(t, "openssl")
	pass := []byte("correct horse battery")
	if _, _, err := SoftwareKey(keyRequest(), []byte("kort")); !i18n.Is(err, "keygen.passphrase_short") {
		t.Errorf("short passphrase: %v", err)
	}
	keyPEM, csrPEM, err := SoftwareKey(keyRequest(), pass)
	if err != nil {
		t.Fatal(err)
	}
	o := testOrg
	csr, err := ParseCSR(csrPEM)
	if err != nil {
		t.Fatal(err)
	}
	if fs := Lint(csr, LintInput{Profile: LintPKIoG4, Org: &o, FQDNs: testFQDNs}); len(fs) != 0 {
		t.Errorf("findings on pkiodesk's own CSR: %v", keys(fs))
	}
	if block, _ := pem.Decode(keyPEM); block == nil || block.Type != "ENCRYPTED PRIVATE KEY" {
		t.Fatalf("key file %.40q", keyPEM)
	}
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "zaken.key")
	if err := WriteNewFile(keyFile, keyPEM); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(keyFile); fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v", fi.Mode())
	}
	if err := WriteNewFile(keyFile, []byte("other")); !i18n.Is(err, "keygen.file_exists") {
		t.Errorf("overwrite: %v", err)
	}
	if got, _ := os.ReadFile(keyFile); string(got) != string(keyPEM) {
		t.Error("key file changed by a refused write")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".pkiodesk-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	parse, err := exec.Command(openssl, "asn1parse", "-in", keyFile).CombinedOutput()
	if err != nil || !strings.Contains(string(parse), "aes-256-cbc") || !strings.Contains(string(parse), "PBKDF2") || !strings.Contains(string(parse), "hmacWithSHA256") {
		t.Errorf("asn1parse: %v\n%s", err, parse)
	}
	pub, err := exec.Command(openssl, "pkey", "-in", keyFile, "-passin", "pass:"+string(pass), "-pubout").CombinedOutput()
	if err != nil {
		t.Fatalf("openssl cannot decrypt: %v %s", err, pub)
	}
	block, _ := pem.Decode(pub)
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil || !k.(interface{ Equal(crypto.PublicKey) bool }).Equal(csr.PublicKey) {
		t.Errorf("decrypted key does not belong to the CSR: %v", err)
	}
	if out, err := exec.Command(openssl, "pkey", "-in", keyFile, "-passin", "pass:wrong passphrase").CombinedOutput(); err == nil {
		t.Errorf("wrong passphrase accepted: %s", out)
	}
}

// The `openssl req` command shown to admins makes a CSR that lints clean,
// also for an organisation name with characters a shell or -subj would
// otherwise split on.
func TestOpenSSLCommandMakesTheSameCSR(t *testing.T) {
	openssl := fixture.Program(t, "openssl")
	req := keyRequest()
	req.Org.Name = "Gemeente 's-Hertogenbosch / Dienst A+B"
	dir := t.TempDir()
	args := OpenSSLArgs(req, filepath.Join(dir, "k.key"), filepath.Join(dir, "r.csr"))
	if args[0] != "openssl" {
		t.Fatal(args)
	}
	out, err := exec.Command(openssl, append(args[1:], "-passout", "pass:test passphrase 123")...).CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s\n%s", err, out, OpenSSLCommand(req, "k.key", "r.csr"))
	}
	// The shell form runs too.
	shell := OpenSSLCommand(req, filepath.Join(dir, "k2.key"), filepath.Join(dir, "r2.csr")) + " -passout pass:x12345678901"
	if out, err := exec.Command("sh", "-c", shell).CombinedOutput(); err != nil {
		t.Fatalf("shell: %v %s\n%s", err, out, shell)
	}
	for _, f := range []string{"r.csr", "r2.csr"} {
		data, _ := os.ReadFile(filepath.Join(dir, f))
		csr, err := ParseCSR(data)
		if err != nil {
			t.Fatal(err)
		}
		o := testOrg
		o.Name = req.Org.Name
		if fs := Lint(csr, LintInput{Profile: LintPKIoG4, Org: &o, FQDNs: testFQDNs}); len(fs) != 0 {
			t.Errorf("%s: findings %v (subject %s)", f, keys(fs), csr.Subject)
		}
	}
}

func TestCertreqINF(t *testing.T) {
	req := keyRequest()
	req.Org.Name = `Gemeente "Noord", Zuid`
	inf := CertreqINF(req)
	for _, want := range []string{
		"[NewRequest]", "KeyLength = 2048", "KeyAlgorithm = RSA", "Exportable = FALSE", "MachineKeySet = TRUE", "RequestType = PKCS10",
		`Subject = "CN=zaken.voorbeeldstad.nl, OID.2.5.4.97=NTRNL-12345678, SERIALNUMBER=00000001002220647000, O=""Gemeente """"Noord"""", Zuid"", C=NL"`,
		`_continue_ = "dns=zaken.voorbeeldstad.nl&"`, `_continue_ = "dns=api.voorbeeldstad.nl&"`, "2.5.29.17",
	} {
		if !strings.Contains(inf, want) {
			t.Errorf("INF lacks %q:\n%s", want, inf)
		}
	}
	if !strings.Contains(inf, "\r\n") {
		t.Error("certreq reads Windows line ends")
	}
}

func TestKeyRequestFollowsTheProfile(t *testing.T) {
	req := keyRequest()
	req.Profile = LintPKIoG4Trial // 3072 and 4096 only
	if _, _, err := SoftwareKey(req, []byte("a long enough passphrase")); !i18n.Is(err, "keygen.bits") {
		t.Errorf("2048 on trial: %v", err)
	}
	req = keyRequest()
	req.Profile = LintCertSIGNOV
	if s := req.subject(); s.SerialNumber != "" || len(s.ExtraNames) != 0 {
		t.Errorf("certSIGN subject %v", s)
	}
	req.FQDNs = nil
	if _, _, err := SoftwareKey(req, []byte("a long enough passphrase")); !i18n.Is(err, "order.field.fqdns_empty") {
		t.Errorf("no FQDNs: %v", err)
	}
}
