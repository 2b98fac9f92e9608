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
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"pkiodesk/app/demo"
)

// TestCLIProcess is not a test: it is this binary acting as pkiodesk, with
// signal handling as main has it, for the tests that need a real process.
func TestCLIProcess(t *testing.T) {
	args := os.Getenv("PKIODESK_TEST_CLI_ARGS")
	if args == "" {
		t.Skip("helper process")
	}
	ctx, stop := WithSignals(context.Background())
	code := Run(ctx, strings.Split(args, "\x1f"), OSEnv())
	stop()
	os.Exit(code)
}

// process prepares pkiodesk as a child process.
func process(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestCLIProcess$")
	cmd.Env = append(os.Environ(), "PKIODESK_TEST_CLI_ARGS="+strings.Join(args, "\x1f"), "LANG=nl_NL.UTF-8", "PKIODESK_LANG=")
	return cmd
}

// writeCerts issues n demo certificates as PEM files in dir.
func writeCerts(t *testing.T, dir string, n int, seed uint64) []string {
	t.Helper()
	gen, err := demo.NewGenerator(seed, testNow)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for i := range n {
		der, _ := gen.NextMixed()
		p := filepath.Join(dir, fmt.Sprintf("c%05d.pem", i))
		os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
		files = append(files, p)
	}
	return files
}

// Only `init` makes a database: a missing file, an empty one, a folder
// that does not exist or --db "" is an error for every other command, and
// nothing is created.
func TestNoSilentDatabase(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "tikfout", "pkiodesk.db")
	empty := filepath.Join(dir, "leeg.db")
	os.WriteFile(empty, nil, 0o600)
	foreign := filepath.Join(dir, "vreemd.db")
	os.WriteFile(foreign, bytes.Repeat([]byte("geen database "), 400), 0o600)
	cert := writeCerts(t, t.TempDir(), 1, 3)[0]
	commands := [][]string{{"list"}, {"expiring", "--days", "36500"}, {"import", cert}, {"settings"}, {"settings", "--lang", "en"}, {"db", "check"}, {"db", "backup", filepath.Join(dir, "kopie.db")}}
	for _, db := range []struct{ path, want string }{
		{missing, "bestaat niet"}, {empty, "leeg bestand (0 bytes)"}, {foreign, "geen pkiodesk-database"},
	} {
		for _, args := range commands {
			r := run(t, "nl", append([]string{"--db", db.path}, args...)...)
			if r.code != 2 || !strings.Contains(r.stderr, db.want) {
				t.Errorf("%s on %s: exit %d, %q", args, filepath.Base(db.path), r.code, r.stderr)
			}
		}
	}
	if _, err := os.Stat(filepath.Dir(missing)); err == nil {
		t.Error("a folder was made for a mistyped --db")
	}
	if fi, _ := os.Stat(empty); fi.Size() != 0 {
		t.Error("an empty file was made into a database")
	}
	if _, err := os.Stat(filepath.Join(dir, "kopie.db")); err == nil {
		t.Error("a backup was written")
	}
	// --db "" is an error, before and after the verb, also with PKIODESK_DB set.
	for _, args := range [][]string{{"--db", "", "list"}, {"--db=", "list"}, {"list", "--db", ""}, {"list", "--db="}} {
		var out, errb bytes.Buffer
		env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Now: time.Now,
			Getenv: func(k string) string { return map[string]string{"PKIODESK_DB": empty, "LANG": "nl"}[k] }}
		if code := Run(context.Background(), args, env); code != 2 || !strings.Contains(errb.String(), "--db is leeg") {
			t.Errorf("%q: exit %d, %q", args, code, errb.String())
		}
	}
	// init makes one, once.
	fresh := filepath.Join(dir, "nieuw", "pkiodesk.db")
	if r := run(t, "nl", "init", "--db", fresh); r.code != 0 {
		t.Fatalf("init: %d %s", r.code, r.stderr)
	}
	if r := run(t, "nl", "init", "--db", fresh); r.code != 2 || !strings.Contains(r.stderr, "bestaat al") {
		t.Errorf("init twice: %d %s", r.code, r.stderr)
	}
	if r := run(t, "nl", "expiring", "--days", "36500", "--db", fresh); r.code != 0 || !strings.Contains(r.stdout, "geen geldige certificaten") {
		t.Errorf("empty database: %d %s %s", r.code, r.stdout, r.stderr)
	}
}

