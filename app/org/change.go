package org

import (
	"slices"
	"strings"
	"time"

	"pkiodesk/app/i18n"
)

// A change form (manual 7.2) is signed and sent to the CA; it takes effect
// in the register when the CA confirms it, not when it is sent. Until then
// it is pending, and the people it touches show it.

// Section is a part of the change form the user selects.
type Section string

const (
	SectionOrganisation Section = "organisatie"
	SectionBilling      Section = "facturatie"
	SectionContacts     Section = "contactpersonen"
	SectionBV           Section = "bevoegd-vertegenwoordiger"
	SectionCancel       Section = "opzeggen"
)

// Sections in the form's order, and the permission each needs.
var Sections = []Section{SectionOrganisation, SectionBilling, SectionContacts, SectionBV, SectionCancel}

// SectionPermission is the row of the matrix a section needs.
func SectionPermission(s Section) Permission {
	switch s {
	case SectionOrganisation:
		return ChangeOrganisation
	case SectionBilling:
		return ChangeBilling
	case SectionContacts:
		return ChangeContacts
	case SectionBV:
		return ChangeBV
	case SectionCancel:
		return CancelSubscription
	}
	return Permission("section-" + string(s))
}

// ChangeState is where a change form is in its life.
type ChangeState string

const (
	// ChangePending: signed and sent, not yet confirmed by the CA.
	ChangePending ChangeState = "pending"
	// ChangeConfirmed: the CA confirmed it; the register holds the change.
	ChangeConfirmed ChangeState = "confirmed"
	// ChangeCancelled: withdrawn, or refused by the CA; nothing changed.
	ChangeCancelled ChangeState = "cancelled"
)

// ContactAction is what a change does to one contact person.
type ContactAction string

const (
	ContactAdd        ContactAction = "add"
	ContactUpdate     ContactAction = "update"
	ContactDeactivate ContactAction = "deactivate"
)

// IDCopyRef describes a copy of an ID document without holding it: the
// copy itself travels only inside the signed PDF (see app/orgchange).
type IDCopyRef struct {
	FileName  string
	MediaType string
	Size      int
	SHA256    string
}

// ContactChange is one contact person added, changed or deactivated.
type ContactChange struct {
	Action ContactAction
	// Person is the contact as it will be registered (for a deactivation,
	// as it is now). A new one gets its ID when the form is signed.
	Person Person
	IDCopy *IDCopyRef `json:",omitempty"`
}

// NewBV is a new Bevoegd Vertegenwoordiger (manual 7.2, scenario 1).
type NewBV struct {
	Person Person
	// Current is the Bevoegd Vertegenwoordiger who signs with them.
	Current Person
	// CurrentStaysAs is what the current one becomes once the CA
	// confirms: a Contactpersoon with all rights, or (empty) not active.
	CurrentStaysAs Role `json:",omitempty"`
}

// Cancellation ends the subscription.
type Cancellation struct {
	Reason string `json:",omitempty"`
	// Stops names what ends, as the confirmation step showed it.
	Stops []string `json:",omitempty"`
}

// Signatory is who signed a form.
type Signatory struct {
	PersonID, Name string
	Role           Role
}

// DocumentRef is the signed PDF of a change, by its digest.
type DocumentRef struct {
	SHA256   string
	Size     int
	Signer   string // subject of the signing certificate
	SignedAt time.Time
	// Encrypted says where the key of the kept copy is ("keyring",
	// "session") when the PDF carries ID copies; empty: kept as it is.
	Encrypted string `json:",omitempty"`
	// Removed: the kept copy is gone (an ID copy's, once the change was
	// confirmed or cancelled).
	Removed bool `json:",omitempty"`
}

// HasIDCopies reports whether the change carries copies of ID documents.
func (c *Change) HasIDCopies() bool {
	for _, cc := range c.Contacts {
		if cc.IDCopy != nil {
			return true
		}
	}
	return false
}

