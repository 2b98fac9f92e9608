package cli

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pkiodesk/internal/fixture"
	"pkiodesk/internal/testpki"
	"pkiodesk/pdfseal"
	"pkiodesk/smartcard/softhsm"
)

const cardPIN = "135790"

var card struct {
	softhsm.Card
	err error
}

func TestMain(m *testing.M) {
	dir, _ := os.MkdirTemp("", "cli-softhsm-")
	who := testpki.Person{GivenName: "Bram", Surname: "de Boer", Email: "b.deboer@voorbeeldstad.nl", Organization: "Gemeente Voorbeeldstad", Number: "PN-100245"}
	card.Card, card.err = softhsm.ProvisionTestCard(context.Background(), dir, "cli kaart", cardPIN, who)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func needCard(t *testing.T) softhsm.Card {
	if card.err != nil {
		fixture.Missing(t, "SoftHSM card: %v", card.err)
	}
	return card.Card
}

// runWithPIN runs a command with the PIN on file descriptor 3.
func runWithPIN(t *testing.T, pin string, args ...string) result {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	w.WriteString(pin + "\n")
	w.Close()
	var out, errb bytes.Buffer
	env := Env{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Now: time.Now,
		Getenv: func(k string) string { return map[string]string{"LANG": "nl_NL.UTF-8"}[k] },
		ExtraFiles: func(fd int) *os.File {
			if fd == 3 {
				return r
			}
			return nil
		},
	}
	code := Run(context.Background(), args, env)
	return result{code, out.String(), errb.String()}
}

func TestTokensDoctor(t *testing.T) {
	c := needCard(t)
	r := run(t, "nl", "tokens", "--module", c.Module)
	if r.code != 0 || !strings.Contains(r.stdout, "PKCS#11-modules") || !strings.Contains(r.stdout, c.Module) || !strings.Contains(r.stdout, "PIN kan worden ingevoerd") {
		t.Errorf("tokens: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout, "cli kaart") || strings.Contains(r.stdout, "Bram") {
		t.Errorf("the doctor report shows personal data:\n%s", r.stdout)
	}
}

func TestLoginTest(t *testing.T) {
	c := needCard(t)
	r := runWithPIN(t, cardPIN, "login-test", "--module", c.Module, "--token", "cli kaart", "--pin-fd", "3")
	if r.code != 0 || !strings.Contains(r.stdout, "Ingelogd als") || !strings.Contains(r.stdout, "Bram de Boer") || !strings.Contains(r.stdout, "PN-100245") {
		t.Errorf("login-test: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "PIN kan worden ingevoerd") {
		t.Errorf("PIN state not shown before login: %s", r.stderr)
	}
	r = runWithPIN(t, "000000", "login-test", "--module", c.Module, "--pin-fd", "3")
	if r.code == 0 || !strings.Contains(r.stderr, "onjuiste PIN") {
		t.Errorf("wrong PIN: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runWithPIN(t, cardPIN, "login-test", "--module", "/geen/module.so", "--pin-fd", "3")
	if r.code == 0 || !strings.Contains(r.stderr, "middleware") {
		t.Errorf("missing module: %d %s", r.code, r.stderr)
	}
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600)
}

func TestSealAndVerifyPDF(t *testing.T) {
	c := needCard(t)
	dir := t.TempDir()
	doc, err := pdfseal.Draw(pdfseal.Document{Kind: pdfseal.OrderNew, Number: "T-1", Created: time.Now(), Organisation: "Gemeente Voorbeeldstad"})
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "in.pdf")
	os.WriteFile(in, doc, 0o600)
	chain := filepath.Join(dir, "chain.pem")
	os.WriteFile(chain, append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.PKI.Issuer.Raw}), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.PKI.Root.Raw})...), 0o600)
	roots := filepath.Join(dir, "roots.pem")
	writePEM(t, roots, "CERTIFICATE", c.PKI.Root.Raw)

	// With the card: the signature key (EC) by default.
	out := filepath.Join(dir, "kaart.pdf")
	r := runWithPIN(t, cardPIN, "seal", in, "--out", out, "--module", c.Module, "--token", "cli kaart", "--pin-fd", "3", "--chain", chain)
	if r.code != 0 {
		t.Fatalf("seal with card: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if pdfsig := fixture.Program(t, "pdfsig"); pdfsig != "" {
		o, _ := exec.Command(pdfsig, out).CombinedOutput()
		if !strings.Contains(string(o), "Signature is Valid.") || !strings.Contains(string(o), "ETSI.CAdES.detached") {
			t.Errorf("pdfsig:\n%s", o)
		}
	}
	r = run(t, "nl", "verify-pdf", out, "--roots", roots)
	if r.code != 0 || !strings.Contains(r.stdout, "Resultaat: in orde") || !strings.Contains(r.stdout, "Vertrouwd: ja") {
		t.Errorf("verify-pdf: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// With the authentication key chosen by its label.
	out2 := filepath.Join(dir, "auth.pdf")
	r = runWithPIN(t, cardPIN, "seal", "--module", c.Module, "--key-label", "Authenticatie", "--pin-fd", "3", in, "--out", out2)
	if r.code != 0 || !strings.Contains(r.stdout, "Verzegeld") {
		t.Fatalf("seal by key label: %d %s %s", r.code, r.stdout, r.stderr)
	}
	// Trust in another root fails verification.
	other, _ := testpki.New(time.Now())
	otherRoots := filepath.Join(dir, "other.pem")
	writePEM(t, otherRoots, "CERTIFICATE", other.Root.Raw)
	if r := run(t, "en", "verify-pdf", out, "--roots", otherRoots); r.code != 1 || !strings.Contains(r.stdout, "Trusted: no") {
		t.Errorf("untrusted root: %d\n%s", r.code, r.stdout)
	}
	// A changed byte is reported.
	sealed, _ := os.ReadFile(out)
	sealed[100] ^= 0x01
	bad := filepath.Join(dir, "bad.pdf")
	os.WriteFile(bad, sealed, 0o600)
	if r := run(t, "nl", "verify-pdf", bad); r.code != 1 || !strings.Contains(r.stdout, "Intact: nee") {
		t.Errorf("changed PDF: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// With a software key.
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf, err := c.PKI.Personal(key.Public(), testpki.Person{GivenName: "Soft", Surname: "Ware", Email: "s@x.nl", Organization: "X", Number: "PN-100245"}, true)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	writePEM(t, filepath.Join(dir, "key.pem"), "PRIVATE KEY", keyDER)
	writePEM(t, filepath.Join(dir, "cert.pem"), "CERTIFICATE", leaf.Raw)
	out3 := filepath.Join(dir, "soft.pdf")
	r = run(t, "nl", "seal", in, "--out", out3, "--key", filepath.Join(dir, "key.pem"), "--cert", filepath.Join(dir, "cert.pem"), "--chain", chain)
	if r.code != 0 {
		t.Fatalf("seal with key: %d %s", r.code, r.stderr)
	}
	if r := run(t, "nl", "verify-pdf", out3, "--roots", roots); r.code != 0 {
		t.Errorf("verify software seal: %d\n%s", r.code, r.stdout)
	}
	if r := run(t, "nl", "seal", in, "--out", out3, "--key", filepath.Join(dir, "key.pem"), "--cert", filepath.Join(dir, "chain.pem")); r.code == 0 {
		t.Error("a certificate that does not belong to the key was accepted")
	}
}
