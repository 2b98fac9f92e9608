// Package inventory is the organisation's certificate inventory: importing
// certificate files, the overviews (filter, sort), CSV export and expiry.
package inventory

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

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
	// rows point at certificates that are never changed in place: a change
	// stores a new certificate and points the row at it, so a view handed
	// out earlier stays consistent.
	rows []row
	// orders caches, per column and direction, the row indices in order. Clicking a
	// column header or typing in the filter then costs one pass over the
	// rows instead of a sort. Any change to rows clears it.
	orders map[sortOrder][]int32
	// statusText words the Status column; nil is the plain status.
	statusText StatusText
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
	cert *cert.Certificate
	// search is the lower-cased text the overview's text filter looks in.
	search string
	// Copies of the fields every query reads, so that filtering 100,000 rows
	// stays within the row array instead of visiting every certificate.
	kind         cert.Kind
	notAfterSec  int64
	notAfterNsec int32
	revoked      bool
}

// status is cert.Status without leaving the row.
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

// newRow indexes a certificate for the text filter of its own overview, as
// the seed describes them: servers by FQDN (CN and SANs), personal and group
// certificates by Common Name or e-mail, eSeals by Common Name or organisation.
func newRow(c *cert.Certificate) row {
	parts := []string{c.CommonName}
	switch c.Kind {
	case cert.KindServer:
		parts = append(parts, c.DNSNames...)
	case cert.KindESeal:
		parts = append(parts, c.Organization)
	default:
		parts = append(parts, c.Emails...)
	}
	// NUL never occurs in a filter, so no match spans two fields.
	return row{
		cert: c, search: strings.ToLower(strings.Join(parts, "\x00")), kind: c.Kind,
		notAfterSec: c.NotAfter.Unix(), notAfterNsec: int32(c.NotAfter.Nanosecond()), revoked: c.Revoked,
	}
}

// Open loads the inventory from the store.
func Open(ctx context.Context, st store.Store, now Clock) (*Service, error) {
	if now == nil {
		now = time.Now
	}
	certs, err := st.Certificates(ctx)
	if err != nil {
		return nil, err
	}
	s := &Service{store: st, now: now}
	s.add(certs)
	return s, nil
}

func (s *Service) add(certs []cert.Certificate) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rows = slices.Grow(s.rows, len(certs))
	for i := range certs {
		s.rows = append(s.rows, newRow(&certs[i]))
	}
	s.orders = nil
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// Len is the number of the organisation's certificates.
func (s *Service) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.rows)
}

// Get returns one certificate by SHA-256.
func (s *Service) Get(sha256 string) (cert.Certificate, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, r := range s.rows {
		if r.cert.SHA256 == sha256 {
			return *r.cert, true
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
		if r.cert.SHA256 == sha256 {
			s.rows[i] = newRow(&updated)
		}
	}
	s.orders = nil
	return nil
}
