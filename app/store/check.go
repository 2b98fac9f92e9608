package store

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"maps"
	"slices"
	"strings"

	"pkiodesk/app/cert"
	"pkiodesk/app/files"
	"pkiodesk/app/i18n"
)

// CheckReport is what `pkiodesk db check` found in a database file.
type CheckReport struct {
	Path     string
	Size     int64
	PageSize int
	Pages    uint64 // the high-water mark: pages in use or free
	// MetaOK tells which of the two meta pages passed their checksum.
	MetaOK [2]bool
	Schema uint32
	// Intact records per kind.
	Certificates, Issuers, DERs, People, Orders int
	// Pending counts records of an import that did not finish; they are
	// removed when the database is next opened for writing.
	Pending int
	// Damaged are records that failed their check; Structure the pages
	// and elements that could not be read, with what held them.
	Damaged   []Damage
	Structure []error
	// Unreachable counts pages that are neither in use nor free.
	Unreachable uint64
	// MissingDER names records whose certificate (DER) is gone.
	MissingDER []string
}

// OK tells whether nothing was found wrong.
func (r *CheckReport) OK() bool {
	return len(r.Damaged) == 0 && len(r.Structure) == 0 && r.Unreachable == 0 && len(r.MissingDER) == 0 &&
		r.MetaOK[0] && r.MetaOK[1]
}

// Check reads every page and record of the open database. Writes of this
// process wait meanwhile; other processes cannot write while it is open.
func (b *Bolt) Check(ctx context.Context) (CheckReport, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return CheckFile(ctx, b.path)
}

// CheckFile checks a database file without bbolt, so that a file bbolt
// cannot open is checked too.
func CheckFile(ctx context.Context, path string) (CheckReport, error) {
	sc, err := scanFile(ctx, path, false)
	if sc == nil {
		return CheckReport{}, err
	}
	return sc.report, err
}

// scan is one pass over a database file.
type scan struct {
	report CheckReport
	// buckets holds the contents of the store's buckets when kept.
	buckets map[string]*memBucket
	meta    *memBucket
}

