// pkiodesk manages an organisation's PKIoverheid certificates. Without a
// command it opens the window; with one (import, list, ...) it runs that
// command on the same core and exits.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"pkiodesk/app/i18n"
	"pkiodesk/cli"
	"pkiodesk/screens"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	args := os.Args[1:]
	if isCLI(args) {
		os.Exit(cli.Run(ctx, args, cli.OSEnv()))
	}
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
