package trust

import (
	"context"
	"crypto/x509"
	"testing"
	"time"

	"pkiodesk/internal/testca"
)

// benchRefresh refreshes 10,000 certificates of the local test CA, 1 in
// 100 revoked, through the real HTTP client and a bbolt file.
func benchRefresh(b *testing.B, src testca.Sources) {
	ca, err := testca.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer ca.Close()
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
	s := openService(b, openDB(b), Options{
		HTTP:    NewHTTPClient(10 * time.Second),
		Issuers: func(context.Context) ([]*x509.Certificate, error) { return []*x509.Certificate{ca.Issuer}, nil },
	})
	b.ResetTimer()
	for b.Loop() {
		rep, err := s.Refresh(context.Background(), targets, RefreshOptions{})
		if err != nil || rep.Revoked != 100 || rep.Good != 9900 {
			b.Fatalf("%+v %v", rep, err)
		}
	}
}

func BenchmarkRefresh10000CRL(b *testing.B)  { benchRefresh(b, testca.CRLAndOCSP) }
func BenchmarkRefresh10000OCSP(b *testing.B) { benchRefresh(b, testca.OCSPOnly) }
