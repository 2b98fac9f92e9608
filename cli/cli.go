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
	"path/filepath"
	"sort"
	"strings"
	"time"

	"pkiodesk/app"
	"pkiodesk/app/files"
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
	// Grace is how long a command may take to end after Ctrl-C or
	// SIGTERM before Run gives up on it (a write to a pipe nobody reads
	// cannot be interrupted); zero means 3 seconds.
	Grace time.Duration
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
	// usageEN is usage in English, when it has words in it.
	usageEN string
	// maxArgs is how many arguments (besides flags) the command takes: 0
	// none, -1 any number. More are refused before the command runs.
	maxArgs int
	setup   func(c *call) func(ctx context.Context) int
	// group, when set, makes this a verb with sub-verbs ("brp add").
	group func() []command
}

// takesArgs declares a command's arguments where it is registered.
func takesArgs(cmd command, max int) command {
	cmd.maxArgs = max
	return cmd
}

// call is one invocation of a command.
type call struct {
	env  Env
	lang i18n.Lang
	fs   *flag.FlagSet
	db   *string
	// set names the flags given on the command line.
	set  map[string]bool
	args []string // positional arguments after flag parsing
	// pinFile is --pin-fd's descriptor, kept open between PINs (one per
	// line) and read without a buffer that would keep a PIN.
	pinFile *os.File
	// opened are the cores the command opened, asked afterwards whether
	// the journal's checkpoint lags behind what they stored.
	opened []*app.App
	// damageSaid is set by a command that tells of a damaged database
	// itself (list, expiring, db check, db backup); for every other one
	// runCommand says it, and ends with 2.
	damageSaid bool
	// landed is set by a command once its change is stored: a signal
	// that comes after it no longer turns the command into a failure.
	landed bool
}

func (c *call) out(format string, a ...any) { fmt.Fprintf(c.env.Stdout, format, a...) }

// fail prints an error in the user's language and returns the exit status.
func (c *call) fail(err error) int {
	fmt.Fprintf(c.env.Stderr, "pkiodesk: %s\n", i18n.Localize(c.lang, err))
	if store.IsDamaged(err) {
		fmt.Fprintf(c.env.Stderr, "%s\n", i18n.Localize(c.lang, app.RestoreHint(c.dbPath())))
	}
	return 2
}

// warn prints a problem that does not stop the command.
func (c *call) warn(err error) {
	fmt.Fprintf(c.env.Stderr, "pkiodesk: %s\n", i18n.Localize(c.lang, err))
}

// dbPath is the database the command works on ("" when it cannot be told).
func (c *call) dbPath() string {
	if c.db == nil {
		return ""
	}
	p, _ := store.ResolvePath(*c.db, c.env.Getenv)
	return p
}

// openApp opens an existing database for reading and writing (for
// commands that keep settings, people or records of their own).
func (c *call) openApp(ctx context.Context) (*app.App, error) {
	return c.open(ctx, store.OpenExisting, true)
}

// openToRead opens the core for a command that only reads: a database the
// user may only read works, and nothing is written.
func (c *call) openToRead(ctx context.Context) (*app.App, error) {
	return c.open(ctx, store.ReadOnly, true)
}

// open opens the core on the database named by --db / PKIODESK_DB. Only
// `init` (and the window's first start) may create one; read-only commands
// open it read-only, so a file the user may only read works. The user's
// language setting applies from here on.
func (c *call) open(ctx context.Context, access store.Access, loadInventory bool) (*app.App, error) {
	return c.openWith(ctx, app.Config{Access: access, SkipInventory: !loadInventory})
}

// openWith is open with more of the core's configuration (an HTTP client);
// the database path and the clock are filled in here.
func (c *call) openWith(ctx context.Context, cfg app.Config) (*app.App, error) {
	if c.set["db"] && *c.db == "" {
		return nil, i18n.E("err.db_path_empty", nil)
	}
	path, err := store.ResolvePath(*c.db, c.env.Getenv)
	if err != nil {
		return nil, err
	}
	cfg.DBPath, cfg.Now = path, c.env.Now
	a, err := app.Open(ctx, cfg)
	if err == nil {
		c.opened = append(c.opened, a)
	}
	if err != nil {
		return nil, err
	}
	c.lang = a.Language(ctx, c.env.Getenv)
	if from, backup := a.Migration(); from > 0 {
		c.warn(i18n.E("db.migrated", nil, from, store.SchemaVersion, backup))
	}
	return a, nil
}

// refuseEmpty refuses flags given with an empty value.
func (c *call) refuseEmpty(names ...string) error {
	for _, n := range names {
		if f := c.fs.Lookup(n); f != nil && c.set[n] && strings.TrimSpace(f.Value.String()) == "" {
			return i18n.E("cli.flag_empty", nil, "--"+n)
		}
	}
	return nil
}

