package order

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/store"
)

// The Bestellingen list: drafts and placed orders after a restart, the
// status and text filters, sorting, and a damaged record as a row of its
// own with the reason (never hidden, never failing the list).
func TestListOrdersFiltersSortsAndShowsDamaged(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	card := newCard(t, d.bv)
	draft := serverDraft(t, d, d.bv)
	d.clock.Add(time.Minute)
	group, err := d.NewDraft(ctx, ProductGroup, d.cpAll)
	if err != nil {
		t.Fatal(err)
	}
	g := group.Order
	g.Group.GroupName = "=HYPERLINK(\"http://x\")"
	if _, err := d.SaveDraft(ctx, g, 2, d.cpAll); err != nil {
		t.Fatal(err)
	}
	d.clock.Add(time.Minute)
	placed := serverDraft(t, d, d.bv)
	if _, err := d.Place(ctx, placed.Order.ID, d.bv, card.signing()); err != nil {
		t.Fatal(err)
	}
	d.clock.Add(time.Minute)
	gone := serverDraft(t, d, d.bv)
	if _, err := d.Cancel(ctx, gone.Order.ID, d.bv); err != nil {
		t.Fatal(err)
	}
	d.restart(t)

	v, err := d.ListOrders(ctx, ListQuery{}, i18n.NL)
	if err != nil {
		t.Fatal(err)
	}
	// Open orders, newest first: the placed one, the group draft, the draft.
	ids := func(v ListView) []string {
		var out []string
		for _, r := range v.Rows {
			out = append(out, r.ID)
		}
		return out
	}
	if got, want := strings.Join(ids(v), " "), strings.Join([]string{placed.Order.ID, group.Order.ID, draft.Order.ID}, " "); got != want {
		t.Errorf("open orders %s, want %s", got, want)
	}
	if v.Total != 4 || v.Damaged != 0 {
		t.Errorf("total %d, damaged %d", v.Total, v.Damaged)
	}
	row := v.Rows[0]
	for col, want := range map[ListColumn]string{ListColNumber: placed.Order.ID, ListColKind: "nieuw", ListColState: "geplaatst",
		ListColName: "Zaaksysteem (" + testFQDNs[0] + ")", ListColRequester: d.bv.Name, ListColProduct: "PKIo PRIVATE"} {
		if got := row.Cell(col, i18n.NL); got != want {
			t.Errorf("%s: %q, want %q", col, got, want)
		}
	}
	if got := row.Cell(ListColState, i18n.EN); got != "placed" {
		t.Errorf("English state %q", got)
	}

	if v, _ := d.ListOrders(ctx, ListQuery{Filter: ListFilter(StateCancelled)}, i18n.NL); len(v.Rows) != 1 || v.Rows[0].ID != gone.Order.ID {
		t.Errorf("cancelled: %v", ids(v))
	}
	if v, _ := d.ListOrders(ctx, ListQuery{Filter: ListAll, Text: "daan"}, i18n.NL); len(v.Rows) != 1 || v.Rows[0].ID != group.Order.ID {
		t.Errorf("text filter on the requester: %v", ids(v))
	}
	if v, _ := d.ListOrders(ctx, ListQuery{Filter: ListAll, Text: "CONCEPT"}, i18n.NL); len(v.Rows) != 2 {
		t.Errorf("text filter on the state: %v", ids(v))
	}
	if v, _ := d.ListOrders(ctx, ListQuery{Filter: ListAll, Sort: ListColDate}, i18n.NL); v.Rows[0].ID != draft.Order.ID {
		t.Errorf("oldest first: %v", ids(v))
	}
	if v, _ := d.ListOrders(ctx, ListQuery{Filter: ListAll, Sort: ListColRequester, Desc: true}, i18n.NL); v.Rows[0].ID != group.Order.ID {
		t.Errorf("requester Z-A: %v", ids(v))
	}

	// The CSV holds the rows shown, and no cell is a formula.
	var buf bytes.Buffer
	all, _ := d.ListOrders(ctx, ListQuery{Filter: ListAll}, i18n.NL)
	if err := WriteListCSV(&buf, all.Rows, inventory.CSVOptions{Lang: i18n.NL}); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF")))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil || len(recs) != 5 || recs[0][0] != "Nummer" || recs[0][3] != "Naam van de service / houder" {
		t.Fatalf("CSV: %v %v", recs, err)
	}
	found := false
	for _, rec := range recs[1:] {
		if rec[0] == group.Order.ID {
			found = true
			if rec[3] != "'=HYPERLINK(\"http://x\")" {
				t.Errorf("formula not neutralised: %q", rec[3])
			}
		}
	}
	if !found {
		t.Error("group draft missing from the CSV")
	}

	// A placed order rewritten in the file: a row "beschadigd" with the
	// reason, in the default filter and under its own; the rest stay.
	rewriteStored(t, d, placed.Order.ID, func(rec *store.OrderRecord) {
		rec.Content = bytes.Replace(rec.Content, []byte("Zaaksysteem"), []byte("GEWIJZIGD"), 1)
	})
	v, err = d.ListOrders(ctx, ListQuery{}, i18n.NL)
	if err != nil || v.Damaged != 1 || len(v.Rows) != 3 {
		t.Fatalf("after damage: %v, %d damaged, %v", err, v.Damaged, ids(v))
	}
	var bad *ListRow
	for i := range v.Rows {
		if v.Rows[i].ID == placed.Order.ID {
			bad = &v.Rows[i]
		}
	}
	if bad == nil || bad.State() != StateDamaged || bad.Cell(ListColState, i18n.NL) != "beschadigd" ||
		!strings.Contains(bad.Cell(ListColName, i18n.NL), "bestelling "+placed.Order.ID+" is beschadigd") {
		t.Fatalf("damaged row: %+v", bad)
	}
	if err := OpenBlocked(d.bv, bad); err == nil {
		t.Error("a damaged order opens")
	}
	if v, _ := d.ListOrders(ctx, ListQuery{Filter: ListFilter(StateDamaged)}, i18n.NL); len(v.Rows) != 1 {
		t.Errorf("damaged filter: %v", ids(v))
	}
	if v, _ := d.ListOrders(ctx, ListQuery{Filter: ListFilter(StateDraft)}, i18n.NL); len(v.Rows) != 2 || v.Damaged != 1 {
		t.Errorf("draft filter still counts the damaged one: %v, %d", ids(v), v.Damaged)
	}
}

