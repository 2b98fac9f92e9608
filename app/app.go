// Package app is pkiodesk's core: it opens the store and the services that
// both the CLI and the screens use. It imports no UI toolkit.
package app

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"pkiodesk/app/audit"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/order"
	"pkiodesk/app/privatefiles"
	"pkiodesk/app/store"
	"pkiodesk/app/trust"
)

// Version of pkiodesk; FyneApp.toml carries the same number (a test checks).
const Version = "0.1.0"

// Config says where the state lives and what time it is.
type Config struct {
	DBPath string
	Now    func() time.Time
	// OpenTimeout is how long to wait for another process holding the database.
	OpenTimeout time.Duration
	// Demo is set for the demo's database: only there the demo CA is trusted.
	Demo bool
	// HTTP fetches CRLs and OCSP responses; nil is the default client
	// (time-outs, the system proxy).
	HTTP trust.HTTP
	// Access says whether the database may be created, written or only
	// read. The zero value, store.OpenOrCreate, is the window's first
	// start; every command sets its own.
	Access store.Access
	// SkipInventory leaves the inventory unread (a command that only
	// imports or reads settings).
	SkipInventory bool
}

// App holds the open store and the services on it.
type App struct {
	Store     store.Store
	Inventory *inventory.Service
	// Journal is the audit journal every action is recorded in.
	Journal *audit.Journal
	Trust   *trust.Service
	sess    session
	Orders  *order.Service
	// changeDocs keeps signed change forms that carry ID copies encrypted
	// (changevault.go).
	changeDocs vault
	// files is this process's private folder for documents handed to the
	// PDF viewer or the printer (privatefiles.go).
	files *privatefiles.Folder
	// Damage is set when the database file is damaged: Store and
	// Inventory then hold what could still be read, and refuse changes.
	Damage error
}

// backend is what the services need of the database: *store.Bolt, or
// *store.Salvaged for what could still be read of a damaged file.
type backend interface {
	store.Store
	store.Journal
	store.Records
	order.Store
}

// Open opens the database and loads the services. A damaged database
// opened read-only gives an App with what could still be read and Damage
// set; opened for writing, it is an error.
func Open(ctx context.Context, cfg Config) (*App, error) {
	var damage error
	var st backend
	bolt, err := store.OpenBolt(cfg.DBPath, store.BoltOptions{Timeout: cfg.OpenTimeout, Access: cfg.Access})
	switch {
	case err == nil:
		st = bolt
	case store.IsDamaged(err) && cfg.Access == store.ReadOnly:
		salvaged, serr := store.OpenSalvaged(ctx, cfg.DBPath, err)
		if serr != nil {
			return nil, err
		}
		st, damage = salvaged, err
	default:
		return nil, err
	}
	inv := inventory.New(st, cfg.Now)
	if !cfg.SkipInventory {
		if err := inv.Load(ctx); err != nil {
			if !store.IsDamaged(err) {
				st.Close()
				return nil, err
			}
			damage = err
		}
	}
	tr, err := trust.Open(ctx, st, trust.Options{Now: cfg.Now, Demo: cfg.Demo, HTTP: cfg.HTTP, Issuers: issuerCertificates(st)})
	if err != nil {
		st.Close()
		return nil, err
	}
	a := &App{Store: st, Inventory: inv, Journal: audit.New(st, audit.HeadPath(cfg.DBPath), cfg.Now), Trust: tr,
		files: privatefiles.New(os.Getenv), Damage: damage}
	a.Orders = order.NewService(st, inv, cfg.Now).WithJournal(a.Journal, a.Actor).WithTrust(tr)
	inv.SetStatusText(a.statusText)
	return a, nil
}

// Migration tells whether opening migrated the database to a newer
// schema: from which one, and where the copy made before it is.
func (a *App) Migration() (from uint32, backup string) {
	if b, ok := a.Store.(*store.Bolt); ok {
		return b.Migration()
	}
	return 0, ""
}

// RestoreHint tells how to restore a damaged database, naming the newest
// copy found beside it.
func RestoreHint(path string) error {
	if backups := store.BackupsOf(path); len(backups) > 0 {
		return i18n.E("db.restore_hint_backup", nil, path, backups[0])
	}
	return i18n.E("db.restore_hint", nil, path)
}

// Close releases the database.
func (a *App) Close() error { return a.Store.Close() }

// Release reads what views still need from the database (the revocation
// states their Status column is worded with) and then releases it, so that
// a view can be written out, to a reader however slow, without holding the
// file.
func (a *App) Release() error {
	a.Trust.Load() // a failure words the states as unknown, as it would have
	return a.Close()
}

// Database says which database file a session opens.
type Database struct {
	Path string
	// Demo is true for the demo organisation's database, which lives apart
	// from the real one so that trying things out never touches real data.
	Demo bool
}

// ResolveDatabase picks the database for the window: the demo database when
// asked for, or when asked for "demo if new" and no real database exists yet.
func ResolveDatabase(flagValue string, demo, demoIfNew bool, getenv func(string) string) (Database, error) {
	if demo {
		p, err := demoPath(getenv)
		return Database{Path: p, Demo: true}, err
	}
	p, err := store.ResolvePath(flagValue, getenv)
	if err != nil {
		return Database{}, err
	}
	if demoIfNew {
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			d, err := demoPath(getenv)
			return Database{Path: d, Demo: true}, err
		}
	}
	return Database{Path: p}, nil
}

func demoPath(getenv func(string) string) (string, error) {
	if p := getenv("PKIODESK_DEMO_DB"); p != "" {
		return p, nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", i18n.E("err.db_dir", err)
	}
	return filepath.Join(dir, "pkiodesk", "demo", "pkiodesk-demo.db"), nil
}

// OwnFiles are the files of the database at dbPath that no export, backup
// or save may replace: the database and its journal checkpoint.
func OwnFiles(dbPath string) []string {
	return []string{dbPath, audit.HeadPath(dbPath)}
}
