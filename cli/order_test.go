package cli

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"pkiodesk/app"
	"pkiodesk/app/i18n"
	"pkiodesk/app/order"
	"pkiodesk/app/org"
	"pkiodesk/app/signeddoc"
	"pkiodesk/app/store"
	"pkiodesk/internal/testpki"
)

// placedOrder makes a database with one placed server order and returns
// the database, the order's PDF file and its number.
func placedOrder(t *testing.T) (db, pdfPath, id string) {
	t.Helper()
	ctx := context.Background()
	db = filepath.Join(t.TempDir(), "p.db")
	// A demo database, so that the test PKI can be trusted for the login.
	a, err := app.Open(ctx, app.Config{DBPath: db, Now: time.Now, Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	pki, _ := testpki.New(time.Now())
	who := testpki.Person{GivenName: "Anouk", Surname: "Visser", Email: "a.visser@voorbeeldstad.nl", Organization: "Gemeente Voorbeeldstad", Number: "PN-100245"}
	authKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	signKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	login, _ := pki.Personal(authKey.Public(), who, false)
	sign, _ := pki.Personal(signKey.Public(), who, true)
	// The test root is trusted as an administrator trusts a CA (`pkiodesk
	// trust add`), so that the CLI, which opens the database as a real
	// one, trusts it too.
	if _, err := a.Trust.AddAnchor(ctx, pki.Root.Raw); err != nil {
		t.Fatal(err)
	}
	if err := a.Trust.AddDemoAnchors(ctx, pki.Root, pki.Issuer); err != nil {
		t.Fatal(err)
	}
	check, err := a.CheckLogin(ctx, login, authKey)
	if err != nil {
		t.Fatal(err)
	}
	bv, err := a.SetUp(ctx, org.Organisation{Name: "Gemeente Voorbeeldstad", SubscriberNumber: "100234", OIN: "00000001002220647000", KvK: "12345678"}, "Anouk Visser", "a.visser@voorbeeldstad.nl", check)
	if err != nil {
		t.Fatal(err)
	}
	mgr := org.Person{ID: "m1", Name: "Zoë Brouwer", Email: "z.brouwer@voorbeeldstad.nl", Phone: "0301234567", Role: org.Certificaatbeheerder, Active: true}
	a.Store.PutPerson(ctx, mgr)
	r, err := a.Orders.NewDraft(ctx, order.ProductPKIoPrivate, bv)
	if err != nil {
		t.Fatal(err)
	}
	o := r.Order
	ref := order.Ref(mgr)
	o.Manager = &ref
	o.Server.ServiceName, o.Server.FQDNs = "Zaaksysteem", []string{"zaken.voorbeeldstad.nl"}
	csrKey := rsaKey(t)
	der, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{
		Country: []string{"NL"}, Organization: []string{"Gemeente Voorbeeldstad"}, SerialNumber: "00000001002220647000", CommonName: "zaken.voorbeeldstad.nl",
		ExtraNames: []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{2, 5, 4, 97}, Value: "NTRNL-12345678"}},
	}, DNSNames: []string{"zaken.voorbeeldstad.nl"}}, csrKey)
	o.Server.CSR = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
	if _, err := a.Orders.SaveDraft(ctx, o, 4, bv); err != nil {
		t.Fatal(err)
	}
	outbox, err := a.Outbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	submitted, err := a.Orders.PlaceAndSubmit(ctx, o.ID, bv, order.Signing{Signer: signeddoc.Signer{Key: signKey, Chain: pki.Chain(sign)}, Login: login, Lang: i18n.NL}, outbox)
	if err != nil {
		t.Fatal(err)
	}
	// The default outbox is "uitgaand" beside the database.
	if want := filepath.Join(filepath.Dir(db), "uitgaand", o.ID+".pdf"); submitted.Life.SubmittedTo != want {
		t.Fatalf("submitted to %s, want %s", submitted.Life.SubmittedTo, want)
	}
	return db, submitted.Life.SubmittedTo, o.ID
}

