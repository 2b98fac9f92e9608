package order

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"math/big"
	"testing"
	"time"

	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
	"pkiodesk/app/signeddoc"
	"pkiodesk/app/store"
	"pkiodesk/internal/testpki"
)

// selfSignedSigner is a forger's key: a certificate it issued itself, with
// the requester's name and subject serialNumber.
func selfSignedSigner(t *testing.T, cn, serial, issuerDN string) signeddoc.Signer {
	t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	name := pkix.Name{CommonName: cn, SerialNumber: serial}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: name, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageContentCommitment | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return signeddoc.Signer{Key: k, Chain: []*x509.Certificate{c}}
}

// signOrder signs an order document as given, for forgeries.
func signOrder(t *testing.T, o *Order, hash string, content []byte, s signeddoc.Signer) []byte {
	t.Helper()
	pdf, err := signeddoc.Sign(context.Background(), signeddoc.Request{Document: Document(o, hash, content, i18n.NL), Signer: s})
	if err != nil {
		t.Fatal(err)
	}
	return pdf
}

// An order signed with a self-signed certificate is intact but its signer
// is not trusted: the trust store decides, and no trust store trusts no one.
func TestReadSignedRefusesUntrustedSigner(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	card := newCard(t, d.bv)
	r := serverDraft(t, d, d.bv)
	placed, err := d.Place(ctx, r.Order.ID, d.bv, card.signing())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSigned(ctx, placed.Document, ReadOptions{}); !i18n.Is(err, "order.signer_untrusted") {
		t.Errorf("no trust store: %v", err)
	}
	if _, err := ReadSigned(ctx, placed.Document, card.trusted(t)); err != nil {
		t.Errorf("trusted: %v", err)
	}
	o := placed.Order
	o.Server.ServiceName = "VERVALST"
	forger := selfSignedSigner(t, "Anouk Visser", o.Login.SubjectSerial, "")
	o.Login.Issuer = forger.Chain[0].Issuer.String()
	content, _ := json.Marshal(o)
	forged := signOrder(t, &o, store.ContentHash(content), content, forger)
	_, err = ReadSigned(ctx, forged, card.trusted(t))
	if !i18n.Is(err, "order.signer_untrusted") {
		t.Fatalf("self-signed forgery: %v", err)
	}
	if msg := i18n.Localize(i18n.NL, err); !bytes.Contains([]byte(msg), []byte("integriteit in orde, ondertekenaar niet vertrouwd")) {
		t.Errorf("message %q", msg)
	}
}

// The login data in the order must be complete and name the signer; with
// the registered people at hand, the signer must be the requester.
func TestReadSignedChecksSignerAgainstLoginAndPeople(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	card := newCard(t, d.bv)
	r := serverDraft(t, d, d.bv)
	placed, err := d.Place(ctx, r.Order.ID, d.bv, card.signing())
	if err != nil {
		t.Fatal(err)
	}
	people, _ := d.st.People(ctx)
	opt := card.trusted(t)
	opt.People = people
	if _, err := ReadSigned(ctx, placed.Document, opt); err != nil {
		t.Fatalf("the requester's own order: %v", err)
	}
	// Someone else of the same trusted PKI signs an order naming the
	// requester, with the login serial left empty.
	other := newCardAt(t, card, d.cpAll)
	o := placed.Order
	o.Login = &LoginRef{Subject: o.Login.Subject, Issuer: o.Login.Issuer, Serial: o.Login.Serial, SHA256: o.Login.SHA256}
	content, _ := json.Marshal(o)
	if _, err := ReadSigned(ctx, signOrder(t, &o, store.ContentHash(content), content, other.signer), opt); !i18n.Is(err, "order.damaged") {
		t.Errorf("empty login serial: %v", err)
	}
	// ... or with their own serial in the login data: the registered
	// requester has another one.
	o.Login.SubjectSerial = other.signer.Chain[0].Subject.SerialNumber
	content, _ = json.Marshal(o)
	forged := signOrder(t, &o, store.ContentHash(content), content, other.signer)
	if _, err := ReadSigned(ctx, forged, opt); !i18n.Is(err, "order.signer_not_registered") {
		t.Errorf("another person's signature: %v", err)
	}
	// Without the database that is all that can be said: it is their order.
	opt.People = nil
	if _, err := ReadSigned(ctx, forged, opt); err != nil {
		t.Errorf("without people: %v", err)
	}
	// The login issuer must be the signer's.
	o = placed.Order
	o.Login.Issuer = "CN=Elders"
	content, _ = json.Marshal(o)
	if _, err := ReadSigned(ctx, signOrder(t, &o, store.ContentHash(content), content, card.signer), opt); !i18n.Is(err, "order.signer_not_requester") {
		t.Errorf("login at another issuer: %v", err)
	}
}

