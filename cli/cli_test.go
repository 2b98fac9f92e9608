package cli

import (
	"bytes"
	"context"
	"encoding/pem"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pkiodesk/app/demo"
	"pkiodesk/internal/fixture"
)

var testNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

type result struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, lang string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Now: func() time.Time { return testNow },
		Getenv: func(k string) string {
			if k == "LANG" {
				return lang
			}
			return ""
		},
	}
	code := Run(context.Background(), args, env)
	return result{code, out.String(), errb.String()}
}

// newDB makes an empty database with `init`, as a user would.
func newDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "p.db")
	if r := run(t, "nl", "init", "--db", db); r.code != 0 || !strings.Contains(r.stdout, "nieuwe database gemaakt") {
		t.Fatalf("init: %d %s %s", r.code, r.stdout, r.stderr)
	}
	return db
}

func pkioFiles(t *testing.T) []string {
	files, _ := filepath.Glob(filepath.Join(fixture.PKIoDir(t), "*.crt"))
	if len(files) != 8 {
		fixture.Missing(t, "PKIo certificates")
	}
	return files
}

func TestImportAndListRealCertificates(t *testing.T) {
	db := newDB(t)
	garbage := filepath.Join(t.TempDir(), "kapot.pem")
	os.WriteFile(garbage, []byte("geen certificaat"), 0o600)

	// Flags after the file arguments work too.
	args := append([]string{"import"}, pkioFiles(t)...)
	args = append(args, garbage, "--db", db)
	r := run(t, "nl_NL.UTF-8", args...)
	if r.code != 1 {
		t.Fatalf("import with a rejected file: exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "1 toegevoegd, 0 al aanwezig, 1 geweigerd, 7 uitgevers") ||
		!strings.Contains(r.stdout, "geweigerd  "+garbage+": geen certificaat") {
		t.Errorf("Dutch report:\n%s", r.stdout)
	}

	r = run(t, "en_GB.UTF-8", "--db", db, "import", pkioFiles(t)[0])
	if r.code != 0 || !strings.Contains(r.stdout, "0 added, 1 already present, 0 rejected, 0 issuers") {
		t.Errorf("English re-import: %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	r = run(t, "nl_NL.UTF-8", "list", "--db", db, "--status", "verlopen", "--kind", "server")
	if r.code != 0 || !strings.Contains(r.stdout, "lap.gbav.idm.diginetwerk.net") || !strings.Contains(r.stdout, "00000001822100824000") ||
		!strings.Contains(r.stdout, "Verlopen") || !strings.Contains(r.stdout, "\n1 certificaat\n") {
		t.Errorf("list expired: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, "nl_NL.UTF-8", "list", "--db", db)
	if !strings.Contains(r.stdout, "0 certificaten") {
		t.Errorf("default status is Geldig, the RvIG certificate is expired:\n%s", r.stdout)
	}
	csvPath := filepath.Join(t.TempDir(), "lijst.csv")
	r = run(t, "en_US.UTF-8", "list", "--db="+db, "--status=all", "--csv", csvPath)
	data, _ := os.ReadFile(csvPath)
	if r.code != 0 || !bytes.HasPrefix(data, []byte("\xEF\xBB\xBFKind;Type;Common Name;")) ||
		!bytes.Contains(data, []byte("Server certificate;PKIo Private G1;lap.gbav.idm.diginetwerk.net;")) {
		t.Errorf("csv: %d %s\n%s", r.code, r.stderr, data)
	}
}

func TestExpiringExitStatus(t *testing.T) {
	db := newDB(t)
	gen, err := demo.NewGenerator(9, testNow)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	dir := t.TempDir()
	for i := 0; i < 40; i++ {
		der, _ := gen.NextMixed()
		p := filepath.Join(dir, "c"+string(rune('a'+i%26))+string(rune('a'+i/26))+".pem")
		os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
		files = append(files, p)
	}
	if r := run(t, "nl", append([]string{"import", "--db", db}, files...)...); r.code != 0 {
		t.Fatalf("import: %s %s", r.stdout, r.stderr)
	}
	// 0 days looks at nothing, so it is refused rather than answered "geen".
	r := run(t, "nl", "expiring", "--days", "0", "--db", db)
	if r.code != 2 || !strings.Contains(r.stderr, "geheel getal van 1 tot en met 36500") {
		t.Errorf("--days 0: %d %s", r.code, r.stderr)
	}
	r = run(t, "nl", "expiring", "--days", "1", "--db", db)
	if r.code != 0 || !strings.Contains(r.stdout, "geen geldige certificaten") {
		t.Errorf("--days 1: %d %s", r.code, r.stdout)
	}
	r = run(t, "nl", "expiring", "--days", "4000", "--db", db)
	if r.code != 1 || !strings.Contains(r.stdout, "verlopen binnen 4000 dagen") {
		t.Errorf("--days 4000: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, "nl", "expiring", "--days", "-3", "--db", db); r.code != 2 || !strings.Contains(r.stderr, "geheel getal van 1 tot en met 36500") {
		t.Errorf("--days -3: %d %s", r.code, r.stderr)
	}
}

func TestHelpAndErrors(t *testing.T) {
	for _, cmd := range []string{"import", "list", "expiring", "version"} {
		r := run(t, "nl", cmd, "--help")
		if r.code != 0 || !strings.Contains(r.stdout, "Gebruik: pkiodesk "+cmd) || !strings.Contains(r.stdout, "-db") {
			t.Errorf("%s --help: %d\n%s", cmd, r.code, r.stdout)
		}
	}
	if r := run(t, "en", "--help"); r.code != 0 || !strings.Contains(r.stdout, "Commands:") {
		t.Errorf("--help: %s", r.stdout)
	}
	if r := run(t, "nl", "bestaatniet"); r.code != 2 || !strings.Contains(r.stderr, "onbekend commando") {
		t.Errorf("unknown: %s", r.stderr)
	}
	db := newDB(t)
	if r := run(t, "nl", "list", "--db", db, "--status", "kapot"); r.code != 2 || !strings.Contains(r.stderr, "onbekende status") {
		t.Errorf("bad status: %s", r.stderr)
	}
	if r := run(t, "en", "list", "--db", db, "--sort", "nope:desc"); r.code != 2 || !strings.Contains(r.stderr, "unknown column") {
		t.Errorf("bad sort: %s", r.stderr)
	}
	if r := run(t, "nl", "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "pkiodesk 0.") {
		t.Errorf("version: %s", r.stdout)
	}
}

func TestSettings(t *testing.T) {
	db := newDB(t)
	// A PKCS#11 library of its own (a copy of SoftHSM's): settings only
	// takes files that are one.
	module := filepath.Join(t.TempDir(), "libmijnkaart.so")
	lib, err := os.ReadFile(needCard(t).Module)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(module, lib, 0o600)
	// The chosen language applies at once, to this very output.
	if r := run(t, "nl", "settings", "--db", db, "--add-module", module, "--lang", "en"); r.code != 0 || !strings.Contains(r.stdout, module) || !strings.Contains(r.stdout, "Language: en") {
		t.Errorf("add: %d %s %s", r.code, r.stdout, r.stderr)
	}
	// From now on this database speaks English, whatever the locale says.
	if r := run(t, "nl", "settings", "--db", db, "--add-module", "relatief.so"); r.code != 2 || !strings.Contains(r.stderr, "full path") {
		t.Errorf("relative path: %d %s", r.code, r.stderr)
	}
	if r := run(t, "nl", "list", "--db", db); r.code != 0 || !strings.Contains(r.stdout, "0 certificates") || !strings.Contains(r.stdout, "Expiry date") {
		t.Errorf("list after --lang en: %d %s", r.code, r.stdout)
	}
	if r := run(t, "nl", "settings", "--db", db, "--lang", "nl"); r.code != 0 || !strings.Contains(r.stdout, "Taal: nl") {
		t.Errorf("back to Dutch: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, "nl", "settings", "--db", db, "--add-module", "/bestaat/niet.so"); r.code != 2 || !strings.Contains(r.stderr, "geen bestand") {
		t.Errorf("missing file: %d %s", r.code, r.stderr)
	}
	if r := run(t, "nl", "settings", "--db", db, "--lang", "fr"); r.code != 2 || !strings.Contains(r.stderr, "onbekende taal") {
		t.Errorf("bad language: %d %s", r.code, r.stderr)
	}
	if r := run(t, "nl", "settings", "--db", db, "--lang", ""); r.code != 2 || !strings.Contains(r.stderr, "--lang mag niet leeg zijn") {
		t.Errorf("empty language: %d %s", r.code, r.stderr)
	}
	// The configured module shows up in the doctor report, first.
	if r := run(t, "nl", "tokens", "--db", db); r.code != 0 || !strings.Contains(r.stdout, "libmijnkaart.so [configured] "+module) {
		t.Errorf("tokens with a configured module: %s", r.stdout)
	}
	if r := run(t, "nl", "settings", "--db", db, "--remove-module", module, "--lang", "auto"); r.code != 0 || strings.Contains(r.stdout, module) || !strings.Contains(r.stdout, "Taal: auto") {
		t.Errorf("remove: %d %s", r.code, r.stdout)
	}
}

// A signal that comes after a command's change landed (Ctrl-C just after
// an import committed) does not turn it into "interrupted", exit 130: the
// report then says what was stored, and the status agrees. Before that, the
// signal's status stands.
func TestSignalAfterTheChangeLanded(t *testing.T) {
	for _, landed := range []bool{false, true} {
		ctx, cancel := context.WithCancelCause(context.Background())
		c := &call{env: Env{Stderr: io.Discard, Grace: time.Second}}
		code := runBody(ctx, c, func(context.Context) int {
			c.landed = landed
			cancel(Interrupted{os.Interrupt})
			return 0
		})
		want := 130
		if landed {
			want = 0
		}
		if code != want {
			t.Errorf("landed %v: exit %d, want %d", landed, code, want)
		}
	}
	// Any command's change, not only an import's: one that committed with
	// its journal entry, in a command that then finished without error. A
	// command that only read, or failed, keeps the signal's status.
	db := newDB(t)
	for _, trial := range []struct {
		change bool
		code   int
		want   int
	}{{false, 0, 130}, {true, 0, 0}, {true, 2, 130}} {
		ctx, cancel := context.WithCancelCause(context.Background())
		c := &call{env: Env{Stderr: io.Discard, Stdout: io.Discard, Grace: time.Second, Getenv: func(string) string { return "" }, Now: time.Now}, db: &db}
		code := runBody(ctx, c, func(ctx context.Context) int {
			a, err := c.openApp(ctx)
			if err != nil {
				t.Error(err)
				return 2
			}
			defer a.Close()
			if trial.change {
				if err := a.SetLanguage(ctx, "en"); err != nil {
					t.Error(err)
				}
			}
			cancel(Interrupted{os.Interrupt})
			return trial.code
		})
		if code != trial.want {
			t.Errorf("change %v, command's exit %d: exit %d, want %d", trial.change, trial.code, code, trial.want)
		}
	}
}
