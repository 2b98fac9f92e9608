// Package screens is pkiodesk's window (Fyne). It holds widgets and wiring
// only: every rule lives in app/, every token operation in smartcard/.
// One file per screen; ui (this file) moves between them.
package screens

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
	"pkiodesk/smartcard"
	"pkiodesk/smartcard/softhsm"
)

// Options start the window.
type Options struct {
	DBFlag          string
	Demo, DemoIfNew bool
}

// demoToken is the software token of the demo, shown on the login screen.
type demoToken struct {
	module, label, pin string
}

// ui is the window and the state that outlives a screen: the open core,
// the card session, and drafts of forms so that no input is lost when the
// card is pulled.
type ui struct {
	// life ends when the window ends: background work started from a
	// button (a revocation check) stops with it.
	life context.Context
	fa   fyne.App
	win  fyne.Window
	core *app.App
	lang i18n.Lang
	db   app.Database
	demo *demoToken

	cards *smartcard.Manager
	cs    *smartcard.CardSession

	// Set while logged in.
	session    *smartcard.Session
	loginCert  *x509.Certificate
	loginCheck app.LoginCheck
	person     org.Person
	// loginWarning is shown while logged in (revocation state unknown).
	loginWarning string
	// rev is the revocation refresh the top bar shows.
	rev *revocationRefresh

	drafts map[string]map[string]string
	// wizard is the open order wizard, if any (its draft is in the database);
	// confirmation and activation the last such screens shown.
	wizard       *wizard
	confirmation *confirmation
	activation   *activation

	// Navigation, reset at logout: where the user is, the way back, and
	// the overviews with their filter, sort, scroll position and the
	// column widths the user dragged.
	here       place
	history    []place
	overviews  map[string]*overview
	orders     *orderList
	columnPins map[string]map[int]float32
	homeScroll float32
	// menu holds the side menu's buttons, homeTiles the Start tiles (for
	// tests); dialogs the open dialogs, newest last (Enter and Escape
	// answer the newest).
	menu      map[section]*button
	homeTiles []*tile
	dialogs   []*openDialog
	// files shows file dialogs; lastDir is the folder last used in one.
	files   fileChooser
	lastDir string

	// foreignChecks are the choices of the last dialog about other
	// organisations' certificates (for tests).
	foreignChecks []*widget.Check

	// change is the open change form, ID copies included: memory only.
	change *changeDraft
	// changeShown is the change page last shown (tests).
	changeShown *changePage
	// certChoice is the open certificate choice, if any (for tests).
	certChoice *widget.RadioGroup
	// onCardState lets the visible screen follow reader changes.
	onCardState func(smartcard.State)
	// quit ends pkiodesk (Applicatie sluiten); Run sets its own end.
	quit func()
}

// Run opens the database and shows the window until pkiodesk ends, and
// returns the process's exit status when it returns at all: 0, or 1 when
// pkiodesk could not start. Then a window says why (a desktop user never
// sees stderr; the message goes there too).
//
// Every end of the window that pkiodesk sees — the window's close button,
// Applicatie sluiten, Ctrl-C and SIGTERM — runs end on the UI thread, which
// closes the token session, removes private files, closes the database and
// ends the process right there. It does not hand the end to Fyne: in Fyne
// 2.7.1 the driver's shutdown drops the calls still queued for the UI
// thread and can then wait forever for one of them (its lifecycle queue's
// stop hook), or spin on its closed queue, and app.Quit marks the windows
// closed while the loop still polls, so a pointer event for a window that
// has just appeared crashes on its missing viewport (window.go:353). Run
// only returns when Fyne's own signal handler, which it cannot switch off,
// ended the loop first.
func Run(opt Options) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fa := fyneapp.NewWithID("nl.pkiodesk.app")
	// end is set on the UI thread before the window runs, and only called
	// there: a signal queues it for the UI thread.
	var end func()
	// Ctrl-C and SIGTERM end pkiodesk as the window's close button does,
	// also while the window is being made (Fyne's driver catches them only
	// once it runs). Background work stops at once.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	go func() {
		select {
		case <-sig:
		case <-ctx.Done():
			return
		}
		cancel()
		// A second Ctrl-C ends the process at once, as on the command line
		// (this also stops Fyne's own handler from seeing it).
		signal.Reset(os.Interrupt, syscall.SIGTERM)
		onUIThread(func() {
			if end != nil {
				end()
			}
		})
	}()
	st, err := start(ctx, opt)
	if ctx.Err() != nil {
		// A signal while pkiodesk was starting: it ends without a window.
		if err == nil {
			st.core.Close()
		}
		return 0
	}
	if err != nil {
		// The settings live in the database that did not open: the
		// environment decides the language.
		l := i18n.FromEnv(os.Getenv)
		useFyneLanguage(l)
		fmt.Fprintf(os.Stderr, "pkiodesk: %s\n", i18n.Localize(l, err))
		end = func() { os.Exit(1) }
		var w fyne.Window
		if err := onDisplay(func() { w = startupErrorWindow(fa, l, err, end) }); err != nil {
			fmt.Fprintf(os.Stderr, "pkiodesk: %s\n", i18n.Localize(l, err))
			return 1
		}
		w.ShowAndRun()
		return 1
	}
	core := st.core
	// A pkiodesk that crashed left its private files behind.
	_ = core.RemovePrivateLeftovers()
	lang := core.Language(ctx, os.Getenv)
	var u *ui
	if err := onDisplay(func() { u = newUI(fa, core, st.db, lang, st.demo) }); err != nil {
		core.Close()
		fmt.Fprintf(os.Stderr, "pkiodesk: %s\n", i18n.Localize(lang, err))
		return 1
	}
	var finished sync.Once
	finish := func() {
		finished.Do(func() {
			cancel()
			// Typing in an order not yet autosaved is kept.
			if u.wizard != nil {
				u.wizard.saveNow()
			}
			if u.session != nil {
				u.session.Close()
			}
			// Signed change forms handed to the PDF viewer may hold ID copies.
			_ = core.RemovePrivateFiles()
			_ = core.Close()
		})
	}
	end = func() {
		finish()
		os.Exit(0)
	}
	u.quit = end
	u.win.SetCloseIntercept(end)
	go func() {
		// No PC/SC service (a demo without pcscd) leaves software tokens.
		_ = u.cs.Run(ctx)
	}()
	u.life = ctx
	go u.followCard(ctx)
	u.startRevocationRefresh(ctx)
	u.notifyExpiring()
	u.showLogin("")
	u.win.ShowAndRun()
	// Fyne's own signal handler ended the loop before end ran.
	finish()
	return 0
}

