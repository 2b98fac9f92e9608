package store

import (
	"encoding/binary"
	"hash/crc32"

	bolt "go.etcd.io/bbolt"
)

// keyCounts holds how many records the certs and issuers buckets hold. A
// damaged page can hide records from a cursor without any error (one
// flipped bit in a leaf's element count, a branch pointing elsewhere): a
// read that finds fewer records than were stored knows that records were
// lost, and says so instead of answering with fewer certificates.
var keyCounts = []byte("counts")

// recordCounts are the numbers of keys in the certs and issuers buckets,
// pending records of an unfinished import included.
type recordCounts struct{ certs, issuers uint64 }

// readCounts reads the stored counts; ok is false where none are kept (a
// database from before they were, until it is opened for writing) or the
// value fails its checksum.
func readCounts(tx *bolt.Tx) (c recordCounts, ok bool) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return c, false
	}
	return decodeCounts(meta.Get(keyCounts))
}

func decodeCounts(v []byte) (recordCounts, bool) {
	if len(v) != 20 || crc32.Checksum(v[:16], castagnoli) != binary.BigEndian.Uint32(v[16:]) {
		return recordCounts{}, false
	}
	return recordCounts{binary.BigEndian.Uint64(v[:8]), binary.BigEndian.Uint64(v[8:16])}, true
}

func storeCounts(tx *bolt.Tx, c recordCounts) error {
	v := binary.BigEndian.AppendUint64(nil, c.certs)
	v = binary.BigEndian.AppendUint64(v, c.issuers)
	v = binary.BigEndian.AppendUint32(v, crc32.Checksum(v, castagnoli))
	return tx.Bucket(bucketMeta).Put(keyCounts, v)
}

// addCounts changes the stored counts in the transaction that adds or
// removes records; without stored counts it leaves them to recount.
func addCounts(tx *bolt.Tx, certs, issuers int) error {
	if certs == 0 && issuers == 0 {
		return nil
	}
	c, ok := readCounts(tx)
	if !ok {
		return nil
	}
	c.certs = uint64(int64(c.certs) + int64(certs))
	c.issuers = uint64(int64(c.issuers) + int64(issuers))
	return storeCounts(tx, c)
}

// recount counts the records and stores the counts: for a database opened
// for writing that has none yet, or whose counts fail their checksum. Every
// record has its DER beside it, so a record that the same damage hid is
// still counted: a DER beyond the records makes a missing certificate
// record, which the next read reports instead of taking the loss as the new
// truth.
func recount(tx *bolt.Tx) error {
	return storeCounts(tx, countRecords(tx))
}

// countRecords counts the records as recount stores them: a DER beyond the
// records counts as a certificate record that is missing.
func countRecords(tx *bolt.Tx) recordCounts {
	var c recordCounts
	var ders uint64
	for _, bk := range []struct {
		name []byte
		n    *uint64
	}{{bucketCerts, &c.certs}, {bucketIssuers, &c.issuers}, {bucketDER, &ders}} {
		cur := tx.Bucket(bk.name).Cursor()
		for k, _ := cur.First(); k != nil; k, _ = cur.Next() {
			*bk.n++
		}
	}
	if ders > c.certs+c.issuers {
		c.certs = ders - c.issuers
	}
	return c
}
