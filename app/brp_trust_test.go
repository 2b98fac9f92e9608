package app

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"testing"
	"time"

	"pkiodesk/app/brp"
	"pkiodesk/app/cert"
	"pkiodesk/internal/testca"
)

// The BRP checks use the trust store: revocation from the CA's CRL, and a
// chain accepted only up to a PKIoverheid private root, even when this
// workstation trusts the certificate's CA for other purposes.
func TestBRPChecksUseTheTrustStore(t *testing.T) {
	ctx := context.Background()
	ca := testca.New(t)
	a := openTestApp(t, ca) // the test CA is trusted here, but is no PKIoverheid
	gateway := func(c *x509.Certificate) {
		c.Subject = pkix.Name{CommonName: "gateway.voorbeeldstad.nl", SerialNumber: "00000099123456789000", Organization: []string{"Gemeente Voorbeeldstad"}}
		c.DNSNames = []string{"gateway.voorbeeldstad.nl"}
		c.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
		c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	good, _ := ca.Issue(nil, testca.CRLAndOCSP, gateway)
	bad, _ := ca.Issue(nil, testca.CRLAndOCSP, gateway)
	importCerts(t, a, good, bad)
	ca.Revoke(bad, time.Now().Add(-time.Hour), 1)
	checker, err := a.BRPChecker(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	af := func(c *x509.Certificate) brp.Afnemer {
		return brp.Afnemer{ID: "510193", Name: "Gemeente Voorbeeldstad", OIN: "00000099123456789000", Hosts: []string{"gateway.voorbeeldstad.nl"},
			Endpoints: []brp.Endpoint{brp.EndpointBRP}, CertSHA256: cert.Fingerprint(c.Raw)}
	}
	for _, tt := range []struct {
		c    *x509.Certificate
		want brp.Status
	}{{good, brp.Pass}, {bad, brp.Fail}} {
		rep := checker.Check(ctx, af(tt.c), nil)
		rev, _ := rep.Result(brp.CheckRevocation)
		if rev.Status != tt.want {
			t.Errorf("revocation check %v (%s), want %v", rev.Status, rev.Key, tt.want)
		}
		chain, _ := rep.Result(brp.CheckChain)
		if chain.Status != brp.Fail {
			t.Errorf("a chain to a non-PKIoverheid root passed the BRP chain check")
		}
	}
	// The window's checker reads the cache only: what the checks above
	// learnt, without asking the CA again.
	ca.SetMode(testca.Hang)
	before := ca.Requests("crl") + ca.Requests("ocsp")
	cached, err := a.BRPCheckerCached(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rep := cached.Check(ctx, af(good), nil)
	if rev, _ := rep.Result(brp.CheckRevocation); rev.Status != brp.Pass {
		t.Errorf("cached revocation check %v (%s)", rev.Status, rev.Key)
	}
	if n := ca.Requests("crl") + ca.Requests("ocsp") - before; n != 0 {
		t.Errorf("the window's checker asked the CA %d times", n)
	}
}
