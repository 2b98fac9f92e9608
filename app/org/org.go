// Package org holds the subscriber organisation, its registered people and
// their roles, the authorisation matrix of the manual's section 7.2, and
// who a login certificate belongs to.
package org

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"strings"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

// Organisation is the subscriber (abonnee): the data registered at the
// subscription (organisatiegegevens) and the billing data KPN addresses its
// invoices with (facturatiegegevens), manual 7.1.
type Organisation struct {
	Name             string
	SubscriberNumber string // abonneenummer
	OIN              string
	KvK              string // KvK number, 8 digits
	Address          string // bezoekadres
	PostalAddress    string // postadres
	Phone            string
	Email            string

	BillingAddress   string
	BillingAttention string // ter attentie van
	BillingReference string // referentie of kostenplaats on the invoice
	BillingEmail     string // where invoices go

	// CancelledAt is when the CA confirmed the cancellation of the
	// subscription; zero while it runs.
	CancelledAt time.Time `json:",omitzero"`
}

// Role is a registered person's role.
type Role string

const (
	BevoegdVertegenwoordiger Role = "bevoegd-vertegenwoordiger"
	ContactpersoonAlle       Role = "contactpersoon-alle"
	ContactpersoonBasis      Role = "contactpersoon-basis"
	// Certificaatbeheerder is responsible for server and group
	// certificates; registered, but does not log in.
	Certificaatbeheerder Role = "certificaatbeheerder"
)

// Roles in the order the manual lists them.
var Roles = []Role{BevoegdVertegenwoordiger, ContactpersoonAlle, ContactpersoonBasis, Certificaatbeheerder}

// Person is someone registered for the organisation.
type Person struct {
	ID       string
	Name     string
	Email    string
	Phone    string
	Function string `json:",omitempty"` // functie
	Role     Role
	Active   bool
	// Login certificates: fingerprints (SHA-256), and the subject
	// serialNumber the CA puts in the holder's certificates together with
	// the CA that issued them (its name, and IssuerKeyID of its key).
	CertFingerprints []string
	SubjectSerial    string
	Issuer           string `json:",omitempty"`
	IssuerKey        string `json:",omitempty"`

	// SubscriptionEnded is when the CA confirmed the cancellation of the
	// organisation's subscription (Organisation.CancelledAt), set by
	// InOrganisation when the person is read for a check; never stored.
	SubscriptionEnded time.Time `json:"-"`
}

// InOrganisation is p as a member of o: Check then knows whether o's
// subscription ended.
func InOrganisation(p Person, o Organisation) Person {
	p.SubscriptionEnded = o.CancelledAt
	return p
}

// CanLogIn reports whether the person may log in at all.
func (p Person) CanLogIn() bool { return p.Active && p.Role != Certificaatbeheerder }

// Permission is an action the authorisation matrix governs.
type Permission string

const (
	// Section 7.2's first row: organisation data, billing data and contact
	// persons; one permission each, so that each section of the change form
	// asks the matrix itself.
	ChangeOrganisation Permission = "change-organisation"
	ChangeBilling      Permission = "change-billing"
	ChangeContacts     Permission = "change-contacts"
	// Section 7.2's second and third rows.
	ChangeBV           Permission = "change-bv"
	CancelSubscription Permission = "cancel-subscription"
	// OpenChangeForm: a Contactpersoon with basic rights cannot open the
	// change form at all (7.2).
	OpenChangeForm Permission = "open-change-form"
	// ChangeCertManagers is 7.3's form: every Contactpersoon, whatever
	// their rights. It also needs active Certificaatbeheerders (CheckManagersForm).
	ChangeCertManagers     Permission = "change-certificate-managers"
	ViewOrganisation       Permission = "view-organisation"
	RequestPersonalReports Permission = "reports"
	OrderCertificates      Permission = "order-certificates"
	// ViewJournal: see and export the audit journal (Logboek).
	ViewJournal Permission = "view-journal"
	// RemoveCertificate takes a certificate out of the inventory (it stays
	// valid at its CA): keeping the inventory clean is the organisation's
	// data, as 7.2's organisation data is.
	RemoveCertificate Permission = "remove-certificate"
	// AssignCertificatePeople records a certificate's Contactpersoon and
	// Certificaatbeheerder; 7.3's form for certificate managers is open to
	// every contact, whatever their rights.
	AssignCertificatePeople Permission = "assign-certificate-people"
	// Orders (seed 3-6): new, renew and revoke certificates, register a new
	// Certificaatbeheerder in a server or group order (seed 7.3), activate
	// an eSeal cloud certificate (seed 6.1; only the requester, see app/order).
	RenewCertificates   Permission = "renew-certificates"
	RevokeCertificates  Permission = "revoke-certificates"
	RegisterCertManager Permission = "register-certificate-manager"
	ActivateESeal       Permission = "activate-eseal"
)

// rule is one row of the matrix: may a Bevoegd Vertegenwoordiger, a
// Contactpersoon with all rights, one with basic rights. A
// Certificaatbeheerder does not log in and may nothing.
type rule struct {
	perm                Permission
	bv, cpAlle, cpBasis bool
}

