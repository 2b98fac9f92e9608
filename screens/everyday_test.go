package screens

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/internal/fixture"
)

// The window as an administrator uses it all day (issue 17): tables that
// fit, the keyboard, the way back. Keys are delivered as Fyne's desktop
// driver delivers them: to the focused widget, else to the window.

func key(u *ui, name fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: name}
	if f := u.win.Canvas().Focused(); f != nil {
		f.TypedKey(ev)
		return
	}
	u.win.Canvas().OnTypedKey()(ev)
}

func shortcut(u *ui, s fyne.Shortcut) {
	if f, ok := u.win.Canvas().Focused().(fyne.Shortcutable); ok {
		f.TypedShortcut(s)
		return
	}
	u.win.Canvas().(fyne.Shortcutable).TypedShortcut(s)
}

func title(u *ui) string { return strings.TrimPrefix(u.win.Title(), "pkiodesk — ") }

// server opens the server overview the way a user does.
func server(t *testing.T, u *ui) *overview {
	t.Helper()
	u.showOverview(cert.KindServer)
	return u.overviews[string(cert.KindServer)]
}

// eSeal names in the demo differ only at their end ("… eSeal 5", "… eSeal
// 19"); at 1920 wide they are shown whole, and at 1024 wide every column,
// Verloopdatum and Status included, is inside the table.
func TestColumnsFitTheWindow(t *testing.T) {
	for _, size := range []fyne.Size{{Width: 1024, Height: 640}, {Width: 1920, Height: 1080}, {Width: 1180, Height: 760}} {
		for _, kind := range cert.OwnKinds {
			u := newTestUI(t, i18n.NL)
			u.win.Resize(size)
			u.showOverview(kind)
			o := u.overviews[string(kind)]
			tbl := o.table
			widths := tbl.columnWidths()
			xs := columnX(widths)
			last := len(widths) - 1
			if right := xs[last] + widths[last]; right > tbl.root.Size().Width {
				t.Errorf("%v %s: columns end at %.0f, the table is %.0f wide", size, kind, right, tbl.root.Size().Width)
			}
			for i, col := range o.cols {
				need := tbl.needs[i]
				switch {
				case col == inventory.ColStatus || col == inventory.ColNotAfter:
					if widths[i] < need.want-0.5 {
						t.Errorf("%v %s: %s is %.0f wide, its values need %.0f", size, kind, col, widths[i], need.want)
					}
				case size.Width == 1920 && widths[i] < need.want-0.5:
					t.Errorf("%v %s: %s cut (%.0f of %.0f) with room to spare", size, kind, col, widths[i], need.want)
				}
			}
			if size.Width == 1920 {
				// The room is used: the columns reach the table's right edge.
				if right := xs[last] + widths[last]; right < tbl.root.Size().Width-scrollMargin()-1 {
					t.Errorf("%v %s: %.0f of %.0f used", size, kind, right, tbl.root.Size().Width)
				}
			}
			// The names get the most room.
			if kind == cert.KindServer && size.Width == 1920 && !(widths[0] > widths[2] && widths[1] > widths[2]) {
				t.Errorf("%v: names %v not wider than the OIN", size, widths)
			}
		}
	}
}

// Status and Verloopdatum are never cut, even in a window narrower than
// anyone should use; the columns then shrink in proportion.
func TestFitColumnsNeverHidesTheLastColumn(t *testing.T) {
	needs := []columnNeed{{min: 100, want: 300, share: 3}, {min: 60, want: 400, share: 3}, {min: 60, want: 170, give: true}, {min: 90, want: 120}, {min: 80, want: 95}}
	for _, width := range []float32{2000, 900, 700, 520, 300, 50} {
		w := fitColumns(needs, map[int]float32{}, width)
		var sum float32
		for _, x := range w {
			sum += x
		}
		if sum > width+0.5 {
			t.Errorf("width %.0f: columns take %.0f (%v)", width, sum, w)
		}
		if width >= 700 && (w[3] < 120 || w[4] < 95) {
			t.Errorf("width %.0f: date/status cut: %v", width, w)
		}
		if width >= 2000 && (w[0] < 300 || w[1] < 400) {
			t.Errorf("width %.0f: names cut: %v", width, w)
		}
	}
	// A dragged column keeps its width; the others make room.
	w := fitColumns(needs, map[int]float32{0: 420}, 1100)
	if w[0] != 420 {
		t.Errorf("pinned column %v", w)
	}
}

