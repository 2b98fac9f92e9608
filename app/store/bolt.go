package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

// SchemaVersion is the layout this build writes. A database with a higher
// version was written by a newer pkiodesk and is never touched.
const SchemaVersion = 1

var (
	bucketMeta    = []byte("meta")
	bucketCerts   = []byte("certs")
	bucketIssuers = []byte("issuers")
	bucketDER     = []byte("der")
	keySchema     = []byte("schema")
	keyApp        = []byte("app")
	appMarker     = []byte("pkiodesk")
)

// BoltOptions tune OpenBolt.
type BoltOptions struct {
	// Timeout is how long to wait for another process to release the file.
	Timeout time.Duration
}

// Bolt is the bbolt implementation of Store.
type Bolt struct {
	db   *bolt.DB
	path string
}

var _ Store = (*Bolt)(nil)

// OpenBolt opens or creates the database file (mode 0600, folder 0700).
func OpenBolt(path string, opt BoltOptions) (*Bolt, error) {
	if opt.Timeout <= 0 {
		opt.Timeout = time.Second
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, i18n.E("err.db_dir", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opt.Timeout})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, i18n.E("err.db_in_use", nil, path)
		}
		return nil, i18n.E("err.db_open", err, path)
	}
	b := &Bolt{db: db, path: path}
	if err := b.initSchema(); err != nil {
		db.Close()
		return nil, err
	}
	return b, nil
}

func (b *Bolt) initSchema() error {
	var newer uint32
	var foreign bool
	err := b.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			// A file with buckets but without our meta is someone else's.
			if err := tx.ForEach(func([]byte, *bolt.Bucket) error { return errForeign }); err != nil {
				foreign = true
				return err
			}
			var err error
			if meta, err = tx.CreateBucket(bucketMeta); err != nil {
				return err
			}
			if err := meta.Put(keyApp, appMarker); err != nil {
				return err
			}
			if err := meta.Put(keySchema, binary.BigEndian.AppendUint32(nil, SchemaVersion)); err != nil {
				return err
			}
		}
		v := meta.Get(keySchema)
		if len(v) != 4 {
			foreign = true
			return errForeign
		}
		if version := binary.BigEndian.Uint32(v); version > SchemaVersion {
			newer = version
			return errNewer
		}
		// Older versions would migrate here, inside this transaction.
		for _, name := range [][]byte{bucketCerts, bucketIssuers, bucketDER} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	})
	switch {
	case err == nil:
		return nil
	case foreign:
		return i18n.E("err.db_not_pkiodesk", nil, b.path)
	case newer > 0:
		return i18n.E("err.db_newer", nil, b.path, newer, SchemaVersion)
	default:
		return i18n.E("err.db_write", err)
	}
}

var (
	errForeign = errors.New("not a pkiodesk database")
	errNewer   = errors.New("schema is newer")
)

// Path of the database file.
func (b *Bolt) Path() string { return b.path }

// Close releases the file for other processes.
func (b *Bolt) Close() error { return b.db.Close() }

// Certificates returns the organisation's own certificates.
func (b *Bolt) Certificates(ctx context.Context) ([]cert.Certificate, error) {
	return b.readAll(ctx, bucketCerts)
}

// Issuers returns the stored CA certificates.
func (b *Bolt) Issuers(ctx context.Context) ([]cert.Certificate, error) {
	return b.readAll(ctx, bucketIssuers)
}

func (b *Bolt) readAll(ctx context.Context, bucket []byte) ([]cert.Certificate, error) {
	var out []cert.Certificate
	err := b.db.View(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucket)
		out = make([]cert.Certificate, 0, bk.Stats().KeyN)
		i := 0
		return bk.ForEach(func(k, v []byte) error {
			if i++; i%4096 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			c, err := decodeRecord(v)
			if err != nil {
				return i18n.E("err.db_corrupt", err, cert.Printable(string(k)))
			}
			out = append(out, c)
			return nil
		})
	})
	if err != nil {
		return nil, i18n.E("err.db_read", err)
	}
	return out, nil
}

// DER returns the encoded certificate.
func (b *Bolt) DER(ctx context.Context, sha256 string) ([]byte, error) {
	var der []byte
	err := b.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketDER).Get([]byte(sha256)); v != nil {
			der = append([]byte(nil), v...)
		}
		return nil
	})
	if err != nil {
		return nil, i18n.E("err.db_read", err)
	}
	if der == nil {
		return nil, i18n.E("err.cert_not_found", nil, cert.Printable(sha256))
	}
	return der, nil
}

// AddCertificates stores new entries in one transaction.
func (b *Bolt) AddCertificates(ctx context.Context, entries []Entry) (added, dups []cert.Certificate, err error) {
	err = b.update(ctx, func(tx *bolt.Tx) error {
		added, dups = added[:0], dups[:0]
		certs, issuers, ders := tx.Bucket(bucketCerts), tx.Bucket(bucketIssuers), tx.Bucket(bucketDER)
		for i := range entries {
			if i%1024 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			e := &entries[i]
			key := []byte(e.Cert.SHA256)
			if ders.Get(key) != nil {
				dups = append(dups, e.Cert)
				continue
			}
			bk := certs
			if e.Cert.Kind == cert.KindCA {
				bk = issuers
			}
			if err := bk.Put(key, encodeRecord(&e.Cert)); err != nil {
				return err
			}
			if err := ders.Put(key, e.DER); err != nil {
				return err
			}
			added = append(added, e.Cert)
		}
		return nil
	})
	if err != nil {
		return nil, nil, i18n.E("err.db_write", err)
	}
	return added, dups, nil
}

// UpdateCertificate changes one own certificate record.
func (b *Bolt) UpdateCertificate(ctx context.Context, sha256 string, change func(*cert.Certificate) error) (cert.Certificate, error) {
	var out cert.Certificate
	var userErr error
	err := b.update(ctx, func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketCerts)
		v := bk.Get([]byte(sha256))
		if v == nil {
			userErr = i18n.E("err.cert_not_found", nil, cert.Printable(sha256))
			return userErr
		}
		c, err := decodeRecord(v)
		if err != nil {
			return fmt.Errorf("decode %s: %w", sha256, err)
		}
		if err := change(&c); err != nil {
			userErr = err
			return err
		}
		out = c
		return bk.Put([]byte(sha256), encodeRecord(&c))
	})
	if userErr != nil {
		return cert.Certificate{}, userErr
	}
	if err != nil {
		return cert.Certificate{}, i18n.E("err.db_write", err)
	}
	return out, nil
}
