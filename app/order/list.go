package order

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/org"
	"pkiodesk/app/store"
)

// The Bestellingen list: every stored order as a row, a damaged one too
// (status "beschadigd", with the reason), filtered by status and text and
// sorted on any column. The window and the CSV export show the same cells.

// ListColumn is a column of the list.
type ListColumn string

const (
	ListColNumber    ListColumn = "number"
	ListColKind      ListColumn = "kind"
	ListColProduct   ListColumn = "product"
	ListColName      ListColumn = "name"
	ListColState     ListColumn = "state"
	ListColRequester ListColumn = "requester"
	ListColDate      ListColumn = "date"
)

// ListColumns are the list's columns in the order shown.
var ListColumns = []ListColumn{ListColNumber, ListColKind, ListColProduct, ListColName, ListColState, ListColRequester, ListColDate}

// StateDamaged is what the list shows for an order that failed its
// integrity check. It is no state of the state machine (Valid is false):
// nothing can happen to such an order.
const StateDamaged State = "damaged"

// ListFilter chooses rows by status: one of the states, StateDamaged, or
// ListOpen / ListAll.
type ListFilter string

const (
	// ListOpen: what still waits for someone (concept, geplaatst,
	// ingediend), and every damaged order.
	ListOpen ListFilter = "open"
	ListAll  ListFilter = "all"
)

// ListFilters are the status filter's choices, the default first.
var ListFilters = []ListFilter{ListOpen, ListAll, ListFilter(StateDraft), ListFilter(StatePlaced), ListFilter(StateSubmitted),
	ListFilter(StateIssued), ListFilter(StateRejected), ListFilter(StateCancelled), ListFilter(StateDamaged)}

// ListQuery selects and orders the rows. The zero value is the default:
// open orders, newest first.
type ListQuery struct {
	Filter ListFilter // "" is ListOpen
	Text   string
	Sort   ListColumn // "" is ListColDate, newest first
	Desc   bool
}

// ListRow is one stored order: a record, or (Damaged set) the number it is
// stored under and why it cannot be read.
type ListRow struct {
	ID      string
	Record  *Record
	Damaged error
}

// State is the row's status; StateDamaged for a damaged record.
func (r *ListRow) State() State {
	if r.Record == nil {
		return StateDamaged
	}
	return r.Record.Life.State
}

// Date is when the order was placed, or made while it was not.
func (r *ListRow) Date() time.Time {
	if r.Record == nil {
		return time.Time{}
	}
	if o := &r.Record.Order; !o.PlacedAt.IsZero() {
		return o.PlacedAt
	}
	return r.Record.Order.Created
}

// Cell is a column's text for the row in language l, as the window shows it
// (printable; the reason in the name column of a damaged row). The CSV
// (WriteListCSV) has the product's full name and the time as well.
func (r *ListRow) Cell(col ListColumn, l i18n.Lang) string {
	if r.Record == nil {
		switch col {
		case ListColNumber:
			return cert.Printable(r.ID)
		case ListColState:
			return i18n.T(l, "order.state."+string(StateDamaged))
		case ListColName:
			return cert.PrintableMax(i18n.Localize(l, r.Damaged), 500)
		}
		return ""
	}
	o := &r.Record.Order
	switch col {
	case ListColNumber:
		return cert.Printable(o.ID)
	case ListColKind:
		return i18n.T(l, "order.kind."+string(o.Kind))
	case ListColProduct:
		return i18n.T(l, "order.list.product."+string(o.Product))
	case ListColName:
		return cert.Printable(Subject(o))
	case ListColState:
		return i18n.T(l, "order.state."+string(r.Record.Life.State))
	case ListColRequester:
		return cert.Printable(o.Requester.Name)
	case ListColDate:
		return r.Date().Local().Format("2006-01-02")
	}
	return ""
}

// matches reports whether the row's status passes the filter.
func (f ListFilter) matches(st State) bool {
	switch f {
	case "", ListOpen:
		return st == StateDraft || st == StatePlaced || st == StateSubmitted || st == StateDamaged
	case ListAll:
		return true
	}
	return State(f) == st
}

// ListView is the rows a query selects, and how many damaged records the
// store holds (shown whatever the filter, so that none goes unnoticed).
type ListView struct {
	Rows    []ListRow
	Damaged int
	Total   int
}

// ListOrders reads every order and selects and sorts the rows as q asks;
// the text filter matches the cells as shown in language l.
func (s *Service) ListOrders(ctx context.Context, q ListQuery, l i18n.Lang) (ListView, error) {
	records, damaged, err := s.List(ctx)
	if err != nil {
		return ListView{}, err
	}
	all := make([]ListRow, 0, len(records)+len(damaged))
	for i := range records {
		all = append(all, ListRow{ID: records[i].Order.ID, Record: &records[i]})
	}
	for _, d := range damaged {
		row := ListRow{Damaged: d}
		var named *store.DamagedOrder
		if errors.As(d, &named) {
			row.ID = named.ID
		}
		all = append(all, row)
	}
	v := ListView{Damaged: len(damaged), Total: len(all)}
	text := strings.ToLower(strings.TrimSpace(q.Text))
	for i := range all {
		if !q.Filter.matches(all[i].State()) || (text != "" && !all[i].contains(text, l)) {
			continue
		}
		v.Rows = append(v.Rows, all[i])
	}
	sortRows(v.Rows, q, l)
	return v, nil
}