// Ranges, extra words and empty values are refused, in Dutch.
func TestArgumentsAreChecked(t *testing.T) {
	db := newDB(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"expiring", "--days", "106752"}, "geheel getal van 1 tot en met 36500"},
		{[]string{"expiring", "--days", "99999999999999999999"}, "geheel getal van 1 tot en met 36500"},
		{[]string{"expiring", "--days", "1e3"}, "geheel getal"},
		{[]string{"expiring", "60"}, `onverwacht argument "60"`},
		{[]string{"version", "extra"}, `onverwacht argument "extra"`},
		{[]string{"list", "extra"}, `onverwacht argument "extra"`},
		{[]string{"settings", "nl"}, `onverwacht argument "nl"`},
		{[]string{"init", "x.db"}, `onverwacht argument "x.db"`},
		{[]string{"db", "check", "nu"}, `onverwacht argument "nu"`},
		{[]string{"audit", "verify", "extra"}, `onverwacht argument "extra"`},
		{[]string{"org", "people", "extra"}, `onverwacht argument "extra"`},
		{[]string{"brp", "check", "510193", "510200"}, `onverwacht argument "510200"`},
		{[]string{"list", "--bestaatniet"}, "onbekende optie --bestaatniet"},
		{[]string{"list", "--status"}, "optie --status heeft een waarde nodig"},
		{[]string{"list", "--status", ""}, "--status mag niet leeg zijn"},
		{[]string{"list", "--sort", ""}, "--sort mag niet leeg zijn"},
		{[]string{"list", "--kind", " "}, "--kind mag niet leeg zijn"},
		{[]string{"list", "--sort", "cn:sideways"}, `onbekende sorteerrichting "sideways"`},
		{[]string{"list", "--sort", "nope"}, `onbekende kolom "nope"`},
		{[]string{"list", "--csv", ""}, "--csv mag niet leeg zijn"},
		{[]string{"audit", "list", "--from="}, "--from mag niet leeg zijn"},
		{[]string{"order", "list", "--state="}, "--state mag niet leeg zijn"},
		{[]string{"expiring", "--days", "0"}, "geheel getal van 1 tot en met 36500"},
	}
	for _, tt := range tests {
		r := run(t, "nl", append(tt.args, "--db", db)...)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%q: exit %d, %q", tt.args, r.code, r.stderr)
		}
		if strings.Contains(r.stderr, "flag provided") || strings.Contains(r.stderr, "needs an argument") {
			t.Errorf("%q: English flag text in a Dutch message: %q", tt.args, r.stderr)
		}
	}
	if r := run(t, "nl", "brp", "bestaatniet"); r.code != 2 || !strings.Contains(r.stderr, `onbekend subcommando "bestaatniet"`) {
		t.Errorf("unknown sub-verb: %d %q", r.code, r.stderr)
	}
	if r := run(t, "nl", "db", "bestaatniet", "--db", db); r.code != 2 || !strings.Contains(r.stderr, "geef 'check' of 'backup BESTAND'") {
		t.Errorf("db without a known sub-verb: %d %q", r.code, r.stderr)
	}
	// English usage says FILE, COLUMN, TEXT; Dutch says BESTAND, KOLOM, TEKST.
	r := run(t, "en", "list", "--help")
	if !strings.Contains(r.stdout, "--filter TEXT] [--sort COLUMN[:desc]] [--csv FILE|-]") || strings.Contains(r.stdout, "TEKST") {
		t.Errorf("English usage: %s", r.stdout)
	}
	if r := run(t, "en", "import", "--help"); !strings.Contains(r.stdout, "FILE|FOLDER...") {
		t.Errorf("English import usage: %s", r.stdout)
	}
	if r := run(t, "nl", "list", "--help"); !strings.Contains(r.stdout, "[--filter TEKST]") {
		t.Errorf("Dutch usage: %s", r.stdout)
	}
}

// System errors are said in Dutch: a folder where a file was expected, a
// file that does not exist.
func TestNoEnglishSystemTextInDutch(t *testing.T) {
	db := newDB(t)
	dir := t.TempDir()
	r := run(t, "nl", "import", "--db", db, filepath.Join(dir, "bestaatniet.pem"), "--p12-password-file", dir)
	if r.code != 2 || !strings.Contains(r.stderr, "is een map") || strings.Contains(r.stderr, "is a directory") {
		t.Errorf("password file is a folder: %d %q", r.code, r.stderr)
	}
	r = run(t, "nl", "import", "--db", db, filepath.Join(dir, "bestaatniet.pem"))
	if r.code != 1 || !strings.Contains(r.stdout, "bestaat niet") || strings.Contains(r.stdout, "no such file") {
		t.Errorf("missing file: %d %q", r.code, r.stdout)
	}
	// A cancelled command says "afgebroken", not "context canceled".
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Now: time.Now, Getenv: func(string) string { return "" }}
	Run(ctx, []string{"list", "--db", db}, env)
	if strings.Contains(errb.String(), "context canceled") {
		t.Errorf("cancelled: %q", errb.String())
	}
}

// Singular and plural.
func TestPluralForms(t *testing.T) {
	db := newDB(t)
	gen, _ := demo.NewGenerator(5, testNow)
	var one string
	for one == "" {
		der, _ := gen.NextMixed()
		c, _ := x509.ParseCertificate(der)
		// One valid certificate that expires within a day of "now".
		if c.NotAfter.After(testNow) {
			p := filepath.Join(t.TempDir(), "een.pem")
			os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
			one = p
			days := int(c.NotAfter.Sub(testNow).Hours()/24) + 1
			if r := run(t, "nl", "import", "--db", db, one); r.code != 0 || !strings.Contains(r.stdout, "1 toegevoegd, 0 al aanwezig, 0 geweigerd, 0 uitgevers") {
				t.Fatalf("import: %s %s", r.stdout, r.stderr)
			}
			r := run(t, "nl", "list", "--db", db)
			if !strings.Contains(r.stdout, "\n1 certificaat\n") {
				t.Errorf("list: %s", r.stdout)
			}
			r = run(t, "en", "list", "--db", db)
			if !strings.Contains(r.stdout, "\n1 certificate\n") {
				t.Errorf("list en: %s", r.stdout)
			}
			r = run(t, "nl", "expiring", "--db", db, "--days", fmt.Sprint(days))
			if r.code != 1 || !strings.Contains(r.stdout, fmt.Sprintf("1 geldig certificaat verloopt binnen %d dagen", days)) {
				t.Errorf("expiring: %s", r.stdout)
			}
		}
	}
	if r := run(t, "nl", "expiring", "--db", db, "--days", "1"); !strings.Contains(r.stdout, "binnen 1 dag verlopen") {
		t.Errorf("1 day: %s", r.stdout)
	}
	r := run(t, "nl", "list", "--db", db, "--csv", filepath.Join(t.TempDir(), "x.csv"))
	if !strings.Contains(r.stdout, "1 certificaat opgeslagen in") {
		t.Errorf("csv: %s", r.stdout)
	}
}

