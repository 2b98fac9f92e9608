package screens

import (
	"context"
	"fmt"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
)

// overviewColumns are the columns of each kind's overview; the names
// column holds FQDNs for servers and e-mail for the others. The Start
// screen's expiring overview ("") holds every kind.
var overviewColumns = map[cert.Kind][]inventory.Column{
	cert.KindServer:   {inventory.ColCN, inventory.ColNames, inventory.ColOIN, inventory.ColProfile, inventory.ColNotAfter, inventory.ColStatus},
	cert.KindPersonal: {inventory.ColCN, inventory.ColNames, inventory.ColProfile, inventory.ColIssuer, inventory.ColNotAfter, inventory.ColStatus},
	cert.KindGroup:    {inventory.ColCN, inventory.ColNames, inventory.ColProfile, inventory.ColIssuer, inventory.ColNotAfter, inventory.ColStatus},
	cert.KindESeal:    {inventory.ColCN, inventory.ColOrg, inventory.ColOIN, inventory.ColIssuer, inventory.ColNotAfter, inventory.ColStatus},
	"":                {inventory.ColKind, inventory.ColCN, inventory.ColNames, inventory.ColProfile, inventory.ColNotAfter, inventory.ColStatus},
}

// columnShare is how the name columns share room (the names get most);
// columns not listed hold short values and take only what they need.
var columnShare = map[inventory.Column]float32{
	inventory.ColCN: 3, inventory.ColNames: 3, inventory.ColOrg: 2, inventory.ColIssuer: 1.5,
}

// Columns wider than this are cut (with a tooltip): one odd value must not
// squeeze the rest.
const (
	maxNameColumn  = 520
	maxShortColumn = 260
)

// newButtons are the seed's order buttons per overview.
var newButtons = map[cert.Kind][][2]string{
	cert.KindServer:   {{"Nieuw PKIO servercertificaat", "New PKIO server certificate"}, {"Nieuw certSIGN certificaat", "New certSIGN certificate"}},
	cert.KindPersonal: {{"Nieuw persoonlijk certificaat", "New personal certificate"}, {"Nieuw certificaat via Mobiel", "New certificate via mobile"}},
	cert.KindGroup:    {{"Nieuw groepscertificaat", "New group certificate"}},
	cert.KindESeal:    {{"Nieuw eSeal certificaat", "New eSeal certificate"}},
}

var statusFilters = []inventory.StatusFilter{inventory.FilterValid, inventory.FilterExpired, inventory.FilterRevoked, inventory.FilterAll}

// expiringKey names the Start screen's overview of expiring certificates.
const expiringKey = "expiring"

// overview is the one overview component the four certificate kinds and
// the Start screen's expiring certificates share. It lives for the
// session: coming back to it finds the filter, sort and scroll position as
// they were left; logging out forgets them.
type overview struct {
	u     *ui
	key   string
	kind  cert.Kind // "" for the expiring certificates
	cols  []inventory.Column
	query inventory.Query
	view  inventory.View
	// measured is the view the columns are measured on: the overview
	// without its text filter, so that columns keep their widths while the
	// user types (and typing stays fast); measuredFor says which.
	measured    inventory.View
	measuredFor string

	status  *keySelect // the status filter (kind overviews)
	period  *keySelect // 30/60/90 days (the expiring overview)
	filter  *keyEntry
	count   *widget.Label
	manage  *button
	hint    *widget.Label
	table   *certTable
	content fyne.CanvasObject
	// scroll is where the list was when the user left it.
	scroll float32
	// note heads the next import report (what imported CRL files did).
	note string
}

func (u *ui) kindTitle(k cert.Kind) string {
	switch k {
	case cert.KindServer:
		return u.tr("Servercertificaten", "Server certificates")
	case cert.KindPersonal:
		return u.tr("Persoonlijke certificaten", "Personal certificates")
	case cert.KindGroup:
		return u.tr("Groepscertificaten", "Group certificates")
	}
	return u.tr("eSeal certificaten", "eSeal certificates")
}

// showOverview opens a kind's overview from the menu.
func (u *ui) showOverview(kind cert.Kind) {
	u.open(u.overviewFor(string(kind)).place())
}

