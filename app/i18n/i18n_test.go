package i18n

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

func TestFromEnv(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want Lang
	}{
		{map[string]string{}, NL},
		{map[string]string{"LANG": "en_GB.UTF-8"}, EN},
		{map[string]string{"LANG": "nl_NL.UTF-8"}, NL},
		{map[string]string{"LANG": "C.UTF-8"}, NL},
		{map[string]string{"LANG": "de_DE.UTF-8"}, NL},
		{map[string]string{"LANG": "nl_NL.UTF-8", "LC_ALL": "en_US.UTF-8"}, EN},
		{map[string]string{"LANG": "en_US.UTF-8", "LC_MESSAGES": "nl_BE.UTF-8"}, NL},
		{map[string]string{"LANG": "nl_NL.UTF-8", "PKIODESK_LANG": "en"}, EN},
		{map[string]string{"LANG": "en_US.UTF-8", "PKIODESK_LANG": "xx"}, EN},
	}
	for _, tt := range tests {
		if got := FromEnv(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("%v: %s, want %s", tt.env, got, tt.want)
		}
	}
}

var verb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

// Every text exists in both languages with the same format verbs, so no
// message renders with %!d(MISSING) in one of them.
func TestCatalogueIsComplete(t *testing.T) {
	for key, m := range catalogue {
		if strings.TrimSpace(m.nl) == "" || strings.TrimSpace(m.en) == "" {
			t.Errorf("%s: a language is missing", key)
		}
		if nl, en := verb.FindAllString(m.nl, -1), verb.FindAllString(m.en, -1); fmt.Sprint(nl) != fmt.Sprint(en) {
			t.Errorf("%s: verbs %v (nl) and %v (en) differ", key, nl, en)
		}
	}
	for _, prefix := range []string{"kind.", "status.", "role.", "col."} {
		found := false
		for key := range catalogue {
			found = found || strings.HasPrefix(key, prefix)
		}
		if !found {
			t.Errorf("no %s texts", prefix)
		}
	}
}

func TestErrorsLocaliseAndWrap(t *testing.T) {
	cause := errors.New("technisch")
	err := fmt.Errorf("context: %w", E("err.pem_block", E("err.x509_invalid", cause), 3))
	if got := Localize(NL, err); got != "PEM-blok 3: ongeldig X.509-certificaat: technisch" {
		t.Errorf("nl: %q", got)
	}
	if got := Localize(EN, err); got != "PEM block 3: invalid X.509 certificate: technisch" {
		t.Errorf("en: %q", got)
	}
	if !Is(err, "err.x509_invalid") || !Is(err, "err.pem_block") || Is(err, "err.file_empty") || !errors.Is(err, cause) {
		t.Error("Is/errors.Is do not follow the chain")
	}
	if T(NL, "geen.sleutel") != "geen.sleutel" {
		t.Error("an unknown key must show itself")
	}
}

// One of anything is singular, whatever integer type counts it.
func TestSingularForEveryIntegerType(t *testing.T) {
	for _, one := range []any{1, int64(1), uint64(1), uint(1), int32(1), uint32(1)} {
		if got := T(NL, "dbfile.unreachable", one); got != "1 pagina is niet in gebruik en ook niet vrij" {
			t.Errorf("%T: %q", one, got)
		}
	}
	if got := T(NL, "dbfile.unreachable", uint64(2)); got != "2 pagina's zijn niet in gebruik en ook niet vrij" {
		t.Errorf("two: %q", got)
	}
	if got := T(EN, "audit.verify_ok", 1, 1); got != "Journal intact: 1 entry, newest entry 1" {
		t.Errorf("journal: %q", got)
	}
	if got := T(NL, "rev.unknown_exit", 1); got != "van 1 certificaat is de intrekkingsstatus onbekend" {
		t.Errorf("revocation: %q", got)
	}
}

// A cause that repeats the message, or a parser's English detail, is not
// shown after the message; other causes are.
func TestCausesAreShownOnce(t *testing.T) {
	if got := Localize(NL, E("err.context_canceled", context.Canceled)); got != "afgebroken" {
		t.Errorf("cancelled: %q", got)
	}
	if got := Localize(NL, E("err.x509_invalid", errors.New("x509: malformed certificate"))); strings.Contains(got, "x509:") || got == "" {
		t.Errorf("x509 detail: %q", got)
	}
	if got := Localize(NL, E("err.file_read", errors.New("schijf weg"))); !strings.HasSuffix(got, ": schijf weg") {
		t.Errorf("other cause: %q", got)
	}
}
