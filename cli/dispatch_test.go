package cli

import (
	"strings"
	"testing"

	"pkiodesk/app/i18n"
)

func TestWantsWindow(t *testing.T) {
	tests := []struct {
		args []string
		want bool
	}{
		{nil, true},
		{[]string{"--demo"}, true},
		{[]string{"--demo-if-new"}, true},
		{[]string{"--db", "x.db"}, true},
		{[]string{"--db", "list"}, true}, // "list" is the value of --db here
		{[]string{"--db=x.db", "--demo"}, true},
		{[]string{"list"}, false},
		{[]string{"--db", "x.db", "import", "a.pem"}, false},
		{[]string{"--help"}, false},
		{[]string{"-h"}, false},
		{[]string{"version"}, false},
		// A word that is no command goes to Run, which refuses it: a typo
		// never opens the window (nor exits 0 on a server).
		{[]string{"lsit"}, false},
		{[]string{"--demo", "lsit"}, false},
		{[]string{"-"}, false},
	}
	for _, tt := range tests {
		if got := WantsWindow(tt.args); got != tt.want {
			t.Errorf("WantsWindow(%q) = %v, want %v", tt.args, got, tt.want)
		}
	}
}

func TestParseWindowOptions(t *testing.T) {
	o, err := ParseWindowOptions([]string{"--db", "a.db", "--demo-if-new"})
	if err != nil || o.DB != "a.db" || !o.DemoIfNew || o.Demo {
		t.Errorf("options %+v, %v", o, err)
	}
	_, err = ParseWindowOptions([]string{"--demo", "--dmeo=1"})
	if got := i18n.Localize(i18n.NL, err); got != "onbekende optie --dmeo=1 voor het venster (mogelijk: --db PAD, --demo, --demo-if-new)" {
		t.Errorf("unknown flag: %q", got)
	}
	_, err = ParseWindowOptions([]string{"--db"})
	if got := i18n.Localize(i18n.NL, err); got != "optie --db heeft een waarde nodig" {
		t.Errorf("--db without a value: %q", got)
	}
	// An empty --db must not fall back to PKIODESK_DB or the default.
	for _, args := range [][]string{{"--db", ""}, {"--db="}, {"--db", " "}, {"--demo", "-db="}} {
		if _, err := ParseWindowOptions(args); !i18n.Is(err, "err.db_path_empty") {
			t.Errorf("%q: %v", args, err)
		}
	}
	if _, err = ParseWindowOptions([]string{"--demo", "extra"}); !i18n.Is(err, "cli.unknown_command") {
		t.Errorf("stray word: %v", err)
	}
}

func TestUnknownCommandSuggests(t *testing.T) {
	tests := []struct{ word, suggestion string }{
		{"lsit", "list"},
		{"lits", "list"},
		{"verison", "version"},
		{"vers", "version"},
		{"token", "tokens"},
		{"sael", "seal"},
		{"verify", "verify-pdf"},
		{"settigns", "settings"},
		{"hlep", "help"},
		{"xyzzy", ""},
		{"s", ""}, // seal or settings: no guess
	}
	for _, tt := range tests {
		r := run(t, "en", tt.word, "--db", "x.db")
		if r.code != 2 || r.stdout != "" {
			t.Errorf("%s: exit %d, stdout %q", tt.word, r.code, r.stdout)
		}
		if !strings.HasPrefix(r.stderr, "pkiodesk: unknown command \""+tt.word+"\"\n") || !strings.Contains(r.stderr, "Commands:") ||
			!strings.Contains(r.stderr, "  verify-pdf ") {
			t.Errorf("%s: no error and command list:\n%s", tt.word, r.stderr)
		}
		hint := "Did you mean " + tt.suggestion + "?"
		if tt.suggestion == "" {
			if strings.Contains(r.stderr, "Did you mean") {
				t.Errorf("%s: a guess where none is close:\n%s", tt.word, r.stderr)
			}
		} else if !strings.Contains(r.stderr, hint) {
			t.Errorf("%s: want %q in\n%s", tt.word, hint, r.stderr)
		}
	}
	if r := run(t, "nl_NL.UTF-8", "lsit"); !strings.Contains(r.stderr, "onbekend commando \"lsit\"\nBedoelde u list?") {
		t.Errorf("Dutch:\n%s", r.stderr)
	}
}

func TestEditDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"list", "list", 0}, {"lsit", "list", 1}, {"lst", "list", 1}, {"kitten", "sitting", 3}, {"ab", "ba", 1}, {"ë", "e", 1}} {
		if got := editDistance(tt.a, tt.b); got != tt.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.d)
		}
	}
}

func TestCheckDisplay(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if err := CheckDisplay("linux", env(nil)); !i18n.Is(err, "cli.no_display") {
		t.Errorf("linux without display: %v", err)
	}
	if err := CheckDisplay("linux", env(map[string]string{"WAYLAND_DISPLAY": "wayland-0"})); err != nil {
		t.Error(err)
	}
	if err := CheckDisplay("freebsd", env(map[string]string{"DISPLAY": ":0"})); err != nil {
		t.Error(err)
	}
	if err := CheckDisplay("windows", env(nil)); err != nil {
		t.Error(err)
	}
}