func TestDraggedColumnWidthIsKept(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	u.win.Resize(fyne.NewSize(1180, 760))
	o := server(t, u)
	before := o.table.columnWidths()
	g := o.table.grips[0]
	g.Dragged(&fyne.DragEvent{Dragged: fyne.Delta{DX: 40}})
	g.Dragged(&fyne.DragEvent{Dragged: fyne.Delta{DX: 20}})
	g.DragEnd()
	after := o.table.columnWidths()
	if after[0] < before[0]+59 || after[0] > before[0]+61 {
		t.Fatalf("Common Name %v -> %v after dragging 60", before[0], after[0])
	}
	var sum float32
	for _, x := range after {
		sum += x
	}
	if avail := o.table.root.Size().Width - scrollMargin() - columnGap()*float32(len(after)-1); sum > avail+0.5 {
		t.Errorf("columns no longer fit: %.0f > %.0f", sum, avail)
	}
	// A new filter, another screen and back: the width stays.
	test.Type(o.filter, "brp")
	u.showHome()
	u.back()
	if got := o.table.columnWidths()[0]; got != after[0] {
		t.Errorf("dragged width %v became %v", after[0], got)
	}
	// Double-click on the handle gives it back to the automatic width.
	g.DoubleTapped(nil)
	if got := o.table.columnWidths()[0]; got == after[0] {
		t.Errorf("width still %v after double-click", got)
	}
}

// A value cut off in its column shows whole when the pointer rests on it.
func TestTooltipShowsACutOffValue(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	u.win.Resize(fyne.NewSize(1024, 640))
	o := server(t, u)
	var row *certRow
	for _, obj := range test.LaidOutObjects(o.table.list) {
		if r, ok := obj.(*certRow); ok && r.row == 0 {
			row = r
		}
	}
	if row == nil {
		t.Fatal("no first row")
	}
	full := o.cellText(0, 1) // FQDN
	if fyne.MeasureText(full, theme.TextSize(), fyne.TextStyle{}).Width+2*theme.InnerPadding() <= o.table.columnWidths()[1] {
		t.Skipf("%q fits its column at 1024", full)
	}
	x := columnX(o.table.columnWidths())[1] + 5
	row.MouseIn(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(x, 5)}})
	waitUntil(t, func() bool { return o.table.tip.box.Visible() }, func() string { return "no tooltip" })
	if o.table.tip.label.Text != full {
		t.Errorf("tooltip %q, want %q", o.table.tip.label.Text, full)
	}
	row.MouseOut()
	if o.table.tip.box.Visible() {
		t.Error("tooltip stays after the pointer left")
	}
}

