package trust

import (
	"context"
	"crypto/x509"
	"testing"
	"time"

	"pkiodesk/internal/testca"
)

// benchTargets issues 10,000 certificates of the local test CA, 1 in 100
// revoked.
func benchTargets(b *testing.B, src testca.Sources) (*testca.CA, []Target) {
	ca, err := testca.Start()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(ca.Close)
	targets := make([]Target, 10000)
	for i := range targets {
		c, err := ca.Issue(nil, src, nil)
		if err != nil {
			b.Fatal(err)
		}
		if i%100 == 0 {
			ca.Revoke(c, time.Now().Add(-time.Hour), 1)
		}
		targets[i] = TargetOf(c)
	}
	return ca, targets
}

func benchService(b *testing.B, ca *testca.CA) *Service {
	return openService(b, openDB(b), Options{
		HTTP:    NewHTTPClient(10 * time.Second),
		Issuers: func(context.Context) ([]*x509.Certificate, error) { return []*x509.Certificate{ca.Issuer}, nil },
	})
}

func refreshAll(b *testing.B, s *Service, targets []Target) {
	rep, err := s.Refresh(context.Background(), targets, RefreshOptions{})
	if err != nil || rep.Revoked != 100 || rep.Good != 9900 {
		b.Fatalf("%+v %v", rep, err)
	}
}

// A refresh as the window and `revocation refresh` do it, over 10,000
// certificates through the real HTTP client into a bbolt file: the CRL
// fetched once, each certificate looked up, 10,000 states stored. The
// issuers were found before (as after the first refresh).
func BenchmarkRefresh10000CRL(b *testing.B) {
	ca, targets := benchTargets(b, testca.CRLAndOCSP)
	s := benchService(b, ca)
	refreshAll(b, s, targets)
	for b.Loop() {
		refreshAll(b, s, targets)
	}
}

// The first refresh of a database: also finds each certificate's issuer
// by checking its signature.
func BenchmarkRefresh10000CRLFirst(b *testing.B) {
	ca, targets := benchTargets(b, testca.CRLAndOCSP)
	for b.Loop() {
		b.StopTimer()
		s := benchService(b, ca)
		b.StartTimer()
		refreshAll(b, s, targets)
	}
}

// Certificates with OCSP only: 10,000 requests to the responder.
func BenchmarkRefresh10000OCSP(b *testing.B) {
	ca, targets := benchTargets(b, testca.OCSPOnly)
	s := benchService(b, ca)
	refreshAll(b, s, targets)
	for b.Loop() {
		refreshAll(b, s, targets)
	}
}
