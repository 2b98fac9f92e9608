package screens

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app/i18n"
)

// The keyboard works the same on every screen:
//   - Enter presses the focused button or opens the focused row; in a dialog
//     with nothing focused it presses the dialog's default button;
//   - Escape closes the open dialog, or a screen opened from another one
//     (the detail), or empties the filter field it is typed in;
//   - Backspace (outside a text field) and Alt+Left go back to where the user
//     came from;
//   - Ctrl+F jumps to the filter field, Enter or ↓ from there to the table.
//
// Fyne's widgets answer only to Space and pass nothing on, so the screens use
// the small wrappers below instead of widget.Button, widget.Entry, widget.List
// and widget.Select.

var (
	shortcutFind = &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutBack = &desktop.CustomShortcut{KeyName: fyne.KeyLeft, Modifier: fyne.KeyModifierAlt}
)

// installKeys routes the window's keys and shortcuts to the ui.
func (u *ui) installKeys() {
	c := u.win.Canvas()
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		switch ev.Name {
		case fyne.KeyReturn, fyne.KeyEnter:
			u.enter()
		default:
			u.navigationKey(ev)
		}
	})
	c.AddShortcut(shortcutFind, func(fyne.Shortcut) { u.find() })
	c.AddShortcut(shortcutBack, func(fyne.Shortcut) { u.back() })
}

// navigationKey handles Escape and Backspace wherever they were typed, and
// reports whether it did.
func (u *ui) navigationKey(ev *fyne.KeyEvent) bool {
	switch ev.Name {
	case fyne.KeyEscape:
		u.escape()
		return true
	case fyne.KeyBackspace:
		if len(u.dialogs) == 0 {
			u.back()
		}
		return true
	}
	return false
}

// appShortcut runs one of the window's shortcuts, and reports whether the
// shortcut was one.
func (u *ui) appShortcut(s fyne.Shortcut) bool {
	switch s.ShortcutName() {
	case shortcutFind.ShortcutName():
		u.find()
	case shortcutBack.ShortcutName():
		u.back()
	default:
		return false
	}
	return true
}

// enter presses the default button of the open dialog.
func (u *ui) enter() {
	if d := u.topDialog(); d != nil && d.enter != nil {
		d.enter()
	}
}

// escape closes the open dialog, else leaves a screen opened from another.
func (u *ui) escape() {
	if d := u.topDialog(); d != nil {
		if d.escape != nil {
			d.escape()
		}
		return
	}
	if u.here.closable {
		u.back()
	}
}

// find puts the cursor in the filter field of the screen, if it has one.
func (u *ui) find() {
	if len(u.dialogs) == 0 && u.here.find != nil {
		u.here.find()
	}
}

// button is a widget.Button that Enter presses too.
type button struct {
	widget.Button
	u *ui
}

func (u *ui) newButton(label string, tapped func()) *button {
	b := &button{u: u}
	b.Text, b.OnTapped = label, tapped
	b.ExtendBaseWidget(b)
	return b
}

func (b *button) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if !b.Disabled() && b.OnTapped != nil {
			b.OnTapped()
		}
	default:
		if !b.u.navigationKey(ev) {
			b.Button.TypedKey(ev)
		}
	}
}

// keyEntry is a one-line widget.Entry on which Escape first empties the
// field and then acts as everywhere, ↓ moves on (to the table), and the
// window's shortcuts still work while it has the cursor.
type keyEntry struct {
	widget.Entry
	u      *ui
	onDown func()
}

func (u *ui) newKeyEntry() *keyEntry {
	e := &keyEntry{u: u}
	e.Wrapping = fyne.TextWrapOff
	e.ExtendBaseWidget(e)
	return e
}

func (u *ui) newKeyPasswordEntry() *keyEntry {
	e := u.newKeyEntry()
	e.Password = true
	return e
}

func (e *keyEntry) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyEscape:
		if e.Text != "" && !e.Password {
			e.SetText("")
			return
		}
		e.u.escape()
	case fyne.KeyDown:
		if e.onDown != nil {
			e.onDown()
			return
		}
		e.Entry.TypedKey(ev)
	default:
		e.Entry.TypedKey(ev)
	}
}

