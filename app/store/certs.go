package store

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

// CertView is a stored certificate record as EachCertificateRecord hands it
// over: checked (checksum, layout, fingerprint), and decoded only as far as
// the overviews need. Its slices point into the database and are valid only
// during the visit: a visitor keeps copies of what it needs. Opening 100,000
// records then costs a check and a few small copies each; the whole record
// is decoded (LoadCertificates) for the rows a user actually sees.
type CertView struct {
	Key, Kind, CommonName, Organization []byte
	Revoked                             bool
	NotAfter                            time.Time
	body                                []byte            // the version 2 body, checked
	decoded                             *cert.Certificate // a version 1 record, decoded when read
}

// AppendDNSNames appends the record's DNS names.
func (v *CertView) AppendDNSNames(dst [][]byte) [][]byte {
	if v.decoded != nil {
		for _, n := range v.decoded.DNSNames {
			dst = append(dst, []byte(n))
		}
		return dst
	}
	r := v.reader()
	for n := r.count(); n > 0 && r.err == nil; n-- {
		dst = append(dst, r.string())
	}
	return dst
}

// AppendEmails appends the record's e-mail addresses.
func (v *CertView) AppendEmails(dst [][]byte) [][]byte {
	if v.decoded != nil {
		for _, n := range v.decoded.Emails {
			dst = append(dst, []byte(n))
		}
		return dst
	}
	r := v.reader()
	r.skipStrings()
	for n := r.count(); n > 0 && r.err == nil; n-- {
		dst = append(dst, r.string())
	}
	return dst
}

// reader is positioned after the head.
func (v *CertView) reader() *recordReader[[]byte] {
	r := &recordReader[[]byte]{s: v.body, pos: 1}
	r.head()
	return r
}

// Decode returns the whole record, copied out of the database.
func (v *CertView) Decode() cert.Certificate {
	if v.decoded != nil {
		return *v.decoded
	}
	c, err := decodeV2(string(v.body))
	if err != nil {
		// Unreachable after checkRecord; keep what the head said.
		return cert.Certificate{SHA256: string(v.Key), Kind: cert.Kind(v.Kind), CommonName: string(v.CommonName), NotAfter: v.NotAfter, Revoked: v.Revoked}
	}
	return c
}

// ViewOf is the view of a certificate that is already decoded (a fresh
// import).
func ViewOf(c *cert.Certificate) CertView {
	return CertView{
		Key: []byte(c.SHA256), Kind: []byte(c.Kind), CommonName: []byte(c.CommonName), Organization: []byte(c.Organization),
		Revoked: c.Revoked, NotAfter: c.NotAfter, decoded: c,
	}
}

// CertRecord is a decoded record with its head, for CertificateRecords.
type CertRecord struct {
	Key          string
	Kind         cert.Kind
	Revoked      bool
	NotAfter     time.Time
	CommonName   string
	Organization string
	cert         cert.Certificate
}

// Decode returns the whole record.
func (r *CertRecord) Decode() cert.Certificate { return r.cert }

func (v *CertView) record() CertRecord {
	return CertRecord{
		Key: string(v.Key), Kind: cert.Kind(v.Kind), Revoked: v.Revoked, NotAfter: v.NotAfter,
		CommonName: string(v.CommonName), Organization: string(v.Organization), cert: v.Decode(),
	}
}

// Damage is a stored record that failed its check.
type Damage struct {
	Key string // as stored (hex SHA-256 when the key itself is intact)
	// Name is the certificate's Common Name when its DER is intact.
	Name string
	Err  error
}

// Label names the damaged record for a user.
func (d Damage) Label() string {
	if d.Key == "" {
		return "?" // records a damaged page hid, not found by their DER
	}
	key := cert.Printable(d.Key)
	if len(key) > 16 {
		key = key[:16] + "…"
	}
	if d.Name != "" {
		return cert.Printable(d.Name) + " (SHA-256 " + key + ")"
	}
	return "SHA-256 " + key
}

// DamagedRecords is the error for records that failed their check; the
// rest of what was asked is still returned beside it.
func DamagedRecords(list []Damage) error {
	names := make([]string, 0, min(len(list), 10))
	for i, d := range list {
		if i == 10 {
			names = append(names, "…")
			break
		}
		names = append(names, d.Label())
	}
	return i18n.E("err.records_damaged", nil, len(list), strings.Join(names, ", "))
}

