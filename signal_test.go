package main

import (
	"bytes"
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

// Ctrl-C and SIGTERM close the window cleanly: the process ends by itself,
// with status 0, and the database is released and intact.
func TestWindowEndsOnSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the OpenGL binary")
	}
	display := fixture.Display(t)
	xdotool := fixture.Program(t, "xdotool")
	goBin := fixture.Program(t, "go")
	work := t.TempDir()
	bin := filepath.Join(work, "pkiodesk")
	build := exec.Command(goBin, "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		db := filepath.Join(work, sig.String(), "pkiodesk.db")
		cmd := exec.Command(bin, "--db", db)
		// Its own configuration folder: never the real one of whoever runs the tests.
		cmd.Env = append(os.Environ(), "DISPLAY="+display, "LANG=nl_NL.UTF-8", "PKIODESK_LANG=nl",
			"XDG_CONFIG_HOME="+filepath.Join(work, "config"), "XDG_CACHE_HOME="+filepath.Join(work, "cache"))
		var logs bytes.Buffer
		cmd.Stdout, cmd.Stderr = &logs, &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait for the window: the driver runs, and with it its handling
		// of signals.
		deadline := time.Now().Add(60 * time.Second)
		for {
			search := exec.Command(xdotool, "search", "--pid", strconv.Itoa(cmd.Process.Pid), "--name", "^pkiodesk")
			search.Env = append(os.Environ(), "DISPLAY="+display)
			out, _ := search.Output()
			if strings.TrimSpace(string(out)) != "" {
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("no window\n%s", logs.String())
			}
			time.Sleep(200 * time.Millisecond)
		}
		time.Sleep(500 * time.Millisecond)
		cmd.Process.Signal(sig)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-done
			t.Fatalf("%v did not end the window\n%s", sig, logs.String())
		}
		if code := cmd.ProcessState.ExitCode(); code != 0 {
			t.Errorf("%v: exit %d\n%s", sig, code, logs.String())
		}
		st, err := store.OpenBolt(db, store.BoltOptions{Access: store.OpenExisting, Timeout: 500 * time.Millisecond})
		if err != nil {
			t.Errorf("%v: database after the window: %v", sig, err)
			continue
		}
		st.Close()
	}
}
