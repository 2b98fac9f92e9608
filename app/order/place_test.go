package order

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
	"pkiodesk/app/signeddoc"
	"pkiodesk/app/store"
	"pkiodesk/app/trust"
	"pkiodesk/internal/testpki"
)

// cardOf is a software stand-in for a person's card: an authentication and
// a signature certificate from a test PKI, the signature key in memory.
// The SoftHSM card is used in flow_test.go; the rules here only need a key.
type cardOf struct {
	pki    *testpki.PKI
	login  *x509.Certificate
	signer signeddoc.Signer
}

func newCard(t *testing.T, p org.Person) cardOf {
	t.Helper()
	pki, err := testpki.New(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	serial := p.SubjectSerial
	if serial == "" {
		serial = "PN-" + p.ID
	}
	who := testpki.Person{GivenName: p.Name, Surname: "", Email: p.Email, Organization: testOrg.Name, Number: serial}
	authKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	signKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	login, err := pki.Personal(authKey.Public(), who, false)
	if err != nil {
		t.Fatal(err)
	}
	sign, err := pki.Personal(signKey.Public(), who, true)
	if err != nil {
		t.Fatal(err)
	}
	return cardOf{pki: pki, login: login, signer: signeddoc.Signer{Key: signKey, Chain: pki.Chain(sign)}}
}

func (c cardOf) signing() Signing { return Signing{Signer: c.signer, Login: c.login, Lang: i18n.NL} }

// trusted is a trust store (app/trust, in memory) that trusts the card's
// test PKI, as the demo database trusts the demo CA.
func (c cardOf) trusted(t *testing.T) ReadOptions {
	t.Helper()
	ts, err := trust.Open(context.Background(), trust.Ephemeral(), trust.Options{Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.AddDemoAnchors(context.Background(), c.pki.Root, c.pki.Issuer); err != nil {
		t.Fatal(err)
	}
	return ReadOptions{Trust: ts}
}

// serverDraft is a complete PKIo server order with a CSR that lints clean.
func serverDraft(t *testing.T, d *desk, who org.Person) Record {
	t.Helper()
	ctx := context.Background()
	r, err := d.NewDraft(ctx, ProductPKIoPrivate, who)
	if err != nil {
		t.Fatal(err)
	}
	o := r.Order
	o.Manager = &PersonRef{ID: d.mgr.ID, Name: d.mgr.Name, Email: d.mgr.Email, Phone: d.mgr.Phone, Role: org.Certificaatbeheerder}
	o.Server.ServiceName = "Zaaksysteem"
	o.Server.FQDNs = testFQDNs
	o.Server.CSR = string(makeCSR(t, testKey(), x509.CertificateRequest{Subject: goodSubject(), DNSNames: testFQDNs}))
	r, err = d.SaveDraft(ctx, o, 4, who)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Placing signs the order and freezes it: the stored hash is the SHA-256
// of the attached JSON and is printed on the page; the PDF reads back with
// ReadSigned; nothing about the order can change afterwards.
func TestPlaceSignsAndFreezes(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	card := newCard(t, d.bv)
	r := serverDraft(t, d, d.bv)
	placed, err := d.Place(ctx, r.Order.ID, d.bv, card.signing())
	if err != nil {
		t.Fatal(err)
	}
	if placed.State() != StatePlaced || len(placed.Document) == 0 || placed.Order.PlacedAt.IsZero() || placed.Order.Login.SHA256 == "" {
		t.Fatalf("placed: %+v", placed.Life)
	}
	signed, err := ReadSigned(context.Background(), placed.Document, card.trusted(t))
	if err != nil {
		t.Fatal(err)
	}
	content, _ := json.Marshal(signed.Order)
	if signed.Hash != placed.Hash || store.ContentHash(content) != placed.Hash || signed.Order.Server.CSR != r.Order.Server.CSR {
		t.Errorf("hash: stored %s, PDF %s", placed.Hash, signed.Hash)
	}
	if pdftotext, err := exec.LookPath("pdftotext"); err == nil {
		path := filepath.Join(t.TempDir(), "o.pdf")
		os.WriteFile(path, placed.Document, 0o600)
		out, _ := exec.Command(pdftotext, path, "-").Output()
		text := strings.Join(strings.Fields(string(out)), " ")
		for _, want := range []string{placed.Hash[:32] + " " + placed.Hash[32:], "Zaaksysteem", "zaken.voorbeeldstad.nl", "Bevestiging bestelling nieuw certificaat",
			placed.Order.Login.SHA256[:32], "bestelling.json", "aanvraag.csr", "organizationIdentifier=NTRNL-12345678"} {
			if !strings.Contains(text, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
	}
	// Frozen: no draft save, no second placing, no cancelling into a draft.
	o := placed.Order
	o.Server.ServiceName = "Iets anders"
	if _, err := d.SaveDraft(ctx, o, 0, d.bv); !i18n.Is(err, "order.immutable") {
		t.Errorf("save after placing: %v", err)
	}
	if _, err := d.Place(ctx, r.Order.ID, d.bv, card.signing()); !i18n.Is(err, "order.transition") {
		t.Errorf("place twice: %v", err)
	}
	d.restart(t)
	again, err := d.Get(ctx, r.Order.ID)
	if err != nil || again.Hash != placed.Hash || !bytes.Equal(again.Document, placed.Document) || again.Order.Server.ServiceName != "Zaaksysteem" {
		t.Errorf("after restart: %v", err)
	}
}

// What keeps an order from being placed, each with its message.
func TestPlaceRefuses(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	card := newCard(t, d.bv)

	r := serverDraft(t, d, d.bv)
	o := r.Order
	o.Server.FQDNs = []string{"zaken.voorbeeldstad.nl"} // the CSR also has api.
	if _, err := d.SaveDraft(ctx, o, 4, d.bv); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Place(ctx, o.ID, d.bv, card.signing()); !i18n.Is(err, "order.csr_errors") {
		t.Errorf("CSR with an extra FQDN: %v", err)
	}
	o.Server.FQDNs = testFQDNs
	o.Server.ServiceName = ""
	d.SaveDraft(ctx, o, 4, d.bv)
	_, err := d.Place(ctx, o.ID, d.bv, card.signing())
	if !i18n.Is(err, "order.has_problems") || !strings.Contains(i18n.Localize(i18n.NL, err), "vul de Naam van de service in") {
		t.Errorf("no service name: %v", i18n.Localize(i18n.NL, err))
	}
	o.Server.ServiceName = "Zaaksysteem"
	d.SaveDraft(ctx, o, 4, d.bv)

	// Someone else's draft, and a key that is not a signature key.
	other := newCard(t, d.cpAll)
	if _, err := d.Place(ctx, o.ID, d.cpAll, other.signing()); !i18n.Is(err, "order.not_yours") {
		t.Errorf("someone else places: %v", err)
	}
	auth := card.signing()
	auth.Signer.Chain = []*x509.Certificate{card.login}
	if _, err := d.Place(ctx, o.ID, d.bv, auth); !i18n.Is(err, "order.not_signature_key") {
		t.Errorf("authentication key: %v", err)
	}
	if _, err := d.Place(ctx, o.ID, d.bv, Signing{Login: card.login}); !i18n.Is(err, "doc.no_signer") {
		t.Errorf("no signer: %v", err)
	}
	got, _ := d.Get(ctx, o.ID)
	if got.State() != StateDraft || len(got.Document) != 0 {
		t.Errorf("refused placing left state %s", got.State())
	}
}

// A new Certificaatbeheerder named in an order is registered when it is
// placed (seed 7.3), in the same transaction, and not before.
func TestNewManagerIsRegisteredByPlacing(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	card := newCard(t, d.cpBas)
	r := serverDraft(t, d, d.cpBas)
	o := r.Order
	o.Manager = &PersonRef{Name: "Sven de Boer", Email: "s.deboer@voorbeeldstad.nl", Phone: "030 123 45 67", New: true}
	if _, err := d.SaveDraft(ctx, o, 4, d.cpBas); err != nil {
		t.Fatal(err)
	}
	before, _ := d.Managers(ctx)
	placed, err := d.Place(ctx, o.ID, d.cpBas, card.signing())
	if err != nil {
		t.Fatal(err)
	}
	after, _ := d.Managers(ctx)
	if len(after) != len(before)+1 || placed.Order.Manager.ID == "" {
		t.Fatalf("managers %d → %d", len(before), len(after))
	}
	found := false
	for _, m := range after {
		found = found || m.ID == placed.Order.Manager.ID && m.Name == "Sven de Boer" && m.Role == org.Certificaatbeheerder && m.Active
	}
	if !found {
		t.Errorf("not registered: %+v", after)
	}
	// The new manager's phone is validated like any field.
	r2 := serverDraft(t, d, d.cpBas)
	o2 := r2.Order
	o2.Manager = &PersonRef{Name: "X", Email: "x@voorbeeldstad.nl", Phone: "12", New: true}
	d.SaveDraft(ctx, o2, 4, d.cpBas)
	if _, err := d.Place(ctx, o2.ID, d.cpBas, card.signing()); !i18n.Is(err, "order.has_problems") {
		t.Errorf("bad phone: %v", err)
	}
}

// ReadSigned refuses an order PDF that is not what was signed.
func TestReadSignedRefusesTampering(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	card := newCard(t, d.bv)
	r := serverDraft(t, d, d.bv)
	placed, err := d.Place(ctx, r.Order.ID, d.bv, card.signing())
	if err != nil {
		t.Fatal(err)
	}
	pdf := placed.Document
	i := bytes.LastIndex(pdf, []byte("Zaaksysteem"))
	if i < 0 {
		// The page text is compressed; change a byte of the first stream.
		i = bytes.Index(pdf, []byte("stream\n")) + 20
	}
	tampered := bytes.Clone(pdf)
	tampered[i] ^= 0x20
	trusted := card.trusted(t)
	if _, err := ReadSigned(context.Background(), tampered, trusted); err == nil {
		t.Error("a changed PDF was read as an order")
	}
	// Signed by someone else than the person who logged in.
	stranger := newCard(t, org.Person{Name: "Onbekend", SubjectSerial: "PN-999"})
	o := placed.Order
	content, _ := json.Marshal(o)
	doc := Document(&o, store.ContentHash(content), content, i18n.NL)
	forged, err := signeddoc.Sign(ctx, signeddoc.Request{Document: doc, Signer: stranger.signer})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSigned(context.Background(), forged, trusted); !i18n.Is(err, "order.signer_not_requester") {
		t.Errorf("forged: %v", err)
	}
	// The same order signed again by the requester reads back; with no
	// hash on its page it does not.
	again, _ := signeddoc.Sign(ctx, signeddoc.Request{Document: doc, Signer: card.signer})
	if _, err := ReadSigned(context.Background(), again, trusted); err != nil {
		t.Errorf("own document: %v", err)
	}
	plain, _ := signeddoc.Sign(ctx, signeddoc.Request{Document: Document(&o, "", content, i18n.NL), Signer: card.signer})
	if _, err := ReadSigned(context.Background(), plain, trusted); !i18n.Is(err, "order.page_differs") {
		t.Errorf("no hash on the page: %v", err)
	}
	doc.Attachments = doc.Attachments[:1] // the CSR left out
	noCSR, _ := signeddoc.Sign(ctx, signeddoc.Request{Document: doc, Signer: card.signer})
	if _, err := ReadSigned(context.Background(), noCSR, trusted); !i18n.Is(err, "order.show_csr_differs") {
		t.Errorf("without CSR: %v", err)
	}
	doc.Attachments = nil
	noOrder, _ := signeddoc.Sign(ctx, signeddoc.Request{Document: doc, Signer: card.signer})
	if _, err := ReadSigned(context.Background(), noOrder, trusted); !i18n.Is(err, "order.show_no_order") {
		t.Errorf("without order: %v", err)
	}
}
