package order

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
)

// testCA is a CA of the tests' own; trusting it is an administrator's
// choice (desk.trustCA).
type testCA struct {
	cert *x509.Certificate
	key  crypto.Signer
}

func newTestCA(t *testing.T, name string, now time.Time) testCA {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name, Organization: []string{name}},
		NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(5, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return testCA{cert: c, key: key}
}

// issue makes a certificate for pub, shaped by edit.
func (ca testCA) issue(t *testing.T, pub crypto.PublicKey, now time.Time, edit func(*x509.Certificate)) []byte {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(now.UnixNano()), NotBefore: now, NotAfter: now.AddDate(1, 0, 0)}
	edit(tmpl)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, pub, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// importAndMatch imports a certificate as a user does and links it.
func importAndMatch(t *testing.T, d *desk, der []byte) (cert.Certificate, []Match) {
	t.Helper()
	ctx := context.Background()
	rep, err := d.Inventory().Import(ctx, []inventory.Input{{Name: "x.pem", Data: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}}, inventory.ImportOptions{})
	if err != nil || len(rep.Added) != 1 {
		t.Fatalf("%v %+v", err, rep)
	}
	m, err := d.MatchImported(ctx, rep.Added)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := d.Inventory().Get(rep.Added[0].SHA256)
	return c, m
}

// A server order is issued only by a certificate that chains to the trust
// store and carries the order's organisation, OIN and names: anyone can
// have their own CA certify the CSR's public key.
func TestServerMatchNeedsTrustAndTheOrdersSubject(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	card := newCard(t, d.bv)
	r, err := d.PlaceAndSubmit(ctx, serverDraft(t, d, d.bv).Order.ID, d.bv, card.signing(), Outbox{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	csr, _ := ParseCSR([]byte(r.Order.Server.CSR))
	now := d.clock.Now()
	good := func(c *x509.Certificate) { c.Subject = goodSubject(); c.DNSNames = testFQDNs }

	rogue := newTestCA(t, "Eigen CA van een aanvaller", now)
	trusted := newTestCA(t, "Vertrouwde test-CA", now)
	d.trustCA(t, trusted.cert)

	for _, tc := range []struct {
		name string
		ca   testCA
		edit func(*x509.Certificate)
		key  string
	}{
		{"untrusted CA", rogue, good, "match.untrusted"},
		{"other O", trusted, func(c *x509.Certificate) { good(c); c.Subject.Organization = []string{"Gemeente Elders"} }, "match.o_differs"},
		{"other OIN", trusted, func(c *x509.Certificate) { good(c); c.Subject.SerialNumber = "00000009999999999000" }, "match.oin_differs"},
		{"no OIN", trusted, func(c *x509.Certificate) { good(c); c.Subject.SerialNumber = "" }, "match.oin_differs"},
		{"other SANs", trusted, func(c *x509.Certificate) { good(c); c.DNSNames = []string{testFQDNs[0], "evil.example.com"} }, "match.sans_differ"},
		{"fewer SANs", trusted, func(c *x509.Certificate) { good(c); c.DNSNames = testFQDNs[:1] }, "match.sans_differ"},
	} {
		c, m := importAndMatch(t, d, tc.ca.issue(t, csr.PublicKey, now, tc.edit))
		if len(m) != 1 || m[0].Refused == nil || !i18n.Is(m[0].Refused, tc.key) || m[0].OrderID != r.Order.ID {
			t.Errorf("%s: %+v, want refused with %s", tc.name, m, tc.key)
			continue
		}
		if c.OrderID != "" {
			t.Errorf("%s: certificate linked to %s", tc.name, c.OrderID)
		}
		if txt := m[0].Text(i18n.NL); !strings.Contains(txt, "niet gekoppeld") || !strings.Contains(txt, r.Order.ID) {
			t.Errorf("%s: report %q", tc.name, txt)
		}
		if txt := m[0].Text(i18n.EN); !strings.Contains(txt, "not linked") {
			t.Errorf("%s: report %q", tc.name, txt)
		}
	}
	if got, _ := d.Get(ctx, r.Order.ID); got.State() != StateSubmitted {
		t.Fatalf("order %s after refused certificates", got.State())
	}
	c, m := importAndMatch(t, d, trusted.issue(t, csr.PublicKey, now, func(c *x509.Certificate) {
		good(c)
		c.DNSNames = []string{strings.ToUpper(testFQDNs[1]), testFQDNs[0]} // order and case do not matter
	}))
	if len(m) != 1 || m[0].Refused != nil || c.OrderID != r.Order.ID {
		t.Errorf("good certificate: %+v, %q", m, c.OrderID)
	}
}

// Orders without a CSR (personal, group, eSeal) match by name and e-mail,
// and only with a chain to the trust store.
func TestNameMatchNeedsTrust(t *testing.T) {
	d := newDesk(t)
	r := submittedPersonal(t, d, "Sanne de Vries", "s.devries@voorbeeldstad.nl")
	now := d.clock.Now()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	personal := func(c *x509.Certificate) {
		c.Subject = pkix.Name{CommonName: "Sanne de Vries", Organization: []string{testOrg.Name}, ExtraNames: []pkix.AttributeTypeAndValue{{Type: []int{2, 5, 4, 42}, Value: "Sanne"}}}
		c.EmailAddresses = []string{"s.devries@voorbeeldstad.nl"}
		c.KeyUsage = x509.KeyUsageDigitalSignature
	}
	c, m := importAndMatch(t, d, newTestCA(t, "Eigen CA", now).issue(t, key.Public(), now, personal))
	if len(m) != 1 || !i18n.Is(m[0].Refused, "match.untrusted") || c.OrderID != "" {
		t.Errorf("untrusted personal certificate: %+v, %q", m, c.OrderID)
	}
	ca := newTestCA(t, "Vertrouwde CA", now)
	d.trustCA(t, ca.cert)
	c, m = importAndMatch(t, d, ca.issue(t, key.Public(), now, personal))
	if len(m) != 1 || m[0].Refused != nil || c.OrderID != r.Order.ID {
		t.Errorf("trusted personal certificate: %+v, %q", m, c.OrderID)
	}
}
