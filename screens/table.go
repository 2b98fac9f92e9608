package screens

import (
	"image/color"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// certTable is the overviews' table: a header of sort buttons over a list of
// rows whose columns share the width by content (fitColumns), so that it
// always fits the window and never hides Status. A header divider dragged
// to a new width keeps it (double-click gives the column back to the
// automatic width); hovering a cut-off value shows it whole; Enter opens the
// focused row. A plain list underneath keeps its scroll position readable,
// which Fyne's Table does not.
type certTable struct {
	u    *ui
	cols int
	// headerText is the text of a column's header, cell the text of a
	// cell; need is a column's claim on the width; sort sorts on a column.
	headerText func(col int) string
	cell       func(row, col int) string
	need       func(col int) columnNeed
	sort       func(col int)
	rows       func() int
	// open opens a row (a click, Enter or Space).
	open func(row int)
	// pick: a click only chooses a row (it becomes the keyboard's row, which
	// the screen's buttons act on); a double click, Enter or Space opens
	// it. Set before the table is shown.
	pick bool

	heads  []*headerCell
	grips  []*columnGrip
	list   *keyList
	empty  *widget.Label
	tip    *tooltip
	root   *fyne.Container
	header *fyne.Container

	mu     sync.Mutex // widths are read by rows while the layout writes them
	widths []float32
	needs  []columnNeed
	// pinned are the widths the user dragged, by column; fitted the names
	// cut to fit the current widths.
	pinned    map[int]float32
	fitted    map[fitKey]string
	lastWidth float32
}

// columnGap is the space between columns, where the drag handles sit.
func columnGap() float32 { return 2 * theme.Padding() }

// scrollMargin keeps the last column clear of the scroll bar.
func scrollMargin() float32 { return theme.ScrollBarSize() }

func (u *ui) newCertTable(cols int, pinned map[int]float32) *certTable {
	t := &certTable{u: u, cols: cols, pinned: pinned}
	t.widths = make([]float32, cols)
	t.header = container.New(&headerLayout{t: t})
	for i := 0; i < cols; i++ {
		h := newHeaderCell(func() { t.sort(i) })
		t.heads = append(t.heads, h)
		t.header.Add(h)
		if i < cols-1 {
			g := newColumnGrip(t, i)
			t.grips = append(t.grips, g)
			t.header.Add(g)
		}
	}
	t.list = u.newKeyList(
		func() int { return t.rows() },
		func() fyne.CanvasObject {
			if t.pick {
				return newPickRow(t)
			}
			return newCertRow(t)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) { o.(interface{ show(int) }).show(id) })
	t.list.OnSelected = func(id widget.ListItemID) {
		// Selection is only the way Fyne reports a click or Space: the row
		// opens, and nothing stays selected so that it can open again.
		t.list.UnselectAll()
		t.list.tappedRow(id)
		if t.open != nil {
			t.open(id)
		}
	}
	prev := -1
	t.list.onFocus = func() {
		if prev >= 0 {
			t.list.RefreshItem(prev)
		}
		prev = t.list.focusRow
		t.list.RefreshItem(prev)
	}
	t.empty = widget.NewLabel("")
	t.empty.Alignment = fyne.TextAlignCenter
	t.empty.Wrapping = fyne.TextWrapWord
	t.empty.Hide()
	t.tip = newTooltip()
	t.root = container.New(&tableLayout{t: t}, t.header, t.list, t.empty, t.tip.box)
	return t
}

// refresh shows new rows (or new header texts), measuring the columns
// again when asked. The list is refreshed once: each refresh of a row
// shapes its text again, which is what a keystroke in the filter costs.
func (t *certTable) refresh(emptyText string, remeasure bool) {
	if remeasure || len(t.needs) != t.cols {
		needs := make([]columnNeed, 0, t.cols)
		for i := 0; i < t.cols; i++ {
			needs = append(needs, t.need(i))
		}
		t.mu.Lock()
		t.needs = needs
		t.lastWidth = -1
		t.mu.Unlock()
		if w := t.root.Size().Width; w > 0 {
			t.fitWidths(w)
		}
	}
	for i, h := range t.heads {
		h.setText(t.headerText(i))
	}
	if t.rows() == 0 {
		t.empty.SetText(emptyText)
		t.empty.Show()
	} else {
		t.empty.Hide()
	}
	t.tip.hide()
	t.header.Refresh()
	t.list.Refresh()
}

// fit divides the width among the columns when the table's width changed
// (the layout knows it), and redraws the rows.
func (t *certTable) fit(width float32) {
	if t.fitWidths(width) {
		t.header.Refresh()
		t.list.Refresh()
	}
}

// fitWidths divides the width among the columns, and reports whether it
// had to.
func (t *certTable) fitWidths(width float32) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if width == t.lastWidth && len(t.needs) == t.cols {
		return false
	}
	t.lastWidth = width
	avail := width - scrollMargin() - columnGap()*float32(t.cols-1)
	t.widths = fitColumns(t.needs, t.pinned, avail)
	t.fitted = map[fitKey]string{}
	return true
}

