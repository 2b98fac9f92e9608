package order

import (
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
)

// Who may: the screens show every order button, disabled with the reason
// these return when it is not nil. The permission comes from the one
// authorisation matrix in app/org; the certificate's own state from here.

// NewBlocked says why who cannot order a new certificate.
func NewBlocked(who org.Person) error { return org.Check(who, org.OrderCertificates) }

// RenewBlockedFor says why who cannot renew c.
func RenewBlockedFor(who org.Person, c *cert.Certificate) error {
	if err := org.Check(who, org.RenewCertificates); err != nil {
		return err
	}
	return RenewBlocked(c)
}

// RevokeBlockedFor says why who cannot revoke c.
func RevokeBlockedFor(who org.Person, c *cert.Certificate) error {
	if err := org.Check(who, org.RevokeCertificates); err != nil {
		return err
	}
	return RevokeBlocked(c)
}

// RejectBlocked says why who cannot record the CA's rejection of r: only
// a submitted order can be rejected, by someone who may order its kind.
func RejectBlocked(who org.Person, r *Record) error {
	if err := org.Check(who, Permission(r.Order.Kind)); err != nil {
		return err
	}
	return NotRejectable(r)
}

// NotRejectable says why r cannot have been rejected by the CA, whoever
// asks: it was not submitted.
func NotRejectable(r *Record) error {
	if r.Life.State != StateSubmitted {
		return i18n.E("order.reject_not_submitted", nil, stateWord(r.Life.State))
	}
	return nil
}