// Change is one change form.
type Change struct {
	Number   string // WIJZ-..., BV-..., OPZ-...
	Sections []Section
	// Organisation holds the organisation and billing data as they will
	// be (both sections write into it; others keep today's values).
	Organisation *Organisation `json:",omitempty"`
	Contacts     []ContactChange
	NewBV        *NewBV        `json:",omitempty"`
	Cancellation *Cancellation `json:",omitempty"`

	By       Signatory
	Created  time.Time
	State    ChangeState
	Document DocumentRef

	// Closed is when it was confirmed or cancelled, by whom, and the CA's
	// reference or the reason given.
	Closed   time.Time `json:",omitzero"`
	ClosedBy string    `json:",omitempty"`
	Note     string    `json:",omitempty"`
}

// Has reports whether the change includes a section.
func (c *Change) Has(s Section) bool {
	for _, x := range c.Sections {
		if x == s {
			return true
		}
	}
	return false
}

// Touches reports whether a pending change concerns a person: a contact
// it changes, or the Bevoegd Vertegenwoordiger it replaces.
func (c *Change) Touches(personID string) bool {
	for _, cc := range c.Contacts {
		if cc.Person.ID == personID {
			return true
		}
	}
	return c.NewBV != nil && (c.NewBV.Current.ID == personID || c.NewBV.Person.ID == personID)
}

// ChangeDraft is what the change form holds before it is signed: the
// chosen sections and, for each, the data as it should become. The form
// starts from the register's current data (NewDraft).
type ChangeDraft struct {
	Sections []Section
	// Organisation carries the organisation section's and the billing
	// section's fields; the fields of a section not chosen are ignored.
	Organisation Organisation
	Contacts     []ContactChange
	NewBV        *NewBV
	Cancellation *Cancellation
}

// NewDraft is an empty form pre-filled with the current data.
func NewDraft(current Organisation) ChangeDraft {
	return ChangeDraft{Organisation: current}
}

// Snapshot is the register a change is checked against.
type Snapshot struct {
	Organisation Organisation
	People       []Person
	// Changes are the change forms kept, any state.
	Changes []Change
}

// Pending returns the changes sent and not yet confirmed or cancelled.
func (s Snapshot) Pending() []Change {
	var out []Change
	for _, c := range s.Changes {
		if c.State == ChangePending {
			out = append(out, c)
		}
	}
	return out
}

const (
	maxAddressLen = 300
	maxReasonLen  = 500
)

// CheckSection says whether who may choose a section, given the sections
// already chosen: the matrix first, then the seed's rules that a new
// Bevoegd Vertegenwoordiger cannot go with changes to contact persons
// (7.2, scenario 2), and that cancelling the subscription goes alone.
func CheckSection(who Person, s Section, chosen []Section) error {
	if err := Check(who, OpenChangeForm); err != nil {
		return err
	}
	if err := Check(who, SectionPermission(s)); err != nil {
		return err
	}
	for _, c := range chosen {
		switch {
		case c == s:
		case s == SectionBV && c == SectionContacts, s == SectionContacts && c == SectionBV:
			return i18n.E("org.change.bv_with_contacts", nil)
		case s == SectionCancel || c == SectionCancel:
			return i18n.E("org.change.cancel_alone", nil)
		}
	}
	return nil
}

