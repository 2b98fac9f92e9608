package smartcard

import (
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

// ModuleReport is what the doctor found of one PKCS#11 module.
type ModuleReport struct {
	Candidate ModuleCandidate
	Err       error
	Tokens    []TokenInfo
}

// DoctorReport describes readers, cards and middleware, for a support
// request. It holds no personal data: no token labels or serial numbers,
// no certificate names, and reader names, manufacturers and models with
// serial-like parts removed (a USB token's reader name often carries the
// token's serial number).
type DoctorReport struct {
	OS        string
	Readers   []Reader
	ReaderErr error
	Modules   []ModuleReport
	home      string
}

// Doctor inspects this machine.
func (m *Manager) Doctor(opt DiscoverOptions) DoctorReport {
	home, _ := os.UserHomeDir()
	r := DoctorReport{OS: runtime.GOOS + "/" + runtime.GOARCH, home: home}
	r.Readers, r.ReaderErr = ListReaders()
	for _, c := range DiscoverModules(opt) {
		mr := ModuleReport{Candidate: c}
		if c.Missing {
			mr.Err = i18n.E("card.module_missing", nil, c.Path)
		} else {
			mr.Tokens, mr.Err = m.Tokens(c.Path)
		}
		r.Modules = append(r.Modules, mr)
	}
	return r
}

// bracketed is a bracketed group without spaces: "(ABCDEF0123)" in
// "Gemalto USB Shell Token V2 (ABCDEF0123) 00 00" (pcsc-lite's CCID driver
// appends the USB serial number so). With four or more digits it goes.
var bracketed = regexp.MustCompile(`[(\[{<][^()\[\]{}<>\s]+[)\]}>]`)

// serialWord is a run of eight or more letters and digits: a serial number
// when it is all hexadecimal with four or more digits, or holds six or
// more digits; a model name ("AU9540", "ePass2003", "SCR3310v2") is not.
var serialWord = regexp.MustCompile(`[0-9A-Za-z_-]{8,}`)

// Redact makes a name from a reader or token safe for a support request:
// printable, and without serial-like parts.
func Redact(s string) string {
	s = bracketed.ReplaceAllStringFunc(s, func(m string) string {
		if countDigits(m) >= 4 {
			return m[:1] + "…" + m[len(m)-1:]
		}
		return m
	})
	s = serialWord.ReplaceAllStringFunc(s, func(w string) string {
		digits := countDigits(w)
		if digits >= 6 || (digits >= 4 && isHex(w)) {
			return "…"
		}
		return w
	})
	return cert.Printable(strings.TrimSpace(s))
}

func isHex(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
			return false
		}
	}
	return true
}

func countDigits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

// path shows a module path with the user's home folder as "~", which
// holds the user's login name.
func (r DoctorReport) path(p string) string {
	if r.home != "" && strings.HasPrefix(p, r.home+string(filepath.Separator)) {
		p = "~" + p[len(r.home):]
	}
	return cert.Printable(p)
}

// Text renders the report in the user's language.
func (r DoctorReport) Text(l i18n.Lang) string {
	t := func(nl, en string) string {
		if l == i18n.EN {
			return en
		}
		return nl
	}
	var b strings.Builder
	fmt.Fprintf(&b, "pkiodesk %s (%s)\n\n", t("diagnose kaartlezers en middleware", "card reader and middleware diagnosis"), r.OS)
	fmt.Fprintf(&b, "%s:\n", t("Kaartlezers (PC/SC)", "Card readers (PC/SC)"))
	switch {
	case r.ReaderErr != nil:
		fmt.Fprintf(&b, "  %s\n", i18n.Localize(l, r.ReaderErr))
	case len(r.Readers) == 0:
		fmt.Fprintf(&b, "  %s\n", i18n.T(l, "card.no_readers"))
	}
	for _, rd := range r.Readers {
		card := t("geen kaart", "no card")
		if rd.CardPresent {
			card = t("kaart aanwezig, ATR ", "card present, ATR ") + strings.ToUpper(hex.EncodeToString(rd.ATR))
			if hint := MiddlewareForATR(rd.ATR); hint != "" {
				card += " (" + t("middleware: ", "middleware: ") + hint + ")"
			}
		}
		fmt.Fprintf(&b, "  - %s: %s\n", Redact(rd.Name), card)
	}
	fmt.Fprintf(&b, "\n%s:\n", t("PKCS#11-modules", "PKCS#11 modules"))
	if len(r.Modules) == 0 {
		fmt.Fprintf(&b, "  %s\n", t("geen gevonden: installeer de middleware van uw kaart (bijv. SafeSign of SafeNet)", "none found: install your card's middleware (e.g. SafeSign or SafeNet)"))
	}
	for _, m := range r.Modules {
		fmt.Fprintf(&b, "  - %s [%s] %s\n", cert.Printable(m.Candidate.Name), m.Candidate.Source, r.path(m.Candidate.Path))
		if m.Err != nil {
			fmt.Fprintf(&b, "      %s: %s\n", t("niet geladen", "not loaded"), i18n.Localize(l, m.Err))
			continue
		}
		fmt.Fprintf(&b, "      %s, %d token(s)\n", t("geladen", "loaded"), len(m.Tokens))
		for _, tok := range m.Tokens {
			fmt.Fprintf(&b, "      * %s %s: %s\n", Redact(tok.Manufacturer), Redact(tok.Model), tok.PIN.Text(l))
		}
	}
	return b.String()
}
