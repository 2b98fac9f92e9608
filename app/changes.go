package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"pkiodesk/app/audit"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
	"pkiodesk/app/store"
)

// The change forms of the manual's 7.2: checked, signed with the card,
// kept pending until the CA confirms them, then laid onto the register.

// documentsCollection keeps each change's signed PDF by number: as it is,
// or encrypted when it carries ID copies (changevault.go).
const documentsCollection = "org-change-documents"

// IDCopy is the content of a new contact person's ID copy; Contact is the
// index of the person in the draft's Contacts.
type IDCopy struct {
	Contact int
	Name    string
	Data    []byte
}

func snapshot(tx store.OrgTx) (org.Snapshot, error) {
	var s org.Snapshot
	var err error
	if s.Organisation, _, err = tx.Organisation(); err != nil {
		return s, err
	}
	if s.People, err = tx.People(); err != nil {
		return s, err
	}
	s.Changes, err = readChanges(tx)
	return s, err
}

// withIDCopies describes each ID copy in the draft (never holding it):
// one per new contact person, under a neutral name
// (identiteitsbewijs-1.jpg: a file's own name often holds the document
// number).
func withIDCopies(d org.ChangeDraft, copies []IDCopy) (org.ChangeDraft, error) {
	d.Contacts = append([]org.ContactChange(nil), d.Contacts...)
	// Only the copies given here are attached: a reference the draft
	// carries without its content counts for nothing.
	for i := range d.Contacts {
		d.Contacts[i].IDCopy = nil
	}
	for i, c := range copies {
		if c.Contact < 0 || c.Contact >= len(d.Contacts) || d.Contacts[c.Contact].Action != org.ContactAdd {
			return d, i18n.E("org.change.id_copy_new_only", nil)
		}
		name := cert.Printable(d.Contacts[c.Contact].Person.Name)
		if d.Contacts[c.Contact].IDCopy != nil {
			return d, i18n.E("org.change.id_copy_twice", nil, name)
		}
		ref, err := org.ValidateIDCopy(fmt.Sprintf("identiteitsbewijs-%d", i+1), c.Data)
		if err != nil {
			return d, i18n.E("org.change.id_copy_of", err, name)
		}
		d.Contacts[c.Contact].IDCopy = &ref
	}
	return d, nil
}

// changeNumber is WIJZ-, BV- or OPZ- with the date and a random part.
func changeNumber(sections []org.Section, now time.Time) string {
	prefix := "WIJZ"
	for _, s := range sections {
		switch s {
		case org.SectionBV:
			prefix = "BV"
		case org.SectionCancel:
			prefix = "OPZ"
		}
	}
	b := make([]byte, 3)
	rand.Read(b)
	return fmt.Sprintf("%s-%s-%s", prefix, now.UTC().Format("20060102"), strings.ToUpper(hex.EncodeToString(b)))
}

// plannedChange is a checked change and what made it: the draft with its
// ID copies described, and the IDs it gave new people (so that checking
// it again inside the storing transaction gives the same change).
type plannedChange struct {
	change org.Change
	draft  org.ChangeDraft
	ids    []string
	reg    org.Snapshot
}

// PrepareChange checks a draft against the register as it is: the form's
// rules, the matrix, pending changes. Nothing is stored.
func (a *App) PrepareChange(ctx context.Context, who org.Person, d org.ChangeDraft, copies []IDCopy) (org.Change, error) {
	p, err := a.planChange(ctx, who, d, copies)
	return p.change, err
}

func (a *App) planChange(ctx context.Context, who org.Person, d org.ChangeDraft, copies []IDCopy) (plannedChange, error) {
	reg, err := a.orgRegister()
	if err != nil {
		return plannedChange{}, err
	}
	d, err = withIDCopies(d, copies)
	if err != nil {
		return plannedChange{}, err
	}
	var out plannedChange
	err = reg.ViewOrganisation(ctx, func(tx store.OrgTx) error {
		snap, err := snapshot(tx)
		if err != nil {
			return err
		}
		current, ok := org.FindPerson(snap.People, who.ID)
		if !ok {
			return i18n.E("org.person.unknown", nil)
		}
		current = org.InOrganisation(current, snap.Organisation)
		now := a.Inventory.Now()
		var ids []string
		ch, err := org.PlanChange(current, snap, d, changeNumber(d.Sections, now), now, func() string { id := newID(); ids = append(ids, id); return id })
		out = plannedChange{change: ch, draft: d, ids: ids, reg: snap}
		return err
	})
	return out, err
}