// onUIThread queues f for the UI thread, from another goroutine. Once
// Fyne's driver has shut down its queue is closed and fyne.Do panics; the
// loop has ended then and f has nothing left to do.
func onUIThread(f func()) {
	defer func() { _ = recover() }()
	fyne.Do(f)
}

// onDisplay runs f, which makes pkiodesk's first window and so connects to
// the display. When the display cannot be opened (its X server is gone or
// refuses, or DISPLAY names none), GLFW only logs why and Fyne then panics
// on the uninitialised library; that panic becomes an error saying so.
// Panics of Go's runtime are bugs and stay panics.
func onDisplay(f func()) (err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		cause, ok := r.(error)
		var bug runtime.Error
		if !ok || errors.As(cause, &bug) {
			panic(r)
		}
		err = i18n.E("window.display_failed", nil, os.Getenv("DISPLAY"), cause)
	}()
	f()
	return nil
}

// started is what Run needs once the database is open.
type started struct {
	core *app.App
	db   app.Database
	demo *demoToken
}

// start opens the database, and for the demo provisions its token and
// content. The database comes first: a second pkiodesk on the same demo
// stops there, before it touches the demo token's files.
func start(ctx context.Context, opt Options) (started, error) {
	db, err := app.ResolveDatabase(opt.DBFlag, opt.Demo, opt.DemoIfNew, os.Getenv)
	if err != nil {
		return started{}, err
	}
	core, err := app.Open(ctx, app.Config{DBPath: db.Path, Now: time.Now, Demo: db.Demo})
	if err != nil {
		return started{}, err
	}
	st := started{core: core, db: db}
	if !db.Demo {
		return st, nil
	}
	fail := func(err error) (started, error) {
		core.Close()
		return started{}, err
	}
	var demoLogin *x509.Certificate
	var demoChain []*x509.Certificate
	if softhsm.Available() != nil {
		// No SoftHSM (as on Windows): the demo opens without its token.
		if demoLogin, demoChain, err = softhsm.DemoHolder(time.Now()); err != nil {
			return fail(err)
		}
	} else {
		// The demo token's configuration must be in place before any
		// PKCS#11 module is loaded in this process.
		demoDir := filepath.Join(filepath.Dir(db.Path), "softhsm")
		tok, login, err := softhsm.DemoCard(ctx, demoDir)
		if err != nil {
			return fail(err)
		}
		if demoChain, err = softhsm.DemoChain(demoDir); err != nil {
			return fail(err)
		}
		os.Setenv("SOFTHSM2_CONF", tok.ConfPath)
		st.demo = &demoToken{module: tok.Module, label: tok.Label, pin: tok.PIN}
		demoLogin = login
	}
	if err := core.SeedDemo(ctx, 300, 2026); err != nil {
		return fail(err)
	}
	if err := core.SeedDemoOrganisation(ctx, demoLogin, demoChain...); err != nil {
		return fail(err)
	}
	if err := core.SeedDemoBRP(ctx); err != nil {
		return fail(err)
	}
	return st, nil
}

