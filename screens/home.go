package screens

import (
	"context"
	"crypto"
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
)

// expiryPeriods are the Start screen's tiles, in days.
var expiryPeriods = []int{30, 60, 90}

// showHome opens the start screen.
func (u *ui) showHome() {
	u.open(place{id: "home", section: sectionHome, title: func() string { return u.tr("Start", "Home") }, show: u.drawHome})
}

// drawHome is the start screen: a tile per period with the number of valid
// certificates that expire within it (a tile opens them as an overview),
// and the list of those expiring within 90 days.
func (u *ui) drawHome() {
	title := widget.NewLabelWithStyle(fmt.Sprintf(u.tr("Welkom, %s", "Welcome, %s"), u.person.Name), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	tiles := container.NewHBox()
	var opens []*tile
	for _, days := range expiryPeriods {
		days := days
		n := len(u.core.Inventory.Expiring(days).Rows)
		t := u.newTile(fmt.Sprintf("%d", n), i18n.N(u.lang, "window.expire_within", n, days), func() { u.openExpiring(days) })
		tiles.Add(t)
		opens = append(opens, t)
	}
	soon := u.core.Inventory.Expiring(90)
	list := u.homeList(soon)
	head := widget.NewLabelWithStyle(u.tr("Geldige certificaten die binnen 90 dagen verlopen", "Valid certificates expiring within 90 days"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	u.homeTiles = opens
	u.shell(u.tr("Start", "Home"), sectionHome, container.NewBorder(container.NewVBox(title, tiles, head), nil, nil, nil, list.root))
	u.here.leave = func() { u.homeScroll = list.list.GetScrollOffset() }
	list.list.ScrollToOffset(u.homeScroll)
	u.win.Canvas().Focus(opens[0])
}

// homeList is the Start screen's list of certificates that expire within
// 90 days, soonest first: the overviews' table without a header.
func (u *ui) homeList(soon inventory.View) *certTable {
	cols := []inventory.Column{inventory.ColNotAfter, inventory.ColKind, inventory.ColCN}
	t := u.newCertTable(len(cols), map[int]float32{})
	t.header.Hide()
	t.rows = func() int { return len(soon.Rows) }
	t.headerText = func(int) string { return "" }
	t.sort = func(int) {}
	t.cell = func(row, col int) string {
		c := soon.Rows[row]
		if cols[col] == inventory.ColKind {
			return i18n.T(u.lang, "kind."+string(c.Kind))
		}
		return orDash(cert.Printable(inventory.Cell(c, cols[col], soon, u.lang)))
	}
	t.need = func(col int) columnNeed {
		n := columnNeed{share: columnShare[cols[col]]}
		for row := 0; row < len(soon.Rows); row++ {
			n.want = max(n.want, min(maxNameColumn, fyne.MeasureText(t.cell(row, col), theme.TextSize(), fyne.TextStyle{}).Width+2*theme.InnerPadding()+2))
		}
		return n
	}
	t.open = func(row int) { u.openDetail(*soon.Rows[row]) }
	t.refresh(i18n.T(u.lang, "expiring.none", 90), true)
	return t
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
	advice := widget.NewLabel(u.tr(
		"U bent uitgelogd. Voer de volgende stappen uit om volledig uit te loggen:\n1. sluit de applicatie;\n2. verwijder uw smartcard uit de kaartlezer.",
		"You are logged out. To log out completely:\n1. close the application;\n2. remove your smartcard from the reader."))
	again := u.newButton(u.tr("Opnieuw inloggen", "Log in again"), func() { u.showLogin("") })
	again.Importance = widget.HighImportance
	closeApp := u.newButton(u.tr("Applicatie sluiten", "Close application"), func() { u.quit() })
	u.onCardState = nil
	u.win.SetContent(container.NewCenter(container.NewVBox(
		widget.NewLabelWithStyle(u.tr("Uitloggen", "Log out"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		advice, container.NewHBox(closeApp, again))))
	u.setTitle(u.tr("Uitgelogd", "Logged out"))
	u.win.Canvas().Focus(again)
}

// tile is a Start screen card that opens something: by click, Enter or
// Space. Focus and hover show as an outline, so the number stays readable.
type tile struct {
	widget.BaseWidget
	u                *ui
	card             *widget.Card
	onTap            func()
	focused, hovered bool
}

func (u *ui) newTile(title, subtitle string, onTap func()) *tile {
	t := &tile{u: u, card: widget.NewCard(title, subtitle, nil), onTap: onTap}
	t.ExtendBaseWidget(t)
	return t
}

func (t *tile) Tapped(*fyne.PointEvent) {
	if t.onTap != nil {
		t.onTap()
	}
}

func (t *tile) FocusGained()                   { t.focused = true; t.Refresh() }
func (t *tile) FocusLost()                     { t.focused = false; t.Refresh() }
func (t *tile) TypedRune(rune)                 {}
func (t *tile) Cursor() desktop.Cursor         { return desktop.PointerCursor }
func (t *tile) MouseIn(*desktop.MouseEvent)    { t.hovered = true; t.Refresh() }
func (t *tile) MouseMoved(*desktop.MouseEvent) {}
func (t *tile) MouseOut()                      { t.hovered = false; t.Refresh() }

func (t *tile) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter, fyne.KeySpace:
		t.Tapped(nil)
	default:
		t.u.navigationKey(ev)
	}
}

func (t *tile) CreateRenderer() fyne.WidgetRenderer {
	hover := canvas.NewRectangle(color.Transparent)
	hover.CornerRadius = theme.InputRadiusSize()
	outline := canvas.NewRectangle(color.Transparent)
	outline.StrokeWidth = 2
	outline.CornerRadius = theme.InputRadiusSize()
	r := &tileRenderer{t: t, hover: hover, outline: outline}
	r.Refresh()
	return r
}

type tileRenderer struct {
	t              *tile
	hover, outline *canvas.Rectangle
}

func (r *tileRenderer) Layout(size fyne.Size) {
	r.t.card.Resize(size)
	r.hover.Resize(size)
	r.outline.Resize(size)
}

func (r *tileRenderer) MinSize() fyne.Size { return r.t.card.MinSize() }

func (r *tileRenderer) Refresh() {
	r.hover.FillColor = color.Transparent
	if r.t.hovered {
		r.hover.FillColor = theme.Color(theme.ColorNameHover)
	}
	r.outline.StrokeColor = color.Transparent
	if r.t.focused {
		r.outline.StrokeColor = focusOutline
	}
	r.hover.Refresh()
	r.outline.Refresh()
	r.t.card.Refresh()
}

func (r *tileRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.t.card, r.hover, r.outline}
}

func (r *tileRenderer) Destroy() {}