func (e *keyEntry) TypedShortcut(s fyne.Shortcut) {
	if !e.u.appShortcut(s) {
		e.Entry.TypedShortcut(s)
	}
}

// keySelect is a widget.Select that passes Escape and Backspace on.
type keySelect struct {
	widget.Select
	u *ui
}

func (u *ui) newKeySelect(options []string, changed func(string)) *keySelect {
	s := &keySelect{u: u}
	s.Options, s.OnChanged = options, changed
	s.ExtendBaseWidget(s)
	return s
}

func (s *keySelect) TypedKey(ev *fyne.KeyEvent) {
	if !s.u.navigationKey(ev) {
		s.Select.TypedKey(ev)
	}
}

// keyList is a widget.List on which Enter opens the focused row as Space
// does, Page Up/Down move a screenful, and which tells where its keyboard
// focus is (Fyne keeps that private): the overview's Beheren opens that row.
type keyList struct {
	widget.List
	u *ui
	// focusRow mirrors the list's keyboard focus; onFocus is told when it
	// moves or when the list gains or loses the focus.
	focusRow int
	focused  bool
	onFocus  func()
}

func (u *ui) newKeyList(length func() int, create func() fyne.CanvasObject, update func(widget.ListItemID, fyne.CanvasObject)) *keyList {
	l := &keyList{u: u}
	l.Length, l.CreateItem, l.UpdateItem = length, create, update
	l.ExtendBaseWidget(l)
	return l
}

func (l *keyList) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter, fyne.KeySpace:
		l.List.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	case fyne.KeyDown, fyne.KeyUp:
		l.step(ev.Name, 1)
	case fyne.KeyPageDown:
		l.step(fyne.KeyDown, l.pageRows())
	case fyne.KeyPageUp:
		l.step(fyne.KeyUp, l.pageRows())
	default:
		if !l.u.navigationKey(ev) {
			l.List.TypedKey(ev)
		}
	}
}

// step moves the focus n rows the way Fyne's own arrow keys do.
func (l *keyList) step(key fyne.KeyName, n int) {
	rows := 0
	if l.Length != nil {
		rows = l.Length()
	}
	for ; n > 0; n-- {
		switch {
		case key == fyne.KeyDown && l.focusRow < rows-1:
			l.focusRow++
		case key == fyne.KeyUp && l.focusRow > 0:
			l.focusRow--
		default:
			n = 1 // at the end: stop
			continue
		}
		l.List.TypedKey(&fyne.KeyEvent{Name: key})
	}
	l.focusMoved()
}

// pageRows is how many rows fit in the list's height.
func (l *keyList) pageRows() int {
	if l.CreateItem == nil {
		return 10
	}
	h := l.CreateItem().MinSize().Height + theme.Padding()
	if h <= 0 {
		return 10
	}
	return max(1, int(l.Size().Height/h)-1)
}

// resetFocus moves the keyboard focus back to the first row, as on a list
// that was just made: after a new filter the old position means nothing.
func (l *keyList) resetFocus() {
	for ; l.focusRow > 0; l.focusRow-- {
		l.List.TypedKey(&fyne.KeyEvent{Name: fyne.KeyUp})
	}
	l.focusMoved()
}

// moveFocus moves the keyboard focus to a row, the way the arrow keys do.
func (l *keyList) moveFocus(row int) {
	for l.focusRow < row {
		l.focusRow++
		l.List.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	}
	for l.focusRow > row && l.focusRow > 0 {
		l.focusRow--
		l.List.TypedKey(&fyne.KeyEvent{Name: fyne.KeyUp})
	}
	l.focusMoved()
}

// tappedRow follows a click: Fyne moves its focus to the clicked row.
func (l *keyList) tappedRow(id int) {
	l.focusRow = id
	l.focusMoved()
}

func (l *keyList) FocusGained() {
	l.List.FocusGained()
	l.focused = true
	l.focusMoved()
}

