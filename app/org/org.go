// Package org holds the subscriber organisation, its registered people and
// their roles, the authorisation matrix of the manual's section 7.2, and
// who a login certificate belongs to.
package org

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"strings"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

// Organisation is the subscriber (abonnee).
type Organisation struct {
	Name             string
	SubscriberNumber string // abonneenummer
	OIN              string
	KvK              string // KvK number, 8 digits
	BillingAddress   string
	BillingReference string
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
	ID     string
	Name   string
	Email  string
	Phone  string
	Role   Role
	Active bool
	// Login certificates: fingerprints (SHA-256), and the subject
	// serialNumber the CA puts in the holder's certificates together with
	// the CA that issued them (its name, and IssuerKeyID of its key).
	CertFingerprints []string
	SubjectSerial    string
	Issuer           string `json:",omitempty"`
	IssuerKey        string `json:",omitempty"`
}

// CanLogIn reports whether the person may log in at all.
func (p Person) CanLogIn() bool { return p.Active && p.Role != Certificaatbeheerder }

// Permission is an action the authorisation matrix governs.
type Permission string

const (
	ChangeOrganisation     Permission = "change-organisation" // organisation, billing data and contacts
	ChangeBV               Permission = "change-bv"
	CancelSubscription     Permission = "cancel-subscription"
	ChangeCertManagers     Permission = "change-certificate-managers"
	OrderCertificates      Permission = "order-certificates"
	ViewOrganisation       Permission = "view-organisation"
	OpenChangeForm         Permission = "open-change-form"
	RequestPersonalReports Permission = "reports"
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

// matrix is section 7.2 and 7.3 of the manual: who may do what.
var matrix = map[Role]map[Permission]bool{
	BevoegdVertegenwoordiger: {ChangeOrganisation: true, ChangeBV: true, CancelSubscription: true, ChangeCertManagers: true, OrderCertificates: true, ViewOrganisation: true, OpenChangeForm: true, RequestPersonalReports: true, ViewJournal: true, RemoveCertificate: true, AssignCertificatePeople: true,
		RenewCertificates: true, RevokeCertificates: true, RegisterCertManager: true, ActivateESeal: true},
	ContactpersoonAlle: {ChangeOrganisation: true, ChangeCertManagers: true, OrderCertificates: true, ViewOrganisation: true, OpenChangeForm: true, RequestPersonalReports: true, ViewJournal: true, RemoveCertificate: true, AssignCertificatePeople: true,
		RenewCertificates: true, RevokeCertificates: true, RegisterCertManager: true, ActivateESeal: true},
	ContactpersoonBasis: {ChangeCertManagers: true, OrderCertificates: true, ViewOrganisation: true, RequestPersonalReports: true, AssignCertificatePeople: true,
		RenewCertificates: true, RevokeCertificates: true, RegisterCertManager: true, ActivateESeal: true},
}

// Allowed reports whether a role may do something.
func Allowed(r Role, p Permission) bool { return matrix[r][p] }

// Check says whether a person may do something, and if not, why, in the
// user's words: the screens show it beside the disabled button.
func Check(p Person, perm Permission) error {
	if !p.Active {
		return i18n.E("org.denied_inactive", nil, p.Name)
	}
	if !Allowed(p.Role, perm) {
		return i18n.E("org.denied."+string(perm), nil)
	}
	return nil
}

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
