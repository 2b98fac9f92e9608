package org

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"strings"
	"testing"
	"time"

	"pkiodesk/app/i18n"
	"pkiodesk/internal/idcopytest"
)

var changeNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func testSnapshot() Snapshot {
	return Snapshot{
		Organisation: Organisation{Name: "Gemeente Voorbeeldstad", SubscriberNumber: "100234", OIN: "00000001002220647000", KvK: "12345678",
			Address: "Stadhuisplein 1, 1011 AA Voorbeeldstad", BillingAddress: "Postbus 1234\n1000 AB Voorbeeldstad", BillingReference: "ICT-4410"},
		People: testPeople(),
	}
}

func counter() func() string {
	n := 0
	return func() string { n++; return fmt.Sprintf("nieuw-%d", n) }
}

var idRef = &IDCopyRef{FileName: "paspoort.jpg", MediaType: "image/jpeg", Size: 10, SHA256: strings.Repeat("ab", 32)}

func who(id string) Person {
	p, _ := FindPerson(testPeople(), id)
	return p
}

func plan(t *testing.T, by string, reg Snapshot, d ChangeDraft) (Change, error) {
	t.Helper()
	return PlanChange(who(by), reg, d, "WIJZ-1", changeNow, counter())
}

// Every rule of the change form, each with the message it gives.
func TestChangeFormRules(t *testing.T) {
	reg := testSnapshot()
	org := func(edit func(*Organisation)) Organisation { o := reg.Organisation; edit(&o); return o }
	newContact := Person{Name: "Sanne de Vries", Email: "s.devries@voorbeeldstad.nl", Phone: "020 555 0110", Role: ContactpersoonBasis}
	pendingOrg := reg
	pendingOrg.Changes = []Change{{Number: "WIJZ-0", State: ChangePending, Sections: []Section{SectionOrganisation}},
		{Number: "WIJZ-00", State: ChangePending, Sections: []Section{SectionContacts}, Contacts: []ContactChange{{Action: ContactUpdate, Person: Person{ID: "cpa"}}}},
		{Number: "BV-0", State: ChangeConfirmed, Sections: []Section{SectionBV}, NewBV: &NewBV{}}}
	cancelled := reg
	cancelled.Organisation.CancelledAt = changeNow

	for _, c := range []struct {
		name, by string
		reg      Snapshot
		d        ChangeDraft
		want     string
	}{
		// The matrix, section by section.
		{"basic rights cannot open the form", "cpb", reg, ChangeDraft{Sections: []Section{SectionBilling}}, "org.denied.open-change-form"},
		{"contact cannot change the BV", "cpa", reg, ChangeDraft{Sections: []Section{SectionBV}}, "org.denied.change-bv"},
		{"contact cannot cancel", "cpa", reg, ChangeDraft{Sections: []Section{SectionCancel}}, "org.denied.cancel-subscription"},
		{"inactive", "old", reg, ChangeDraft{Sections: []Section{SectionBilling}}, "org.denied_inactive"},
		{"manager", "cb1", reg, ChangeDraft{Sections: []Section{SectionBilling}}, "org.denied.open-change-form"},
		// The seed's scenarios and the form's own rules.
		{"BV with contacts (scenario 2)", "bv", reg, ChangeDraft{Sections: []Section{SectionContacts, SectionBV}}, "org.change.bv_with_contacts"},
		{"cancel with other changes", "bv", reg, ChangeDraft{Sections: []Section{SectionOrganisation, SectionCancel}}, "org.change.cancel_alone"},
		{"no section", "bv", reg, ChangeDraft{}, "org.change.no_section"},
		{"unknown section", "bv", reg, ChangeDraft{Sections: []Section{SectionBilling, "alles"}}, "org.change.section_unknown"},
		{"pending section", "cpa", pendingOrg, ChangeDraft{Sections: []Section{SectionOrganisation}, Organisation: org(func(o *Organisation) { o.Phone = "14 020" })}, "org.change.section_pending"},
		// Organisation and billing data.
		{"organisation unchanged", "cpa", reg, ChangeDraft{Sections: []Section{SectionOrganisation}, Organisation: reg.Organisation}, "org.change.section_unchanged"},
		{"billing unchanged", "cpa", reg, ChangeDraft{Sections: []Section{SectionBilling}, Organisation: org(func(o *Organisation) { o.Phone = "14 020" })}, "org.change.section_unchanged"},
		{"bad OIN", "cpa", reg, ChangeDraft{Sections: []Section{SectionOrganisation}, Organisation: org(func(o *Organisation) { o.OIN = "123" })}, "org.oin_invalid"},
		{"no name", "cpa", reg, ChangeDraft{Sections: []Section{SectionOrganisation}, Organisation: org(func(o *Organisation) { o.Name = "  " })}, "org.name_required"},
		{"no address", "cpa", reg, ChangeDraft{Sections: []Section{SectionOrganisation}, Organisation: org(func(o *Organisation) { o.Address = "" })}, "org.change.address_required"},
		{"control characters", "cpa", reg, ChangeDraft{Sections: []Section{SectionOrganisation}, Organisation: org(func(o *Organisation) { o.Address = "Straat\x1b[2J 1" })}, "org.field.address"},
		{"bad e-mail", "cpa", reg, ChangeDraft{Sections: []Section{SectionOrganisation}, Organisation: org(func(o *Organisation) { o.Email = "info@" })}, "org.person.email_invalid"},
		{"no billing address", "bv", reg, ChangeDraft{Sections: []Section{SectionBilling}, Organisation: org(func(o *Organisation) { o.BillingAddress = "\n" })}, "org.change.billing_address_required"},
		{"bad billing e-mail", "bv", reg, ChangeDraft{Sections: []Section{SectionBilling}, Organisation: org(func(o *Organisation) { o.BillingEmail = "facturen" })}, "org.person.email_invalid"},
		// Contact persons.
		{"contacts without changes", "cpa", reg, ChangeDraft{Sections: []Section{SectionContacts}}, "org.change.no_contacts"},
		{"contacts without the section", "cpa", reg, ChangeDraft{Sections: []Section{SectionBilling}, Organisation: org(func(o *Organisation) { o.BillingReference = "X" }),
			Contacts: []ContactChange{{Action: ContactDeactivate, Person: Person{ID: "cpb"}}}}, "org.change.contacts_unchosen"},
		{"new contact without ID copy", "cpa", reg, ChangeDraft{Sections: []Section{SectionContacts}, Contacts: []ContactChange{{Action: ContactAdd, Person: newContact}}}, "org.change.id_copy_required"},
		{"new contact as BV", "cpa", reg, ChangeDraft{Sections: []Section{SectionContacts}, Contacts: []ContactChange{{Action: ContactAdd, Person: func() Person { p := newContact; p.Role = BevoegdVertegenwoordiger; return p }(), IDCopy: idRef}}}, "org.change.contact_role"},
		{"new contact with a taken address", "cpa", reg, ChangeDraft{Sections: []Section{SectionContacts}, Contacts: []ContactChange{{Action: ContactAdd, Person: func() Person { p := newContact; p.Email = "Z.Brouwer@voorbeeldstad.nl"; return p }(), IDCopy: idRef}}}, "org.person.email_taken"},
		{"new contact twice", "cpa", reg, ChangeDraft{Sections: []Section{SectionContacts}, Contacts: []ContactChange{{Action: ContactAdd, Person: newContact, IDCopy: idRef}, {Action: ContactAdd, Person: newContact, IDCopy: idRef}}}, "org.change.person_twice"},
		{"new contact, bad phone", "cpa", reg, ChangeDraft{Sections: []Section{SectionContacts}, Contacts: []ContactChange{{Action: ContactAdd, Person: func() Person { p := newContact; p.Phone = "bel me"; return p }(), IDCopy: idRef}}}, "org.person.phone_invalid"},
		{"update someone unknown", "cpa", reg, ChangeDraft{Sections: []Section{SectionContacts}, Contacts: []ContactChange{{Action: ContactUpdate, Person: Person{ID: "x"}}}}, "org.person.unknown"},
		{"update someone inactive", "cpa", reg, ChangeDraft{Sections: []Section{SectionContacts}, Contacts: []ContactChange{{Action: ContactUpdate, Person: Person{ID: "old"}}}}, "org.change.not_active_contact"},
		{"deactivate the BV as a contact", "cpa", reg, ChangeDraft{Sections: []Section{SectionContacts}, Contacts: []ContactChange{{Action: ContactDeactivate, Person: Person{ID: "bv"}}}}, "org.change.not_active_contact"},
		{"deactivate a manager as a contact", "cpa", reg, ChangeDraft{Sections: []Section{SectionContacts}, Contacts: []ContactChange{{Action: ContactDeactivate, Person: Person{ID: "cb1"}}}}, "org.change.not_active_contact"},
		{"update and deactivate one person", "cpa", reg, ChangeDraft{Sections: []Section{SectionContacts}, Contacts: []ContactChange{{Action: ContactDeactivate, Person: Person{ID: "cpb"}}, {Action: ContactUpdate, Person: who("cpb")}}}, "org.change.person_twice"},
		{"update unchanged", "cpa", reg, ChangeDraft{Sections: []Section{SectionContacts}, Contacts: []ContactChange{{Action: ContactUpdate, Person: who("cpb")}}}, "org.change.person_unchanged"},
		{"update with an ID copy", "cpa", reg, ChangeDraft{Sections: []Section{SectionContacts}, Contacts: []ContactChange{{Action: ContactDeactivate, Person: Person{ID: "cpb"}, IDCopy: idRef}}}, "org.change.id_copy_new_only"},
		{"person with a pending change", "bv", pendingOrg, ChangeDraft{Sections: []Section{SectionContacts}, Contacts: []ContactChange{{Action: ContactDeactivate, Person: Person{ID: "cpa"}}}}, "org.change.person_pending"},
		{"unknown action", "cpa", reg, ChangeDraft{Sections: []Section{SectionContacts}, Contacts: []ContactChange{{Action: "verwijder", Person: Person{ID: "cpb"}}}}, "org.change.action_unknown"},
		// A new Bevoegd Vertegenwoordiger.
		{"BV without data", "bv", reg, ChangeDraft{Sections: []Section{SectionBV}}, "org.change.bv_missing"},
		{"BV is the same", "bv", reg, ChangeDraft{Sections: []Section{SectionBV}, NewBV: &NewBV{Person: Person{ID: "bv"}}}, "org.change.bv_same"},
		{"BV is a manager", "bv", reg, ChangeDraft{Sections: []Section{SectionBV}, NewBV: &NewBV{Person: Person{ID: "cb1"}}}, "org.change.not_active_contact"},
		{"new BV with a taken address", "bv", reg, ChangeDraft{Sections: []Section{SectionBV}, NewBV: &NewBV{Person: Person{Name: "X", Email: "d.meijer@voorbeeldstad.nl", Phone: "0101234567"}}}, "org.person.email_taken"},
		{"old BV becomes a manager", "bv", reg, ChangeDraft{Sections: []Section{SectionBV}, NewBV: &NewBV{Person: Person{ID: "cpa"}, CurrentStaysAs: Certificaatbeheerder}}, "org.change.contact_role"},
		// Cancelling the subscription.
		{"already cancelled", "bv", cancelled, ChangeDraft{Sections: []Section{SectionCancel}}, "org.change.already_cancelled"},
		{"reason with control characters", "bv", reg, ChangeDraft{Sections: []Section{SectionCancel}, Cancellation: &Cancellation{Reason: "weg\x00"}}, "org.field.reason"},
	} {
		_, err := plan(t, c.by, c.reg, c.d)
		if !i18n.Is(err, c.want) {
			t.Errorf("%s: %v, want %s", c.name, err, c.want)
			continue
		}
		if nl := i18n.Localize(i18n.NL, err); strings.Contains(nl, "org.") || strings.Contains(nl, "%!") {
			t.Errorf("%s: message %q", c.name, nl)
		}
	}
	// Only the pending BV change blocks another (the confirmed one does not).
	pendingBV := reg
	pendingBV.Changes = []Change{{Number: "BV-1", State: ChangePending, Sections: []Section{SectionBV}, NewBV: &NewBV{}}}
	if _, err := plan(t, "bv", pendingBV, ChangeDraft{Sections: []Section{SectionBV}, NewBV: &NewBV{Person: Person{ID: "cpa"}}}); !i18n.Is(err, "org.change.section_pending") ||
		i18n.Localize(i18n.NL, err) != "voor Bevoegd Vertegenwoordiger is al een wijziging in behandeling (BV-1); wacht op de bevestiging of trek die wijziging in" {
		t.Errorf("pending BV: %v", i18n.Localize(i18n.NL, err))
	}
	if _, err := plan(t, "bv", pendingOrg, ChangeDraft{Sections: []Section{SectionBV}, NewBV: &NewBV{Person: Person{ID: "cpb"}}}); err != nil {
		t.Errorf("a confirmed BV change blocks: %v", err)
	}
}

