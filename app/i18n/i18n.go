// Package i18n holds the user-facing texts of the core in Dutch and English.
// The core returns errors carrying a message key; the CLI and the screens
// render them in the user's language, so a rule never has to know who reads it.
package i18n

import (
	"errors"
	"fmt"
	"strings"
)

// Lang is a user interface language.
type Lang string

const (
	NL Lang = "nl"
	EN Lang = "en"
)

// FromEnv picks the language from PKIODESK_LANG, then the POSIX locale
// variables. Dutch is the default: our users are Dutch administrators, and a
// bare "C" locale on a workstation says nothing about the person at it.
func FromEnv(getenv func(string) string) Lang {
	for _, v := range []string{"PKIODESK_LANG", "LC_ALL", "LC_MESSAGES", "LANG"} {
		val := strings.ToLower(getenv(v))
		if val == "" {
			continue
		}
		if strings.HasPrefix(val, "en") {
			return EN
		}
		if strings.HasPrefix(val, "nl") {
			return NL
		}
		if v == "PKIODESK_LANG" {
			continue
		}
		// C/POSIX or another language: fall back to Dutch.
		return NL
	}
	return NL
}

// T renders a message in the given language. Unknown keys render as the key,
// so a missing translation is visible rather than silent. When the first
// argument is the number 1 and the catalogue has key+".one", that singular
// text is used ("1 certificaat", not "1 certificaten").
func T(l Lang, key string, args ...any) string {
	if len(args) > 0 && isOne(args[0]) {
		if _, ok := catalogue[key+".one"]; ok {
			key += ".one"
		}
	}
	m, ok := catalogue[key]
	if !ok {
		if len(args) == 0 {
			return key
		}
		return key + fmt.Sprint(args...)
	}
	tmpl := m.nl
	if l == EN {
		tmpl = m.en
	}
	if len(args) == 0 {
		return tmpl
	}
	return fmt.Sprintf(tmpl, localizeArgs(l, args)...)
}

// Error is an error a user will read. Key selects the text, Args fill it,
// Err is the technical cause (kept for logs and errors.Is).
type Error struct {
	Key  string
	Args []any
	Err  error
}

// E builds a user-facing error.
func E(key string, cause error, args ...any) *Error {
	return &Error{Key: key, Args: args, Err: cause}
}

func (e *Error) Error() string { return e.Localize(EN) }

func (e *Error) Unwrap() error { return e.Err }

// Localize renders the message and its cause chain in language l.
func (e *Error) Localize(l Lang) string {
	msg := T(l, e.Key, e.Args...)
	if e.Err == nil {
		return msg
	}
	cause := Localize(l, e.Err)
	if cause == "" || cause == msg || libraryText(cause) {
		// Said already ("afgebroken: afgebroken"), or a parser's English
		// detail ("x509: malformed certificate", an asn1 structure dump)
		// that the message itself says better in the user's language.
		return msg
	}
	return msg + ": " + cause
}

// libraryPrefixes start the texts of Go's parsers, which speak English and
// of their own internals.
var libraryPrefixes = []string{"x509: ", "asn1: ", "pkcs7: ", "pkcs12: ", "pkcs8: ", "json: ", "cryptobyte: ", "pem: ", "scard: "}

func libraryText(s string) bool {
	for _, p := range libraryPrefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// Localize renders any error for a user: the first *Error in the chain in
// language l (with its causes), or the error's own text.
func Localize(l Lang, err error) string {
	if err == nil {
		return ""
	}
	var ue *Error
	if errors.As(err, &ue) {
		return ue.Localize(l)
	}
	var lz Localizer // an error that renders itself (word.go)
	if errors.As(err, &lz) {
		return lz.Localize(l)
	}
	return systemText(l, err)
}

// Is reports whether err carries the user-facing message key.
func Is(err error, key string) bool {
	for err != nil {
		var ue *Error
		if !errors.As(err, &ue) {
			return false
		}
		if ue.Key == key {
			return true
		}
		err = ue.Err
	}
	return false
}

// isOne tells whether a count, of any integer type, is 1.
func isOne(v any) bool {
	switch n := v.(type) {
	case int:
		return n == 1
	case int64:
		return n == 1
	case int32:
		return n == 1
	case uint:
		return n == 1
	case uint64:
		return n == 1
	case uint32:
		return n == 1
	}
	return false
}
