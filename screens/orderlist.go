package screens

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/order"
)

// orderList is "Bestellingen": every order in the database, drafts and
// placed ones alike, in the overviews' table. A draft reopens its wizard at
// the step it was left at; any other order opens its confirmation page. The
// rows, filter, sort and every rule are app/order's; this is the view. It
// lives for the session, as the overviews do.
type orderList struct {
	u     *ui
	query order.ListQuery
	view  order.ListView
	// measured is the list without its text filter: columns keep their
	// widths while the user types.
	measured order.ListView
	err      error

	status  *keySelect
	filter  *keyEntry
	count   *widget.Label
	damaged *widget.Label
	// open, remove and cancel act on the chosen row; why says why one is
	// disabled.
	open, remove, cancel *button
	why                  *widget.Label
	table                *certTable
	content              fyne.CanvasObject
	scroll               float32
}

// showOrders opens Bestellingen from the menu.
func (u *ui) showOrders() {
	if u.orders == nil {
		u.orders = newOrderList(u)
	}
	u.open(u.orders.place())
}

func (l *orderList) place() place {
	return place{id: "orders", section: sectionOrders, title: l.title, show: l.arrive, leave: l.leave, find: l.focusFilter}
}

func (l *orderList) title() string { return l.u.tr("Bestellingen", "Orders") }

func newOrderList(u *ui) *orderList {
	l := &orderList{u: u, query: order.ListQuery{Filter: order.ListOpen, Sort: order.ListColDate, Desc: true}}
	var labels []string
	for _, f := range order.ListFilters {
		labels = append(labels, filterLabel(u.lang, f))
	}
	l.status = u.newKeySelect(labels, func(string) {
		l.query.Filter = order.ListFilters[max(0, l.status.SelectedIndex())]
		l.refresh(false)
	})
	l.filter = u.newKeyEntry()
	l.filter.SetPlaceHolder(u.tr("Zoek in nummer, naam, product of aanvrager", "Search in number, name, product or requester") + "   (Ctrl+F)")
	l.filter.OnChanged = func(s string) {
		l.query.Text = s
		l.refresh(false)
	}
	l.filter.OnSubmitted = func(string) { l.focusTable() }
	l.filter.onDown = l.focusTable
	l.count = widget.NewLabel("")
	l.damaged = widget.NewLabel("")
	l.damaged.Importance = widget.DangerImportance
	l.damaged.Wrapping = fyne.TextWrapWord
	l.why = widget.NewLabel("")
	l.why.TextStyle = fyne.TextStyle{Italic: true}
	l.why.Wrapping = fyne.TextWrapWord

	pins, ok := u.columnPins["orders"]
	if !ok {
		pins = map[int]float32{}
		u.columnPins["orders"] = pins
	}
	t := u.newCertTable(len(order.ListColumns), pins)
	t.pick = true
	t.rows = func() int { return len(l.view.Rows) }
	t.cell = func(row, col int) string {
		if row >= len(l.view.Rows) {
			return ""
		}
		return orDash(l.view.Rows[row].Cell(order.ListColumns[col], u.lang))
	}
	t.headerText = l.headerText
	t.need = l.need
	t.sort = func(i int) { l.sortBy(order.ListColumns[i]) }
	t.open = l.openRow
	t.list.onFocus = chain(t.list.onFocus, l.updateActions)
	l.table = t

	l.status.SetSelectedIndex(0)
	l.content = l.build()
	l.refresh(false)
	return l
}

// filterLabel names a status filter choice.
func filterLabel(lang i18n.Lang, f order.ListFilter) string {
	switch f {
	case order.ListOpen, order.ListAll:
		return i18n.T(lang, "order.list.filter."+string(f))
	}
	return i18n.T(lang, "order.state."+string(f))
}