// PlanChange checks a draft against the register and returns the change
// to sign. newID names new people; number is the change's number.
func PlanChange(who Person, reg Snapshot, d ChangeDraft, number string, now time.Time, newID func() string) (Change, error) {
	if err := Check(who, OpenChangeForm); err != nil {
		return Change{}, err
	}
	var sections []Section
	for _, s := range Sections {
		for _, c := range d.Sections {
			if c == s && !slices.Contains(sections, s) {
				if err := CheckSection(who, s, sections); err != nil {
					return Change{}, err
				}
				sections = append(sections, s)
			}
		}
	}
	for _, c := range d.Sections {
		if !slices.Contains(Sections, c) {
			return Change{}, i18n.E("org.change.section_unknown", nil, string(c))
		}
	}
	if len(sections) == 0 {
		return Change{}, i18n.E("org.change.no_section", nil)
	}
	ch := Change{Number: number, Sections: sections, Created: now.UTC(), State: ChangePending,
		By: Signatory{PersonID: who.ID, Name: who.Name, Role: who.Role}}
	pending := reg.Pending()
	for _, s := range sections {
		for _, p := range pending {
			if p.Has(s) && (s != SectionContacts) {
				return Change{}, i18n.E("org.change.section_pending", nil, i18n.Word("section."+string(s)), p.Number)
			}
		}
	}
	if slices.Contains(sections, SectionOrganisation) || slices.Contains(sections, SectionBilling) {
		o, err := planOrganisation(reg.Organisation, d.Organisation, sections)
		if err != nil {
			return Change{}, err
		}
		ch.Organisation = &o
	}
	if slices.Contains(sections, SectionContacts) {
		cs, err := planContacts(who, reg, d.Contacts, newID)
		if err != nil {
			return Change{}, err
		}
		ch.Contacts = cs
	} else if len(d.Contacts) > 0 {
		return Change{}, i18n.E("org.change.contacts_unchosen", nil)
	}
	if slices.Contains(sections, SectionBV) {
		bv, err := planBV(who, reg, d.NewBV, newID)
		if err != nil {
			return Change{}, err
		}
		ch.NewBV = &bv
	}
	if slices.Contains(sections, SectionCancel) {
		c := Cancellation{}
		if d.Cancellation != nil {
			c = *d.Cancellation
		}
		c.Reason = strings.TrimSpace(c.Reason)
		if err := PlainText(c.Reason, maxReasonLen, true); err != nil {
			return Change{}, i18n.E("org.field.reason", err)
		}
		if !reg.Organisation.CancelledAt.IsZero() {
			return Change{}, i18n.E("org.change.already_cancelled", nil)
		}
		ch.Cancellation = &c
	}
	return ch, nil
}

// orgFields are the organisation section's fields; billingFields the
// billing section's.
func orgFields(o Organisation) [7]string {
	return [7]string{o.Name, o.OIN, o.KvK, o.Address, o.PostalAddress, o.Phone, o.Email}
}

func billingFields(o Organisation) [4]string {
	return [4]string{o.BillingAddress, o.BillingAttention, o.BillingReference, o.BillingEmail}
}

// planOrganisation takes the chosen sections' fields from the draft onto
// the current data and checks them.
func planOrganisation(cur, d Organisation, sections []Section) (Organisation, error) {
	trim := func(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }
	next := cur
	if slices.Contains(sections, SectionOrganisation) {
		next.Name, next.OIN, next.KvK = strings.Join(strings.Fields(d.Name), " "), trim(d.OIN), trim(d.KvK)
		next.Address, next.PostalAddress, next.Phone, next.Email = trim(d.Address), trim(d.PostalAddress), trim(d.Phone), trim(d.Email)
		if err := next.Validate(); err != nil {
			return Organisation{}, err
		}
		for _, f := range []struct {
			key, v string
			lines  bool
		}{{"org.field.org_name", next.Name, false}, {"org.field.address", next.Address, true}, {"org.field.postal_address", next.PostalAddress, true}, {"org.field.phone", next.Phone, false}, {"org.field.email", next.Email, false}} {
			if err := PlainText(f.v, maxAddressLen, f.lines); err != nil {
				return Organisation{}, i18n.E(f.key, err)
			}
		}
		if next.Address == "" {
			return Organisation{}, i18n.E("org.change.address_required", nil)
		}
		if next.Email != "" {
			if err := ValidateEmail(next.Email); err != nil {
				return Organisation{}, err
			}
		}
		if next.Phone != "" && (strings.Trim(next.Phone, "0123456789+-() ") != "" || digits(next.Phone) < 4 || digits(next.Phone) > 15) {
			return Organisation{}, i18n.E("org.person.phone_invalid", nil)
		}
		if orgFields(next) == orgFields(cur) {
			return Organisation{}, i18n.E("org.change.section_unchanged", nil, i18n.Word("section.organisatie"))
		}
	}
	if slices.Contains(sections, SectionBilling) {
		next.BillingAddress, next.BillingAttention, next.BillingReference, next.BillingEmail = trim(d.BillingAddress), trim(d.BillingAttention), trim(d.BillingReference), trim(d.BillingEmail)
		if next.BillingAddress == "" {
			return Organisation{}, i18n.E("org.change.billing_address_required", nil)
		}
		for _, f := range []struct {
			key, v string
			lines  bool
		}{{"org.field.billing_address", next.BillingAddress, true}, {"org.field.attention", next.BillingAttention, false}, {"org.field.reference", next.BillingReference, false}, {"org.field.email", next.BillingEmail, false}} {
			if err := PlainText(f.v, maxAddressLen, f.lines); err != nil {
				return Organisation{}, i18n.E(f.key, err)
			}
		}
		if next.BillingEmail != "" {
			if err := ValidateEmail(next.BillingEmail); err != nil {
				return Organisation{}, err
			}
		}
		if billingFields(next) == billingFields(cur) {
			return Organisation{}, i18n.E("org.change.section_unchanged", nil, i18n.Word("section.facturatie"))
		}
	}
	return next, nil
}

