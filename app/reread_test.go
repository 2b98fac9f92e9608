package app

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"pkiodesk/app/org"
	"pkiodesk/app/store"
)

// Reread gives the person as the register has them now, in the
// organisation's state; someone no longer registered may nothing.
func TestRereadFollowsTheRegister(t *testing.T) {
	r := newRegister(t, filepath.Join(t.TempDir(), "db"), 1)
	ctx := context.Background()
	stale := r.people["cpa"]
	changed := stale
	changed.Role, changed.Active = org.ContactpersoonBasis, false
	if err := r.a.Store.PutPerson(ctx, changed); err != nil {
		t.Fatal(err)
	}
	got, err := r.a.Reread(ctx, stale)
	if err != nil || got.Role != org.ContactpersoonBasis || got.Active {
		t.Fatalf("reread %s active %v: %v", got.Role, got.Active, err)
	}
	o, _, err := r.a.Store.Organisation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	o.CancelledAt = time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	if err := r.a.Store.(*store.Bolt).UpdateOrganisation(ctx, func(tx store.OrgTx) error { return tx.PutOrganisation(o) }); err != nil {
		t.Fatal(err)
	}
	if got, _ := r.a.Reread(ctx, r.people["bv"]); !got.SubscriptionEnded.Equal(o.CancelledAt) {
		t.Errorf("the cancellation is not carried: %v", got.SubscriptionEnded)
	}
	gone := org.Person{ID: "nobody", Active: true, Role: org.BevoegdVertegenwoordiger}
	if got, err := r.a.Reread(ctx, gone); err == nil || got.Active {
		t.Errorf("an unregistered person: active %v, %v", got.Active, err)
	}
}