// newCardAt is a card for p from the same test PKI as c.
func newCardAt(t *testing.T, c cardOf, p org.Person) cardOf {
	t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	who := testpki.Person{GivenName: p.Name, Email: p.Email, Organization: testOrg.Name, Number: "PN-" + p.ID}
	sign, err := c.pki.Personal(k.Public(), who, true)
	if err != nil {
		t.Fatal(err)
	}
	return cardOf{pki: c.pki, login: c.login, signer: signeddoc.Signer{Key: k, Chain: c.pki.Chain(sign)}}
}

// The embedded JSON must be canonical and the page must show what it says:
// a wrong hash on the page, a repeated key, or data after the order are
// refused.
func TestReadSignedPageAndJSONAgree(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	card := newCard(t, d.bv)
	r := serverDraft(t, d, d.bv)
	placed, err := d.Place(ctx, r.Order.ID, d.bv, card.signing())
	if err != nil {
		t.Fatal(err)
	}
	opt := card.trusted(t)
	o := placed.Order
	content, _ := json.Marshal(o)
	wrongHash := signOrder(t, &o, "00000000000000000000000000000000ffffffffffffffffffffffffffffffff", content, card.signer)
	if _, err := ReadSigned(ctx, wrongHash, opt); !i18n.Is(err, "order.page_differs") {
		t.Errorf("wrong hash on the page: %v", err)
	}
	// The page says one service name, the JSON (read by a lax reader) another.
	dup := bytes.Replace(content, []byte(`"service_name":"Zaaksysteem"`), []byte(`"service_name":"Zaaksysteem","service_name":"Iets anders"`), 1)
	if _, err := ReadSigned(ctx, signOrder(t, &o, store.ContentHash(dup), dup, card.signer), opt); !i18n.Is(err, "order.damaged") {
		t.Errorf("repeated key: %v", err)
	}
	trailing := append(bytes.Clone(content), []byte(`{"id":"X"}`)...)
	if _, err := ReadSigned(ctx, signOrder(t, &o, store.ContentHash(trailing), trailing, card.signer), opt); !i18n.Is(err, "order.damaged") {
		t.Errorf("data after the order: %v", err)
	}
	unknown := bytes.Replace(content, []byte(`{"id":`), []byte(`{"extra":1,"id":`), 1)
	if _, err := ReadSigned(ctx, signOrder(t, &o, store.ContentHash(unknown), unknown, card.signer), opt); !i18n.Is(err, "order.damaged") {
		t.Errorf("unknown field: %v", err)
	}
	// The page drawn from other data than the JSON.
	shown := o
	shown.Server = &ServerDetails{ServiceName: "Iets anders", FQDNs: o.Server.FQDNs, CSR: o.Server.CSR}
	doc := Document(&shown, store.ContentHash(content), content, i18n.NL)
	other, err := signeddoc.Sign(ctx, signeddoc.Request{Document: doc, Signer: card.signer})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSigned(ctx, other, opt); !i18n.Is(err, "order.page_differs") {
		t.Errorf("page drawn from other data: %v", err)
	}
	// In English, and printed in another time zone, it is the same order.
	en, err := signeddoc.Sign(ctx, signeddoc.Request{Document: Document(&o, store.ContentHash(content), content, i18n.EN), Signer: card.signer})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSigned(ctx, en, opt); err != nil {
		t.Errorf("English page: %v", err)
	}
}

func TestSameMomentAcrossZones(t *testing.T) {
	placed := time.Date(2025, 3, 30, 12, 0, 5, 0, time.UTC)
	for s, want := range map[string]bool{
		"30-03-2025 14:00:05 CEST":  true,
		"30-03-2025 12:00:05 UTC":   true,
		"30-03-2025 17:30:05 +0530": true,
		"30-03-2025 14:00:06 CEST":  false,
		"31-03-2025 14:00:05 CEST":  false,
		"30-03-2025 14:00:05":       false,
	} {
		if sameMoment(s, placed) != want {
			t.Errorf("%q: want %v", s, want)
		}
	}
}