func TestChangeFormPlansAndApplies(t *testing.T) {
	reg := testSnapshot()
	d := NewDraft(reg.Organisation)
	d.Sections = []Section{SectionContacts, SectionBilling, SectionBilling}
	d.Organisation.BillingAddress = "Postbus 99\r\n1000 AB Voorbeeldstad "
	d.Organisation.Name = "Wordt genegeerd: de rubriek is niet gekozen"
	d.Contacts = []ContactChange{
		{Action: ContactAdd, Person: Person{Name: " Sanne  de Vries ", Email: "s.devries@voorbeeldstad.nl", Phone: "020 555 0110", Role: ContactpersoonBasis, CertFingerprints: []string{"x"}}, IDCopy: idRef},
		{Action: ContactUpdate, Person: func() Person { p := who("cpb"); p.Role = ContactpersoonAlle; p.Function = "Teamleider"; return p }()},
		{Action: ContactDeactivate, Person: Person{ID: "cpa", Name: "wordt genegeerd"}},
	}
	ch, err := plan(t, "cpa", reg, d)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ch.Sections) != "[facturatie contactpersonen]" || ch.State != ChangePending || ch.By.PersonID != "cpa" || ch.Number != "WIJZ-1" {
		t.Errorf("change %+v", ch)
	}
	if ch.Organisation.Name != reg.Organisation.Name || ch.Organisation.BillingAddress != "Postbus 99\n1000 AB Voorbeeldstad" {
		t.Errorf("organisation %+v", ch.Organisation)
	}
	added := ch.Contacts[0].Person
	if added.ID != "nieuw-1" || added.Name != "Sanne de Vries" || !added.Active || added.CertFingerprints != nil || ch.Contacts[0].IDCopy == nil {
		t.Errorf("added %+v", ch.Contacts[0])
	}
	for _, id := range []string{"nieuw-1", "cpb", "cpa"} {
		if !ch.Touches(id) {
			t.Errorf("the change does not touch %s", id)
		}
	}
	// Meanwhile another change of the organisation data was confirmed:
	// applying this one keeps it.
	cur := reg.Organisation
	cur.Phone = "14 020"
	o, write, err := ch.Apply(cur, reg.People, changeNow)
	if err != nil {
		t.Fatal(err)
	}
	if o.Phone != "14 020" || o.BillingAddress != "Postbus 99\n1000 AB Voorbeeldstad" || !o.CancelledAt.IsZero() {
		t.Errorf("applied organisation %+v", o)
	}
	if len(write) != 3 || write[0].ID != "nieuw-1" || write[1].Role != ContactpersoonAlle || write[1].Function != "Teamleider" || write[2].Active || write[2].Name != "Daan Meijer" {
		t.Errorf("people to write %+v", write)
	}
}

