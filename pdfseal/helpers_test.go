package pdfseal

import (
	"crypto"
	"crypto/x509"
	"testing"
	"time"

	"pkiodesk/internal/testpki"
)

var testNow = time.Date(2026, 11, 23, 10, 30, 0, 0, time.FixedZone("CET", 3600))

// testPKI wraps the shared throw-away test PKI for these tests.
type testPKI struct {
	*testpki.PKI
	t testing.TB
}

func newTestPKI(t testing.TB) *testPKI {
	t.Helper()
	p, err := testpki.New(testNow)
	if err != nil {
		t.Fatal(err)
	}
	return &testPKI{PKI: p, t: t}
}

// issue makes an eSeal certificate of the demo organisation for pub.
func (p *testPKI) issue(t testing.TB, pub crypto.PublicKey, cn string) *x509.Certificate {
	t.Helper()
	c, err := p.Seal(pub, cn, "Gemeente Voorbeeldstad", "00000099123456789000", "NTRNL-12345678")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (p *testPKI) chain(leaf *x509.Certificate) []*x509.Certificate { return p.Chain(leaf) }

func sampleDocument(kind DocumentKind) Document {
	return Document{
		Kind: kind, Number: "PKIO-2026-000123", Created: testNow, Organisation: "Gemeente Voorbeeldstad",
		Subscriber: "100234", OIN: "00000099123456789000",
		Sections: []Section{{Heading: "Certificaat", Fields: []Field{
			{"Naam van de service", "brp-gateway.voorbeeldstad.nl"}, {"Type", "PKIoverheid PRIVATE servercertificaat"},
			{"Certificaatbeheerder", "Zoë Brouwer-Yılmaz"}, {"Contactpersoon", "Noëlle Müller, Loïs de Vries"},
		}}},
		Login:       LoginCertificate{Subject: "CN=Anouk Visser,O=Gemeente Voorbeeldstad,C=NL", Issuer: "CN=KPN PKIoverheid Organisatie Persoon CA - G3", Serial: "5A2B1C", SHA256: "0257ce27b52408e24ee2c0945640b723c5bc66ddbda4ada58c60357604f0e675"},
		Signatories: []string{"Huidige Bevoegd Vertegenwoordiger: Jan de Vries", "Nieuwe Bevoegd Vertegenwoordiger: Fatima El Amrani"},
	}
}

// testClock is the verifier's "now" in tests: an hour after sealing.
func testClock() time.Time { return testNow.Add(time.Hour) }
