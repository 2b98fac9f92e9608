package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"pkiodesk/app/files"
	"pkiodesk/app/i18n"
)

// SchemaVersion is the layout this build writes. A database with a higher
// version was written by a newer pkiodesk and is never touched; a lower one
// is copied aside and then migrated when opened for writing.
//
//	1: records without checksum
//	2: records with a CRC-32C and the overview's fields first; import journal
const SchemaVersion = 2

var (
	bucketMeta    = []byte("meta")
	bucketCerts   = []byte("certs")
	bucketIssuers = []byte("issuers")
	bucketDER     = []byte("der")
	// bucketPending journals the keys an import has stored in earlier
	// transactions; it is empty whenever no import is under way.
	bucketPending = []byte("import-pending")
	keySchema     = []byte("schema")
	keyApp        = []byte("app")
	appMarker     = []byte("pkiodesk")
)

// coreBuckets exist in every pkiodesk database from the first transaction on.
var coreBuckets = [][]byte{bucketCerts, bucketIssuers, bucketDER}

// Access says what OpenBolt may do with the file.
type Access int

const (
	// OpenOrCreate creates the database when the file does not exist: only
	// the window's first start does this. An empty (0-byte) file is refused.
	OpenOrCreate Access = iota
	// OpenExisting opens an existing pkiodesk database for reading and writing.
	OpenExisting
	// ReadOnly opens an existing database without writing to it, beside
	// other readers; a file the user may only read opens too.
	ReadOnly
	// CreateNew makes a new database (pkiodesk init): the file must not
	// exist, or be empty.
	CreateNew
)

func (a Access) creates() bool { return a == OpenOrCreate || a == CreateNew }

// BoltOptions tune OpenBolt.
type BoltOptions struct {
	// Timeout is how long to wait for another process to release the file.
	Timeout time.Duration
	Access  Access
	// Now dates the copy made before a schema migration; time.Now when nil.
	Now func() time.Time
}

// Bolt is the bbolt implementation of Store.
type Bolt struct {
	db       *bolt.DB
	path     string
	readOnly bool
	// schema is the version on disk; below SchemaVersion only when the
	// database was opened read-only.
	schema uint32
	// mu orders writes against reads of the file that bypass bbolt (what
	// can still be read of a damaged database).
	mu sync.RWMutex
	// damage is set once bbolt met a damaged page; writes are refused from
	// then on, so that damage does not spread.
	damage atomic.Pointer[error]
	// committed counts the changes of this process that committed with
	// their journal entry: a signal after a command's change landed must
	// not report it as interrupted.
	committed atomic.Uint64
	// A migration on open: from which schema, and the copy made before it.
	migratedFrom    uint32
	migrationBackup string
}

var _ Store = (*Bolt)(nil)

// OpenBolt opens the database file (mode 0600, folder 0700). The file is
// checked before bbolt maps it: a truncated or damaged file is refused with
// "database beschadigd" instead of crashing the process.
func OpenBolt(path string, opt BoltOptions) (*Bolt, error) {
	if path == "" {
		return nil, i18n.E("err.db_path_empty", nil)
	}
	if opt.Timeout <= 0 {
		opt.Timeout = time.Second
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	fresh, err := checkBeforeOpen(path, opt.Access)
	if err != nil {
		return nil, err
	}
	existed := false
	if fresh {
		_, err := os.Stat(path)
		existed = err == nil
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, i18n.E("err.db_dir", err)
		}
	}
	db, err := openGuarded(path, opt, fresh)
	if err != nil {
		if fresh && !existed && !i18n.Is(err, "err.db_in_use") {
			removeUnfinished(path)
		}
		return nil, err
	}
	b := &Bolt{db: db, path: path, readOnly: opt.Access == ReadOnly}
	if err := b.initSchema(fresh, opt.Now); err != nil {
		empty := fresh && holdsNothing(db)
		db.Close()
		if empty {
			// Made here and never given its schema (a full disk): leave
			// no shell that every later command calls damaged.
			if existed {
				os.Truncate(path, 0)
			} else {
				os.Remove(path)
			}
		}
		return nil, err
	}
	return b, nil
}

// removeUnfinished removes a database file this open created when bbolt
// could not even write its first pages (a full disk): a file shorter than
// those pages holds nothing, and would be taken for a damaged database.
func removeUnfinished(path string) {
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Size() < 4*int64(os.Getpagesize()) {
		os.Remove(path)
	}
}

// holdsNothing tells whether a bbolt file has no bucket at all: no one's
// data, whoever made it.
func holdsNothing(db *bolt.DB) bool {
	empty := false
	_ = db.View(func(tx *bolt.Tx) error {
		empty = tx.ForEach(func([]byte, *bolt.Bucket) error { return errForeign }) == nil
		return nil
	})
	return empty
}

