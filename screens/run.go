// Package screens is pkiodesk's window (Fyne). It holds widgets and wiring
// only: every rule lives in app/, every token operation in smartcard/.
// One file per screen; ui (this file) moves between them.
package screens

import (
	"context"
	"crypto/x509"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
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
	fa   fyne.App
	win  fyne.Window
	core *app.App
	lang i18n.Lang
	db   app.Database
	demo *demoToken

	cards *smartcard.Manager
	cs    *smartcard.CardSession

	// Set while logged in.
	session   *smartcard.Session
	loginCert *x509.Certificate
	person    org.Person

	drafts map[string]map[string]string
	// certChoice is the open certificate choice, if any (for tests).
	certChoice *widget.RadioGroup
	// onCardState lets the visible screen follow reader changes.
	onCardState func(smartcard.State)
}

// Run opens the database and shows the window until it is closed.
func Run(opt Options) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db, err := app.ResolveDatabase(opt.DBFlag, opt.Demo, opt.DemoIfNew, os.Getenv)
	if err != nil {
		return err
	}
	var demo *demoToken
	var demoLogin *x509.Certificate
	if db.Demo {
		// The demo token's configuration must be in place before any
		// PKCS#11 module is loaded in this process.
		tok, auth, err := softhsm.DemoCard(ctx, filepath.Join(filepath.Dir(db.Path), "softhsm"))
		if err != nil {
			return err
		}
		os.Setenv("SOFTHSM2_CONF", tok.ConfPath)
		demo, demoLogin = &demoToken{module: tok.Module, label: tok.Label, pin: tok.PIN}, auth
	}
	core, err := app.Open(ctx, app.Config{DBPath: db.Path, Now: time.Now})
	if err != nil {
		return err
	}
	defer core.Close()
	if db.Demo {
		if err := core.SeedDemo(ctx, 300, 2026); err != nil {
			return err
		}
		if err := core.SeedDemoOrganisation(ctx, demoLogin); err != nil {
			return err
		}
	}
	fa := fyneapp.NewWithID("nl.pkiodesk.app")
	u := newUI(fa, core, db, core.Language(ctx, os.Getenv), demo)
	go func() {
		// No PC/SC service (a demo without pcscd) leaves software tokens.
		_ = u.cs.Run(ctx)
	}()
	go u.followCard(ctx)
	u.notifyExpiring()
	u.showLogin("")
	u.win.ShowAndRun()
	if u.session != nil {
		u.session.Close()
	}
	return nil
}

func newUI(fa fyne.App, core *app.App, db app.Database, lang i18n.Lang, demo *demoToken) *ui {
	cards := smartcard.NewManager()
	u := &ui{
		fa: fa, core: core, db: db, demo: demo,
		cards: cards, cs: smartcard.NewCardSession(cards), drafts: map[string]map[string]string{},
	}
	u.setLanguage(lang)
	u.win = fa.NewWindow("pkiodesk")
	u.win.Resize(fyne.NewSize(1180, 760))
	return u
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
					u.endSession()
					u.showLogin(i18n.T(u.lang, "card.removed"))
					return
				}
				if u.onCardState != nil {
					u.onCardState(s)
				}
			})
		}
	}
}

func (u *ui) endSession() {
	if u.session != nil {
		u.session.Close()
	}
	u.session, u.loginCert, u.person = nil, nil, org.Person{}
}

func (u *ui) tr(nl, en string) string {
	if u.lang == i18n.EN {
		return en
	}
	return nl
}

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
	u.fa.SendNotification(fyne.NewNotification("pkiodesk", i18n.T(u.lang, "expiring.some", len(v.Rows), 30)))
}
