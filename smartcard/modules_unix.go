//go:build !windows

package smartcard

// knownModules are the middleware paths of the tokens Dutch government
// organisations use (DOMAIN.md), with the lib64 folders of Fedora and RHEL
// beside Debian's.
var knownModules = map[string][]ModuleCandidate{
	"linux": {
		{Name: "SafeSign Identity Client", Path: "/usr/lib/libaetpkss.so.3"},
		{Name: "SafeSign Identity Client", Path: "/usr/lib/libaetpkss.so"},
		{Name: "SafeSign Identity Client", Path: "/usr/lib64/libaetpkss.so.3"},
		{Name: "SafeSign Identity Client", Path: "/usr/lib64/libaetpkss.so"},
		{Name: "SafeNet / IDPrime", Path: "/usr/lib/libeTPkcs11.so"},
		{Name: "SafeNet / IDPrime", Path: "/usr/lib64/libeTPkcs11.so"},
		{Name: "SafeNet / IDPrime", Path: "/usr/lib/libIDPrimePKCS11.so"},
		{Name: "SafeNet / IDPrime", Path: "/usr/lib64/libIDPrimePKCS11.so"},
		{Name: "SafeNet eToken", Path: "/usr/lib/libeToken.so"},
		{Name: "SafeNet eToken", Path: "/usr/lib64/libeToken.so"},
		{Name: "OpenSC", Path: "/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so"},
		{Name: "OpenSC", Path: "/usr/lib/aarch64-linux-gnu/pkcs11/opensc-pkcs11.so"},
		{Name: "OpenSC", Path: "/usr/lib64/pkcs11/opensc-pkcs11.so"},
		{Name: "OpenSC", Path: "/usr/lib64/opensc-pkcs11.so"},
		{Name: "OpenSC", Path: "/usr/lib/pkcs11/opensc-pkcs11.so"},
		{Name: "SoftHSM2", Path: "/usr/lib/softhsm/libsofthsm2.so"},
		{Name: "SoftHSM2", Path: "/usr/lib64/pkcs11/libsofthsm2.so"},
		{Name: "SoftHSM2", Path: "/usr/lib64/softhsm/libsofthsm2.so"},
	},
	"darwin": {
		{Name: "SafeSign Identity Client", Path: "/usr/local/lib/libaetpkss.dylib"},
		{Name: "SafeNet / IDPrime", Path: "/usr/local/lib/libeTPkcs11.dylib"},
		{Name: "SafeNet / IDPrime", Path: "/Library/Frameworks/eToken.framework/Versions/Current/libIDPrimePKCS11.dylib"},
		{Name: "OpenSC", Path: "/Library/OpenSC/lib/opensc-pkcs11.so"},
		{Name: "SoftHSM2", Path: "/opt/homebrew/lib/softhsm/libsofthsm2.so"},
	},
}

// platformModules is the OS's part of discovery: p11-kit's module files
// (Linux, BSD, and macOS with p11-kit from Homebrew), then the known paths.
// Windows has its own (modules_windows.go).
func platformModules(opt DiscoverOptions) []ModuleCandidate {
	cfg := opt.P11Kit
	if cfg == nil {
		sys := SystemP11Kit()
		cfg = &sys
	}
	out := cfg.Modules()
	known := opt.Known
	if known == nil {
		known = knownModules[opt.GOOS]
		if known == nil {
			known = knownModules["linux"]
		}
	}
	return append(out, knownPaths(known)...)
}