// columnWidths is a copy of the current widths.
func (t *certTable) columnWidths() []float32 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]float32(nil), t.widths...)
}

// columnX is where each column starts.
func columnX(widths []float32) []float32 {
	x := make([]float32, len(widths))
	var pos float32
	for i, w := range widths {
		x[i] = pos
		pos += w + columnGap()
	}
	return x
}

// columnAt is the column under x, or -1.
func (t *certTable) columnAt(x float32) int {
	widths := t.columnWidths()
	for i, start := range columnX(widths) {
		if x >= start && x < start+widths[i] {
			return i
		}
	}
	return -1
}

// drag sets a column to a width the user chose.
func (t *certTable) drag(col int, width float32) {
	t.mu.Lock()
	t.pinned[col] = max(width, t.needs[col].min)
	t.lastWidth = -1
	t.mu.Unlock()
	t.fit(t.root.Size().Width)
}

// unpin gives a column back to the automatic width.
func (t *certTable) unpin(col int) {
	t.mu.Lock()
	delete(t.pinned, col)
	t.lastWidth = -1
	t.mu.Unlock()
	t.fit(t.root.Size().Width)
}

// tableLayout puts the header over the rows, and the empty-result message
// and the tooltip over the rows.
type tableLayout struct{ t *certTable }

func (l *tableLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	l.t.fit(size.Width)
	var head float32
	if l.t.header.Visible() {
		head = l.t.header.MinSize().Height
	}
	l.t.header.Move(fyne.NewPos(0, 0))
	l.t.header.Resize(fyne.NewSize(size.Width, head))
	body := fyne.NewSize(size.Width, max(0, size.Height-head))
	l.t.list.Move(fyne.NewPos(0, head))
	l.t.list.Resize(body)
	l.t.empty.Move(fyne.NewPos(0, head+theme.Padding()*4))
	l.t.empty.Resize(fyne.NewSize(size.Width, l.t.empty.MinSize().Height))
	l.t.tip.layout(size)
}

func (l *tableLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	var w float32
	l.t.mu.Lock()
	for _, n := range l.t.needs {
		w += n.min
	}
	l.t.mu.Unlock()
	// The table can shrink below its headers (fitColumns then scales);
	// asking less keeps the window resizable to small screens.
	w = min(w, 320)
	return fyne.NewSize(w, l.t.header.MinSize().Height+l.t.list.MinSize().Height)
}

// headerLayout places the header buttons over their columns and the drag
// handles in the gaps between them.
type headerLayout struct{ t *certTable }

func (l *headerLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	widths := l.t.columnWidths()
	xs := columnX(widths)
	for i, h := range l.t.heads {
		if i >= len(widths) {
			break
		}
		h.Move(fyne.NewPos(xs[i], 0))
		h.Resize(fyne.NewSize(widths[i], size.Height))
	}
	for i, g := range l.t.grips {
		if i >= len(widths) {
			break
		}
		g.Move(fyne.NewPos(xs[i]+widths[i], 0))
		g.Resize(fyne.NewSize(columnGap(), size.Height))
	}
}

func (l *headerLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	var h float32
	for _, c := range l.t.heads {
		h = max(h, c.MinSize().Height)
	}
	return fyne.NewSize(0, h)
}

// headerCell is a column header: clicking it sorts. It is not a Tab stop
// (a keyboard user reaches the rows with Ctrl+F and ↓ instead of passing
// every header).
type headerCell struct {
	widget.BaseWidget
	text    string
	onTap   func()
	hovered bool
}

func newHeaderCell(onTap func()) *headerCell {
	h := &headerCell{onTap: onTap}
	h.ExtendBaseWidget(h)
	return h
}

