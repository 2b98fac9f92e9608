package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"pkiodesk/app"
	"pkiodesk/app/cert"
	"pkiodesk/app/inventory"
	"pkiodesk/app/store"
	"pkiodesk/internal/fixture"
)

// windowSize is a window size the real-window test runs at; dir is where
// its screenshots go under docs/screenshots ("" for the window's own
// size).
type windowSize struct {
	w, h int
	dir  string
}

// TestRealWindow builds pkiodesk and starts it in demo mode on a private X
// display (Xvfb, 1920×1080) at three window sizes: its own 1180×760, a
// 1024×640 laptop and a 1920×1080 monitor. Each run logs in through the
// PIN field, goes through the screens with the keyboard where a user would
// (a Start tile with Enter, a row with Enter, back with Escape and
// Backspace) and the menu with the mouse, and screenshots each window
// (to $PKIODESK_SCREENSHOT_DIR when set; `make screenshots` keeps them in
// docs/screenshots). At its own size it also imports two files at once and
// exports the list through the system's file dialog (zenity), and starts a
// second pkiodesk that must refuse the database in use; at the other sizes
// Applicatie sluiten ends it.
func TestRealWindow(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the OpenGL binary")
	}
	display := fixture.DisplaySized(t, 1920, 1080)
	goBin := fixture.Program(t, "go")
	work := t.TempDir()
	shots := os.Getenv("PKIODESK_SCREENSHOT_DIR")
	if shots == "" {
		shots = filepath.Join(work, "shots")
	}
	bin := filepath.Join(work, "pkiodesk")
	build := exec.Command(goBin, "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, size := range []windowSize{{1180, 760, ""}, {1024, 640, "1024x640"}, {1920, 1080, "1920x1080"}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			dir := filepath.Join(shots, size.dir)
			os.MkdirAll(dir, 0o755)
			runWindow(t, bin, display, size, dir)
		})
	}
}

// xwin drives one pkiodesk window with xdotool.
type xwin struct {
	t        *testing.T
	display  string
	xdotool  string
	import_  string
	shots    string
	id       string
	proc     *os.Process
	lastShot []byte
}

func (x *xwin) run(args ...string) string {
	cmd := exec.Command(x.xdotool, args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+x.display)
	out, _ := cmd.Output()
	return strings.TrimSpace(string(out))
}

// windowOf returns the first window of a process whose title matches the
// pattern, or "".
func (x *xwin) windowOf(p *os.Process, title string) string {
	if ids := strings.Fields(x.run("search", "--pid", strconv.Itoa(p.Pid), "--name", title)); len(ids) > 0 {
		return ids[0]
	}
	return ""
}

// windowNamed returns the first window of any process with the title.
func (x *xwin) windowNamed(title string) string {
	if ids := strings.Fields(x.run("search", "--name", title)); len(ids) > 0 {
		return ids[0]
	}
	return ""
}

func (x *xwin) title() string { return x.run("getwindowname", x.id) }

