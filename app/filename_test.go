package app

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSafeFileName(t *testing.T) {
	for in, want := range map[string]string{
		"Loïs van Dijk":             "Loïs van Dijk",
		"Zoë Brouwer":               "Zoë Brouwer",
		"*.voorbeeldstad.nl":        "_.voorbeeldstad.nl",
		"a/b\\c:d\"e|f?g<h>i":       "a_b_c_d_e_f_g_h_i",
		"evil\u202egnp.exe":         "evil_gnp.exe",
		"tab\there":                 "tab here",
		"  .verborgen. ":            "verborgen",
		"CON":                       "_CON",
		"nul.txt":                   "_nul.txt",
		"console":                   "console",
		"":                          "certificaat",
		"...":                       "certificaat",
		"Gemeente 's-Hertogenbosch": "Gemeente 's-Hertogenbosch",
		"Ελληνικά 日本":               "Ελληνικά 日本",
	} {
		if got := SafeFileName(in); got != want {
			t.Errorf("SafeFileName(%q) = %q, want %q", in, got, want)
		}
	}
	long := strings.Repeat("ë", 300)
	if got := SafeFileName(long); len(got) > maxFileNameBytes || !utf8.ValidString(got) {
		t.Errorf("long name: %d bytes, valid %v", len(got), utf8.ValidString(got))
	}
}

// FuzzSafeFileName: whatever a certificate's name holds, the file name is
// valid UTF-8, short enough, has no separator or character Windows refuses,
// does not start or end with a space or dot, and is never empty.
func FuzzSafeFileName(f *testing.F) {
	for _, s := range []string{"Loïs van Dijk", "*.x.nl", "CON.pem", "a/../b", "\x00\xff", " . "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := SafeFileName(s)
		if got == "" || len(got) > maxFileNameBytes || !utf8.ValidString(got) {
			t.Fatalf("%q -> %q", s, got)
		}
		if strings.ContainsAny(got, "/\\<>:\"|?*\x00") || strings.HasPrefix(got, " ") || strings.HasSuffix(got, " ") || strings.HasSuffix(got, ".") {
			t.Fatalf("%q -> %q", s, got)
		}
		base, _, _ := strings.Cut(got, ".")
		if windowsReserved[strings.ToUpper(strings.TrimRight(base, " "))] {
			t.Fatalf("%q -> reserved %q", s, got)
		}
	})
}