// The detail opened from Start goes back to Start, from an overview back to
// that overview with its filter, sort and scroll position and the row the
// keyboard was on; Escape, Backspace and Alt+Left all go back.
func TestTheWayBack(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	u.win.Resize(fyne.NewSize(1180, 760))
	u.showHome()
	test.Tap(u.homeTiles[0]) // 30 days
	if !strings.HasPrefix(title(u), "Verlopen binnen 30 dagen") {
		t.Fatalf("tile opened %q", title(u))
	}
	key(u, fyne.KeyReturn) // the focused first row
	if !strings.Contains(backButton(t, u).Text, "Verlopen binnen 30 dagen") {
		t.Errorf("back button %q", backButton(t, u).Text)
	}
	key(u, fyne.KeyEscape)
	if !strings.HasPrefix(title(u), "Verlopen binnen 30 dagen") {
		t.Errorf("Escape on the detail went to %q", title(u))
	}
	key(u, fyne.KeyBackspace)
	if !strings.HasPrefix(title(u), "Start") {
		t.Fatalf("Backspace went to %q", title(u))
	}
	if u.menu[sectionHome].Importance != widget.HighImportance || u.menu[sectionServer].Importance == widget.HighImportance {
		t.Error("the menu does not mark Start")
	}

	// From Start's list to a detail and back: Start, not Servercertificaten.
	home := homeTable(t, u)
	home.open(0)
	if b := backButton(t, u); b.Text != "← Terug naar Start" {
		t.Errorf("back button from Start: %q", b.Text)
	}
	test.Tap(backButton(t, u))
	if !strings.HasPrefix(title(u), "Start") {
		t.Errorf("Terug went to %q", title(u))
	}

	// An overview with a filter, a sort, scrolled down, the keyboard on a
	// row: open it, come back, all is as it was.
	o := server(t, u)
	if u.menu[sectionServer].Importance != widget.HighImportance {
		t.Error("the menu does not mark Servercertificaten")
	}
	o.status.SetSelected("Alle")
	test.Type(o.filter, "voorbeeldstad")
	o.sortBy(inventory.ColCN)
	if len(o.view.Rows) < 25 {
		t.Fatalf("need rows to scroll: %d", len(o.view.Rows))
	}
	u.win.Canvas().Focus(o.table.list)
	for i := 0; i < 20; i++ {
		key(u, fyne.KeyDown)
	}
	scroll := o.table.list.GetScrollOffset()
	if scroll <= 0 {
		t.Fatal("the list did not scroll")
	}
	want := o.view.Rows[20].SHA256
	key(u, fyne.KeyReturn)
	if !strings.Contains(u.here.id, want) {
		t.Fatalf("Enter opened %q, want the 21st row %s", u.here.id, want)
	}
	shortcut(u, shortcutBack) // Alt+Left
	if !strings.HasPrefix(title(u), "Servercertificaten") {
		t.Fatalf("Alt+Left went to %q", title(u))
	}
	if o.filter.Text != "voorbeeldstad" || o.query.Status != inventory.FilterAll || o.query.Sort != inventory.ColCN {
		t.Errorf("state lost: %q %+v", o.filter.Text, o.query)
	}
	if got := o.table.list.GetScrollOffset(); got != scroll {
		t.Errorf("scroll %v, was %v", got, scroll)
	}
	if u.win.Canvas().Focused() != o.table.list || o.table.list.focusRow != 20 {
		t.Errorf("keyboard on row %d (focused %T), was 20", o.table.list.focusRow, u.win.Canvas().Focused())
	}
	// Beheren opens the row the keyboard is on.
	test.Tap(o.manage)
	if !strings.Contains(u.here.id, want) {
		t.Errorf("Beheren opened %q", u.here.id)
	}
}

// The tiles on Start open the overview of every kind filtered to them.
func TestStartTilesOpenFilteredOverviews(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	for i, days := range expiryPeriods {
		u.showHome()
		u.win.Canvas().Focus(u.homeTiles[i])
		key(u, fyne.KeyReturn)
		o := u.overviews[expiringKey]
		want := u.core.Inventory.Expiring(days).Rows
		if o.query.ExpiringDays != days || len(o.view.Rows) != len(want) {
			t.Errorf("%d days: overview has %d days, %d rows; want %d", days, o.query.ExpiringDays, len(o.view.Rows), len(want))
		}
		kinds := map[cert.Kind]bool{}
		for _, c := range o.view.Rows {
			kinds[c.Kind] = true
		}
		if days == 90 && len(kinds) < 2 {
			t.Errorf("90 days shows one kind only: %v", kinds)
		}
		if !strings.HasPrefix(title(u), i18n.T(i18n.NL, "window.expiring_title", days)) {
			t.Errorf("title %q", title(u))
		}
	}
}