func (l *keyList) FocusLost() {
	l.List.FocusLost()
	l.focused = false
	l.focusMoved()
}

func (l *keyList) focusMoved() {
	if l.onFocus != nil {
		l.onFocus()
	}
}

// dialogButton is one button of a dialog.
type dialogButton struct {
	label      string
	importance widget.Importance
	action     func()
	// isDefault: Enter presses it; isCancel: Escape presses it.
	isDefault, isCancel bool
}

// openDialog is a dialog the keyboard can answer.
type openDialog struct {
	d             dialog.Dialog
	enter, escape func()
	buttons       []*button
}

func (u *ui) topDialog() *openDialog {
	if len(u.dialogs) == 0 {
		return nil
	}
	return u.dialogs[len(u.dialogs)-1]
}

func (u *ui) pushDialog(od *openDialog) {
	u.dialogs = append(u.dialogs, od)
}

func (u *ui) popDialog(od *openDialog) {
	for i, d := range u.dialogs {
		if d == od {
			u.dialogs = append(u.dialogs[:i], u.dialogs[i+1:]...)
			return
		}
	}
}

// showDialog shows a dialog whose buttons answer to Enter and Escape; the
// default button has the focus, so a keyboard user sees which one Enter
// presses. The dialog closes before a button's action runs.
func (u *ui) showDialog(title string, content fyne.CanvasObject, buttons ...dialogButton) *openDialog {
	od := &openDialog{}
	row := container.NewHBox(layout.NewSpacer())
	var focus *button
	for _, db := range buttons {
		db := db
		b := u.newButton(db.label, nil)
		b.Importance = db.importance
		b.OnTapped = func() {
			od.d.Hide()
			if db.action != nil {
				db.action()
			}
		}
		if db.isDefault {
			od.enter, focus = b.OnTapped, b
		}
		if db.isCancel {
			od.escape = b.OnTapped
		}
		row.Add(b)
		od.buttons = append(od.buttons, b)
	}
	od.d = dialog.NewCustomWithoutButtons(title, container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), row), nil, nil, content), u.win)
	od.d.SetOnClosed(func() { u.popDialog(od) })
	u.pushDialog(od)
	od.d.Show()
	if focus != nil {
		u.win.Canvas().Focus(focus)
	}
	return od
}

// inform shows a message with one button that Enter and Escape both press.
func (u *ui) inform(title, message string) *openDialog {
	return u.showDialog(title, u.messageContent(message), dialogButton{label: u.tr("Sluiten", "Close"), importance: widget.HighImportance, isDefault: true, isCancel: true})
}

// showError tells what went wrong, in the user's language.
func (u *ui) showError(err error) {
	u.inform(u.tr("Fout", "Error"), sentence(i18n.Localize(u.lang, err)))
}

// messageContent shows a message as wide as its longest line allows within
// the window, and scrolls when it is taller than most of the window (an
// import of many files reports a line per file).
func (u *ui) messageContent(message string) fyne.CanvasObject {
	l := widget.NewLabel(message)
	l.Wrapping = fyne.TextWrapWord
	win := u.win.Canvas().Size()
	pad := 2 * theme.InnerPadding()
	size := theme.TextSize()
	widest := float32(0)
	for _, line := range strings.Split(message, "\n") {
		widest = max(widest, fyne.MeasureText(line, size, fyne.TextStyle{}).Width)
	}
	width := min(max(360, widest+pad+4), max(360, win.Width*0.8-2*pad))
	lines := 0
	for _, line := range strings.Split(message, "\n") {
		w := fyne.MeasureText(line, size, fyne.TextStyle{}).Width
		lines += 1 + int(w/(width-pad))
	}
	lineHeight := fyne.MeasureText("Ag", size, fyne.TextStyle{}).Height + theme.LineSpacing()
	height := min(float32(lines)*lineHeight+pad, max(120, win.Height*0.6))
	scroll := container.NewVScroll(l)
	scroll.SetMinSize(fyne.NewSize(width, height))
	return scroll
}
