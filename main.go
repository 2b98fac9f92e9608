// pkiodesk manages an organisation's PKIoverheid certificates. Without a
// command it opens the window; with one (import, list, ...) it runs that
// command on the same core and exits.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"pkiodesk/app/i18n"
	"pkiodesk/cli"
	"pkiodesk/screens"
)

func main() {
	args := os.Args[1:]
	if isCLI(args) {
		// Ctrl-C and SIGTERM cancel the command, which ends cleanly (an
		// import leaves none of itself); a second Ctrl-C ends it at once.
		ctx, stop := cli.WithSignals(context.Background())
		code := cli.Run(ctx, args, cli.OSEnv())
		stop()
		os.Exit(code)
	}
	// The window: Fyne's driver catches SIGINT and SIGTERM and quits, so
	// the window closes and the database is closed behind it. Before the
	// driver runs, a signal has its default effect, which the database
	// survives: every change is one transaction.
	os.Exit(runGUI(args))
}

// isCLI reports whether the arguments name a command, perhaps after --db.
func isCLI(args []string) bool {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--db" || a == "-db":
			i++
		case strings.HasPrefix(a, "-"):
			if a == "--help" || a == "-h" {
				return true
			}
		default:
			return cli.IsCommand(a)
		}
	}
	return false
}

func runGUI(args []string) int {
	lang := i18n.FromEnv(os.Getenv)
	fs := flag.NewFlagSet("pkiodesk", flag.ContinueOnError)
	db := fs.String("db", "", "database file")
	demo := fs.Bool("demo", false, "open the demo organisation (never a real database)")
	demoIfNew := fs.Bool("demo-if-new", false, "open the demo when no database exists yet")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	opt := screens.Options{DBFlag: *db, Demo: *demo, DemoIfNew: *demoIfNew}
	if err := screens.Run(opt); err != nil {
		fmt.Fprintf(os.Stderr, "pkiodesk: %s\n", i18n.Localize(lang, err))
		return 1
	}
	return 0
}
