package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"pkiodesk/app/i18n"
)

// WantsWindow reports whether the arguments ask for the window: no word at
// all, only the window's flags (--db PATH, --demo, --demo-if-new). Any word
// goes to Run, which runs the command or, for a word that is not a command,
// fails with the list of commands: a typo never opens the window.
func WantsWindow(args []string) bool {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--db" || a == "-db":
			i++ // its value, even when it looks like a command
		case a == "--help" || a == "-h" || a == "-help":
			return false
		case strings.HasPrefix(a, "-") && a != "-" && a != "--":
		default:
			return false
		}
	}
	return true
}

// WindowOptions are the window's flags.
type WindowOptions struct {
	DB              string
	Demo, DemoIfNew bool
}

// ParseWindowOptions reads the window's flags. Both the command line
// front end and the window program use it, so a wrong flag fails the same
// way before any window code is loaded.
func ParseWindowOptions(args []string) (WindowOptions, error) {
	var o WindowOptions
	fs := flag.NewFlagSet("pkiodesk", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.DB, "db", "", "database file")
	fs.BoolVar(&o.Demo, "demo", false, "open the demo organisation (never a real database)")
	fs.BoolVar(&o.DemoIfNew, "demo-if-new", false, "open the demo when no database exists yet")
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return o, err
	}
	if err != nil {
		for _, a := range args {
			name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
			if strings.HasPrefix(a, "-") && fs.Lookup(name) == nil {
				return o, i18n.E("cli.window_flag", nil, a)
			}
		}
		if a := args[len(args)-1]; strings.TrimLeft(a, "-") == "db" {
			return o, i18n.E("cli.flag_needs_value", nil, "--db")
		}
		return o, i18n.E("cli.window_flag_value", nil)
	}
	if fs.NArg() > 0 {
		return o, i18n.E("cli.unknown_command", nil, fs.Arg(0))
	}
	// An empty --db would fall back to PKIODESK_DB or the default database
	// (and create it): the commands refuse it, and so does the window.
	var emptyDB bool
	fs.Visit(func(f *flag.Flag) { emptyDB = emptyDB || f.Name == "db" && strings.TrimSpace(o.DB) == "" })
	if emptyDB {
		return o, i18n.E("err.db_path_empty", nil)
	}
	return o, nil
}

// CheckDisplay fails when the window cannot open for lack of a graphical
// desktop (a server, an SSH session): on Linux and the BSDs, neither an X
// nor a Wayland display is set. It saves a crash deep in the graphics
// library and says that the commands work without one.
func CheckDisplay(goos string, getenv func(string) string) error {
	switch goos {
	case "windows", "darwin", "android", "ios", "js":
		return nil
	}
	if getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
		return i18n.E("cli.no_display", nil)
	}
	return nil
}

// unknownCommand reports a word that is not a command, with the command it
// most likely meant and the list of all of them. Exit status 2.
func unknownCommand(w io.Writer, l i18n.Lang, word string) int {
	fmt.Fprintf(w, "pkiodesk: %s\n", i18n.T(l, "cli.unknown_command", word))
	names := []string{"help"}
	for _, c := range commands() {
		names = append(names, c.name)
	}
	if guess := closestCommand(word, names); guess != "" {
		fmt.Fprintf(w, "%s\n", i18n.T(l, "cli.did_you_mean", guess))
	}
	fmt.Fprintln(w)
	printOverview(w, l)
	return 2
}

// closestCommand returns the command a mistyped word most likely meant, or
// "" when none is close: a unique prefix ("ver" → version), else the
// nearest by edit distance with swapped neighbours counting once
// ("lsit" → list), at most a third of the word's length (and at least 1).
func closestCommand(word string, names []string) string {
	word = strings.ToLower(word)
	if word == "" {
		return ""
	}
	var prefixed []string
	for _, n := range names {
		if strings.HasPrefix(n, word) {
			prefixed = append(prefixed, n)
		}
	}
	if len(prefixed) == 1 {
		return prefixed[0]
	}
	limit := max(1, len([]rune(word))/3)
	best, bestDist, tie := "", limit+1, false
	for _, n := range names {
		d := editDistance(word, n)
		switch {
		case d < bestDist:
			best, bestDist, tie = n, d, false
		case d == bestDist:
			tie = true
		}
	}
	if tie {
		return ""
	}
	return best
}

// editDistance is the optimal string alignment distance: insertions,
// deletions, substitutions and swaps of two neighbouring letters.
func editDistance(a, b string) int {
	s, t := []rune(a), []rune(b)
	// d[i][j] is the distance between s[:i] and t[:j].
	d := make([][]int, len(s)+1)
	for i := range d {
		d[i] = make([]int, len(t)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(s); i++ {
		for j := 1; j <= len(t); j++ {
			cost := 1
			if s[i-1] == t[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && s[i-1] == t[j-2] && s[i-2] == t[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(s)][len(t)]
}
