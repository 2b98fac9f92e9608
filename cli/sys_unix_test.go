//go:build unix

package cli

import (
	"os/exec"
	"syscall"
)

// mkfifo makes a FIFO (named pipe).
func mkfifo(path string) error { return syscall.Mkfifo(path, 0o600) }

// mknodNull makes a device node of the null device: a device of the
// test's own, never the system's.
func mknodNull(path string) error { return syscall.Mknod(path, syscall.S_IFCHR|0o666, 1<<8|3) }

// asNobody runs cmd as the user nobody (the test runs as root).
func asNobody(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
}
