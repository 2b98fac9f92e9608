package files

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// HeldOpen tells whether existing is a file this process has open, and
// under which descriptor: a file the shell handed over (`3>>fouten.log`),
// reached by whatever name or link. Replacing it by a rename would cut the
// descriptor off from its name, and what was written through it is lost.
// It looks at /proc/self/fd, or /dev/fd where there is no /proc; elsewhere
// (Windows) it finds nothing.
func HeldOpen(existing fs.FileInfo) (fd string, held bool) {
	if existing == nil || runtime.GOOS == "windows" {
		return "", false
	}
	for _, dir := range []string{"/proc/self/fd", "/dev/fd"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if fi, err := os.Stat(filepath.Join(dir, e.Name())); err == nil && os.SameFile(fi, existing) {
				return e.Name(), true
			}
		}
		return "", false
	}
	return "", false
}
