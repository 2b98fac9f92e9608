package screens

import (
	"context"
	"crypto"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
)

// shell is the frame of every screen after login (manual 2.3): the
// subscriber number, organisation and user top right, the navigation left.
func (u *ui) shell(title string, content fyne.CanvasObject) {
	o, _ := u.core.Organisation(context.Background())
	u.setTitle(title + " — " + o.Name)
	who := widget.NewLabel(fmt.Sprintf("%s %s · %s · %s", u.tr("Abonnee", "Subscriber"), o.SubscriberNumber, o.Name, u.person.Name))
	logout := widget.NewButton(u.tr("Uitloggen", "Log out"), u.logout)
	brand := widget.NewLabelWithStyle("pkiodesk", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	top := container.NewBorder(nil, widget.NewSeparator(), brand, container.NewHBox(who, logout), u.revocationBar())
	nav := container.NewVBox(
		widget.NewButton(u.tr("Start", "Home"), u.showHome),
		widget.NewButton(u.tr("Servercertificaten", "Server certificates"), func() { u.showOverview(cert.KindServer) }),
		widget.NewButton(u.tr("Persoonlijke certificaten", "Personal certificates"), func() { u.showOverview(cert.KindPersonal) }),
		widget.NewButton(u.tr("Groepscertificaten", "Group certificates"), func() { u.showOverview(cert.KindGroup) }),
		widget.NewButton(u.tr("eSeal certificaten", "eSeal certificates"), func() { u.showOverview(cert.KindESeal) }),
		widget.NewButton(u.tr("Organisatiegegevens", "Organisation data"), u.showOrganisation),
		widget.NewButton(u.tr("BRP-aansluitingen", "BRP connections"), u.showBRP),
	)
	if org.Allowed(u.person.Role, org.ViewJournal) {
		nav.Add(widget.NewButton(u.tr("Logboek", "Audit journal"), u.showAudit))
	}
	u.onCardState = nil
	u.win.SetContent(container.NewBorder(top, u.loginWarningBar(), container.NewPadded(nav), nil, container.NewPadded(content)))
}

// showHome is the start screen with the certificates that expire soon.
func (u *ui) showHome() {
	title := widget.NewLabelWithStyle(fmt.Sprintf(u.tr("Welkom, %s", "Welcome, %s"), u.person.Name), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	counts := container.NewHBox()
	for _, days := range []int{30, 60, 90} {
		n := len(u.core.Inventory.Expiring(days).Rows)
		card := widget.NewCard(fmt.Sprintf("%d", n), fmt.Sprintf(u.tr("verlopen binnen %d dagen", "expire within %d days"), days), nil)
		counts.Add(card)
	}
	soon := u.core.Inventory.Expiring(90)
	list := widget.NewList(
		func() int { return len(soon.Rows) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			c := soon.Rows[i]
			o.(*widget.Label).SetText(fmt.Sprintf("%s   %s   %s", c.NotAfter.Format("2006-01-02"), i18n.T(u.lang, "kind."+string(c.Kind)), cert.Printable(c.CommonName)))
		})
	list.OnSelected = func(i widget.ListItemID) { u.showDetail(*soon.Rows[i]) }
	head := widget.NewLabelWithStyle(u.tr("Geldige certificaten die binnen 90 dagen verlopen", "Valid certificates expiring within 90 days"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	u.shell(u.tr("Start", "Home"), container.NewBorder(container.NewVBox(title, counts, head), nil, nil, nil, list))
}

// logout ends the token session and shows the manual's advice (chapter 8).
func (u *ui) logout() {
	// The journal's head is signed with the login card while it is still
	// in session (not when the key wants its PIN again for every signature).
	var signer crypto.Signer
	if u.session != nil && u.loginCert != nil {
		for _, tc := range u.session.Certificates() {
			if tc.Cert.Equal(u.loginCert) && !u.session.NeedsPINPerSignature(tc) {
				signer = u.session.Signer(tc)
			}
		}
	}
	_ = u.core.LogOut(context.Background(), signer)
	u.endSession()
	u.cs.Logout()
	u.setTitle(u.tr("Uitgelogd", "Logged out"))
	advice := widget.NewLabel(u.tr(
		"U bent uitgelogd. Voer de volgende stappen uit om volledig uit te loggen:\n1. sluit de applicatie;\n2. verwijder uw smartcard uit de kaartlezer.",
		"You are logged out. To log out completely:\n1. close the application;\n2. remove your smartcard from the reader."))
	again := widget.NewButton(u.tr("Opnieuw inloggen", "Log in again"), func() { u.showLogin("") })
	closeApp := widget.NewButton(u.tr("Applicatie sluiten", "Close application"), u.fa.Quit)
	u.onCardState = nil
	u.win.SetContent(container.NewCenter(container.NewVBox(
		widget.NewLabelWithStyle(u.tr("Uitloggen", "Log out"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		advice, container.NewHBox(closeApp, again))))
}
