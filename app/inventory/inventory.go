// Package inventory is the organisation's certificate inventory: importing
// certificate files, the overviews (filter, sort), CSV export and expiry.
package inventory

import (
	"bytes"
	"context"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/store"
)

// Clock tells the time; injected so that status rules can be tested.
type Clock func() time.Time

// Service holds the certificates in memory for the overviews and writes
// every change through to the store first.
type Service struct {
	store store.Store
	now   Clock

	mu sync.RWMutex
	// loaded tells whether rows hold the store's records (a command that
	// only imports never reads them).
	loaded bool
	// rows are never changed in place: a change makes a new row and puts
	// it in the old one's slot, so a view handed out earlier stays
	// consistent.
	rows []*row
	// orders caches, per column and direction, the row indices in order. Clicking a
	// column header or typing in the filter then costs one pass over the
	// rows instead of a sort. Any change to rows clears it.
	orders map[sortOrder][]int32
	// statusText words the Status column; nil is the plain status.
	statusText StatusText
	// damaged are the records that failed their check when loaded.
	damaged []store.Damage
	// loadErr is why a load that a query started failed.
	loadErr error
	// late are records that failed when decoded after the load.
	lateMu sync.Mutex
	late   []store.Damage
}

// StatusText words a certificate's Status cell. The core sets one so that
// the column also says what is known of revocation ("onbekend sinds …").
type StatusText func(c *cert.Certificate, now time.Time, l i18n.Lang) string

// SetStatusText sets how the Status column is worded; call it before the
// service is used.
func (s *Service) SetStatusText(f StatusText) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.statusText = f
}

type row struct {
	// What the overviews read of every row, copied when it was loaded;
	// the whole certificate is decoded the first time a view shows it.
	key, cn, org string
	kind         cert.Kind
	cert         atomic.Pointer[cert.Certificate]
	// search is the lower-cased text the overview's text filter looks in.
	search       string
	notAfterSec  int64
	notAfterNsec int32
	revoked      bool
}

// certificate is the row's whole record, decoded once.
func (s *Service) certificate(r *row) *cert.Certificate {
	if c := r.cert.Load(); c != nil {
		return c
	}
	s.decode([]*row{r})
	return r.cert.Load()
}

// decode reads the whole records of rows not decoded yet, in one
// transaction. The records passed their check when loaded and nobody else
// writes while this process has the database; should one fail now anyway,
// its row keeps what was loaded and the record is named as damaged.
func (s *Service) decode(rows []*row) {
	var need []*row
	var keys []string
	for _, r := range rows {
		if r.cert.Load() == nil {
			need = append(need, r)
			keys = append(keys, r.key)
		}
	}
	if len(need) == 0 {
		return
	}
	var certs []*cert.Certificate
	var err error
	if s.store != nil {
		certs, err = s.store.LoadCertificates(context.Background(), keys)
	}
	for i, r := range need {
		var c *cert.Certificate
		if i < len(certs) {
			c = certs[i]
		}
		if c == nil {
			c = &cert.Certificate{SHA256: r.key, Kind: r.kind, CommonName: r.cn, Organization: r.org,
				NotAfter: time.Unix(r.notAfterSec, int64(r.notAfterNsec)).UTC(), Revoked: r.revoked}
			s.lateMu.Lock()
			s.late = append(s.late, store.Damage{Key: r.key, Name: r.cn, Err: err})
			s.lateMu.Unlock()
		}
		r.cert.CompareAndSwap(nil, c)
	}
}

// certificates decodes rows (in one transaction) and returns their records.
func (s *Service) certificates(rows []*row) []*cert.Certificate {
	s.decode(rows)
	out := make([]*cert.Certificate, len(rows))
	for i, r := range rows {
		out[i] = r.cert.Load()
	}
	return out
}

// notAfter is the certificate's expiry, without decoding the row.
func (r *row) notAfter() time.Time { return time.Unix(r.notAfterSec, int64(r.notAfterNsec)).UTC() }

// status is cert.Status without decoding the row.
func (r *row) status(now time.Time) cert.Status {
	sec := now.Unix()
	switch {
	case r.revoked:
		return cert.StatusRevoked
	case sec > r.notAfterSec || sec == r.notAfterSec && int32(now.Nanosecond()) > r.notAfterNsec:
		return cert.StatusExpired
	}
	return cert.StatusValid
}

// rowBuilder makes rows for many records with few allocations: rows in
// blocks (a row holds an atomic and never moves), and their texts in large
// strings the rows point into.
type rowBuilder struct {
	block []row
	rows  []*row
	texts strings.Builder
	names [][]byte
	buf   []byte
}

const rowBlock = 4096

func newRowBuilder(n int) *rowBuilder {
	return &rowBuilder{rows: make([]*row, 0, n)}
}

// text keeps b in the builder's strings.
func (b *rowBuilder) text(p []byte) string {
	if len(p) == 0 {
		return ""
	}
	if b.texts.Cap()-b.texts.Len() < len(p) {
		b.texts = strings.Builder{}
		b.texts.Grow(max(1<<20, len(p)))
	}
	start := b.texts.Len()
	b.texts.Write(p)
	return b.texts.String()[start:]
}

