package cli

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pkiodesk/internal/fixture"
	"pkiodesk/internal/testpki"
	"pkiodesk/pdfseal"
	"pkiodesk/smartcard"
	"pkiodesk/smartcard/softhsm"
)

const cardPIN = "135790"

var card struct {
	softhsm.Card
	err error
	// db is the tests' database for commands without --db: it trusts the
	// test card's CA, as an administrator would have made it.
	db string
}

func TestMain(m *testing.M) {
	dir, _ := os.MkdirTemp("", "cli-softhsm-")
	// Commands without --db use the user's database when it exists: never
	// the real one of whoever runs the tests.
	os.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	os.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	who := testpki.Person{GivenName: "Bram", Surname: "de Boer", Email: "b.deboer@voorbeeldstad.nl", Organization: "Gemeente Voorbeeldstad", Number: "PN-100245"}
	card.Card, card.err = softhsm.ProvisionTestCard(context.Background(), dir, "cli kaart", cardPIN, who)
	if card.err == nil {
		card.err = trustTestCard(dir)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// trustTestCard makes card.db trust the test card's CA (trust add, and
// its issuing CA imported): commands without --db log in with it.
func trustTestCard(dir string) error {
	card.db = filepath.Join(dir, "kaart.db")
	root, ca := filepath.Join(dir, "root.pem"), filepath.Join(dir, "ca.pem")
	os.WriteFile(root, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: card.PKI.Root.Raw}), 0o600)
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: card.PKI.Issuer.Raw}), 0o600)
	var out bytes.Buffer
	env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out, Now: time.Now, Getenv: func(k string) string { return map[string]string{"PKIODESK_DB": card.db}[k] }}
	for _, args := range [][]string{{"init"}, {"trust", "add", root}, {"import", ca}} {
		if code := Run(context.Background(), args, env); code != 0 {
			return fmt.Errorf("%v: %d %s", args, code, out.String())
		}
	}
	return nil
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
		// Never the user's own database: the tests' own.
		Getenv: func(k string) string {
			return map[string]string{"LANG": "nl_NL.UTF-8", "PKIODESK_DB": card.db}[k]
		},
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
	// A database that does not trust the test card's CA: the card logs
	// in, the login check refuses.
	untrusting := filepath.Join(t.TempDir(), "leeg.db")
	r := runWithPIN(t, cardPIN, "--db", untrusting, "login-test", "--module", c.Module, "--token", "cli kaart", "--pin-fd", "3")
	if r.code != 1 || !strings.Contains(r.stdout, "Ingelogd als") || !strings.Contains(r.stdout, "Bram de Boer") || !strings.Contains(r.stdout, "PN-100245") ||
		!strings.Contains(r.stdout, "uw certificaat is niet vertrouwd") {
		t.Errorf("login-test: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Trusted by an administrator: the key is proven, the chain trusted.
	dir := t.TempDir()
	db := newDB(t)
	writePEM(t, filepath.Join(dir, "root.pem"), "CERTIFICATE", c.PKI.Root.Raw)
	writePEM(t, filepath.Join(dir, "ca.pem"), "CERTIFICATE", c.PKI.Issuer.Raw)
	runWithPIN(t, "", "--db", db, "trust", "add", filepath.Join(dir, "root.pem"))
	runWithPIN(t, "", "--db", db, "import", filepath.Join(dir, "ca.pem"))
	r = runWithPIN(t, cardPIN, "--db", db, "login-test", "--module", c.Module, "--token", "cli kaart", "--pin-fd", "3")
	if r.code != 0 || !strings.Contains(r.stdout, "Sleutel: bewezen") || !strings.Contains(r.stdout, "Vertrouwd: keten naar pkiodesk Test Root") ||
		!strings.Contains(r.stdout, "Niet te controleren") || !strings.Contains(r.stdout, "(nog) niet geregistreerd") {
		t.Errorf("login-test with a trusted card: %d\n%s%s", r.code, r.stdout, r.stderr)
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

// flagCard sets SoftHSM token flags on the CLI's test card for one test;
// the real module then reports the token locked, on its final try, or
// behind a PIN pad.
func flagCard(t *testing.T, set uint64) {
	t.Helper()
	c := needCard(t)
	serial := cardSerial(t)
	all := fixture.FlagUserPINLocked | fixture.FlagUserPINFinalTry | fixture.FlagUserPINCountLow | fixture.FlagProtectedAuthPath
	fixture.SetSoftHSMFlags(t, c.ConfPath, serial, set, all&^set)
	t.Cleanup(func() { fixture.SetSoftHSMFlags(t, c.ConfPath, serial, 0, all) })
}

func cardSerial(t *testing.T) string {
	t.Helper()
	tok, err := smartcard.NewManager().Token(needCard(t).Module, "cli kaart")
	if err != nil {
		t.Fatal(err)
	}
	return tok.Serial
}

// A locked token: no prompt, no PIN, and the message once.
func TestLoginTestLockedTokenSaysSoOnce(t *testing.T) {
	c := needCard(t)
	flagCard(t, fixture.FlagUserPINLocked)
	spy := fixture.NewSpy(t, c.Module)
	r := runWithPIN(t, cardPIN, "login-test", "--module", spy.Module, "--token", "cli kaart", "--pin-fd", "3")
	if r.code == 0 || strings.Count(r.stderr, "geblokkeerd") != 1 || !strings.Contains(r.stderr, "PUK") {
		t.Errorf("locked: %d\n%s", r.code, r.stderr)
	}
	if n := spy.Calls("C_Login"); n != 0 {
		t.Errorf("%d PINs sent to a locked token", n)
	}
}

// A PIN-pad reader with few attempts left: the CLI says both, asks for no
// typed PIN, logs in with a NULL PIN (SoftHSM, having no PIN pad, refuses
// it) and shows no PKCS#11 code.
func TestLoginTestPINPad(t *testing.T) {
	c := needCard(t)
	flagCard(t, fixture.FlagProtectedAuthPath|fixture.FlagUserPINCountLow)
	spy := fixture.NewSpy(t, c.Module)
	r := runWithPIN(t, cardPIN, "login-test", "--module", spy.Module, "--token", "cli kaart", "--pin-fd", "3")
	for _, want := range []string{"weinig PIN-pogingen", "voer de PIN in op de kaartlezer", "PIN-pad"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "CKR_") || r.code == 0 {
		t.Errorf("PIN pad: %d\n%s", r.code, r.stderr)
	}
	if n := spy.Calls("C_Login"); n != 1 || !strings.Contains(spy.Log(), "pPin[ulPinLen] NULL") || strings.Contains(spy.Log(), cardPIN) {
		t.Errorf("%d C_Login, a typed PIN sent:\n%s", n, spy.Log())
	}
}

// PINs the token cannot take never reach it; a closed --pin-fd is named.
func TestLoginTestRefusesPINsBeforeTheToken(t *testing.T) {
	c := needCard(t)
	spy := fixture.NewSpy(t, c.Module)
	for pin, want := range map[string]string{
		"":                       "--pin-fd 3: geen PIN",
		"12":                     "te kort: deze kaart wil er minstens 4",
		strings.Repeat("8", 300): "te lang: deze kaart neemt er hoogstens 255",
	} {
		r := runWithPIN(t, pin, "login-test", "--module", spy.Module, "--pin-fd", "3")
		if r.code == 0 || !strings.Contains(r.stderr, want) {
			t.Errorf("PIN of %d: %d %s", len(pin), r.code, r.stderr)
		}
	}
	var errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &errb, Now: time.Now,
		Getenv:     func(k string) string { return map[string]string{"LANG": "nl_NL.UTF-8"}[k] },
		ExtraFiles: func(fd int) *os.File { return os.NewFile(uintptr(fd), "fd") }, // as OSEnv does
	}
	if code := Run(context.Background(), []string{"login-test", "--module", spy.Module, "--pin-fd", "987"}, env); code == 0 || !strings.Contains(errb.String(), "--pin-fd 987: bestandsdescriptor 987 is niet open") {
		t.Errorf("closed descriptor: %d %s", code, errb.String())
	}
	if n := spy.Calls("C_Login"); n != 0 {
		t.Errorf("%d PINs sent", n)
	}
}

// Two tokens with one label: --serial and --slot pick one.
func TestLoginTestBySerialAndSlot(t *testing.T) {
	c := needCard(t)
	serial := cardSerial(t)
	r := runWithPIN(t, cardPIN, "login-test", "--module", c.Module, "--serial", serial, "--pin-fd", "3")
	if r.code != 0 || !strings.Contains(r.stdout, "Bram de Boer") {
		t.Errorf("--serial: %d %s %s", r.code, r.stdout, r.stderr)
	}
	tok, _ := smartcard.NewManager().Token(c.Module, "cli kaart")
	r = runWithPIN(t, cardPIN, "login-test", "--module", c.Module, "--slot", fmt.Sprint(tok.Slot), "--pin-fd", "3")
	if r.code != 0 || !strings.Contains(r.stdout, "Bram de Boer") {
		t.Errorf("--slot: %d %s %s", r.code, r.stdout, r.stderr)
	}
	r = runWithPIN(t, cardPIN, "login-test", "--module", c.Module, "--serial", "0000", "--pin-fd", "3")
	if r.code == 0 || !strings.Contains(r.stderr, `geen token met serienummer "0000"`) {
		t.Errorf("unknown serial: %d %s", r.code, r.stderr)
	}
}

// seal: --pss with an EC key is refused, not ignored; a wrong --key-label
// says there is no key with that label.
func TestSealRefusesPSSForECAndNamesAMissingLabel(t *testing.T) {
	c := needCard(t)
	dir := t.TempDir()
	doc, err := pdfseal.Draw(pdfseal.Document{Kind: pdfseal.OrderNew, Number: "T-2", Created: time.Now(), Organisation: "Gemeente Voorbeeldstad"})
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "in.pdf")
	os.WriteFile(in, doc, 0o600)
	out := filepath.Join(dir, "out.pdf")
	r := runWithPIN(t, cardPIN, "seal", in, "--out", out, "--module", c.Module, "--pin-fd", "3", "--pss")
	if r.code == 0 || !strings.Contains(r.stderr, "--pss geldt alleen voor RSA-sleutels") {
		t.Errorf("--pss with EC: %d %s", r.code, r.stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a PDF was written")
	}
	r = runWithPIN(t, cardPIN, "seal", in, "--out", out, "--module", c.Module, "--pin-fd", "3", "--key-label", "Bestaat niet")
	if r.code == 0 || !strings.Contains(r.stderr, `geen sleutel met label "Bestaat niet"`) {
		t.Errorf("wrong label: %d %s", r.code, r.stderr)
	}
	r = runWithPIN(t, cardPIN, "seal", in, "--out", out, "--module", c.Module, "--pin-fd", "3", "--pss", "--key-label", "Authenticatie")
	if r.code != 0 {
		t.Errorf("--pss with RSA: %d %s", r.code, r.stderr)
	}
}

// tokens names a --module that is not there instead of leaving it out.
func TestTokensReportsAMissingModule(t *testing.T) {
	r := run(t, "nl", "tokens", "--module", "/nergens/libgeen.so")
	if r.code != 0 || !strings.Contains(r.stdout, "/nergens/libgeen.so") || !strings.Contains(r.stdout, "niet gevonden") {
		t.Errorf("tokens: %d\n%s", r.code, r.stdout)
	}
}

// settings --add-module checks the file is a PKCS#11 library (it is read,
// not loaded); --remove-module of a path never added says so. Neither
// changes what is stored when it refuses.
func TestSettingsModuleChecks(t *testing.T) {
	c := needCard(t)
	db := newDB(t)
	for _, bad := range []string{"/bin/ls", "/etc/hostname"} {
		r := run(t, "nl", "settings", "--db", db, "--add-module", bad)
		if r.code == 0 || !strings.Contains(r.stderr, bad+" is geen PKCS#11-module") {
			t.Errorf("%s: %d %s", bad, r.code, r.stderr)
		}
	}
	r := run(t, "nl", "settings", "--db", db, "--add-module", c.Module)
	if r.code != 0 || !strings.Contains(r.stdout, c.Module) {
		t.Fatalf("SoftHSM: %d %s %s", r.code, r.stdout, r.stderr)
	}
	r = run(t, "nl", "settings", "--db", db, "--remove-module", "/nergens/x.so")
	if r.code == 0 || !strings.Contains(r.stderr, "/nergens/x.so stond niet in de instellingen") {
		t.Errorf("remove unknown: %d %s", r.code, r.stderr)
	}
	r = run(t, "nl", "settings", "--db", db)
	if !strings.Contains(r.stdout, c.Module) || strings.Contains(r.stdout, "/bin/ls") {
		t.Errorf("stored modules:\n%s", r.stdout)
	}
	r = run(t, "nl", "settings", "--db", db, "--remove-module", c.Module)
	if r.code != 0 || strings.Contains(r.stdout, c.Module) {
		t.Errorf("remove: %d %s %s", r.code, r.stdout, r.stderr)
	}
}

// A login typed with a PIN (right and wrong) is journaled; the PIN is in
// neither the database nor the journal's export.
func TestLoginJournaledWithoutPIN(t *testing.T) {
	c := needCard(t)
	db := newDB(t)
	// The card's CA is trusted here, so the login is refused as unregistered.
	dir := t.TempDir()
	writePEM(t, filepath.Join(dir, "root.pem"), "CERTIFICATE", c.PKI.Root.Raw)
	writePEM(t, filepath.Join(dir, "ca.pem"), "CERTIFICATE", c.PKI.Issuer.Raw)
	run(t, "nl", "--db", db, "trust", "add", filepath.Join(dir, "root.pem"))
	run(t, "nl", "--db", db, "import", filepath.Join(dir, "ca.pem"))
	r := runWithPIN(t, cardPIN, "--db", db, "login-test", "--module", c.Module, "--token", "cli kaart", "--pin-fd", "3")
	if r.code != 0 {
		t.Fatalf("login-test: %d %s", r.code, r.stderr)
	}
	const wrong = "97531864"
	if r := runWithPIN(t, wrong, "--db", db, "login-test", "--module", c.Module, "--token", "cli kaart", "--pin-fd", "3"); r.code == 0 {
		t.Fatal("wrong PIN accepted")
	}
	out := filepath.Join(t.TempDir(), "journal.csv")
	if r := run(t, "nl", "--db", db, "audit", "export", "--csv", out); r.code != 0 {
		t.Fatalf("export: %d %s", r.code, r.stderr)
	}
	csv, _ := os.ReadFile(out)
	if !strings.Contains(string(csv), "id.not_registered") && !strings.Contains(string(csv), "niet geregistreerd") {
		t.Errorf("refused login not in the journal:\n%s", csv)
	}
	if !strings.Contains(string(csv), "onjuiste PIN") {
		t.Errorf("wrong PIN not in the journal:\n%s", csv)
	}
	raw, _ := os.ReadFile(db)
	for _, pin := range []string{cardPIN, wrong} {
		if strings.Contains(string(raw), pin) || strings.Contains(string(csv), pin) {
			t.Errorf("PIN %s in the database or journal", pin)
		}
	}
}
