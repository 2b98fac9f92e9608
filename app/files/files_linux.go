//go:build linux

package files

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// createUnnamed makes the temporary file without a name (O_TMPFILE): a
// process killed while it writes (a backup of a large database) leaves
// nothing behind in the user's folder. name gives it a name once it is
// whole. ok is false where the file system or the system cannot, and the
// caller makes a named temporary file instead.
func createUnnamed(dir string, mode os.FileMode) (f *os.File, name func() (string, error), ok bool) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		return nil, nil, false // naming it later goes through /proc
	}
	f, err := os.OpenFile(dir, unix.O_TMPFILE|os.O_WRONLY|unix.O_CLOEXEC, mode.Perm())
	if err != nil {
		return nil, nil, false
	}
	name = func() (string, error) {
		for range 16 {
			p := filepath.Join(dir, fmt.Sprintf(".pkiodesk-%d.tmp", rand.Uint32()))
			err := unix.Linkat(unix.AT_FDCWD, fmt.Sprintf("/proc/self/fd/%d", f.Fd()), unix.AT_FDCWD, p, unix.AT_SYMLINK_FOLLOW)
			if err == nil {
				return p, nil
			}
			if err != unix.EEXIST {
				return "", err
			}
		}
		return "", unix.EEXIST
	}
	return f, name, true
}