// planContacts checks each contact person added, changed or deactivated.
func planContacts(who Person, reg Snapshot, changes []ContactChange, newID func() string) ([]ContactChange, error) {
	if len(changes) == 0 {
		return nil, i18n.E("org.change.no_contacts", nil)
	}
	pending := reg.Pending()
	seen := map[string]bool{}
	newEmails := map[string]bool{}
	var out []ContactChange
	for _, c := range changes {
		p := c.Person.Normalize()
		switch c.Action {
		case ContactAdd:
			if err := ValidateContact(p); err != nil {
				return nil, err
			}
			if p.Role != ContactpersoonAlle && p.Role != ContactpersoonBasis {
				return nil, i18n.E("org.change.contact_role", nil, p.Name)
			}
			if other, taken := emailTaken(reg.People, p.Email, ""); taken {
				return nil, i18n.E("org.person.email_taken", nil, p.Email, other.Name)
			}
			if newEmails[strings.ToLower(p.Email)] {
				return nil, i18n.E("org.change.person_twice", nil, p.Name)
			}
			newEmails[strings.ToLower(p.Email)] = true
			if pc, ok := pendingEmail(pending, p.Email); ok {
				return nil, i18n.E("org.change.email_pending", nil, p.Email, pc.Number)
			}
			if c.IDCopy == nil {
				return nil, i18n.E("org.change.id_copy_required", nil, p.Name)
			}
			p.ID, p.Active, p.CertFingerprints, p.SubjectSerial = newID(), true, nil, ""
		case ContactUpdate, ContactDeactivate:
			cur, ok := FindPerson(reg.People, p.ID)
			if !ok {
				return nil, i18n.E("org.person.unknown", nil)
			}
			if cur.Role != ContactpersoonAlle && cur.Role != ContactpersoonBasis || !cur.Active {
				return nil, i18n.E("org.change.not_active_contact", nil, cur.Name)
			}
			if seen[cur.ID] {
				return nil, i18n.E("org.change.person_twice", nil, cur.Name)
			}
			seen[cur.ID] = true
			for _, pc := range pending {
				if pc.Touches(cur.ID) {
					return nil, i18n.E("org.change.person_pending", nil, cur.Name, pc.Number)
				}
			}
			if c.IDCopy != nil {
				return nil, i18n.E("org.change.id_copy_new_only", nil)
			}
			if c.Action == ContactDeactivate {
				p = cur
				p.Active = false
				break
			}
			next := cur
			next.Name, next.Email, next.Phone, next.Function, next.Role = p.Name, p.Email, p.Phone, p.Function, p.Role
			if err := ValidateContact(next); err != nil {
				return nil, err
			}
			if next.Role != ContactpersoonAlle && next.Role != ContactpersoonBasis {
				return nil, i18n.E("org.change.contact_role", nil, next.Name)
			}
			if other, taken := emailTaken(reg.People, next.Email, cur.ID); taken {
				return nil, i18n.E("org.person.email_taken", nil, next.Email, other.Name)
			}
			if !strings.EqualFold(next.Email, cur.Email) {
				if newEmails[strings.ToLower(next.Email)] {
					return nil, i18n.E("org.change.person_twice", nil, next.Name)
				}
				newEmails[strings.ToLower(next.Email)] = true
				if pc, ok := pendingEmail(pending, next.Email); ok {
					return nil, i18n.E("org.change.email_pending", nil, next.Email, pc.Number)
				}
			}
			if next.Name == cur.Name && next.Email == cur.Email && next.Phone == cur.Phone && next.Function == cur.Function && next.Role == cur.Role {
				return nil, i18n.E("org.change.person_unchanged", nil, cur.Name)
			}
			p = next
		default:
			return nil, i18n.E("org.change.action_unknown", nil, string(c.Action))
		}
		out = append(out, ContactChange{Action: c.Action, Person: p, IDCopy: c.IDCopy})
	}
	return out, nil
}