func (l *orderList) build() fyne.CanvasObject {
	u := l.u
	l.open = u.newButton(u.tr("Openen", "Open"), func() { l.openRow(l.current()) })
	l.open.Importance = widget.HighImportance
	l.remove = u.newButton(u.tr("Concept verwijderen", "Delete draft"), l.askDelete)
	l.cancel = u.newButton(u.tr("Annuleren", "Cancel"), l.askCancel)
	export := u.newButton(u.tr("Exporteer lijst als .csv", "Export list as .csv"), l.exportCSV)
	actions := container.NewHBox(l.open, l.remove, l.cancel, export)
	title := widget.NewLabelWithStyle(l.title(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	intro := widget.NewLabel(u.tr("Klik op een bestelling om haar te kiezen; dubbelklik of Enter opent haar. Een concept gaat verder bij de stap waar het bleef.",
		"Click an order to choose it; a double click or Enter opens it. A draft continues at the step where it was left."))
	intro.TextStyle = fyne.TextStyle{Italic: true}
	intro.Wrapping = fyne.TextWrapWord
	filters := container.NewBorder(nil, nil, container.NewHBox(widget.NewLabel(u.tr("Status", "State")), l.status), l.count, l.filter)
	top := container.NewVBox(title, intro, filters, actions, l.why, l.damaged)
	return container.NewBorder(top, nil, nil, nil, l.table.root)
}

// arrive shows the list as it was left, read again: a draft saved, an
// order placed or cancelled meanwhile.
func (l *orderList) arrive() {
	l.refresh(true)
	l.u.shell(l.title(), sectionOrders, l.content)
	l.table.list.ScrollToOffset(l.scroll)
	l.focusTable()
}

func (l *orderList) leave() { l.scroll = l.table.list.GetScrollOffset() }

func (l *orderList) focusFilter() { l.u.win.Canvas().Focus(l.filter) }

func (l *orderList) focusTable() {
	if len(l.view.Rows) > 0 {
		l.u.win.Canvas().Focus(l.table.list)
	}
}

// columnLabel is a column's header; the name column's is shorter than in
// the CSV, to leave the room to the names.
func (l *orderList) columnLabel(col order.ListColumn) string {
	if col == order.ListColName {
		return i18n.T(l.u.lang, "order.list.head.name")
	}
	return i18n.T(l.u.lang, "order.list.col."+string(col))
}

func (l *orderList) headerText(i int) string {
	col := order.ListColumns[i]
	label := l.columnLabel(col)
	if col == l.query.Sort {
		if l.query.Desc {
			return label + " ▼"
		}
		return label + " ▲"
	}
	return label
}

// orderColumnShare: the name gets most of the room, the product some;
// the other columns hold short values.
var orderColumnShare = map[order.ListColumn]float32{order.ListColName: 3, order.ListColProduct: 1.5, order.ListColRequester: 1}

// need measures a column on its header and its widest values (the rows
// without the text filter).
func (l *orderList) need(i int) columnNeed {
	col := order.ListColumns[i]
	pad := 2*theme.InnerPadding() + 2
	size := theme.TextSize()
	n := columnNeed{
		min:   fyne.MeasureText(l.columnLabel(col)+" ▲", size, fyne.TextStyle{Bold: true}).Width + pad,
		share: orderColumnShare[col],
		// The kind gives up room before a name is cut to its header.
		give: col == order.ListColKind,
	}
	limit := float32(maxShortColumn)
	if n.share > 0 {
		limit = maxNameColumn
	}
	var candidates []string
	switch col {
	case order.ListColState:
		for _, s := range append(append([]order.State(nil), order.States...), order.StateDamaged) {
			candidates = append(candidates, i18n.T(l.u.lang, "order.state."+string(s)))
		}
	case order.ListColDate:
		candidates = []string{"2006-12-31"}
	default:
		for k := range l.measured.Rows {
			if k >= scanLimit {
				break
			}
			candidates = append(candidates, l.measured.Rows[k].Cell(col, l.u.lang))
		}
	}
	for _, s := range candidates {
		n.want = max(n.want, min(limit, fyne.MeasureText(s, size, fyne.TextStyle{}).Width+pad))
	}
	return n
}

func (l *orderList) sortBy(col order.ListColumn) {
	if l.query.Sort == col {
		l.query.Desc = !l.query.Desc
	} else {
		l.query.Sort, l.query.Desc = col, false
	}
	l.refresh(true)
}

// refresh reads the orders again. keep holds the chosen row (coming back,
// sorting); otherwise the list starts at the top.
func (l *orderList) refresh(keep bool) {
	ctx := context.Background()
	l.view, l.err = l.u.core.Orders.ListOrders(ctx, l.query, l.u.lang)
	all := l.query
	all.Text = ""
	if m, err := l.u.core.Orders.ListOrders(ctx, all, l.u.lang); err == nil {
		l.measured = m
	}
	n := len(l.view.Rows)
	l.count.SetText(i18n.N(l.u.lang, "order.list.count", n, n))
	if l.view.Damaged > 0 {
		l.damaged.SetText(i18n.N(l.u.lang, "order.list.damaged", l.view.Damaged, l.view.Damaged))
		l.damaged.Show()
	} else {
		l.damaged.Hide()
	}
	l.table.refresh(l.emptyText(), true)
	if !keep || l.table.list.focusRow >= n {
		l.table.list.resetFocus()
		l.table.list.ScrollToTop()
	}
	l.updateActions()
}

func (l *orderList) emptyText() string {
	switch {
	case l.err != nil:
		return sentence(i18n.Localize(l.u.lang, l.err))
	case l.view.Total == 0:
		return i18n.T(l.u.lang, "order.list.empty")
	}
	return i18n.T(l.u.lang, "order.list.empty_filter")
}

// current is the chosen row (the keyboard's row), or -1.
func (l *orderList) current() int {
	if len(l.view.Rows) == 0 {
		return -1
	}
	return min(l.table.list.focusRow, len(l.view.Rows)-1)
}

func (l *orderList) currentRow() *order.ListRow {
	if i := l.current(); i >= 0 {
		return &l.view.Rows[i]
	}
	return nil
}

// updateActions enables what may be done with the chosen row; what may
// not is disabled, with the reason app/order gives.
func (l *orderList) updateActions() {
	if l.open == nil {
		return
	}
	u := l.u
	row := l.currentRow()
	var reasons []string
	if row == nil {
		l.open.Disable()
		l.remove.Disable()
		l.cancel.Disable()
		l.why.SetText(i18n.T(u.lang, "order.list.none_chosen"))
		l.why.Show()
		return
	}
	if err := order.OpenBlocked(u.person, row); err != nil {
		l.open.Disable()
		reasons = append(reasons, u.tr("Openen: ", "Open: ")+i18n.Localize(u.lang, err))
	} else {
		l.open.Enable()
	}
	set := func(b *button, label string, blocked error) {
		if blocked != nil {
			b.Disable()
			reasons = append(reasons, label+i18n.Localize(u.lang, blocked))
			return
		}
		b.Enable()
	}
	if row.Record == nil {
		l.remove.Disable()
		l.cancel.Disable()
	} else {
		set(l.remove, u.tr("Concept verwijderen: ", "Delete draft: "), order.DeleteBlocked(u.person, row.Record))
		set(l.cancel, u.tr("Annuleren: ", "Cancel: "), order.CancelBlocked(u.person, row.Record))
	}
	if len(reasons) == 0 {
		l.why.SetText("")
		l.why.Hide()
		return
	}
	l.why.SetText(strings.Join(reasons, "\n"))
	l.why.Show()
}

// openRow continues a draft in its wizard or shows the order's
// confirmation page; a damaged order says why it cannot be shown.
func (l *orderList) openRow(row int) {
	u := l.u
	if row < 0 || row >= len(l.view.Rows) {
		return
	}
	r := l.view.Rows[row]
	if err := order.OpenBlocked(u.person, &r); err != nil {
		u.showError(err)
		return
	}
	// Read again: the list may be older than the record.
	rec, err := u.core.Orders.Get(context.Background(), r.ID)
	if err != nil {
		u.showError(err)
		l.refresh(true)
		return
	}
	if rec.State() == order.StateDraft {
		u.wizardFor(rec).show()
		return
	}
	u.showConfirmation(rec, nil)
}

// askDelete deletes the chosen draft after a confirmation.
func (l *orderList) askDelete() {
	u := l.u
	row := l.currentRow()
	if row == nil || row.Record == nil {
		return
	}
	id := row.ID
	u.showDialog(u.tr("Concept verwijderen", "Delete draft"), u.messageContent(i18n.T(u.lang, "order.list.delete_ask", id, row.Cell(order.ListColProduct, u.lang))),
		dialogButton{label: u.tr("Niet verwijderen", "Do not delete"), isCancel: true, isDefault: true},
		dialogButton{label: u.tr("Verwijderen", "Delete"), importance: widget.DangerImportance, action: func() {
			if err := u.core.Orders.DeleteDraft(context.Background(), id, u.person); err != nil {
				u.showError(err)
				l.refresh(true)
				return
			}
			l.refresh(true)
			u.inform(u.tr("Concept verwijderen", "Delete draft"), i18n.T(u.lang, "order.list.deleted", id))
		}})
}

// askCancel cancels the chosen order after a confirmation.
func (l *orderList) askCancel() {
	u := l.u
	row := l.currentRow()
	if row == nil || row.Record == nil {
		return
	}
	id := row.ID
	u.showDialog(u.tr("Bestelling annuleren", "Cancel order"), u.messageContent(i18n.T(u.lang, "order.list.cancel_ask", id, row.Cell(order.ListColProduct, u.lang))),
		dialogButton{label: u.tr("Niet annuleren", "Do not cancel"), isCancel: true, isDefault: true},
		dialogButton{label: u.tr("Annuleren", "Cancel"), importance: widget.DangerImportance, action: func() {
			if _, err := u.core.Orders.Cancel(context.Background(), id, u.person); err != nil {
				u.showError(err)
				l.refresh(true)
				return
			}
			l.refresh(true)
			u.inform(u.tr("Bestelling annuleren", "Cancel order"), i18n.T(u.lang, "order.list.cancelled", id))
		}})
}

// exportCSV saves exactly the rows on screen, in their order.
func (l *orderList) exportCSV() {
	u := l.u
	rows := l.view.Rows
	u.saveFile(saveRequest{
		title: u.tr("Exporteer lijst als .csv", "Export list as .csv"), name: i18n.T(u.lang, "order.list.csv_name"), filter: csvFilter(u.lang),
		write: func(w fileWriter) error {
			return u.core.ExportOrdersCSV(context.Background(), w, rows, inventory.CSVOptions{Lang: u.lang})
		},
		done: func(path string) {
			u.inform("CSV", i18n.N(u.lang, "order.list.csv_saved", len(rows), len(rows), baseName(path), dirName(path)))
		},
	})
}
