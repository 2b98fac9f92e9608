package cli

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"pkiodesk/internal/fixture"
)

// csr lint, with a CSR OpenSSL made: exit 0 when it fits, 1 with one line
// per finding when it does not, 2 when the file is no CSR.
func TestCSRLint(t *testing.T) {
	openssl := fixture.Program(t, "openssl")
	dir := t.TempDir()
	csr := filepath.Join(dir, "zaken.csr")
	out, err := exec.Command(openssl, "req", "-new", "-newkey", "rsa:2048", "-noenc", "-keyout", filepath.Join(dir, "k"), "-out", csr,
		"-subj", "/C=NL/O=Gemeente Voorbeeldstad/serialNumber=00000001002220647000/organizationIdentifier=NTRNL-12345678/CN=zaken.voorbeeldstad.nl",
		"-addext", "subjectAltName=DNS:zaken.voorbeeldstad.nl,DNS:*.voorbeeldstad.nl").CombinedOutput()
	if err != nil {
		t.Fatalf("%v %s", err, out)
	}
	org := []string{"--org", "Gemeente Voorbeeldstad", "--oin", "00000001002220647000", "--kvk", "12345678", "--db", filepath.Join(dir, "geen.db")}
	// certSIGN OV allows the wildcard and does not look at the OIN.
	r := run(t, "nl_NL.UTF-8", append([]string{"csr", "lint", csr, "--fqdn", "zaken.voorbeeldstad.nl,*.voorbeeldstad.nl", "--profile", "certsign-ov"}, org...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "geen bevindingen") {
		t.Errorf("certSIGN OV: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, "nl_NL.UTF-8", append([]string{"csr", "lint", csr, "--fqdn", "zaken.voorbeeldstad.nl", "--fqdn", "api.voorbeeldstad.nl"}, org...)...)
	want := []string{
		"fout: wildcard *.voorbeeldstad.nl: niet toegestaan voor PKIoverheid",
		"fout: FQDN api.voorbeeldstad.nl is aangevraagd maar staat niet in de CSR",
		"fout: de CSR bevat *.voorbeeldstad.nl, dat niet is aangevraagd",
		"3 fouten, 0 waarschuwingen",
	}
	for _, w := range want {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("lacks %q", w)
		}
	}
	if r.code != 1 {
		t.Errorf("exit %d with errors\n%s", r.code, r.stdout)
	}
	r = run(t, "en_GB.UTF-8", "csr", "lint", csr, "--db", filepath.Join(dir, "geen.db"))
	if r.code != 1 || !strings.Contains(r.stdout, "warning: no organisation known") || !strings.Contains(r.stdout, "warning: no FQDNs given") {
		t.Errorf("without organisation: %d\n%s", r.code, r.stdout)
	}
	r = run(t, "nl_NL.UTF-8", "csr", "lint", filepath.Join(dir, "k"), "--db", filepath.Join(dir, "geen.db"))
	if r.code != 2 || !strings.Contains(r.stderr, "dit is een privésleutel, geen CSR") {
		t.Errorf("private key: %d %s", r.code, r.stderr)
	}
	r = run(t, "nl_NL.UTF-8", "csr", "lint", csr, "--profile", "g5")
	if r.code != 2 || !strings.Contains(r.stderr, `onbekend profiel "g5"`) {
		t.Errorf("unknown profile: %d %s", r.code, r.stderr)
	}
}

// --oin or --kvk without --org checks the subject too (the name then
// missing fails), and --fqdn must be a host name.
func TestCSRLintChecksWhatIsGiven(t *testing.T) {
	openssl := fixture.Program(t, "openssl")
	dir := t.TempDir()
	csr := filepath.Join(dir, "zaken.csr")
	out, err := exec.Command(openssl, "req", "-new", "-newkey", "rsa:2048", "-noenc", "-keyout", filepath.Join(dir, "k"), "-out", csr,
		"-subj", "/C=NL/O=Gemeente Voorbeeldstad/serialNumber=00000001002220647000/organizationIdentifier=NTRNL-12345678/CN=zaken.voorbeeldstad.nl",
		"-addext", "subjectAltName=DNS:zaken.voorbeeldstad.nl").CombinedOutput()
	if err != nil {
		t.Fatalf("%v %s", err, out)
	}
	db := filepath.Join(dir, "geen.db")
	r := run(t, "nl_NL.UTF-8", "csr", "lint", csr, "--db", db, "--oin", "11111111111111111111", "--fqdn", "zaken.voorbeeldstad.nl")
	if r.code != 1 || !strings.Contains(r.stdout, "11111111111111111111") {
		t.Errorf("--oin alone: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, "nl_NL.UTF-8", "csr", "lint", csr, "--db", db, "--kvk", "99999999", "--fqdn", "zaken.voorbeeldstad.nl")
	if r.code != 1 || !strings.Contains(r.stdout, "NTRNL-99999999") {
		t.Errorf("--kvk alone: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, bad := range []string{"10.0.0.1", "intranet", "under_score.voorbeeldstad.nl"} {
		r = run(t, "nl_NL.UTF-8", "csr", "lint", csr, "--db", db, "--fqdn", bad)
		if r.code != 2 || r.stderr == "" {
			t.Errorf("--fqdn %s: exit %d\n%s%s", bad, r.code, r.stdout, r.stderr)
		}
	}
}