// planBV checks a new Bevoegd Vertegenwoordiger: only the current one
// asks for it; the new one is an active Contactpersoon or someone new.
func planBV(who Person, reg Snapshot, d *NewBV, newID func() string) (NewBV, error) {
	cur, ok := ActiveBV(reg.People)
	if !ok || cur.ID != who.ID {
		return NewBV{}, i18n.E("org.denied.change-bv", nil)
	}
	if d == nil {
		return NewBV{}, i18n.E("org.change.bv_missing", nil)
	}
	for _, pc := range reg.Pending() {
		if pc.NewBV != nil {
			return NewBV{}, i18n.E("org.change.section_pending", nil, i18n.Word("section.bevoegd-vertegenwoordiger"), pc.Number)
		}
	}
	if d.CurrentStaysAs != "" && d.CurrentStaysAs != ContactpersoonAlle && d.CurrentStaysAs != ContactpersoonBasis {
		return NewBV{}, i18n.E("org.change.contact_role", nil, cur.Name)
	}
	p := d.Person.Normalize()
	if p.ID != "" {
		existing, ok := FindPerson(reg.People, p.ID)
		if !ok {
			return NewBV{}, i18n.E("org.person.unknown", nil)
		}
		if existing.ID == cur.ID {
			return NewBV{}, i18n.E("org.change.bv_same", nil)
		}
		if !existing.Active || existing.Role == Certificaatbeheerder {
			return NewBV{}, i18n.E("org.change.not_active_contact", nil, existing.Name)
		}
		// A pending change that deactivates or changes them would, once
		// both are confirmed, leave the organisation without an active
		// Bevoegd Vertegenwoordiger.
		for _, pc := range reg.Pending() {
			if pc.Touches(existing.ID) {
				return NewBV{}, i18n.E("org.change.person_pending", nil, existing.Name, pc.Number)
			}
		}
		p = existing
	} else {
		if err := ValidateContact(p); err != nil {
			return NewBV{}, err
		}
		if other, taken := emailTaken(reg.People, p.Email, ""); taken {
			return NewBV{}, i18n.E("org.person.email_taken", nil, p.Email, other.Name)
		}
		if pc, ok := pendingEmail(reg.Pending(), p.Email); ok {
			return NewBV{}, i18n.E("org.change.email_pending", nil, p.Email, pc.Number)
		}
		p.ID, p.Active, p.CertFingerprints, p.SubjectSerial = newID(), true, nil, ""
	}
	p.Role = BevoegdVertegenwoordiger
	return NewBV{Person: p, Current: cur, CurrentStaysAs: d.CurrentStaysAs}, nil
}

// pendingEmail finds a pending change that registers someone new, or
// someone under a new address, with this e-mail address.
func pendingEmail(pending []Change, email string) (Change, bool) {
	for _, pc := range pending {
		for _, cc := range pc.Contacts {
			if (cc.Action == ContactAdd || cc.Action == ContactUpdate) && strings.EqualFold(cc.Person.Email, email) {
				return pc, true
			}
		}
		if pc.NewBV != nil && strings.EqualFold(pc.NewBV.Person.Email, email) {
			return pc, true
		}
	}
	return Change{}, false
}

