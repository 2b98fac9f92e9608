// Package order is pkiodesk's order desk: the order model and its state
// machine (draft → placed → submitted → issued, or rejected / cancelled),
// CSR lint and generation, placing an order by signing it with the card,
// the outbox submitter, matching an issued certificate to its order,
// revocation orders and eSeal cloud activation (seed chapters 3-6).
//
// A placed order is immutable: the store refuses any change to its content
// or signed document, and its content hash is checked on every read.
package order

import (
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/org"
)

// Kind is what an order asks for.
type Kind string

const (
	KindNew    Kind = "new"
	KindRenew  Kind = "renew"
	KindRevoke Kind = "revoke"
)

// Product is the certificate product ordered (seed 3.3, 4.3, 5, 6).
type Product string

const (
	ProductPKIoPrivate      Product = "pkio-private"      // PKIoverheid server PRIVATE
	ProductDigipoortPrivate Product = "digipoort-private" // Digipoort PRIVATE
	ProductPKIoTrial        Product = "pkio-trial"        // PKIoverheid Trial
	ProductCertSIGNOV       Product = "certsign-ov"       // certSIGN OV SSL, publicly trusted
	ProductPersonalCard     Product = "personal-card"     // personal, on smartcard or USB token
	ProductPersonalMobile   Product = "personal-mobile"   // personal, on a mobile phone
	ProductGroup            Product = "group"
	ProductESealToken       Product = "eseal-token"
	ProductESealCloud       Product = "eseal-cloud"
)

// Products lists every product in the order the screens offer them.
var Products = []Product{ProductPKIoPrivate, ProductDigipoortPrivate, ProductPKIoTrial, ProductCertSIGNOV,
	ProductPersonalCard, ProductPersonalMobile, ProductGroup, ProductESealToken, ProductESealCloud}

// CertKind is the overview a product's certificate belongs to.
func (p Product) CertKind() cert.Kind {
	switch p {
	case ProductPKIoPrivate, ProductDigipoortPrivate, ProductPKIoTrial, ProductCertSIGNOV:
		return cert.KindServer
	case ProductPersonalCard, ProductPersonalMobile:
		return cert.KindPersonal
	case ProductGroup:
		return cert.KindGroup
	case ProductESealToken, ProductESealCloud:
		return cert.KindESeal
	}
	return ""
}

// Valid reports whether p is a known product.
func (p Product) Valid() bool { return p.CertKind() != "" }

// NeedsCSR: server certificates are issued for a key the organisation
// makes; cards, tokens and cloud keys are made by the CA.
func (p Product) NeedsCSR() bool { return p.CertKind() == cert.KindServer }

// NeedsManager: server and group certificates have a Certificaatbeheerder.
func (p Product) NeedsManager() bool {
	k := p.CertKind()
	return k == cert.KindServer || k == cert.KindGroup
}

// Order is the content of an order: what is signed, hashed and, once
// placed, never changed. It is stored and attached to the PDF as JSON.
type Order struct {
	ID      string    `json:"id"`
	Kind    Kind      `json:"kind"`
	Product Product   `json:"product"`
	Created time.Time `json:"created"`

	// Organisation is the subscriber as registered when the order was made
	// (abonneegegevens; read-only in the form).
	Organisation OrgSnapshot `json:"organisation"`
	// Requester is the Contactpersoon or Bevoegd Vertegenwoordiger ordering.
	Requester PersonRef `json:"requester"`
	// Manager is the Certificaatbeheerder (server and group certificates).
	Manager *PersonRef `json:"manager,omitempty"`

	Server   *ServerDetails   `json:"server,omitempty"`
	Personal *PersonalDetails `json:"personal,omitempty"`
	Group    *GroupDetails    `json:"group,omitempty"`
	ESeal    *ESealDetails    `json:"eseal,omitempty"`

	// Renews is the SHA-256 of the certificate a renewal replaces.
	Renews string `json:"renews,omitempty"`
	// Revoke is the certificate a revocation order revokes, and why.
	Revoke *RevokeDetails `json:"revoke,omitempty"`

	// Set when placed: the moment and the certificate logged in with
	// (seed 3.2: the PDF carries the login certificate's data).
	PlacedAt time.Time `json:"placed_at,omitzero"`
	Login    *LoginRef `json:"login,omitempty"`
}

// OrgSnapshot is the subscriber's data as the order states it.
type OrgSnapshot struct {
	Name             string `json:"name"`
	SubscriberNumber string `json:"subscriber_number"`
	OIN              string `json:"oin"`
	KvK              string `json:"kvk"`
}

