// Package trust is pkiodesk's trust store and revocation cache: which CA
// certificates are trusted (the bundled PKIoverheid hierarchies, anchors an
// administrator added, and in the demo only the demo CA), whether a
// certificate chains to one of them and why not, and whether its CA has
// revoked it (CRL and OCSP, fetched, verified and cached with their next
// update).
//
// Everything is stored in the application's database, in record
// collections of its own (store.Records) whose names start with "trust-".
// Network access goes through the small HTTP port in http.go.
package trust

import (
	"context"
	"crypto/x509"
	"sync"
	"time"

	"pkiodesk/app/store"
)

// Ephemeral is storage that keeps nothing: a trust store with the bundled
// anchors only and no cache, for a command that runs without a database.
func Ephemeral() store.Records { return ephemeral{} }

type ephemeral struct{}

func (ephemeral) ViewRecords(context.Context, string, func(store.RecordTx) error) error   { return nil }
func (ephemeral) UpdateRecords(context.Context, string, func(store.RecordTx) error) error { return nil }

// The collections of the trust store.
const (
	collAnchors    = "trust-anchors"
	collCRLs       = "trust-crls"
	collRevocation = "trust-revocation"
)

// Options configure a Service.
type Options struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Demo makes the demo anchors count. They are stored only in the demo's
	// own database, and ignored anywhere else.
	Demo bool
	// HTTP fetches CRLs and OCSP responses; nil means NewHTTPClient with
	// the default timeout and the system proxy.
	HTTP HTTP
	// Issuers returns more CA certificates for building chains and finding
	// a certificate's issuer (the inventory's stored issuers). May be nil.
	Issuers func(ctx context.Context) ([]*x509.Certificate, error)
}

// Service is the trust store and revocation cache of one database.
type Service struct {
	db      store.Records
	now     func() time.Time
	demo    bool
	http    HTTP
	issuers func(ctx context.Context) ([]*x509.Certificate, error)
	bundled []Anchor

	mu      sync.RWMutex
	anchors []Anchor // stored ones: administrator's, and the demo's
	// states is the revocation cache in memory, loaded on first use.
	states map[string]record
	loaded bool
}

// Open loads the stored anchors.
func Open(ctx context.Context, db store.Records, opt Options) (*Service, error) {
	s := &Service{db: db, now: opt.Now, demo: opt.Demo, http: opt.HTTP, issuers: opt.Issuers, bundled: bundledAnchors()}
	if s.now == nil {
		s.now = time.Now
	}
	if s.http == nil {
		s.http = NewHTTPClient(DefaultTimeout)
	}
	anchors, err := s.readAnchors(ctx)
	if err != nil {
		return nil, err
	}
	s.anchors = anchors
	return s, nil
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// Demo reports whether this is the demo's trust store.
func (s *Service) Demo() bool { return s.demo }
