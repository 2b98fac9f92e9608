//go:build unix

package store

import "syscall"

// mkfifo makes a FIFO (named pipe).
func mkfifo(path string) error { return syscall.Mkfifo(path, 0o600) }

// mknodNull makes a device node of the null device: a device of the
// test's own, never the system's.
func mknodNull(path string) error { return syscall.Mknod(path, syscall.S_IFCHR|0o666, 1<<8|3) }
