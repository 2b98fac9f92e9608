package store

import (
	"bufio"
	"context"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

// Import stores an import of any size, all or nothing, in bounded memory.
//
// Add queues the entries: encoded at once, kept in memory up to a limit and
// beyond it in a temporary file beside the database. Finish writes them in
// fingerprint order, in transactions of bounded size: the keys are random,
// so writing in arrival order would rewrite most pages of the database in
// every transaction, while in key order each transaction touches its own
// stretch of the tree. Every transaction but the last records its keys in
// a journal that readers skip; the last empties it, so the whole import
// becomes visible at once. An import cut off by a kill or a power cut is
// removed the next time the database is opened for writing.
type Import interface {
	// Add queues entries for Finish.
	Add(ctx context.Context, entries []Entry) error
	// Finish stores what was queued, runs also (may be nil) in the last
	// transaction, and returns the fingerprints that were stored already.
	Finish(ctx context.Context, also func(*Tx) error) (duplicates map[string]bool, err error)
	// Abort removes what an unfinished Finish stored, and the queue.
	Abort(ctx context.Context) error
}

// ImportOptions tune an Import; the zero value suits any import.
type ImportOptions struct {
	// BatchBytes is the size of one transaction (default 16 MiB).
	BatchBytes int
	// MemoryBytes is how much of the queue stays in memory before it goes
	// to a temporary file (default 16 MiB).
	MemoryBytes int
}

// BeginImport starts an import.
func (b *Bolt) BeginImport(opt ImportOptions) Import {
	if opt.BatchBytes <= 0 {
		opt.BatchBytes = 16 << 20
	}
	if opt.MemoryBytes <= 0 {
		opt.MemoryBytes = 16 << 20
	}
	return &boltImport{b: b, opt: opt}
}

// queued is one entry waiting to be written.
type queued struct {
	key      string
	issuer   bool
	rec, der []byte
}

type boltImport struct {
	b         *Bolt
	opt       ImportOptions
	queue     []queued // in memory, not yet sorted
	inMemory  int
	spill     *os.File
	runs      []spillRun
	spillEnd  int64
	journaled bool
}

// spillRun is a stretch of the spill file holding queued entries in key order.
type spillRun struct{ off, end int64 }

func (im *boltImport) Add(ctx context.Context, entries []Entry) error {
	if err := ctx.Err(); err != nil {
		return i18n.E("err.context_canceled", err)
	}
	for i := range entries {
		e := &entries[i]
		rec := encodeRecord(&e.Cert)
		im.queue = append(im.queue, queued{key: e.Cert.SHA256, issuer: e.Cert.Kind == cert.KindCA, rec: rec, der: e.DER})
		im.inMemory += len(rec) + len(e.DER)
	}
	if im.inMemory > im.opt.MemoryBytes {
		return im.spillQueue()
	}
	return nil
}

func sortQueue(q []queued) {
	slices.SortFunc(q, func(a, b queued) int { return strings.Compare(a.key, b.key) })
}

// spillQueue writes the queue, sorted, as one run of the spill file: Finish
// merges the runs, reading each from start to end.
func (im *boltImport) spillQueue() error {
	fail := func(err error) error { return i18n.E("err.import_spill", err, filepath.Dir(im.b.path)) }
	if im.spill == nil {
		f, err := os.CreateTemp(filepath.Dir(im.b.path), ".pkiodesk-import-*.tmp")
		if err != nil {
			return fail(err)
		}
		if runtime.GOOS != "windows" {
			// Gone from the folder at once; the space returns when it closes,
			// even after a crash.
			os.Remove(f.Name())
		}
		im.spill = f
	}
	sortQueue(im.queue)
	run := spillRun{off: im.spillEnd}
	w := bufio.NewWriterSize(io.NewOffsetWriter(im.spill, im.spillEnd), 1<<20)
	var hdr []byte
	for _, q := range im.queue {
		hdr = appendString(hdr[:0], q.key)
		flag := byte(0)
		if q.issuer {
			flag = 1
		}
		hdr = append(hdr, flag)
		hdr = binary.AppendUvarint(hdr, uint64(len(q.rec)))
		hdr = binary.AppendUvarint(hdr, uint64(len(q.rec)+len(q.der)))
		w.Write(hdr)
		w.Write(q.rec)
		if _, err := w.Write(q.der); err != nil {
			return fail(err)
		}
		im.spillEnd += int64(len(hdr) + len(q.rec) + len(q.der))
	}
	if err := w.Flush(); err != nil {
		return fail(err)
	}
	run.end = im.spillEnd
	im.runs = append(im.runs, run)
	im.queue, im.inMemory = nil, 0
	return nil
}

// runReader reads one run of the spill file in order.
type runReader struct {
	r    *bufio.Reader
	head queued
	ok   bool
	err  error
	// slab holds the values read, a megabyte at a time instead of one
	// allocation per record.
	slab []byte
}

func (rr *runReader) alloc(n int) []byte {
	if cap(rr.slab)-len(rr.slab) < n {
		rr.slab = make([]byte, 0, max(1<<20, n))
	}
	v := rr.slab[len(rr.slab) : len(rr.slab)+n : len(rr.slab)+n]
	rr.slab = rr.slab[:len(rr.slab)+n]
	return v
}

func (rr *runReader) next() {
	rr.ok = false
	keyLen, err := binary.ReadUvarint(rr.r)
	if err == io.EOF {
		return
	}
	if err == nil && keyLen > 1024 {
		err = errRecordCorrupt
	}
	var key []byte
	if err == nil {
		key = rr.alloc(int(keyLen))
	}
	var flag byte
	var recLen, n uint64
	if err == nil {
		_, err = io.ReadFull(rr.r, key)
	}
	if err == nil {
		flag, err = rr.r.ReadByte()
	}
	if err == nil {
		recLen, err = binary.ReadUvarint(rr.r)
	}
	if err == nil {
		n, err = binary.ReadUvarint(rr.r)
	}
	if err == nil && (n > 64<<20 || recLen > n) {
		err = errRecordCorrupt
	}
	var v []byte
	if err == nil {
		v = rr.alloc(int(n))
		_, err = io.ReadFull(rr.r, v)
	}
	if err != nil {
		rr.err = err
		return
	}
	rr.head, rr.ok = queued{key: string(key), issuer: flag == 1, rec: v[:recLen:recLen], der: v[recLen:]}, true
}

// merged yields every queued entry in key order: the runs of the spill
// file and what is still in memory.
func (im *boltImport) merged() (next func() (queued, bool, error)) {
	sortQueue(im.queue)
	mem := im.queue
	readers := make([]*runReader, len(im.runs))
	for i, run := range im.runs {
		readers[i] = &runReader{r: bufio.NewReaderSize(io.NewSectionReader(im.spill, run.off, run.end-run.off), 256<<10)}
		readers[i].next()
	}
	return func() (queued, bool, error) {
		best := -1
		for i, rr := range readers {
			if rr.err != nil {
				return queued{}, false, i18n.E("err.import_spill", rr.err, filepath.Dir(im.b.path))
			}
			if rr.ok && (best < 0 || rr.head.key < readers[best].head.key) {
				best = i
			}
		}
		if len(mem) > 0 && (best < 0 || mem[0].key < readers[best].head.key) {
			q := mem[0]
			mem = mem[1:]
			return q, true, nil
		}
		if best < 0 {
			return queued{}, false, nil
		}
		q := readers[best].head
		readers[best].next()
		return q, true, nil
	}
}

func (im *boltImport) closeSpill() {
	if im.spill != nil {
		name := im.spill.Name()
		im.spill.Close()
		os.Remove(name)
		im.spill = nil
	}
	im.runs, im.spillEnd = nil, 0
}

func (im *boltImport) Finish(ctx context.Context, also func(*Tx) error) (map[string]bool, error) {
	defer im.closeSpill()
	next := im.merged()
	dups := map[string]bool{}
	q, more, err := next()
	for {
		if err != nil {
			return nil, err
		}
		var batch []queued
		size := 0
		for more && size < im.opt.BatchBytes {
			batch = append(batch, q)
			size += len(q.rec) + len(q.der)
			if q, more, err = next(); err != nil {
				return nil, err
			}
		}
		last := !more
		// Only the last transaction carries the context's audit entry: it
		// is the one that makes the import visible.
		run := im.b.write
		if last {
			run = im.b.update
		}
		err = run(ctx, func(tx *bolt.Tx) error {
			if err := putQueued(ctx, tx, batch, !last, dups); err != nil {
				return err
			}
			if !last {
				return nil
			}
			if also != nil {
				if err := also(&Tx{tx: tx}); err != nil {
					return err
				}
			}
			if im.journaled {
				return tx.DeleteBucket(bucketPending)
			}
			return nil
		})
		if err != nil {
			return nil, writeErr(err)
		}
		if last {
			im.journaled = false
			im.queue = nil
			return dups, nil
		}
		im.journaled = true
	}
}

// putQueued writes a batch in key order, skipping (and reporting) keys that
// are stored already; journal notes each new key as pending.
func putQueued(ctx context.Context, tx *bolt.Tx, batch []queued, journal bool, dups map[string]bool) error {
	certs, issuers, ders := tx.Bucket(bucketCerts), tx.Bucket(bucketIssuers), tx.Bucket(bucketDER)
	for _, bk := range []*bolt.Bucket{certs, issuers, ders} {
		// Keys arrive in order: full pages read faster later.
		bk.FillPercent = 0.9
	}
	var pending *bolt.Bucket
	if journal {
		var err error
		if pending, err = tx.CreateBucketIfNotExists(bucketPending); err != nil {
			return err
		}
		pending.FillPercent = 0.9
	}
	var addedCerts, addedIssuers int
	for n, q := range batch {
		if n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		key := []byte(q.key)
		bk, which := certs, byte('c')
		if q.issuer {
			bk, which = issuers, 'i'
		}
		if ders.Get(key) != nil {
			dups[q.key] = true
			// Stored already; a record lost or damaged beside its intact
			// DER is written again from the certificate imported anew.
			if err := repair(bk, ders, key, q.rec, q.der); err != nil {
				return err
			}
			continue
		}
		if err := bk.Put(key, q.rec); err != nil {
			return err
		}
		addedCerts, addedIssuers = countOne(addedCerts, addedIssuers, q.issuer)
		if err := ders.Put(key, q.der); err != nil {
			return err
		}
		if pending != nil {
			if err := pending.Put(key, []byte{which}); err != nil {
				return err
			}
		}
	}
	return addCounts(tx, addedCerts, addedIssuers)
}

// countOne adds one record to the certificates' or the issuers' tally.
func countOne(certs, issuers int, issuer bool) (int, int) {
	if issuer {
		return certs, issuers + 1
	}
	return certs + 1, issuers
}

// repair writes a certificate's record and DER again where the stored ones
// are gone or fail their checks, from the same certificate imported anew.
// The stored counts stay: a record a damaged page hid was counted when it
// was first stored.
func repair(bk, ders *bolt.Bucket, key, rec, der []byte) error {
	if cert.Fingerprint(ders.Get(key)) != string(key) {
		if err := ders.Put(key, der); err != nil {
			return err
		}
	}
	if v := bk.Get(key); v == nil || checkRecord(key, v) != nil {
		return bk.Put(key, rec)
	}
	return nil
}

func (im *boltImport) Abort(ctx context.Context) error {
	im.closeSpill()
	im.queue = nil
	if !im.journaled {
		return nil
	}
	// Removal must happen even when ctx was cancelled: that is why we abort.
	if err := im.b.write(context.WithoutCancel(ctx), rollBackPending); err != nil {
		return writeErr(err)
	}
	im.journaled = false
	return nil
}