// waitTitle waits until the window's title starts with prefix.
func (x *xwin) waitTitle(prefix string) string {
	x.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if x.id == "" {
			x.id = x.windowOf(x.proc, "^pkiodesk")
		}
		if x.id != "" {
			if title := x.title(); strings.HasPrefix(title, prefix) {
				return title
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	x.t.Fatalf("no window titled %q (last: %q)", prefix, x.title())
	return ""
}

// shot saves a screenshot of a window (the pkiodesk window by default).
func (x *xwin) shot(name string, window ...string) []byte {
	x.t.Helper()
	time.Sleep(700 * time.Millisecond) // let the frame render
	id := x.id
	if len(window) > 0 {
		id = window[0]
	}
	p := filepath.Join(x.shots, name+".png")
	// A window that was just mapped can refuse to be read for a moment.
	for try := 0; ; try++ {
		out, err := exec.Command(x.import_, "-display", x.display, "-window", id, p).CombinedOutput()
		if err == nil {
			break
		}
		if try == 10 {
			x.t.Fatalf("screenshot: %v %s", err, out)
		}
		time.Sleep(300 * time.Millisecond)
	}
	data, _ := os.ReadFile(p)
	x.lastShot = data
	return data
}

func (x *xwin) click(xpos, ypos int) {
	x.run("mousemove", "--window", x.id, strconv.Itoa(xpos), strconv.Itoa(ypos), "click", "1")
}

// key types keys into the pkiodesk window. xdotool's --window would send
// synthetic events, which GLFW and GTK ignore: focus the window instead.
func (x *xwin) key(keys ...string) {
	x.run("windowfocus", x.id)
	x.run(append([]string{"key"}, keys...)...)
	time.Sleep(300 * time.Millisecond)
}

// keyTo types keys into another window (a system dialog).
func (x *xwin) keyTo(window string, keys ...string) {
	x.run("windowfocus", window)
	x.run(append([]string{"key"}, keys...)...)
	time.Sleep(300 * time.Millisecond)
}

// The side menu's entries, top to bottom, at the same place in every size.
var menu = []struct {
	y     int
	title string
	file  string
}{
	{110, "Servercertificaten", "03-servercertificaten"},
	{150, "Persoonlijke certificaten", "04-persoonlijke-certificaten"},
	{190, "Groepscertificaten", "05-groepscertificaten"},
	{230, "eSeal certificaten", "06-eseal-certificaten"},
	{270, "Bestellingen", "06b-bestellingen"},
	{310, "Organisatiegegevens", "08-organisatiegegevens"},
	{350, "BRP-aansluitingen", "11-brp-aansluitingen"},
}

func runWindow(t *testing.T, bin, display string, size windowSize, shots string) {
	x := &xwin{t: t, display: display, xdotool: fixture.Program(t, "xdotool"), import_: fixture.Program(t, "import"), shots: shots}
	work := t.TempDir()
	dbPath := filepath.Join(work, "demo", "pkiodesk-demo.db")
	cmd := exec.Command(bin, "--demo")
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "LANG=nl_NL.UTF-8", "PKIODESK_LANG=nl",
		"PKIODESK_DEMO_DB="+dbPath, fmt.Sprintf("PKIODESK_WINDOW_SIZE=%dx%d", size.w, size.h),
		"XDG_CONFIG_HOME="+filepath.Join(work, "config"), "XDG_CACHE_HOME="+filepath.Join(work, "cache"))
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	x.proc = cmd.Process
	stopped := false
	stop := func() {
		if !stopped {
			cmd.Process.Kill()
			cmd.Wait()
			stopped = true
		}
	}
	defer func() {
		stop()
		if t.Failed() {
			t.Logf("pkiodesk output:\n%s", logs.String())
		}
	}()
	own := size.dir == ""

	x.waitTitle("pkiodesk — Inloggen")
	login := x.shot("01-inloggen")
	x.run("windowfocus", x.id)
	// The login form is 620 high, centred; the PIN field 388 from its top.
	x.click(size.w/2, (size.h-620)/2+388)
	x.run("type", "--delay", "40", "123456")
	x.key("Return")
	x.waitTitle("pkiodesk — Start — Gemeente Voorbeeldstad")
	if bytes.Equal(x.shot("02-start"), login) {
		t.Error("home looks like the login screen")
	}
	// The first tile has the focus: Enter opens the certificates expiring
	// within 30 days; Backspace goes back.
	x.key("Return")
	x.waitTitle("pkiodesk — Verlopen binnen 30 dagen — ")
	x.shot("02b-verlopen-binnen-30-dagen")
	x.key("BackSpace")
	x.waitTitle("pkiodesk — Start — ")

	for i, m := range menu {
		x.click(100, m.y)
		x.waitTitle("pkiodesk — " + m.title + " — ")
		x.shot(m.file)
		switch {
		case i == 0:
			// The rows have the focus: Enter opens the first one, Escape
			// goes back to the overview.
			x.key("Return")
			title := x.waitTitle("pkiodesk — ")
			deadline := time.Now().Add(10 * time.Second)
			for strings.HasPrefix(title, "pkiodesk — Servercertificaten") && time.Now().Before(deadline) {
				time.Sleep(200 * time.Millisecond)
				title = x.title()
			}
			if !strings.Contains(title, ".voorbeeldstad.nl") {
				t.Errorf("Enter on the first row opened %q", title)
			}
			x.shot("07-detail")
			x.key("Escape")
			x.waitTitle("pkiodesk — Servercertificaten — ")
			if own {
				systemFileDialogs(t, x, work)
			}
		case m.title == "Organisatiegegevens" && own:
			organisationScreens(x)
		case m.title == "BRP-aansluitingen":
			// The checklist of the demo's second afnemer, which fails.
			x.click(330, 247)
			x.shot("12-brp-controle")
		}
	}
	x.click(size.w-47, 22) // Uitloggen
	x.waitTitle("pkiodesk — Uitgelogd")
	x.shot("09-uitgelogd")
	if !own {
		// Applicatie sluiten ends pkiodesk by itself and releases the
		// database.
		x.click(size.w/2-180, size.h/2+58)
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		err, ended := endsWithin(cmd.Process, exited, 20*time.Second)
		stopped = true
		if !ended {
			t.Fatal("Applicatie sluiten did not end pkiodesk; its goroutines when it was stopped are in its output")
		}
		if err != nil {
			t.Errorf("pkiodesk after Applicatie sluiten: %v", err)
		}
		st, err := store.OpenBolt(dbPath, store.BoltOptions{Access: store.OpenExisting, Timeout: 500 * time.Millisecond})
		if err != nil {
			t.Fatalf("database after Applicatie sluiten: %v", err)
		}
		st.Close()
		return
	}

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
		secondWin = x.windowOf(second.Process, "^pkiodesk — Kan niet starten")
		time.Sleep(200 * time.Millisecond)
	}
	if secondWin == "" {
		t.Fatalf("no startup window from the second pkiodesk:\n%s", secondLogs.String())
	}
	x.shot("10-tweede-pkiodesk", secondWin)
	x.keyTo(secondWin, "Return")
	if err, ended := endsWithin(second.Process, exited, 20*time.Second); !ended {
		t.Errorf("the second pkiodesk did not exit when its window was closed; its goroutines when it was stopped:\n%s", secondLogs.String())
	} else {
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Errorf("second pkiodesk exit: %v\n%s", err, secondLogs.String())
		}
		if !strings.Contains(secondLogs.String(), "in gebruik door een andere pkiodesk") {
			t.Errorf("second pkiodesk said:\n%s", secondLogs.String())
		}
	}

	// What the import through the system dialog stored: the CA as an
	// issuer, not RvIG's certificate (another organisation, skipped).
	stop()
	a, err := app.Open(context.Background(), app.Config{DBPath: dbPath, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	issuers, _ := a.Store.Issuers(context.Background())
	found := false
	for _, is := range issuers {
		found = found || strings.HasPrefix(is.CommonName, "QuoVadis PKIoverheid Private Services CA")
	}
	if !found {
		t.Error("the QuoVadis CA chosen with the other file was not stored as issuer")
	}
	for _, c := range a.Inventory.Query(inventory.Query{Kind: cert.KindServer, Status: inventory.FilterAll}).Rows {
		if c.OIN == "00000001822100824000" {
			t.Error("RvIG's certificate was stored although the dialog skipped it")
		}
	}
}

// systemFileDialogs imports two files at once through the system's file
// dialog (zenity's GTK dialog: Ctrl+L for the folder, Ctrl+A for both
// files), answers the dialog about another organisation's certificate with
// Enter (skip), and exports the list to a file typed into the save dialog.
func systemFileDialogs(t *testing.T, x *xwin, work string) {
	if _, err := exec.LookPath("zenity"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Error("zenity is not installed: the system file dialog is not tested")
		} else {
			t.Log("zenity is not installed: the system file dialog is not tested")
		}
		return
	}
	certs := filepath.Join(work, "certificaten")
	os.MkdirAll(certs, 0o755)
	for _, f := range []string{"RvIG_lap.gbav.idm.diginetwerk.net.crt", "QuoVadis_PKIoverheid_Private_Services_CA_-_G1.crt"} {
		os.WriteFile(filepath.Join(certs, f), fixture.ReadPKIo(t, f), 0o644)
	}
	waitWindow := func(title string) string {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			if id := x.windowNamed("^" + title + "$"); id != "" {
				return id
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Fatalf("no window %q", title)
		return ""
	}
	x.click(512, 149) // Importeren…
	dlg := waitWindow("Certificaten importeren")
	time.Sleep(time.Second)
	x.keyTo(dlg, "ctrl+l")
	x.run("type", "--delay", "20", certs+"/")
	time.Sleep(300 * time.Millisecond)
	x.run("key", "Return") // into the folder
	time.Sleep(time.Second)
	x.run("key", "ctrl+a") // both files
	time.Sleep(300 * time.Millisecond)
	x.shot("13-importeren-systeemvenster", "root")
	x.run("key", "Return")
	time.Sleep(1500 * time.Millisecond)
	x.shot("14-andere-organisatie")
	x.key("Return") // Overslaan, the default
	x.shot("15-importverslag")
	x.key("Return") // Sluiten

	x.click(290, 149) // Exporteer lijst als .csv
	save := waitWindow("Exporteer lijst als .csv")
	time.Sleep(time.Second)
	x.keyTo(save, "ctrl+a")
	csvPath := filepath.Join(certs, "lijst.csv")
	x.run("type", "--delay", "20", csvPath)
	time.Sleep(300 * time.Millisecond)
	x.run("key", "Return")
	deadline := time.Now().Add(10 * time.Second)
	var data []byte
	for len(data) == 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		data, _ = os.ReadFile(csvPath)
	}
	if !bytes.HasPrefix(data, []byte("\uFEFFSoort;Type;Common Name")) {
		t.Errorf("CSV saved through the system dialog: %.80q", data)
	}
	x.shot("16-lijst-opgeslagen")
	x.key("Return") // the message naming file and folder
}