func TestOrderShowAndList(t *testing.T) {
	db, pdfPath, id := placedOrder(t)
	r := run(t, "nl_NL.UTF-8", "order", "show", pdfPath, "--db", db)
	for _, want := range []string{"Handtekening in orde, ondertekend door: Anouk Visser", "Bestelling " + id, "Naam van de service: Zaaksysteem",
		"FQDN's: zaken.voorbeeldstad.nl", "Opgeslagen bestelling, status: ingediend", "Certificaatbeheerder", "Zoë Brouwer"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("show PDF lacks %q\n%s", want, r.stdout)
		}
	}
	if r.code != 0 {
		t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, "en_GB.UTF-8", "order", "show", id, "--db", db)
	if r.code != 0 || !strings.Contains(r.stdout, "Service name: Zaaksysteem") || !strings.Contains(r.stdout, "State: submitted") {
		t.Errorf("show ID: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// The history in the reader's language, never a Go name.
	if !strings.Contains(r.stdout, "submitted (put in the outbox folder: "+pdfPath+")") || strings.Contains(r.stdout, "order.Outbox") {
		t.Errorf("history in English:\n%s", r.stdout)
	}
	if r := run(t, "nl_NL.UTF-8", "order", "show", id, "--db", db); !strings.Contains(r.stdout, "ingediend (in de uitgaande map gezet: "+pdfPath+")") {
		t.Errorf("history in Dutch:\n%s", r.stdout)
	}
	r = run(t, "nl_NL.UTF-8", "order", "list", "--db", db, "--state", "ingediend")
	if r.code != 0 || !strings.Contains(r.stdout, id) || !strings.Contains(r.stdout, "1 bestelling\n") || !strings.Contains(r.stdout, "Zaaksysteem (zaken.voorbeeldstad.nl)") {
		t.Errorf("list: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, "nl_NL.UTF-8", "order", "list", "--db", db, "--state", "geplaatst")
	if r.code != 0 || strings.Contains(r.stdout, id) || !strings.Contains(r.stdout, "0 bestellingen") {
		t.Errorf("list placed: %d\n%s", r.code, r.stdout)
	}
	r = run(t, "nl_NL.UTF-8", "order", "list", "--db", db, "--state", "verzonden")
	if r.code != 2 || !strings.Contains(r.stderr, `onbekende status "verzonden"`) {
		t.Errorf("bad state: %d %s", r.code, r.stderr)
	}
}

// An outbox PDF changed after signing is refused, and none of its content
// printed.
func TestOrderShowRefusesATamperedPDF(t *testing.T) {
	_, pdfPath, _ := placedOrder(t)
	data, _ := os.ReadFile(pdfPath)
	i := bytes.Index(data, []byte("/Type /EmbeddedFile"))
	data[i+150] ^= 0x04
	bad := filepath.Join(t.TempDir(), "gewijzigd.pdf")
	os.WriteFile(bad, data, 0o600)
	r := run(t, "nl_NL.UTF-8", "order", "show", bad, "--db", filepath.Join(t.TempDir(), "leeg.db"))
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "gewijzigd.pdf") {
		t.Errorf("tampered: exit %d\nstdout %q\nstderr %s", r.code, r.stdout, r.stderr)
	}
}

func rsaKey(t *testing.T) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSettingsOutbox(t *testing.T) {
	db := newDB(t)
	r := run(t, "nl_NL.UTF-8", "settings", "--db", db, "--outbox", "relatief/pad")
	if r.code != 2 || !strings.Contains(r.stderr, "geef het volledige pad van de uitgaande map") {
		t.Errorf("relative: %d %s", r.code, r.stderr)
	}
	dir := filepath.Join(t.TempDir(), "naar-kpn")
	r = run(t, "nl_NL.UTF-8", "settings", "--db", db, "--outbox", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "Uitgaande map: "+dir) {
		t.Errorf("set: %d %s %s", r.code, r.stdout, r.stderr)
	}
	r = run(t, "nl_NL.UTF-8", "settings", "--db", db, "--outbox", "standaard")
	if r.code != 0 || !strings.Contains(r.stdout, "Uitgaande map: "+filepath.Join(filepath.Dir(db), "uitgaand")) {
		t.Errorf("default: %d %s", r.code, r.stdout)
	}
}

// An order PDF signed with a self-signed certificate is intact, but its
// signer is not trusted by the trust store: no content, exit 1, and the
// reason in the user's language.
func TestOrderShowRefusesAnUntrustedSigner(t *testing.T) {
	db, pdfPath, _ := placedOrder(t)
	data, _ := os.ReadFile(pdfPath)
	ctx := context.Background()
	opened, err := signeddoc.Open(ctx, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	content, _ := opened.Attachment(order.AttachmentOrder)
	var o order.Order
	json.Unmarshal(content, &o)
	o.Server.ServiceName = "VERVALST"
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "Anouk Visser", SerialNumber: o.Login.SubjectSerial},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), KeyUsage: x509.KeyUsageContentCommitment | x509.KeyUsageDigitalSignature}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
	self, _ := x509.ParseCertificate(der)
	o.Login.Issuer = self.Issuer.String()
	forgedContent, _ := json.Marshal(o)
	forged, err := signeddoc.Sign(ctx, signeddoc.Request{Document: order.Document(&o, store.ContentHash(forgedContent), forgedContent, i18n.NL),
		Signer: signeddoc.Signer{Key: k, Chain: []*x509.Certificate{self}}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "vervalst.pdf")
	os.WriteFile(path, forged, 0o600)
	for _, dbArg := range []string{filepath.Join(t.TempDir(), "leeg.db"), db} {
		r := run(t, "nl_NL.UTF-8", "order", "show", path, "--db", dbArg)
		if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "integriteit in orde, ondertekenaar niet vertrouwd") {
			t.Errorf("%s: exit %d\nstdout %q\nstderr %s", dbArg, r.code, r.stdout, r.stderr)
		}
	}
	r := run(t, "en_GB.UTF-8", "order", "show", path, "--db", db)
	if r.code != 1 || !strings.Contains(r.stderr, "integrity in order, signer not trusted") {
		t.Errorf("English: exit %d %s", r.code, r.stderr)
	}
	// The real one still reads, against the database's trust store.
	if r := run(t, "nl_NL.UTF-8", "order", "show", pdfPath, "--db", db); r.code != 0 {
		t.Errorf("genuine: exit %d %s", r.code, r.stderr)
	}
}