// openExpiring opens the overview of the valid certificates that expire
// within days (a tile on the Start screen).
func (u *ui) openExpiring(days int) {
	o := u.overviewFor(expiringKey)
	o.setPeriod(days)
	u.open(o.place())
}

// overviewFor returns the session's overview for a key, making it once.
func (u *ui) overviewFor(key string) *overview {
	if o, ok := u.overviews[key]; ok {
		return o
	}
	o := newOverview(u, key)
	u.overviews[key] = o
	return o
}

func (o *overview) place() place {
	return place{id: "overview:" + o.key, section: o.section(), title: o.title, show: o.arrive, leave: o.leave, find: o.focusFilter}
}

func (o *overview) section() section {
	if o.key == expiringKey {
		return sectionHome
	}
	return sectionOf(o.kind)
}

func (o *overview) title() string {
	if o.key == expiringKey {
		return i18n.T(o.u.lang, "window.expiring_title", o.query.ExpiringDays)
	}
	return o.u.kindTitle(o.kind)
}

// newOverview starts as the manual describes: Geldig, sorted on
// Verloopdatum, no text filter.
func newOverview(u *ui, key string) *overview {
	o := &overview{u: u, key: key}
	if key != expiringKey {
		o.kind = cert.Kind(key)
	}
	o.cols = overviewColumns[o.kind]
	o.query = inventory.Query{Kind: o.kind, Sort: inventory.ColNotAfter}

	var labels []string
	for _, f := range statusFilters {
		labels = append(labels, o.statusLabel(f))
	}
	o.status = u.newKeySelect(labels, func(string) {
		o.query.Status = statusFilters[max(0, o.status.SelectedIndex())]
		o.refresh(false)
	})
	var periods []string
	for _, d := range expiryPeriods {
		periods = append(periods, i18n.T(u.lang, "window.period", d))
	}
	o.period = u.newKeySelect(periods, func(string) {
		o.query.ExpiringDays = expiryPeriods[max(0, o.period.SelectedIndex())]
		o.refresh(false)
		if o.u.here.id == "overview:"+expiringKey {
			org, _ := o.u.core.Organisation(context.Background())
			o.u.setTitle(o.title() + " — " + org.Name)
		}
	})
	o.filter = u.newKeyEntry()
	o.filter.SetPlaceHolder(o.filterHint() + "   (Ctrl+F)")
	o.filter.OnChanged = func(s string) {
		o.query.Text = s
		o.refresh(false)
	}
	// From the filter field, Enter or ↓ goes to the rows.
	o.filter.OnSubmitted = func(string) { o.focusTable() }
	o.filter.onDown = o.focusTable
	o.count = widget.NewLabel("")
	o.hint = widget.NewLabel("")
	o.hint.TextStyle = fyne.TextStyle{Italic: true}
	o.hint.Wrapping = fyne.TextWrapWord

	pins, ok := u.columnPins[key]
	if !ok {
		pins = map[int]float32{}
		u.columnPins[key] = pins
	}
	t := u.newCertTable(len(o.cols), pins)
	t.rows = func() int { return len(o.view.Rows) }
	t.cell = o.cellText
	t.headerText = func(i int) string { return o.headerText(o.cols[i]) }
	t.need = o.need
	t.sort = func(i int) { o.sortBy(o.cols[i]) }
	t.open = func(row int) { o.openRow(row) }
	t.list.onFocus = chain(t.list.onFocus, o.updateManage)
	o.table = t

	o.status.SetSelectedIndex(0)
	o.period.SetSelectedIndex(0)
	o.query.ExpiringDays = 0
	if key == expiringKey {
		o.query.ExpiringDays = expiryPeriods[0]
	}
	o.content = o.build()
	o.refresh(false)
	return o
}

// chain runs two functions in turn.
func chain(a, b func()) func() {
	return func() {
		if a != nil {
			a()
		}
		if b != nil {
			b()
		}
	}
}

// setPeriod chooses the expiring overview's period (a Start tile).
func (o *overview) setPeriod(days int) {
	for i, d := range expiryPeriods {
		if d == days {
			o.period.SetSelectedIndex(i) // refreshes when it changes
		}
	}
	o.query.ExpiringDays = days
}