func commands() []command {
	return []command{
		takesArgs(importCommand(), -1), listCommand(), expiringCommand(), versionCommand(),
		tokensCommand(), loginTestCommand(), takesArgs(sealCommand(), 1), takesArgs(verifyPDFCommand(), 1), settingsCommand(),
		brpCommand(), initCommand(), takesArgs(dbCommand(), 2),
		auditCommand(),
		takesArgs(revocationCommand(), 1), takesArgs(trustCommand(), -1),
		orgCommand(), reportCommand(),
		takesArgs(csrCommand(), 2), takesArgs(orderCommand(), 2),
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
// before the verb. It returns the process exit status. When ctx ends (Ctrl-C,
// SIGTERM; see WithSignals) the command is cancelled, and Run returns
// 130/143 at the latest after Env.Grace even if the command is stuck.
func Run(ctx context.Context, args []string, env Env) int {
	lang := i18n.FromEnv(env.Getenv)
	var globalDB *string
	for len(args) > 0 && (args[0] == "--db" || args[0] == "-db" || strings.HasPrefix(args[0], "--db=") || strings.HasPrefix(args[0], "-db=")) {
		if _, v, ok := strings.Cut(args[0], "="); ok {
			globalDB, args = &v, args[1:]
			continue
		}
		if len(args) < 2 {
			fmt.Fprintf(env.Stderr, "pkiodesk: %s\n", i18n.T(lang, "cli.flag_needs_value", "--db"))
			return 2
		}
		v := args[1]
		globalDB, args = &v, args[2:]
	}
	if globalDB != nil && *globalDB == "" {
		fmt.Fprintf(env.Stderr, "pkiodesk: %s\n", i18n.T(lang, "err.db_path_empty"))
		return 2
	}
	if len(args) == 2 && args[0] == "help" && args[1] != "help" {
		// "help list" is "list --help"; an unknown word is refused.
		if !IsCommand(args[1]) {
			return unknownCommand(env.Stderr, lang, args[1])
		}
		return Run(ctx, []string{args[1], "--help"}, env)
	}
	if len(args) > 1 && args[0] == "help" {
		fmt.Fprintf(env.Stderr, "pkiodesk help: %s\n", i18n.T(lang, "cli.unexpected_argument", args[len(args)-1]))
		return 2
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
		return runCommand(ctx, cmd, args[1:], env, lang, globalDB)
	}
	return unknownCommand(env.Stderr, lang, args[0])
}

// runCommand parses a command's flags and arguments and runs it.
func runCommand(ctx context.Context, cmd command, args []string, env Env, lang i18n.Lang, globalDB *string) int {
	fs := flag.NewFlagSet("pkiodesk "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c := &call{env: env, lang: lang, fs: fs, set: map[string]bool{}}
	defaultDB := ""
	if globalDB != nil {
		defaultDB = *globalDB
		c.set["db"] = true
	}
	c.db = fs.String("db", defaultDB, t(lang, "databasebestand (standaard: PKIODESK_DB of de configuratiemap)", "database file (default: PKIODESK_DB or the configuration folder)"))
	body := cmd.setup(c)
	positional, err := c.parse(args)
	if errors.Is(err, flag.ErrHelp) {
		cmd.printUsage(env.Stdout, c)
		return 0
	}
	if err == nil && cmd.maxArgs >= 0 && len(positional) > cmd.maxArgs {
		err = i18n.E("cli.unexpected_argument", nil, positional[cmd.maxArgs])
	}
	if err == nil && c.set["db"] && *c.db == "" {
		err = i18n.E("err.db_path_empty", nil)
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "pkiodesk %s: %s\n", cmd.name, i18n.Localize(lang, err))
		cmd.printUsage(env.Stderr, c)
		return 2
	}
	c.args = positional
	// Output that cannot be written (a full disk, a closed standard output)
	// is a failure: a script must not read an empty answer as "nothing".
	out := &checkedWriter{w: env.Stdout}
	c.env.Stdout = out
	code := runBody(ctx, c, body)
	for _, a := range c.opened {
		if a.Damage != nil && !c.damageSaid {
			// What a damaged file still gave is shown, but a script must
			// not take it for the whole answer ("0 certificaten", exit 0).
			c.damageSaid = true
			c.warn(a.Damage)
			fmt.Fprintf(env.Stderr, "%s\n", i18n.Localize(c.lang, app.RestoreHint(c.dbPath())))
			code = max(code, 2)
		}
		if a.Inventory != nil && !c.damageSaid {
			// Records a damaged page hid or spoiled: every verb that read
			// the inventory (revocation status, report …) went without them.
			if damaged := a.Inventory.Damaged(); len(damaged) > 0 {
				c.damageSaid = true
				c.warn(store.DamagedRecords(damaged))
				code = max(code, 2)
			}
		}
		if a.Journal == nil {
			continue
		}
		if err := a.Journal.HeadProblem(); err != nil {
			// "Stored, but" only where the command succeeded: after a
			// failure the entry that lags is the failure's own.
			key := "audit.head_lags"
			if code != 0 {
				key = "audit.head_lags_failed"
			}
			fmt.Fprintf(env.Stderr, "pkiodesk: %s\n", i18n.Localize(c.lang, i18n.E(key, err)))
		}
	}
	if out.err != nil && code < 2 {
		fmt.Fprintf(env.Stderr, "pkiodesk: %s\n", i18n.Localize(c.lang, i18n.E("cli.output_failed", out.err)))
		return 2
	}
	return code
}

// checkedWriter remembers the first error of the writes through it.
type checkedWriter struct {
	w   io.Writer
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	if err != nil && c.err == nil {
		c.err = err
	}
	return n, err
}

// runBody runs a command, and stops waiting for it once ctx has ended and
// the grace period is over: a write to a pipe nobody reads cannot be
// cancelled, but the process must still end.
func runBody(ctx context.Context, c *call, body func(context.Context) int) int {
	done := make(chan int, 1)
	go func() { done <- body(ctx) }()
	select {
	case code := <-done:
		if status, ok := signalStatus(ctx); ok && !c.landed && !(code == 0 && c.committed()) {
			return status
		}
		return code
	case <-ctx.Done():
	}
	grace := c.env.Grace
	if grace <= 0 {
		grace = 3 * time.Second
	}
	code := 2
	select {
	case code = <-done:
		if c.landed || (code == 0 && c.committed()) {
			// Stored, and the report was written after the signal.
			return code
		}
	case <-time.After(grace):
		// Even stderr may be a pipe nobody reads: do not wait on it.
		msg := make(chan struct{})
		go func() {
			fmt.Fprintf(c.env.Stderr, "pkiodesk: %s\n", i18n.T(c.lang, "cli.interrupted_stuck"))
			close(msg)
		}()
		select {
		case <-msg:
		case <-time.After(200 * time.Millisecond):
		}
	}
	if status, ok := signalStatus(ctx); ok {
		return status
	}
	return code
}

// committed tells whether the command committed a change to a database it
// opened. Each change is one transaction with its journal entry: a command
// that then finished without error did what it was asked, signal or not.
// Only read once the command's goroutine is done.
func (c *call) committed() bool {
	for _, a := range c.opened {
		if s, ok := a.Store.(interface{ Committed() uint64 }); ok && s.Committed() > 0 {
			return true
		}
	}
	return false
}

// parse reads flags anywhere among the arguments ("--" ends them) and
// returns the others. Errors are in the user's language, not flag's English.
func (c *call) parse(args []string) ([]string, error) {
	var positional []string
	given := map[string]bool{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(positional, args[i+1:]...), nil
		}
		if len(a) < 2 || a[0] != '-' {
			positional = append(positional, a)
			continue
		}
		name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		name, value, hasValue := strings.Cut(name, "=")
		if name == "h" || name == "help" {
			return nil, flag.ErrHelp
		}
		f := c.fs.Lookup(name)
		if f == nil || name == "" {
			return nil, i18n.E("cli.unknown_flag", nil, a)
		}
		if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() && !hasValue {
			value, hasValue = "true", true
		}
		if !hasValue {
			// "--status --db x" lacks a value; it does not mean status "--db".
			if i+1 >= len(args) || strings.HasPrefix(args[i+1], "--") && len(args[i+1]) > 2 {
				return nil, i18n.E("cli.flag_needs_value", nil, "--"+name)
			}
			i++
			value = args[i]
		}
		// Given twice, which one was meant? A monitoring line edited
		// to "--days 30 --days 1" must not quietly check one day. Options
		// that collect (--fqdn, --host) may repeat.
		if _, collects := f.Value.(interface{ collects() }); given[name] && !collects {
			return nil, i18n.E("cli.flag_twice", nil, "--"+name)
		}
		given[name] = true
		if err := c.fs.Set(name, value); err != nil {
			return nil, i18n.E("cli.flag_value", nil, value, "--"+name)
		}
		c.set[name] = true
	}
	return positional, nil
}

func (cmd command) printUsage(w io.Writer, c *call) {
	usage := cmd.usage
	if c.lang == i18n.EN {
		usage = englishPlaceholders.Replace(usage)
		if cmd.usageEN != "" {
			usage = cmd.usageEN
		}
	}
	fmt.Fprintf(w, "%s: pkiodesk %s %s\n%s\n\n", t(c.lang, "Gebruik", "Usage"), cmd.name, usage, t(c.lang, cmd.summary[0], cmd.summary[1]))
	printFlags(w, c.fs, c.lang)
}

// englishPlaceholders are the usage lines' Dutch words for what to fill in.
var englishPlaceholders = strings.NewReplacer("BESTAND", "FILE", "DAG", "DAY", "PAD", "PATH", "NAAM", "NAME",
	"SLEUTEL", "KEY", "TEKST", "TEXT", "KOLOM", "COLUMN", "MAP", "FOLDER", "opties", "options", "COMMANDO", "COMMAND")

// printFlags lists a command's options as flag.PrintDefaults does, with the
// default value in the user's language ("(standaard: 30)").
func printFlags(w io.Writer, fs *flag.FlagSet, l i18n.Lang) {
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		if nl, ok := map[string]string{"string": "tekst", "int": "getal", "uint": "getal", "float": "getal", "duration": "duur", "value": "waarde"}[name]; ok && l == i18n.NL {
			name = nl
		}
		line := "  -" + f.Name
		if name != "" {
			line += " " + name
		}
		if len(line) <= 4 {
			line += "\t"
		} else {
			line += "\n    \t"
		}
		line += strings.ReplaceAll(usage, "\n", "\n    \t")
		if d := f.DefValue; d != "" && d != "false" && d != "0" {
			line += fmt.Sprintf(" (%s: %q)", t(l, "standaard", "default"), d)
		}
		fmt.Fprintln(w, line)
	})
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