// pendingKeys returns the keys of an import that is under way or was
// interrupted; readers do not show them.
func pendingKeys(tx *bolt.Tx) map[string]bool {
	p := tx.Bucket(bucketPending)
	if p == nil {
		return nil
	}
	var keys map[string]bool
	_ = p.ForEach(func(k, _ []byte) error {
		if keys == nil {
			keys = make(map[string]bool)
		}
		keys[string(k)] = true
		return nil
	})
	return keys
}

// CertificateRecords returns the organisation's certificate records, whole,
// and the ones that failed their checks. A damaged page gives a *damaged*
// error with the records that could still be read.
func (b *Bolt) CertificateRecords(ctx context.Context) ([]CertRecord, []Damage, error) {
	var out []CertRecord
	bad, err := b.EachCertificateRecord(ctx, func() { out = out[:0] }, func(v *CertView) { out = append(out, v.record()) })
	return out, bad, err
}

// EachCertificateRecord hands every intact record to visit, in key order,
// without collecting or copying them; see ScanCertificateRecords.
func (b *Bolt) EachCertificateRecord(ctx context.Context, reset func(), visit func(*CertView)) ([]Damage, error) {
	return b.ScanCertificateRecords(ctx, 1, func(int) { reset() }, func(_ int, v *CertView) { visit(v) })
}

// ScanCertificateRecords reads the records in parts ranges of fingerprints
// at once, each in a read transaction and goroutine of its own, so that
// opening a large database uses every processor core. Part p covers keys
// below those of part p+1; within a part visit sees the records in key
// order. reset(p) is called before a part's pass: when bbolt meets a damaged
// page, every part is reset and what can still be read is visited again,
// all as part 0, and the error says the file is damaged.
func (b *Bolt) ScanCertificateRecords(ctx context.Context, parts int, reset func(part int), visit func(part int, v *CertView)) ([]Damage, error) {
	parts = min(max(parts, 1), 16)
	bad := make([][]Damage, parts)
	errs := make([]error, parts)
	// seen counts the keys each part met; stored is the count kept in the
	// file, as each part's transaction saw it.
	seen := make([]uint64, parts)
	stored := make([]uint64, parts)
	counted := make([]bool, parts)
	var wg sync.WaitGroup
	for p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each part opens its own transaction: bbolt's read
			// transactions run side by side, one transaction does not.
			errs[p] = b.view(ctx, func(tx *bolt.Tx) error {
				reset(p)
				var err error
				lo, hi := keyRange(p, parts)
				c, ok := readCounts(tx)
				stored[p], counted[p] = c.certs, ok
				bad[p], err = readRecords(ctx, cursorRange{tx.Bucket(bucketCerts), lo, hi, &seen[p]}, tx.Bucket(bucketDER), pendingKeys(tx), func(v *CertView) { visit(p, v) })
				return err
			})
		}()
	}
	wg.Wait()
	var all []Damage
	for p := range parts {
		all = append(all, bad[p]...)
	}
	if b.readOnly && !slices.Contains(counted, true) && !slices.ContainsFunc(errs, func(err error) bool { return err != nil }) {
		// A database from before the counts were kept gets them at its
		// first write; read-only until then (a monitoring host), the DERs
		// count the records, at the price of reading their keys.
		_ = b.view(ctx, func(tx *bolt.Tx) error {
			c := countRecords(tx)
			for p := range parts {
				stored[p], counted[p] = c.certs, true
			}
			return nil
		})
	}
	if lost := lostRecords(seen, stored, counted); lost > 0 && !slices.ContainsFunc(errs, func(err error) bool { return err != nil }) {
		all = append(all, b.missingRecords(ctx, lost)...)
	}
	for _, err := range errs {
		if IsDamaged(err) {
			for p := range parts {
				reset(p)
			}
			s, serr := b.salvage(ctx, err)
			if serr != nil {
				return nil, serr
			}
			return s.EachCertificateRecord(ctx, func() {}, func(v *CertView) { visit(0, v) })
		}
	}
	for _, err := range errs {
		if err != nil {
			return nil, readErr(err)
		}
	}
	return all, nil
}

// keyRange is the part p of parts of the fingerprints, which are lower-case
// hex and so spread evenly over the first hex digit: [lo, hi), nil for open.
func keyRange(p, parts int) (lo, hi []byte) {
	const digits = "0123456789abcdef"
	if p > 0 {
		lo = []byte{digits[p*16/parts]}
	}
	if p < parts-1 {
		hi = []byte{digits[(p+1)*16/parts]}
	}
	return lo, hi
}

