// Package cli is pkiodesk's command line: the same core as the screens,
// without a window. One file per command.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"pkiodesk/app"
	"pkiodesk/app/i18n"
	"pkiodesk/app/store"
)

// Env is what a command may touch of the outside world.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Now            func() time.Time
	// ExtraFiles are inherited file descriptors 3, 4, ... (for --pin-fd).
	ExtraFiles func(fd int) *os.File
}

// OSEnv is the process's own environment.
func OSEnv() Env {
	return Env{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Now: time.Now,
		ExtraFiles: func(fd int) *os.File { return os.NewFile(uintptr(fd), fmt.Sprintf("fd%d", fd)) },
	}
}

// command is one verb of the CLI. setup declares the command's flags on
// c.fs and returns the body, which runs after parsing.
type command struct {
	name    string
	summary [2]string // nl, en
	usage   string    // arguments after the verb
	setup   func(c *call) func(ctx context.Context) int
	// group, when set, makes this a verb with sub-verbs ("brp add").
	group func() []command
}

// call is one invocation of a command.
type call struct {
	env  Env
	lang i18n.Lang
	fs   *flag.FlagSet
	db   *string
	args []string // positional arguments after flag parsing
	// pinFile is --pin-fd's descriptor, kept open between PINs (one per
	// line) and read without a buffer that would keep a PIN.
	pinFile *os.File
}

func (c *call) out(format string, a ...any) { fmt.Fprintf(c.env.Stdout, format, a...) }

// fail prints an error in the user's language and returns the exit status.
func (c *call) fail(err error) int {
	fmt.Fprintf(c.env.Stderr, "pkiodesk: %s\n", i18n.Localize(c.lang, err))
	return 2
}

// openApp opens the core on the database named by --db / PKIODESK_DB.
func (c *call) openApp(ctx context.Context) (*app.App, error) {
	path, err := store.ResolvePath(*c.db, c.env.Getenv)
	if err != nil {
		return nil, err
	}
	return app.Open(ctx, app.Config{DBPath: path, Now: c.env.Now})
}

func commands() []command {
	return []command{
		importCommand(), listCommand(), expiringCommand(), versionCommand(),
		tokensCommand(), loginTestCommand(), sealCommand(), verifyPDFCommand(), settingsCommand(),
		brpCommand(),
		auditCommand(),
		revocationCommand(), trustCommand(),
		orgCommand(), reportCommand(),
		csrCommand(), orderCommand(),
	}
}

// IsCommand tells main whether args name a CLI command (else the GUI starts).
func IsCommand(name string) bool {
	for _, c := range commands() {
		if c.name == name {
			return true
		}
	}
	return name == "help"
}

// Run runs one command: args[0] is the verb. Global flags (--db) may stand
// before the verb. It returns the process exit status.
func Run(ctx context.Context, args []string, env Env) int {
	lang := i18n.FromEnv(env.Getenv)
	var globalDB string
	for len(args) >= 2 && (args[0] == "--db" || args[0] == "-db") {
		globalDB, args = args[1], args[2:]
	}
	if len(args) > 0 && (strings.HasPrefix(args[0], "--db=") || strings.HasPrefix(args[0], "-db=")) {
		_, globalDB, _ = strings.Cut(args[0], "=")
		args = args[1:]
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "--help" || args[0] == "-h" {
		printOverview(env.Stdout, lang)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, cmd := range commands() {
		if cmd.name != args[0] {
			continue
		}
		if cmd.group != nil {
			return runGroup(ctx, cmd, args[1:], env, lang, globalDB)
		}
		fs := flag.NewFlagSet("pkiodesk "+cmd.name, flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		c := &call{env: env, lang: lang, fs: fs}
		c.db = fs.String("db", globalDB, t(lang, "databasebestand (standaard: PKIODESK_DB of de configuratiemap)", "database file (default: PKIODESK_DB or the configuration folder)"))
		body := cmd.setup(c)
		positional, err := parseInterleaved(fs, args[1:])
		if errors.Is(err, flag.ErrHelp) {
			cmd.printUsage(env.Stdout, c)
			return 0
		}
		if err != nil {
			fmt.Fprintf(env.Stderr, "pkiodesk %s: %v\n", cmd.name, err)
			cmd.printUsage(env.Stderr, c)
			return 2
		}
		c.args = positional
		return body(ctx)
	}
	fmt.Fprintf(env.Stderr, "pkiodesk: %s\n", t(lang, "onbekend commando ", "unknown command ")+fmt.Sprintf("%q", args[0]))
	printOverview(env.Stderr, lang)
	return 2
}

func (cmd command) printUsage(w io.Writer, c *call) {
	fmt.Fprintf(w, "%s: pkiodesk %s %s\n%s\n\n", t(c.lang, "Gebruik", "Usage"), cmd.name, cmd.usage, t(c.lang, cmd.summary[0], cmd.summary[1]))
	c.fs.SetOutput(w)
	c.fs.PrintDefaults()
	c.fs.SetOutput(io.Discard)
}

// parseInterleaved parses flags anywhere among the arguments; "--" ends them.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if rest[0] == "--" {
			return append(positional, rest[1:]...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

func t(l i18n.Lang, nl, en string) string {
	if l == i18n.EN {
		return en
	}
	return nl
}

func printOverview(w io.Writer, l i18n.Lang) {
	fmt.Fprintln(w, t(l, "Gebruik: pkiodesk [--db PAD] COMMANDO [opties]\nZonder commando start het venster.\n\nCommando's:",
		"Usage: pkiodesk [--db PATH] COMMAND [options]\nWithout a command the window starts.\n\nCommands:"))
	cmds := commands()
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, t(l, c.summary[0], c.summary[1]))
	}
	fmt.Fprintln(w, t(l, "\n'pkiodesk COMMANDO --help' toont de opties van een commando.", "\n'pkiodesk COMMAND --help' shows a command's options."))
}
