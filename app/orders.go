package app

import (
	"context"
	"crypto/x509"
	"io"
	"os"
	"path/filepath"

	"pkiodesk/app/audit"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/order"
	"pkiodesk/app/store"
	"pkiodesk/app/trust"
)

// Outbox is the default submitter, in the folder set in Instellingen or
// else in "uitgaand" beside the database.
func (a *App) Outbox(ctx context.Context) (order.Outbox, error) {
	s, err := a.Store.Settings(ctx)
	if err != nil {
		return order.Outbox{}, err
	}
	dir := s.OutboxDir
	if dir == "" {
		abs, err := filepath.Abs(a.Store.Path())
		if err != nil {
			return order.Outbox{}, err
		}
		dir = filepath.Join(filepath.Dir(abs), "uitgaand")
	}
	return order.Outbox{Dir: dir}, nil
}

// SetOutboxDir stores the outbox folder: an absolute path to a folder (it
// is made when missing); "" returns to the default.
func (a *App) SetOutboxDir(ctx context.Context, dir string) error {
	if dir != "" {
		if !filepath.IsAbs(dir) {
			return i18n.E("outbox.relative", nil, dir)
		}
		if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
			return i18n.E("outbox.dir_missing", nil, dir)
		}
	}
	return a.changeSetting(ctx, "outbox", func(s *store.Settings) bool {
		changed := s.OutboxDir != dir
		s.OutboxDir = dir
		return changed
	})
}

// LinkImported links the certificates an import added to the orders they
// were issued for (every import, from the window or the command line).
func (a *App) LinkImported(ctx context.Context, rep inventory.Report) ([]order.Match, error) {
	added := rep.Added
	if len(added) == 0 && len(rep.Lines) > 0 {
		// A compact report (a large import) names its certificates only:
		// read them when an order is waiting for a certificate at all.
		waiting, err := a.Orders.AwaitingCertificates(ctx)
		if err != nil || !waiting {
			return nil, err
		}
		certs, err := a.Store.LoadCertificates(ctx, rep.AddedKeys())
		if err != nil {
			return nil, err
		}
		for _, c := range certs {
			if c != nil {
				added = append(added, *c)
			}
		}
	}
	return a.Orders.MatchImported(ctx, added)
}

// ConfirmRevocations marks the submitted revocation orders done whose
// certificates the CAs now list as revoked (learnt by the trust store:
// RefreshRevocation, imported CRLs); their certificates stop showing
// "intrekking aangevraagd".
func (a *App) ConfirmRevocations(ctx context.Context) ([]order.Match, error) {
	return a.Orders.ConfirmRevocations(ctx, learntRevocations{a})
}

// learntRevocations answers the order desk with what the trust store
// already learnt from the CAs; it asks no CA itself.
type learntRevocations struct{ a *App }

func (l learntRevocations) Status(ctx context.Context, c, issuer *x509.Certificate) (order.Revocation, error) {
	sha := cert.Fingerprint(c.Raw)
	if rec, ok := l.a.Inventory.Get(sha); ok && rec.Revoked {
		return order.Revocation{Revoked: true, At: rec.RevokedAt, Reason: rec.RevocationReason}, nil
	}
	if st := l.a.Trust.Known(sha); st.State == trust.StateRevoked {
		return order.Revocation{Revoked: true, At: st.RevokedAt, Reason: st.Reason.String()}, nil
	}
	return order.Revocation{}, nil
}

// OrderReadOptions are what an order's signed PDF is checked against here:
// the trust store, and the registered people of this organisation.
func (a *App) OrderReadOptions(ctx context.Context) (order.ReadOptions, error) {
	opt := order.ReadOptions{Trust: a.Trust}
	o, found, err := a.Store.Organisation(ctx)
	if err != nil || !found {
		return opt, err
	}
	people, err := a.Store.People(ctx)
	if err != nil {
		return opt, err
	}
	opt.People, opt.OIN = people, o.OIN
	return opt, nil
}

// ReadSignedOrder verifies an order's signed PDF against this database's
// trust store and people (order.ReadSigned).
func (a *App) ReadSignedOrder(ctx context.Context, pdf []byte) (order.Signed, error) {
	opt, err := a.OrderReadOptions(ctx)
	if err != nil {
		return order.Signed{}, err
	}
	return order.ReadSigned(ctx, pdf, opt)
}

// ExportOrdersCSV writes the Bestellingen list's rows as CSV and journals
// the export with the number of rows, as the overviews' export does.
func (a *App) ExportOrdersCSV(ctx context.Context, w io.Writer, rows []order.ListRow, opt inventory.CSVOptions) error {
	err := order.WriteListCSV(w, rows, opt)
	e := audit.Entry{Who: a.Actor(), Action: audit.ExportCSV, Count: len(rows)}
	if err != nil {
		e.Outcome, e.Reason = audit.Failed, audit.ReasonOf(err)
	}
	if jerr := a.Journal.Record(ctx, e); jerr != nil && err == nil {
		return jerr
	}
	return err
}