// contains: the text (lower case) is in one of the row's cells.
func (r *ListRow) contains(text string, l i18n.Lang) bool {
	for _, c := range ListColumns {
		if strings.Contains(strings.ToLower(r.Cell(c, l)), text) {
			return true
		}
	}
	return false
}

// sortRows sorts on the query's column; equal rows newest first, then by
// number, so that the order never changes between two refreshes.
func sortRows(rows []ListRow, q ListQuery, l i18n.Lang) {
	col, desc := q.Sort, q.Desc
	if col == "" {
		col, desc = ListColDate, true
	}
	slices.SortStableFunc(rows, func(a, b ListRow) int {
		c := 0
		if col == ListColDate {
			c = a.Date().Compare(b.Date())
		} else {
			c = strings.Compare(strings.ToLower(a.Cell(col, l)), strings.ToLower(b.Cell(col, l)))
		}
		if desc {
			c = -c
		}
		if c == 0 {
			c = b.Date().Compare(a.Date())
		}
		if c == 0 {
			c = strings.Compare(a.ID, b.ID)
		}
		return c
	})
}

// WriteListCSV writes exactly the rows given, in their order, with the
// overviews' CSV safety (inventory.TableWriter: no cell becomes a formula).
func WriteListCSV(w io.Writer, rows []ListRow, opt inventory.CSVOptions) error {
	header := make([]string, len(ListColumns))
	for i, c := range ListColumns {
		header[i] = i18n.T(opt.Lang, "order.list.col."+string(c))
	}
	tw, err := inventory.NewTableWriter(w, opt, header)
	if err != nil {
		return err
	}
	cells := make([]string, len(ListColumns))
	for i := range rows {
		for j, c := range ListColumns {
			cells[j] = rows[i].Cell(c, opt.Lang)
		}
		if r := rows[i].Record; r != nil {
			// The file has room for the product's full name, and keeps the
			// time: two orders of one day apart.
			cells[slices.Index(ListColumns, ListColProduct)] = i18n.T(opt.Lang, "order.product."+string(r.Order.Product))
			cells[slices.Index(ListColumns, ListColDate)] = rows[i].Date().Local().Format("2006-01-02 15:04")
		}
		if err := tw.Row(cells); err != nil {
			return err
		}
	}
	return tw.Close()
}

// OpenBlocked says why who cannot open r from the list: a damaged record
// is not shown as if intact; a draft is continued only by its requester.
func OpenBlocked(who org.Person, r *ListRow) error {
	if r.Record == nil {
		return r.Damaged
	}
	if r.Record.Life.State == StateDraft && r.Record.Order.Requester.ID != who.ID {
		return i18n.E("order.draft_not_yours", nil, cert.Printable(r.ID), cert.Printable(r.Record.Order.Requester.Name))
	}
	return nil
}

// DeleteBlocked says why who cannot delete r: only a draft is deleted
// (a placed order is signed and stays), and only by its requester.
func DeleteBlocked(who org.Person, r *Record) error {
	if r.Life.State != StateDraft {
		return i18n.E("order.delete_not_draft", nil, stateWord(r.Life.State))
	}
	if r.Order.Requester.ID != who.ID {
		return i18n.E("order.not_yours", nil, cert.Printable(r.Order.ID))
	}
	return nil
}

// CancelBlocked says why who cannot cancel r (Cancel refuses the same):
// only the requester withdraws an order, and only before it went to the CA.
func CancelBlocked(who org.Person, r *Record) error {
	switch {
	case !CanMove(r.Life.State, StateCancelled):
		var why error
		if r.Life.State == StateSubmitted {
			why = i18n.E("order.cancel_submitted", nil)
		}
		return i18n.E("order.transition", why, cert.Printable(r.Order.ID), stateWord(r.Life.State), stateWord(StateCancelled))
	case r.Order.Requester.ID != who.ID:
		return i18n.E("order.not_yours", nil, cert.Printable(r.Order.ID))
	}
	return nil
}

// DeleteDraft removes a draft for good ("Concept verwijderen"). The store
// refuses to delete a placed order whatever is asked.
func (s *Service) DeleteDraft(ctx context.Context, id string, who org.Person) error {
	r, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := DeleteBlocked(who, &r); err != nil {
		return err
	}
	return s.store.DeleteOrder(ctx, id)
}
