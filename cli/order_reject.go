package cli

import (
	"context"
	"crypto"
	"strings"

	"pkiodesk/app"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/order"
	"pkiodesk/app/org"
	"pkiodesk/smartcard"
)

// orderReject records that the CA refused a submitted order, with the
// reason it gave. The card holder logs in as in the window (PIN, the card
// signs a challenge, chain, registration) and is who the journal names.
func (c *call) orderReject(ctx context.Context, id, reason string, f cardFlags) int {
	if strings.TrimSpace(reason) == "" {
		return c.fail(i18n.E("order.reject_reason", nil))
	}
	a, err := c.openApp(ctx)
	if err != nil {
		return c.fail(err)
	}
	defer a.Close()
	// Checked before the PIN is asked; Reject checks again.
	r, err := a.Orders.Get(ctx, id)
	if err != nil {
		return c.fail(err)
	}
	if err := order.NotRejectable(&r); err != nil {
		return c.fail(err)
	}
	m := smartcard.NewManager()
	s, who, err := c.logInPerson(ctx, a, m, f)
	if err != nil {
		return c.cardFail(err)
	}
	defer s.Close()
	defer c.logOut(ctx, a, s)
	r, err = a.Orders.Reject(ctx, id, reason, who)
	if err != nil {
		return c.fail(err)
	}
	c.out("%s %s: %s (%s)\n", t(c.lang, "Bestelling", "Order"), cert.Printable(r.Order.ID), i18n.T(c.lang, "order.state."+string(r.State())), cert.PrintableMax(strings.TrimSpace(reason), 500))
	return 0
}

// logInPerson logs the card holder in to the database a as the window
// does: PIN, the card proves its key, the chain and revocation are
// checked, and the holder must be registered (LogIn journals it). A
// refusal is journaled too.
func (c *call) logInPerson(ctx context.Context, a *app.App, m *smartcard.Manager, f cardFlags) (*smartcard.Session, org.Person, error) {
	s, err := c.login(ctx, m, f)
	if err != nil {
		_ = a.LoginRefused(ctx, nil, err)
		return nil, org.Person{}, err
	}
	auth, err := s.Pick(smartcard.UsageAuthentication)
	if err != nil {
		s.Close()
		_ = a.LoginRefused(ctx, nil, err)
		return nil, org.Person{}, err
	}
	check, err := a.CheckLogin(ctx, auth.Cert, s.Signer(auth))
	if err != nil {
		s.Close()
		_ = a.LoginRefused(ctx, auth.Cert, err)
		return nil, org.Person{}, err
	}
	if w := check.Warning(); w != nil {
		c.out("! %s\n", i18n.Localize(c.lang, w))
	}
	p, err := a.LogIn(ctx, check)
	if err != nil {
		s.Close()
		return nil, org.Person{}, err
	}
	return s, p, nil
}

// logOut ends the person's session and signs the journal's head with the
// login key while the card is still in session, as the window does.
func (c *call) logOut(ctx context.Context, a *app.App, s *smartcard.Session) {
	var signer crypto.Signer
	if auth, err := s.Pick(smartcard.UsageAuthentication); err == nil && !s.NeedsPINPerSignature(auth) {
		signer = s.Signer(auth)
	}
	_ = a.LogOut(ctx, signer)
}
