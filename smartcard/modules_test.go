package smartcard

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// p11KitTree is a p11-kit configuration in a temporary folder, with real
// module files (empty files; discovery only looks, it does not load).
type p11KitTree struct {
	t    *testing.T
	root string
	cfg  P11KitConfig
}

func newP11KitTree(t *testing.T) *p11KitTree {
	root := t.TempDir()
	k := &p11KitTree{t: t, root: root, cfg: P11KitConfig{
		SystemConf: filepath.Join(root, "etc/pkcs11/pkcs11.conf"), UserConf: filepath.Join(root, "home/.config/pkcs11/pkcs11.conf"),
		UserDir: filepath.Join(root, "home/.config/pkcs11/modules"), SystemDir: filepath.Join(root, "etc/pkcs11/modules"),
		PackageDir: filepath.Join(root, "usr/share/p11-kit/modules"), ModuleDir: filepath.Join(root, "usr/lib64/pkcs11"),
		Home: filepath.Join(root, "home"), UserAllowed: true, Program: "pkiodesk",
	}}
	return k
}

// file writes a file under the tree and returns its path.
func (k *p11KitTree) file(rel, body string) string {
	k.t.Helper()
	p := filepath.Join(k.root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		k.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		k.t.Fatal(err)
	}
	return p
}

func (k *p11KitTree) discover(configured ...string) string {
	opt := DiscoverOptions{Configured: configured, P11Kit: &k.cfg, Known: []ModuleCandidate{
		{Name: "SafeSign Identity Client", Path: filepath.Join(k.root, "usr/lib64/libaetpkss.so.3")},
		{Name: "SoftHSM2", Path: filepath.Join(k.root, "usr/lib/softhsm/libsofthsm2.so")},
	}, GOOS: "linux"}
	var out []string
	for _, c := range DiscoverModules(opt) {
		s := string(c.Source) + ":" + c.Name + "=" + strings.TrimPrefix(c.Path, k.root)
		if c.Missing {
			s += "(missing)"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

// Discovery as p11-kit does it: the user's module files, /etc overriding
// the package's file of the same name key by key, enable-in and disable-in,
// relative paths in p11-kit's module folder (lib64 here, as on Fedora),
// trust modules left out, and one entry per real file however many
// symlinks and files name it. A configured path that is not there is
// listed as missing instead of left out.
func TestDiscoverModulesAsP11KitDoes(t *testing.T) {
	k := newP11KitTree(t)
	opensc := k.file("usr/lib64/pkcs11/opensc-pkcs11.so", "elf")
	softhsm := k.file("usr/lib64/softhsm/libsofthsm2.so", "elf")
	k.file("usr/lib64/libaetpkss.so.3", "elf")
	mine := k.file("home/lib/libmine.so", "elf")
	// Debian's symlink /usr/lib/softhsm/libsofthsm2.so -> the real file.
	os.MkdirAll(filepath.Join(k.root, "usr/lib/softhsm"), 0o755)
	if err := os.Symlink(softhsm, filepath.Join(k.root, "usr/lib/softhsm/libsofthsm2.so")); err != nil {
		t.Fatal(err)
	}
	k.file("usr/share/p11-kit/modules/opensc-pkcs11.module", "# OpenSC\nmodule: opensc-pkcs11.so\n")
	k.file("usr/share/p11-kit/modules/softhsm2.module", "module: "+softhsm+"\n")
	k.file("usr/share/p11-kit/modules/p11-kit-trust.module", "module: p11-kit-trust.so\ntrust-policy: yes\n")
	k.file("usr/lib64/pkcs11/p11-kit-trust.so", "elf")
	k.file("usr/share/p11-kit/modules/firefox-only.module", "module: "+opensc+"\nenable-in: firefox, thunderbird\n")
	k.file("usr/share/p11-kit/modules/not-here.module", "module: /nergens/libx.so\n")
	k.file("usr/share/p11-kit/modules/README", "module: "+mine+"\n") // not a .module file
	// /etc overrides the package's softhsm2 file: disabled for pkiodesk.
	k.file("etc/pkcs11/modules/softhsm2.module", "disable-in: pkiodesk p11-kit-proxy\n")
	// The user's own module, with a path under ~.
	k.file("home/.config/pkcs11/modules/mine.module", "module: ~/lib/libmine.so\nenable-in: pkiodesk\n")

	got := k.discover("/nergens/configured.so")
	want := "configured:configured.so=/nergens/configured.so(missing) p11-kit:mine=/home/lib/libmine.so p11-kit:opensc-pkcs11=/usr/lib64/pkcs11/opensc-pkcs11.so known:SafeSign Identity Client=/usr/lib64/libaetpkss.so.3 known:SoftHSM2=/usr/lib/softhsm/libsofthsm2.so"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}

	// Without the /etc override SoftHSM comes from p11-kit, and the known
	// path (a symlink to the same file) is not listed again.
	os.Remove(filepath.Join(k.root, "etc/pkcs11/modules/softhsm2.module"))
	if got := k.discover(); !strings.Contains(got, "p11-kit:softhsm2=/usr/lib64/softhsm/libsofthsm2.so") || strings.Contains(got, "known:SoftHSM2") {
		t.Errorf("symlinked SoftHSM listed twice or not at all: %s", got)
	}

	// p11-kit reads no user configuration for root, or when the system
	// configuration says user-config: none.
	k.cfg.UserAllowed = false
	if got := k.discover(); strings.Contains(got, "mine") {
		t.Errorf("user module for root: %s", got)
	}
	k.cfg.UserAllowed = true
	k.file("etc/pkcs11/pkcs11.conf", "user-config: none\n")
	if got := k.discover(); strings.Contains(got, "mine") {
		t.Errorf("user module with user-config: none: %s", got)
	}
	// user-config: only (in the user's own file) hides the system's.
	k.file("etc/pkcs11/pkcs11.conf", "user-config: merge\n")
	k.file("home/.config/pkcs11/pkcs11.conf", "user-config: only\n")
	if got := k.discover(); !strings.Contains(got, "p11-kit:mine") || strings.Contains(got, "p11-kit:opensc") {
		t.Errorf("user-config: only: %s", got)
	}
	// A configured path that is a symlink to a discovered module is one
	// entry, under the user's choice.
	link := filepath.Join(k.root, "home/opensc.so")
	os.Symlink(opensc, link)
	os.Remove(filepath.Join(k.root, "home/.config/pkcs11/pkcs11.conf"))
	if got := k.discover(link); strings.Contains(got, "p11-kit:opensc") || !strings.HasPrefix(got, "configured:opensc.so=/home/opensc.so ") {
		t.Errorf("configured symlink: %s", got)
	}
}

// This machine's own discovery lists the Debian SoftHSM once, although
// p11-kit names the real file and the known path is its symlink.
func TestDiscoverModulesHereListsSoftHSMOnce(t *testing.T) {
	c := needCard(t)
	n := 0
	real, _ := filepath.EvalSymlinks(c.Module)
	for _, m := range DiscoverModules(DiscoverOptions{}) {
		if r, _ := filepath.EvalSymlinks(m.Path); r == real {
			n++
		}
	}
	if n != 1 {
		t.Errorf("SoftHSM listed %d times", n)
	}
}