// arrive shows the overview as it was left, with what changed in the
// inventory meanwhile (an import, a removal).
func (o *overview) arrive() {
	o.refresh(true)
	o.u.shell(o.title(), o.section(), o.content)
	o.u.rev.after = func() { o.refresh(true) } // a revocation refresh can change statuses
	o.table.list.ScrollToOffset(o.scroll)
	o.focusTable()
}

// leave remembers where the list was scrolled to.
func (o *overview) leave() {
	o.scroll = o.table.list.GetScrollOffset()
}

func (o *overview) focusFilter() { o.u.win.Canvas().Focus(o.filter) }

func (o *overview) focusTable() {
	if len(o.view.Rows) > 0 {
		o.u.win.Canvas().Focus(o.table.list)
	}
}

func (o *overview) statusLabel(f inventory.StatusFilter) string {
	switch f {
	case inventory.FilterExpired:
		return i18n.T(o.u.lang, "status.expired")
	case inventory.FilterRevoked:
		return i18n.T(o.u.lang, "status.revoked")
	case inventory.FilterAll:
		return o.u.tr("Alle", "All")
	}
	return i18n.T(o.u.lang, "status.valid")
}

func (o *overview) filterHint() string {
	switch o.kind {
	case cert.KindServer:
		return o.u.tr("Zoek in FQDN", "Search in FQDN")
	case cert.KindESeal:
		return o.u.tr("Zoek in Common Name of organisatie", "Search in Common Name or organisation")
	case "":
		return o.u.tr("Zoek in Common Name, FQDN of e-mailadres", "Search in Common Name, FQDN or e-mail address")
	}
	return o.u.tr("Zoek in Common Name of e-mailadres", "Search in Common Name or e-mail address")
}

func (o *overview) columnLabel(col inventory.Column) string {
	switch {
	case col == inventory.ColNames && o.kind == cert.KindServer:
		return "FQDN"
	case col == inventory.ColNames && o.kind == "":
		return o.u.tr("FQDN / e-mailadres", "FQDN / e-mail address")
	case col == inventory.ColNames:
		return o.u.tr("E-mailadres", "E-mail address")
	}
	return i18n.T(o.u.lang, "col."+string(col))
}

func (o *overview) headerText(col inventory.Column) string {
	label := o.columnLabel(col)
	if col == o.query.Sort {
		if o.query.Desc {
			return label + " ▼"
		}
		return label + " ▲"
	}
	return label
}

// cellText is a cell as shown: printable, and "—" when empty.
func (o *overview) cellText(row, col int) string {
	if row >= len(o.view.Rows) {
		return ""
	}
	return o.display(o.view.Rows[row], col)
}

// display is a certificate's value in a column as shown.
func (o *overview) display(c *cert.Certificate, col int) string {
	if o.cols[col] == inventory.ColKind {
		// Short kind names: the column sits beside names that need the room.
		return i18n.T(o.u.lang, "window.kind_short."+string(c.Kind))
	}
	return orDash(cert.Printable(inventory.Cell(c, o.cols[col], o.view, o.u.lang)))
}

// need measures a column: its header (with room for the sort arrow) and
// its widest values. Status is measured on every status word, so that
// "Ingetrokken" always fits.
func (o *overview) need(i int) columnNeed {
	col := o.cols[i]
	pad := 2*theme.InnerPadding() + 2
	size := theme.TextSize()
	n := columnNeed{
		min:   fyne.MeasureText(o.columnLabel(col)+" ▲", size, fyne.TextStyle{Bold: true}).Width + pad,
		share: columnShare[col],
		give:  col == inventory.ColOIN || col == inventory.ColKind,
	}
	limit := float32(maxShortColumn)
	if n.share > 0 {
		limit = maxNameColumn
	}
	if n.share > 0 {
		n.prefix, n.suffix = o.alike(i)
	}
	if col != inventory.ColStatus && col != inventory.ColNotAfter && o.uniform(i) {
		// The same value on every row tells rows apart no better than the
		// header does: it gives its room to the names.
		if n.share > 0 {
			n.share = 0.5
		} else if col != inventory.ColStatus && col != inventory.ColNotAfter {
			n.give = true
		}
	}
	var candidates []string
	switch col {
	case inventory.ColStatus:
		for _, s := range []cert.Status{cert.StatusValid, cert.StatusExpired, cert.StatusRevoked} {
			candidates = append(candidates, i18n.T(o.u.lang, "status."+string(s)))
		}
	case inventory.ColNotAfter:
		candidates = []string{"2006-12-31"} // every date is as wide
	default:
		candidates = o.longest(i, 4)
	}
	for _, s := range candidates {
		n.want = max(n.want, min(limit, fyne.MeasureText(s, size, fyne.TextStyle{}).Width+pad))
	}
	return n
}

