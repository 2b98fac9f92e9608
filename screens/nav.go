package screens

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
)

// section is an entry of the side menu; the menu marks the one the user is in.
type section int

const (
	sectionNone section = iota
	sectionHome
	sectionServer
	sectionPersonal
	sectionGroup
	sectionESeal
	sectionOrders
	sectionOrganisation
	sectionBRP
	sectionAudit
)

func sectionOf(k cert.Kind) section {
	switch k {
	case cert.KindServer:
		return sectionServer
	case cert.KindPersonal:
		return sectionPersonal
	case cert.KindGroup:
		return sectionGroup
	case cert.KindESeal:
		return sectionESeal
	}
	return sectionHome
}

// place is a screen the user can return to as it was left.
type place struct {
	// id tells places apart: choosing the place one is on adds no step back.
	id      string
	section section
	// title names the place on the way back ("Terug naar Start").
	title func() string
	show  func()
	// leave keeps what the screen must find again (its scroll position)
	// before another screen replaces it.
	leave func()
	// closable: Escape leaves it (a screen opened from another one).
	closable bool
	// find puts the cursor in the screen's filter field (Ctrl+F).
	find func()
}

// maxHistory bounds the way back; a day's work does not need more.
const maxHistory = 50

// open shows a place and remembers the one it replaces. Choosing the menu
// entry of the screen one is on adds no step back.
func (u *ui) open(p place) {
	if u.here.show != nil {
		if u.here.leave != nil {
			u.here.leave()
		}
		if u.here.id != p.id {
			u.history = append(u.history, u.here)
			if len(u.history) > maxHistory {
				u.history = u.history[len(u.history)-maxHistory:]
			}
		}
	}
	u.here = p
	p.show()
}

// back returns to the previous place, as it was left.
func (u *ui) back() {
	if len(u.history) == 0 {
		return
	}
	if u.here.leave != nil {
		u.here.leave()
	}
	p := u.history[len(u.history)-1]
	u.history = u.history[:len(u.history)-1]
	u.here = p
	p.show()
}

// backTitle names where back goes.
func (u *ui) backTitle() string {
	if len(u.history) == 0 {
		return u.tr("Start", "Home")
	}
	return u.history[len(u.history)-1].title()
}

// resetNavigation forgets the way back and every overview's filter, sort
// and scroll position: the next person to log in starts as the manual
// describes (status Geldig, sorted on Verloopdatum).
func (u *ui) resetNavigation() {
	u.here, u.history = place{}, nil
	u.overviews = map[string]*overview{}
	u.orders = nil
	u.homeScroll = 0
	u.columnPins = map[string]map[int]float32{}
}

// shell is the frame of every screen after login (manual 2.3): the
// subscriber number, organisation and user top right, the navigation left
// with the current section marked.
func (u *ui) shell(title string, current section, content fyne.CanvasObject) {
	o, _ := u.core.Organisation(context.Background())
	who := widget.NewLabel(fmt.Sprintf("%s %s · %s · %s", u.tr("Abonnee", "Subscriber"), o.SubscriberNumber, o.Name, u.person.Name))
	logout := u.newButton(u.tr("Uitloggen", "Log out"), u.logout)
	brand := widget.NewLabelWithStyle("pkiodesk", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	top := container.NewBorder(nil, widget.NewSeparator(), brand, container.NewHBox(who, logout), u.revocationBar())
	entries := []struct {
		s       section
		nl, en  string
		onClick func()
	}{
		{sectionHome, "Start", "Home", u.showHome},
		{sectionServer, "Servercertificaten", "Server certificates", func() { u.showOverview(cert.KindServer) }},
		{sectionPersonal, "Persoonlijke certificaten", "Personal certificates", func() { u.showOverview(cert.KindPersonal) }},
		{sectionGroup, "Groepscertificaten", "Group certificates", func() { u.showOverview(cert.KindGroup) }},
		{sectionESeal, "eSeal certificaten", "eSeal certificates", func() { u.showOverview(cert.KindESeal) }},
		{sectionOrders, "Bestellingen", "Orders", u.showOrders},
		{sectionOrganisation, "Organisatiegegevens", "Organisation data", u.showOrganisation},
		{sectionBRP, "BRP-aansluitingen", "BRP connections", u.showBRP},
	}
	if org.Allowed(u.person.Role, org.ViewJournal) {
		entries = append(entries, struct {
			s       section
			nl, en  string
			onClick func()
		}{sectionAudit, "Logboek", "Audit journal", u.showAudit})
	}
	nav := container.NewVBox()
	u.menu = map[section]*button{}
	for _, e := range entries {
		b := u.newButton(u.tr(e.nl, e.en), e.onClick)
		if e.s == current {
			// The current section stands out as the manual's menu does.
			b.Importance = widget.HighImportance
		}
		u.menu[e.s] = b
		nav.Add(b)
	}
	u.onCardState = nil
	u.win.SetContent(container.NewBorder(top, u.loginWarningBar(), container.NewPadded(nav), nil, container.NewPadded(content)))
	// What was just stored is stored; the user still learns that the
	// journal's checkpoint file lags behind it.
	if u.core.Journal != nil {
		if err := u.core.Journal.HeadProblem(); err != nil {
			u.showError(i18n.E("audit.head_lags", err))
		}
	}
	// The title last: whoever waits for it (a test, a screen reader) finds
	// the screen it names.
	u.setTitle(title + " — " + o.Name)
}
