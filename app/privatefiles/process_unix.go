//go:build unix

package privatefiles

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// running says whether a process with this id exists (EPERM: it does,
// as another user's).
func running(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// ownedByMe says whether this user owns the file.
func ownedByMe(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}
