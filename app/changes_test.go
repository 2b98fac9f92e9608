package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"pkiodesk/app/i18n"
	"pkiodesk/app/order"
	"pkiodesk/app/org"
	"pkiodesk/app/store"
	"pkiodesk/internal/idcopytest"
)

// idCopyBytes is a "photo" of an ID document: a JPEG that decodes, with
// random bytes no file could hold by accident from offset 16 on.
func idCopyBytes(t testing.TB) []byte { return idcopytest.JPEG(48 << 10) }

// leaks reports whether data holds an ID copy in any of the forms a
// careless writer would use.
func leaks(data, secret []byte) string {
	probe := secret[1024:1088] // a stretch from the middle
	for name, form := range map[string][]byte{
		"raw": probe, "hex": []byte(hex.EncodeToString(probe)), "base64": []byte(base64.StdEncoding.EncodeToString(probe)[:80]),
	} {
		if bytes.Contains(data, form) {
			return name
		}
	}
	return ""
}

func contactsDraft() org.ChangeDraft {
	return org.ChangeDraft{Sections: []org.Section{org.SectionContacts}, Contacts: []org.ContactChange{
		{Action: org.ContactAdd, Person: org.Person{Name: "Sanne de Vries", Email: "s.devries@voorbeeldstad.nl", Phone: "020 555 0110", Role: org.ContactpersoonBasis}},
		{Action: org.ContactDeactivate, Person: org.Person{ID: "cpb"}},
	}}
}

// keepSigned signs a change through the shared signing path (SubmitChange,
// with a test CA's signature key standing in for the card) and keeps it.
func keepSigned(t *testing.T, r *register, who org.Person, d org.ChangeDraft, copies []IDCopy) org.Change {
	t.Helper()
	ch, _, err := r.a.SubmitChange(context.Background(), who, d, copies, r.signing(t, who))
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// A change with an ID copy: pending until confirmed, the register
// untouched until then; the copy never in the database; confirmed, the
// change is in the register and the copy and its key are gone.
func TestChangePendingUntilConfirmed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	r := newRegister(t, path, 2)
	r.a.KeepDocumentKeysInSession()
	ctx := context.Background()
	secret := idCopyBytes(t)
	ch := keepSigned(t, r, r.people["cpa"], contactsDraft(), []IDCopy{{Contact: 0, Name: "paspoort.jpg", Data: secret}})
	if ch.State != org.ChangePending || ch.Document.Encrypted != string(KeptInSession) || !ch.HasIDCopies() {
		t.Fatalf("kept %+v", ch)
	}
	reg, _ := r.a.Register(ctx)
	if len(reg.Pending()) != 1 || len(reg.PendingFor("cpb")) != 1 || len(reg.People) != 6 {
		t.Errorf("pending %d, for cpb %d, people %d", len(reg.Pending()), len(reg.PendingFor("cpb")), len(reg.People))
	}
	if p, _ := org.FindPerson(reg.People, "cpb"); !p.Active {
		t.Error("a pending change deactivated someone")
	}
	doc, err := r.a.ChangeDocument(ctx, ch.Number)
	if err != nil {
		t.Fatalf("document: %v", err)
	}
	if _, opened, err := r.a.ReadChangeDocument(ctx, doc); err != nil || len(opened.Attachments) != 2 || !bytes.Equal(opened.Attachments[1].Data, secret) {
		t.Fatalf("the signed document does not carry the ID copy: %v", err)
	}
	// A second change for a person with a pending change is refused.
	if _, err := r.a.PrepareChange(ctx, r.people["bv"], org.ChangeDraft{Sections: []org.Section{org.SectionContacts},
		Contacts: []org.ContactChange{{Action: org.ContactUpdate, Person: org.Person{ID: "cpb", Name: "Fatima", Email: "f@voorbeeldstad.nl", Phone: "0101234567", Role: org.ContactpersoonBasis}}}}, nil); !i18n.Is(err, "org.change.person_pending") {
		t.Errorf("second change for cpb: %v", err)
	}
	// The basic contact may not record the confirmation.
	if _, err := r.a.ConfirmChange(ctx, r.people["cpb"], ch.Number, "KPN-1"); !i18n.Is(err, "org.denied.open-change-form") {
		t.Errorf("basic contact confirms: %v", err)
	}
	done, err := r.a.ConfirmChange(ctx, r.people["bv"], ch.Number, "KPN-2026-118")
	if err != nil {
		t.Fatal(err)
	}
	if done.State != org.ChangeConfirmed || done.Note != "KPN-2026-118" || done.ClosedBy != "Anouk Visser" || !done.Document.Removed {
		t.Errorf("confirmed %+v", done)
	}
	reg, _ = r.a.Register(ctx)
	var sanne org.Person
	for _, p := range reg.People {
		if p.Name == "Sanne de Vries" {
			sanne = p
		}
	}
	if cpb, _ := org.FindPerson(reg.People, "cpb"); cpb.Active || !sanne.Active || sanne.Role != org.ContactpersoonBasis || len(reg.Pending()) != 0 {
		t.Errorf("after confirmation: cpb %+v, Sanne %+v", cpb, sanne)
	}
	if _, err := r.a.ChangeDocument(ctx, ch.Number); !i18n.Is(err, "org.doc.removed") {
		t.Errorf("document after confirmation: %v", err)
	}
	if _, err := r.a.changeDocs.keyStore(KeptInSession).Get(ctx, account(ch.Number)); err == nil {
		t.Error("the key outlived the change")
	}
	if _, err := r.a.ConfirmChange(ctx, r.people["bv"], ch.Number, ""); !i18n.Is(err, "org.change.not_pending") || i18n.Localize(i18n.NL, err) != "wijziging "+ch.Number+" is al bevestigd" {
		t.Errorf("confirmed twice: %v", i18n.Localize(i18n.NL, err))
	}
	r.a.Close()
	db, _ := os.ReadFile(path)
	if form := leaks(db, secret); form != "" {
		t.Errorf("the database file holds the ID copy (%s)", form)
	}
}

func TestCancelledChangeChangesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	r := newRegister(t, path, 1)
	r.a.KeepDocumentKeysInSession()
	ctx := context.Background()
	secret := idCopyBytes(t)
	before, _ := r.a.Register(ctx)
	ch := keepSigned(t, r, r.people["cpa"], contactsDraft(), []IDCopy{{Contact: 0, Name: "id.jpg", Data: secret}})
	// While pending, the database holds only ciphertext.
	r.a.Close()
	db, _ := os.ReadFile(path)
	if form := leaks(db, secret); form != "" {
		t.Fatalf("the database holds the pending ID copy (%s)", form)
	}
	a, err := Open(ctx, Config{DBPath: path, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	a.KeepDocumentKeysInSession()
	// A new pkiodesk without a keyring has lost the session's key.
	if _, err := a.ChangeDocument(ctx, ch.Number); !i18n.Is(err, "org.doc.key_gone") {
		t.Errorf("after a restart: %v", err)
	}
	got, err := a.CancelChange(ctx, r.people["cpa"], ch.Number, "verkeerd telefoonnummer")
	if err != nil || got.State != org.ChangeCancelled || got.Note != "verkeerd telefoonnummer" {
		t.Fatalf("%+v %v", got, err)
	}
	after, _ := a.Register(ctx)
	if fmtPeople(after.People) != fmtPeople(before.People) || after.Organisation != before.Organisation {
		t.Error("a cancelled change changed the register")
	}
	if _, err := a.CancelChange(ctx, r.people["cpa"], ch.Number, ""); !i18n.Is(err, "org.change.not_pending") {
		t.Errorf("cancelled twice: %v", err)
	}
	if _, err := a.CancelChange(ctx, r.people["cpa"], "WIJZ-0", ""); !i18n.Is(err, "org.change.unknown") {
		t.Errorf("unknown: %v", err)
	}
}

func fmtPeople(ps []org.Person) string {
	b, _ := marshalSorted(ps)
	return string(b)
}

// Only the Bevoegd Vertegenwoordiger records the CA's confirmation of a
// new one; then the new one is the BV and the old one what the form said.
func TestNewBVConfirmedByTheBV(t *testing.T) {
	r := newRegister(t, filepath.Join(t.TempDir(), "db"), 1)
	ctx := context.Background()
	ch := keepSigned(t, r, r.people["bv"], org.ChangeDraft{Sections: []org.Section{org.SectionBV},
		NewBV: &org.NewBV{Person: org.Person{Name: "Mark Smit", Email: "m.smit@voorbeeldstad.nl", Phone: "020 555 0199", Function: "Gemeentesecretaris"}, CurrentStaysAs: org.ContactpersoonAlle}}, nil)
	if ch.Document.Encrypted != "" || ch.Number[:3] != "BV-" {
		t.Errorf("BV change %+v", ch)
	}
	if _, err := r.a.ConfirmChange(ctx, r.people["cpa"], ch.Number, ""); !i18n.Is(err, "org.denied.change-bv") {
		t.Errorf("a contact confirms a new BV: %v", err)
	}
	if _, err := r.a.CancelChange(ctx, r.people["cpa"], ch.Number, ""); !i18n.Is(err, "org.denied.change-bv") {
		t.Errorf("a contact withdraws a new BV: %v", err)
	}
	if _, err := r.a.ConfirmChange(ctx, r.people["bv"], ch.Number, "brief KPN 12-12"); err != nil {
		t.Fatal(err)
	}
	reg, _ := r.a.Register(ctx)
	bv, ok := org.ActiveBV(reg.People)
	old, _ := org.FindPerson(reg.People, r.people["bv"].ID)
	if !ok || bv.Name != "Mark Smit" || old.Role != org.ContactpersoonAlle || !old.Active {
		t.Errorf("BV %+v, old %+v", bv, old)
	}
	// The printable form stays: it is what was signed on paper.
	if doc, err := r.a.ChangeDocument(ctx, ch.Number); err != nil || !bytes.HasPrefix(doc, []byte("%PDF")) {
		t.Errorf("BV form after confirmation: %v", err)
	}
}

// The register changing while the card signs (another change sent for
// the same section) refuses the signed change.
func TestRegisterChangedWhileSigning(t *testing.T) {
	r := newRegister(t, filepath.Join(t.TempDir(), "db"), 1)
	ctx := context.Background()
	draft := org.ChangeDraft{Sections: []org.Section{org.SectionBilling}}
	o, _ := r.a.Organisation(ctx)
	draft.Organisation = o
	draft.Organisation.BillingAddress = "Postbus 1\n1000 AA Voorbeeldstad"
	p, err := r.a.planChange(ctx, r.people["cpa"], draft, nil)
	if err != nil {
		t.Fatal(err)
	}
	keepSigned(t, r, r.people["bv"], draft, nil)
	if _, err := r.a.keepChange(ctx, r.people["cpa"], p, []byte("%PDF-"), "CN=x", time.Now()); !i18n.Is(err, "org.change.section_pending") {
		t.Errorf("kept over a newer pending change: %v", err)
	}
	reg, _ := r.a.Register(ctx)
	if len(reg.Changes) != 1 {
		t.Errorf("%d changes kept", len(reg.Changes))
	}
}

func TestCancellationEffectsNameWhatStops(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	newRegister(t, path, 4).a.Close()
	a, err := Open(context.Background(), Config{DBPath: path, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	lines, err := a.CancellationEffects(context.Background(), i18n.NL)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"het bestellen en verlengen van certificaten onder abonneenummer 100234",
		"de registratie bij KPN van 5 actieve personen (Bevoegd Vertegenwoordiger, Contactpersonen en Certificaatbeheerders) en hun toegang",
		"het verlengen van de 5 geldige certificaten (4 server, 1 groep); deze opzegging trekt ze niet in: trek certificaten die u niet meer gebruikt apart in",
	}
	if len(lines) != 3 || lines[0] != want[0] || lines[1] != want[1] || lines[2] != want[2] {
		t.Errorf("effects\n%q\nwant\n%q", lines, want)
	}
}

func marshalSorted(ps []org.Person) ([]byte, error) {
	cp := append([]org.Person(nil), ps...)
	sort.Slice(cp, func(i, j int) bool { return cp[i].ID < cp[j].ID })
	return json.Marshal(cp)
}

// A pending change deactivating a contact, then a new-BV change naming
// that contact: the second is refused when signed; and should one get
// through anyway (kept before the rule), confirming both never leaves the
// organisation without its one active Bevoegd Vertegenwoordiger.
func TestPendingDeactivationBlocksNewBV(t *testing.T) {
	r := newRegister(t, filepath.Join(t.TempDir(), "db"), 1)
	r.a.KeepDocumentKeysInSession()
	ctx := context.Background()
	deactivate := keepSigned(t, r, r.people["cpa"], org.ChangeDraft{Sections: []org.Section{org.SectionContacts},
		Contacts: []org.ContactChange{{Action: org.ContactDeactivate, Person: org.Person{ID: "cpb"}}}}, nil)
	newBV := org.ChangeDraft{Sections: []org.Section{org.SectionBV}, NewBV: &org.NewBV{Person: org.Person{ID: "cpb"}, CurrentStaysAs: org.ContactpersoonAlle}}
	if _, _, err := r.a.SubmitChange(ctx, r.people["bv"], newBV, nil, r.signing(t, r.people["bv"])); !i18n.Is(err, "org.change.person_pending") {
		t.Fatalf("new BV touched by a pending change: %v", err)
	}
	// The other order: the BV change first, then the deactivation.
	if _, err := r.a.CancelChange(ctx, r.people["cpa"], deactivate.Number, ""); err != nil {
		t.Fatal(err)
	}
	bv := keepSigned(t, r, r.people["bv"], newBV, nil)
	if _, _, err := r.a.SubmitChange(ctx, r.people["cpa"], org.ChangeDraft{Sections: []org.Section{org.SectionContacts},
		Contacts: []org.ContactChange{{Action: org.ContactDeactivate, Person: org.Person{ID: "cpb"}}}}, nil, r.signing(t, r.people["cpa"])); !i18n.Is(err, "org.change.person_pending") {
		t.Fatalf("deactivating the pending new BV: %v", err)
	}
	if _, err := r.a.ConfirmChange(ctx, r.people["bv"], bv.Number, "KPN-1"); err != nil {
		t.Fatal(err)
	}
	if reg, _ := r.a.Register(ctx); len(activeBVs(reg.People)) != 1 || activeBVs(reg.People)[0].ID != "cpb" {
		t.Fatalf("after the new BV: %+v", activeBVs(reg.People))
	}
}

func activeBVs(people []org.Person) []org.Person {
	var out []org.Person
	for _, p := range people {
		if p.Active && p.Role == org.BevoegdVertegenwoordiger {
			out = append(out, p)
		}
	}
	return out
}

// Confirmation checks the change again against the register as it is
// then: a change kept pending while another one, confirmed first, took
// away what it relied on is refused with the reason, and nothing changes.
func TestConfirmRechecksRegister(t *testing.T) {
	r := newRegister(t, filepath.Join(t.TempDir(), "db"), 1)
	r.a.KeepDocumentKeysInSession()
	ctx := context.Background()
	deactivate := keepSigned(t, r, r.people["cpa"], org.ChangeDraft{Sections: []org.Section{org.SectionContacts},
		Contacts: []org.ContactChange{{Action: org.ContactDeactivate, Person: org.Person{ID: "cpb"}}}}, nil)
	// A BV change for cpb kept as an older pkiodesk would have: planned
	// without the pending deactivation in view.
	reg, _ := r.a.Register(ctx)
	reg.Changes = nil
	snap := org.Snapshot{Organisation: reg.Organisation, People: reg.People}
	bv, err := org.PlanChange(r.people["bv"], snap, org.ChangeDraft{Sections: []org.Section{org.SectionBV},
		NewBV: &org.NewBV{Person: org.Person{ID: "cpb"}, CurrentStaysAs: org.ContactpersoonAlle}}, "BV-20260101-AAAAAA", time.Now(), func() string { return "x" })
	if err != nil {
		t.Fatal(err)
	}
	putRawChange(t, r.a, bv)
	if _, err := r.a.ConfirmChange(ctx, r.people["cpa"], deactivate.Number, "KPN-1"); err != nil {
		t.Fatal(err)
	}
	_, err = r.a.ConfirmChange(ctx, r.people["bv"], bv.Number, "KPN-2")
	if !i18n.Is(err, "org.change.confirm_conflict") || !i18n.Is(err, "org.change.not_active_contact") {
		t.Fatalf("confirming a new BV who was deactivated meanwhile: %v", err)
	}
	msg := i18n.Localize(i18n.NL, err)
	if !strings.Contains(msg, bv.Number) || !strings.Contains(msg, "geen actieve Contactpersoon") {
		t.Errorf("message %q", msg)
	}
	after, _ := r.a.Register(ctx)
	if bvs := activeBVs(after.People); len(bvs) != 1 || bvs[0].ID != r.people["bv"].ID {
		t.Errorf("active BVs %+v", bvs)
	}
	if ch, _ := findChange(after.Changes, bv.Number); ch.State != org.ChangePending {
		t.Errorf("refused change is %s", ch.State)
	}
}

func findChange(cs []org.Change, number string) (org.Change, bool) {
	for _, c := range cs {
		if c.Number == number {
			return c, true
		}
	}
	return org.Change{}, false
}

// Two pending changes cannot register one e-mail address twice: the
// second is refused when signed, and confirmation checks again.
func TestPendingChangesSameEmail(t *testing.T) {
	r := newRegister(t, filepath.Join(t.TempDir(), "db"), 1)
	r.a.KeepDocumentKeysInSession()
	ctx := context.Background()
	add := func(email string) org.ChangeDraft {
		return org.ChangeDraft{Sections: []org.Section{org.SectionContacts}, Contacts: []org.ContactChange{
			{Action: org.ContactAdd, Person: org.Person{Name: "Sanne de Vries", Email: email, Phone: "020 555 0110", Role: org.ContactpersoonAlle}}}}
	}
	first := keepSigned(t, r, r.people["cpa"], add("s.devries@voorbeeldstad.nl"), []IDCopy{{Contact: 0, Name: "a.jpg", Data: idCopyBytes(t)}})
	_, _, err := r.a.SubmitChange(ctx, r.people["bv"], add("S.deVries@voorbeeldstad.nl"), []IDCopy{{Contact: 0, Name: "a.jpg", Data: idCopyBytes(t)}}, r.signing(t, r.people["bv"]))
	if !i18n.Is(err, "org.change.email_pending") || !strings.Contains(i18n.Localize(i18n.NL, err), first.Number) {
		t.Fatalf("second change with the same e-mail: %v", err)
	}
	// A new BV with that address is refused the same way.
	_, _, err = r.a.SubmitChange(ctx, r.people["bv"], org.ChangeDraft{Sections: []org.Section{org.SectionBV}, NewBV: &org.NewBV{
		Person: org.Person{Name: "Sanne de Vries", Email: "s.devries@voorbeeldstad.nl", Phone: "020 555 0110"}}}, nil, r.signing(t, r.people["bv"]))
	if !i18n.Is(err, "org.change.email_pending") {
		t.Fatalf("new BV with a pending e-mail: %v", err)
	}
	// One kept without that check is refused at confirmation.
	reg, _ := r.a.Register(ctx)
	snap := org.Snapshot{Organisation: reg.Organisation, People: reg.People}
	d := add("s.devries@voorbeeldstad.nl")
	d.Contacts[0].IDCopy = &org.IDCopyRef{FileName: "a.jpg", MediaType: "image/jpeg", Size: 1, SHA256: strings.Repeat("00", 32)}
	second, err := org.PlanChange(r.people["bv"], snap, d, "WIJZ-20260101-BBBBBB", time.Now(), func() string { return "nieuw-2" })
	if err != nil {
		t.Fatal(err)
	}
	putRawChange(t, r.a, second)
	if _, err := r.a.ConfirmChange(ctx, r.people["bv"], first.Number, "KPN-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.a.ConfirmChange(ctx, r.people["bv"], second.Number, "KPN-2"); !i18n.Is(err, "org.person.email_taken") {
		t.Fatalf("second confirmation with the same e-mail: %v", err)
	}
	if p, err := r.a.FindPerson(ctx, "s.devries@voorbeeldstad.nl"); err != nil || p.ID == "nieuw-2" {
		t.Errorf("by e-mail: %+v %v", p, err)
	}
}

// putRawChange stores a pending change as it is, without the checks of
// signing: a record an earlier pkiodesk kept, or one the checks of today
// would refuse.
func putRawChange(t *testing.T, a *App, ch org.Change) {
	t.Helper()
	reg, err := a.orgRegister()
	if err != nil {
		t.Fatal(err)
	}
	ch.State = org.ChangePending
	if err := reg.UpdateOrganisation(context.Background(), func(tx store.OrgTx) error { return putChange(tx, ch) }); err != nil {
		t.Fatal(err)
	}
}

// Once the CA's confirmation of the cancellation is recorded, only viewing
// is left: no change form, no order, no renewal or revocation, no manager
// form, each refused with the date; a pending change can still be
// withdrawn (that deletes its ID copies).
func TestCancelledSubscriptionStopsEverything(t *testing.T) {
	r := newRegister(t, filepath.Join(t.TempDir(), "db"), 1)
	r.a.KeepDocumentKeysInSession()
	ctx := context.Background()
	pending := keepSigned(t, r, r.people["cpa"], contactsDraft(), []IDCopy{{Contact: 0, Name: "p.jpg", Data: idCopyBytes(t)}})
	c := keepSigned(t, r, r.people["bv"], org.ChangeDraft{Sections: []org.Section{org.SectionCancel}}, nil)
	if _, err := r.a.ConfirmChange(ctx, r.people["bv"], c.Number, "KPN"); err != nil {
		t.Fatal(err)
	}
	reg, _ := r.a.Register(ctx)
	date := reg.Organisation.CancelledAt.Local().Format("02-01-2006")
	refused := func(what string, err error) {
		t.Helper()
		if !i18n.Is(err, "org.denied_cancelled") || !strings.Contains(i18n.Localize(i18n.NL, err), date) {
			t.Errorf("%s after the cancellation: %v", what, err)
		}
	}
	d := org.NewDraft(reg.Organisation)
	d.Sections = []org.Section{org.SectionBilling}
	d.Organisation.BillingAddress = "Postbus 99"
	_, err := r.a.PrepareChange(ctx, r.people["cpa"], d, nil)
	refused("change form", err)
	_, err = r.a.Orders.NewDraft(ctx, order.ProductPKIoPrivate, r.people["cpa"])
	refused("order", err)
	_, err = r.a.ConfirmChange(ctx, r.people["cpa"], pending.Number, "KPN-2")
	refused("confirming a pending change", err)
	// The person as a login reads them carries the date: every matrix
	// check on the screens refuses but viewing.
	holder := org.InOrganisation(r.people["bv"], reg.Organisation)
	for _, p := range org.Permissions() {
		err := org.Check(holder, p)
		switch p {
		case org.ViewOrganisation, org.RequestPersonalReports, org.ViewJournal:
			if err != nil {
				t.Errorf("%s: %v", p, err)
			}
		default:
			refused(string(p), err)
		}
	}
	if _, err := r.a.CancelChange(ctx, r.people["cpa"], pending.Number, "abonnement opgezegd"); err != nil {
		t.Errorf("withdrawing after the cancellation: %v", err)
	}
	confirmed, _ := findChange(reg.Changes, c.Number)
	if err := CheckWithdrawChange(holder, confirmed); !i18n.Is(err, "org.change.not_pending") {
		t.Errorf("withdrawing the confirmed cancellation: %v", err)
	}
}

// One ID copy per new contact person: a second one for the same person is
// refused, and nothing is signed or kept.
func TestSecondIDCopyForOneContactRefused(t *testing.T) {
	r := newRegister(t, filepath.Join(t.TempDir(), "db"), 1)
	r.a.KeepDocumentKeysInSession()
	ctx := context.Background()
	_, _, err := r.a.SubmitChange(ctx, r.people["cpa"], contactsDraft(), []IDCopy{{Contact: 0, Name: "a.jpg", Data: idCopyBytes(t)}, {Contact: 0, Name: "b.jpg", Data: idCopyBytes(t)}}, r.signing(t, r.people["cpa"]))
	if !i18n.Is(err, "org.change.id_copy_twice") {
		t.Fatalf("two copies for one contact: %v", err)
	}
	if reg, _ := r.a.Register(ctx); len(reg.Changes) != 0 {
		t.Errorf("%d changes kept", len(reg.Changes))
	}
}

// The note of a confirmation or withdrawal is plain text: too long says
// so, bidi controls, DEL and C1 controls are refused.
func TestCloseChangeNoteIsPlainText(t *testing.T) {
	r := newRegister(t, filepath.Join(t.TempDir(), "db"), 1)
	ctx := context.Background()
	reg, _ := r.a.Register(ctx)
	d := org.NewDraft(reg.Organisation)
	d.Sections = []org.Section{org.SectionBilling}
	d.Organisation.BillingAddress = "Postbus 1"
	c := keepSigned(t, r, r.people["cpa"], d, nil)
	_, err := r.a.CancelChange(ctx, r.people["cpa"], c.Number, strings.Repeat("a", 501))
	if !i18n.Is(err, "org.field.note") || !i18n.Is(err, "org.text_long") || !strings.Contains(i18n.Localize(i18n.NL, err), "te lang") {
		t.Errorf("501 characters: %v", err)
	}
	for _, note := range []string{"KPN\u202e1", "KPN\u007f", "KPN\u0085-1", "KPN\u2028-1"} {
		if _, err := r.a.ConfirmChange(ctx, r.people["cpa"], c.Number, note); !i18n.Is(err, "org.text_control") {
			t.Errorf("note %q: %v", note, err)
		}
	}
	if _, err := r.a.ConfirmChange(ctx, r.people["cpa"], c.Number, strings.Repeat("é", 500)); err != nil {
		t.Errorf("500 characters: %v", err)
	}
}