// writeFileAtomic writes a file through a temporary file and a rename, so
// an interrupted write never leaves half a file under the chosen name; a
// device, a FIFO or a link to nothing is refused (see files.WriteReplacing).
func writeFileAtomic(path string, write func(io.Writer) error) error {
	if err := files.WriteReplacing(path, 0o600, write); err != nil {
		return i18n.E("err.file_write", err, path)
	}
	return nil
}

// checkOutput looks at a file a command is asked to write, before any work
// is done: "-" and the very file standard output or standard error goes to
// (/dev/stdout, /dev/stderr, /proc/self/fd/1, the log a ">>" names, a pipe)
// mean that stream, where the output is written in place: a rename over it
// would replace the user's file and lose what it held. Another descriptor
// of this process (/dev/fd/3) is refused for the same reason, and so are
// the database and its journal head, and what files.OutputTarget refuses
// (a device, a FIFO, a folder, a link to nothing).
func (c *call) checkOutput(path string) (toStream bool, err error) {
	if c.stream(path) != nil {
		return true, nil
	}
	if namesDescriptor(path) {
		return false, i18n.E("cli.output_descriptor", nil, path)
	}
	if _, _, err := files.OutputTarget(path); err != nil {
		return false, err
	}
	if db, err := store.ResolvePath(*c.db, c.env.Getenv); err == nil && files.IsOneOf(path, app.OwnFiles(db)...) {
		return false, i18n.E("cli.output_is_database", nil, path)
	}
	// A link or a name for a file the shell handed over (3>>log).
	if _, existing, _ := files.OutputTarget(path); existing != nil {
		if fd, held := files.HeldOpen(existing); held {
			return false, i18n.E("err.output_held_open", nil, path, fd)
		}
	}
	return false, nil
}

