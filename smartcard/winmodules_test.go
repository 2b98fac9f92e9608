package smartcard

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ebfe/scard"

	"pkiodesk/app/i18n"
)

func TestWindowsCandidates(t *testing.T) {
	env := map[string]string{"SystemRoot": `D:\WINDOWS`, "ProgramW6432": `D:\Program Files`, "ProgramFiles(x86)": `D:\Program Files (x86)`}
	got := windowsCandidates(windowsSystem{
		Getenv:       func(k string) string { return env[k] },
		OpenSCConfig: `E:\Tools\OpenSC\opensc.conf`,
		Installed: []installedProgram{
			{DisplayName: "SafeSign IC Standard Windows x64 3.8.0.0-AET.000", InstallLocation: `D:\Program Files\A.E.T. Europe B.V\SafeSign\`},
			{DisplayName: "SafeSign IC Standard Windows x86", InstallLocation: `D:\Program Files (x86)\A.E.T. Europe B.V\SafeSign`},
			{DisplayName: "Mozilla Firefox", InstallLocation: `D:\Program Files\Mozilla Firefox`},
		},
	})
	paths := map[string]ModuleSource{}
	for _, c := range got {
		paths[c.Path] = c.Source
	}
	for path, src := range map[string]ModuleSource{
		`D:\WINDOWS\System32\aetpkss1.dll`:                                SourceKnown,
		`D:\WINDOWS\System32\eTPKCS11.dll`:                                SourceKnown,
		`D:\WINDOWS\System32\IDPrimePKCS11.dll`:                           SourceKnown,
		`D:\WINDOWS\System32\opensc-pkcs11.dll`:                           SourceKnown,
		`D:\Program Files\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll`: SourceKnown,
		`D:\Program Files\Gemalto\IDGo 800 PKCS#11\IDPrimePKCS1164.dll`:   SourceKnown,
		`D:\Program Files\SafeNet\Authentication\SAC\x64\eTPKCS11.dll`:    SourceKnown,
		`E:\Tools\OpenSC\pkcs11\opensc-pkcs11.dll`:                        SourceRegistry,
		`D:\Program Files\A.E.T. Europe B.V\SafeSign\aetpkss1.dll`:        SourceRegistry,
		`D:\Program Files\A.E.T. Europe B.V\SafeSign\BIN\aetpkss1.dll`:    SourceRegistry,
	} {
		if paths[path] != src {
			t.Errorf("%s: source %q, want %q", path, paths[path], src)
		}
	}
	for path := range paths {
		if strings.Contains(path, "(x86)") || strings.Contains(path, "Firefox") || strings.Contains(path, "/") {
			t.Errorf("unwanted candidate %s", path)
		}
	}
	// System32 comes first: it is where the vendors' installers put the
	// module every application is told to use.
	if !strings.HasPrefix(got[0].Path, `D:\WINDOWS\System32\`) {
		t.Errorf("first candidate %s", got[0].Path)
	}
}

func TestWindowsCandidatesDefaults(t *testing.T) {
	got := windowsCandidates(windowsSystem{Getenv: func(string) string { return "" }})
	if got[0].Path != `C:\Windows\System32\aetpkss1.dll` || got[0].Name != "SafeSign Identity Client" {
		t.Errorf("first default %+v", got[0])
	}
}

func TestWinJoin(t *testing.T) {
	for _, tt := range []struct {
		parts []string
		want  string
	}{
		{[]string{`C:\Windows`, "System32", "a.dll"}, `C:\Windows\System32\a.dll`},
		{[]string{`C:\Program Files\X\`, "", "a.dll"}, `C:\Program Files\X\a.dll`},
		{[]string{`C:/x/`, `\y`}, `C:\x\y`},
	} {
		if got := winJoin(tt.parts...); got != tt.want {
			t.Errorf("winJoin(%q) = %q, want %q", tt.parts, got, tt.want)
		}
	}
}

// The card service's failures read as the user's system names the service.
func TestPCSCMessages(t *testing.T) {
	wrapped := func(e scard.Error) error { return fmt.Errorf("establish: %w", e) }
	for _, tt := range []struct {
		goos string
		err  error
		key  string
		en   string
	}{
		{"windows", wrapped(scard.ErrNoService), "card.service_not_running", "the Windows Smart Card service is not running"},
		{"windows", scard.ErrServiceStopped, "card.service_not_running", "SCardSvr"},
		{"windows", scard.ErrNoReadersAvailable, "card.no_readers", "no card reader found"},
		// wine's winscard.dll: SCardEstablishContext fails with SCARD_F_INTERNAL_ERROR.
		{"windows", scard.ErrInternalError, "card.pcsc_windows", "the Windows Smart Card service (PC/SC) cannot be reached"},
	} {
		got := pcscMessage(tt.goos, tt.err)
		if !i18n.Is(got, tt.key) || !strings.Contains(i18n.Localize(i18n.EN, got), tt.en) {
			t.Errorf("%s %v: %v, want %s", tt.goos, tt.err, got, tt.key)
		}
		if nl := i18n.Localize(i18n.NL, got); strings.Contains(nl, "not") && !strings.Contains(nl, "scard") {
			t.Errorf("%s %v: Dutch text is English: %s", tt.goos, tt.err, nl)
		}
	}
	// Elsewhere pcscError's general message stays.
	for _, e := range []scard.Error{scard.ErrInternalError, scard.ErrNoService} {
		if got := pcscMessage("linux", e); got != nil {
			t.Errorf("linux %v: %v", e, got)
		}
	}
	if got := pcscError(scard.ErrNoReadersAvailable); !i18n.Is(got, "card.no_readers") {
		t.Errorf("pcscError: %v", got)
	}
}