// cursorRange is the part of a bucket from lo (inclusive) to hi
// (exclusive); seen, when set, counts the keys met.
type cursorRange struct {
	b      *bolt.Bucket
	lo, hi []byte
	seen   *uint64
}

func (r cursorRange) Get(key []byte) []byte { return r.b.Get(key) }

func (r cursorRange) ForEach(fn func(k, v []byte) error) error {
	c := r.b.Cursor()
	k, v := c.First()
	if r.lo != nil {
		k, v = c.Seek(r.lo)
	}
	var prev []byte
	for ; k != nil && (r.hi == nil || bytes.Compare(k, r.hi) < 0); k, v = c.Next() {
		if prev != nil && bytes.Compare(k, prev) <= 0 {
			// Keys out of order: a damaged branch points at a leaf twice
			// (and so at another leaf not at all). Its records count once;
			// the hidden ones are then missing from the count, and named.
			continue
		}
		prev = k
		if r.seen != nil {
			*r.seen++
		}
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

// LoadCertificates decodes the records of these fingerprints, in order; a
// record that is gone or fails its check gives nil, and the error names it.
func (b *Bolt) LoadCertificates(ctx context.Context, keys []string) ([]*cert.Certificate, error) {
	var out []*cert.Certificate
	var errs []error
	err := b.view(ctx, func(tx *bolt.Tx) error {
		out, errs = loadCertificates(tx.Bucket(bucketCerts), tx.Bucket(bucketIssuers), keys)
		return nil
	})
	if err != nil {
		return nil, readErr(err)
	}
	return out, errors.Join(errs...)
}

func loadCertificates(certs, issuers kv, keys []string) ([]*cert.Certificate, []error) {
	out := make([]*cert.Certificate, len(keys))
	var errs []error
	for i, k := range keys {
		key := []byte(k)
		v := certs.Get(key)
		if v == nil {
			v = issuers.Get(key)
		}
		if v == nil {
			errs = append(errs, i18n.E("err.cert_not_found", nil, cert.Printable(k)))
			continue
		}
		if err := checkRecord(key, v); err != nil {
			errs = append(errs, i18n.E("err.record_damaged", err, cert.Printable(k)))
			continue
		}
		c, err := decodeRecord(v)
		if err != nil {
			errs = append(errs, i18n.E("err.record_damaged", err, cert.Printable(k)))
			continue
		}
		out[i] = &c
	}
	return out, errs
}

// kv is what readRecords needs of a bucket: bbolt's, or one rebuilt from a
// damaged file.
type kv interface {
	Get(key []byte) []byte
	ForEach(fn func(k, v []byte) error) error
}

func readRecords(ctx context.Context, certs, ders kv, pending map[string]bool, visit func(*CertView)) ([]Damage, error) {
	var bad []Damage
	var view CertView
	i := 0
	err := certs.ForEach(func(k, v []byte) error {
		if i++; i%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if pending[string(k)] {
			return nil
		}
		if err := checkRecord(k, v); err != nil {
			bad = append(bad, damageOf(k, ders, err))
			return nil
		}
		if v[0] == recordV1 {
			c, _ := decodeV1(string(v))
			view = CertView{
				Key: []byte(c.SHA256), Kind: []byte(c.Kind), CommonName: []byte(c.CommonName), Organization: []byte(c.Organization),
				Revoked: c.Revoked, NotAfter: c.NotAfter, decoded: &c,
			}
			visit(&view)
			return nil
		}
		body := v[:len(v)-crcSize]
		r := recordReader[[]byte]{s: body, pos: 1}
		h := r.head()
		view = CertView{
			Key: h.sha256, Kind: h.kind, CommonName: h.cn, Organization: h.org,
			Revoked: h.flags&2 != 0, NotAfter: h.notAfter, body: body,
		}
		visit(&view)
		return nil
	})
	return bad, err
}

// damageOf names a damaged record by its certificate when the DER is intact.
func damageOf(key []byte, ders kv, cause error) Damage {
	d := Damage{Key: string(key), Err: cause}
	if ders == nil {
		return d
	}
	if der := ders.Get(key); der != nil && cert.Fingerprint(der) == string(key) {
		if x, err := x509.ParseCertificate(bytes.Clone(der)); err == nil {
			d.Name = x.Subject.CommonName
		}
	}
	return d
}

// Certificates returns the organisation's certificates. When records are
// damaged it returns the intact ones with an error naming the others.
func (b *Bolt) Certificates(ctx context.Context) ([]cert.Certificate, error) {
	recs, bad, err := b.CertificateRecords(ctx)
	return decodeAll(recs), joinDamage(bad, err)
}

// Issuers returns the stored CA certificates, like Certificates.
func (b *Bolt) Issuers(ctx context.Context) ([]cert.Certificate, error) {
	var recs []CertRecord
	var bad []Damage
	var lost uint64
	err := b.view(ctx, func(tx *bolt.Tx) error {
		var err error
		recs = recs[:0]
		var seen uint64
		bad, err = readRecords(ctx, cursorRange{b: tx.Bucket(bucketIssuers), seen: &seen}, tx.Bucket(bucketDER), pendingKeys(tx), func(v *CertView) { recs = append(recs, v.record()) })
		// A hidden issuer would leave chains and revocation checks without
		// their CA, silently: fewer than counted is damage, as for the
		// certificates.
		if c, ok := readCounts(tx); ok && seen < c.issuers {
			lost = c.issuers - seen
		}
		return err
	})
	if IsDamaged(err) {
		return b.salvageIssuers(ctx, err)
	}
	if err != nil {
		return nil, readErr(err)
	}
	if lost > 0 {
		bad = append(bad, b.missingRecords(ctx, lost)...)
	}
	return decodeAll(recs), joinDamage(bad, nil)
}

func decodeAll(recs []CertRecord) []cert.Certificate {
	out := make([]cert.Certificate, len(recs))
	for i := range recs {
		out[i] = recs[i].Decode()
	}
	return out
}

func joinDamage(bad []Damage, err error) error {
	if len(bad) == 0 {
		return err
	}
	if err == nil {
		return DamagedRecords(bad)
	}
	return errors.Join(err, DamagedRecords(bad))
}

// DER returns the encoded certificate, after checking it against its
// fingerprint.
func (b *Bolt) DER(ctx context.Context, sha256 string) ([]byte, error) {
	var der []byte
	err := b.view(ctx, func(tx *bolt.Tx) error {
		if pendingKeys(tx)[sha256] {
			return nil
		}
		if v := tx.Bucket(bucketDER).Get([]byte(sha256)); v != nil {
			der = bytes.Clone(v)
		}
		return nil
	})
	if err != nil {
		return nil, readErr(err)
	}
	return checkDER(sha256, der)
}

func checkDER(sha256 string, der []byte) ([]byte, error) {
	if der == nil {
		return nil, i18n.E("err.cert_not_found", nil, cert.Printable(sha256))
	}
	if cert.Fingerprint(der) != sha256 {
		return nil, i18n.E("err.der_damaged", nil, cert.Printable(sha256))
	}
	return der, nil
}

// AddCertificates stores new entries in one transaction.
func (b *Bolt) AddCertificates(ctx context.Context, entries []Entry) (added, dups []cert.Certificate, err error) {
	err = b.update(ctx, func(tx *bolt.Tx) error {
		added, dups = added[:0], dups[:0]
		var err error
		added, dups, err = putCertificates(ctx, tx, entries)
		return err
	})
	if err != nil {
		return nil, nil, writeErr(err)
	}
	return added, dups, nil
}

// putCertificates writes entries in one transaction (an import writes
// through putQueued). Entries are stored in key order: bbolt inserts into a
// node with a copy of what follows, so random order costs time quadratic
// in the number of entries.
func putCertificates(ctx context.Context, tx *bolt.Tx, entries []Entry) (added, dups []cert.Certificate, err error) {
	order := make([]int, len(entries))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(entries[a].Cert.SHA256, entries[b].Cert.SHA256) })
	certs, issuers, ders := tx.Bucket(bucketCerts), tx.Bucket(bucketIssuers), tx.Bucket(bucketDER)
	// A bulk import fills pages; an overview then reads fewer of them.
	for _, bk := range []*bolt.Bucket{certs, issuers, ders} {
		bk.FillPercent = 0.9
	}
	isNew := make([]bool, len(entries))
	var addedCerts, addedIssuers int
	for n, i := range order {
		if n%1024 == 0 && ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		e := &entries[i]
		key := []byte(e.Cert.SHA256)
		bk := certs
		if e.Cert.Kind == cert.KindCA {
			bk = issuers
		}
		if ders.Get(key) != nil {
			if err := repair(bk, ders, key, encodeRecord(&e.Cert), e.DER); err != nil {
				return nil, nil, err
			}
			continue
		}
		if err := bk.Put(key, encodeRecord(&e.Cert)); err != nil {
			return nil, nil, err
		}
		if err := ders.Put(key, e.DER); err != nil {
			return nil, nil, err
		}
		addedCerts, addedIssuers = countOne(addedCerts, addedIssuers, e.Cert.Kind == cert.KindCA)
		isNew[i] = true
	}
	if err := addCounts(tx, addedCerts, addedIssuers); err != nil {
		return nil, nil, err
	}
	// Report in the order the entries came.
	for i := range entries {
		if isNew[i] {
			added = append(added, entries[i].Cert)
		} else {
			dups = append(dups, entries[i].Cert)
		}
	}
	return added, dups, nil
}