// matrix is the one authorisation table (manual 7.2, 7.3, 7.4): window and
// command line both ask it, through Allowed and Check. Each permission's
// refusal is the text "org.denied.<permission>".
var matrix = []rule{
	//                         BV    CP alle CP basis
	{ChangeOrganisation, true, true, false},
	{ChangeBilling, true, true, false},
	{ChangeContacts, true, true, false},
	{ChangeBV, true, false, false},
	{CancelSubscription, true, false, false},
	{OpenChangeForm, true, true, false},
	{ChangeCertManagers, true, true, true},
	{ViewOrganisation, true, true, true},
	{RequestPersonalReports, true, true, true},
	{OrderCertificates, true, true, true},
	{ViewJournal, true, true, false},
	// Keeping the inventory clean (issue 17): removing a certificate is
	// the organisation's data; recording its people is 7.3's business.
	{RemoveCertificate, true, true, false},
	{AssignCertificatePeople, true, true, true},
	// Orders (issue 9): renew, revoke, register a Certificaatbeheerder in a
	// server or group order (7.3), activate an eSeal cloud certificate.
	{RenewCertificates, true, true, true},
	{RevokeCertificates, true, true, true},
	{RegisterCertManager, true, true, true},
	{ActivateESeal, true, true, true},
}

// Permissions lists every permission of the matrix in its order.
func Permissions() []Permission {
	out := make([]Permission, len(matrix))
	for i, r := range matrix {
		out[i] = r.perm
	}
	return out
}

// Allowed reports whether a role may do something.
func Allowed(r Role, p Permission) bool {
	for _, m := range matrix {
		if m.perm != p {
			continue
		}
		switch r {
		case BevoegdVertegenwoordiger:
			return m.bv
		case ContactpersoonAlle:
			return m.cpAlle
		case ContactpersoonBasis:
			return m.cpBasis
		}
	}
	return false
}

// Check says whether a person may do something, and if not, why, in the
// user's words ("alleen de Bevoegd Vertegenwoordiger kan ..."): the window
// shows it beside the disabled action, the command line prints it. Once
// the subscription has ended (InOrganisation) only viewing is left.
func Check(p Person, perm Permission) error {
	if !p.Active {
		return i18n.E("org.denied_inactive", nil, p.Name)
	}
	if !Allowed(p.Role, perm) {
		return i18n.E("org.denied."+string(perm), nil)
	}
	if !p.SubscriptionEnded.IsZero() && !viewing[perm] {
		return i18n.E("org.denied_cancelled", nil, p.SubscriptionEnded.Local().Format("02-01-2006"))
	}
	return nil
}

// viewing are the permissions that change nothing: all that is left once
// the subscription has ended.
var viewing = map[Permission]bool{ViewOrganisation: true, RequestPersonalReports: true, ViewJournal: true}

// Identify finds the registered person a login certificate belongs to: by
// the certificate's fingerprint, or by its subject serialNumber together
// with the CA that issued it (issuer, from the validated chain; nil when
// there is none). An e-mail address never identifies anyone: anybody can
// get a certificate with any address from some CA. Inactive people and
// certificate managers cannot log in.
func Identify(people []Person, c *x509.Certificate, issuer *x509.Certificate) (Person, error) {
	fp := cert.Fingerprint(c.Raw)
	for _, p := range people {
		for _, f := range p.CertFingerprints {
			if strings.EqualFold(f, fp) {
				return loginAllowed(p)
			}
		}
	}
	serial := c.Subject.SerialNumber
	if issuer == nil || serial == "" {
		return Person{}, i18n.E("id.not_registered", nil)
	}
	key := IssuerKeyID(issuer)
	for _, p := range people {
		if p.SubjectSerial == serial && p.IssuerKey != "" && p.IssuerKey == key {
			return loginAllowed(p)
		}
	}
	return Person{}, i18n.E("id.not_registered", nil)
}

// IssuerKeyID identifies a CA by its public key (SHA-256 of the
// SubjectPublicKeyInfo, hex): a CA certificate renewed with the same key
// keeps it, another CA with the same name does not get it.
func IssuerKeyID(issuer *x509.Certificate) string {
	sum := sha256.Sum256(issuer.RawSubjectPublicKeyInfo)
	return hex.EncodeToString(sum[:])
}

func loginAllowed(p Person) (Person, error) {
	if !p.CanLogIn() {
		return Person{}, i18n.E("id.not_allowed", nil, p.Name)
	}
	return p, nil
}

// Validate checks organisation data entered by a user.
func (o Organisation) Validate() error {
	if strings.TrimSpace(o.Name) == "" {
		return i18n.E("org.name_required", nil)
	}
	if err := cert.ValidateOIN(o.OIN); err != nil {
		return i18n.E("org.oin_invalid", err)
	}
	if len(o.KvK) != 8 || strings.Trim(o.KvK, "0123456789") != "" {
		return i18n.E("org.kvk_invalid", nil)
	}
	if o.SubscriberNumber == "" || strings.Trim(o.SubscriberNumber, "0123456789") != "" {
		return i18n.E("org.subscriber_invalid", nil)
	}
	return nil
}
