package order_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ThalesIgnite/crypto11"

	"pkiodesk/app"
	"pkiodesk/app/audit"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/order"
	"pkiodesk/app/org"
	"pkiodesk/app/signeddoc"
	"pkiodesk/internal/fixture"
	"pkiodesk/internal/testpki"
	"pkiodesk/smartcard"
	"pkiodesk/smartcard/softhsm"
)

const cardPIN = "246810"

// tokens are the SoftHSM tokens of this test binary (the module reads
// SOFTHSM2_CONF once per process): a PKIo-like personal card and an empty
// token standing in for a server's HSM.
var tokens struct {
	card softhsm.Card
	hsm  softhsm.Token
	err  error
}

func TestMain(m *testing.M) {
	dir, _ := os.MkdirTemp("", "order-softhsm-")
	who := testpki.Person{GivenName: "Anouk", Surname: "Visser", Email: "a.visser@voorbeeldstad.nl", Organization: "Gemeente Voorbeeldstad", Number: "PN-100245"}
	tokens.card, tokens.err = softhsm.ProvisionTestCard(context.Background(), dir, "PKIo kaart", cardPIN, who)
	if tokens.err == nil {
		tokens.hsm, tokens.err = softhsm.InitToken(context.Background(), tokens.card.ConfPath, "Server HSM", "so-hsm-pin", "135791")
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func needTokens(t *testing.T) {
	t.Helper()
	if tokens.err != nil {
		fixture.Missing(t, "SoftHSM tokens: %v", tokens.err)
	}
}

var registered = org.Organisation{Name: "Gemeente Voorbeeldstad", SubscriberNumber: "100234", OIN: "00000001002220647000", KvK: "12345678"}

// flow is the organisation after the first login with the card.
type flow struct {
	a       *app.App
	m       *smartcard.Manager
	session *smartcard.Session
	bv      org.Person
	cp      org.Person
	mgr     org.Person
	sign    order.Signing
	outbox  order.Outbox
}

func startFlow(t *testing.T) *flow {
	t.Helper()
	needTokens(t)
	ctx := context.Background()
	dir := t.TempDir()
	// A demo database, so that the test PKI can be trusted for the login.
	a, err := app.Open(ctx, app.Config{DBPath: filepath.Join(dir, "pkiodesk.db"), Now: time.Now, Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	m := smartcard.NewManager()
	tok, err := m.Token(tokens.card.Module, "PKIo kaart")
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.LoginToken(ctx, tok, smartcard.GivenPIN([]byte(cardPIN)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	auth, _ := s.Pick(smartcard.UsageAuthentication)
	signCert, _ := s.Pick(smartcard.UsageSignature)
	if err := a.Trust.AddDemoAnchors(ctx, tokens.card.PKI.Root, tokens.card.PKI.Issuer); err != nil {
		t.Fatal(err)
	}
	check, err := a.CheckLogin(ctx, auth.Cert, s.Signer(auth))
	if err != nil {
		t.Fatal(err)
	}
	bv, err := a.SetUp(ctx, registered, "Anouk Visser", "a.visser@voorbeeldstad.nl", check)
	if err != nil {
		t.Fatal(err)
	}
	f := &flow{a: a, m: m, session: s, bv: bv,
		cp:  org.Person{ID: "cp", Name: "Daan Meijer", Email: "d.meijer@voorbeeldstad.nl", Role: org.ContactpersoonAlle, Active: true},
		mgr: org.Person{ID: "mgr", Name: "Zoë Brouwer", Email: "z.brouwer@voorbeeldstad.nl", Phone: "030 123 45 67", Role: org.Certificaatbeheerder, Active: true},
	}
	for _, p := range []org.Person{f.cp, f.mgr} {
		a.Store.PutPerson(ctx, p)
	}
	cs := s.Signer(signCert, tokens.card.PKI.Issuer, tokens.card.PKI.Root)
	f.sign = order.Signing{Signer: signeddoc.Signer{Key: cs, Chain: cs.Chain}, Login: auth.Cert, Lang: i18n.NL}
	f.outbox = order.Outbox{Dir: filepath.Join(dir, "uitgaand")}
	return f
}

// tokenCSR makes the server key on the HSM token and returns its CSR and
// the key's ID.
func (f *flow) tokenCSR(t *testing.T, req order.KeyRequest) (string, []byte) {
	t.Helper()
	tok, err := f.m.Token(tokens.hsm.Module, "Server HSM")
	if err != nil {
		t.Fatal(err)
	}
	var csr []byte
	id, err := f.m.GenerateRSAKey(context.Background(), tok, smartcard.GivenPIN([]byte("135791")), req.Bits, smartcard.KeyLabel("Zaaksysteem"), func(k crypto.Signer) error {
		var err error
		csr, err = order.CSRFor(req, k)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(csr), id
}

// issue has the test CA issue a certificate from the order's CSR and
// imports it, as a user imports what the CA sends back.
func (f *flow) issue(t *testing.T, csrPEM string) (cert.Certificate, []order.Match) {
	t.Helper()
	csr, err := order.ParseCSR([]byte(csrPEM))
	if err != nil {
		t.Fatal(err)
	}
	issued, err := tokens.card.PKI.ServerFromCSR(csr, 0)
	if err != nil {
		t.Fatal(err)
	}
	pemData := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: issued.Raw})
	ctx := context.Background()
	rep, err := f.a.Inventory.Import(ctx, []inventory.Input{{Name: "uitgegeven.pem", Data: pemData}}, inventory.ImportOptions{})
	if err != nil || len(rep.Added) != 1 {
		t.Fatalf("import: %v %+v", err, rep)
	}
	matches, err := f.a.LinkImported(ctx, rep)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := f.a.Inventory.Get(rep.Added[0].SHA256)
	return c, matches
}

// checkSignedOrder checks an order's PDF the way someone without pkiodesk
// would: pdfsig (poppler) verifies the signature over the whole file, qpdf
// finds no damage, pdfdetach extracts the attachments, and they are the
// stored order (whose hash is the SHA-256 of its JSON) and its CSR.
func checkSignedOrder(t *testing.T, pdfPath string, r order.Record) {
	t.Helper()
	pdfsig, pdfdetach, qpdf := fixture.Program(t, "pdfsig"), fixture.Program(t, "pdfdetach"), fixture.Program(t, "qpdf")
	out, _ := exec.Command(pdfsig, pdfPath).CombinedOutput()
	for _, want := range []string{"Signature is Valid.", "Total document signed", "ETSI.CAdES.detached", "Anouk Visser"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("%s: pdfsig lacks %q:\n%s", r.Order.ID, want, out)
		}
	}
	if strings.Count(string(out), "Signature #") != 1 {
		t.Errorf("%s: not one signature:\n%s", r.Order.ID, out)
	}
	if out, err := exec.Command(qpdf, "--check", pdfPath).CombinedOutput(); err != nil {
		t.Errorf("qpdf --check: %v\n%s", err, out)
	}
	dir := t.TempDir()
	if out, err := exec.Command(pdfdetach, "-saveall", "-o", dir, pdfPath).CombinedOutput(); err != nil {
		t.Fatalf("pdfdetach: %v %s", err, out)
	}
	content, err := os.ReadFile(filepath.Join(dir, order.AttachmentOrder))
	if err != nil {
		t.Fatalf("%s: no %s attached: %v", r.Order.ID, order.AttachmentOrder, err)
	}
	stored, _ := json.Marshal(r.Order)
	sum := sha256.Sum256(content)
	if !bytes.Equal(content, stored) || hex.EncodeToString(sum[:]) != r.Hash {
		t.Errorf("%s: attached order differs from the stored one (hash %s, stored %s)", r.Order.ID, hex.EncodeToString(sum[:]), r.Hash)
	}
	csr, err := os.ReadFile(filepath.Join(dir, order.AttachmentCSR))
	switch {
	case r.Order.Kind == order.KindRevoke || r.Order.Server == nil:
		if err == nil {
			t.Errorf("%s: an order without a CSR carries one", r.Order.ID)
		}
	case err != nil || string(csr) != r.Order.Server.CSR:
		t.Errorf("%s: attached CSR differs: %v", r.Order.ID, err)
	}
}

// The whole flow against SoftHSM and a test CA: a new server certificate
// ordered with a key made on a token, placed (signed with the card),
// submitted to the outbox, issued by the CA from the CSR and matched by
// key; renewed with a new key; the old one revoked and confirmed by a CRL.
func TestOrderFlowNewRenewRevoke(t *testing.T) {
	f := startFlow(t)
	ctx := context.Background()
	orders := f.a.Orders

	// New.
	draft, err := orders.NewDraft(ctx, order.ProductPKIoPrivate, f.bv)
	if err != nil {
		t.Fatal(err)
	}
	o := draft.Order
	ref := order.Ref(f.mgr)
	o.Manager = &ref
	o.Server.ServiceName = "Zaaksysteem"
	o.Server.FQDNs = []string{"zaken.voorbeeldstad.nl", "api.zaken.voorbeeldstad.nl"}
	req := order.KeyRequest{Profile: order.ProfileFor(o.Product), Bits: 2048, Org: o.Organisation, FQDNs: o.Server.FQDNs}
	var oldKeyID []byte
	o.Server.CSR, oldKeyID = f.tokenCSR(t, req)
	if _, err := orders.SaveDraft(ctx, o, 4, f.bv); err != nil {
		t.Fatal(err)
	}
	submitted, err := orders.PlaceAndSubmit(ctx, o.ID, f.bv, f.sign, f.outbox)
	if err != nil {
		t.Fatal(err)
	}
	if submitted.State() != order.StateSubmitted || submitted.Life.SubmittedTo != filepath.Join(f.outbox.Dir, o.ID+".pdf") {
		t.Fatalf("submitted: %+v", submitted.Life)
	}
	files, _ := os.ReadDir(f.outbox.Dir)
	if len(files) != 2 {
		t.Errorf("outbox holds %d files, want the PDF and the CSR", len(files))
	}
	if csrFile, _ := os.ReadFile(filepath.Join(f.outbox.Dir, o.ID+".csr")); string(csrFile) != o.Server.CSR {
		t.Error("outbox CSR differs")
	}
	checkSignedOrder(t, submitted.Life.SubmittedTo, submitted)

	issued, matches := f.issue(t, o.Server.CSR)
	if len(matches) != 1 || matches[0].OrderID != o.ID {
		t.Fatalf("matches %+v", matches)
	}
	as, _ := f.a.Inventory.Assignment(ctx, issued.SHA256)
	if issued.OrderID != o.ID || as.ContactID != f.bv.ID || as.ManagerID != f.mgr.ID || issued.Renews != "" {
		t.Errorf("certificate links: %+v, %+v", issued, as)
	}
	// The detail screen's people (seed 3.1): the requester and the manager.
	if contact, manager, err := f.a.CertificatePeople(ctx, issued.SHA256); err != nil || contact == nil || contact.ID != f.bv.ID || manager == nil || manager.ID != f.mgr.ID {
		t.Errorf("certificate people: %v %v %v", contact, manager, err)
	}
	if r, _ := orders.Get(ctx, o.ID); r.State() != order.StateIssued || r.Life.IssuedCertificate != issued.SHA256 {
		t.Errorf("order after issue: %+v", r.Life)
	}

	// Renew, by a colleague: pre-filled, new key required, service name fixed.
	renewal, err := orders.NewRenewal(ctx, issued.SHA256, f.cp)
	if err != nil {
		t.Fatal(err)
	}
	ro := renewal.Order
	if ro.Server.ServiceName != "Zaaksysteem" || strings.Join(ro.Server.FQDNs, ",") != "zaken.voorbeeldstad.nl,api.zaken.voorbeeldstad.nl" || ro.Manager == nil || ro.Manager.ID != f.mgr.ID || ro.Renews != issued.SHA256 {
		t.Fatalf("renewal not pre-filled: %+v %+v", ro.Server, ro.Manager)
	}
	changed := ro
	changed.Server = &order.ServerDetails{ServiceName: "Ander systeem", FQDNs: ro.Server.FQDNs}
	if _, err := orders.SaveDraft(ctx, changed, 1, f.cp); !i18n.Is(err, "order.service_name_fixed") {
		t.Errorf("service name changed on renewal: %v", err)
	}
	// The old key again: found on the token and refused.
	ro.Server.CSR = sameKeyCSR(t, req, oldKeyID)
	if _, err := orders.SaveDraft(ctx, ro, 4, f.cp); err != nil {
		t.Fatal(err)
	}
	findings, _ := orders.LintOrder(ctx, &ro)
	if !order.HasErrors(findings) || findings[0].Err.Key != "csr.same_key" {
		t.Errorf("same key: %+v", findings)
	}
	cpSign := f.sign // the colleague's card is the same SoftHSM token here
	cpPerson := f.cp
	if _, err := orders.Place(ctx, ro.ID, cpPerson, cpSign); !i18n.Is(err, "order.csr_errors") {
		t.Errorf("placed with the old key: %v", err)
	}
	keyPEM, csrPEM, err := order.SoftwareKey(req, []byte("een lang wachtwoord"))
	if err != nil || len(keyPEM) == 0 {
		t.Fatal(err)
	}
	ro.Server.CSR = string(csrPEM)
	if _, err := orders.SaveDraft(ctx, ro, 4, f.cp); err != nil {
		t.Fatal(err)
	}
	renewed, err := orders.PlaceAndSubmit(ctx, ro.ID, f.cp, cpSign, f.outbox)
	if err != nil {
		t.Fatal(err)
	}
	checkSignedOrder(t, renewed.Life.SubmittedTo, renewed)
	// Someone else starting a renewal of the same certificate is warned.
	if warn, _ := orders.ColleagueRenewals(ctx, issued.SHA256, f.bv); len(warn) != 1 || warn[0].Order.ID != ro.ID {
		t.Errorf("colleague renewals: %d", len(warn))
	}
	newCert, matches := f.issue(t, ro.Server.CSR)
	as, _ = f.a.Inventory.Assignment(ctx, newCert.SHA256)
	if len(matches) != 1 || newCert.Renews != issued.SHA256 || newCert.OrderID != ro.ID || as.ContactID != f.cp.ID || as.ManagerID != f.mgr.ID {
		t.Errorf("renewed certificate: %+v %+v %+v", newCert, matches, as)
	}

	// Revoke the old certificate.
	rev, err := orders.NewRevocation(ctx, issued.SHA256, f.bv)
	if err != nil {
		t.Fatal(err)
	}
	rv := rev.Order
	rv.Revoke.Reason = order.ReasonSuperseded
	rv.Revoke.Explanation = "Vervangen door " + newCert.Serial
	if _, err := orders.SaveDraft(ctx, rv, 1, f.bv); err != nil {
		t.Fatal(err)
	}
	revoked, err := orders.PlaceAndSubmit(ctx, rv.ID, f.bv, f.sign, f.outbox)
	if err != nil {
		t.Fatal(err)
	}
	checkSignedOrder(t, revoked.Life.SubmittedTo, revoked)
	old, _ := f.a.Inventory.Get(issued.SHA256)
	if !old.RevocationRequested() || old.Revoked || old.Status(time.Now()) != cert.StatusValid {
		t.Errorf("after placing the revocation: requested %v, revoked %v", old.RevocationRequested(), old.Revoked)
	}
	if _, err := orders.NewRevocation(ctx, issued.SHA256, f.bv); !i18n.Is(err, "order.revocation_pending") {
		t.Errorf("second revocation: %v", err)
	}
	if _, err := orders.NewRenewal(ctx, issued.SHA256, f.bv); !i18n.Is(err, "order.renew_revocation_requested") {
		t.Errorf("renewal of a certificate being revoked: %v", err)
	}

	// Revocation information confirms it: first a CRL without it, then with.
	ctx2 := context.Background()
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tokens.card.PKI.Issuer.Raw})
	if _, err := f.a.Inventory.Import(ctx2, []inventory.Input{{Name: "ca.pem", Data: caPEM}}, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	oldX509 := parse(t, f.a, issued.SHA256)
	empty := crl(t, nil)
	if m, err := orders.ConfirmRevocations(ctx2, order.CRLs{Lists: []*x509.RevocationList{empty}}); err != nil || len(m) != 0 {
		t.Errorf("CRL without the certificate: %v %v", m, err)
	}
	if c, _ := f.a.Inventory.Get(issued.SHA256); !c.RevocationRequested() {
		t.Error("confirmed without revocation information")
	}
	// The CA's CRL reaches the trust store (imported as an administrator
	// without a route to the CA would): the revocation order is done.
	listedDER, err := tokens.card.PKI.CRL([]*x509.Certificate{oldX509}, time.Now().Add(-time.Minute), 4)
	if err != nil {
		t.Fatal(err)
	}
	rest, imported, err := f.a.ImportCRLs(ctx2, []inventory.Input{{Name: "issuer.crl", Data: listedDER}})
	if err != nil || len(rest) != 0 || len(imported) != 1 || imported[0].Err != nil {
		t.Fatalf("CRL import: %v %+v", err, imported)
	}
	old, _ = f.a.Inventory.Get(issued.SHA256)
	if !old.Revoked || old.RevocationRequested() || old.Status(time.Now()) != cert.StatusRevoked || old.RevocationReason != "superseded" {
		t.Errorf("after confirmation: %+v", old)
	}
	if r, _ := orders.Get(ctx2, rv.ID); r.State() != order.StateIssued {
		t.Errorf("revocation order: %s", r.State())
	}
	// The renewed certificate is untouched.
	if c, _ := f.a.Inventory.Get(newCert.SHA256); c.Revoked || c.RevocationRequested() {
		t.Error("the new certificate was revoked too")
	}
	// All of it survives a restart: records, links, hashes.
	all, damaged, err := orders.List(ctx2)
	if err != nil || len(damaged) != 0 || len(all) != 3 {
		t.Errorf("orders: %d, damaged %v, %v", len(all), damaged, err)
	}
	// Every state change is in the audit journal, written with the change,
	// and the journal verifies.
	entries, err := f.a.Journal.List(ctx2, audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, e := range entries {
		if e.Object.Kind == audit.OrderObject {
			got[e.Object.ID] = append(got[e.Object.ID], string(e.Action)+"/"+string(e.Outcome))
		}
	}
	want := map[string]string{
		o.ID:  "order-placed/ok order-submitted/ok order-issued/ok",
		ro.ID: "order-placed/ok order-submitted/ok order-issued/ok",
		rv.ID: "order-placed/ok order-submitted/ok revoked/ok",
	}
	for id, w := range want {
		if g := strings.Join(got[id], " "); g != w {
			t.Errorf("journal for %s: %q, want %q", id, g, w)
		}
	}
	if rep, err := f.a.Journal.Verify(ctx2); err != nil || !rep.OK() {
		t.Errorf("journal does not verify: %v %+v", err, rep)
	}
}

func parse(t *testing.T, a *app.App, sha string) *x509.Certificate {
	der, err := a.Inventory.DER(context.Background(), sha)
	if err != nil {
		t.Fatal(err)
	}
	x, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func crl(t *testing.T, revoked []*x509.Certificate) *x509.RevocationList {
	der, err := tokens.card.PKI.CRL(revoked, time.Now().Add(-time.Minute), 4)
	if err != nil {
		t.Fatal(err)
	}
	l, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// sameKeyCSR signs a new CSR with the key already on the HSM token.
func sameKeyCSR(t *testing.T, req order.KeyRequest, id []byte) string {
	t.Helper()
	c, err := crypto11.Configure(&crypto11.Config{Path: tokens.hsm.Module, TokenLabel: "Server HSM", Pin: "135791"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	key, err := c.FindKeyPair(id, nil)
	if err != nil || key == nil {
		t.Fatalf("key %x: %v", id, err)
	}
	csr, err := order.CSRFor(req, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(csr)
}

// Every product's order, signed with the card, passes pdfsig, qpdf and
// pdfdetach, and its attachments are the stored order (and CSR).
func TestEveryProductSignedAndChecked(t *testing.T) {
	f := startFlow(t)
	ctx := context.Background()
	for _, p := range order.Products {
		r, err := f.a.Orders.NewDraft(ctx, p, f.bv)
		if err != nil {
			t.Fatal(err)
		}
		o := r.Order
		if p.NeedsManager() {
			ref := order.Ref(f.mgr)
			o.Manager = &ref
		}
		switch {
		case o.Server != nil:
			o.Server.ServiceName, o.Server.FQDNs = "Portaal", []string{"portaal.voorbeeldstad.nl"}
			bits := 2048
			if p == order.ProductPKIoTrial {
				bits = 3072 // the trial's smallest
			}
			req := order.KeyRequest{Profile: order.ProfileFor(p), Bits: bits, Org: o.Organisation, FQDNs: o.Server.FQDNs}
			_, csr, err := order.SoftwareKey(req, []byte("een lang wachtwoord"))
			if err != nil {
				t.Fatal(err)
			}
			o.Server.CSR = string(csr)
		case o.Personal != nil:
			o.Personal.Name, o.Personal.Email, o.Personal.Phone = "Sanne de Vries", "s.devries@voorbeeldstad.nl", "0612345678"
			if p == order.ProductPersonalCard {
				o.Personal.Carrier = order.CarrierUSBToken
			}
		case o.Group != nil:
			o.Group.GroupName, o.Group.Mailbox = "Burgerzaken", "burgerzaken@voorbeeldstad.nl"
		}
		if _, err := f.a.Orders.SaveDraft(ctx, o, 4, f.bv); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		s, err := f.a.Orders.PlaceAndSubmit(ctx, o.ID, f.bv, f.sign, f.outbox)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		checkSignedOrder(t, s.Life.SubmittedTo, s)
	}
}

// A signature key that asks for the PIN before every signature
// (CKA_ALWAYS_AUTHENTICATE, as a qualified key on a PKIo card): placing
// asks once; without the PIN nothing is placed.
func TestPlacingWithAPINPerSignature(t *testing.T) {
	needTokens(t)
	ctx := context.Background()
	tok, err := softhsm.InitToken(ctx, tokens.card.ConfPath, "kaart met PIN per handtekening", "so-aa-pin", "975310")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tok.Delete(context.Background()) })
	pki := tokens.card.PKI
	who := testpki.Person{GivenName: "Anouk", Surname: "Visser", Email: "a.visser@voorbeeldstad.nl", Organization: "Gemeente Voorbeeldstad", Number: "PN-100245"}
	if _, err := tok.AddKey([]byte{1}, "Authenticatie", softhsm.RSA2048, func(pub crypto.PublicKey) (*x509.Certificate, error) { return pki.Personal(pub, who, false) }); err != nil {
		t.Fatal(err)
	}
	if _, err := tok.AddAlwaysAuthKey([]byte{2}, "Onweerlegbaarheid", func(pub crypto.PublicKey) (*x509.Certificate, error) { return pki.Personal(pub, who, true) }); err != nil {
		t.Fatal(err)
	}
	f := startFlow(t)
	m := smartcard.NewManager()
	info, err := m.Token(tok.Module, tok.Label)
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.LoginToken(ctx, info, smartcard.GivenPIN([]byte("975310")))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	auth, _ := s.Pick(smartcard.UsageAuthentication)
	signCert, _ := s.Pick(smartcard.UsageSignature)
	if !s.NeedsPINPerSignature(signCert) {
		t.Fatal("the key does not ask for the PIN per signature")
	}
	prompts := 0
	answer := []byte(nil)
	signer := s.Signer(signCert, pki.Issuer, pki.Root).WithPINPrompt(ctx, func(context.Context, smartcard.PINRequest) ([]byte, error) {
		prompts++
		if answer == nil {
			return nil, i18n.E("card.pin_empty", nil)
		}
		return append([]byte(nil), answer...), nil
	})
	signing := order.Signing{Signer: signeddoc.Signer{Key: signer, Chain: signer.Chain}, Login: auth.Cert, Lang: i18n.EN}
	r, err := f.a.Orders.NewDraft(ctx, order.ProductGroup, f.bv)
	if err != nil {
		t.Fatal(err)
	}
	o := r.Order
	ref := order.Ref(f.mgr)
	o.Manager, o.Group.GroupName, o.Group.Mailbox = &ref, "Burgerzaken", "burgerzaken@voorbeeldstad.nl"
	f.a.Orders.SaveDraft(ctx, o, 3, f.bv)
	if _, err := f.a.Orders.Place(ctx, o.ID, f.bv, signing); !i18n.Is(err, "card.pin_empty") {
		t.Errorf("without a PIN: %v", err)
	}
	if got, _ := f.a.Orders.Get(ctx, o.ID); got.State() != order.StateDraft {
		t.Errorf("placed without a PIN: %s", got.State())
	}
	answer = []byte("975310")
	prompts = 0
	placed, err := f.a.Orders.PlaceAndSubmit(ctx, o.ID, f.bv, signing, f.outbox)
	if err != nil {
		t.Fatal(err)
	}
	if prompts != 1 {
		t.Errorf("PIN asked %d times for one signature", prompts)
	}
	checkSignedOrder(t, placed.Life.SubmittedTo, placed)
}