// rollBackPending removes what an unfinished import stored.
func rollBackPending(tx *bolt.Tx) error {
	p := tx.Bucket(bucketPending)
	if p == nil {
		return nil
	}
	certs, issuers, ders := tx.Bucket(bucketCerts), tx.Bucket(bucketIssuers), tx.Bucket(bucketDER)
	var removedCerts, removedIssuers int
	err := p.ForEach(func(k, v []byte) error {
		issuer := len(v) == 1 && v[0] == 'i'
		bk := certs
		if issuer {
			bk = issuers
		}
		if bk.Get(k) != nil {
			removedCerts, removedIssuers = countOne(removedCerts, removedIssuers, issuer)
		}
		if err := bk.Delete(k); err != nil {
			return err
		}
		return ders.Delete(k)
	})
	if err != nil {
		return err
	}
	if err := addCounts(tx, -removedCerts, -removedIssuers); err != nil {
		return err
	}
	return tx.DeleteBucket(bucketPending)
}

// UpdateCertificate changes one own certificate record.
func (b *Bolt) UpdateCertificate(ctx context.Context, sha256 string, change func(*cert.Certificate) error) (cert.Certificate, error) {
	var out cert.Certificate
	var userErr error
	err := b.update(ctx, func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketCerts)
		key := []byte(sha256)
		v := bk.Get(key)
		if v == nil || pendingKeys(tx)[sha256] {
			userErr = i18n.E("err.cert_not_found", nil, cert.Printable(sha256))
			return userErr
		}
		if err := checkRecord(key, v); err != nil {
			userErr = i18n.E("err.record_damaged", err, damageOf(key, tx.Bucket(bucketDER), err).Label())
			return userErr
		}
		c, err := decodeRecord(v)
		if err != nil {
			return err
		}
		if err := change(&c); err != nil {
			userErr = err
			return err
		}
		out = c
		return bk.Put(key, encodeRecord(&c))
	})
	if userErr != nil {
		return cert.Certificate{}, userErr
	}
	if err != nil {
		return cert.Certificate{}, writeErr(err)
	}
	return out, nil
}

