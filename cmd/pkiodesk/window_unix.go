//go:build !windows

package main

import (
	"os"
	"syscall"
)

const windowName = "pkiodesk-gui"

// startWindow replaces this process with the window program: same process
// id, same terminal, nothing left behind.
func startWindow(gui string, args []string) error {
	return syscall.Exec(gui, append([]string{gui}, args...), os.Environ())
}
