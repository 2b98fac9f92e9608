package smartcard

import (
	"encoding/hex"
	"fmt"
	"runtime"
	"strings"

	"pkiodesk/app/i18n"
)

// ModuleReport is what the doctor found of one PKCS#11 module.
type ModuleReport struct {
	Candidate ModuleCandidate
	Err       error
	Tokens    []TokenInfo
}

// DoctorReport describes readers, cards and middleware, for a support
// request. It holds no personal data: no token labels, serial numbers or
// certificate names.
type DoctorReport struct {
	OS        string
	Readers   []Reader
	ReaderErr error
	Modules   []ModuleReport
}

// Doctor inspects this machine.
func (m *Manager) Doctor(opt DiscoverOptions) DoctorReport {
	r := DoctorReport{OS: runtime.GOOS + "/" + runtime.GOARCH}
	r.Readers, r.ReaderErr = ListReaders()
	for _, c := range DiscoverModules(opt) {
		mr := ModuleReport{Candidate: c}
		mr.Tokens, mr.Err = m.Tokens(c.Path)
		r.Modules = append(r.Modules, mr)
	}
	return r
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
		fmt.Fprintf(&b, "  - %s: %s\n", rd.Name, card)
	}
	fmt.Fprintf(&b, "\n%s:\n", t("PKCS#11-modules", "PKCS#11 modules"))
	if len(r.Modules) == 0 {
		fmt.Fprintf(&b, "  %s\n", t("geen gevonden: installeer de middleware van uw kaart (bijv. SafeSign of SafeNet)", "none found: install your card's middleware (e.g. SafeSign or SafeNet)"))
	}
	for _, m := range r.Modules {
		fmt.Fprintf(&b, "  - %s [%s] %s\n", m.Candidate.Name, m.Candidate.Source, m.Candidate.Path)
		if m.Err != nil {
			fmt.Fprintf(&b, "      %s: %s\n", t("niet geladen", "not loaded"), i18n.Localize(l, m.Err))
			continue
		}
		fmt.Fprintf(&b, "      %s, %d token(s)\n", t("geladen", "loaded"), len(m.Tokens))
		for _, tok := range m.Tokens {
			fmt.Fprintf(&b, "      * %s %s: %s\n", tok.Manufacturer, tok.Model, i18n.T(l, tok.PIN.Message()))
		}
	}
	return b.String()
}