// uniform reports whether a column holds one value on every row (of
// several).
func (o *overview) uniform(col int) bool {
	rows := o.measured.Rows
	if len(rows) < 2 {
		return false
	}
	c := o.cols[col]
	first := inventory.Cell(rows[0], c, o.measured, o.u.lang)
	for row := 1; row < len(rows) && row < scanLimit; row++ {
		if inventory.Cell(rows[row], c, o.measured, o.u.lang) != first {
			return false
		}
	}
	return true
}

// alike counts the characters every value of a column shares at its start
// and at its end. It compares bytes (no copies: it runs on every keystroke
// in the filter) and counts characters at the end.
func (o *overview) alike(col int) (prefix, suffix int) {
	rows := o.measured.Rows
	if len(rows) < 2 {
		return 0, 0
	}
	c := o.cols[col]
	first := inventory.Cell(rows[0], c, o.measured, o.u.lang)
	p, s := len(first), len(first)
	for row := 1; row < len(rows) && row < scanLimit && (p > 0 || s > 0); row++ {
		v := inventory.Cell(rows[row], c, o.measured, o.u.lang)
		i := 0
		for i < p && i < len(v) && v[i] == first[i] {
			i++
		}
		j := 0
		for j < s && j < len(v) && v[len(v)-1-j] == first[len(first)-1-j] {
			j++
		}
		p, s = i, j
	}
	// Whole characters only.
	for p > 0 && p < len(first) && !utf8.RuneStart(first[p]) {
		p--
	}
	for s > 0 && s < len(first) && !utf8.RuneStart(first[len(first)-s]) {
		s--
	}
	return utf8.RuneCountInString(first[:p]), utf8.RuneCountInString(first[len(first)-s:])
}

// scanLimit bounds how many rows a column's width is measured on; the
// widest value among the first 20,000 is wide enough.
const scanLimit = 20000

// longest returns the k longest texts of a column as shown. Rows are
// compared on their raw length; only the longest are made printable and
// measured, which is the slow part.
func (o *overview) longest(col, k int) []string {
	best := make([]int, 0, k+1)
	size := make([]int, 0, k+1)
	c := o.cols[col]
	for row := 0; row < len(o.measured.Rows) && row < scanLimit; row++ {
		n := len(inventory.Cell(o.measured.Rows[row], c, o.measured, o.u.lang))
		if len(best) == k && n <= size[k-1] {
			continue
		}
		at := len(best)
		for at > 0 && size[at-1] < n {
			at--
		}
		best = append(best[:at], append([]int{row}, best[at:]...)...)
		size = append(size[:at], append([]int{n}, size[at:]...)...)
		if len(best) > k {
			best, size = best[:k], size[:k]
		}
	}
	out := make([]string, len(best))
	for i, row := range best {
		out[i] = o.display(o.measured.Rows[row], col)
	}
	return out
}

// sortBy sorts on a column; clicking the sorted column again reverses it.
func (o *overview) sortBy(col inventory.Column) {
	if o.query.Sort == col {
		o.query.Desc = !o.query.Desc
	} else {
		o.query.Sort, o.query.Desc = col, false
	}
	o.refresh(false)
}

// refresh queries the inventory again. keep holds the scroll position and
// the keyboard's row (coming back); otherwise the list starts at the top.
func (o *overview) refresh(keep bool) {
	o.view = o.u.core.Inventory.Query(o.query)
	n := len(o.view.Rows)
	o.count.SetText(i18n.N(o.u.lang, "window.count", n, n))
	// Measure again when the rows to measure changed: another status or
	// period, an import, a removal; not for the text filter.
	for_ := fmt.Sprint(o.query.Status, "|", o.query.ExpiringDays, "|", o.u.core.Inventory.Len())
	remeasure := for_ != o.measuredFor
	if remeasure {
		all := o.query
		all.Text = ""
		o.measured, o.measuredFor = o.u.core.Inventory.Query(all), for_
	}
	o.table.refresh(o.emptyText(), remeasure)
	l := o.table.list
	if !keep || l.focusRow >= n {
		l.resetFocus()
		l.ScrollToTop()
	}
	o.updateManage()
}

