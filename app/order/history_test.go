package order

import (
	"context"
	"strings"
	"testing"

	"pkiodesk/app/i18n"
)

// History notes are message keys with arguments, rendered in the reader's
// language; never English text or Go names.
func TestHistoryNotesAreMessageKeys(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	card := newCard(t, d.bv)
	r, err := d.NewDraft(ctx, ProductESealCloud, d.bv)
	if err != nil {
		t.Fatal(err)
	}
	box := Outbox{Dir: t.TempDir()}
	sub, err := d.PlaceAndSubmit(ctx, r.Order.ID, d.bv, card.signing(), box)
	if err != nil {
		t.Fatal(err)
	}
	last := sub.Life.History[len(sub.Life.History)-1]
	if last.Note != "" || last.NoteKey != "order.note.outbox" || !strings.Contains(last.NoteText(i18n.NL), "uitgaande map") ||
		!strings.Contains(last.NoteText(i18n.EN), "outbox folder") || !strings.Contains(last.NoteText(i18n.NL), sub.Life.SubmittedTo) {
		t.Errorf("submitted: %+v: %q / %q", last, last.NoteText(i18n.NL), last.NoteText(i18n.EN))
	}
	if _, err := d.StartActivation(ctx, r.Order.ID, "ABC-123456", d.bv, failingConfirmer{}); err == nil {
		t.Fatal("failing confirmer confirmed")
	}
	d.clock.Add(ActivationLock)
	rec, err := d.StartActivation(ctx, r.Order.ID, "ABC-123456", d.bv, CardConfirmer{Key: card.signer.Key, Cert: card.signer.Chain[0]})
	if err != nil {
		t.Fatal(err)
	}
	var nl, en []string
	for _, e := range rec.Life.History {
		if e.Note != "" {
			t.Errorf("plain note stored: %+v", e)
		}
		nl, en = append(nl, e.NoteText(i18n.NL)), append(en, e.NoteText(i18n.EN))
	}
	for _, want := range []string{"activering gestart", "activering mislukt", "activering bevestigd"} {
		if !strings.Contains(strings.Join(nl, "|"), want) {
			t.Errorf("NL history lacks %q: %q", want, nl)
		}
	}
	for _, want := range []string{"activation started", "activation failed", "activation confirmed"} {
		if !strings.Contains(strings.Join(en, "|"), want) {
			t.Errorf("EN history lacks %q: %q", want, en)
		}
	}

	// The CA's own reason is its text, kept as it is.
	rej, err := d.Reject(ctx, r.Order.ID, "Uitnodiging verlopen", d.bv)
	if err != nil {
		t.Fatal(err)
	}
	if e := rej.Life.History[len(rej.Life.History)-1]; e.NoteText(i18n.EN) != "Uitnodiging verlopen" {
		t.Errorf("rejection note: %+v", e)
	}
}

// Records written by an earlier version hold plain text: they are still
// read, the known ones in the reader's language.
func TestHistoryReadsOldPlainNotes(t *testing.T) {
	for note, want := range map[string][2]string{
		"order.Outbox":                 {"in de uitgaande map gezet", "put in the outbox folder"},
		"revocation confirmed":         {"intrekking bevestigd", "revocation confirmed"},
		"certificate 0123456789abcdef": {"certificaat 0123456789abcdef", "certificate 0123456789abcdef"},
		"activation started":           {"activering gestart", "activation started"},
		"activation failed":            {"activering mislukt", "activation failed"},
		"iets anders\x1b[2J":           {"iets anders", "iets anders"},
	} {
		e := Event{Note: note}
		if got := e.NoteText(i18n.NL); !strings.HasPrefix(got, want[0]) {
			t.Errorf("%q in Dutch: %q", note, got)
		}
		if got := e.NoteText(i18n.EN); !strings.HasPrefix(got, want[1]) {
			t.Errorf("%q in English: %q", note, got)
		}
		if strings.ContainsRune(e.NoteText(i18n.NL), 0x1b) {
			t.Errorf("control character shown: %q", e.NoteText(i18n.NL))
		}
	}
	// A stored key the catalogue does not know is shown as it is, not as
	// a message.
	if got := (Event{NoteKey: "bestaat.niet", NoteArgs: []string{"x"}}).NoteText(i18n.NL); got == "" {
		t.Error("unknown key shown empty")
	}
}
