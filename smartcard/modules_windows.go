package smartcard

// windowsModules are the known middleware DLLs on Windows.
var windowsModules = []ModuleCandidate{
	{Name: "SafeSign Identity Client", Path: `C:\Windows\System32\aetpkss1.dll`},
	{Name: "SafeNet / IDPrime", Path: `C:\Windows\System32\eTPKCS11.dll`},
	{Name: "SafeNet / IDPrime", Path: `C:\Windows\System32\IDPrimePKCS11.dll`},
	{Name: "OpenSC", Path: `C:\Program Files\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll`},
}

// platformModules is Windows' part of discovery: the known DLLs. (Windows
// has no p11-kit; a registry-based discovery belongs here.)
func platformModules(opt DiscoverOptions) []ModuleCandidate {
	if opt.Known != nil {
		return knownPaths(opt.Known)
	}
	return knownPaths(windowsModules)
}
