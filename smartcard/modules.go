// Package smartcard talks to card readers (PC/SC, github.com/ebfe/scard) and
// to tokens through their PKCS#11 middleware (crypto11 for keys and
// certificates, miekg/pkcs11 for token flags, sessions and the
// context-specific login crypto11 cannot do). It knows nothing of screens
// or storage.
package smartcard

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// ModuleSource says where a module path came from.
type ModuleSource string

const (
	SourceConfigured ModuleSource = "configured"
	SourceP11Kit     ModuleSource = "p11-kit"
	SourceKnown      ModuleSource = "known"
)

// ModuleCandidate is a PKCS#11 module that may be on this machine.
type ModuleCandidate struct {
	Name   string
	Path   string
	Source ModuleSource
	// Missing is a module the user named (settings, --module) that is not
	// there: it is listed so the report says so, instead of leaving it out.
	Missing bool
}

// atrHints maps ATR prefixes (hex, upper case) to the middleware that reads
// such cards; the longest matching prefix wins. The entries are starting
// points taken from public ATR lists and not checked against real PKIo
// cards here: a wrong hint only changes which module the doctor suggests.
var atrHints = []struct {
	prefix, middleware string
}{
	{"3BFF9600008131FE4380318065B0", "SafeSign Identity Client"}, // Oberthur/IDEMIA cosmo, used for PKIo cards
	{"3B7F96000080318065B0", "SafeSign Identity Client"},
	{"3BFF9600008131804380318065B0", "SafeSign Identity Client"},
	{"3BD518008131FE7D8073C82110", "SafeNet / IDPrime"}, // Gemalto IDPrime MD
	{"3B7F96000080318065B0855", "SafeNet / IDPrime"},
	{"3BFF9600FF8131FE4380318065B0846566", "SafeNet / IDPrime"},
	{"3BDD18008131FE4580F9A0000000770100", "SafeNet / IDPrime"},
}

// MiddlewareForATR names the middleware likely to read a card, or "".
func MiddlewareForATR(atr []byte) string {
	h := strings.ToUpper(hex.EncodeToString(atr))
	best, name := 0, ""
	for _, hint := range atrHints {
		if strings.HasPrefix(h, hint.prefix) && len(hint.prefix) > best {
			best, name = len(hint.prefix), hint.middleware
		}
	}
	return name
}

// DiscoverOptions tune module discovery. The zero value looks at this
// machine the way p11-kit itself does.
type DiscoverOptions struct {
	Configured []string // paths the user chose in the settings (or --module)
	// P11Kit is where p11-kit's configuration lives; nil: this machine's.
	P11Kit *P11KitConfig
	// Known replaces the OS's list of known middleware paths (tests).
	Known []ModuleCandidate
	GOOS  string // default: runtime.GOOS
}

// DiscoverModules lists the PKCS#11 modules on this machine: the user's own
// first, then what the OS knows (p11-kit's module files, the known
// middleware paths). Each real file appears once, however many symlinks or
// configuration files point at it; a configured path that does not exist
// is kept, marked Missing.
func DiscoverModules(opt DiscoverOptions) []ModuleCandidate {
	if opt.GOOS == "" {
		opt.GOOS = runtime.GOOS
	}
	var out []ModuleCandidate
	var seen []os.FileInfo
	seenPath := map[string]bool{}
	add := func(c ModuleCandidate) {
		if c.Path == "" || seenPath[c.Path] {
			return
		}
		fi, err := os.Stat(c.Path)
		if err != nil || !fi.Mode().IsRegular() {
			if c.Source == SourceConfigured {
				seenPath[c.Path] = true
				c.Missing = true
				out = append(out, c)
			}
			return
		}
		for _, s := range seen {
			if os.SameFile(s, fi) {
				return
			}
		}
		seenPath[c.Path] = true
		seen = append(seen, fi)
		out = append(out, c)
	}
	for _, p := range opt.Configured {
		add(ModuleCandidate{Name: filepath.Base(p), Path: p, Source: SourceConfigured})
	}
	for _, c := range platformModules(opt) {
		add(c)
	}
	return out
}

// knownPaths marks a list of known middleware paths as such.
func knownPaths(list []ModuleCandidate) []ModuleCandidate {
	out := make([]ModuleCandidate, len(list))
	for i, c := range list {
		c.Source = SourceKnown
		out[i] = c
	}
	return out
}