// lostRecords is how many records the parts did not meet of those the file
// says it holds; 0 when the parts' transactions saw different counts (a
// write in between) or none are kept.
func lostRecords(seen, stored []uint64, counted []bool) uint64 {
	var total uint64
	for p := range seen {
		if !counted[p] || stored[p] != stored[0] {
			return 0
		}
		total += seen[p]
	}
	if total >= stored[0] {
		return 0
	}
	return stored[0] - total
}

// missingRecords names the certificates whose records a read did not meet
// although the file counts them: a damaged page hid them. They are found by
// their DER (an intact one names the certificate); what cannot be found so
// is reported as a number.
func (b *Bolt) missingRecords(ctx context.Context, lost uint64) []Damage {
	var out []Damage
	_ = b.view(ctx, func(tx *bolt.Tx) error {
		certs, issuers := tx.Bucket(bucketCerts), tx.Bucket(bucketIssuers)
		have := map[string]bool{}
		for _, bk := range []*bolt.Bucket{certs, issuers} {
			c := bk.Cursor()
			for k, _ := c.First(); k != nil; k, _ = c.Next() {
				have[string(k)] = true
			}
		}
		c := tx.Bucket(bucketDER).Cursor()
		for k, der := c.First(); k != nil; k, der = c.Next() {
			if have[string(k)] {
				continue
			}
			d := Damage{Key: string(k), Err: i18n.E("err.record_missing", nil)}
			if x, err := x509.ParseCertificate(der); err == nil && cert.Fingerprint(der) == string(k) {
				d.Name = x.Subject.CommonName
			}
			out = append(out, d)
		}
		return nil
	})
	if uint64(len(out)) < lost {
		out = append(out, Damage{Err: i18n.E("err.records_lost", nil, lost-uint64(len(out)))})
	}
	return out
}
