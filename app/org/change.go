package org

import (
	"time"
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