// --csv writes to standard output for "-", refuses what is not a regular
// file, and follows a symbolic link to a regular file (the link stays).
func TestCSVTargets(t *testing.T) {
	db := newDB(t)
	run(t, "nl", append([]string{"import", "--db", db}, writeCerts(t, t.TempDir(), 5, 8)...)...)
	dir := t.TempDir()

	r := run(t, "en", "list", "--db", db, "--status", "all", "--csv", "-")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "\uFEFFKind;Type;Common Name;") || strings.Count(r.stdout, "\n") != 6 {
		t.Errorf("--csv -: %d %q", r.code, r.stdout)
	}
	if _, err := os.Stat("-"); err == nil {
		t.Error(`a file named "-" was written`)
	}

	fifo := filepath.Join(dir, "fifo")
	if err := mkfifo(fifo); err == nil {
		done := make(chan result, 1)
		go func() { done <- run(t, "nl", "list", "--db", db, "--csv", fifo) }()
		select {
		case r := <-done:
			if r.code != 2 || !strings.Contains(r.stderr, "FIFO") {
				t.Errorf("FIFO: %d %s", r.code, r.stderr)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("--csv to a FIFO hangs")
		}
		if fi, _ := os.Lstat(fifo); fi.Mode()&os.ModeNamedPipe == 0 {
			t.Error("the FIFO was replaced by a file")
		}
	}
	if os.Geteuid() == 0 {
		// A device node of our own (the null device), never the system's.
		dev := filepath.Join(dir, "null")
		if err := mknodNull(dev); err == nil {
			r := run(t, "nl", "list", "--db", db, "--csv", dev)
			if r.code != 2 || !strings.Contains(r.stderr, "apparaat") {
				t.Errorf("device: %d %s", r.code, r.stderr)
			}
			if fi, _ := os.Lstat(dev); fi.Mode()&os.ModeCharDevice == 0 {
				t.Error("the device node was replaced by a file")
			}
		}
	}
	if r := run(t, "nl", "list", "--db", db, "--csv", dir); r.code != 2 || !strings.Contains(r.stderr, "is een map") {
		t.Errorf("folder: %d %s", r.code, r.stderr)
	}
	target := filepath.Join(dir, "target.csv")
	os.WriteFile(target, []byte("oud"), 0o640)
	link := filepath.Join(dir, "link.csv")
	os.Symlink(target, link)
	if r := run(t, "nl", "list", "--db", db, "--status", "alle", "--csv", link); r.code != 0 {
		t.Fatalf("link: %d %s", r.code, r.stderr)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the symbolic link was replaced by a file")
	}
	data, _ := os.ReadFile(target)
	if fi, _ := os.Stat(target); !bytes.HasPrefix(data, []byte("\uFEFFSoort;")) || fi.Mode().Perm() != 0o640 {
		t.Errorf("the link's target: %q %v", data[:20], fi.Mode())
	}
	dangling := filepath.Join(dir, "los.csv")
	os.Symlink(filepath.Join(dir, "weg", "x.csv"), dangling)
	if r := run(t, "nl", "list", "--db", db, "--csv", dangling); r.code != 2 || !strings.Contains(r.stderr, "symbolische link naar iets dat niet bestaat") {
		t.Errorf("dangling link: %d %s", r.code, r.stderr)
	}
}