// Enter presses a focused button and the default button of a dialog;
// Escape closes a dialog; Ctrl+F goes to the filter, ↓ from there to the
// rows.
func TestKeyboard(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	o := server(t, u)
	if u.win.Canvas().Focused() != o.table.list {
		t.Errorf("focus on arrival: %T", u.win.Canvas().Focused())
	}
	shortcut(u, shortcutFind)
	if u.win.Canvas().Focused() != o.filter {
		t.Fatalf("Ctrl+F focused %T", u.win.Canvas().Focused())
	}
	shortcut(u, shortcutFind) // again, from inside the field
	if u.win.Canvas().Focused() != o.filter {
		t.Fatalf("Ctrl+F in the field focused %T", u.win.Canvas().Focused())
	}
	key(u, fyne.KeyDown)
	if u.win.Canvas().Focused() != o.table.list {
		t.Fatalf("↓ from the filter focused %T", u.win.Canvas().Focused())
	}
	// Enter on a focused button presses it.
	u.win.Canvas().Focus(u.menu[sectionPersonal])
	key(u, fyne.KeyReturn)
	if !strings.HasPrefix(title(u), "Persoonlijke certificaten") {
		t.Fatalf("Enter on the menu button: %q", title(u))
	}
	// A dialog: Enter presses its default button, Escape its cancel.
	pressed := ""
	open := func() {
		u.showDialog("Vraag", widget.NewLabel("?"),
			dialogButton{label: "Nee", isCancel: true, action: func() { pressed = "nee" }},
			dialogButton{label: "Ja", isDefault: true, action: func() { pressed = "ja" }})
	}
	open()
	u.win.Canvas().Unfocus()
	key(u, fyne.KeyReturn)
	if pressed != "ja" || len(u.dialogs) != 0 {
		t.Errorf("Enter in a dialog: pressed %q, %d open", pressed, len(u.dialogs))
	}
	open()
	key(u, fyne.KeyEscape) // the default button has the focus
	if pressed != "nee" || len(u.dialogs) != 0 {
		t.Errorf("Escape in a dialog: pressed %q, %d open", pressed, len(u.dialogs))
	}
	// Escape in the filter empties it first.
	o = u.overviews[string(cert.KindPersonal)]
	shortcut(u, shortcutFind)
	test.Type(o.filter, "xyz")
	key(u, fyne.KeyEscape)
	if o.filter.Text != "" {
		t.Errorf("Escape left %q in the filter", o.filter.Text)
	}
}

// Focus is drawn so it can be seen: the theme's focus colour is opaque
// enough, and the row the keyboard is on has an outline.
func TestFocusIsVisible(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	c := u.fa.Settings().Theme().Color(theme.ColorNameFocus, theme.VariantDark)
	if _, _, _, a := c.RGBA(); a < 0x9000 {
		t.Errorf("focus colour alpha %#x: too faint", a>>8)
	}
	o := server(t, u)
	outlined := func() (rows []int) {
		for _, obj := range test.LaidOutObjects(o.table.list) {
			if r, ok := obj.(*certRow); ok && test.WidgetRenderer(r).(*rowRenderer).focus.Visible() {
				rows = append(rows, r.row)
			}
		}
		return rows
	}
	if got := outlined(); len(got) != 1 || got[0] != 0 {
		t.Errorf("outlined rows %v, want [0]", got)
	}
	key(u, fyne.KeyDown)
	if got := outlined(); len(got) != 1 || got[0] != 1 {
		t.Errorf("after ↓: outlined rows %v, want [1]", got)
	}
	u.win.Canvas().Focus(o.filter)
	if got := outlined(); len(got) != 0 {
		t.Errorf("outline without focus: %v", got)
	}
}

// Logging out forgets filters, sort orders and the way back: the next
// person starts at the manual's default (Geldig, by Verloopdatum).
func TestLogoutResetsFilterAndSort(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	o := server(t, u)
	o.status.SetSelected("Verlopen")
	test.Type(o.filter, "brp")
	o.sortBy(inventory.ColCN)
	u.logout()
	if len(u.history) != 0 || len(u.overviews) != 0 {
		t.Errorf("after logout: history %d, overviews %d", len(u.history), len(u.overviews))
	}
	u.showHome() // the next login
	o = server(t, u)
	if o.filter.Text != "" || o.query.Status != inventory.FilterValid || o.query.Sort != inventory.ColNotAfter || o.query.Desc || o.status.Selected != "Geldig" {
		t.Errorf("state survived logout: %q %+v %q", o.filter.Text, o.query, o.status.Selected)
	}
	if len(u.history) != 1 {
		t.Errorf("way back after a new login: %d steps", len(u.history))
	}
}