// checkBeforeOpen decides whether the file is to be created, and checks an
// existing one before any memory map sees it.
func checkBeforeOpen(path string, access Access) (fresh bool, err error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if access.creates() {
			return true, nil
		}
		return false, i18n.E("err.db_missing", nil, path)
	case err != nil:
		return false, i18n.E("err.db_open", err, path)
	case !fi.Mode().IsRegular():
		return false, i18n.E("err.db_open", files.NotRegular(path, fi.Mode()), path)
	case fi.Size() == 0:
		if access == CreateNew {
			return true, nil
		}
		return false, i18n.E("err.db_empty", nil, path)
	case access == CreateNew:
		return false, i18n.E("err.db_exists", nil, path)
	}
	f, _, err := files.OpenRegular(path)
	if err != nil {
		return false, i18n.E("err.db_open", err, path)
	}
	defer f.Close()
	if _, err := inspectBolt(f, fi.Size()); err != nil {
		if errors.Is(err, errNotBolt) {
			return false, i18n.E("err.db_not_pkiodesk", nil, path)
		}
		return false, damaged(path, err)
	}
	return false, nil
}

// openGuarded runs bbolt's Open, which reads the meta pages and (for
// writing) the freelist through the memory map, with faults turned into
// panics and panics into "damaged".
func openGuarded(path string, opt BoltOptions, fresh bool) (db *bolt.DB, err error) {
	var file *os.File
	bo := &bolt.Options{
		Timeout:         opt.Timeout,
		ReadOnly:        opt.Access == ReadOnly,
		InitialMmapSize: initialMmapSize(opt.Access),
		OpenFile: func(name string, flag int, mode os.FileMode) (*os.File, error) {
			if !fresh {
				// The file was checked: never create another in its place.
				flag &^= os.O_CREATE
			}
			f, err := os.OpenFile(name, flag|files.NoWait, mode)
			if err != nil {
				return nil, err
			}
			if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
				f.Close()
				return nil, i18n.E("err.db_not_pkiodesk", nil, name)
			}
			if fresh && runtime.GOOS != "windows" {
				// An empty file made beforehand (touch, a 0666 umask) keeps
				// its mode through O_CREATE: a new database is the owner's.
				if err := f.Chmod(mode); err != nil {
					f.Close()
					return nil, err
				}
			}
			file = f
			return f, nil
		},
	}
	err = guard(func() error {
		var err error
		db, err = bolt.Open(path, 0o600, bo)
		return err
	})
	var ue *i18n.Error
	switch {
	case err == nil:
		return db, nil
	case errors.Is(err, errDamaged):
		if file != nil {
			// bbolt panicked half-way: release the file and its lock.
			file.Close()
		}
		return nil, damaged(path, err)
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, i18n.E("err.db_in_use", nil, path)
	case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrChecksum), errors.Is(err, bolterrors.ErrVersionMismatch):
		return nil, damaged(path, err)
	case errors.As(err, &ue):
		return nil, err
	default:
		return nil, i18n.E("err.db_open", err, path)
	}
}

// initialMmapSize maps a database that is written to at 1 GiB from the
// start: bbolt otherwise maps it anew each time the file grows, and copies
// every key and value of the transaction under way out of the old map
// (0.4 GB of copies for an import of 100,000 certificates). Address space
// only; on Windows a map extends the file, so there bbolt's default stays.
func initialMmapSize(access Access) int {
	if access == ReadOnly || runtime.GOOS == "windows" {
		return 0
	}
	return 1 << 30
}

// errDamaged marks a panic or fault bbolt met on a damaged page. What the
// panic said is technical English and no help to a user (`db check` finds
// the page); pageFault keeps it for whoever debugs.
var errDamaged = i18n.E("dbfile.unreadable", nil)

type pageFault struct{ value any }

func (p *pageFault) Error() string { return fmt.Sprintf("bbolt: %v", p.value) }
func (p *pageFault) Unwrap() error { return errDamaged }

// guard runs fn with memory faults turned into panics (the file is memory
// mapped: a page beyond the end of a truncated file faults), and turns a
// panic (a fault, or one of bbolt's page assertions) into an error. bbolt
// rolls its transaction back when a panic passes through View or Update.
func guard(fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if !fromDamage(r) {
				panic(r) // a bug, not a damaged file: let it be seen
			}
			err = &pageFault{r}
		}
	}()
	return fn()
}

// fromDamage tells a panic caused by a damaged file from a bug: a fault on
// a mapped address (not near nil), or any panic raised inside bbolt.
func fromDamage(r any) bool {
	if f, ok := r.(interface{ Addr() uintptr }); ok {
		return f.Addr() >= 1<<16
	}
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "runtime.") && f.Function != "" {
			return strings.HasPrefix(f.Function, "go.etcd.io/bbolt")
		}
		if !more {
			return false
		}
	}
}

// damaged is the user's message for a damaged database: what happened and
// how to restore it.
func damaged(path string, cause error) error {
	return i18n.E("err.db_damaged", cause, path)
}

// IsDamaged tells whether err reports a damaged database file.
func IsDamaged(err error) bool { return i18n.Is(err, "err.db_damaged") }