func TestNewBVAndCancellation(t *testing.T) {
	reg := testSnapshot()
	// A contact person becomes BV; the current one stays as contact person.
	ch, err := plan(t, "bv", reg, ChangeDraft{Sections: []Section{SectionBV}, NewBV: &NewBV{Person: Person{ID: "cpb", Name: "genegeerd"}, CurrentStaysAs: ContactpersoonAlle}})
	if err != nil {
		t.Fatal(err)
	}
	if ch.NewBV.Person.Name != "Fatima El Amrani" || ch.NewBV.Person.Role != BevoegdVertegenwoordiger || ch.NewBV.Current.ID != "bv" {
		t.Errorf("new BV %+v", ch.NewBV)
	}
	_, write, _ := ch.Apply(reg.Organisation, reg.People, changeNow)
	if len(write) != 2 || write[0].ID != "cpb" || write[0].Role != BevoegdVertegenwoordiger || write[1].ID != "bv" || write[1].Role != ContactpersoonAlle || !write[1].Active {
		t.Errorf("write %+v", write)
	}
	// Someone new; the current one is no longer active afterwards.
	ch, err = plan(t, "bv", reg, ChangeDraft{Sections: []Section{SectionBV}, NewBV: &NewBV{Person: Person{Name: "Mark Smit", Email: "m.smit@voorbeeldstad.nl", Phone: "020 555 0199", Function: "Gemeentesecretaris"}}})
	if err != nil {
		t.Fatal(err)
	}
	_, write, _ = ch.Apply(reg.Organisation, reg.People, changeNow)
	if write[0].ID != "nieuw-1" || write[0].Role != BevoegdVertegenwoordiger || !write[0].Active || write[1].ID != "bv" || write[1].Active {
		t.Errorf("write %+v", write)
	}
	// Cancelling: the organisation's end date is the confirmation's.
	ch, err = plan(t, "bv", reg, ChangeDraft{Sections: []Section{SectionCancel}, Cancellation: &Cancellation{Reason: " fusie met Gemeente Buurdorp "}})
	if err != nil || ch.Cancellation.Reason != "fusie met Gemeente Buurdorp" {
		t.Fatalf("%+v %v", ch.Cancellation, err)
	}
	o, _, _ := ch.Apply(reg.Organisation, reg.People, changeNow.Add(48*time.Hour))
	if !o.CancelledAt.Equal(changeNow.Add(48 * time.Hour)) {
		t.Errorf("cancelled at %v", o.CancelledAt)
	}
}