// A folder imports its certificate files and says what it skipped; a FIFO
// is refused at once instead of waited on.
func TestImportFolderAndSpecialFiles(t *testing.T) {
	db := newDB(t)
	dir := t.TempDir()
	writeCerts(t, dir, 12, 9)
	os.WriteFile(filepath.Join(dir, "LEESMIJ.txt"), []byte("uitleg"), 0o600)
	os.Mkdir(filepath.Join(dir, "oud"), 0o700)
	fifo := filepath.Join(dir, "pijp.pem")
	haveFIFO := mkfifo(fifo) == nil
	done := make(chan result, 1)
	go func() { done <- run(t, "nl", "import", "--db", db, dir) }()
	var r result
	select {
	case r = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("import of a folder with a FIFO hangs")
	}
	if r.code != 0 || !strings.Contains(r.stdout, "12 toegevoegd") ||
		!strings.Contains(r.stdout, "overgeslagen  "+filepath.Join(dir, "LEESMIJ.txt")+": geen certificaatbestand") ||
		!strings.Contains(r.stdout, "overgeslagen  "+filepath.Join(dir, "oud")+": map") {
		t.Errorf("folder: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if haveFIFO {
		if !strings.Contains(r.stdout, "pijp.pem: "+fifo+" is een FIFO") {
			t.Errorf("FIFO in a folder: %s", r.stdout)
		}
		go func() { done <- run(t, "nl", "import", "--db", db, fifo) }()
		select {
		case r = <-done:
			if r.code != 1 || !strings.Contains(r.stdout, "is een FIFO (named pipe), geen gewoon bestand") {
				t.Errorf("FIFO: %d %s %s", r.code, r.stdout, r.stderr)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("import of a FIFO hangs")
		}
	}
}

// Files as Notepad and OpenSSL write them, and files that hold no certificate.
func TestImportSaysWhatFilesHold(t *testing.T) {
	db := newDB(t)
	dir := t.TempDir()
	certs := writeCerts(t, dir, 1, 12)
	data, _ := os.ReadFile(certs[0])
	bom := filepath.Join(dir, "notepad.pem")
	os.WriteFile(bom, append([]byte{0xEF, 0xBB, 0xBF}, data...), 0o600)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(key)
	keyOnly := filepath.Join(dir, "sleutel.pem")
	os.WriteFile(keyOnly, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), 0o600)
	keyAndCert := filepath.Join(dir, "beide.pem")
	os.WriteFile(keyAndCert, append(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), writeCertsData(t, 13)...), 0o600)
	r := run(t, "nl", "import", "--db", db, bom, keyOnly, keyAndCert)
	if r.code != 1 || !strings.Contains(r.stdout, "2 toegevoegd, 0 al aanwezig, 1 geweigerd") ||
		!strings.Contains(r.stdout, "sleutel.pem: bestand bevat alleen een privésleutel") ||
		!strings.Contains(r.stdout, "let op  "+keyAndCert+": 1 privésleutel gevonden en niet opgeslagen") {
		t.Errorf("%d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// A wrong password from --p12-password-file says so, and names the file;
// without one, the message says how to give it.
func TestPKCS12PasswordMessages(t *testing.T) {
	db := newDB(t)
	dir := t.TempDir()
	data := writeCertsData(t, 22)
	b, _ := pem.Decode(data)
	c, _ := x509.ParseCertificate(b.Bytes)
	p12, err := pkcs12.Modern.EncodeTrustStore([]*x509.Certificate{c}, "geheim")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "bundel.p12")
	os.WriteFile(file, p12, 0o600)
	wrong := filepath.Join(dir, "wachtwoord.txt")
	os.WriteFile(wrong, []byte("fout\n"), 0o600)
	r := run(t, "nl", "import", "--db", db, "--p12-password-file", wrong, file)
	if r.code != 1 || !strings.Contains(r.stdout, "onjuist wachtwoord in "+wrong) || strings.Contains(r.stdout, "gebruik --p12-password-file") {
		t.Errorf("wrong password in a file: %d %s", r.code, r.stdout)
	}
	r = run(t, "nl", "import", "--db", db, file)
	if r.code != 1 || !strings.Contains(r.stdout, "wachtwoord nodig of onjuist (geef het met --p12-password-file") {
		t.Errorf("no password: %d %s", r.code, r.stdout)
	}
	right := filepath.Join(dir, "goed.txt")
	os.WriteFile(right, []byte("geheim\r\n"), 0o600)
	if r := run(t, "nl", "import", "--db", db, "--p12-password-file", right, file); r.code != 0 || !strings.Contains(r.stdout, "1 toegevoegd") {
		t.Errorf("right password: %d %s %s", r.code, r.stdout, r.stderr)
	}
}

func writeCertsData(t *testing.T, seed uint64) []byte {
	files := writeCerts(t, t.TempDir(), 1, seed)
	data, _ := os.ReadFile(files[0])
	return data
}

// Ctrl-C and SIGTERM end a command that waits (a password file nobody
// writes yet, an output nobody reads), with 130 or 143, and leave the
// database usable.
func TestSignalsEndCommands(t *testing.T) {
	db := newDB(t)
	dir := t.TempDir()
	// Enough lines of report to fill a pipe (64 KiB) nobody reads.
	certs := writeCerts(t, dir, 1500, 14)

	// A password FIFO that a writer holds open but never writes to.
	fifo := filepath.Join(t.TempDir(), "wachtwoord")
	if err := mkfifo(fifo); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	cmd := process("import", "--db", db, "--p12-password-file", fifo, certs[0])
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0) // waits for the child's open
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Signal(os.Interrupt)
	if code := waitExit(t, cmd, 10*time.Second); code != 130 {
		t.Errorf("Ctrl-C while reading the password: exit %d, %s", code, stderr.String())
	}

	// An import whose output nobody reads: it stores, releases the
	// database, then waits on the pipe until SIGTERM ends it.
	cmd = process("import", "--db", db, dir)
	out, _ := cmd.StdoutPipe() // never read
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the database is released: the import is stored.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if r := run(t, "nl", "list", "--db", db, "--status", "alle"); r.code == 0 && strings.Contains(r.stdout, "1500 certificaten") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the import did not store, or kept the database")
		}
		time.Sleep(100 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if code := waitExit(t, cmd, 10*time.Second); code != 143 {
		t.Errorf("SIGTERM with unread output: exit %d", code)
	}
	out.Close()

	// SIGTERM in the middle of an import: all of it or nothing.
	more := writeCerts(t, t.TempDir(), 2000, 15)
	cmd = process(append([]string{"import", "--db", db}, more...)...)
	cmd.Stdout = io.Discard
	cmd.Start()
	time.Sleep(150 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	code := waitExit(t, cmd, 20*time.Second)
	r := run(t, "nl", "list", "--db", db, "--status", "alle")
	if !strings.Contains(r.stdout, "\n1500 certificaten\n") && !strings.Contains(r.stdout, "\n3500 certificaten\n") {
		t.Errorf("after SIGTERM (exit %d) part of an import landed: %s", code, r.stdout[strings.LastIndex(r.stdout[:len(r.stdout)-1], "\n"):])
	}
}

func waitExit(t *testing.T, cmd *exec.Cmd, limit time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return cmd.ProcessState.ExitCode()
	case <-time.After(limit):
		cmd.Process.Kill()
		<-done
		t.Fatalf("the process did not end within %v", limit)
		return -1
	}
}

// A damaged database file gives "beschadigd", what could still be read and
// how to restore it: never a crash, never a silent "none".
func TestDamagedDatabaseAsAProcess(t *testing.T) {
	db := newDB(t)
	run(t, "nl", append([]string{"import", "--db", db}, writeCerts(t, t.TempDir(), 200, 16)...)...)
	if r := run(t, "nl", "db", "backup", filepath.Join(t.TempDir(), "kopie.db"), "--db", db); r.code != 0 {
		t.Fatalf("backup: %d %s", r.code, r.stderr)
	}
	orig, _ := os.ReadFile(db)
	// The part in use: "N pagina's van 4096 bytes" in db check.
	var pages, pageSize int
	r := run(t, "nl", "db", "check", "--db", db)
	if i := strings.Index(r.stdout, "bytes, "); i < 0 {
		t.Fatalf("check: %s", r.stdout)
	} else {
		fmt.Sscanf(r.stdout[i+len("bytes, "):], "%d pagina's van %d bytes", &pages, &pageSize)
	}
	used := pages * pageSize
	if used == 0 || used > len(orig) {
		t.Fatalf("check: %s", r.stdout)
	}
	for _, size := range []int{8 << 10, 12 << 10, 16 << 10, used / 2, used - pageSize} {
		path := filepath.Join(t.TempDir(), "kapot.db")
		os.WriteFile(path, orig[:size], 0o600)
		// The checkpoint beside it, as a copied folder has it.
		if head, err := os.ReadFile(db + ".journal-head"); err == nil {
			os.WriteFile(path+".journal-head", head, 0o600)
		}
		// Every verb that reads: what a damaged file still gives is not the
		// whole answer ("0 certificaten", exit 0 misled monitoring).
		for _, args := range [][]string{{"list"}, {"expiring", "--days", "36500"}, {"import", writeCerts(t, t.TempDir(), 1, 17)[0]}, {"db", "check"},
			{"revocation", "status"}, {"audit", "list"}, {"audit", "verify"}, {"trust", "list"}, {"order", "list"}, {"settings"},
			{"org", "show"}, {"org", "people"}, {"org", "changes"}, {"brp", "list"}} {
			cmd := process(append([]string{"--db", path}, args...)...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			cmd.Run()
			code := cmd.ProcessState.ExitCode()
			all := stdout.String() + stderr.String()
			if strings.Contains(all, "goroutine") || strings.Contains(all, "fatal error") || strings.Contains(all, "panic") {
				t.Fatalf("%d bytes, %s: crashed:\n%s", size, args, all)
			}
			want := 2
			if args[0] == "db" {
				want = 1
			}
			if code != want || !strings.Contains(all, "beschadigd") {
				t.Errorf("%d bytes, %s: exit %d\n%s", size, args, code, all)
			}
			if strings.Contains(all, "zijn verwijderd") {
				t.Errorf("%d bytes, %s: damage taken for removed journal entries:\n%s", size, args, all)
			}
			if args[0] != "import" && !strings.Contains(stderr.String(), "Herstellen: zet een reservekopie terug") {
				t.Errorf("%d bytes: no restore hint: %s", size, stderr.String())
			}
		}
	}
}

// A database the user may only read can be listed.
func TestReadOnlyDatabaseCanBeListed(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	if r := run(t, "nl", "init", "--db", db); r.code != 0 {
		t.Fatal(r.stderr)
	}
	run(t, "nl", append([]string{"import", "--db", db}, writeCerts(t, t.TempDir(), 3, 18)...)...)
	os.Chmod(db, 0o444)
	os.Chmod(db+".journal-head", 0o444)
	os.Chmod(dir, 0o755)
	listCmd := process("list", "--db", db, "--status", "alle")
	importCmd := process("import", "--db", db, writeCerts(t, t.TempDir(), 1, 19)[0])
	csvCmd := process("list", "--db", db, "--csv", filepath.Join(t.TempDir(), "lijst.csv"))
	// Every command that only reads works on it too.
	readers := []*exec.Cmd{
		process("audit", "verify", "--db", db), process("audit", "list", "--db", db),
		process("trust", "list", "--db", db), process("order", "list", "--db", db),
		process("org", "changes", "--db", db), process("expiring", "--db", db, "--days", "30"),
		process("brp", "list", "--db", db), process("org", "show", "--db", db), process("org", "people", "--db", db),
		process("settings", "--db", db), process("revocation", "status", "--db", db),
	}
	if os.Geteuid() == 0 {
		// Root may write anything: the child runs as nobody, from a copy of
		// this binary it may execute, in folders it may enter.
		bin := filepath.Join(t.TempDir(), "pkiodesk.test")
		data, _ := os.ReadFile(os.Args[0])
		os.WriteFile(bin, data, 0o755)
		for _, d := range []string{filepath.Dir(bin), dir, filepath.Dir(dir)} {
			os.Chmod(d, 0o755)
		}
		for _, cmd := range append([]*exec.Cmd{listCmd, importCmd, csvCmd}, readers...) {
			cmd.Path, cmd.Args[0] = bin, bin
			asNobody(cmd)
			cmd.Dir = "/"
		}
	}
	out, err := listCmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "3 certificaten") {
		t.Errorf("list of a read-only database: %v\n%s", err, out)
	}
	out, _ = csvCmd.CombinedOutput()
	if csvCmd.ProcessState.ExitCode() != 2 || !strings.Contains(string(out), "daarvoor moet de database beschrijfbaar zijn") {
		t.Errorf("list --csv of a read-only database: %d\n%s", csvCmd.ProcessState.ExitCode(), out)
	}
	out, _ = importCmd.CombinedOutput()
	if importCmd.ProcessState.ExitCode() != 2 || !strings.Contains(string(out), "geen toegang") {
		t.Errorf("import into a read-only database: %d\n%s", importCmd.ProcessState.ExitCode(), out)
	}
	for _, cmd := range readers {
		out, _ := cmd.CombinedOutput()
		if code := cmd.ProcessState.ExitCode(); code == 2 || strings.Contains(string(out), "geen toegang") {
			t.Errorf("%s on a read-only database: %d\n%s", cmd.Env[len(cmd.Env)-3], code, out)
		}
	}
}

// One damaged record: the others are listed, the damaged one is named, and
// the exit status says not all is well.
func TestDamagedRecordIsNamed(t *testing.T) {
	db := newDB(t)
	files := writeCerts(t, t.TempDir(), 10, 20)
	run(t, "nl", append([]string{"import", "--db", db}, files...)...)
	data, _ := os.ReadFile(files[3])
	b, _ := pem.Decode(data)
	c, _ := x509.ParseCertificate(b.Bytes)
	file, _ := os.ReadFile(db)
	// The Common Name appears in the record (and in the DER): change the
	// record's copy, which comes first in the file or not; try both.
	idx := bytes.Index(file, []byte(c.Subject.CommonName))
	for idx >= 0 && bytes.Contains(b.Bytes, file[idx-20:idx]) {
		next := bytes.Index(file[idx+1:], []byte(c.Subject.CommonName))
		if next < 0 {
			idx = -1
			break
		}
		idx += 1 + next
	}
	if idx < 0 {
		t.Fatal("record not found")
	}
	file[idx] ^= 0x20
	os.WriteFile(db, file, 0o600)
	r := run(t, "nl", "list", "--db", db, "--status", "alle")
	if r.code != 2 || !strings.Contains(r.stdout, "9 certificaten") || !strings.Contains(r.stderr, "1 beschadigd record overgeslagen: "+c.Subject.CommonName) {
		t.Errorf("%d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if n := strings.Count(r.stderr, "beschadigd record overgeslagen"); n != 1 {
		t.Errorf("list names the damaged record %d times", n)
	}
	r = run(t, "nl", "expiring", "--db", db, "--days", "1")
	if r.code != 2 {
		t.Errorf("expiring with a damaged record: exit %d", r.code)
	}
	// Every verb that reads the inventory says what it went without.
	r = run(t, "nl", "revocation", "status", "--db", db)
	if r.code != 2 || !strings.Contains(r.stderr, "1 beschadigd record overgeslagen: "+c.Subject.CommonName) {
		t.Errorf("revocation status with a damaged record: %d\n%s", r.code, r.stderr)
	}
	r = run(t, "nl", "db", "check", "--db", db)
	if r.code != 1 || !strings.Contains(r.stdout, c.Subject.CommonName) {
		t.Errorf("check: %d %s", r.code, r.stdout)
	}
	// Importing still works beside the damaged record.
	if r := run(t, "nl", "import", "--db", db, writeCerts(t, t.TempDir(), 1, 21)[0]); r.code != 0 {
		t.Errorf("import beside a damaged record: %d %s %s", r.code, r.stdout, r.stderr)
	}
}

// runToFile runs a command whose standard output is the file at path,
// opened for appending as a shell's ">>" does.
func runToFile(t *testing.T, path string, args ...string) result {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var errb bytes.Buffer
	env := Env{
		Stdin: strings.NewReader(""), Stdout: f, Stderr: &errb, Now: func() time.Time { return testNow },
		Getenv: func(k string) string { return map[string]string{"LANG": "nl_NL.UTF-8"}[k] },
	}
	return result{Run(context.Background(), args, env), "", errb.String()}
}

// An output file that is the database (or its journal head), directly or
// through a link, is refused and the database stays as it was; an output
// file that is where standard output goes (/dev/stdout with ">> log") is
// written in place, so the log keeps what it held.
func TestOutputNeverOverTheDatabaseOrStdout(t *testing.T) {
	db := newDB(t)
	run(t, "nl", append([]string{"import", "--db", db}, writeCerts(t, t.TempDir(), 3, 11)...)...)
	before, _ := os.ReadFile(db)
	link := filepath.Join(t.TempDir(), "link.csv")
	os.Symlink(db, link)
	for _, args := range [][]string{
		{"list", "--db", db, "--csv", db},
		{"list", "--db", db, "--csv", link},
		{"list", "--db", db, "--csv", db + ".journal-head"},
		{"audit", "export", "--db", db, "--csv", db},
		{"db", "backup", "--db", db, link},
	} {
		r := run(t, "nl", args...)
		if r.code != 2 || !strings.Contains(r.stderr, "is de database van pkiodesk") {
			t.Errorf("%v: %d %s", args, r.code, r.stderr)
		}
	}
	if now, _ := os.ReadFile(db); !bytes.Equal(now, before) {
		t.Fatal("the database changed")
	}
	if r := run(t, "nl", "list", "--db", db, "--status", "alle"); r.code != 0 || !strings.Contains(r.stdout, "3 certificaten") {
		t.Fatalf("database after the refusals: %d %s %s", r.code, r.stdout, r.stderr)
	}

	logFile := filepath.Join(t.TempDir(), "app.log")
	os.WriteFile(logFile, []byte("eerdere regel\n"), 0o600)
	for _, args := range [][]string{
		{"list", "--db", db, "--status", "alle", "--csv", logFile},
		{"audit", "export", "--db", db, "--csv", logFile},
	} {
		if r := runToFile(t, logFile, args...); r.code != 0 {
			t.Fatalf("%v: %d %s", args, r.code, r.stderr)
		}
	}
	data, _ := os.ReadFile(logFile)
	if !strings.HasPrefix(string(data), "eerdere regel\n\uFEFFSoort;") || strings.Count(string(data), "\uFEFF") != 2 {
		t.Errorf("the log was not appended to:\n%s", data)
	}
	if r := runToFile(t, logFile, "db", "backup", "--db", db, logFile); r.code != 2 || !strings.Contains(r.stderr, "niet naar de standaarduitvoer") {
		t.Errorf("backup to standard output: %d %s", r.code, r.stderr)
	}
	if after, _ := os.ReadFile(logFile); !bytes.Equal(after, data) {
		t.Error("the backup refusal changed the log")
	}
}

// revocation status and refresh never make a database: a mistyped --db or
// PKIODESK_DB is an error, not "0 certificaten".
func TestRevocationNeedsADatabase(t *testing.T) {
	dir := t.TempDir()
	for _, verb := range []string{"status", "refresh"} {
		missing := filepath.Join(dir, "typo", verb+".db")
		r := run(t, "nl", "revocation", verb, "--db", missing)
		if r.code != 2 || !strings.Contains(r.stderr, "bestaat niet") {
			t.Errorf("%s on a missing database: %d %s %s", verb, r.code, r.stdout, r.stderr)
		}
		if _, err := os.Stat(filepath.Dir(missing)); err == nil {
			t.Errorf("%s made %s", verb, filepath.Dir(missing))
		}
	}
	db := newDB(t)
	run(t, "nl", append([]string{"import", "--db", db}, writeCerts(t, t.TempDir(), 2, 12)...)...)
	// Not yet checked: unknown, exit 1 (monitoring never reads that as fine).
	if r := run(t, "nl", "revocation", "status", "--db", db); r.code != 1 || !strings.Contains(r.stdout, "2 certificaten") {
		t.Errorf("status: %d %s %s", r.code, r.stdout, r.stderr)
	}
}

// init over an empty file made beforehand (touch with a loose umask) makes a
// database only its owner can read and write.
func TestInitMakesAPrivateDatabase(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes")
	}
	db := filepath.Join(t.TempDir(), "p.db")
	os.WriteFile(db, nil, 0o600)
	os.Chmod(db, 0o666)
	if r := run(t, "nl", "init", "--db", db); r.code != 0 {
		t.Fatalf("init: %d %s", r.code, r.stderr)
	}
	if fi, _ := os.Stat(db); fi.Mode().Perm() != 0o600 {
		t.Errorf("database mode %v", fi.Mode().Perm())
	}
}

// --csv-separator takes what keeps the rows' cells apart (; , | tab) and
// refuses what would change them (a quote, a line break, a letter).
func TestCSVSeparators(t *testing.T) {
	db := newDB(t)
	run(t, "nl", append([]string{"import", "--db", db}, writeCerts(t, t.TempDir(), 2, 13)...)...)
	for _, sep := range []string{"\t", ",", "|"} {
		r := run(t, "nl", "list", "--db", db, "--status", "alle", "--csv", "-", "--csv-separator", sep)
		lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(r.stdout, "\uFEFF")), "\n")
		if r.code != 0 || len(lines) != 3 || strings.Count(lines[0], sep) != len(strings.Split(lines[0], sep))-1 || !strings.HasPrefix(lines[0], "Soort"+sep) {
			t.Errorf("separator %q: %d %q %s", sep, r.code, r.stdout, r.stderr)
		}
	}
	for _, sep := range []string{`"`, "\n", "x", "", ";;"} {
		if r := run(t, "nl", "list", "--db", db, "--csv", "-", "--csv-separator", sep); r.code != 2 || !strings.Contains(r.stderr, "scheidingsteken moet ; , | of een tab zijn") {
			t.Errorf("separator %q: %d %s", sep, r.code, r.stderr)
		}
	}
}