// Counts say "1 certificaat", an empty result says so, and Beheren says
// why it cannot open anything.
func TestCountsAndEmptyResults(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	o := server(t, u)
	test.Type(o.filter, o.view.Rows[0].CommonName)
	if len(o.view.Rows) != 1 || o.count.Text != "1 certificaat" {
		t.Errorf("one row: %d, %q", len(o.view.Rows), o.count.Text)
	}
	test.Type(o.filter, "zzz-niets")
	if o.count.Text != "0 certificaten" || !o.table.empty.Visible() || o.table.empty.Text != "Geen certificaten met dit filter." {
		t.Errorf("empty: count %q, message %q (visible %v)", o.count.Text, o.table.empty.Text, o.table.empty.Visible())
	}
	if !o.manage.Disabled() || !o.hint.Visible() || !strings.Contains(o.hint.Text, "geen certificaat") {
		t.Errorf("Beheren with nothing to open: disabled %v, hint %q", o.manage.Disabled(), o.hint.Text)
	}
	o.filter.SetText("")
	if o.manage.Disabled() || o.table.empty.Visible() {
		t.Error("Beheren or the empty message stuck")
	}
	for _, c := range []struct {
		n    int
		want string
	}{{1, "1 geldig certificaat verloopt binnen 30 dagen"}, {2, "2 geldige certificaten verlopen binnen 30 dagen"}} {
		if got := i18n.N(i18n.NL, "window.notify_expiring", c.n, c.n, 30); got != c.want {
			t.Errorf("notification %q, want %q", got, c.want)
		}
	}
	// Status is measured on every status word: "Ingetrokken" is never cut.
	need := o.need(len(o.cols) - 1)
	if w := fyne.MeasureText("Ingetrokken", theme.TextSize(), fyne.TextStyle{}).Width; need.want < w+2*theme.InnerPadding() {
		t.Errorf("Status wants %.0f, Ingetrokken needs %.0f", need.want, w)
	}
}