func (h *headerCell) setText(s string) {
	if h.text != s {
		h.text = s
		h.Refresh()
	}
}

func (h *headerCell) Tapped(*fyne.PointEvent) {
	if h.onTap != nil {
		h.onTap()
	}
}

func (h *headerCell) MouseIn(*desktop.MouseEvent)    { h.hovered = true; h.Refresh() }
func (h *headerCell) MouseMoved(*desktop.MouseEvent) {}
func (h *headerCell) MouseOut()                      { h.hovered = false; h.Refresh() }

func (h *headerCell) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(color.Transparent)
	bg.CornerRadius = theme.InputRadiusSize()
	label := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	label.Truncation = fyne.TextTruncateEllipsis
	r := &headerRenderer{h: h, bg: bg, label: label}
	r.Refresh()
	return r
}

type headerRenderer struct {
	h     *headerCell
	bg    *canvas.Rectangle
	label *widget.Label
}

func (r *headerRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	r.label.Resize(size)
}

func (r *headerRenderer) MinSize() fyne.Size {
	return fyne.NewSize(0, widget.NewLabelWithStyle("Ag", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}).MinSize().Height)
}

func (r *headerRenderer) Refresh() {
	th := r.h.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.bg.FillColor = th.Color(theme.ColorNameButton, v)
	if r.h.hovered {
		r.bg.FillColor = th.Color(theme.ColorNameHover, v)
	}
	r.bg.Refresh()
	r.label.SetText(r.h.text)
}

func (r *headerRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.bg, r.label} }
func (r *headerRenderer) Destroy()                     {}

// columnGrip is the drag handle between two column headers.
type columnGrip struct {
	widget.BaseWidget
	t     *certTable
	col   int
	start float32 // the column's width when the drag began; -1 between drags
	moved float32
}

func newColumnGrip(t *certTable, col int) *columnGrip {
	g := &columnGrip{t: t, col: col, start: -1}
	g.ExtendBaseWidget(g)
	return g
}

func (g *columnGrip) Cursor() desktop.Cursor { return desktop.HResizeCursor }

func (g *columnGrip) Dragged(ev *fyne.DragEvent) {
	if g.start < 0 {
		g.start, g.moved = g.t.columnWidths()[g.col], 0
	}
	g.moved += ev.Dragged.DX
	g.t.drag(g.col, g.start+g.moved)
}

func (g *columnGrip) DragEnd() { g.start = -1 }

func (g *columnGrip) DoubleTapped(*fyne.PointEvent) { g.t.unpin(g.col) }

func (g *columnGrip) CreateRenderer() fyne.WidgetRenderer {
	line := canvas.NewRectangle(theme.Color(theme.ColorNameSeparator))
	return &gripRenderer{line: line}
}

type gripRenderer struct{ line *canvas.Rectangle }

func (r *gripRenderer) Layout(size fyne.Size) {
	w := max(1, theme.SeparatorThicknessSize())
	r.line.Move(fyne.NewPos((size.Width-w)/2, size.Height/4))
	r.line.Resize(fyne.NewSize(w, size.Height/2))
}
func (r *gripRenderer) MinSize() fyne.Size { return fyne.NewSize(columnGap(), 0) }
func (r *gripRenderer) Refresh() {
	r.line.FillColor = theme.Color(theme.ColorNameSeparator)
	r.line.Refresh()
}
func (r *gripRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.line} }
func (r *gripRenderer) Destroy()                     {}

// certRow is one row of the table. It draws its own hover and keyboard
// focus: Fyne's list shows focus in the faint hover colour only.
type certRow struct {
	widget.BaseWidget
	t       *certTable
	row     int
	hovered bool
	tipCol  int
}

func newCertRow(t *certTable) *certRow {
	r := &certRow{t: t, row: -1, tipCol: -1}
	r.ExtendBaseWidget(r)
	return r
}

func (r *certRow) show(row int) {
	r.row = row
	r.Refresh()
}

// pickRow is a row of a table whose click chooses and whose double click
// opens (certTable.pick). It takes the taps itself: the list item under it
// would open the row on the first click.
type pickRow struct{ certRow }

func newPickRow(t *certTable) *pickRow {
	r := &pickRow{certRow{t: t, row: -1, tipCol: -1}}
	r.ExtendBaseWidget(r)
	return r
}

func (r *pickRow) Tapped(*fyne.PointEvent) { r.t.choose(r.row) }

