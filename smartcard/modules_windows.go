package smartcard

import (
	"os"

	"golang.org/x/sys/windows/registry"
)

// platformModules is Windows' part of discovery (Windows has no p11-kit):
// the middleware DLLs in System32 and under Program Files, and where the
// installers recorded them in the registry (64-bit view). See
// windowsCandidates for the list.
func platformModules(opt DiscoverOptions) []ModuleCandidate {
	if opt.Known != nil {
		return knownPaths(opt.Known)
	}
	return windowsCandidates(windowsSystem{
		Getenv:       os.Getenv,
		OpenSCConfig: registryString(registry.LOCAL_MACHINE, `SOFTWARE\OpenSC Project\OpenSC`, "ConfigFile"),
		Installed:    installedPrograms(),
	})
}

func registryString(root registry.Key, path, name string) string {
	k, err := registry.OpenKey(root, path, registry.QUERY_VALUE|registry.WOW64_64KEY)
	if err != nil {
		return ""
	}
	defer k.Close()
	v, _, err := k.GetStringValue(name)
	if err != nil {
		return ""
	}
	if expanded, err := registry.ExpandString(v); err == nil {
		return expanded
	}
	return v
}

// installedPrograms reads the Uninstall list, where every installer records
// its product name and, mostly, its install folder.
func installedPrograms() []installedProgram {
	const uninstall = `SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall`
	var out []installedProgram
	for _, root := range []registry.Key{registry.LOCAL_MACHINE, registry.CURRENT_USER} {
		k, err := registry.OpenKey(root, uninstall, registry.ENUMERATE_SUB_KEYS|registry.WOW64_64KEY)
		if err != nil {
			continue
		}
		names, _ := k.ReadSubKeyNames(-1)
		k.Close()
		for _, n := range names {
			path := uninstall + `\` + n
			name := registryString(root, path, "DisplayName")
			if name == "" || !isMiddlewareProduct(name) {
				continue
			}
			out = append(out, installedProgram{DisplayName: name, InstallLocation: registryString(root, path, "InstallLocation")})
		}
	}
	return out
}

func isMiddlewareProduct(displayName string) bool {
	for _, mw := range windowsMiddleware {
		if containsAny(displayName, mw.products) {
			return true
		}
	}
	return false
}