// organisationScreens opens a person's row on Organisatiegegevens, the
// change form, and the form for a new Bevoegd Vertegenwoordiger (the
// demo's card holder is the BV), at the window's own size.
func organisationScreens(x *xwin) {
	x.click(300, 668) // the Certificaatbeheerders group
	time.Sleep(time.Second)
	x.click(400, 706) // its first person
	time.Sleep(time.Second)
	x.run("mousemove", "--window", x.id, "700", "500")
	x.run("click", "--repeat", "16", "--delay", "50", "5") // down to the person's details
	x.shot("17-organisatiegegevens-persoon")
	x.run("click", "--repeat", "30", "--delay", "30", "4") // back to the top
	time.Sleep(300 * time.Millisecond)
	x.click(283, 110) // Wijzigingsformulier
	x.waitTitle("pkiodesk — Wijzigen organisatiegegevens — ")
	x.click(228, 267) // Facturatiegegevens
	x.shot("18-wijzigingsformulier")
	x.click(228, 267) // Facturatiegegevens off
	x.click(228, 345) // Bevoegd Vertegenwoordiger
	time.Sleep(300 * time.Millisecond)
	x.run("mousemove", "--window", x.id, "700", "500")
	x.run("click", "--repeat", "12", "--delay", "50", "5") // down to the BV section
	time.Sleep(300 * time.Millisecond)
	for _, f := range []struct {
		y    int
		text string
	}{{576, "Mark Smit"}, {615, "m.smit@voorbeeldstad.nl"}, {654, "020 555 0199"}, {693, "Gemeentesecretaris"}} {
		x.click(740, f.y)
		x.run("type", "--delay", "20", f.text)
	}
	x.shot("19-formulier-bevoegd-vertegenwoordiger")
}