// Snapshot copies the registered organisation.
func Snapshot(o org.Organisation) OrgSnapshot {
	return OrgSnapshot{Name: o.Name, SubscriberNumber: o.SubscriberNumber, OIN: o.OIN, KvK: o.KvK}
}

// PersonRef names a registered person. New marks a Certificaatbeheerder
// registered by this order (seed 7.3: the only place where that happens).
type PersonRef struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Email string   `json:"email,omitempty"`
	Phone string   `json:"phone,omitempty"`
	Role  org.Role `json:"role,omitempty"`
	New   bool     `json:"new,omitempty"`
}

// Ref refers to a registered person.
func Ref(p org.Person) PersonRef {
	return PersonRef{ID: p.ID, Name: p.Name, Email: p.Email, Phone: p.Phone, Role: p.Role}
}

// LoginRef is the certificate the requester logged in with.
type LoginRef struct {
	Subject       string `json:"subject"`
	SubjectSerial string `json:"subject_serial,omitempty"`
	Issuer        string `json:"issuer"`
	Serial        string `json:"serial"`
	SHA256        string `json:"sha256"`
}

// ServerDetails is the certificate page of a server order.
type ServerDetails struct {
	// ServiceName (Naam van de service) is fixed on renewal.
	ServiceName string   `json:"service_name"`
	FQDNs       []string `json:"fqdns"`
	// CSR is the PEM certificate signing request.
	CSR string `json:"csr"`
}

// Carrier is where a personal certificate lives.
type Carrier string

const (
	CarrierSmartcard Carrier = "smartcard"
	CarrierUSBToken  Carrier = "usb-token"
	CarrierMobile    Carrier = "mobile"
	CarrierToken     Carrier = "token" // eSeal on a token
	CarrierCloud     Carrier = "cloud" // eSeal in the cloud
)

// PersonalDetails is the certificate page of a personal order.
type PersonalDetails struct {
	Name    string  `json:"name"`
	Email   string  `json:"email"`
	Phone   string  `json:"phone"`
	Carrier Carrier `json:"carrier"`
}

// GroupDetails is the certificate page of a group order.
type GroupDetails struct {
	GroupName string `json:"group_name"`
	Mailbox   string `json:"mailbox"`
}

// ESealDetails is the certificate page of an eSeal order.
type ESealDetails struct {
	OrganisationName string  `json:"organisation_name"`
	Carrier          Carrier `json:"carrier"`
}

// RevokeDetails names the certificate to revoke and the RFC 5280 reason.
type RevokeDetails struct {
	Certificate string `json:"certificate"` // SHA-256
	Serial      string `json:"serial"`
	Subject     string `json:"subject"`
	Issuer      string `json:"issuer"`
	Reason      Reason `json:"reason"`
	Explanation string `json:"explanation,omitempty"`
}

// Reason is an RFC 5280 CRLReason code.
type Reason int

// The reasons an organisation may give (RFC 5280 5.3.1; certificateHold,
// removeFromCRL and the CA's own reasons are not the subscriber's to ask).
const (
	ReasonUnspecified          Reason = 0
	ReasonKeyCompromise        Reason = 1
	ReasonAffiliationChanged   Reason = 3
	ReasonSuperseded           Reason = 4
	ReasonCessationOfOperation Reason = 5
	ReasonPrivilegeWithdrawn   Reason = 9
)

// Reasons lists the reasons in the order the form offers them.
var Reasons = []Reason{ReasonKeyCompromise, ReasonAffiliationChanged, ReasonSuperseded, ReasonCessationOfOperation, ReasonPrivilegeWithdrawn, ReasonUnspecified}

// Name is the reason's RFC 5280 name.
func (r Reason) Name() string {
	switch r {
	case ReasonUnspecified:
		return "unspecified"
	case ReasonKeyCompromise:
		return "keyCompromise"
	case ReasonAffiliationChanged:
		return "affiliationChanged"
	case ReasonSuperseded:
		return "superseded"
	case ReasonCessationOfOperation:
		return "cessationOfOperation"
	case ReasonPrivilegeWithdrawn:
		return "privilegeWithdrawn"
	case 2:
		return "cACompromise"
	case 6:
		return "certificateHold"
	case 8:
		return "removeFromCRL"
	case 10:
		return "aACompromise"
	}
	return ""
}

// Allowed reports whether the organisation may give this reason.
func (r Reason) Allowed() bool {
	for _, x := range Reasons {
		if x == r {
			return true
		}
	}
	return false
}

// CertKind is the overview the ordered (or revoked) certificate is in.
func (o *Order) CertKind() cert.Kind { return o.Product.CertKind() }
