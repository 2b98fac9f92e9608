package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"pkiodesk/app/store"
	"pkiodesk/internal/fixture"
)

// Ctrl-C and SIGTERM end the window cleanly at any moment: while it is
// being made, as it appears (before Fyne's driver handles signals), once
// it runs, and in the demo while the revocation refresh of its 300
// certificates runs. The process ends by itself, with status 0, and the
// database is released and intact.
//
// The pointer lies over the window, so that its first event can come
// after the signal: pkiodesk once ended the window with app.Quit, which
// marked it closed while Fyne's loop still polled, and that pointer event
// crashed on the window's missing viewport. In the demo, Fyne's own
// shutdown hung for good behind the refresh's queued progress calls.
// First, a display that cannot be opened ends it with a message.
func TestWindowEndsOnSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the OpenGL binary")
	}
	// Its own display: it moves the pointer, and a shared one may have been
	// started by an older fixtures.sh without -noreset (see startXvfb).
	display := fixture.DisplaySized(t, 1280, 800)
	xdotool := fixture.Program(t, "xdotool")
	goBin := fixture.Program(t, "go")
	work := t.TempDir()
	bin := filepath.Join(work, "pkiodesk")
	build := exec.Command(goBin, "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	// A display that cannot be opened (here one no X server serves) is
	// said in words, with status 1; GLFW only logs the failure, and Fyne
	// then panicked in newUI with a dump of every goroutine.
	noDisplay := exec.Command(bin, "--db", filepath.Join(work, "nodisplay.db"))
	noDisplay.Env = append(os.Environ(), "DISPLAY=:65000", "LANG=nl_NL.UTF-8", "PKIODESK_LANG=nl",
		"XDG_CONFIG_HOME="+filepath.Join(work, "config"), "XDG_CACHE_HOME="+filepath.Join(work, "cache"))
	out, err := noDisplay.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), `het beeldscherm ":65000" kan niet worden geopend`) || strings.Contains(string(out), "goroutine ") {
		t.Errorf("pkiodesk on a display nobody serves: %v\n%s", err, out)
	}
	xenv := append(os.Environ(), "DISPLAY="+display)
	pointer := exec.Command(xdotool, "mousemove", "300", "300")
	pointer.Env = xenv
	if out, err := pointer.CombinedOutput(); err != nil {
		t.Fatalf("xdotool mousemove: %v %s", err, out)
	}
	// When the signal comes.
	const (
		starting = "starting" // as soon as the database file exists
		appears  = "appears"  // as soon as the window exists
		runs     = "runs"     // a second after the window appeared
	)
	for _, c := range []struct {
		sig  syscall.Signal
		when string
		demo bool
	}{
		{syscall.SIGTERM, starting, false},
		{syscall.SIGINT, appears, false},
		{syscall.SIGTERM, runs, false},
		{syscall.SIGTERM, appears, true},
	} {
		name := fmt.Sprintf("%s %s", strings.ToUpper(c.sig.String()), c.when)
		if c.demo {
			name += " demo"
		}
		// No '=' in the folder: SoftHSM's configuration file cannot hold it.
		dir := filepath.Join(work, strings.ReplaceAll(name, " ", "-"))
		db := filepath.Join(dir, "pkiodesk.db")
		cmd := exec.Command(bin, "--db", db)
		if c.demo {
			cmd = exec.Command(bin, "--demo")
		}
		// Its own configuration folder: never the real one of whoever runs the tests.
		cmd.Env = append(xenv, "LANG=nl_NL.UTF-8", "PKIODESK_LANG=nl", "PKIODESK_DEMO_DB="+db,
			"XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "XDG_CACHE_HOME="+filepath.Join(dir, "cache"))
		var logs bytes.Buffer
		cmd.Stdout, cmd.Stderr = &logs, &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		deadline := time.Now().Add(60 * time.Second)
		for ready := false; !ready; {
			if c.when == starting {
				_, err := os.Stat(db)
				ready = err == nil
			} else {
				search := exec.Command(xdotool, "search", "--pid", strconv.Itoa(cmd.Process.Pid), "--name", "^pkiodesk")
				search.Env = xenv
				out, _ := search.Output()
				ready = strings.TrimSpace(string(out)) != ""
			}
			if ready {
				break
			}
			select {
			case err := <-exited:
				t.Fatalf("%s: pkiodesk ended (%v) before the signal\n%s", name, err, logs.String())
			default:
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				<-exited
				t.Fatalf("%s: no window\n%s", name, logs.String())
			}
			// Each search is a new X connection, and its end was the last
			// client leaving: an X server without -noreset then reset and
			// dropped the window's connection if it came at that moment
			// (not a full backlog: a blocking connect waits for room). The
			// display has -noreset now; polling less often only saves work.
			if c.when == starting {
				time.Sleep(20 * time.Millisecond)
			} else {
				time.Sleep(100 * time.Millisecond)
			}
		}
		if c.when == runs {
			time.Sleep(time.Second)
		}
		cmd.Process.Signal(c.sig)
		if _, ended := endsWithin(cmd.Process, exited, 15*time.Second); !ended {
			t.Fatalf("%s: the signal did not end the window; its goroutines when it was stopped:\n%s", name, logs.String())
		}
		if code := cmd.ProcessState.ExitCode(); code != 0 {
			t.Errorf("%s: exit %d\n%s", name, code, logs.String())
		}
		st, err := store.OpenBolt(db, store.BoltOptions{Access: store.OpenExisting, Timeout: 500 * time.Millisecond})
		if err != nil {
			t.Errorf("%s: database after the window: %v", name, err)
			continue
		}
		st.Close()
	}
}

// endsWithin waits up to d for a process to end. One that does not is
// sent SIGQUIT, which makes a Go program print every goroutine's stack
// (where it hangs) to its output before it ends; it is killed if even
// that does not end it. ended reports whether it ended by itself.
func endsWithin(p *os.Process, exited <-chan error, d time.Duration) (err error, ended bool) {
	select {
	case err := <-exited:
		return err, true
	case <-time.After(d):
	}
	p.Signal(syscall.SIGQUIT)
	select {
	case err := <-exited:
		return err, false
	case <-time.After(10 * time.Second):
	}
	p.Kill()
	return errors.Join(errors.New("killed after SIGQUIT"), <-exited), false
}
