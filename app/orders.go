package app

import (
	"context"
	"os"
	"path/filepath"

	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/order"
	"pkiodesk/app/store"
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
	return a.Orders.MatchImported(ctx, rep.Added)
}