func TestCheckSection(t *testing.T) {
	bv, cpa := who("bv"), who("cpa")
	for _, c := range []struct {
		who    Person
		s      Section
		chosen []Section
		want   string
	}{
		{bv, SectionContacts, []Section{SectionBV}, "org.change.bv_with_contacts"},
		{bv, SectionBV, []Section{SectionContacts, SectionBilling}, "org.change.bv_with_contacts"},
		{bv, SectionOrganisation, []Section{SectionCancel}, "org.change.cancel_alone"},
		{bv, SectionCancel, []Section{SectionBilling}, "org.change.cancel_alone"},
		{cpa, SectionBV, nil, "org.denied.change-bv"},
		{cpa, SectionCancel, nil, "org.denied.cancel-subscription"},
		{bv, SectionBV, []Section{SectionOrganisation, SectionBilling}, ""},
		{cpa, SectionContacts, []Section{SectionOrganisation, SectionBilling}, ""},
	} {
		err := CheckSection(c.who, c.s, c.chosen)
		if c.want == "" && err != nil || c.want != "" && !i18n.Is(err, c.want) {
			t.Errorf("%s %s after %v: %v, want %q", c.who.Role, c.s, c.chosen, err, c.want)
		}
	}
}

func TestValidateIDCopy(t *testing.T) {
	photo := idcopytest.JPEG(100)
	ref, err := ValidateIDCopy(`C:\Users\jan\Mijn paspoort.JPEG`, photo)
	if err != nil || ref.FileName != "Mijn paspoort.jpg" || ref.MediaType != "image/jpeg" || ref.Size != len(photo) || len(ref.SHA256) != 64 {
		t.Errorf("%+v %v", ref, err)
	}
	ref, err = ValidateIDCopy("../../etc/\x1b[31mid.pdf", []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\nstartxref\n9\n%%EOF\n"))
	if err != nil || ref.FileName != "[31mid.pdf" {
		t.Errorf("%+v %v", ref, err)
	}
	if ref, _ := ValidateIDCopy("a\u2028b\u200f", idcopytest.PNG()); ref.FileName != "a_b.png" {
		t.Errorf("line separator and format character: %q", ref.FileName)
	}
	if ref, _ := ValidateIDCopy("", idcopytest.PNG()); ref.FileName != "kopie-id.png" {
		t.Errorf("no name: %q", ref.FileName)
	}
	truncated := idcopytest.JPEG(100)
	for key, data := range map[string][]byte{
		"org.id_copy.empty":     nil,
		"org.id_copy.type":      []byte("MZ\x90\x00 een programma"),
		"org.id_copy.too_large": append([]byte("%PDF-"), make([]byte, MaxIDCopySize)...),
		// The first bytes of a type, and nothing of it after.
		"org.id_copy.damaged": append([]byte{0xFF, 0xD8, 0xFF}, []byte("MZ\x90\x00 this is a windows program")...),
	} {
		if _, err := ValidateIDCopy("x.pdf", data); !i18n.Is(err, key) {
			t.Errorf("%s: %v", key, err)
		}
	}
	for name, data := range map[string][]byte{
		"html behind a PDF header":  []byte("%PDF-<html><script>alert(1)</script></html>"),
		"PNG header only":           []byte("\x89PNG\r\n\x1a\nnot a png at all"),
		"truncated JPEG":            truncated[:len(truncated)-40],
		"PDF with data after %%EOF": []byte("%PDF-1.7\nstartxref\n9\n%%EOF\n<script>"),
		"huge image":                hugePNGHeader(),
	} {
		if _, err := ValidateIDCopy("x", data); !i18n.Is(err, "org.id_copy.damaged") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// hugePNGHeader is a PNG that claims 100000×100000 pixels.
func hugePNGHeader() []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := []byte{0, 0x01, 0x86, 0xA0, 0, 0x01, 0x86, 0xA0, 8, 2, 0, 0, 0}
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write([]byte{0, 0, 0, 13})
	b.Write(chunk)
	crc := crc32.ChecksumIEEE(chunk)
	b.Write([]byte{byte(crc >> 24), byte(crc >> 16), byte(crc >> 8), byte(crc)})
	return b.Bytes()
}
