package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// attachConsole lets pkiodesk.exe, a GUI program, print a command's output
// in the console it was started from. Redirected output (a pipe or file,
// as scripts use) already works and is left alone.
func attachConsole() {
	if validHandle(windows.STD_OUTPUT_HANDLE) {
		return
	}
	// AttachConsole is not in x/sys/windows; ATTACH_PARENT_PROCESS is (DWORD)-1.
	attach := windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole")
	if ok, _, _ := attach.Call(uintptr(^uint32(0))); ok == 0 {
		return // started from Explorer: nowhere to print
	}
	if f, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
		os.Stdout, os.Stderr = f, f
	}
	if f, err := os.OpenFile("CONIN$", os.O_RDONLY, 0); err == nil {
		os.Stdin = f
	}
}

func validHandle(std uint32) bool {
	h, err := windows.GetStdHandle(std)
	if err != nil || h == 0 || h == windows.InvalidHandle {
		return false
	}
	_, err = windows.GetFileType(h)
	return err == nil
}
