// pkiodesk manages an organisation's PKIoverheid certificates. This is the
// window program (pkiodesk-gui; pkiodesk.exe on Windows). The command line
// is cmd/pkiodesk, which links no GUI code and starts this program when it
// is given no command. Given a command, this program runs it too, so
// pkiodesk.exe alone still answers `pkiodesk.exe version`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"

	"pkiodesk/app/i18n"
	"pkiodesk/cli"
	"pkiodesk/screens"
)

func main() {
	args := os.Args[1:]
	if !cli.WantsWindow(args) {
		attachConsole()
		// Ctrl-C and SIGTERM cancel the command, which ends cleanly (an
		// import leaves none of itself); a second Ctrl-C ends it at once.
		ctx, stop := cli.WithSignals(context.Background())
		code := cli.Run(ctx, args, cli.OSEnv())
		stop()
		os.Exit(code)
	}
	// The window: its close button, Ctrl-C and SIGTERM close the token
	// session and the database, and end the process (screens.Run); a
	// second Ctrl-C ends it at once, which the database survives: every
	// change is one transaction.
	os.Exit(runGUI(args))
}

func runGUI(args []string) int {
	lang := i18n.FromEnv(os.Getenv)
	o, err := cli.ParseWindowOptions(args)
	if errors.Is(err, flag.ErrHelp) {
		return cli.Run(context.Background(), []string{"help"}, cli.OSEnv())
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "pkiodesk: %s\n", i18n.Localize(lang, err))
		return 2
	}
	if err := cli.CheckDisplay(runtime.GOOS, os.Getenv); err != nil {
		fmt.Fprintf(os.Stderr, "pkiodesk: %s\n", i18n.Localize(lang, err))
		return 1
	}
	setMetadata()
	return screens.Run(screens.Options{DBFlag: o.DB, Demo: o.Demo, DemoIfNew: o.DemoIfNew})
}
