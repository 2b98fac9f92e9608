package screens

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
)

// overviewColumns are the columns of each kind's overview; the names
// column holds FQDNs for servers and e-mail for the others.
var overviewColumns = map[cert.Kind][]inventory.Column{
	cert.KindServer:   {inventory.ColCN, inventory.ColNames, inventory.ColOIN, inventory.ColProfile, inventory.ColNotAfter, inventory.ColStatus},
	cert.KindPersonal: {inventory.ColCN, inventory.ColNames, inventory.ColOrg, inventory.ColIssuer, inventory.ColNotAfter, inventory.ColStatus},
	cert.KindGroup:    {inventory.ColCN, inventory.ColNames, inventory.ColOrg, inventory.ColIssuer, inventory.ColNotAfter, inventory.ColStatus},
	cert.KindESeal:    {inventory.ColCN, inventory.ColOrg, inventory.ColOIN, inventory.ColIssuer, inventory.ColNotAfter, inventory.ColStatus},
}

var columnWidths = map[inventory.Column]float32{
	inventory.ColCN: 200, inventory.ColNames: 195, inventory.ColOIN: 178, inventory.ColOrg: 175,
	inventory.ColIssuer: 160, inventory.ColProfile: 160, inventory.ColNotAfter: 122, inventory.ColStatus: 95,
}

// newButtons are the seed's order buttons per overview.
var newButtons = map[cert.Kind][][2]string{
	cert.KindServer:   {{"Nieuw PKIO servercertificaat", "New PKIO server certificate"}, {"Nieuw certSIGN certificaat", "New certSIGN certificate"}},
	cert.KindPersonal: {{"Nieuw persoonlijk certificaat", "New personal certificate"}, {"Nieuw certificaat via Mobiel", "New certificate via mobile"}},
	cert.KindGroup:    {{"Nieuw groepscertificaat", "New group certificate"}},
	cert.KindESeal:    {{"Nieuw eSeal certificaat", "New eSeal certificate"}},
}

var statusFilters = []inventory.StatusFilter{inventory.FilterValid, inventory.FilterExpired, inventory.FilterRevoked, inventory.FilterAll}

// overview is the one overview component the four certificate kinds share.
type overview struct {
	u       *ui
	kind    cert.Kind
	cols    []inventory.Column
	query   inventory.Query
	view    inventory.View
	status  *widget.Select
	filter  *widget.Entry
	table   *widget.Table
	count   *widget.Label
	current int // selected row, -1 for none
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

func (u *ui) showOverview(kind cert.Kind) {
	o := newOverview(u, kind)
	u.shell(u.kindTitle(kind), o.build())
	u.rev.after = o.refresh // a revocation refresh can change statuses
}

func newOverview(u *ui, kind cert.Kind) *overview {
	o := &overview{u: u, kind: kind, cols: overviewColumns[kind], current: -1}
	d := u.draft("overview-" + string(kind))
	o.query = inventory.Query{Kind: kind, Sort: inventory.ColNotAfter}
	if col, desc, err := inventory.ParseSort(d["sort"]); err == nil && d["sort"] != "" {
		o.query.Sort, o.query.Desc = col, desc
	}
	o.query.Status, _ = inventory.ParseStatusFilter(d["status"])
	o.query.Text = d["filter"]

	var labels []string
	for _, f := range statusFilters {
		labels = append(labels, o.statusLabel(f))
	}
	o.status = widget.NewSelect(labels, func(string) {
		o.query.Status = statusFilters[o.status.SelectedIndex()]
		d["status"] = string(o.query.Status)
		o.refresh()
	})
	o.filter = widget.NewEntry()
	o.filter.SetPlaceHolder(o.filterHint())
	o.filter.SetText(o.query.Text)
	o.filter.OnChanged = func(s string) {
		o.query.Text, d["filter"] = s, s
		o.refresh()
	}
	o.count = widget.NewLabel("")
	o.table = widget.NewTable(
		func() (int, int) { return len(o.view.Rows), len(o.cols) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, c fyne.CanvasObject) {
			if id.Row < len(o.view.Rows) {
				c.(*widget.Label).SetText(cert.Printable(inventory.Cell(o.view.Rows[id.Row], o.cols[id.Col], o.view, u.lang)))
			}
		})
	o.table.ShowHeaderRow = true
	o.table.CreateHeader = func() fyne.CanvasObject { return widget.NewButton("", nil) }
	o.table.UpdateHeader = func(id widget.TableCellID, c fyne.CanvasObject) {
		b := c.(*widget.Button)
		if id.Col < 0 || id.Col >= len(o.cols) {
			b.SetText("")
			return
		}
		col := o.cols[id.Col]
		b.SetText(o.headerText(col))
		b.OnTapped = func() { o.sortBy(col) }
	}
	for i, c := range o.cols {
		o.table.SetColumnWidth(i, columnWidths[c])
	}
	o.table.OnSelected = func(id widget.TableCellID) { o.current = id.Row; o.openDetail() }
	o.status.SetSelectedIndex(statusIndex(o.query.Status))
	o.refresh()
	return o
}

func statusIndex(f inventory.StatusFilter) int {
	for i, s := range statusFilters {
		if s == f {
			return i
		}
	}
	return 0
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
	}
	return o.u.tr("Zoek in Common Name of e-mailadres", "Search in Common Name or e-mail address")
}