// keepChange stores a signed change as pending, after checking it once
// more inside the transaction: a register that changed while the card
// signed (another change sent, a person deactivated) refuses it.
func (a *App) keepChange(ctx context.Context, who org.Person, p plannedChange, pdf []byte, signer string, signedAt time.Time) (org.Change, error) {
	ch := p.change
	sum := sha256.Sum256(pdf)
	ch.Document = org.DocumentRef{SHA256: hex.EncodeToString(sum[:]), Size: len(pdf), Signer: signer, SignedAt: signedAt.UTC()}
	stored := pdf
	if ch.HasIDCopies() {
		sealed, with, err := a.changeDocs.seal(ctx, ch.Number, pdf)
		if err != nil {
			return org.Change{}, i18n.E("org.doc.seal_failed", err)
		}
		stored, ch.Document.Encrypted = sealed, string(with)
	}
	err := a.changeRegister(ctx, who, org.OpenChangeForm, audit.Entry{Action: audit.ChangeForm, Object: audit.ChangeNumber(ch.Number)}, func(tx store.OrgTx, who org.Person, people []org.Person) error {
		snap, err := snapshot(tx)
		if err != nil {
			return err
		}
		ids := append([]string(nil), p.ids...)
		again, err := org.PlanChange(who, snap, p.draft, ch.Number, ch.Created, func() string {
			if len(ids) == 0 {
				return newID()
			}
			id := ids[0]
			ids = ids[1:]
			return id
		})
		if err != nil {
			return err
		}
		if a, b := mustJSON(again.Contacts, again.NewBV, again.Organisation, again.Sections), mustJSON(p.change.Contacts, p.change.NewBV, p.change.Organisation, p.change.Sections); !bytes.Equal(a, b) {
			return i18n.E("org.change.register_changed", nil)
		}
		if err := putChange(tx, ch); err != nil {
			return err
		}
		docs, err := tx.Records(documentsCollection)
		if err != nil {
			return err
		}
		return docs.Put(ch.Number, stored)
	})
	if err != nil {
		if ch.Document.Encrypted != "" {
			_ = a.changeDocs.forget(ctx, ch.Number, KeptWith(ch.Document.Encrypted))
		}
		return org.Change{}, err
	}
	return ch, nil
}

