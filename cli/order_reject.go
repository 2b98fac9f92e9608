package cli

import (
	"context"
	"crypto"
	"strings"

	"pkiodesk/app"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/order"
	"pkiodesk/smartcard"
)

// orderReject records that the CA refused a submitted order, with the
// reason it gave. The card holder logs in as in the window (PIN, the card
// signs a challenge, chain, registration) and is who the journal names.
func (c *call) orderReject(ctx context.Context, id, reason string, f cardFlags) int {
	if strings.TrimSpace(reason) == "" {
		return c.fail(i18n.E("order.reject_reason", nil))
	}
	// Checked before the PIN is asked; Reject checks again.
	a, err := c.openApp(ctx)
	if err != nil {
		return c.fail(err)
	}
	r, err := a.Orders.Get(ctx, id)
	if err == nil {
		err = order.NotRejectable(&r)
	}
	a.Close()
	if err != nil {
		return c.fail(err)
	}
	// The card holder logs in as in the window (cli/org.go's cardHolder).
	a, who, s, err := c.cardHolder(ctx, f)
	if err != nil {
		return c.cardFail(err)
	}
	defer a.Close()
	defer s.Close()
	defer c.logOut(ctx, a, s)
	r, err = a.Orders.Reject(ctx, id, reason, who)
	if err != nil {
		return c.fail(err)
	}
	c.out("%s %s: %s (%s)\n", t(c.lang, "Bestelling", "Order"), cert.Printable(r.Order.ID), i18n.T(c.lang, "order.state."+string(r.State())), cert.PrintableMax(strings.TrimSpace(reason), 500))
	return 0
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
