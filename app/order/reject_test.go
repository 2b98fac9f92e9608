package order

import (
	"context"
	"encoding/pem"
	"testing"

	"pkiodesk/app/audit"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/org"
)

// recordingJournal keeps the actions of the entries it is given, and runs
// the change (a real journal writes them in the change's transaction;
// which steps are journaled is what is tested here).
type recordingJournal struct{ actions []audit.Action }

func (j *recordingJournal) Change(ctx context.Context, e audit.Entry, change func(context.Context) error) error {
	if err := change(ctx); err != nil {
		return err
	}
	j.actions = append(j.actions, e.Action)
	return nil
}

// issuedServer imports a server certificate of the test PKI, as the CA
// would have issued it, and returns its SHA-256.
func issuedServer(t *testing.T, d *desk, card cardOf, r Record) string {
	t.Helper()
	csr, _ := ParseCSR([]byte(r.Order.Server.CSR))
	c, err := card.pki.ServerFromCSR(csr, 0)
	if err != nil {
		t.Fatal(err)
	}
	d.trustCA(t, card.pki.Issuer)
	rep, err := d.inv.Import(context.Background(), []inventory.Input{{Name: "s.pem", Data: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})}}, inventory.ImportOptions{})
	if err != nil || len(rep.Added) != 1 {
		t.Fatalf("%v %+v", err, rep)
	}
	return rep.Added[0].SHA256
}

// A placed revocation that is cancelled, or a submitted one the CA
// rejects, releases its certificate: it can be revoked and renewed again.
// Cancelling a placed order and rejecting are journaled.
func TestCancelAndRejectReleaseTheCertificate(t *testing.T) {
	d := newDesk(t)
	j := &recordingJournal{}
	d.WithJournal(j, func() audit.Actor { return audit.Actor{PersonID: d.bv.ID} })
	ctx := context.Background()
	card := newCard(t, d.bv)
	sha := issuedServer(t, d, card, serverDraft(t, d, d.bv))

	rev, err := d.NewRevocation(ctx, sha, d.bv)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Place(ctx, rev.Order.ID, d.bv, card.signing()); err != nil {
		t.Fatal(err)
	}
	if c, _ := d.inv.Get(sha); !c.RevocationRequested() {
		t.Fatal("placing did not mark the revocation")
	}
	if _, err := d.Cancel(ctx, rev.Order.ID, d.bv); err != nil {
		t.Fatal(err)
	}
	if c, _ := d.inv.Get(sha); c.RevocationRequested() {
		t.Errorf("cancelled revocation still marks the certificate: %q", c.RevocationOrderID)
	}
	if d.restart(t); true {
		if c, _ := d.inv.Get(sha); c.RevocationRequested() {
			t.Error("stored certificate still marked after a restart")
		}
	}
	d.WithJournal(j, func() audit.Actor { return audit.Actor{PersonID: d.bv.ID} })
	if j.actions[len(j.actions)-1] != audit.OrderCancelled {
		t.Errorf("cancel journaled as %v", j.actions)
	}

	// Again, submitted and rejected by the CA.
	rev2, err := d.NewRevocation(ctx, sha, d.bv)
	if err != nil {
		t.Fatalf("revoking again: %v", err)
	}
	if _, err := d.PlaceAndSubmit(ctx, rev2.Order.ID, d.bv, card.signing(), Outbox{Dir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Cancel(ctx, rev2.Order.ID, d.bv); !i18n.Is(err, "order.transition") {
		t.Errorf("cancel submitted: %v", err)
	}
	if _, err := d.Reject(ctx, rev2.Order.ID, "  ", d.bv); !i18n.Is(err, "order.reject_reason") {
		t.Errorf("reject without reason: %v", err)
	}
	rejected, err := d.Reject(ctx, rev2.Order.ID, "certificaat onbekend bij de CA", d.bv)
	if err != nil {
		t.Fatal(err)
	}
	if rejected.State() != StateRejected || rejected.Life.History[len(rejected.Life.History)-1].Note != "certificaat onbekend bij de CA" {
		t.Errorf("rejected: %+v", rejected.Life)
	}
	if c, _ := d.inv.Get(sha); c.RevocationRequested() {
		t.Error("rejected revocation still marks the certificate")
	}
	if j.actions[len(j.actions)-1] != audit.OrderRejected {
		t.Errorf("reject journaled as %v", j.actions)
	}
	if _, err := d.NewRenewal(ctx, sha, d.bv); err != nil {
		t.Errorf("renewal after rejection: %v", err)
	}
}

// Who may not order may not record a rejection; only a submitted order
// can be rejected. The screens show the button disabled with this reason.
func TestRejectBlocked(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	card := newCard(t, d.bv)
	r := serverDraft(t, d, d.bv)
	if err := RejectBlocked(d.bv, &r); !i18n.Is(err, "order.reject_not_submitted") {
		t.Errorf("draft: %v", err)
	}
	if _, err := d.Reject(ctx, r.Order.ID, "te vroeg", d.bv); !i18n.Is(err, "order.reject_not_submitted") {
		t.Errorf("reject a draft: %v", err)
	}
	sub, err := d.PlaceAndSubmit(ctx, r.Order.ID, d.bv, card.signing(), Outbox{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := RejectBlocked(d.cpBas, &sub); err != nil {
		t.Errorf("contact person: %v", err)
	}
	for _, p := range []org.Person{d.gone, d.mgr} {
		if err := RejectBlocked(p, &sub); err == nil {
			t.Errorf("%s may reject", p.Name)
		}
		if _, err := d.Reject(ctx, r.Order.ID, "x", p); err == nil {
			t.Errorf("%s rejected", p.Name)
		}
	}
	if got, _ := d.Get(ctx, r.Order.ID); got.State() != StateSubmitted {
		t.Errorf("state %s", got.State())
	}
}
