//go:build linux

package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"pkiodesk/internal/fixture"
)

// openPTY opens a pseudo-terminal: the test types on master, the command
// reads the slave as its terminal.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	// Non-blocking, so reads from master can time out.
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY|unix.O_NONBLOCK, 0)
	if err != nil {
		fixture.Missing(t, "a pseudo-terminal: %v", err)
	}
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { slave.Close(); master.Close() })
	return master, slave
}

// lockedBuffer is a stderr the test can read while the command writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// typeAtPrompt runs login-test on a terminal and types keys once the PIN
// prompt is up.
func typeAtPrompt(t *testing.T, module, keys string) (code int, stdout, stderr string, took time.Duration) {
	t.Helper()
	master, slave := openPTY(t)
	var out bytes.Buffer
	errb := &lockedBuffer{}
	env := Env{Stdin: slave, Stdout: &out, Stderr: errb, Now: time.Now,
		Getenv: func(k string) string {
			return map[string]string{"LANG": "nl_NL.UTF-8", "PKIODESK_DB": card.db}[k] // trusts the test card
		}}
	done := make(chan int, 1)
	go func() {
		done <- Run(context.Background(), []string{"login-test", "--module", module, "--token", "cli kaart"}, env)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(errb.String(), "PIN: ") {
		if time.Now().After(deadline) {
			t.Fatalf("no PIN prompt: %s", errb.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	start := time.Now()
	master.Write([]byte(keys))
	select {
	case code = <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("the command still waits after %q", keys)
	}
	took = time.Since(start)
	// The terminal echoes again afterwards.
	st, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
	if err != nil || st.Lflag&unix.ECHO == 0 {
		t.Errorf("terminal left without echo (%v)", err)
	}
	if !term.IsTerminal(int(slave.Fd())) {
		t.Error("slave is no terminal")
	}
	// What the terminal showed: the prompt goes to stderr, so anything
	// here is an echo of the keys.
	if err := master.SetReadDeadline(time.Now().Add(200 * time.Millisecond)); err != nil {
		t.Fatalf("pseudo-terminal without deadlines: %v", err)
	}
	var shown [256]byte
	n, _ := master.Read(shown[:])
	return code, out.String(), errb.String() + "\n[terminal]" + string(shown[:n]), took
}

// Ctrl-C at the PIN prompt stops at once, before Enter, with a plain
// message and no C_Login.
func TestCtrlCAtThePINPromptStopsAtOnce(t *testing.T) {
	c := needCard(t)
	spy := fixture.NewSpy(t, c.Module)
	code, _, stderr, took := typeAtPrompt(t, spy.Module, "13\x03")
	if code != 130 || !strings.Contains(stderr, "afgebroken; er is geen PIN naar de kaart gestuurd") || strings.Contains(stderr, "context canceled") {
		t.Errorf("Ctrl-C: %d\n%s", code, stderr)
	}
	if n := spy.Calls("C_Login"); n != 0 {
		t.Errorf("%d C_Login after Ctrl-C", n)
	}
	t.Logf("stopped %v after Ctrl-C", took)
}

// The PIN typed on a terminal, with a typo erased, logs in; nothing of it
// is echoed.
func TestPINTypedOnATerminal(t *testing.T) {
	c := needCard(t)
	code, stdout, stderr, _ := typeAtPrompt(t, c.Module, "1357x\x7f90\r")
	if code != 0 || !strings.Contains(stdout, "Bram de Boer") {
		t.Errorf("login: %d\n%s%s", code, stdout, stderr)
	}
	if strings.Contains(stderr, "135") {
		t.Errorf("PIN echoed: %s", stderr)
	}
}