// add indexes a record for the text filter of its own overview, as the seed
// describes them: servers by FQDN (CN and SANs), personal and group
// certificates by Common Name or e-mail, eSeals by Common Name or
// organisation. NUL never occurs in a filter, so no match spans two fields.
func (b *rowBuilder) add(v *store.CertView) *row {
	kind := kindOf(v.Kind)
	b.buf = appendLower(b.buf[:0], v.CommonName)
	b.names = b.names[:0]
	switch kind {
	case cert.KindServer:
		b.names = v.AppendDNSNames(b.names)
	case cert.KindESeal:
		b.names = append(b.names, v.Organization)
	default:
		b.names = v.AppendEmails(b.names)
	}
	for _, n := range b.names {
		b.buf = append(b.buf, 0)
		b.buf = appendLower(b.buf, n)
	}
	if len(b.block) == cap(b.block) {
		b.block = make([]row, 0, rowBlock)
	}
	b.block = b.block[:len(b.block)+1]
	r := &b.block[len(b.block)-1]
	r.search = b.text(b.buf)
	r.key, r.cn, r.org, r.kind = b.text(v.Key), b.text(v.CommonName), b.text(v.Organization), kind
	r.revoked = v.Revoked
	r.notAfterSec, r.notAfterNsec = v.NotAfter.Unix(), int32(v.NotAfter.Nanosecond())
	b.rows = append(b.rows, r)
	return r
}

// kindOf returns the kind as one of the constants, without an allocation.
func kindOf(b []byte) cert.Kind {
	switch k := cert.Kind(b); k { // the conversion here does not allocate
	case cert.KindServer, cert.KindPersonal, cert.KindGroup, cert.KindESeal, cert.KindCA:
		return k
	}
	return cert.Kind(string(b))
}

// addCertificate makes the row of a certificate that is already decoded.
func (b *rowBuilder) addCertificate(c *cert.Certificate) *row {
	v := store.ViewOf(c)
	r := b.add(&v)
	r.cert.Store(c)
	return r
}

// appendLower appends s in lower case, without an allocation for ASCII.
func appendLower(dst []byte, s []byte) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return append(dst, bytes.ToLower(s[i:])...)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

func newRow(c *cert.Certificate) *row { return newRowBuilder(1).addCertificate(c) }

// New makes the service without reading the store; Load reads it.
func New(st store.Store, now Clock) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: st, now: now}
}

// Open makes the service and loads the inventory. Damaged records do not
// stop it: Damaged names them, and the rest is usable.
func Open(ctx context.Context, st store.Store, now Clock) (*Service, error) {
	s := New(st, now)
	if err := s.Load(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Load reads the organisation's certificates from the store. Records that
// fail their check are left out and listed by Damaged. When the file
// itself is damaged, what could still be read is loaded and the error
// says so (store.IsDamaged).
func (s *Service) Load(ctx context.Context) error {
	// One builder per part of the database, each filled on a core of its own.
	parts := runtime.GOMAXPROCS(0)
	builders := make([]*rowBuilder, parts)
	damaged, err := s.store.ScanCertificateRecords(ctx, parts,
		func(p int) { builders[p] = newRowBuilder(0) },
		func(p int, v *store.CertView) { builders[p].add(v) })
	if err != nil && !store.IsDamaged(err) {
		return err
	}
	var rows []*row
	for _, b := range builders {
		if b != nil {
			rows = append(rows, b.rows...)
		}
	}
	s.mu.Lock()
	s.rows, s.orders, s.damaged, s.loaded = rows, nil, damaged, true
	s.mu.Unlock()
	return err
}

// ensureLoaded reads the store the first time a query needs the rows of a
// service made with New (Open and Load read it at once).
func (s *Service) ensureLoaded() {
	s.mu.RLock()
	loaded := s.loaded
	s.mu.RUnlock()
	if !loaded {
		if err := s.Load(context.Background()); err != nil {
			s.mu.Lock()
			s.loaded, s.loadErr = true, err
			s.mu.Unlock()
		}
	}
}

// LoadError is why reading the store failed when a query needed it.
func (s *Service) LoadError() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.loadErr
}

// Damaged lists the records that failed their check.
func (s *Service) Damaged() []store.Damage {
	s.mu.RLock()
	out := append([]store.Damage(nil), s.damaged...)
	s.mu.RUnlock()
	s.lateMu.Lock()
	defer s.lateMu.Unlock()
	return append(out, s.late...)
}

func (s *Service) add(certs []cert.Certificate) {
	b := newRowBuilder(len(certs))
	for i := range certs {
		b.addCertificate(&certs[i])
	}
	rows := b.rows
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rows = append(s.rows, rows...)
	s.orders = nil
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// Len is the number of the organisation's certificates.
func (s *Service) Len() int {
	s.ensureLoaded()
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.rows)
}

// Get returns one certificate by SHA-256.
func (s *Service) Get(sha256 string) (cert.Certificate, bool) {
	s.ensureLoaded()
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, r := range s.rows {
		if r.key == sha256 {
			return *s.certificate(r), true
		}
	}
	return cert.Certificate{}, false
}

// DER returns the encoded certificate.
func (s *Service) DER(ctx context.Context, sha256 string) ([]byte, error) {
	return s.store.DER(ctx, sha256)
}

// MarkRevoked records that a certificate was revoked. Revoking twice is an
// error so that the first date and reason are kept.
func (s *Service) MarkRevoked(ctx context.Context, sha256 string, at time.Time, reason string) error {
	updated, err := s.store.UpdateCertificate(ctx, sha256, func(c *cert.Certificate) error {
		if c.Revoked {
			return i18n.E("err.already_revoked", nil)
		}
		c.Revoked, c.RevokedAt, c.RevocationReason = true, at.UTC(), reason
		return nil
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range s.rows {
		if r.key == sha256 {
			s.rows[i] = newRow(&updated)
		}
	}
	s.orders = nil
	return nil
}
