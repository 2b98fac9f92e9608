package order

import (
	"context"
	"errors"
	"testing"
	"time"

	"pkiodesk/app/i18n"
)

type failingConfirmer struct{}

func (failingConfirmer) Confirm(ctx context.Context, req ActivationRequest) (Confirmation, error) {
	return Confirmation{}, i18n.E("card.pin_cancelled", errors.New("PIN fout"))
}

// The activation rules of seed 6.1: only the requester, only with the
// invitation code, locked for 5 minutes after a start, usable again after
// a failure once the lock is over; a failure is returned and stored as a
// message key; ACTIVATED leaves the list the next day.
func TestActivationRules(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	card := newCard(t, d.bv)
	r, err := d.NewDraft(ctx, ProductESealCloud, d.bv)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.PlaceAndSubmit(ctx, r.Order.ID, d.bv, card.signing(), Outbox{Dir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	id := r.Order.ID
	if _, err := d.StartActivation(ctx, id, "", d.bv, failingConfirmer{}); !i18n.Is(err, "activation.no_invitation") {
		t.Errorf("no code: %v", err)
	}
	if _, err := d.StartActivation(ctx, id, "ABC-123456", d.cpAll, failingConfirmer{}); !i18n.Is(err, "activation.only_requester") {
		t.Errorf("someone else: %v", err)
	}
	rec, err := d.StartActivation(ctx, id, "ABC-123456", d.bv, failingConfirmer{})
	if !i18n.Is(err, "activation.confirm_failed") || !i18n.Is(err, "card.pin_cancelled") {
		t.Fatalf("failed confirmation returned %v", err)
	}
	a := rec.Life.Activation
	if a == nil || a.Status != ActivationFailed || a.Failure != "card.pin_cancelled" || a.FailureText(i18n.NL) != i18n.T(i18n.NL, "card.pin_cancelled") {
		t.Fatalf("stored: %+v", a)
	}
	if _, err := d.StartActivation(ctx, id, "ABC-123456", d.bv, failingConfirmer{}); !i18n.Is(err, "activation.wait") {
		t.Errorf("within 5 minutes: %v", err)
	}
	d.clock.Add(ActivationLock)
	rec, err = d.StartActivation(ctx, id, "ABC-123456", d.bv, CardConfirmer{Key: card.signer.Key, Cert: card.signer.Chain[0]})
	if err != nil || rec.Life.Activation.Status != ActivationConfirmed {
		t.Fatalf("after the lock: %v", err)
	}
	// Issued: ACTIVATED today, gone tomorrow.
	now := d.clock.Now()
	rec.Life.Activation.Status, rec.Life.Activation.ActivatedAt = ActivationActivated, now
	if got := ActivationPending([]Record{rec}, now); len(got) != 1 {
		t.Error("ACTIVATED not shown on the day")
	}
	tomorrow := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 1, 0, now.Location())
	if got := ActivationPending([]Record{rec}, tomorrow); len(got) != 0 {
		t.Error("ACTIVATED still shown the next day")
	}
}