// Output that cannot be written (a full disk) fails the command: a script
// must not read an empty answer as "nothing found".
func TestOutputThatCannotBeWrittenFails(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full here")
	}
	defer full.Close()
	db := newDB(t)
	run(t, "nl", append([]string{"import", "--db", db}, writeCerts(t, t.TempDir(), 2, 14)...)...)
	for _, args := range [][]string{
		{"list", "--db", db},
		{"expiring", "--db", db, "--days", "36500"},
		{"db", "check", "--db", db},
		{"list", "--db", db, "--csv", "-"},
	} {
		var errb bytes.Buffer
		env := Env{
			Stdin: strings.NewReader(""), Stdout: full, Stderr: &errb, Now: func() time.Time { return testNow },
			Getenv: func(k string) string { return map[string]string{"LANG": "nl_NL.UTF-8"}[k] },
		}
		code := Run(context.Background(), args, env)
		msg := errb.String()
		if code != 2 || !strings.Contains(msg, "schijf is vol") || strings.Count(msg, "kan niet worden geschreven") != 1 {
			t.Errorf("%v: %d %q", args, code, msg)
		}
	}
}

// A checkpoint file that cannot be written after the change landed does
// not turn a stored import into a failure: exit 0, with a warning.
func TestImportWithUnwritableCheckpointSucceeds(t *testing.T) {
	db := newDB(t)
	head := db + ".journal-head"
	os.Remove(head)
	if err := os.Mkdir(head, 0o700); err != nil {
		t.Fatal(err)
	}
	r := run(t, "nl", append([]string{"import", "--db", db}, writeCerts(t, t.TempDir(), 2, 21)...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "2 toegevoegd") || !strings.Contains(r.stderr, "controlepunt van het logboek kon niet worden bijgewerkt") {
		t.Errorf("import: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, "nl", "list", "--db", db, "--status", "alle"); !strings.Contains(r.stdout, "2 certificaten") {
		t.Errorf("list: %d %s %s", r.code, r.stdout, r.stderr)
	}
}

// A file that cannot be written is reported by the folder or file the user
// named, never by a temporary file of ours; a backup that cannot be written
// is not blamed on reading the database.
func TestWriteErrorsNameTheUsersPath(t *testing.T) {
	db := newDB(t)
	missing := filepath.Join(t.TempDir(), "bestaat-niet")
	for _, args := range [][]string{
		{"list", "--db", db, "--csv", filepath.Join(missing, "x.csv")},
		{"db", "backup", "--db", db, filepath.Join(missing, "x.db")},
	} {
		r := run(t, "nl", args...)
		if r.code != 2 || !strings.Contains(r.stderr, missing+": bestaat niet") || strings.Contains(r.stderr, ".pkiodesk-") || strings.Contains(r.stderr, "lezen uit de database") {
			t.Errorf("%v: %d %s", args, r.code, r.stderr)
		}
	}
}

// "help VERB" shows that verb's usage; an unknown word after help is
// refused instead of answered with the general help.
func TestHelpTakesAVerb(t *testing.T) {
	if r := run(t, "nl", "help", "expiring"); r.code != 0 || !strings.Contains(r.stdout, "--days") {
		t.Errorf("help expiring: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, "nl", "help", "extra"); r.code != 2 || r.stdout != "" {
		t.Errorf("help extra: %d %q %s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, "nl", "help", "list", "extra"); r.code != 2 {
		t.Errorf("help list extra: %d %s", r.code, r.stderr)
	}
}

// A file system that refuses to grow a file (the file-size limit stands in
// for a full disk, which a test cannot make without mounting one): every
// command says so in the user's language, names no temporary file of ours,
// does not blame reading the database, and leaves no half-made database.
func TestFullDiskSaysSoInWords(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash here for ulimit")
	}
	limited := func(kb int, args ...string) result {
		t.Helper()
		p := process(args...)
		cmd := exec.Command(bash, append([]string{"-c", fmt.Sprintf(`ulimit -f %d && exec "$@"`, kb), "bash", p.Path}, p.Args[1:]...)...)
		cmd.Env = p.Env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		cmd.Run()
		return result{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
	}
	db := newDB(t)
	run(t, "nl", append([]string{"import", "--db", db}, writeCerts(t, t.TempDir(), 40, 31)...)...)
	dir := t.TempDir()
	fresh := filepath.Join(dir, "nieuw.db")
	for _, trial := range []struct {
		kb   int
		args []string
	}{
		{8, []string{"init", "--db", fresh}},
		{64, []string{"db", "backup", "--db", db, filepath.Join(dir, "kopie.db")}},
		{1, []string{"list", "--db", db, "--status", "alle", "--csv", filepath.Join(dir, "lijst.csv")}},
	} {
		r := limited(trial.kb, trial.args...)
		if r.code != 2 || !strings.Contains(r.stderr, "groter dan het systeem toestaat") {
			t.Errorf("%v: %d %s", trial.args, r.code, r.stderr)
		}
		for _, wrong := range []string{".pkiodesk-", "file too large", "lezen uit de database", "copy:", "opgeslagen, maar"} {
			if strings.Contains(r.stderr, wrong) {
				t.Errorf("%v says %q: %s", trial.args, wrong, r.stderr)
			}
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left behind: %v (a half-made database is called damaged by every later command)", entries)
	}
}

// Standard error named as the output file is written in place, as standard
// output is; another descriptor of the process (/dev/fd/3) is refused: a
// rename over the file it names would replace the user's log.
func TestOutputOntoDescriptorsKeepsTheLog(t *testing.T) {
	if _, err := os.Stat("/dev/fd/0"); err != nil {
		t.Skip("no /dev/fd here")
	}
	db := newDB(t)
	run(t, "nl", append([]string{"import", "--db", db}, writeCerts(t, t.TempDir(), 3, 41)...)...)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "fouten.log")
	os.WriteFile(logPath, []byte("oude regel\n"), 0o600)
	log, _ := os.OpenFile(logPath, os.O_WRONLY|os.O_APPEND, 0)
	cmd := process("list", "--db", db, "--status", "alle", "--csv", "/dev/stderr")
	cmd.Stderr = log
	cmd.Run()
	log.Close()
	got, _ := os.ReadFile(logPath)
	if cmd.ProcessState.ExitCode() != 0 || !strings.HasPrefix(string(got), "oude regel\n") || !strings.Contains(string(got), "SHA-256") {
		t.Errorf("--csv /dev/stderr 2>>log: exit %d, log %q", cmd.ProcessState.ExitCode(), got)
	}
	other := filepath.Join(dir, "ander.log")
	viaLink := filepath.Join(dir, "x.csv")
	os.Symlink("/dev/fd/3", viaLink)
	for _, args := range [][]string{
		{"list", "--db", db, "--csv", "/dev/fd/3"},
		{"audit", "export", "--db", db, "--csv", "/proc/self/fd/3"},
		{"db", "backup", "--db", db, "/dev/fd/3"},
		// The same file by a link or by its own name: the check must look
		// at what is open, not at how the path is spelled.
		{"list", "--db", db, "--csv", viaLink},
		{"audit", "export", "--db", db, "--csv", viaLink},
		{"db", "backup", "--db", db, viaLink},
		{"list", "--db", db, "--csv", other},
	} {
		os.WriteFile(other, []byte("oude regel\n"), 0o600)
		f, _ := os.OpenFile(other, os.O_WRONLY|os.O_APPEND, 0)
		cmd := process(args...)
		cmd.ExtraFiles = []*os.File{f}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		cmd.Run()
		f.Close()
		got, _ := os.ReadFile(other)
		if cmd.ProcessState.ExitCode() != 2 || string(got) != "oude regel\n" || !strings.Contains(stderr.String(), "bestandsbeschrijver") {
			t.Errorf("%v 3>>log: exit %d, log %q, %s", args, cmd.ProcessState.ExitCode(), got[:min(len(got), 120)], stderr.String())
		}
	}
}

// Help speaks one language: no Go "(default …)" or type names in Dutch, no
// Dutch words to fill in in English.
func TestHelpInOneLanguage(t *testing.T) {
	for _, verb := range [][]string{{"list"}, {"expiring"}, {"audit", "export"}, {"report"}, {"seal"}, {"csr"}, {"brp", "add"}, {"audit"}, {"org"}} {
		nl := run(t, "nl", append(verb, "--help")...)
		if strings.Contains(nl.stdout, "(default") || strings.Contains(nl.stdout, " string\n") {
			t.Errorf("%v in Dutch:\n%s", verb, nl.stdout)
		}
		en := run(t, "en_GB.UTF-8", append(verb, "--help")...)
		first := strings.SplitN(en.stdout, "\n", 2)[0]
		for _, word := range []string{"BESTAND", "DAG", "PAD", "NAAM", "SLEUTEL", "TEKST", "KOLOM", "opties"} {
			if strings.Contains(first, word) {
				t.Errorf("%v in English: %q", verb, first)
			}
		}
	}
}

// An option given twice is refused (which one was meant?); options that
// collect may repeat.
func TestRepeatedOptionIsRefused(t *testing.T) {
	db := newDB(t)
	r := run(t, "nl", "expiring", "--db", db, "--days", "30", "--days", "1")
	if r.code != 2 || !strings.Contains(r.stderr, "optie --days is meer dan eens gegeven") {
		t.Errorf("--days twice: %d %s", r.code, r.stderr)
	}
	r = run(t, "nl", "csr", "--db", db, "--fqdn", "a.voorbeeld.nl", "--fqdn", "b.voorbeeld.nl", "--help")
	if r.code != 0 {
		t.Errorf("--fqdn twice: %d %s", r.code, r.stderr)
	}
}

// A password FIFO whose writer comes later (a slow <(…)) is waited for,
// not read as empty.
func TestPasswordFIFOWaitsForItsWriter(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "wachtwoord")
	if err := mkfifo(fifo); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	go func() {
		time.Sleep(200 * time.Millisecond)
		if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			w.WriteString("geheim\n")
			w.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if pw, err := readSecret(ctx, fifo); err != nil || pw != "geheim" {
		t.Errorf("password %q, %v", pw, err)
	}
}

// Afnemers a damaged leaf page hides (its element count lowered) are not
// answered as the whole list: brp list says how many are missing and exits
// 2, and db check finds it. Before, the list was short with exit 0.
func TestHiddenAfnemersAreSaid(t *testing.T) {
	db := newDB(t)
	for i := 10; i < 41; i++ {
		r := run(t, "nl", "brp", "add", "--db", db, "--afnemer", fmt.Sprintf("0000%d", i), "--name", fmt.Sprintf("Gemeente nummer %d met een lange naam", i),
			"--oin", "00000001822100824000", "--host", fmt.Sprintf("lap%d.gbav.idm.diginetwerk.net", i))
		if r.code != 0 {
			t.Fatalf("brp add: %d %s", r.code, r.stderr)
		}
	}
	data, _ := os.ReadFile(db)
	const pageSize = 4096
	damaged := false
	for id := 2; id < len(data)/pageSize && !damaged; id++ {
		p := data[id*pageSize : (id+1)*pageSize]
		count := int(p[10]) | int(p[11])<<8
		if p[8] == 0x02 && count > 3 && bytes.Contains(p, []byte("Gemeente nummer 25")) {
			p[10] = byte(count - 3)
			damaged = true
		}
	}
	if !damaged {
		t.Fatal("no leaf page holds the afnemers: the test damages the wrong place")
	}
	os.WriteFile(db, data, 0o600)
	r := run(t, "nl", "brp", "list", "--db", db)
	if r.code != 2 || !strings.Contains(r.stderr, "3 records ontbreken in de BRP-afnemers") {
		t.Errorf("brp list: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, "nl", "db", "check", "--db", db); r.code != 1 || !strings.Contains(r.stdout+r.stderr, "ontbreken in de BRP-afnemers") {
		t.Errorf("db check: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