// Apply is a confirmed change's effect on the register: the organisation
// as it becomes and the people to write. The change's sections are laid
// onto today's data, so a change confirmed in between is kept. What the
// change was checked against when it was signed is checked again against
// today's register (another change may have been confirmed since): the
// people it changes are still active contact persons, a new Bevoegd
// Vertegenwoordiger is still active, no e-mail address is registered
// twice, and exactly one active Bevoegd Vertegenwoordiger results.
func (c *Change) Apply(cur Organisation, people []Person, at time.Time) (Organisation, []Person, error) {
	refuse := func(cause error) (Organisation, []Person, error) {
		return Organisation{}, nil, i18n.E("org.change.confirm_conflict", cause, c.Number)
	}
	next := cur
	if c.Organisation != nil {
		if c.Has(SectionOrganisation) {
			n := c.Organisation
			next.Name, next.OIN, next.KvK, next.Address, next.PostalAddress, next.Phone, next.Email = n.Name, n.OIN, n.KvK, n.Address, n.PostalAddress, n.Phone, n.Email
		}
		if c.Has(SectionBilling) {
			n := c.Organisation
			next.BillingAddress, next.BillingAttention, next.BillingReference, next.BillingEmail = n.BillingAddress, n.BillingAttention, n.BillingReference, n.BillingEmail
		}
	}
	if c.Cancellation != nil {
		if !cur.CancelledAt.IsZero() {
			return refuse(i18n.E("org.change.already_cancelled", nil))
		}
		next.CancelledAt = at.UTC()
	}
	var write []Person
	for _, cc := range c.Contacts {
		switch cc.Action {
		case ContactAdd:
			if _, ok := FindPerson(people, cc.Person.ID); ok || cc.Person.ID == "" {
				return refuse(i18n.E("org.change.person_exists", nil, cc.Person.Name))
			}
			write = append(write, cc.Person)
		case ContactUpdate, ContactDeactivate:
			p, ok := FindPerson(people, cc.Person.ID)
			if !ok {
				return Organisation{}, nil, i18n.E("org.person.unknown", nil)
			}
			if !p.Active || p.Role != ContactpersoonAlle && p.Role != ContactpersoonBasis {
				return refuse(i18n.E("org.change.not_active_contact", nil, p.Name))
			}
			if cc.Action == ContactDeactivate {
				p.Active = false
			} else {
				p.Name, p.Email, p.Phone, p.Function, p.Role = cc.Person.Name, cc.Person.Email, cc.Person.Phone, cc.Person.Function, cc.Person.Role
			}
			write = append(write, p)
		default:
			return Organisation{}, nil, i18n.E("org.change.action_unknown", nil, string(cc.Action))
		}
	}
	if c.NewBV != nil {
		nb := c.NewBV.Person
		if existing, ok := FindPerson(people, nb.ID); ok {
			if !existing.Active || existing.Role != ContactpersoonAlle && existing.Role != ContactpersoonBasis {
				return refuse(i18n.E("org.change.not_active_contact", nil, existing.Name))
			}
			existing.Role, existing.Active = BevoegdVertegenwoordiger, true
			nb = existing
		} else if nb.ID == "" {
			return refuse(i18n.E("org.person.unknown", nil))
		}
		write = append(write, nb)
		old, ok := FindPerson(people, c.NewBV.Current.ID)
		if !ok || !old.Active || old.Role != BevoegdVertegenwoordiger {
			return refuse(i18n.E("org.change.bv_changed", nil, c.NewBV.Current.Name))
		}
		if c.NewBV.CurrentStaysAs != "" {
			old.Role = c.NewBV.CurrentStaysAs
		} else {
			old.Active = false
		}
		write = append(write, old)
	}
	if len(write) > 0 {
		after := append([]Person(nil), people...)
		for _, w := range write {
			if i := slices.IndexFunc(after, func(p Person) bool { return p.ID == w.ID }); i >= 0 {
				after[i] = w
			} else {
				after = append(after, w)
			}
		}
		for _, w := range write {
			if other, taken := emailTaken(after, w.Email, w.ID); w.Active && taken {
				return refuse(i18n.E("org.person.email_taken", nil, w.Email, other.Name))
			}
		}
		bvs := 0
		for _, p := range after {
			if p.Active && p.Role == BevoegdVertegenwoordiger {
				bvs++
			}
		}
		if bvs != 1 {
			return refuse(i18n.E("org.change.bv_count", nil, bvs))
		}
	}
	return next, write, nil
}
