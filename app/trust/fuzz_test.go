package trust

import (
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"pkiodesk/internal/testca"
)

// FuzzParseCRL feeds the CRL path (import and fetch) hostile bytes: it
// must refuse or accept, never panic, and accept only what the CA signed.
func FuzzParseCRL(f *testing.F) {
	ca, err := testca.Start()
	if err != nil {
		f.Fatal(err)
	}
	defer ca.Close()
	c, err := ca.Issue(nil, testca.CRLOnly, nil)
	if err != nil {
		f.Fatal(err)
	}
	ca.Revoke(c, time.Now(), 1)
	good, _ := ca.CRL()
	forged, _ := ca.ForgedCRL()
	f.Add(good)
	f.Add(forged)
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: good}))
	f.Add(good[:len(good)/2])
	f.Add([]byte("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n"))
	f.Add([]byte{0x30, 0x82, 0xff, 0xff})
	issuer, now := ca.Issuer, time.Now()
	f.Fuzz(func(t *testing.T, data []byte) {
		LooksLikeCRL(data)
		rl, err := ParseCRL(data)
		if err != nil {
			return
		}
		if verifyCRL(rl, issuer, now) != nil {
			return
		}
		v := newVerifiedCRL(rl, "issuer", "fuzz", now)
		v.lookup(c.SerialNumber)
		v.fresh(now)
		if rl.CheckSignatureFrom(issuer) != nil {
			t.Fatal("a CRL the issuer did not sign was accepted")
		}
	})
}

// FuzzParseOCSP feeds the OCSP path hostile responses.
func FuzzParseOCSP(f *testing.F) {
	ca, err := testca.Start()
	if err != nil {
		f.Fatal(err)
	}
	defer ca.Close()
	leaf, err := ca.Issue(nil, testca.OCSPOnly, nil)
	if err != nil {
		f.Fatal(err)
	}
	now := time.Now()
	good, err := ca.OCSPResponse(leaf.SerialNumber)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	ca.Revoke(leaf, now, 1)
	revoked, _ := ca.OCSPResponse(leaf.SerialNumber)
	f.Add(revoked)
	other, _ := ca.OCSPResponse(new(big.Int).Add(leaf.SerialNumber, big.NewInt(1)))
	f.Add(other)
	f.Add(ocsp.MalformedRequestErrorResponse)
	f.Add(ocsp.TryLaterErrorResponse)
	f.Add([]byte("<html>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		resp, err := ParseOCSP(data, leaf, ca.Issuer, now)
		if err != nil {
			return
		}
		if resp.Status != ocsp.Good && resp.Status != ocsp.Revoked {
			t.Fatalf("status %d accepted", resp.Status)
		}
		if resp.SerialNumber.Cmp(leaf.SerialNumber) != 0 {
			t.Fatal("a response about another certificate was accepted")
		}
	})
}
