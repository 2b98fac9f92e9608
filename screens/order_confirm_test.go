package screens

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/order"
	"pkiodesk/app/org"
)

// submittedESeal places and submits an eSeal cloud order as the logged-in
// person and shows its confirmation page.
func submittedESeal(t *testing.T, u *ui) order.Record {
	t.Helper()
	ctx := context.Background()
	r, err := u.core.Orders.NewDraft(ctx, order.ProductESealCloud, u.person)
	if err != nil {
		t.Fatal(err)
	}
	signing, err := u.cardSigning()
	if err != nil {
		t.Fatal(err)
	}
	box, _ := u.core.Outbox(ctx)
	rec, err := u.core.Orders.PlaceAndSubmit(ctx, r.Order.ID, u.person, signing.Signing, box)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// The CA's rejection of a submitted order is recorded on its page, with
// the CA's reason, by who may order; the history shows it in the user's
// language.
func TestConfirmationRecordsARejection(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	loginDemo(t, u)
	rec := submittedESeal(t, u)

	me := u.person
	u.person = org.Person{ID: "x", Name: "Kees Jansen", Role: org.ContactpersoonAlle, Active: false}
	c := u.showConfirmation(rec, nil)
	if c.reject == nil || !c.reject.Disabled() || !strings.Contains(c.rejectWhy.Text, "Kees Jansen is niet (meer) actief geregistreerd") {
		t.Errorf("inactive person: button %v, %q", c.reject, c.rejectWhy.Text)
	}
	u.person = me
	c = u.showConfirmation(rec, nil)
	if c.reject == nil || c.reject.Disabled() || c.reject.Text != "Afwijzing vastleggen" {
		t.Fatalf("requester: button %+v", c.reject)
	}
	if !strings.Contains(c.history.Text, "ingediend — in de uitgaande map gezet: "+rec.Life.SubmittedTo) {
		t.Errorf("history: %q", c.history.Text)
	}
	test.Tap(c.reject)
	top := u.win.Canvas().Overlays().Top()
	if top == nil || c.rejectReason == nil {
		t.Fatal("no dialog asking for the reason")
	}
	// Without a reason nothing is recorded.
	test.Tap(findButton(top, "Vastleggen"))
	if got, _ := u.core.Orders.Get(context.Background(), rec.Order.ID); got.State() != order.StateSubmitted || !strings.Contains(c.status.Text, "Geef de reden die de CA opgaf") {
		t.Errorf("without a reason: %s, %q", got.State(), c.status.Text)
	}
	test.Tap(c.reject)
	test.Type(c.rejectReason, "Uitnodiging verlopen")
	shot(t, u, "43-afwijzing-vastleggen")
	test.Tap(findButton(u.win.Canvas().Overlays().Top(), "Vastleggen"))
	c = u.confirmation
	if c.rec.State() != order.StateRejected || c.reject != nil || !strings.Contains(c.history.Text, "afgewezen — Uitnodiging verlopen") ||
		!hasLabel(u.win.Content(), "De CA heeft de bestelling afgewezen") {
		t.Errorf("after rejecting: %s, %v, %q", c.rec.State(), c.reject, c.history.Text)
	}
	shot(t, u, "44-bestelling-afgewezen")
}

// Openen and Afdrukken without the outbox copy write one private folder
// per window, reused, and removed when the page is left and at logout.
func TestConfirmationPrivateCopyIsRemoved(t *testing.T) {
	u := newTestUI(t, i18n.NL)
	loginDemo(t, u)
	rec := submittedESeal(t, u)
	os.Remove(rec.Life.SubmittedTo) // the outbox copy is gone (sent on)
	c := u.showConfirmation(rec, nil)
	test.Tap(c.open)
	first := c.opened
	test.Tap(c.open)
	if c.opened != first || first == rec.Life.SubmittedTo {
		t.Fatalf("opened %q, then %q", first, c.opened)
	}
	if data, err := os.ReadFile(first); err != nil || string(data) != string(rec.Document) {
		t.Fatalf("private copy: %v", err)
	}
	if fi, _ := os.Stat(filepath.Dir(first)); fi == nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("private folder: %v", fi)
	}
	u.showOverview(cert.KindESeal)
	if _, err := os.Stat(filepath.Dir(first)); !os.IsNotExist(err) {
		t.Errorf("folder left after leaving the page: %v", err)
	}
	// Again, and a logout removes it.
	c = u.showConfirmation(rec, nil)
	test.Tap(c.open)
	if _, err := os.Stat(c.opened); err != nil {
		t.Fatal(err)
	}
	u.endSession()
	if _, err := os.Stat(filepath.Dir(c.opened)); !os.IsNotExist(err) {
		t.Errorf("folder left after logout: %v", err)
	}
}
