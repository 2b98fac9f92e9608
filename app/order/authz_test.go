package order

import (
	"context"
	"testing"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
	"pkiodesk/app/store"
)

// Contactpersonen of both kinds and the Bevoegd Vertegenwoordiger order,
// renew and revoke; an inactive person or a Certificaatbeheerder does not,
// and the service refuses them whatever a screen shows.
func TestWhoMayOrder(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	c := cert.Certificate{SHA256: "aa", Kind: cert.KindServer, CommonName: "www.voorbeeldstad.nl", DNSNames: []string{"www.voorbeeldstad.nl"}}
	may := []org.Person{d.bv, d.cpAll, d.cpBas}
	mayNot := map[string]org.Person{"org.denied_inactive": d.gone, "org.denied.order-certificates": d.mgr}
	for _, p := range may {
		if err := NewBlocked(p); err != nil {
			t.Errorf("%s may not order: %v", p.Role, err)
		}
		if err := RenewBlockedFor(p, &c); err != nil {
			t.Errorf("%s may not renew: %v", p.Role, err)
		}
		if err := RevokeBlockedFor(p, &c); err != nil {
			t.Errorf("%s may not revoke: %v", p.Role, err)
		}
		if _, err := d.NewDraft(ctx, ProductGroup, p); err != nil {
			t.Errorf("%s: draft: %v", p.Role, err)
		}
	}
	for key, p := range mayNot {
		if err := NewBlocked(p); !i18n.Is(err, key) {
			t.Errorf("%s orders: %v", p.Name, err)
		}
		if _, err := d.NewDraft(ctx, ProductGroup, p); !i18n.Is(err, key) {
			t.Errorf("%s: draft: %v", p.Name, err)
		}
		if err := RenewBlockedFor(p, &c); err == nil {
			t.Errorf("%s renews", p.Name)
		}
		if err := RevokeBlockedFor(p, &c); err == nil {
			t.Errorf("%s revokes", p.Name)
		}
	}
	// The certificate's own state.
	revoked := c
	revoked.Revoked = true
	if err := RenewBlockedFor(d.bv, &revoked); !i18n.Is(err, "order.renew_revoked") {
		t.Errorf("renew revoked: %v", err)
	}
	if err := RevokeBlockedFor(d.bv, &revoked); !i18n.Is(err, "err.already_revoked") {
		t.Errorf("revoke revoked: %v", err)
	}
	pending := c
	pending.RevocationOrderID = "PKIO-1"
	if err := RevokeBlockedFor(d.cpBas, &pending); !i18n.Is(err, "order.revocation_pending") {
		t.Errorf("revoke pending: %v", err)
	}
	// A person made inactive after starting a draft cannot place it, even
	// when the caller still holds the record from before (a window logged
	// in earlier): the desk reads the person again.
	r := serverDraft(t, d, d.cpAll)
	gone := d.cpAll
	gone.Active = false
	if err := d.st.PutPerson(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Place(ctx, r.Order.ID, d.cpAll, newCard(t, d.cpAll).signing()); !i18n.Is(err, "org.denied_inactive") {
		t.Errorf("inactive places: %v", err)
	}
	if _, err := d.NewDraft(ctx, ProductPKIoPrivate, d.cpAll); !i18n.Is(err, "org.denied_inactive") {
		t.Errorf("inactive starts a draft: %v", err)
	}
	// A person the store does not know starts nothing, whatever role the
	// caller claims for them.
	nobody := d.bv
	nobody.ID = "nobody"
	if _, err := d.NewDraft(ctx, ProductPKIoPrivate, nobody); !i18n.Is(err, "order.person_unknown") {
		t.Errorf("unregistered person: %v", err)
	}
	// A role lowered in the store counts, not the one the caller holds.
	lowered := d.bv
	lowered.Role = org.Certificaatbeheerder
	if err := d.st.PutPerson(ctx, lowered); err != nil {
		t.Fatal(err)
	}
	if _, err := d.NewDraft(ctx, ProductPKIoPrivate, d.bv); err == nil {
		t.Error("a person whose role was lowered orders with the old one")
	}
}

// A draft naming an inactive (or unknown) Certificaatbeheerder, or a
// revocation whose certificate was swapped, is refused.
func TestDraftsCannotSmuggle(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	card := newCard(t, d.bv)
	r := serverDraft(t, d, d.bv)
	o := r.Order
	for _, m := range []PersonRef{Ref(d.oldM), {ID: "verzonnen", Name: "Niemand"}} {
		m := m
		o.Manager = &m
		if _, err := d.SaveDraft(ctx, o, 4, d.bv); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Place(ctx, o.ID, d.bv, card.signing()); !i18n.Is(err, "order.manager_inactive") {
			t.Errorf("manager %s: %v", m.Name, err)
		}
	}
	c := cert.Certificate{SHA256: "ab", Kind: cert.KindServer, CommonName: "x.voorbeeldstad.nl", Subject: "CN=x.voorbeeldstad.nl"}
	if _, _, err := d.st.AddCertificates(ctx, []store.Entry{{Cert: c, DER: []byte{1}}}); err != nil {
		t.Fatal(err)
	}
	d.restart(t)
	rev, err := d.NewRevocation(ctx, "ab", d.bv)
	if err != nil {
		t.Fatal(err)
	}
	ro := rev.Order
	swapped := *ro.Revoke
	swapped.Subject = "CN=iets.anders.nl"
	ro.Revoke = &swapped
	if _, err := d.SaveDraft(ctx, ro, 1, d.bv); !i18n.Is(err, "order.fixed_fields") {
		t.Errorf("revocation target changed: %v", err)
	}
	ro = rev.Order
	reason := *ro.Revoke
	reason.Reason, reason.Explanation = ReasonKeyCompromise, "laptop gestolen"
	ro.Revoke = &reason
	if _, err := d.SaveDraft(ctx, ro, 1, d.bv); err != nil {
		t.Errorf("reason: %v", err)
	}
}
