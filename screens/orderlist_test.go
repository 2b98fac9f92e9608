package screens

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	bolt "go.etcd.io/bbolt"

	"pkiodesk/app"
	"pkiodesk/app/i18n"
	"pkiodesk/app/order"
	"pkiodesk/app/org"
	"pkiodesk/app/store"
)

// groupDraftInWizard types a group order up to its certificate page and
// leaves it there, saved.
func groupDraftInWizard(t *testing.T, u *ui) order.Record {
	t.Helper()
	u.startOrder(order.ProductGroup)
	w := u.wizard
	test.Tap(w.next)
	chooseManager(t, w)
	test.Tap(w.next)
	if w.stepKey() != "certificaat" {
		t.Fatalf("step %s: %s", w.stepKey(), w.problem.Text)
	}
	test.Type(w.inputs[order.FieldGroupName], "Servicedesk")
	test.Type(w.inputs[order.FieldMailbox], "servicedesk@voorbeeldstad.nl")
	w.saveNow()
	if w.lastErr != nil {
		t.Fatal(w.lastErr)
	}
	return w.rec
}

// submittedServerOrder places and submits a complete server order with
// the demo card, as the wizard's last step does.
func submittedServerOrder(t *testing.T, u *ui, service string) order.Record {
	t.Helper()
	ctx := context.Background()
	r, err := u.core.Orders.NewDraft(ctx, order.ProductPKIoPrivate, u.person)
	if err != nil {
		t.Fatal(err)
	}
	o := r.Order
	o.Server.ServiceName = service
	o.Server.FQDNs = []string{strings.ToLower(service) + ".voorbeeldstad.nl"}
	_, csr, err := order.SoftwareKey(order.KeyRequest{Profile: order.ProfileFor(o.Product), Bits: 2048, Org: o.Organisation, FQDNs: o.Server.FQDNs}, []byte("wachtwoord voor de test"))
	if err != nil {
		t.Fatal(err)
	}
	o.Server.CSR = string(csr)
	managers, _ := u.core.Orders.Managers(ctx)
	ref := order.Ref(managers[0])
	o.Manager = &ref
	if _, err := u.core.Orders.SaveDraft(ctx, o, 4, u.person); err != nil {
		t.Fatal(err)
	}
	signing, err := u.cardSigning()
	if err != nil {
		t.Fatal(err)
	}
	box, _ := u.core.Outbox(ctx)
	rec, err := u.core.Orders.PlaceAndSubmit(ctx, o.ID, u.person, signing.Signing, box)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// reopen is a restart of pkiodesk on the same database: a new core and a
// new window, the same person logged in.
func reopen(t *testing.T, u *ui, who org.Person, change func(db *bolt.DB)) *ui {
	t.Helper()
	path := u.core.Store.Path()
	u.core.Close()
	if change != nil {
		db, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		change(db)
		db.Close()
	}
	core, err := app.Open(context.Background(), app.Config{DBPath: path, Now: time.Now, Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { core.Close() })
	u2 := newUI(test.NewTempApp(t), core, app.Database{Demo: true}, i18n.NL, nil)
	u2.files = fyneChooser{}
	u2.person = who
	u2.win.Resize(fyne.NewSize(1180, 760))
	return u2
}

// rowOf is the list row of an order, or -1.
func rowOf(l *orderList, id string) int {
	for i, r := range l.view.Rows {
		if r.ID == id {
			return i
		}
	}
	return -1
}

// After a restart Bestellingen lists the saved draft and the submitted
// order; the filters narrow the list; Enter on the draft continues its
// wizard at the step it was left with what was typed; a double click on
// the submitted order shows its confirmation page with its history.
func TestOrderListAfterRestartOpensDraftAndConfirmation(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	loginDemo(t, u)
	draft := groupDraftInWizard(t, u)
	sub := submittedServerOrder(t, u, "Zaaksysteem")
	me := u.person
	u.cardPulled()

	u2 := reopen(t, u, me, nil)
	u2.showOrders()
	l := u2.orders
	if !strings.HasPrefix(u2.win.Title(), "pkiodesk — Bestellingen") || u2.menu[sectionOrders] == nil {
		t.Fatalf("title %q", u2.win.Title())
	}
	if rowOf(l, draft.Order.ID) < 0 || rowOf(l, sub.Order.ID) < 0 {
		t.Fatalf("rows %+v", l.view.Rows)
	}
	cells := func(id string) string {
		var out []string
		for c := range order.ListColumns {
			out = append(out, l.table.cell(rowOf(l, id), c))
		}
		return strings.Join(out, " | ")
	}
	if got := cells(draft.Order.ID); !strings.Contains(got, "nieuw | Groep | Servicedesk | concept | "+me.Name) {
		t.Errorf("draft row: %s", got)
	}
	if got := cells(sub.Order.ID); !strings.Contains(got, "Zaaksysteem (zaaksysteem.voorbeeldstad.nl) | ingediend") {
		t.Errorf("submitted row: %s", got)
	}

	// The status filter through its widget, then the text filter.
	l.status.SetSelected("ingediend")
	if len(l.view.Rows) != 1 || l.view.Rows[0].ID != sub.Order.ID || l.count.Text != "1 bestelling" {
		t.Errorf("status filter: %+v, %q", l.view.Rows, l.count.Text)
	}
	l.status.SetSelected("concept")
	if len(l.view.Rows) != 1 || l.view.Rows[0].ID != draft.Order.ID {
		t.Errorf("draft filter: %+v", l.view.Rows)
	}
	l.status.SetSelectedIndex(0)
	test.Type(l.filter, "zaak")
	if len(l.view.Rows) != 1 || l.view.Rows[0].ID != sub.Order.ID {
		t.Errorf("text filter: %+v", l.view.Rows)
	}
	l.filter.SetText("")

	// A submitted order may not be cancelled or deleted: disabled, with
	// the reason.
	l.table.choose(rowOf(l, sub.Order.ID))
	if !l.cancel.Disabled() || !l.remove.Disabled() || l.open.Disabled() ||
		!strings.Contains(l.why.Text, "Annuleren: bestelling "+sub.Order.ID+" is ingediend en kan niet geannuleerd worden: zij is al bij de CA ingediend") ||
		!strings.Contains(l.why.Text, "Concept verwijderen: alleen een concept kan worden verwijderd") {
		t.Errorf("submitted: cancel %v, remove %v, why %q", l.cancel.Disabled(), l.remove.Disabled(), l.why.Text)
	}

	// Enter on the draft continues the wizard where it was left.
	l.table.choose(rowOf(l, draft.Order.ID))
	if l.remove.Disabled() || l.open.Disabled() {
		t.Errorf("draft: remove %v open %v (%q)", l.remove.Disabled(), l.open.Disabled(), l.why.Text)
	}
	u2.win.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	w := u2.wizard
	if w == nil || w.rec.Order.ID != draft.Order.ID || w.stepKey() != "certificaat" {
		t.Fatalf("draft not continued: %+v", w)
	}
	if w.inputs[order.FieldGroupName].Text != "Servicedesk" || w.inputs[order.FieldMailbox].Text != "servicedesk@voorbeeldstad.nl" {
		t.Errorf("fields %q %q", w.inputs[order.FieldGroupName].Text, w.inputs[order.FieldMailbox].Text)
	}

	// Back to the list (the way back), then a double click on the
	// submitted order.
	u2.back()
	if u2.here.id != "orders" {
		t.Fatalf("back went to %q", u2.here.id)
	}
	row := rowOf(l, sub.Order.ID)
	var picked *pickRow
	for _, o := range test.LaidOutObjects(u2.win.Content()) {
		if r, ok := o.(*pickRow); ok && r.row == row {
			picked = r
		}
	}
	if picked == nil {
		t.Fatal("no row on screen for the submitted order")
	}
	test.Tap(picked) // a click only chooses
	if u2.here.id != "orders" || l.current() != row {
		t.Fatalf("a click opened %q / chose %d", u2.here.id, l.current())
	}
	test.DoubleTap(picked)
	c := u2.confirmation
	if c == nil || c.rec.Order.ID != sub.Order.ID || !strings.HasPrefix(u2.win.Title(), "pkiodesk — Bevestiging "+sub.Order.ID) {
		t.Fatalf("confirmation: %q", u2.win.Title())
	}
	if c.reject == nil || c.open.Text != "Openen" || !hasLabel(u2.win.Content(), "Verloop") || !strings.Contains(c.history.Text, "ingediend") {
		t.Errorf("confirmation page: %v", screenLabels(u2.win.Content()))
	}
	// Its way back leads to Bestellingen, as the list was left.
	l.status.SetSelected("ingediend") // not the default filter
	u2.showConfirmation(c.rec, nil)
	var back *button
	for _, o := range test.LaidOutObjects(u2.win.Content()) {
		if b, ok := o.(*button); ok && b.Text == "← Terug naar Bestellingen" {
			back = b
		}
	}
	if back == nil {
		t.Fatalf("no way back to Bestellingen: %v", screenLabels(u2.win.Content()))
	}
	test.Tap(back)
	if u2.here.id != "orders" || l.status.Selected != "ingediend" || len(l.view.Rows) != 1 {
		t.Errorf("back to %q, filter %q, %d rows", u2.here.id, l.status.Selected, len(l.view.Rows))
	}
	l.status.SetSelectedIndex(0)

	// Openen on the list does the same.
	u2.showOrders()
	l.table.choose(rowOf(l, sub.Order.ID))
	u2.confirmation = nil
	test.Tap(&l.open.Button)
	if u2.confirmation == nil || u2.confirmation.rec.Order.ID != sub.Order.ID {
		t.Error("Openen did not open the confirmation page")
	}
}

// damageOrder rewrites a stored order's content behind the store's back,
// keeping the old hash, as a bit flip or a hand edit of the file would.
func damageOrder(t *testing.T, id string) func(db *bolt.DB) {
	return func(db *bolt.DB) {
		err := db.Update(func(tx *bolt.Tx) error {
			bk := tx.Bucket([]byte("orders"))
			var rec store.OrderRecord
			if err := store.OpenJSON(bk.Get([]byte(id)), &rec); err != nil {
				return err
			}
			rec.Content = []byte(strings.Replace(string(rec.Content), "Zaaksysteem", "Zaaksysteen", 1))
			v, _ := store.SealJSON(rec) // resealed: only the content hash tells
			return bk.Put([]byte(id), v)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// A record that fails its integrity check is a row "beschadigd" with the
// reason; it cannot be opened and the other orders stay usable. A draft
// is deleted from the list after a confirmation; someone else's draft
// cannot be opened or deleted, with the reason.
func TestOrderListShowsDamagedAndDeletesDrafts(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	u.fa.Settings().SetTheme(theme.DarkTheme())
	loginDemo(t, u)
	ctx := context.Background()
	me := u.person
	draft := groupDraftInWizard(t, u)
	bad := submittedServerOrder(t, u, "Zaaksysteem")
	good := submittedServerOrder(t, u, "Omgevingsloket")
	personal, err := u.core.Orders.NewDraft(ctx, order.ProductPersonalCard, me)
	if err != nil {
		t.Fatal(err)
	}
	po := personal.Order
	po.Personal.Name = "Sanne de Vries"
	if _, err := u.core.Orders.SaveDraft(ctx, po, 1, me); err != nil {
		t.Fatal(err)
	}
	if _, err := u.core.Orders.Cancel(ctx, personal.Order.ID, me); err != nil {
		t.Fatal(err)
	}
	people, _ := u.core.Store.People(ctx)
	var daan org.Person
	for _, p := range people {
		if p.Name == "Daan Meijer" {
			daan = p
		}
	}
	theirs, err := u.core.Orders.NewDraft(ctx, order.ProductESealToken, daan)
	if err != nil {
		t.Fatal(err)
	}
	u.cardPulled()

	u2 := reopen(t, u, me, damageOrder(t, bad.Order.ID))
	u2.fa.Settings().SetTheme(theme.DarkTheme())
	u2.showOrders()
	l := u2.orders
	row := rowOf(l, bad.Order.ID)
	if row < 0 {
		t.Fatalf("damaged order hidden: %+v", l.view.Rows)
	}
	if s := l.table.cell(row, 4); s != "beschadigd" {
		t.Errorf("status %q", s)
	}
	if s := l.table.cell(row, 3); !strings.Contains(s, "bestelling "+bad.Order.ID+" is beschadigd") {
		t.Errorf("reason %q", s)
	}
	if rowOf(l, good.Order.ID) < 0 || rowOf(l, draft.Order.ID) < 0 || !l.damaged.Visible() || !strings.Contains(l.damaged.Text, "1 bestelling is beschadigd") {
		t.Errorf("rest of the list: %+v, %q", l.view.Rows, l.damaged.Text)
	}
	l.table.choose(row)
	if !l.open.Disabled() || !l.remove.Disabled() || !l.cancel.Disabled() || !strings.Contains(l.why.Text, "Openen: bestelling "+bad.Order.ID+" is beschadigd") {
		t.Errorf("damaged row's buttons: %q", l.why.Text)
	}
	l.openRow(row)
	if msg := dialogText(t, u2); !strings.Contains(msg, "is beschadigd") || u2.here.id != "orders" {
		t.Errorf("opening a damaged order: %q, at %q", msg, u2.here.id)
	}
	u2.topDialog().escape()

	// Someone else's draft: open and delete disabled, with the reason.
	l.table.choose(rowOf(l, theirs.Order.ID))
	if !l.open.Disabled() || !l.remove.Disabled() || !strings.Contains(l.why.Text, "is van Daan Meijer; alleen de aanvrager kan het verder invullen") {
		t.Errorf("someone else's draft: %q", l.why.Text)
	}

	// All statuses, for the screenshot.
	l.status.SetSelected("Alle")
	if rowOf(l, personal.Order.ID) < 0 {
		t.Errorf("cancelled draft not under Alle: %+v", l.view.Rows)
	}
	l.table.choose(rowOf(l, draft.Order.ID))
	u2.win.Content().Refresh()
	shot(t, u2, "45-bestellingen")

	// A draft cancelled before signing opens a page without a PDF.
	l.openRow(rowOf(l, personal.Order.ID))
	if c := u2.confirmation; c == nil || c.rec.Order.ID != personal.Order.ID || !hasLabel(u2.win.Content(), "De bestelling is geannuleerd") || !hasLabel(u2.win.Content(), "niet ondertekend") {
		t.Errorf("cancelled draft: %v", screenLabels(u2.win.Content()))
	}
	u2.back()

	// Concept verwijderen, after a confirmation.
	test.Tap(&l.remove.Button)
	if msg := dialogText(t, u2); !strings.Contains(msg, "Concept "+draft.Order.ID+" (Groep) wordt verwijderd") {
		t.Errorf("confirmation: %q", msg)
	}
	d := u2.topDialog()
	d.escape() // Niet verwijderen
	if _, err := u2.core.Orders.Get(ctx, draft.Order.ID); err != nil {
		t.Fatalf("draft gone without confirming: %v", err)
	}
	test.Tap(&l.remove.Button)
	test.Tap(&u2.topDialog().buttons[1].Button)
	if _, err := u2.core.Orders.Get(ctx, draft.Order.ID); !i18n.Is(err, "order.not_found") {
		t.Errorf("draft still there: %v", err)
	}
	if rowOf(l, draft.Order.ID) >= 0 {
		t.Error("deleted draft still listed")
	}
}
