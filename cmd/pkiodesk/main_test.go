package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// guiPackages are the packages a command must not pay for at start: Fyne,
// its OpenGL and text shaping, its Markdown parser, and the screens.
var guiPackages = regexp.MustCompile(`^(fyne\.io/|github\.com/(go-gl|go-text|fyne-io|yuin/goldmark|srwiley)/|pkiodesk/screens)`)

func TestCommandLineLinksNoGUI(t *testing.T) {
	goBin := goTool(t)
	out, err := exec.Command(goBin, "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 {
		t.Fatalf("go list found only %d packages", len(deps))
	}
	for _, p := range deps {
		if guiPackages.MatchString(p) {
			t.Errorf("the command line links %s", p)
		}
	}
}

// build compiles this command into a temporary folder.
func build(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "pkiodesk")
	cmd := exec.Command(goTool(t), "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func goTool(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("go not found")
		}
		t.Skip("go not found")
	}
	return p
}

type result struct {
	code           int
	stdout, stderr string
}

// run starts the built program with only the given environment: no
// DISPLAY, a bare container's locale unless the test sets another.
func run(t *testing.T, bin string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append([]string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir()}, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, out.String(), errb.String()}
}

func TestCommandLine(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the program")
	}
	bin := build(t)
	cLocale := []string{"LANG=C.UTF-8"}

	// A command prints its own output and nothing else, also with the
	// C.UTF-8 locale (Fyne's locale parser used to complain on stderr).
	r := run(t, bin, cLocale, "version")
	if r.code != 0 || !regexp.MustCompile(`^pkiodesk \d+\.\d+\.\d+ \(go[\d.]+, \w+/\w+\)\n$`).MatchString(r.stdout) || r.stderr != "" {
		t.Errorf("version: %+v", r)
	}
	db := filepath.Join(t.TempDir(), "p.db")
	if r := run(t, bin, cLocale, "list", "--db", db); r.code == 0 || !strings.Contains(r.stderr, "pkiodesk init") {
		t.Errorf("list on a missing database: %+v", r)
	}
	if r := run(t, bin, cLocale, "init", "--db", db); r.code != 0 || r.stderr != "" {
		t.Errorf("init: %+v", r)
	}
	if r := run(t, bin, cLocale, "list", "--db", db); r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, "0 certificaten") {
		t.Errorf("list: %+v", r)
	}

	// A typo is an error with the closest command, never the window.
	r = run(t, bin, []string{"LANG=en_US.UTF-8"}, "lsit")
	if r.code != 2 || !strings.Contains(r.stderr, "unknown command \"lsit\"\nDid you mean list?\n") || !strings.Contains(r.stderr, "verify-pdf") {
		t.Errorf("lsit: %+v", r)
	}

	// No command: the window, which needs a display.
	r = run(t, bin, cLocale)
	if r.code != 1 || !strings.Contains(r.stderr, "geen beeldscherm") {
		t.Errorf("no display: %+v", r)
	}
	// A wrong window flag fails before any window code runs.
	if r := run(t, bin, []string{"DISPLAY=:99"}, "--dmeo"); r.code != 2 || !strings.Contains(r.stderr, "--demo-if-new") {
		t.Errorf("--dmeo: %+v", r)
	}
	// The window program must sit next to the command line.
	if r := run(t, bin, []string{"DISPLAY=:99"}, "--demo"); r.code != 1 || !strings.Contains(r.stderr, "pkiodesk-gui ontbreekt") {
		t.Errorf("no pkiodesk-gui: %+v", r)
	}
}

// The command line becomes the window program: same process, same
// arguments, found next to the command line through a symbolic link.
func TestOpensWindowProgram(t *testing.T) {
	if testing.Short() || runtime.GOOS == "windows" {
		t.Skip("builds the program; the stand-in window program is a shell script")
	}
	bin := build(t)
	dir := t.TempDir()
	installed := filepath.Join(dir, "pkiodesk")
	if err := os.Rename(bin, installed); err != nil {
		t.Fatal(err)
	}
	record := filepath.Join(dir, "record")
	gui := "#!/bin/sh\necho \"$$ $*\" > " + record + "\n"
	if err := os.WriteFile(filepath.Join(dir, "pkiodesk-gui"), []byte(gui), 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "pkiodesk")
	if err := os.Symlink(installed, link); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(link, "--db", "list", "--demo-if-new")
	cmd.Env = []string{"DISPLAY=:99", "PATH=/usr/bin:/bin"}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	got, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	want := strconv.Itoa(cmd.Process.Pid) + " --db list --demo-if-new\n"
	if string(got) != want {
		t.Errorf("window program saw %q, want %q", got, want)
	}
}

// BenchmarkStartVersion is how scripts and monitoring start pkiodesk. Besides
// the time per run it reports, from GODEBUG=inittrace=1, the time from the
// program's start to the end of the last package initialisation
// (start-to-main-ms) and the sum of all package initialisations (init-ms).
func BenchmarkStartVersion(b *testing.B) {
	bin := build(b)
	var toMain, inits float64
	for b.Loop() {
		cmd := exec.Command(bin, "version")
		cmd.Env = []string{"GODEBUG=inittrace=1", "LANG=C.UTF-8"}
		var trace bytes.Buffer
		cmd.Stderr = &trace
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		m, s := parseInitTrace(trace.String())
		toMain += m
		inits += s
	}
	b.ReportMetric(toMain/float64(b.N), "start-to-main-ms")
	b.ReportMetric(inits/float64(b.N), "init-ms")
}

// initLine is one line of GODEBUG=inittrace=1: "init pkg @1.2 ms, 0.3 ms clock, ...".
var initLine = regexp.MustCompile(`(?m)^init \S+ @([\d.]+) ms, ([\d.]+) ms clock`)

func parseInitTrace(s string) (toMain, sum float64) {
	for _, m := range initLine.FindAllStringSubmatch(s, -1) {
		at, _ := strconv.ParseFloat(m[1], 64)
		clock, _ := strconv.ParseFloat(m[2], 64)
		sum += clock
		toMain = max(toMain, at+clock)
	}
	return toMain, sum
}

func TestParseInitTrace(t *testing.T) {
	m, s := parseInitTrace("init runtime @0.10 ms, 0.50 ms clock, 0 bytes, 0 allocs\ninit os @2.0 ms, 0.25 ms clock, 432 bytes, 9 allocs\npkiodesk 0.1.0\n")
	if m != 2.25 || s != 0.75 {
		t.Errorf("parseInitTrace = %v, %v", m, s)
	}
}