// startupErrorWindow tells why pkiodesk cannot start, in the user's words;
// closing it in any way runs done.
func startupErrorWindow(fa fyne.App, l i18n.Lang, err error, done func()) fyne.Window {
	w := fa.NewWindow("pkiodesk — " + tr(l, "Kan niet starten", "Cannot start"))
	title := widget.NewLabelWithStyle(tr(l, "pkiodesk kan niet starten", "pkiodesk cannot start"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	msg := widget.NewLabel(sentence(i18n.Localize(l, err)))
	msg.Wrapping = fyne.TextWrapWord
	msg.Importance = widget.DangerImportance
	closeButton := widget.NewButton(tr(l, "Sluiten", "Close"), done)
	closeButton.Importance = widget.HighImportance
	w.SetContent(container.NewPadded(container.NewVBox(title, msg, container.NewHBox(layout.NewSpacer(), closeButton))))
	// Enter or Escape closes it, as the only button would.
	w.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
		switch ev.Name {
		case fyne.KeyReturn, fyne.KeyEnter, fyne.KeyEscape:
			done()
		}
	})
	w.SetCloseIntercept(done)
	w.Resize(fyne.NewSize(560, 200))
	w.CenterOnScreen()
	return w
}

func newUI(fa fyne.App, core *app.App, db app.Database, lang i18n.Lang, demo *demoToken) *ui {
	cards := smartcard.NewManager()
	u := &ui{
		fa: fa, core: core, db: db, demo: demo,
		cards: cards, cs: smartcard.NewCardSession(cards), drafts: map[string]map[string]string{},
		rev: newRevocationRefresh(),
	}
	u.quit = fa.Quit
	u.setLanguage(lang)
	fa.Settings().SetTheme(newFocusTheme())
	u.win = fa.NewWindow("pkiodesk")
	u.win.Resize(windowSize(os.Getenv))
	u.files = pickFileChooser(os.Getenv)
	guardFileWrites(u.ownFiles)
	u.resetNavigation()
	u.installKeys()
	return u
}

// lifeContext is the window's life (see ui.life); a UI made without a
// window loop (tests) lives until the process ends.
func (u *ui) lifeContext() context.Context {
	if u.life == nil {
		return context.Background()
	}
	return u.life
}

// followCard returns to the login screen when the card is pulled.
func (u *ui) followCard(ctx context.Context) {
	states, stop := u.cs.Subscribe()
	defer stop()
	for {
		select {
		case <-ctx.Done():
			return
		case s := <-states:
			fyne.Do(func() {
				if s == smartcard.LoggedOut && u.session != nil {
					u.cardPulled()
					return
				}
				if u.onCardState != nil {
					u.onCardState(s)
				}
			})
		}
	}
}

// cardPulled ends the session when the card is removed; an open order
// wizard saves its draft first.
func (u *ui) cardPulled() {
	if u.wizard != nil {
		u.wizard.saveNow()
	}
	_ = u.core.CardRemoved(context.Background())
	u.endSession()
	u.showLogin(i18n.T(u.lang, u.cs.EndReason()))
}

// endSession closes the token session and forgets what the session saw
// and chose: open dialogs, the way back, filters, sort orders and scroll
// positions. Forms keep their drafts (a pulled card loses no typing), but
// the change form's ID copies are wiped, and its draft goes to no one but
// its writer (changeForm).
func (u *ui) endSession() {
	if u.change != nil {
		u.change.wipe()
	}
	if u.session != nil {
		u.session.Close()
	}
	u.session, u.loginCert, u.person = nil, nil, org.Person{}
	u.loginCheck, u.loginWarning = app.LoginCheck{}, ""
	for _, d := range append([]*openDialog(nil), u.dialogs...) {
		d.d.Hide()
	}
	u.dialogs = nil
	u.removePrivateFiles()
	u.resetNavigation()
}

// windowSize is the window's first size: PKIODESK_WINDOW_SIZE (WIDTHxHEIGHT,
// used for the screenshots at several sizes), else 1180×760, which fits a
// 1280×800 screen.
func windowSize(getenv func(string) string) fyne.Size {
	var w, h float32
	if _, err := fmt.Sscanf(getenv("PKIODESK_WINDOW_SIZE"), "%gx%g", &w, &h); err == nil && w >= 640 && h >= 480 {
		return fyne.NewSize(w, h)
	}
	return fyne.NewSize(1180, 760)
}

// tr picks the Dutch or English text of a screen label.
func tr(l i18n.Lang, nl, en string) string {
	if l == i18n.EN {
		return en
	}
	return nl
}

func (u *ui) tr(nl, en string) string { return tr(u.lang, nl, en) }

func (u *ui) setTitle(part string) {
	if part == "" {
		u.win.SetTitle("pkiodesk")
		return
	}
	u.win.SetTitle("pkiodesk — " + part)
}

// draft returns the stored draft of a form, creating it.
func (u *ui) draft(form string) map[string]string {
	d, ok := u.drafts[form]
	if !ok {
		d = map[string]string{}
		u.drafts[form] = d
	}
	return d
}

// notifyExpiring sends a desktop notification at start when certificates
// expire within 30 days.
func (u *ui) notifyExpiring() {
	v := u.core.Inventory.Expiring(30)
	if len(v.Rows) == 0 {
		return
	}
	u.fa.SendNotification(fyne.NewNotification("pkiodesk", i18n.N(u.lang, "window.notify_expiring", len(v.Rows), len(v.Rows), 30)))
}

// sentence starts a message with a capital, as a line of its own in a
// window; the CLI prints the same message after "pkiodesk: ".
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") {
		s += "."
	}
	return s
}
