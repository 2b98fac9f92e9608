package cli

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/internal/brptest"
	"pkiodesk/smartcard/softhsm"
)

// runWithFDs runs a command with the given lines on inherited file
// descriptors (3: PIN, 4: client secret).
func runWithFDs(t *testing.T, lang string, fds map[int]string, args ...string) result {
	t.Helper()
	files := map[int]*os.File{}
	for fd, line := range fds {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		w.WriteString(line + "\n")
		w.Close()
		defer r.Close()
		files[fd] = r
	}
	var out, errb bytes.Buffer
	env := Env{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Now: func() time.Time { return testNow },
		Getenv:     func(k string) string { return map[string]string{"LANG": lang}[k] },
		ExtraFiles: func(fd int) *os.File { return files[fd] },
	}
	code := Run(context.Background(), args, env)
	return result{code, out.String(), errb.String()}
}

func writeCertsPEM(t *testing.T, dir, name string, certs ...*x509.Certificate) string {
	t.Helper()
	var b bytes.Buffer
	for _, c := range certs {
		pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBRPHelpListsSubcommands(t *testing.T) {
	r := run(t, "nl_NL.UTF-8", "brp", "--help")
	for _, sub := range []string{"add", "list", "check", "export", "test"} {
		if !strings.Contains(r.stdout, "  "+sub+" ") {
			t.Errorf("brp --help lacks %s:\n%s", sub, r.stdout)
		}
	}
	if r.code != 0 {
		t.Errorf("exit %d", r.code)
	}
	if r := run(t, "en_GB.UTF-8", "brp"); r.code != 2 || !strings.Contains(r.stderr, "Subcommands:") {
		t.Errorf("brp without a subcommand: %d %s", r.code, r.stderr)
	}
	if r := run(t, "nl", "brp", "check", "--help"); r.code != 0 || !strings.Contains(r.stdout, "pkiodesk brp check") || !strings.Contains(r.stdout, "-offline") {
		t.Errorf("brp check --help: %d\n%s", r.code, r.stdout)
	}
	if r := run(t, "nl", "--help"); !strings.Contains(r.stdout, "brp ") {
		t.Errorf("overview lacks brp:\n%s", r.stdout)
	}
}

// The real RvIG certificate as afnemer OIN 00000001822100824000: the OIN
// and the chain (to the imported PKIoverheid G1 root) pass, validity
// fails, so `brp check` exits 1 with one line per check; list and export
// show the afnemer; bad input leaves the register unchanged.
func TestBRPCheckRealRvIGCertificate(t *testing.T) {
	db := newDB(t)
	args := append([]string{"import", "--db", db}, pkioFiles(t)...)
	if r := run(t, "nl", args...); r.code != 0 {
		t.Fatalf("import: %d %s%s", r.code, r.stdout, r.stderr)
	}
	rvig := readCertFile(t, filepath.Join(fixturePKIo(t), "RvIG_lap.gbav.idm.diginetwerk.net.crt"))
	sha := cert.Fingerprint(rvig.Raw)

	r := run(t, "nl", "brp", "add", "--db", db, "--afnemer", "000008", "--name", "RvIG", "--oin", "00000001822100824000",
		"--host", "lap.gbav.idm.diginetwerk.net", "--endpoint", "brp-lap,brp-berichten-lap", "--cert", sha[:10])
	if r.code != 0 || !strings.Contains(r.stdout, "scope 000008-00000001822100824000") {
		t.Fatalf("add: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, bad := range [][]string{
		{"--afnemer", "8", "--name", "X", "--oin", "00000001822100824000", "--host", "a.nl"},
		{"--afnemer", "000009", "--name", "X", "--oin", "00000001822100824001", "--host", "a.nl"},
		{"--afnemer", "000009", "--name", "X", "--oin", "00000001822100824000", "--host", "a.nl", "--gemeentecode", "80"},
		{"--afnemer", "000008", "--name", "X", "--oin", "00000001822100824000", "--host", "a.nl"},
	} {
		r := run(t, "nl", append([]string{"brp", "add", "--db", db}, bad...)...)
		if r.code != 2 || r.stderr == "" {
			t.Errorf("add %v: %d %s", bad, r.code, r.stderr)
		}
	}
	r = run(t, "nl", "brp", "list", "--db", db)
	if r.code != 0 || !strings.Contains(r.stdout, "000008") || !strings.Contains(r.stdout, "lap.gbav.idm.diginetwerk.net") || !strings.Contains(r.stdout, "1 afnemer\n") {
		t.Errorf("list: %d\n%s", r.code, r.stdout)
	}

	r = run(t, "nl", "brp", "check", "--db", db, "--offline")
	if r.code != 1 {
		t.Errorf("check exit %d, want 1:\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, line := range []string{
		"[FOUT]   Geldigheid: verlopen op 2026-05-13: RvIG weigert de verbinding",
		"[OK]     OIN in het certificaat: subject serialNumber is het OIN 00000001822100824000 van deze afnemer",
		"[OK]     Keten naar PKIoverheid: keten naar Staat der Nederlanden Private Root CA - G1",
		"[OK]     Hostnaam in de SAN's: lap.gbav.idm.diginetwerk.net staat in de SAN's",
		"[LET OP] Niet ingetrokken: onbekend: niet gecontroleerd (offline)",
		"[LET OP] Hiërarchie (G1 eindigt): G1-certificaat",
		"1 afnemer: 0 in orde, 0 met waarschuwingen, 1 met fouten",
	} {
		if !strings.Contains(r.stdout, line) {
			t.Errorf("check lacks %q:\n%s", line, r.stdout)
		}
	}
	if n := strings.Count(r.stdout, "\n  ["); n != 9 {
		t.Errorf("%d check lines, want 9", n)
	}
	r = run(t, "en_GB.UTF-8", "brp", "check", "000008", "--db", db)
	if r.code != 1 || !strings.Contains(r.stdout, "[FAIL] Validity: expired on 2026-05-13") || !strings.Contains(r.stdout, "[WARN] Not revoked: unknown") {
		t.Errorf("English check: %d\n%s", r.code, r.stdout)
	}
	if r := run(t, "nl", "brp", "check", "999999", "--db", db); r.code != 2 || !strings.Contains(r.stderr, "afnemer 999999 staat niet in het register") {
		t.Errorf("unknown afnemer: %d %s", r.code, r.stderr)
	}

	r = run(t, "nl", "brp", "export", "--db", db, "--format", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"scope": "000008-00000001822100824000"`) || !strings.Contains(r.stdout, `"endpoint": "brp-lap;brp-berichten-lap"`) {
		t.Errorf("export json: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	out := t.TempDir()
	r = run(t, "nl", "brp", "export", "--db", db, "--format", "yaml", "--out", out)
	if r.code != 0 {
		t.Fatalf("export yaml: %d %s%s", r.code, r.stdout, r.stderr)
	}
	y, _ := os.ReadFile(filepath.Join(out, "pkiodesk-brp.yaml"))
	if !strings.Contains(string(y), "scope: 000008-00000001822100824000") || !strings.Contains(string(y), "chainFile: 000008-chain.pem") {
		t.Errorf("yaml:\n%s", y)
	}
	chain := readCertsFile(t, filepath.Join(out, "000008-chain.pem"))
	if len(chain) != 3 || !chain[0].Equal(rvig) || chain[1].Subject.CommonName != "QuoVadis PKIoverheid Private Services CA - G1" || chain[2].Subject.CommonName != "Staat der Nederlanden Private Services CA - G1" {
		t.Errorf("chain bundle: %d certificates", len(chain))
	}
	if r := run(t, "nl", "brp", "export", "--db", db, "--format", "xml"); r.code != 2 {
		t.Errorf("format xml: %d", r.code)
	}

	// Links under the export's names to the database or its checkpoint:
	// refused before anything is written, the database intact.
	for _, own := range []string{db, db + ".journal-head"} {
		if _, err := os.Stat(own); err != nil {
			continue
		}
		trap := t.TempDir()
		os.Symlink(own, filepath.Join(trap, "pkiodesk-brp.json"))
		before, _ := os.ReadFile(own)
		r := run(t, "nl", "brp", "export", "--db", db, "--format", "json", "--out", trap)
		after, _ := os.ReadFile(own)
		if r.code != 2 || !strings.Contains(r.stderr, "de database van pkiodesk zelf") || !bytes.Equal(before, after) {
			t.Errorf("export over a link to %s: %d %s (file kept: %v)", filepath.Base(own), r.code, r.stderr, bytes.Equal(before, after))
		}
		if _, err := os.Stat(filepath.Join(trap, "000008-chain.pem")); err == nil {
			t.Error("the export wrote a file before it refused")
		}
	}
}

func fixturePKIo(t *testing.T) string { return filepath.Dir(pkioFiles(t)[0]) }

func readCertsFile(t *testing.T, path string) []*x509.Certificate {
	t.Helper()
	certs, err := readCerts(path)
	if err != nil {
		t.Fatal(err)
	}
	return certs
}

func readCertFile(t *testing.T, path string) *x509.Certificate { return readCertsFile(t, path)[0] }

// The connection test end to end through the CLI, with the key on a
// SoftHSM token used through the smartcard signer: mutual TLS to a local
// gateway on 127.0.0.1 that demands client certificates, then the token.
// Neither the secret nor the token is printed.
func TestBRPConnectionTestWithTokenKey(t *testing.T) {
	c := needCard(t)
	ctx := context.Background()
	ca := brptest.NewCA(t)
	const gwPIN, secret = "975310", "geheim-secret-123"
	tok, err := softhsm.InitToken(ctx, c.ConfPath, "brp gateway", "so-"+gwPIN, gwPIN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tok.Delete(context.Background()) })
	oinValue := "00000001002564440000"
	leaf, err := tok.AddKey([]byte{0x42}, "BRP gateway", softhsm.RSA2048, func(pub crypto.PublicKey) (*x509.Certificate, error) {
		return ca.Issue(t, pub, brptest.Gateway{OIN: oinValue, DNSNames: []string{"gw.voorbeeldstad.nl"}}), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db := newDB(t)
	if r := run(t, "nl", "import", "--db", db, writeCertsPEM(t, dir, "gw.pem", leaf, ca.Issuer, ca.Root)); r.code != 0 {
		t.Fatalf("import: %s%s", r.stdout, r.stderr)
	}
	r := run(t, "nl", "brp", "add", "--db", db, "--afnemer", "510193", "--name", "Gemeente Voorbeeldstad", "--oin", oinValue,
		"--gemeentecode", "0599", "--host", "gw.voorbeeldstad.nl", "--cert", cert.Fingerprint(leaf.Raw),
		"--key", "pkcs11:token=brp%20gateway;object=BRP%20gateway", "--client-id", "voorbeeldstad")
	if r.code != 0 {
		t.Fatalf("add: %s%s", r.stdout, r.stderr)
	}
	gw := brptest.NewRvIG(t, ca, "voorbeeldstad", secret)
	rootFile := writeCertsPEM(t, dir, "root.pem", ca.Root)

	r = runWithFDs(t, "nl", map[int]string{3: gwPIN, 4: secret}, "brp", "test", "510193", "--db", db, "--url", gw.URL(), "--token-url", gw.TokenURL(),
		"--module", tok.Module, "--server-ca", rootFile, "--pin-fd", "3", "--secret-fd", "4")
	if r.code != 0 {
		t.Fatalf("brp test: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"[OK]     Verbinding: verbonden met 127.0.0.1:",
		"[OK]     TLS-handshake met clientcertificaat: TLS 1.3; servercertificaat apigw.test.diginetwerk",
		"[OK]     Certificaat geaccepteerd: certificaat geaccepteerd; het endpoint vraagt om een token (HTTP 401)",
		"[OK]     OAuth-token: token ontvangen",
		"Scope: 510193-" + oinValue, "Claim afnemerID = 510193", "Claim OIN = " + oinValue, "Claim gemeenteCode = 0599",
		"Resultaat: verbinding in orde",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "… TLS-handshake met clientcertificaat") {
		t.Errorf("no progress on stderr:\n%s", r.stderr)
	}
	issued := gw.IssuedTokens()
	if len(issued) != 1 {
		t.Fatalf("%d tokens issued", len(issued))
	}
	for _, s := range []string{issued[0], secret, gwPIN} {
		if strings.Contains(r.stdout+r.stderr, s) {
			t.Errorf("output shows a secret or the token")
		}
	}

	// A wrong secret: exit 1 and the reason.
	r = runWithFDs(t, "nl", map[int]string{3: gwPIN, 4: "fout"}, "brp", "test", "510193", "--db", db, "--url", gw.URL(), "--token-url", gw.TokenURL(),
		"--module", tok.Module, "--server-ca", rootFile, "--pin-fd", "3", "--secret-fd", "4")
	if r.code != 1 || !strings.Contains(r.stdout, "client id voorbeeldstad of het client secret klopt niet") {
		t.Errorf("wrong secret: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Without the server's CA the server is not trusted, in words.
	r = runWithFDs(t, "en_GB.UTF-8", map[int]string{3: gwPIN}, "brp", "test", "510193", "--db", db, "--url", gw.URL(), "--module", tok.Module, "--pin-fd", "3")
	if r.code != 1 || !strings.Contains(r.stdout, "which is not trusted here") {
		t.Errorf("untrusted server: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// The same with a software key file.
func TestBRPConnectionTestWithKeyFile(t *testing.T) {
	ca := brptest.NewCA(t)
	leaf, key := ca.IssueWithKey(t, brptest.Gateway{OIN: "00000001002564440000", DNSNames: []string{"gw.voorbeeldstad.nl"}})
	dir := t.TempDir()
	db := newDB(t)
	run(t, "nl", "import", "--db", db, writeCertsPEM(t, dir, "gw.pem", leaf, ca.Issuer))
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	keyFile := filepath.Join(dir, "gw.key")
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	if r := run(t, "nl", "brp", "add", "--db", db, "--afnemer", "510193", "--name", "G", "--oin", "00000001002564440000",
		"--host", "gw.voorbeeldstad.nl", "--cert", cert.Fingerprint(leaf.Raw), "--key", keyFile); r.code != 0 {
		t.Fatalf("add: %s%s", r.stdout, r.stderr)
	}
	gw := brptest.NewRvIG(t, ca, "x", "y")
	r := run(t, "nl", "brp", "test", "510193", "--db", db, "--url", gw.URL(), "--server-ca", writeCertsPEM(t, dir, "root.pem", ca.Root))
	if r.code != 0 || !strings.Contains(r.stdout, "het endpoint vraagt om een token (HTTP 401)") {
		t.Errorf("key file: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
