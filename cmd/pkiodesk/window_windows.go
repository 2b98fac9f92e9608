package main

import "os/exec"

// On Windows the command line is pkiodesk.com (a console program, which
// cmd.exe and PowerShell prefer over pkiodesk.exe when "pkiodesk" is typed)
// and the window is pkiodesk.exe (a GUI program, which Explorer and the
// Start menu run).
const windowName = "pkiodesk.exe"

// startWindow starts the window and returns at once, as a shortcut would:
// the console is free again.
func startWindow(gui string, args []string) error {
	cmd := exec.Command(gui, args...)
	if err := cmd.Start(); err != nil {
		return err
	}
	return cmd.Process.Release()
}