// Deleting and cancelling from the list: a draft is deleted only by its
// requester, a placed order is cancelled only before it was submitted,
// and each refusal names its reason; the store keeps a placed order.
func TestDeleteDraftAndCancelBlocked(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	card := newCard(t, d.bv)
	draft := serverDraft(t, d, d.bv)
	if err := DeleteBlocked(d.cpAll, &draft); !i18n.Is(err, "order.not_yours") {
		t.Errorf("someone else's draft: %v", err)
	}
	if err := d.DeleteDraft(ctx, draft.Order.ID, d.cpAll); !i18n.Is(err, "order.not_yours") {
		t.Errorf("DeleteDraft by someone else: %v", err)
	}
	if err := d.DeleteDraft(ctx, draft.Order.ID, d.bv); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Get(ctx, draft.Order.ID); !i18n.Is(err, "order.not_found") {
		t.Errorf("deleted draft still there: %v", err)
	}

	placed := serverDraft(t, d, d.bv)
	rec, err := d.Place(ctx, placed.Order.ID, d.bv, card.signing())
	if err != nil {
		t.Fatal(err)
	}
	if err := DeleteBlocked(d.bv, &rec); !i18n.Is(err, "order.delete_not_draft") || !strings.Contains(i18n.Localize(i18n.NL, err), "geplaatst") {
		t.Errorf("delete placed: %v", err)
	}
	if err := d.DeleteDraft(ctx, rec.Order.ID, d.bv); !i18n.Is(err, "order.delete_not_draft") {
		t.Errorf("DeleteDraft of a placed order: %v", err)
	}
	if err := CancelBlocked(d.cpAll, &rec); !i18n.Is(err, "order.not_yours") {
		t.Errorf("cancel someone else's: %v", err)
	}
	if err := CancelBlocked(d.bv, &rec); err != nil {
		t.Errorf("cancel own placed order: %v", err)
	}
	sub, err := d.Submit(ctx, rec.Order.ID, d.bv, Outbox{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	err = CancelBlocked(d.bv, &sub)
	if !i18n.Is(err, "order.transition") || !strings.Contains(i18n.Localize(i18n.NL, err), "al bij de CA ingediend") {
		t.Errorf("cancel submitted: %v", err)
	}
	if _, err := d.Cancel(ctx, sub.Order.ID, d.bv); !i18n.Is(err, "order.transition") {
		t.Errorf("Cancel submitted: %v", err)
	}
	if got, _ := d.Get(ctx, sub.Order.ID); got.State() != StateSubmitted {
		t.Errorf("state after refusals: %s", got.State())
	}
}
