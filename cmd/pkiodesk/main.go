// Command pkiodesk is the command line of pkiodesk and the way to open its
// window. It links no GUI code: commands start in milliseconds and run on a
// server without a display. Without a command it hands over to the window
// program installed next to it (pkiodesk-gui; pkiodesk.exe on Windows).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"pkiodesk/app/i18n"
	"pkiodesk/cli"
)

func main() {
	args := os.Args[1:]
	if cli.WantsWindow(args) {
		os.Exit(openWindow(args))
	}
	// Ctrl-C and SIGTERM cancel the command, which ends cleanly (an import
	// leaves none of itself); a second Ctrl-C ends it at once.
	ctx, stop := cli.WithSignals(context.Background())
	code := cli.Run(ctx, args, cli.OSEnv())
	stop()
	os.Exit(code)
}

// openWindow checks the window's flags here, so a mistake is reported
// without loading any window code, then starts the window program.
func openWindow(args []string) int {
	lang := i18n.FromEnv(os.Getenv)
	if _, err := cli.ParseWindowOptions(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cli.Run(context.Background(), []string{"help"}, cli.OSEnv())
		}
		fmt.Fprintf(os.Stderr, "pkiodesk: %s\n", i18n.Localize(lang, err))
		return 2
	}
	if err := cli.CheckDisplay(runtime.GOOS, os.Getenv); err != nil {
		fmt.Fprintf(os.Stderr, "pkiodesk: %s\n", i18n.Localize(lang, err))
		return 1
	}
	gui, err := windowProgram()
	if err != nil {
		fmt.Fprintf(os.Stderr, "pkiodesk: %s\n", i18n.Localize(lang, err))
		return 1
	}
	if err := startWindow(gui, args); err != nil {
		fmt.Fprintf(os.Stderr, "pkiodesk: %s\n", i18n.Localize(lang, i18n.E("cli.window_start", err, gui)))
		return 1
	}
	return 0
}

// windowProgram is the window program in this executable's own folder
// (symbolic links followed, so a link in /usr/bin to an installation
// elsewhere works).
func windowProgram() (string, error) {
	self, err := os.Executable()
	if err == nil {
		self, err = filepath.EvalSymlinks(self)
	}
	if err != nil {
		return "", i18n.E("cli.window_missing", err, windowName)
	}
	gui := filepath.Join(filepath.Dir(self), windowName)
	if st, err := os.Stat(gui); err != nil || st.IsDir() || sameFile(gui, self) {
		return "", i18n.E("cli.window_missing", nil, gui)
	}
	return gui, nil
}

func sameFile(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}