// Personal and group overviews have a Type column; their empty fields show
// "—", as do the detail's.
func TestTypeColumnAndDashes(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	for _, k := range []cert.Kind{cert.KindPersonal, cert.KindGroup} {
		u.showOverview(k)
		o := u.overviews[string(k)]
		found := false
		for i, c := range o.cols {
			if c == inventory.ColProfile && o.headerText(c) == "Type" && o.cellText(0, i) != "" {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no Type column", k)
		}
	}
	// The demo's eSeals have no e-mail address and no DNS names.
	var seal cert.Certificate
	for _, c := range u.core.Inventory.Query(inventory.Query{Kind: cert.KindESeal}).Rows {
		seal = *c
	}
	u.openDetail(seal)
	dashes := 0
	for _, obj := range test.LaidOutObjects(u.win.Content()) {
		if l, ok := obj.(*widget.Label); ok && l.Text == "—" {
			dashes++
		}
		if l, ok := obj.(*widget.Label); ok && l.Text == "" && l.Selectable {
			t.Error("an empty detail field is blank")
		}
	}
	if dashes < 2 {
		t.Errorf("%d fields show —", dashes)
	}
}

// FakeFileChooser stands in for the system's file dialog (an OS window the
// test driver cannot show): it answers with a path in a temp folder and
// writes through the same code as the real one.
type FakeFileChooser struct {
	dir   string
	saved []saveRequest
	files []string // files to answer an open request with
}

func (f *FakeFileChooser) save(u *ui, req saveRequest) {
	f.saved = append(f.saved, req)
	path := filepath.Join(f.dir, req.name)
	if err := writeFile(path, u.ownFiles(), req.write); err != nil {
		u.showError(err)
		return
	}
	req.done(path)
}

func (f *FakeFileChooser) open(u *ui, req openRequest) {
	req.read(inventory.ReadFiles(f.files))
}

// CSV and download: Dutch default names, the message names file and
// folder, names keep their letters.
func TestSavingNamesFileAndFolder(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	fake := &FakeFileChooser{dir: t.TempDir()}
	u.files = fake
	for k, want := range map[cert.Kind]string{cert.KindServer: "servercertificaten.csv", cert.KindPersonal: "persoonlijke-certificaten.csv", cert.KindGroup: "groepscertificaten.csv", cert.KindESeal: "eseal-certificaten.csv"} {
		u.showOverview(k)
		u.overviews[string(k)].exportCSV()
		req := fake.saved[len(fake.saved)-1]
		if req.name != want {
			t.Errorf("%s: CSV name %q, want %q", k, req.name, want)
		}
		msg := dialogText(t, u)
		if !strings.Contains(msg, want) || !strings.Contains(msg, fake.dir) {
			t.Errorf("CSV message %q names neither %s nor %s", msg, want, fake.dir)
		}
		key(u, fyne.KeyReturn)
		if _, err := os.Stat(filepath.Join(fake.dir, want)); err != nil {
			t.Error(err)
		}
	}
	u.showHome()
	test.Tap(u.homeTiles[1])
	u.overviews[expiringKey].exportCSV()
	if got := fake.saved[len(fake.saved)-1].name; got != "verlopen-binnen-60-dagen.csv" {
		t.Errorf("expiring CSV %q", got)
	}
	key(u, fyne.KeyReturn)

	// Download: the file keeps "ï"; the message names the folder.
	c := u.core.Inventory.Query(inventory.Query{Kind: cert.KindPersonal}).Rows[0]
	c2 := *c
	c2.CommonName = "Loïs van Dijk"
	u.download(c2)
	key(u, fyne.KeyReturn) // Opslaan… (PEM)
	req := fake.saved[len(fake.saved)-1]
	if req.name != "Loïs van Dijk.pem" {
		t.Errorf("download name %q", req.name)
	}
	msg := dialogText(t, u)
	if !strings.Contains(msg, "Loïs van Dijk.pem") || !strings.Contains(msg, "in de map "+fake.dir) {
		t.Errorf("download message %q", msg)
	}
	data, _ := os.ReadFile(filepath.Join(fake.dir, "Loïs van Dijk.pem"))
	if !strings.HasPrefix(string(data), "-----BEGIN CERTIFICATE-----") {
		t.Errorf("saved %q", data)
	}
}

// Saving never writes through a link or onto a device, and leaves no
// half-written file when writing fails.
func TestWriteFileRefusesOddTargets(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "echt.csv")
	os.WriteFile(target, []byte("oud"), 0o644)
	link := filepath.Join(dir, "link.csv")
	if err := os.Symlink(target, link); err != nil {
		t.Skip("no symlinks here")
	}
	if err := writeFile(link, nil, func(w fileWriter) error { _, err := io.WriteString(w, "nieuw"); return err }); !i18n.Is(err, "window.not_regular") {
		t.Errorf("write through a link: %v", err)
	}
	if got, _ := os.ReadFile(target); string(got) != "oud" {
		t.Errorf("target changed to %q", got)
	}
	failing := func(w fileWriter) error { io.WriteString(w, "half"); return i18n.E("err.csv_write", nil) }
	if err := writeFile(target, nil, failing); !i18n.Is(err, "err.csv_write") {
		t.Errorf("failing write: %v", err)
	}
	if got, _ := os.ReadFile(target); string(got) != "oud" {
		t.Errorf("a failed write changed the file to %q", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("left behind: %v", entries)
	}
	// A new file is an ordinary document; a replaced one keeps its mode.
	fresh := filepath.Join(dir, "nieuw.csv")
	ok := func(w fileWriter) error { _, err := io.WriteString(w, "nieuw"); return err }
	if err := writeFile(fresh, nil, ok); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(fresh); fi.Mode().Perm() != 0o644 {
		t.Errorf("new file: %v", fi.Mode())
	}
	os.Chmod(target, 0o640)
	if err := writeFile(target, nil, ok); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(target); string(got) != "nieuw" {
		t.Errorf("replaced file holds %q", got)
	}
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o640 {
		t.Errorf("replaced file: %v", fi.Mode())
	}
}

// Fyne's own file dialog, where the system has none: as large as the
// window allows, the suggested name filled in, certificate types only.
func TestFyneFileDialogFitsTheWindow(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	u.win.Resize(fyne.NewSize(1920, 1080))
	o := server(t, u)
	o.exportCSV()
	top := u.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog")
	}
	var box fyne.Size
	name := false
	for _, obj := range test.LaidOutObjects(top) {
		if e, ok := obj.(*widget.Entry); ok && e.Text == "servercertificaten.csv" {
			name = true
		}
		if s := obj.Size(); s.Width < 1900 && s.Width > box.Width {
			box = s
		}
	}
	if !name {
		t.Error("the dialog does not suggest servercertificaten.csv")
	}
	if box.Width < 1500 || box.Height < 850 {
		t.Errorf("dialog %v in a 1920×1080 window", box)
	}
	// Fyne puts the cursor in its name field, which keeps Escape to itself;
	// elsewhere in the dialog Escape closes it.
	u.win.Canvas().Unfocus()
	key(u, fyne.KeyEscape)
	if u.win.Canvas().Overlays().Top() != nil {
		t.Error("Escape did not close the file dialog")
	}
	if ext := extensions(certFilter(i18n.NL)); len(ext) < 8 || ext[0] != ".pem" {
		t.Errorf("certificate filter %v", ext)
	}
}

