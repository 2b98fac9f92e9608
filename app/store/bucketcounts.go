package store

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"strings"

	bolt "go.etcd.io/bbolt"

	"pkiodesk/app/i18n"
)

// The people, the certificates' assignments, the orders and every feature
// collection (rec:…, the BRP afnemers, trust anchors and revocation lists,
// change forms) keep their number of keys in the meta bucket, as the
// certificates do (counts.go): one flipped element count in a leaf page
// hides records from a cursor without an error, and a list of afnemers or
// people that is one short would otherwise be answered as the whole list.
//
// Every write that adds or removes a key of such a bucket goes through
// counted, which changes the count in the same transaction.

// keyBucketCount is the meta key of a bucket's count.
func keyBucketCount(name []byte) []byte { return append([]byte("n:"), name...) }

// isCounted tells whether the bucket named name keeps a count.
func isCounted(name string) bool {
	switch name {
	case string(bucketPeople), string(bucketAssignments), string(bucketOrders):
		return true
	}
	return strings.HasPrefix(name, "rec:")
}

func encodeBucketCount(n uint64) []byte {
	v := binary.BigEndian.AppendUint64(nil, n)
	return binary.BigEndian.AppendUint32(v, crc32.Checksum(v, castagnoli))
}

// decodeBucketCount reads a stored count; ok is false for a value that
// fails its checksum.
func decodeBucketCount(v []byte) (n uint64, ok bool) {
	if len(v) != 12 || crc32.Checksum(v[:8], castagnoli) != binary.BigEndian.Uint32(v[8:]) {
		return 0, false
	}
	return binary.BigEndian.Uint64(v), true
}

// bucketCount is the count kept for name; ok is false where none is kept
// yet (a database from before they were, a bucket never written) or the
// value fails its checksum.
func bucketCount(tx *bolt.Tx, name []byte) (n uint64, ok bool) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return 0, false
	}
	v := meta.Get(keyBucketCount(name))
	if v == nil {
		return 0, false
	}
	return decodeBucketCount(v)
}

// counted is a bucket with a count, open for writing.
type counted struct {
	tx   *bolt.Tx
	name []byte
	bk   *bolt.Bucket
}

// countedBucket opens (or makes) the bucket name for writing.
func countedBucket(tx *bolt.Tx, name []byte) (counted, error) {
	bk, err := tx.CreateBucketIfNotExists(name)
	if err != nil {
		return counted{}, err
	}
	return counted{tx: tx, name: name, bk: bk}, nil
}

func (c counted) Get(key []byte) []byte { return c.bk.Get(key) }

// Put stores a value; a new key raises the count.
func (c counted) Put(key, value []byte) error {
	fresh := c.bk.Get(key) == nil
	if err := c.bk.Put(key, value); err != nil {
		return err
	}
	if !fresh {
		return nil
	}
	return c.add(1)
}

// Delete removes a key; a key that was there lowers the count.
func (c counted) Delete(key []byte) error {
	if c.bk.Get(key) == nil {
		return nil
	}
	if err := c.bk.Delete(key); err != nil {
		return err
	}
	return c.add(-1)
}

// add changes the count. Where none is kept yet the bucket is counted once,
// after the change, and from then on kept.
func (c counted) add(delta int) error {
	n, ok := bucketCount(c.tx, c.name)
	if !ok {
		return c.recount()
	}
	return c.tx.Bucket(bucketMeta).Put(keyBucketCount(c.name), encodeBucketCount(uint64(int64(n)+int64(delta))))
}

// recount counts the bucket's keys and keeps the number.
func (c counted) recount() error {
	var n uint64
	cur := c.bk.Cursor()
	for k, _ := cur.First(); k != nil; k, _ = cur.Next() {
		n++
	}
	return c.tx.Bucket(bucketMeta).Put(keyBucketCount(c.name), encodeBucketCount(n))
}

// uncountedBuckets are the buckets that should keep a count and keep none
// that passes its checksum: in a database from before the counts were kept.
func uncountedBuckets(tx *bolt.Tx) [][]byte {
	var out [][]byte
	_ = tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		if _, ok := bucketCount(tx, name); isCounted(string(name)) && !ok {
			out = append(out, bytes.Clone(name))
		}
		return nil
	})
	return out
}

// countBuckets counts the keys of the named buckets and keeps the counts.
func countBuckets(tx *bolt.Tx, names [][]byte) error {
	for _, name := range names {
		if bk := tx.Bucket(name); bk != nil {
			if err := (counted{tx: tx, name: name, bk: bk}).recount(); err != nil {
				return err
			}
		}
	}
	return nil
}

// hiddenBy tells how many of the bucket's keys a read that met seen of them
// missed: a damaged page hid them. Zero where no count is kept.
func hiddenBy(tx *bolt.Tx, name []byte, seen uint64) uint64 {
	if tx == nil {
		return 0
	}
	if n, ok := bucketCount(tx, name); ok && seen < n {
		return n - seen
	}
	return 0
}

// hiddenError says that a read of the bucket name missed hidden records,
// with what else the read found wrong (err, may be nil) as its cause.
func hiddenError(name string, hidden uint64, err error) error {
	return i18n.E("err.records_hidden", err, hidden, collectionWord(name))
}

// withHidden adds hidden records of the bucket name to a read's error.
func withHidden(err error, name []byte, hidden uint64) error {
	if hidden == 0 {
		return err
	}
	return hiddenError(string(name), hidden, err)
}

// collectionWord names a bucket for a user.
func collectionWord(name string) any {
	switch name {
	case string(bucketPeople), string(bucketAssignments), string(bucketOrders),
		"rec:brp-afnemers", "rec:org-changes", "rec:org-change-documents",
		"rec:trust-anchors", "rec:trust-crls", "rec:trust-revocation":
		return i18n.Word("coll." + name)
	}
	return name
}
