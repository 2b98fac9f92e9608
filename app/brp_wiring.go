package app

import (
	"context"
	"errors"

	"pkiodesk/app/brp"
	"pkiodesk/app/i18n"
	"pkiodesk/app/store"
)

// BRPRegister is the afnemer register in this database.
func (a *App) BRPRegister() (*brp.Register, error) {
	rec, ok := a.Store.(store.Records)
	if !ok {
		return nil, i18n.E("err.db_open", errors.New("store keeps no records"), a.Store.Path())
	}
	return brp.NewRegister(rec).WithRecorder(a.recordBRP), nil
}

// BRPChecker runs the BRP pre-flight checks on this database: the chain
// through the trust store to a PKIoverheid private root, and revocation
// from the trust store's CRL/OCSP cache, else the CA ("unknown" is never
// "ok").
func (a *App) BRPChecker(ctx context.Context, offline bool) (*brp.Checker, error) {
	return &brp.Checker{Certs: a.Store, Chain: brpChain{a.Trust}, Revocation: brpRevocation{t: a.Trust}, Known: a.Inventory.Get, Now: a.Inventory.Now, Offline: offline}, nil
}