func (r *pickRow) DoubleTapped(*fyne.PointEvent) {
	r.t.choose(r.row)
	if r.t.open != nil && r.row >= 0 && r.row < r.t.rows() {
		r.t.open(r.row)
	}
}

// choose makes a row the keyboard's row, with the focus on the list.
func (t *certTable) choose(row int) {
	if row < 0 || row >= t.rows() {
		return
	}
	t.u.win.Canvas().Focus(t.list)
	t.list.moveFocus(row)
}

// text is the cell's text as shown.
func (r *certRow) text(col int) string {
	if r.row < 0 || r.row >= r.t.rows() {
		return ""
	}
	return r.t.cell(r.row, col)
}

func (r *certRow) MouseIn(ev *desktop.MouseEvent) {
	r.hovered = true
	r.Refresh()
	r.MouseMoved(ev)
}

func (r *certRow) MouseMoved(ev *desktop.MouseEvent) {
	col := r.t.columnAt(ev.Position.X)
	if col == r.tipCol {
		return
	}
	r.tipCol = col
	r.t.tip.hide()
	if col < 0 {
		return
	}
	text := r.text(col)
	width := r.t.columnWidths()[col]
	if fyne.MeasureText(text, theme.TextSize(), fyne.TextStyle{}).Width+2*theme.InnerPadding() <= width {
		return // shown whole already
	}
	row := r.row
	r.t.tip.showAfter(func() bool { return r.hovered && r.tipCol == col && r.row == row }, text, func() fyne.Position {
		d := fyne.CurrentApp().Driver()
		at := d.AbsolutePositionForObject(r).Subtract(d.AbsolutePositionForObject(r.t.root))
		return at.Add(fyne.NewPos(columnX(r.t.columnWidths())[col], r.Size().Height))
	})
}

func (r *certRow) MouseOut() {
	r.hovered = false
	r.tipCol = -1
	r.t.tip.hide()
	r.Refresh()
}

func (r *certRow) CreateRenderer() fyne.WidgetRenderer {
	rr := &rowRenderer{r: r, hover: canvas.NewRectangle(color.Transparent), focus: canvas.NewRectangle(color.Transparent)}
	rr.focus.StrokeColor = focusOutline
	rr.focus.StrokeWidth = 2
	rr.focus.CornerRadius = theme.SelectionRadiusSize()
	rr.hover.CornerRadius = theme.SelectionRadiusSize()
	for i := 0; i < r.t.cols; i++ {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateEllipsis
		rr.cells = append(rr.cells, l)
	}
	rr.Refresh()
	return rr
}

type rowRenderer struct {
	r            *certRow
	hover, focus *canvas.Rectangle
	cells        []*widget.Label
}

func (rr *rowRenderer) Layout(size fyne.Size) {
	rr.hover.Resize(size)
	rr.focus.Resize(size)
	widths := rr.r.t.columnWidths()
	xs := columnX(widths)
	for i, c := range rr.cells {
		if i >= len(widths) {
			c.Hide()
			continue
		}
		// Setting a label's text shapes it again; most layouts and
		// refreshes (focus, hover) change no text.
		if shown := rr.r.t.fitText(rr.r.text(i), i, widths[i]); c.Text != shown {
			c.SetText(shown)
		}
		c.Show()
		c.Move(fyne.NewPos(xs[i], 0))
		c.Resize(fyne.NewSize(widths[i], size.Height))
	}
}

func (rr *rowRenderer) MinSize() fyne.Size {
	return fyne.NewSize(0, widget.NewLabel("Ag").MinSize().Height)
}

func (rr *rowRenderer) Refresh() {
	r := rr.r
	if r.hovered {
		rr.hover.FillColor = theme.Color(theme.ColorNameHover)
	} else {
		rr.hover.FillColor = color.Transparent
	}
	rr.hover.Refresh()
	if r.t.list.focused && r.row == r.t.list.focusRow {
		rr.focus.Show()
	} else {
		rr.focus.Hide()
	}
	rr.focus.Refresh()
	rr.Layout(r.Size())
}

func (rr *rowRenderer) Objects() []fyne.CanvasObject {
	objs := []fyne.CanvasObject{rr.hover}
	for _, c := range rr.cells {
		objs = append(objs, c)
	}
	return append(objs, rr.focus)
}

func (rr *rowRenderer) Destroy() {}