// emptyText says why the table is empty.
func (o *overview) emptyText() string {
	switch {
	case o.query.Text != "" || o.query.Status != inventory.FilterValid:
		return i18n.T(o.u.lang, "window.empty_filter")
	case o.kind == "":
		return i18n.T(o.u.lang, "expiring.none", o.query.ExpiringDays)
	}
	return i18n.T(o.u.lang, "window.empty_kind", lowerFirst(o.u.kindTitle(o.kind)))
}

// current is the row Beheren opens: the row the keyboard is on (the first
// row until the user moves), or -1 when the table is empty.
func (o *overview) current() int {
	if len(o.view.Rows) == 0 {
		return -1
	}
	return min(o.table.list.focusRow, len(o.view.Rows)-1)
}

// updateManage enables Beheren when there is a row to open, and names it;
// disabled, it says why.
func (o *overview) updateManage() {
	if o.manage == nil {
		return
	}
	row := o.current()
	if row < 0 {
		o.manage.Disable()
		o.hint.SetText(i18n.T(o.u.lang, "window.manage_none"))
		o.hint.Show()
		return
	}
	o.manage.Enable()
	o.hint.SetText("")
	o.hint.Hide()
}

func (o *overview) openRow(row int) {
	if row < 0 || row >= len(o.view.Rows) {
		return
	}
	o.u.openDetail(*o.view.Rows[row])
}

// exportCSV saves exactly the rows on screen, in their order.
func (o *overview) exportCSV() {
	name := i18n.T(o.u.lang, "window.csv_name."+o.key)
	if o.key == expiringKey {
		name = i18n.T(o.u.lang, "window.csv_name.expiring", o.query.ExpiringDays)
	}
	view := o.view
	o.u.saveFile(saveRequest{
		title: o.u.tr("Exporteer lijst als .csv", "Export list as .csv"), name: name, filter: csvFilter(o.u.lang),
		write: func(w fileWriter) error {
			return o.u.core.ExportCSV(context.Background(), w, view, inventory.CSVOptions{Lang: o.u.lang})
		},
		done: func(path string) {
			o.u.inform("CSV", i18n.N(o.u.lang, "window.csv_saved", len(view.Rows), len(view.Rows), baseName(path), dirName(path)))
		},
	})
}

func (o *overview) build() fyne.CanvasObject {
	u := o.u
	o.manage = u.newButton(u.tr("Beheren", "Manage"), func() { o.openRow(o.current()) })
	export := u.newButton(u.tr("Exporteer lijst als .csv", "Export list as .csv"), o.exportCSV)
	importButton := u.newButton(u.tr("Importeren…", "Import…"), o.chooseImport)
	actions := container.NewHBox(export, o.manage, importButton)
	var notes []fyne.CanvasObject
	if o.kind != "" {
		notes = append(notes, u.orderButtons(o.kind, actions))
	}
	notes = append(notes, o.hint)
	title := widget.NewLabelWithStyle(o.title(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	o.period.OnChanged = chain1(o.period.OnChanged, func(string) { title.SetText(o.title()) })
	var choice fyne.CanvasObject = container.NewHBox(widget.NewLabel(u.tr("Status", "Status")), o.status)
	if o.kind == "" {
		choice = container.NewHBox(widget.NewLabel(u.tr("Verloopt binnen", "Expires within")), o.period)
	}
	filters := container.NewBorder(nil, nil, choice, o.count, o.filter)
	top := container.NewVBox(title, filters, actions, container.NewVBox(notes...))
	return container.NewBorder(top, nil, nil, nil, o.table.root)
}

// chain1 runs two change handlers in turn.
func chain1(a, b func(string)) func(string) {
	return func(s string) {
		if a != nil {
			a(s)
		}
		b(s)
	}
}

// lowerFirst puts a title inside a sentence ("Servercertificaten" →
// "servercertificaten"; "eSeal certificaten" stays).
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// orDash shows an empty value as "—", so that a reader sees it is empty
// rather than missing.
func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
