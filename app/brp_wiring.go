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
// against the PKIoverheid roots stored here, revocations pkiodesk knows of.
// Revocation status from CRL/OCSP comes with the trust store (app/trust);
// until then it is "unknown", which is never "ok".
func (a *App) BRPChecker(ctx context.Context, offline bool) (*brp.Checker, error) {
	trust, err := brp.StoredTrust(ctx, a.Store)
	if err != nil {
		return nil, err
	}
	return &brp.Checker{Certs: a.Store, Chain: trust, Known: a.Inventory.Get, Now: a.Inventory.Now, Offline: offline}, nil
}