func (o *overview) headerText(col inventory.Column) string {
	label := i18n.T(o.u.lang, "col."+string(col))
	if col == inventory.ColNames && o.kind == cert.KindServer {
		label = "FQDN"
	} else if col == inventory.ColNames {
		label = o.u.tr("E-mailadres", "E-mail address")
	}
	if col == o.query.Sort {
		if o.query.Desc {
			return label + " ▼"
		}
		return label + " ▲"
	}
	return label
}

// sortBy sorts on a column; clicking the sorted column again reverses it.
func (o *overview) sortBy(col inventory.Column) {
	if o.query.Sort == col {
		o.query.Desc = !o.query.Desc
	} else {
		o.query.Sort, o.query.Desc = col, false
	}
	dir := ""
	if o.query.Desc {
		dir = ":desc"
	}
	o.u.draft("overview-" + string(o.kind))["sort"] = string(col) + dir
	o.refresh()
}

func (o *overview) refresh() {
	o.view = o.u.core.Inventory.Query(o.query)
	o.current = -1
	o.table.UnselectAll()
	o.table.Refresh()
	o.count.SetText(i18n.T(o.u.lang, "list.count", len(o.view.Rows)))
}

func (o *overview) openDetail() {
	if o.current < 0 || o.current >= len(o.view.Rows) {
		return
	}
	o.u.showDetail(*o.view.Rows[o.current])
}

// exportCSV saves exactly the rows on screen, in their order.
func (o *overview) exportCSV() {
	save := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		defer w.Close()
		if err := o.u.core.ExportCSV(context.Background(), w, o.view, inventory.CSVOptions{Lang: o.u.lang}); err != nil {
			dialog.ShowError(fmt.Errorf("%s", i18n.Localize(o.u.lang, err)), o.u.win)
			return
		}
		dialog.ShowInformation("CSV", i18n.T(o.u.lang, "list.csv_saved", len(o.view.Rows), w.URI().Name()), o.u.win)
	}, o.u.win)
	save.SetFileName(string(o.kind) + "-certificaten.csv")
	save.SetFilter(storage.NewExtensionFileFilter([]string{".csv"}))
	save.Show()
}

func (o *overview) build() fyne.CanvasObject {
	u := o.u
	manage := widget.NewButton(u.tr("Beheren", "Manage"), o.openDetail)
	export := widget.NewButton(u.tr("Exporteer lijst als .csv", "Export list as .csv"), o.exportCSV)
	importButton := widget.NewButton(u.tr("Importeren…", "Import…"), o.chooseImport)
	actions := container.NewHBox(export, manage, importButton)
	for _, b := range newButtons[o.kind] {
		nb := widget.NewButton(u.tr(b[0], b[1]), nil)
		nb.Disable()
		actions.Add(nb)
	}
	why := widget.NewLabel(u.tr("Nieuwe bestellingen zijn in deze versie nog niet beschikbaar.", "New orders are not available in this version yet."))
	why.TextStyle = fyne.TextStyle{Italic: true}
	title := widget.NewLabelWithStyle(u.kindTitle(o.kind), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	filters := container.NewBorder(nil, nil,
		container.NewHBox(widget.NewLabel(u.tr("Status", "Status")), o.status), o.count, o.filter)
	top := container.NewVBox(title, filters, actions, why)
	return container.NewBorder(top, nil, nil, nil, o.table)
}