// Content rewritten in the database file, with its hash recomputed, no
// longer matches the signed document: show and list refuse it.
func TestOrderShowRefusesRewrittenStoredContent(t *testing.T) {
	db, pdfPath, id := placedOrder(t)
	bdb, err := bolt.Open(db, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.Update(func(tx *bolt.Tx) error {
		bk := tx.Bucket([]byte("orders"))
		var rec store.OrderRecord
		if err := store.OpenJSON(bk.Get([]byte(id)), &rec); err != nil {
			return err
		}
		rec.Content = bytes.Replace(rec.Content, []byte("Zaaksysteem"), []byte("GEWIJZIGD"), 1)
		rec.Hash = store.ContentHash(rec.Content)
		v, _ := store.SealJSON(rec)
		return bk.Put([]byte(id), v)
	})
	bdb.Close()
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, "nl_NL.UTF-8", "order", "show", id, "--db", db)
	if r.code == 0 || strings.Contains(r.stdout, "GEWIJZIGD") || !strings.Contains(r.stderr, "de inhoud past niet bij de opgeslagen hash") {
		t.Errorf("show ID: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, "nl_NL.UTF-8", "order", "list", "--db", db)
	if r.code != 1 || strings.Contains(r.stdout, id) || !strings.Contains(r.stderr, id) {
		t.Errorf("list: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, "nl_NL.UTF-8", "order", "show", pdfPath, "--db", db)
	if r.code != 1 {
		t.Errorf("show PDF beside the rewritten record: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