// stream is the standard output or error that path names ("-" is standard
// output), or nil.
func (c *call) stream(path string) io.Writer {
	if path == "-" {
		return c.env.Stdout
	}
	for _, w := range []io.Writer{c.env.Stdout, c.env.Stderr} {
		if sameFile(w, path) {
			return w
		}
	}
	return nil
}

// sameFile tells whether path names the file w (an *os.File, possibly
// behind the checked writer) writes to.
func sameFile(w io.Writer, path string) bool {
	if cw, wrapped := w.(*checkedWriter); wrapped {
		w = cw.w
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	out, err := f.Stat()
	if err != nil {
		return false
	}
	fi, err := os.Stat(path)
	return err == nil && os.SameFile(fi, out)
}

// namesDescriptor tells whether path names one of this process's open
// file descriptors rather than a file.
func namesDescriptor(path string) bool {
	clean := filepath.ToSlash(filepath.Clean(path))
	for _, dir := range []string{"/dev/fd/", "/proc/self/fd/", "/proc/thread-self/fd/", fmt.Sprintf("/proc/%d/fd/", os.Getpid())} {
		if strings.HasPrefix(clean, dir) {
			return true
		}
	}
	return clean == "/dev/stdin" || clean == "/dev/stdout" || clean == "/dev/stderr"
}

// writeOutput writes a command's output file (see checkOutput): to
// standard output in place, or all at once through files.WriteReplacing.
func (c *call) writeOutput(path string, write func(io.Writer) error) (toStdout bool, err error) {
	toStdout, err = c.checkOutput(path)
	if err != nil {
		return false, err
	}
	if toStdout {
		return true, write(c.stream(path))
	}
	return false, files.WriteReplacing(path, 0o600, write)
}
