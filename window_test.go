package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"pkiodesk/internal/fixture"
)

// TestRealWindow builds pkiodesk, starts it in demo mode on a real X
// display (Xvfb), logs in through the PIN field with xdotool, visits every
// screen and saves screenshots (to $PKIODESK_SCREENSHOT_DIR when set; `make
// screenshots` keeps them in docs/screenshots).
func TestRealWindow(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the OpenGL binary")
	}
	display := fixture.Display(t)
	xdotool := fixture.Program(t, "xdotool")
	importBin := fixture.Program(t, "import")
	goBin := fixture.Program(t, "go")
	work := t.TempDir()
	shots := os.Getenv("PKIODESK_SCREENSHOT_DIR")
	if shots == "" {
		shots = filepath.Join(work, "shots")
	}
	os.MkdirAll(shots, 0o755)

	bin := filepath.Join(work, "pkiodesk")
	build := exec.Command(goBin, "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "--demo")
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "LANG=nl_NL.UTF-8", "PKIODESK_LANG=nl",
		"PKIODESK_DEMO_DB="+filepath.Join(work, "demo", "pkiodesk-demo.db"))
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("pkiodesk output:\n%s", logs.String())
		}
	}()

	x := func(args ...string) string {
		out, _ := exec.Command(xdotool, args...).Output()
		return strings.TrimSpace(string(out))
	}
	// windowOf returns the first window of a process whose title matches
	// the pattern, or "".
	windowOf := func(p *os.Process, title string) string {
		if ids := strings.Fields(x("search", "--pid", strconv.Itoa(p.Pid), "--name", title)); len(ids) > 0 {
			return ids[0]
		}
		return ""
	}
	var win string
	waitTitle := func(prefix string) string {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) {
			if win == "" {
				win = windowOf(cmd.Process, "^pkiodesk")
			}
			if win != "" {
				if title := x("getwindowname", win); strings.HasPrefix(title, prefix) {
					return title
				}
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Fatalf("no window titled %q (last: %q)", prefix, x("getwindowname", win))
		return ""
	}
	shot := func(name string) []byte {
		t.Helper()
		time.Sleep(700 * time.Millisecond) // let the frame render
		p := filepath.Join(shots, name+".png")
		if out, err := exec.Command(importBin, "-display", display, "-window", "root", p).CombinedOutput(); err != nil {
			t.Fatalf("screenshot: %v %s", err, out)
		}
		data, _ := os.ReadFile(p)
		return data
	}
	env := []string{"DISPLAY=" + display}
	click := func(xpos, ypos string) {
		c := exec.Command(xdotool, "mousemove", xpos, ypos, "click", "1")
		c.Env = append(os.Environ(), env...)
		c.Run()
	}
	os.Setenv("DISPLAY", display)

	waitTitle("pkiodesk — Inloggen")
	login := shot("01-inloggen")
	x("windowfocus", win)
	click("590", "458") // the PIN field
	x("type", "--delay", "40", "123456")
	x("key", "Return")
	home := waitTitle("pkiodesk — Start — Gemeente Voorbeeldstad")
	if bytes.Equal(shot("02-start"), login) {
		t.Error("home looks like the login screen")
	}
	t.Logf("home: %s", home)
	for i, s := range []struct{ y, title, file string }{
		{"110", "pkiodesk — Servercertificaten — ", "03-servercertificaten"},
		{"150", "pkiodesk — Persoonlijke certificaten — ", "04-persoonlijke-certificaten"},
		{"190", "pkiodesk — Groepscertificaten — ", "05-groepscertificaten"},
		{"230", "pkiodesk — eSeal certificaten — ", "06-eseal-certificaten"},
		{"270", "pkiodesk — Organisatiegegevens — ", "08-organisatiegegevens"},
	} {
		click("100", s.y)
		waitTitle(s.title)
		shot(s.file)
		if i == 0 {
			click("330", "264") // the first row: its detail
			title := waitTitle("pkiodesk — ")
			deadline := time.Now().Add(10 * time.Second)
			for strings.HasPrefix(title, s.title) && time.Now().Before(deadline) {
				time.Sleep(200 * time.Millisecond)
				title = x("getwindowname", win)
			}
			if strings.HasPrefix(title, s.title) || !strings.Contains(title, ".voorbeeldstad.nl") {
				t.Errorf("detail not opened: %q", title)
			}
			shot("07-detail")
		}
	}
	// BRP-aansluitingen: the register, then the checklist of the demo's
	// second afnemer, which fails (wrong OIN, shared certificate).
	click("100", "310")
	waitTitle("pkiodesk — BRP-aansluitingen — ")
	shot("11-brp-aansluitingen")
	click("330", "247")
	shot("12-brp-controle")

	click("1133", "22") // Uitloggen
	waitTitle("pkiodesk — Uitgelogd")
	shot("09-uitgelogd")

	// A second pkiodesk on the same database gets a window that says why it
	// cannot start, and exits with 1 when that window is closed.
	second := exec.Command(bin, "--demo")
	second.Env = cmd.Env
	var secondLogs bytes.Buffer
	second.Stdout, second.Stderr = &secondLogs, &secondLogs
	if err := second.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- second.Wait() }()
	defer second.Process.Kill()
	var secondWin string
	deadline := time.Now().Add(60 * time.Second)
	for secondWin == "" && time.Now().Before(deadline) {
		secondWin = windowOf(second.Process, "^pkiodesk — Kan niet starten")
		time.Sleep(200 * time.Millisecond)
	}
	if secondWin == "" {
		t.Fatalf("no startup window from the second pkiodesk:\n%s", secondLogs.String())
	}
	shot("10-tweede-pkiodesk")
	x("windowfocus", secondWin)
	x("key", "Return")
	select {
	case err := <-exited:
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Errorf("second pkiodesk exit: %v", err)
		}
		if !strings.Contains(secondLogs.String(), "in gebruik door een andere pkiodesk") {
			t.Errorf("second pkiodesk said:\n%s", secondLogs.String())
		}
	case <-time.After(20 * time.Second):
		t.Error("the second pkiodesk did not exit when its window was closed")
	}
}
