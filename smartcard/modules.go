// Package smartcard talks to card readers (PC/SC, github.com/ebfe/scard) and
// to tokens through their PKCS#11 middleware (crypto11 for keys and
// certificates, miekg/pkcs11 for token flags crypto11 cannot read). It
// knows nothing of screens or storage.
package smartcard

import (
	"bufio"
	"bytes"
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
}

// knownModules are the middleware paths of the tokens Dutch government
// organisations use, per OS (DOMAIN.md).
var knownModules = map[string][]ModuleCandidate{
	"linux": {
		{Name: "SafeSign Identity Client", Path: "/usr/lib/libaetpkss.so.3"},
		{Name: "SafeSign Identity Client", Path: "/usr/lib/libaetpkss.so"},
		{Name: "SafeNet / IDPrime", Path: "/usr/lib/libeTPkcs11.so"},
		{Name: "SafeNet / IDPrime", Path: "/usr/lib/libIDPrimePKCS11.so"},
		{Name: "SafeNet eToken", Path: "/usr/lib/libeToken.so"},
		{Name: "OpenSC", Path: "/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so"},
		{Name: "OpenSC", Path: "/usr/lib/aarch64-linux-gnu/pkcs11/opensc-pkcs11.so"},
		{Name: "SoftHSM2", Path: "/usr/lib/softhsm/libsofthsm2.so"},
	},
	"darwin": {
		{Name: "SafeSign Identity Client", Path: "/usr/local/lib/libaetpkss.dylib"},
		{Name: "SafeNet / IDPrime", Path: "/usr/local/lib/libeTPkcs11.dylib"},
		{Name: "SafeNet / IDPrime", Path: "/Library/Frameworks/eToken.framework/Versions/Current/libIDPrimePKCS11.dylib"},
		{Name: "OpenSC", Path: "/Library/OpenSC/lib/opensc-pkcs11.so"},
		{Name: "SoftHSM2", Path: "/opt/homebrew/lib/softhsm/libsofthsm2.so"},
	},
	"windows": {
		{Name: "SafeSign Identity Client", Path: `C:\Windows\System32\aetpkss1.dll`},
		{Name: "SafeNet / IDPrime", Path: `C:\Windows\System32\eTPKCS11.dll`},
		{Name: "SafeNet / IDPrime", Path: `C:\Windows\System32\IDPrimePKCS11.dll`},
		{Name: "OpenSC", Path: `C:\Program Files\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll`},
	},
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

// DiscoverOptions tune module discovery.
type DiscoverOptions struct {
	Configured []string // paths the user chose in the settings
	P11KitDirs []string // default: the system's p11-kit module folders
	GOOS       string   // default: runtime.GOOS
	Exists     func(string) bool
}

// DiscoverModules lists the PKCS#11 modules on this machine: the user's own
// first, then p11-kit's module files, then the known middleware paths.
// Each path appears once, and only if the file exists.
func DiscoverModules(opt DiscoverOptions) []ModuleCandidate {
	if opt.GOOS == "" {
		opt.GOOS = runtime.GOOS
	}
	if opt.Exists == nil {
		opt.Exists = func(p string) bool { _, err := os.Stat(p); return err == nil }
	}
	if opt.P11KitDirs == nil {
		opt.P11KitDirs = []string{"/usr/share/p11-kit/modules", "/etc/pkcs11/modules"}
	}
	var out []ModuleCandidate
	seen := map[string]bool{}
	add := func(c ModuleCandidate) {
		if c.Path == "" || seen[c.Path] || !opt.Exists(c.Path) {
			return
		}
		seen[c.Path] = true
		out = append(out, c)
	}
	for _, p := range opt.Configured {
		add(ModuleCandidate{Name: filepath.Base(p), Path: p, Source: SourceConfigured})
	}
	for _, dir := range opt.P11KitDirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.module"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			if p := p11KitModulePath(data, opt.GOOS); p != "" {
				add(ModuleCandidate{Name: strings.TrimSuffix(filepath.Base(f), ".module"), Path: p, Source: SourceP11Kit})
			}
		}
	}
	for _, c := range knownModules[opt.GOOS] {
		c.Source = SourceKnown
		add(c)
	}
	return out
}

// p11KitModulePath reads the "module:" line of a p11-kit module file.
// A relative path is relative to p11-kit's module folder.
func p11KitModulePath(data []byte, goos string) string {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		key, value, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(key) != "module" {
			continue
		}
		p := strings.TrimSpace(value)
		if p == "" {
			return ""
		}
		if !filepath.IsAbs(p) && goos == "linux" {
			arch := map[string]string{"amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu"}[runtime.GOARCH]
			p = filepath.Join("/usr/lib", arch, "pkcs11", p)
		}
		return p
	}
	return ""
}