func (b *Bolt) initSchema(fresh bool, now func() time.Time) error {
	if fresh {
		return b.update(context.Background(), createSchema)
	}
	var version uint32
	var pending bool
	err := b.view(context.Background(), func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil || string(meta.Get(keyApp)) != string(appMarker) {
			return errForeign
		}
		v := meta.Get(keySchema)
		if len(v) != 4 {
			return errForeign
		}
		version = binary.BigEndian.Uint32(v)
		if version > SchemaVersion {
			return nil
		}
		for _, name := range coreBuckets {
			if tx.Bucket(name) == nil {
				return fmt.Errorf("bucket %s is missing", name)
			}
		}
		if p := tx.Bucket(bucketPending); p != nil && p.Stats().KeyN > 0 {
			pending = true
		}
		return nil
	})
	switch {
	case errors.Is(err, errForeign):
		return i18n.E("err.db_not_pkiodesk", nil, b.path)
	case err != nil && !IsDamaged(err):
		return damaged(b.path, err)
	case err != nil:
		return err
	case version > SchemaVersion:
		return i18n.E("err.db_newer", nil, b.path, version, SchemaVersion)
	}
	b.schema = version
	if b.readOnly {
		return nil
	}
	if version < SchemaVersion {
		if err := b.migrate(version, now); err != nil {
			return err
		}
	}
	if pending {
		// An import was interrupted (a kill, a power cut): it leaves nothing.
		if err := b.update(context.Background(), rollBackPending); err != nil {
			return err
		}
	}
	// A database from before the record counts were kept gets them now
	// (opening one that has them writes nothing).
	var counted bool
	var uncounted [][]byte
	if err := b.view(context.Background(), func(tx *bolt.Tx) error {
		_, counted = readCounts(tx)
		uncounted = uncountedBuckets(tx)
		return nil
	}); err != nil || (counted && len(uncounted) == 0) {
		return err
	}
	return b.update(context.Background(), func(tx *bolt.Tx) error {
		if !counted {
			if err := recount(tx); err != nil {
				return err
			}
		}
		return countBuckets(tx, uncounted)
	})
}

var errForeign = errors.New("not a pkiodesk database")

func createSchema(tx *bolt.Tx) error {
	// A file with buckets but without our meta is someone else's.
	if err := tx.ForEach(func([]byte, *bolt.Bucket) error { return errForeign }); err != nil {
		return err
	}
	meta, err := tx.CreateBucket(bucketMeta)
	if err != nil {
		return err
	}
	if err := meta.Put(keyApp, appMarker); err != nil {
		return err
	}
	if err := meta.Put(keySchema, binary.BigEndian.AppendUint32(nil, SchemaVersion)); err != nil {
		return err
	}
	for _, name := range coreBuckets {
		if _, err := tx.CreateBucket(name); err != nil {
			return err
		}
	}
	return storeCounts(tx, recordCounts{})
}

// Path of the database file.
func (b *Bolt) Path() string { return b.path }

// ReadOnly tells whether the database was opened without write access.
func (b *Bolt) ReadOnly() bool { return b.readOnly }

// Close releases the file for other processes.
func (b *Bolt) Close() error { return b.db.Close() }

// view runs a read transaction, guarded against damaged pages.
func (b *Bolt) view(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return i18n.E("err.context_canceled", err)
	}
	err := guard(func() error { return b.db.View(fn) })
	if errors.Is(err, errDamaged) {
		b.damage.Store(&err)
		return damaged(b.path, err)
	}
	return err
}

// update runs a write transaction: every change of the store passes here,
// so that whatever must land with every change (the context's audit entry,
// see WithJournal) has one place to go.
func (b *Bolt) update(ctx context.Context, fn func(*bolt.Tx) error) error {
	err := b.write(ctx, journaled(ctx, fn))
	if p, _ := ctx.Value(pendingKey{}).(*Pending); err == nil && p != nil && p.Landed() {
		b.committed.Add(1)
	}
	return err
}

// write runs a write transaction unless the database is read-only or was
// found damaged, guarded against damaged pages.
func (b *Bolt) write(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return i18n.E("err.context_canceled", err)
	}
	if b.readOnly {
		return i18n.E("err.db_read_only", nil, b.path)
	}
	if d := b.damage.Load(); d != nil {
		return damaged(b.path, *d)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	err := guard(func() error { return b.db.Update(fn) })
	if errors.Is(err, errDamaged) {
		b.damage.Store(&err)
		return damaged(b.path, err)
	}
	return err
}

// Committed tells how many changes of this process committed together with
// their journal entry (a schema upgrade on open, or a journal entry of its
// own, is no change of the user's).
func (b *Bolt) Committed() uint64 { return b.committed.Load() }

// writeErr wraps a failed write for the user, unless it already speaks to him.
func writeErr(err error) error {
	var ue *i18n.Error
	if errors.As(err, &ue) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return i18n.E("err.context_canceled", err)
	}
	return i18n.E("err.db_write", err)
}

func readErr(err error) error {
	var ue *i18n.Error
	if errors.As(err, &ue) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return i18n.E("err.context_canceled", err)
	}
	return i18n.E("err.db_read", err)
}