// fitText is a cell's text as it fits its column. Names are cut where the
// rows are alike: where they share their end (".voorbeeldstad.nl", the
// e-mail domain) the label cuts the end; where they share their start
// ("Gemeente Voorbeeldstad eSeal 5", "… eSeal 19") the cut goes into that
// start, keeping the end that tells them apart. The results are kept until
// the widths change: measuring is the slow part.
func (t *certTable) fitText(text string, col int, width float32) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if col >= len(t.needs) || t.needs[col].share == 0 || t.needs[col].prefix <= t.needs[col].suffix {
		return text
	}
	avail := width - 2*theme.InnerPadding()
	measure := func(s string) float32 { return fyne.MeasureText(s, theme.TextSize(), fyne.TextStyle{}).Width }
	if avail <= 0 || measure(text) <= avail {
		return text
	}
	key := fitKey{text, col}
	if s, ok := t.fitted[key]; ok {
		return s
	}
	runes := []rune(text)
	// The end to keep: what differs, with the word before it ("eSeal 5").
	from := min(t.needs[col].prefix, len(runes))
	if from > 0 && runes[from-1] == ' ' {
		from--
	}
	for from > 0 && runes[from-1] != ' ' {
		from--
	}
	keepEnd := len(runes) - from
	cut := func(k int) string { // keep k characters, the end first
		tail := min(k, keepEnd)
		return string(runes[:k-tail]) + "…" + string(runes[len(runes)-tail:])
	}
	lo, hi := 0, len(runes)-1 // keeping lo characters fits; hi does not
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if measure(cut(mid)) <= avail {
			lo = mid
		} else {
			hi = mid
		}
	}
	shown := cut(lo)
	if lo < 4 {
		shown = text // too narrow to help: the label cuts at the end
	}
	if len(t.fitted) > 4096 {
		t.fitted = map[fitKey]string{}
	}
	t.fitted[key] = shown
	return shown
}

// fitKey names a fitted text: the widths are the same while it is kept.
type fitKey struct {
	text string
	col  int
}

// tooltip shows a cut-off value whole, over the table: drawn inside the
// table rather than as a pop-up, so that it takes no mouse events and the
// row under it keeps its hover.
type tooltip struct {
	box   *fyne.Container
	label *widget.Label
	pos   fyne.Position
	table fyne.Size
	timer *time.Timer
	// gen counts shows and hides, so a late timer does not show an old tip.
	gen int
}

// tooltipDelay is how long the pointer rests before a tip appears.
const tooltipDelay = 500 * time.Millisecond

func newTooltip() *tooltip {
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameOverlayBackground))
	bg.StrokeColor = theme.Color(theme.ColorNameSeparator)
	bg.StrokeWidth = 1
	bg.CornerRadius = theme.InputRadiusSize()
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapBreak
	box := container.NewStack(bg, l)
	box.Hide()
	return &tooltip{box: box, label: l}
}

func (t *tooltip) showAfter(still func() bool, text string, at func() fyne.Position) {
	t.gen++
	gen := t.gen
	if t.timer != nil {
		t.timer.Stop()
	}
	t.timer = time.AfterFunc(tooltipDelay, func() {
		fyne.Do(func() {
			if gen != t.gen || !still() {
				return
			}
			t.label.SetText(text)
			t.pos = at()
			t.box.Show()
			t.place()
			t.box.Refresh()
		})
	})
}

func (t *tooltip) hide() {
	t.gen++
	if t.timer != nil {
		t.timer.Stop()
	}
	if t.box.Visible() {
		t.box.Hide()
	}
}

// layout keeps the table's size, within which the tip must stay.
func (t *tooltip) layout(table fyne.Size) {
	t.table = table
	t.place()
}

// place puts the tip under the cell, inside the table.
func (t *tooltip) place() {
	if !t.box.Visible() {
		return
	}
	maxW := max(200, t.table.Width*0.7)
	w := min(fyne.MeasureText(t.label.Text, theme.TextSize(), fyne.TextStyle{}).Width+2*theme.InnerPadding()+2, maxW)
	t.box.Resize(fyne.NewSize(w, t.box.MinSize().Height))
	h := t.label.MinSize().Height
	t.box.Resize(fyne.NewSize(w, h))
	x := min(t.pos.X, max(0, t.table.Width-w))
	y := t.pos.Y
	if y+h > t.table.Height {
		y = max(0, y-h-t.label.MinSize().Height)
	}
	t.box.Move(fyne.NewPos(x, y))
}
