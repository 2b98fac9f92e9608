package app

import (
	"context"
	"crypto/x509"
	"time"

	"pkiodesk/app/brp"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/trust"
)

// brpChain validates a BRP certificate with the trust store, and accepts
// only chains that end at a PKIoverheid private root: RvIG accepts no
// other, whatever else this workstation trusts (an administrator's
// anchor, the demo CA).
type brpChain struct{ t *trust.Service }

func (b brpChain) VerifyChain(ctx context.Context, leaf *x509.Certificate, intermediates []*x509.Certificate, at time.Time) ([]*x509.Certificate, error) {
	ch := b.t.Validate(ctx, leaf, trust.ValidateOptions{At: at, Extra: intermediates})
	if !ch.Trusted {
		return nil, ch.Err
	}
	if root := ch.Certs[len(ch.Certs)-1]; !brp.IsPKIoPrivateRoot(root) {
		return nil, i18n.E("brp.chain.unknown_authority", nil, cert.Printable(root.Subject.CommonName))
	}
	return ch.Certs, nil
}

// brpRevocation asks the trust store: its cache when current (the refresh
// at start keeps the inventory's certificates so), else the CA, for at
// most BRPRevocationTimeout. cacheOnly never goes to the network (the
// window, whose own refresh keeps the cache current).
type brpRevocation struct {
	t         *trust.Service
	cacheOnly bool
}

// BRPRevocationTimeout bounds one revocation check of the BRP checks.
const BRPRevocationTimeout = 10 * time.Second

func (b brpRevocation) CheckRevocation(ctx context.Context, leaf, issuer *x509.Certificate) brp.RevocationStatus {
	ctx, cancel := context.WithTimeout(ctx, BRPRevocationTimeout)
	defer cancel()
	var st trust.Status
	if b.cacheOnly {
		st = b.t.Known(cert.Fingerprint(leaf.Raw))
	} else {
		st = b.t.Check(ctx, leaf, issuer)
	}
	switch st.State {
	case trust.StateGood:
		return brp.RevocationStatus{State: brp.RevocationGood, Source: st.Source}
	case trust.StateRevoked:
		return brp.RevocationStatus{State: brp.RevocationRevoked, RevokedAt: st.RevokedAt, Reason: int(st.Reason), Source: st.Source}
	case trust.StateNoSource:
		return brp.RevocationStatus{State: brp.RevocationUnknown, Err: i18n.E("trust.why.no_source", nil)}
	}
	why := st.Problem
	if why == nil {
		why = i18n.E("trust.why.unchecked", nil)
	}
	return brp.RevocationStatus{State: brp.RevocationUnknown, Err: why, Source: st.Source}
}

// BRPCheckerCached is BRPChecker with revocation from the trust store's
// cache only, for the window: its checks never wait for a CA.
func (a *App) BRPCheckerCached(ctx context.Context) (*brp.Checker, error) {
	c, err := a.BRPChecker(ctx, false)
	if err != nil {
		return nil, err
	}
	c.Revocation = brpRevocation{t: a.Trust, cacheOnly: true}
	return c, nil
}