func mustJSON(v ...any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func putChange(tx store.OrgTx, ch org.Change) error {
	rec, err := tx.Records(changesCollection)
	if err != nil {
		return err
	}
	v, err := json.Marshal(ch)
	if err != nil {
		return err
	}
	return rec.Put(ch.Number, v)
}

func getChange(tx store.OrgTx, number string) (org.Change, error) {
	rec, err := tx.Records(changesCollection)
	if err != nil {
		return org.Change{}, err
	}
	v := rec.Get(number)
	if v == nil {
		return org.Change{}, i18n.E("org.change.unknown", nil, cert.Printable(number))
	}
	var ch org.Change
	if err := json.Unmarshal(v, &ch); err != nil {
		return org.Change{}, i18n.E("err.db_corrupt", err, cert.Printable(number))
	}
	return ch, nil
}

// checkClose says whether who may confirm or cancel a change: whoever may
// make each of its sections (so only a Bevoegd Vertegenwoordiger records
// the CA's confirmation of a new one).
func checkClose(who org.Person, ch org.Change) error {
	if err := org.Check(who, org.OpenChangeForm); err != nil {
		return err
	}
	for _, s := range ch.Sections {
		if err := org.Check(who, org.SectionPermission(s)); err != nil {
			return err
		}
	}
	if ch.State != org.ChangePending {
		return i18n.E("org.change.not_pending", nil, ch.Number, i18n.Word("change.state."+string(ch.State)))
	}
	return nil
}

// checkWithdraw says whether who may withdraw a change: as checkClose,
// also after the subscription ended.
func checkWithdraw(who org.Person, ch org.Change) error {
	who.SubscriptionEnded = time.Time{}
	return checkClose(who, ch)
}

// ConfirmChange records that the CA confirmed a change (by hand, with its
// reference) and lays it onto the register, in one transaction. A kept
// document with ID copies is deleted with its key.
func (a *App) ConfirmChange(ctx context.Context, who org.Person, number, reference string) (org.Change, error) {
	return a.closeChange(ctx, who, number, reference, true)
}

// CancelChange withdraws a pending change (or records that the CA refused
// it): nothing in the register changes; ID copies are deleted.
func (a *App) CancelChange(ctx context.Context, who org.Person, number, reason string) (org.Change, error) {
	return a.closeChange(ctx, who, number, reason, false)
}

func (a *App) closeChange(ctx context.Context, who org.Person, number, note string, confirm bool) (org.Change, error) {
	note = strings.TrimSpace(note)
	if err := org.PlainText(note, 500, false); err != nil {
		return org.Change{}, i18n.E("org.field.note", err)
	}
	var out org.Change
	entry := audit.Entry{Action: audit.ChangeCancelled}
	if confirm {
		entry.Action = audit.ChangeConfirmed
	}
	if o := audit.ChangeNumber(number); o.Valid() == nil {
		entry.Object = o
	}
	// Withdrawing only deletes (the ID copies with it), so it stays
	// possible once the subscription has ended; checkWithdraw asks the
	// matrix itself.
	perm, check := org.OpenChangeForm, checkClose
	if !confirm {
		perm, check = org.ViewOrganisation, checkWithdraw
	}
	err := a.changeRegister(ctx, who, perm, entry, func(tx store.OrgTx, who org.Person, people []org.Person) error {
		ch, err := getChange(tx, number)
		if err != nil {
			return err
		}
		if err := check(who, ch); err != nil {
			return err
		}
		now := a.Inventory.Now().UTC()
		if confirm {
			cur, _, err := tx.Organisation()
			if err != nil {
				return err
			}
			next, write, err := ch.Apply(cur, people, now)
			if err != nil {
				return err
			}
			if err := tx.PutOrganisation(next); err != nil {
				return err
			}
			for _, p := range write {
				if err := tx.PutPerson(p); err != nil {
					return err
				}
			}
			ch.State = org.ChangeConfirmed
		} else {
			ch.State = org.ChangeCancelled
		}
		ch.Closed, ch.ClosedBy, ch.Note = now, who.Name, note
		if ch.Document.Encrypted != "" {
			docs, err := tx.Records(documentsCollection)
			if err != nil {
				return err
			}
			if err := docs.Delete(ch.Number); err != nil {
				return err
			}
			ch.Document.Removed = true
		}
		out = ch
		return putChange(tx, ch)
	})
	if err != nil {
		return org.Change{}, err
	}
	if out.Document.Encrypted != "" {
		if err := a.files.Remove(out.Number + ".pdf"); err != nil {
			return out, i18n.E("org.doc.file", err)
		}
		if err := a.changeDocs.forget(ctx, out.Number, KeptWith(out.Document.Encrypted)); err != nil {
			return out, i18n.E("org.doc.key_not_removed", err, out.Number)
		}
	}
	return out, nil
}

// ChangeDocument returns a change's signed PDF as it was signed.
func (a *App) ChangeDocument(ctx context.Context, number string) ([]byte, error) {
	reg, err := a.orgRegister()
	if err != nil {
		return nil, err
	}
	var ch org.Change
	var stored []byte
	err = reg.ViewOrganisation(ctx, func(tx store.OrgTx) error {
		var err error
		if ch, err = getChange(tx, number); err != nil {
			return err
		}
		docs, err := tx.Records(documentsCollection)
		if err != nil {
			return err
		}
		stored = docs.Get(number)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if stored == nil {
		return nil, i18n.E("org.doc.removed", nil, cert.Printable(number))
	}
	doc := stored
	if ch.Document.Encrypted != "" {
		if doc, err = a.changeDocs.open(ctx, number, KeptWith(ch.Document.Encrypted), stored); err != nil {
			return nil, err
		}
	}
	if sum := sha256.Sum256(doc); hex.EncodeToString(sum[:]) != ch.Document.SHA256 {
		return nil, i18n.E("err.db_corrupt", errors.New("signed document changed"), cert.Printable(number))
	}
	return doc, nil
}

// KeepDocumentKeysInSession keeps the keys of documents with ID copies in
// this process only, never in the OS keyring (tests; a workstation policy).
func (a *App) KeepDocumentKeysInSession() {
	a.changeDocs.mu.Lock()
	defer a.changeDocs.mu.Unlock()
	a.changeDocs.probed = true
	a.changeDocs.keys = nil
}

// CancellationEffects names what stops when the subscription ends, for
// the confirmation step and the signed PDF: ordering under the subscriber
// number, the registration of the people, and the renewal of the
// certificates that are still valid (a cancellation revokes none).
func (a *App) CancellationEffects(ctx context.Context, l i18n.Lang) ([]string, error) {
	reg, err := a.Register(ctx)
	if err != nil {
		return nil, err
	}
	active := 0
	for _, p := range reg.People {
		if p.Active {
			active++
		}
	}
	valid := map[cert.Kind]int{}
	total := 0
	for _, k := range cert.OwnKinds {
		n := len(a.Inventory.Query(inventoryValid(k)).Rows)
		valid[k], total = n, total+n
	}
	var kinds []string
	for _, k := range cert.OwnKinds {
		if valid[k] > 0 {
			kinds = append(kinds, fmt.Sprintf("%d %s", valid[k], i18n.T(l, "cancel.kind."+string(k))))
		}
	}
	out := []string{
		i18n.T(l, "cancel.stops.orders", reg.Organisation.SubscriberNumber),
		i18n.T(l, "cancel.stops.people", active),
	}
	if total > 0 {
		out = append(out, i18n.T(l, "cancel.stops.certs", total, strings.Join(kinds, ", ")))
	}
	return out, nil
}

// DocumentUse is what is done with a change's signed PDF outside
// pkiodesk; for one that carries ID copies it is journaled.
type DocumentUse = audit.Action

const (
	DocumentOpened  DocumentUse = audit.ChangeDocOpened
	DocumentSaved   DocumentUse = audit.ChangeDocSaved
	DocumentPrinted DocumentUse = audit.ChangeDocPrinted
)

// ChangeDocumentFile writes a change's signed PDF to a private file for
// the PDF viewer (DocumentOpened) or the printer (DocumentPrinted), and
// returns its path; one with ID copies is journaled first, and without
// the journal entry there is no file. The file goes when the change is
// confirmed or cancelled, and with the private folder
// (RemovePrivateFiles).
func (a *App) ChangeDocumentFile(ctx context.Context, number string, use DocumentUse) (string, error) {
	if !safeNumber(number) {
		return "", i18n.E("org.change.unknown", nil, cert.Printable(number))
	}
	doc, err := a.ChangeDocument(ctx, number)
	if err != nil {
		return "", err
	}
	if err := a.JournalChangeDocument(ctx, number, use); err != nil {
		return "", err
	}
	return a.PrivateFile(number+".pdf", doc)
}

// JournalChangeDocument records in the journal that a change's signed PDF
// that carries copies of ID documents was opened, saved or printed: its
// number and how many copies, never their content or original names. A
// change without ID copies is not journaled.
func (a *App) JournalChangeDocument(ctx context.Context, number string, use DocumentUse) error {
	if use != DocumentOpened && use != DocumentSaved && use != DocumentPrinted {
		return fmt.Errorf("journal change document: use %q", use)
	}
	reg, err := a.orgRegister()
	if err != nil {
		return err
	}
	var ch org.Change
	if err := reg.ViewOrganisation(ctx, func(tx store.OrgTx) error {
		ch, err = getChange(tx, number)
		return err
	}); err != nil {
		return err
	}
	copies := 0
	for _, c := range ch.Contacts {
		if c.IDCopy != nil {
			copies++
		}
	}
	if copies == 0 {
		return nil
	}
	return a.Journal.Record(ctx, audit.Entry{Who: a.Actor(), Action: use, Object: audit.ChangeNumber(ch.Number), Count: copies})
}

// safeNumber allows only what change numbers are made of.
func safeNumber(n string) bool {
	return n != "" && len(n) <= 40 && strings.Trim(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == ""
}

// CheckCloseChange says whether who may confirm or cancel a change.
func CheckCloseChange(who org.Person, ch org.Change) error { return checkClose(who, ch) }

// CheckWithdrawChange says whether who may withdraw a change (also once
// the subscription has ended).
func CheckWithdrawChange(who org.Person, ch org.Change) error { return checkWithdraw(who, ch) }