// scanFile reads the whole file page by page. With keep, it also keeps
// every intact value of the store's buckets (what a damaged database still
// holds). The error is for a file that cannot be read at all; damage inside
// it is in the report.
func scanFile(ctx context.Context, path string, keep bool) (*scan, error) {
	f, fi, err := files.OpenRegular(path)
	if err != nil {
		return nil, i18n.E("err.db_open", err, path)
	}
	defer f.Close()
	sc := &scan{report: CheckReport{Path: path, Size: fi.Size()}, buckets: map[string]*memBucket{}}
	rep := &sc.report
	bf, err := inspectBolt(f, fi.Size())
	if errors.Is(err, errNotBolt) {
		return nil, i18n.E("err.db_not_pkiodesk", nil, path)
	}
	if bf == nil {
		rep.Structure = append(rep.Structure, err)
		return sc, nil
	}
	rep.PageSize, rep.Pages = bf.pageSize, bf.meta.hwm
	rep.MetaOK = [2]bool{bf.metas[0].valid(), bf.metas[1].valid()}
	if err != nil {
		rep.Structure = append(rep.Structure, err)
		if bf.meta.hwm == 0 {
			return sc, nil
		}
		// Truncated: read what lies inside the file.
		bf.meta.hwm = min(bf.meta.hwm, uint64(bf.size)/uint64(bf.pageSize))
	}

	reachable := make([]bool, bf.meta.hwm)
	mark := func(id uint64, n int) {
		for i := uint64(0); i < uint64(n) && id+i < uint64(len(reachable)); i++ {
			reachable[id+i] = true
		}
	}
	mark(0, 2)
	if bf.meta.freelist != noFreelist && bf.meta.freelist < bf.meta.hwm {
		if p, err := bf.page(bf.meta.freelist); err == nil {
			mark(p.id, int(p.overflow)+1)
		}
	}
	free, ferr := bf.freelist()
	if ferr != nil {
		rep.Structure = append(rep.Structure, ferr)
	}

	keepBucket := func(name string) *memBucket {
		if !keep {
			return nil
		}
		mb := sc.buckets[name]
		if mb == nil {
			mb = &memBucket{}
			sc.buckets[name] = mb
		}
		return mb
	}
	pending := map[string]bool{}
	// damagedAt finds a damaged record's report entry, to name it by its
	// certificate once the DER bucket (walked after "certs") is reached.
	damagedAt := map[string]int{}
	var certKeys [][]byte
	derKeys := map[string]bool{}
	// recordKeys are the keys met in the certs and issuers buckets, intact
	// or not; stored are the counts the file keeps of them.
	recordKeys := map[string]bool{}
	derNames := map[string]string{}
	var stored recordCounts
	var haveCounts bool
	// The other counted buckets (bucketcounts.go): the keys met, and the
	// counts the meta bucket keeps.
	countedKeys := map[string]map[string]bool{}
	bucketCounts := map[string]uint64{}
	n := 0
	bf.walk(treeVisitor{
		pageSeen: func(id uint64, pages int) { mark(id, pages) },
		damaged: func(where string, err error) {
			rep.Structure = append(rep.Structure, i18n.E("dbfile.where", err, where))
		},
		entry: func(path []string, key, value []byte, bucket bool) bool {
			if n++; n%4096 == 0 && ctx.Err() != nil {
				return false
			}
			if len(path) == 0 {
				return bucket
			}
			if bucket {
				return true // another package's nested buckets: walked for the page count
			}
			if len(path) > 1 {
				return false
			}
			if name := path[0]; isCounted(name) {
				if countedKeys[name] == nil {
					countedKeys[name] = map[string]bool{}
				}
				countedKeys[name][string(key)] = true
			}
			switch name := path[0]; {
			case strings.HasPrefix(name, "rec:"):
				// Another package's collection: its own format, kept as it is.
				keepBucket(name).put(key, value)
			case name == string(bucketMeta):
				if string(key) == string(keySchema) && len(value) == 4 {
					rep.Schema = binary.BigEndian.Uint32(value)
				}
				if string(key) == string(keyCounts) {
					if stored, haveCounts = decodeCounts(value); !haveCounts {
						rep.Structure = append(rep.Structure, i18n.E("dbfile.counts_damaged", nil))
					}
				}
				if bucket, ok := bytes.CutPrefix(key, []byte("n:")); ok {
					if c, ok := decodeBucketCount(value); ok {
						bucketCounts[string(bucket)] = c
					} else {
						rep.Structure = append(rep.Structure, i18n.E("dbfile.count_damaged", nil, collectionWord(string(bucket))))
					}
				}
				keepBucket(name).put(key, value)
			case name == string(bucketPending):
				pending[string(key)] = true
			case name == string(bucketCerts), name == string(bucketIssuers):
				recordKeys[string(key)] = true
				if err := checkRecord(key, value); err != nil {
					damagedAt[string(key)] = len(rep.Damaged)
					rep.Damaged = append(rep.Damaged, Damage{Key: string(key), Err: err})
					return false
				}
				certKeys = append(certKeys, key)
				if name == string(bucketCerts) {
					rep.Certificates++
				} else {
					rep.Issuers++
				}
				keepBucket(name).put(key, value)
			case name == string(bucketDER):
				if cert.Fingerprint(value) != string(key) {
					rep.Damaged = append(rep.Damaged, Damage{Key: string(key), Err: i18n.E("err.der_damaged", nil, cert.Printable(string(key)))})
					return false
				}
				rep.DERs++
				derKeys[string(key)] = true
				if !recordKeys[string(key)] {
					// An issuer's (walked later) or one without its record:
					// named in case it is the latter.
					if x, err := x509.ParseCertificate(value); err == nil {
						derNames[string(key)] = x.Subject.CommonName
					}
				}
				if i, ok := damagedAt[string(key)]; ok {
					if x, err := x509.ParseCertificate(value); err == nil {
						rep.Damaged[i].Name = x.Subject.CommonName
					}
				}
				keepBucket(name).put(key, value)
			case name == string(bucketJournal):
				// The audit journal checks its own hash chain (audit verify).
				keepBucket(name).put(key, value)
			case name == string(bucketOrders):
				if _, err := decodeOrder(string(key), value); err != nil {
					rep.Damaged = append(rep.Damaged, Damage{Key: name + "/" + string(key), Err: err})
					return false
				}
				rep.Orders++
				keepBucket(name).put(key, value)
			case name == string(bucketAssignments):
				var a Assignment
				if err := openJSON(value, &a); err != nil {
					rep.Damaged = append(rep.Damaged, Damage{Key: name + "/" + string(key), Err: err})
					return false
				}
				keepBucket(name).put(key, value)
			case name == string(bucketPeople), name == string(bucketOrg), name == string(bucketSettings):
				var anyValue jsonRaw
				if err := openJSON(value, &anyValue); err != nil {
					rep.Damaged = append(rep.Damaged, Damage{Key: name + "/" + string(key), Err: err})
					return false
				}
				if name == string(bucketPeople) {
					rep.People++
				}
				keepBucket(name).put(key, value)
			}
			return false
		},
	})
	if err := ctx.Err(); err != nil {
		return nil, i18n.E("err.context_canceled", err)
	}
	for _, id := range free {
		if id < uint64(len(reachable)) {
			reachable[id] = true
		}
	}
	for _, r := range reachable {
		if !r {
			rep.Unreachable++
		}
	}
	if rep.Unreachable > 0 {
		rep.Structure = append(rep.Structure, i18n.E("dbfile.unreachable", nil, rep.Unreachable))
	}
	for _, k := range certKeys {
		if pending[string(k)] {
			rep.Pending++
		} else if !derKeys[string(k)] {
			rep.MissingDER = append(rep.MissingDER, string(k))
		}
	}
	// A DER without its record: a damaged page hides the record (its
	// element count, a branch), which a read would silently skip.
	named := 0
	for k := range derKeys {
		if !recordKeys[k] && !pending[k] {
			rep.Damaged = append(rep.Damaged, Damage{Key: k, Name: derNames[k], Err: i18n.E("err.record_missing", nil)})
			damagedAt[k] = len(rep.Damaged) - 1
			named++
		}
	}
	if total := stored.certs + stored.issuers; haveCounts && total > uint64(len(recordKeys)+named) {
		rep.Structure = append(rep.Structure, i18n.E("err.records_lost", nil, total-uint64(len(recordKeys)+named)))
	}
	for _, name := range slices.Sorted(maps.Keys(bucketCounts)) {
		if seen := uint64(len(countedKeys[name])); seen < bucketCounts[name] {
			rep.Structure = append(rep.Structure, hiddenError(name, bucketCounts[name]-seen, nil))
		}
	}
	// Name damaged records by their certificate where the DER is intact.
	if keep {
		for i, d := range rep.Damaged {
			if n := damageOf([]byte(d.Key), sc.buckets[string(bucketDER)], d.Err); n.Name != "" {
				rep.Damaged[i].Name = n.Name
			}
		}
		sc.meta = sc.buckets[string(bucketMeta)]
	}
	return sc, nil
}

