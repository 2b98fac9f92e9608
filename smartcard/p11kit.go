package smartcard

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// P11KitConfig is where p11-kit keeps its configuration on this machine,
// read here the way p11-kit itself reads it (p11-kit/conf.c): module files
// from the user's folder, then /etc, then the packages' folder, a file of
// the same name in an earlier folder overriding a later one key by key;
// the user's folder only when p11-kit allows it; enable-in / disable-in
// naming programs; relative module paths in p11-kit's module folder.
type P11KitConfig struct {
	SystemConf string // /etc/pkcs11/pkcs11.conf ("user-config: none|merge|only")
	UserConf   string // ~/.config/pkcs11/pkcs11.conf
	UserDir    string // ~/.config/pkcs11/modules
	SystemDir  string // /etc/pkcs11/modules
	PackageDir string // /usr/share/p11-kit/modules
	ModuleDir  string // where a relative "module:" path lives
	Home       string // what "~/" means
	// UserAllowed is false where p11-kit skips user configuration: for
	// root, and with P11_KIT_NO_USER_CONFIG set.
	UserAllowed bool
	// Program is the name enable-in and disable-in lines are matched with.
	Program string
}

// SystemP11Kit is this machine's p11-kit configuration, for this user.
func SystemP11Kit() P11KitConfig {
	home, _ := os.UserHomeDir()
	user := filepath.Join(home, ".config", "pkcs11")
	return P11KitConfig{
		SystemConf: "/etc/pkcs11/pkcs11.conf", UserConf: filepath.Join(user, "pkcs11.conf"),
		UserDir: filepath.Join(user, "modules"), SystemDir: "/etc/pkcs11/modules", PackageDir: "/usr/share/p11-kit/modules",
		ModuleDir: p11KitModuleDir(), Home: home,
		UserAllowed: home != "" && os.Getuid() != 0 && os.Getenv("P11_KIT_NO_USER_CONFIG") == "",
		Program:     "pkiodesk",
	}
}

// p11KitModuleDir is p11-kit's compiled-in module folder: Debian's
// multiarch folder, Fedora's lib64, or plain lib (Arch).
func p11KitModuleDir() string {
	arch := map[string]string{"amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu", "386": "i386-linux-gnu", "arm": "arm-linux-gnueabihf"}[runtime.GOARCH]
	dirs := []string{filepath.Join("/usr/lib", arch, "pkcs11"), "/usr/lib64/pkcs11", "/usr/lib/pkcs11"}
	for _, d := range dirs {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			return d
		}
	}
	return dirs[0]
}

// userMode is p11-kit's user-config setting.
type userMode int

const (
	userNone userMode = iota
	userMerge
	userOnly
)

func parseUserMode(v string, def userMode) userMode {
	switch v {
	case "none":
		return userNone
	case "merge":
		return userMerge
	case "only", "override":
		return userOnly
	}
	return def
}

// Modules lists the enabled modules p11-kit's configuration names, in
// order of their configuration names.
func (c P11KitConfig) Modules() []ModuleCandidate {
	mode := parseUserMode(parseP11KitFile(c.SystemConf)["user-config"], userMerge)
	if !c.UserAllowed {
		mode = userNone
	}
	if mode != userNone {
		mode = parseUserMode(parseP11KitFile(c.UserConf)["user-config"], mode)
	}
	configs := map[string]map[string]string{}
	load := func(dir string) {
		files, _ := filepath.Glob(filepath.Join(dir, "*.module"))
		sort.Strings(files)
		for _, f := range files {
			name := strings.TrimSuffix(filepath.Base(f), ".module")
			conf := parseP11KitFile(f)
			prev, ok := configs[name]
			if !ok {
				configs[name] = conf
				continue
			}
			for k, v := range conf { // an earlier folder's keys win
				if _, set := prev[k]; !set {
					prev[k] = v
				}
			}
		}
	}
	if mode != userNone {
		load(c.UserDir)
	}
	if mode != userOnly {
		load(c.SystemDir)
		load(c.PackageDir)
	}
	names := make([]string, 0, len(configs))
	for n := range configs {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []ModuleCandidate
	for _, name := range names {
		conf := configs[name]
		path := conf["module"]
		if path == "" || !c.enabled(conf) || p11KitBool(conf["trust-policy"]) {
			continue // remote modules, modules for other programs, trust stores
		}
		out = append(out, ModuleCandidate{Name: name, Path: c.resolve(path), Source: SourceP11Kit})
	}
	return out
}

// enabled applies enable-in and disable-in (p11-kit's is_module_enabled).
func (c P11KitConfig) enabled(conf map[string]string) bool {
	if in, ok := conf["enable-in"]; ok {
		return inList(in, c.Program)
	}
	if in, ok := conf["disable-in"]; ok {
		return !inList(in, c.Program)
	}
	return true
}

// inList: p11-kit separates program names by commas and white space.
func inList(list, name string) bool {
	for _, f := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if f == name {
			return true
		}
	}
	return false
}

func p11KitBool(v string) bool {
	switch strings.ToLower(v) {
	case "yes", "true":
		return true
	}
	return false
}

// resolve makes a module path absolute as p11-kit does.
func (c P11KitConfig) resolve(p string) string {
	switch {
	case strings.HasPrefix(p, "~/") && c.Home != "":
		return filepath.Join(c.Home, p[2:])
	case filepath.IsAbs(p):
		return p
	}
	return filepath.Join(c.ModuleDir, p)
}

// parseP11KitFile reads "key: value" lines; # starts a comment line. A
// missing or unreadable file is empty, as p11-kit ignores it too.
func parseP11KitFile(path string) map[string]string {
	out := map[string]string{}
	data, err := os.ReadFile(path)
	if err != nil || len(data) > 1<<20 {
		return out
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		out[strings.TrimSpace(key)] = strings.TrimSpace(value)
	}
	return out
}
