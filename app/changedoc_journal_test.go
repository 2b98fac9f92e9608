package app

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"pkiodesk/app/audit"
	"pkiodesk/app/inventory"
	"pkiodesk/app/org"
)

// Opening, saving or printing a signed change form that carries an ID
// copy is journaled with its number and how many copies, never the
// copy's content or its original name; one without copies is not.
func TestHandingOutAChangeFormWithIDCopiesIsJournaled(t *testing.T) {
	r := newRegister(t, filepath.Join(t.TempDir(), "db"), 1)
	ctx := context.Background()
	original := "paspoort-NX1234567.jpg"
	photo := idCopyBytes(t)
	ch, _, err := r.a.SubmitChange(ctx, r.people["cpa"], contactsDraft(), []IDCopy{{Contact: 0, Name: original, Data: photo}}, r.signing(t, r.people["cpa"]))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.a.ChangeDocumentFile(ctx, ch.Number, DocumentOpened); err != nil {
		t.Fatal(err)
	}
	if err := r.a.JournalChangeDocument(ctx, ch.Number, DocumentSaved); err != nil {
		t.Fatal(err)
	}
	if _, err := r.a.ChangeDocumentFile(ctx, ch.Number, DocumentPrinted); err != nil {
		t.Fatal(err)
	}
	defer r.a.RemovePrivateFiles()
	for _, act := range []audit.Action{audit.ChangeDocOpened, audit.ChangeDocSaved, audit.ChangeDocPrinted} {
		es, err := r.a.Journal.List(ctx, audit.Filter{Action: act})
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 1 || es[0].Object != audit.ChangeNumber(ch.Number) || es[0].Count != 1 || es[0].Outcome != audit.OK {
			t.Errorf("%s: entries %+v", act, es)
		}
	}
	if err := r.a.JournalChangeDocument(ctx, ch.Number, audit.Login); err == nil {
		t.Error("a use that is not opening, saving or printing was journaled")
	}

	var csv bytes.Buffer
	if _, err := r.a.ExportJournal(ctx, &csv, audit.Filter{}, inventory.CSVOptions{}); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(csv.Bytes(), []byte("NX1234567")) || bytes.Contains(csv.Bytes(), photo[len(photo)/2:len(photo)/2+32]) {
		t.Error("the journal holds the ID copy's name or content")
	}

	// A change without ID copies: nothing to journal.
	reg, err := r.a.Register(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d := org.NewDraft(reg.Organisation)
	d.Sections = []org.Section{org.SectionBilling}
	d.Organisation.BillingReference = "ICT-7777"
	d.Organisation.BillingAddress = "Postbus 1\n1000 AA Voorbeeldstad"
	plain, _, err := r.a.SubmitChange(ctx, r.people["cpa"], d, nil, r.signing(t, r.people["cpa"]))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.a.ChangeDocumentFile(ctx, plain.Number, DocumentOpened); err != nil {
		t.Fatal(err)
	}
	if es, _ := r.a.Journal.List(ctx, audit.Filter{Action: audit.ChangeDocOpened}); len(es) != 1 {
		t.Errorf("a form without ID copies was journaled: %d entries", len(es))
	}
}
