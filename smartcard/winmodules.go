package smartcard

import (
	"strings"
)

// SourceRegistry marks a module found through what an installer recorded
// in the Windows registry.
const SourceRegistry ModuleSource = "registry"

// windowsMiddleware is the middleware of the tokens Dutch government
// organisations use (DOMAIN.md), as it installs on 64-bit Windows. Only
// 64-bit modules count: a 64-bit pkiodesk cannot load the 32-bit copies in
// SysWOW64 or Program Files (x86).
var windowsMiddleware = []struct {
	name string
	// dlls are the module's file names, in System32 and in the folders.
	dlls []string
	// folders are where the installer puts the module, under Program Files.
	folders []string
	// products are substrings of the installer's display name (the
	// Uninstall key), whose install folder may hold the module.
	products []string
}{
	{"SafeSign Identity Client", []string{"aetpkss1.dll"}, nil, []string{"SafeSign"}},
	{"SafeNet Authentication Client", []string{"eTPKCS11.dll"}, []string{`SafeNet\Authentication\SAC\x64`}, []string{"SafeNet Authentication Client"}},
	{"IDPrime", []string{"IDPrimePKCS11.dll", "IDPrimePKCS1164.dll"}, []string{`Gemalto\IDGo 800 PKCS#11`, `Thales\IDGo 800 PKCS#11`}, []string{"IDPrime", "IDGo 800"}},
	{"OpenSC", []string{"opensc-pkcs11.dll"}, []string{`OpenSC Project\OpenSC\pkcs11`}, []string{"OpenSC"}},
}

// installedProgram is one entry of the registry's Uninstall list.
type installedProgram struct {
	DisplayName, InstallLocation string
}

// windowsSystem is what module discovery reads of a Windows machine; the
// registry part is filled in modules_windows.go, tests fill it by hand.
type windowsSystem struct {
	Getenv func(string) string
	// OpenSCConfig is OpenSC's ConfigFile value (HKLM\SOFTWARE\OpenSC
	// Project\OpenSC), the opensc.conf in its install folder.
	OpenSCConfig string
	Installed    []installedProgram
}

// windowsCandidates lists where the middleware may be: System32, Program
// Files, then the folders the registry names. DiscoverModules keeps the
// ones that exist.
func windowsCandidates(sys windowsSystem) []ModuleCandidate {
	env := func(name, fallback string) string {
		if v := sys.Getenv(name); v != "" {
			return v
		}
		return fallback
	}
	system32 := winJoin(env("SystemRoot", `C:\Windows`), "System32")
	// ProgramW6432 is the 64-bit Program Files even in a 32-bit process.
	programFiles := env("ProgramW6432", env("ProgramFiles", `C:\Program Files`))
	programFilesX86 := strings.ToLower(env("ProgramFiles(x86)", `C:\Program Files (x86)`))

	var out []ModuleCandidate
	seen := map[string]bool{}
	add := func(name, path string, src ModuleSource) {
		key := strings.ToLower(path)
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, ModuleCandidate{Name: name, Path: path, Source: src})
	}
	for _, mw := range windowsMiddleware {
		for _, dll := range mw.dlls {
			add(mw.name, winJoin(system32, dll), SourceKnown)
		}
	}
	for _, mw := range windowsMiddleware {
		for _, folder := range mw.folders {
			for _, dll := range mw.dlls {
				add(mw.name, winJoin(programFiles, folder, dll), SourceKnown)
			}
		}
	}
	if sys.OpenSCConfig != "" {
		add("OpenSC", winJoin(winDir(sys.OpenSCConfig), "pkcs11", "opensc-pkcs11.dll"), SourceRegistry)
	}
	for _, p := range sys.Installed {
		loc := strings.Trim(p.InstallLocation, `" `)
		if loc == "" || strings.HasPrefix(strings.ToLower(loc), programFilesX86) {
			continue
		}
		for _, mw := range windowsMiddleware {
			if !containsAny(p.DisplayName, mw.products) {
				continue
			}
			for _, sub := range []string{"", "pkcs11", "x64", "BIN"} {
				for _, dll := range mw.dlls {
					add(mw.name, winJoin(loc, sub, dll), SourceRegistry)
				}
			}
		}
	}
	return out
}

// winJoin joins Windows path parts with one backslash between them; it
// runs on any OS, so the list can be tested on Linux.
func winJoin(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		p = strings.ReplaceAll(p, "/", `\`)
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			s := b.String()
			if !strings.HasSuffix(s, `\`) {
				b.WriteByte('\\')
			}
			p = strings.TrimLeft(p, `\`)
		}
		b.WriteString(p)
	}
	return strings.TrimRight(b.String(), `\`)
}

// winDir is the folder part of a Windows path.
func winDir(p string) string {
	p = strings.ReplaceAll(p, "/", `\`)
	if i := strings.LastIndex(p, `\`); i > 0 {
		return p[:i]
	}
	return p
}

func containsAny(s string, subs []string) bool {
	s = strings.ToLower(s)
	for _, sub := range subs {
		if strings.Contains(s, strings.ToLower(sub)) {
			return true
		}
	}
	return false
}
