package order

import (
	"pkiodesk/app/cert"
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