// memBucket is a bucket read from a damaged file, in key order.
type memBucket struct {
	keys, values [][]byte
	sorted       bool
}

func (m *memBucket) put(k, v []byte) {
	if m == nil {
		return // not kept
	}
	m.keys = append(m.keys, k)
	m.values = append(m.values, v)
	m.sorted = false
}

func (m *memBucket) sort() {
	if m.sorted {
		return
	}
	idx := make([]int, len(m.keys))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return bytes.Compare(m.keys[a], m.keys[b]) })
	keys, values := make([][]byte, 0, len(idx)), make([][]byte, 0, len(idx))
	for n, i := range idx {
		// A page reached twice through a damaged branch repeats its keys.
		if n > 0 && bytes.Equal(m.keys[i], keys[len(keys)-1]) {
			continue
		}
		keys, values = append(keys, m.keys[i]), append(values, m.values[i])
	}
	m.keys, m.values, m.sorted = keys, values, true
}

// Get returns the value of key, nil when absent. A nil bucket is empty.
func (m *memBucket) Get(key []byte) []byte {
	if m == nil {
		return nil
	}
	m.sort()
	i, ok := slices.BinarySearchFunc(m.keys, key, bytes.Compare)
	if !ok {
		return nil
	}
	return m.values[i]
}

// ForEach visits every key in order.
func (m *memBucket) ForEach(fn func(k, v []byte) error) error {
	if m == nil {
		return nil
	}
	m.sort()
	for i := range m.keys {
		if err := fn(m.keys[i], m.values[i]); err != nil {
			return err
		}
	}
	return nil
}