// Several files at once, a CA certificate alone says what happened to it.
func TestImportSeveralFilesAndIssuers(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	dir := t.TempDir()
	var paths []string
	for _, f := range []string{"RvIG_lap.gbav.idm.diginetwerk.net.crt", "QuoVadis_PKIoverheid_Private_Services_CA_-_G1.crt"} {
		p := filepath.Join(dir, f)
		os.WriteFile(p, fixture.ReadPKIo(t, f), 0o644)
		paths = append(paths, p)
	}
	u.files = &FakeFileChooser{dir: dir, files: paths}
	o := server(t, u)
	o.chooseImport()
	msg := dialogText(t, u)
	for _, want := range []string{"1 toegevoegd", "1 CA-certificaat opgeslagen als uitgever", "opgeslagen als uitgever: QuoVadis PKIoverheid Private Services CA - G1"} {
		if !strings.Contains(msg, want) {
			t.Errorf("report lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "1 uitgevers") {
		t.Errorf("report says %q", msg)
	}
	key(u, fyne.KeyEscape)
	// The CA alone.
	u.files = &FakeFileChooser{dir: dir, files: paths[1:]}
	o.chooseImport()
	if msg := dialogText(t, u); !strings.Contains(msg, "al aanwezig") {
		t.Errorf("second import of the CA: %q", msg)
	}
	_ = context.Background()
}

func dialogText(t *testing.T, u *ui) string {
	t.Helper()
	top := u.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog open")
	}
	var texts []string
	for _, obj := range test.LaidOutObjects(top) {
		switch w := obj.(type) {
		case *widget.Label:
			texts = append(texts, w.Text)
		case *widget.Check:
			texts = append(texts, w.Text)
		}
	}
	return strings.Join(texts, "\n")
}

func backButton(t *testing.T, u *ui) *button {
	t.Helper()
	for _, obj := range test.LaidOutObjects(u.win.Content()) {
		if b, ok := obj.(*button); ok && strings.HasPrefix(b.Text, "← ") {
			return b
		}
	}
	t.Fatalf("no back button on %q", title(u))
	return nil
}

func homeTable(t *testing.T, u *ui) *certTable {
	t.Helper()
	for _, obj := range test.LaidOutObjects(u.win.Content()) {
		if l, ok := obj.(*keyList); ok {
			for _, o := range test.LaidOutObjects(l) {
				if r, ok := o.(*certRow); ok {
					return r.t
				}
			}
		}
	}
	t.Fatal("no list on Start")
	return nil
}

// At 1024 wide the eSeal names, which differ only at their end, stay
// distinguishable: the cut goes into the part all rows share. FQDNs share
// their end (the domain) and are cut there, keeping the host.
func TestNamesAreCutWhereRowsAreAlike(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	u.win.Resize(fyne.NewSize(1024, 640))
	u.showOverview(cert.KindESeal)
	o := u.overviews[string(cert.KindESeal)]
	width := o.table.columnWidths()[0]
	shown := map[string]string{}
	for row, c := range o.view.Rows {
		full := o.cellText(row, 0)
		text := o.table.fitText(full, 0, width)
		if fyne.MeasureText(text, theme.TextSize(), fyne.TextStyle{}).Width > width-2*theme.InnerPadding()+0.5 {
			t.Errorf("%q does not fit %.0f", text, width)
		}
		if other, ok := shown[text]; ok && other != c.CommonName {
			t.Errorf("%q and %q both show as %q", other, c.CommonName, text)
		}
		shown[text] = c.CommonName
		if !strings.HasSuffix(text, c.CommonName[strings.LastIndex(c.CommonName, "eSeal"):]) {
			t.Errorf("%q lost its end: %q", c.CommonName, text)
		}
	}
	o = server(t, u)
	if full := o.cellText(0, 1); o.table.fitText(full, 1, 60) != full {
		t.Error("an FQDN is cut in the middle; its hosts differ at the start")
	}
}

// Columns are measured on the overview without its text filter: typing
// does not make them jump; another status measures again.
func TestColumnsKeepTheirWidthWhileTyping(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	o := server(t, u)
	before := o.table.columnWidths()
	test.Type(o.filter, "brp")
	if after := o.table.columnWidths(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("widths %v became %v while typing", before, after)
	}
	measured := o.measuredFor
	o.status.SetSelected("Alle")
	if o.measuredFor == measured {
		t.Error("another status did not measure again")
	}
}

// Choosing another period in the expiring overview retitles the window as
// the shell does.
func TestExpiringPeriodRetitles(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	u.openExpiring(30)
	o := u.overviews[expiringKey]
	o.period.SetSelectedIndex(2)
	if o.query.ExpiringDays != 90 || !strings.HasPrefix(title(u), "Verlopen binnen 90 dagen") {
		t.Errorf("period %d, title %q", o.query.ExpiringDays, title(u))
	}
}

// A save never replaces the database or its journal checkpoint, and Fyne's
// own dialog, which opens the chosen file itself, no longer truncates what
// it opens before pkiodesk sees the name: its writes go through writeFile,
// and it opens regular files only (a FIFO blocked the window).
func TestSaveNeverReplacesTheDatabase(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	db := u.core.Store.Path()
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	unchanged := func(when string) {
		t.Helper()
		if now, _ := os.ReadFile(db); !bytes.Equal(now, before) {
			t.Fatalf("%s: the database changed (%d → %d bytes)", when, len(before), len(now))
		}
	}
	write := func(w fileWriter) error { _, err := io.WriteString(w, "a;b\n"); return err }
	for _, own := range app.OwnFiles(db) {
		if _, err := os.Stat(own); err != nil {
			continue // no checkpoint written yet
		}
		if err := writeFile(own, u.ownFiles(), write); !i18n.Is(err, "window.output_is_database") {
			t.Errorf("save onto %s: %v", filepath.Base(own), err)
		}
	}
	unchanged("the system dialog's save")

	// What Fyne's dialog does once the user confirms "Overwrite?".
	w, err := storage.Writer(storage.NewFileURI(db))
	if err != nil {
		t.Fatal(err)
	}
	unchanged("opening the writer")
	if err := write(w); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); !i18n.Is(err, "window.output_is_database") {
		t.Errorf("Fyne dialog's save onto the database: %v", err)
	}
	unchanged("the Fyne dialog's save")

	// A FIFO is refused, not waited on; a new file appears whole on Close.
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pijp.csv")
	if err := exec.Command("mkfifo", fifo).Run(); err == nil {
		// Each must answer, not wait for a writer or reader that never comes.
		answer := func(what string, f func() error) error {
			done := make(chan error, 1)
			go func() { done <- f() }()
			select {
			case err := <-done:
				return err
			case <-time.After(10 * time.Second):
				t.Fatalf("%s waits on a FIFO", what)
				return nil
			}
		}
		err := answer("the save", func() error {
			w, err := storage.Writer(storage.NewFileURI(fifo))
			if err == nil {
				write(w)
				err = w.Close()
			}
			return err
		})
		if !i18n.Is(err, "window.not_regular") {
			t.Errorf("save onto a FIFO: %v", err)
		}
		err = answer("opening a file", func() error {
			r, err := storage.Reader(storage.NewFileURI(fifo))
			if err == nil {
				r.Close()
			}
			return err
		})
		if !i18n.Is(err, "err.not_regular.fifo") {
			t.Errorf("opening a FIFO: %v", err)
		}
	}
	fresh := filepath.Join(dir, "nieuw.csv")
	w, err = storage.Writer(storage.NewFileURI(fresh))
	if err != nil {
		t.Fatal(err)
	}
	write(w)
	if _, err := os.Stat(fresh); err == nil {
		t.Error("the file exists before the save is complete")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(fresh); string(got) != "a;b\n" {
		t.Errorf("saved %q", got)
	}
	r, err := storage.Reader(storage.NewFileURI(fresh))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if string(got) != "a;b\n" || r.URI().Path() != fresh {
		t.Errorf("read back %q from %s", got, r.URI())
	}
}
