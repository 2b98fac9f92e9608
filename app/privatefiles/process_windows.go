//go:build windows

package privatefiles

import (
	"io/fs"
	"os"
)

// running says whether a process with this id exists: FindProcess opens
// it on Windows, which fails for one that is gone.
func running(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	_ = p.Release()
	return true
}

// ownedByMe: the temporary folder on Windows is the user's own profile's.
func ownedByMe(fs.FileInfo) bool { return true }
