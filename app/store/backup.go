package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"pkiodesk/app/files"
	"pkiodesk/app/i18n"
)

// Backup writes a consistent copy of the database: bbolt's copy of one
// read transaction, so other readers go on meanwhile. It is written
// through a temporary file in the target's folder and renamed into place;
// the copy is checked before Backup returns. Special files and the
// database itself are refused as targets.
func (b *Bolt) Backup(ctx context.Context, path string) error {
	if path == "" {
		return i18n.E("err.backup_path_empty", nil)
	}
	if err := b.refuseSelf(path); err != nil {
		return err
	}
	// Reading the database and writing the copy fail differently: a
	// failing read says so, a failing write (a full disk, a missing
	// folder) is the copy's.
	var readFailed error
	err := files.WriteReplacing(path, 0o600, func(w io.Writer) error {
		return b.view(ctx, func(tx *bolt.Tx) error {
			cw := &ctxWriter{ctx: ctx, w: w}
			_, err := tx.WriteTo(cw)
			if err != nil && cw.err != nil {
				// bbolt words the writer's error as text: the writer's
				// own (cancelled, disk full) keeps its meaning.
				return cw.err
			}
			if err != nil {
				readFailed = readErr(err)
			}
			return err
		})
	})
	if readFailed != nil {
		return i18n.E("err.backup_write", readFailed, path)
	}
	if err != nil {
		return i18n.E("err.backup_write", err, path)
	}
	if err := checkCopy(path); err != nil {
		return i18n.E("err.backup_write", err, path)
	}
	return nil
}

// refuseSelf refuses the database file (or a link to it) as a target.
func (b *Bolt) refuseSelf(path string) error {
	target, _, err := files.OutputTarget(path)
	if err != nil {
		return i18n.E("err.backup_write", err, path)
	}
	if files.IsOneOf(path, b.path) {
		return i18n.E("err.backup_is_database", nil, target)
	}
	return nil
}

// checkCopy opens a written copy as a file and checks its meta pages.
func checkCopy(path string) error {
	f, fi, err := files.OpenRegular(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = inspectBolt(f, fi.Size())
	return err
}

// ctxWriter ends a long copy when the user interrupts it.
// It remembers the error it returned.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
	err error
}

func (c *ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		c.err = i18n.E("err.context_canceled", err)
		return 0, c.err
	}
	n, err := c.w.Write(p)
	if err != nil {
		c.err = err
	}
	return n, err
}

// migrate copies the database aside and then rewrites it in the current
// schema, in one transaction.
func (b *Bolt) migrate(from uint32, now func() time.Time) error {
	backup, err := b.migrationCopy(from, now)
	if err != nil {
		return err
	}
	err = b.update(context.Background(), func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketCerts, bucketIssuers} {
			if err := rewrite(tx.Bucket(name), func(k, v []byte) []byte {
				if len(v) == 0 || v[0] != recordV1 {
					return nil
				}
				c, err := decodeV1(string(v))
				if err != nil || c.SHA256 != string(k) {
					return nil // left as it is: reported as damaged when read
				}
				return encodeRecord(&c)
			}); err != nil {
				return err
			}
		}
		for _, name := range [][]byte{bucketOrg, bucketPeople, bucketSettings, bucketOrders, bucketAssignments} {
			if err := rewrite(tx.Bucket(name), resealJSON); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keySchema, binary.BigEndian.AppendUint32(nil, SchemaVersion))
	})
	if err != nil {
		return i18n.E("err.db_migrate", writeErr(err), b.path, from, SchemaVersion, backup)
	}
	b.schema = SchemaVersion
	b.migratedFrom, b.migrationBackup = from, backup
	return nil
}

// Migration tells whether opening migrated the database, from which
// schema, and where the copy made before is.
func (b *Bolt) Migration() (from uint32, backup string) { return b.migratedFrom, b.migrationBackup }

// migrationCopy writes pkiodesk.db.schema1-20261123T120000.bak beside the database.
func (b *Bolt) migrationCopy(from uint32, now func() time.Time) (string, error) {
	stamp := now().UTC().Format("20060102T150405")
	for i := 0; ; i++ {
		name := fmt.Sprintf("%s.schema%d-%s.bak", b.path, from, stamp)
		if i > 0 {
			name = fmt.Sprintf("%s.schema%d-%s-%d.bak", b.path, from, stamp, i)
		}
		if _, err := os.Lstat(name); errors.Is(err, fs.ErrNotExist) {
			if err := b.Backup(context.Background(), name); err != nil {
				return "", i18n.E("err.db_migrate_copy", err, b.path)
			}
			return name, nil
		}
		if i > 100 {
			return "", i18n.E("err.db_migrate_copy", nil, b.path)
		}
	}
}

func resealJSON(_, v []byte) []byte {
	if len(v) == 0 || v[0] != '{' {
		return nil
	}
	var raw jsonRaw
	if err := openJSON(v, &raw); err != nil {
		return nil
	}
	out, err := sealJSON(raw)
	if err != nil {
		return nil
	}
	return out
}

// jsonRaw carries a JSON value through unchanged.
type jsonRaw []byte

func (j jsonRaw) MarshalJSON() ([]byte, error) { return j, nil }

func (j *jsonRaw) UnmarshalJSON(b []byte) error {
	*j = append((*j)[:0], b...)
	return nil
}

// rewrite replaces every value of bk for which change returns a new one.
func rewrite(bk *bolt.Bucket, change func(k, v []byte) []byte) error {
	if bk == nil {
		return nil
	}
	type kv struct{ k, v []byte }
	var changes []kv
	if err := bk.ForEach(func(k, v []byte) error {
		if nv := change(k, v); nv != nil {
			changes = append(changes, kv{append([]byte(nil), k...), nv})
		}
		return nil
	}); err != nil {
		return err
	}
	for _, c := range changes {
		if err := bk.Put(c.k, c.v); err != nil {
			return err
		}
	}
	return nil
}

// BackupsOf lists copies of the database beside it (made before schema
// migrations, or named like it), newest first, for a restore hint.
func BackupsOf(path string) []string {
	matches, _ := filepath.Glob(path + ".*.bak")
	type dated struct {
		name string
		mod  time.Time
	}
	var list []dated
	for _, m := range matches {
		if fi, err := os.Stat(m); err == nil && fi.Mode().IsRegular() {
			list = append(list, dated{m, fi.ModTime()})
		}
	}
	for i := 1; i < len(list); i++ {
		for j := i; j > 0 && list[j].mod.After(list[j-1].mod); j-- {
			list[j], list[j-1] = list[j-1], list[j]
		}
	}
	out := make([]string, len(list))
	for i, d := range list {
		out[i] = d.name
	}
	return out
}
