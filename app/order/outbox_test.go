package order

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

func TestOutboxWritesWholeFilesOnly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	b := Outbox{Dir: filepath.Join(dir, "uit")}
	where, err := b.Submit(ctx, Submission{ID: "PKIO-20260101-ABCDEF12", PDF: []byte("%PDF-1.4 ..."), CSR: []byte("-----BEGIN CERTIFICATE REQUEST-----")})
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(b.Dir)
	if len(entries) != 2 || where != filepath.Join(b.Dir, "PKIO-20260101-ABCDEF12.pdf") {
		t.Errorf("outbox: %v, %s", entries, where)
	}
	for _, e := range entries {
		if fi, _ := e.Info(); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v", e.Name(), fi.Mode())
		}
	}
	for _, bad := range []string{"../PKIO-1", "PKIO/1", "", "a b"} {
		if _, err := b.Submit(ctx, Submission{ID: bad, PDF: []byte("x")}); !i18n.Is(err, "order.id_invalid") {
			t.Errorf("id %q: %v", bad, err)
		}
	}
	if _, err := (Outbox{Dir: "relatief"}).Submit(ctx, Submission{ID: "X-1", PDF: []byte("x")}); !i18n.Is(err, "outbox.relative") {
		t.Errorf("relative: %v", err)
	}
	file := filepath.Join(dir, "bestand")
	os.WriteFile(file, nil, 0o600)
	if _, err := (Outbox{Dir: file}).Submit(ctx, Submission{ID: "X-1", PDF: []byte("x")}); err == nil {
		t.Error("a file as outbox")
	}
}

type failingSubmitter struct{ err error }

func (f failingSubmitter) Submit(context.Context, Submission) (string, error) { return "", f.err }

// A failed submission leaves the order placed; submitting again works.
func TestSubmitFailureKeepsTheOrderPlaced(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	card := newCard(t, d.bv)
	r := serverDraft(t, d, d.bv)
	if _, err := d.Submit(ctx, r.Order.ID, d.bv, Outbox{Dir: t.TempDir()}); !i18n.Is(err, "outbox.not_placed") {
		t.Errorf("submit a draft: %v", err)
	}
	disk := errors.New("schijf vol")
	placed, err := d.PlaceAndSubmit(ctx, r.Order.ID, d.bv, card.signing(), failingSubmitter{disk})
	if !errors.Is(err, disk) || placed.State() != StatePlaced {
		t.Fatalf("%v, state %s", err, placed.State())
	}
	got, err := d.Submit(ctx, r.Order.ID, d.bv, Outbox{Dir: t.TempDir()})
	if err != nil || got.State() != StateSubmitted {
		t.Errorf("retry: %v %s", err, got.State())
	}
}

// issueFor has a test CA the desk trusts (as an administrator trusts a
// CA) issue a certificate shaped by edit, imports it and links it.
func issueFor(t *testing.T, d *desk, edit func(*x509.Certificate)) (cert.Certificate, []Match) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := newTestCA(t, "pkiodesk test-CA", d.clock.Now())
	d.trustCA(t, ca.cert)
	return importAndMatch(t, d, ca.issue(t, key.Public(), d.clock.Now(), edit))
}

func submittedPersonal(t *testing.T, d *desk, name, email string) Record {
	t.Helper()
	ctx := context.Background()
	r, err := d.NewDraft(ctx, ProductPersonalCard, d.cpAll)
	if err != nil {
		t.Fatal(err)
	}
	o := r.Order
	o.Personal = &PersonalDetails{Name: name, Email: email, Phone: "06 1234 5678", Carrier: CarrierUSBToken}
	if _, err := d.SaveDraft(ctx, o, 3, d.cpAll); err != nil {
		t.Fatal(err)
	}
	card := newCard(t, d.cpAll)
	s, err := d.PlaceAndSubmit(ctx, o.ID, d.cpAll, card.signing(), Outbox{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Orders without a CSR match by the holder's name and e-mail, only when
// exactly one order fits and the certificate is not older than the order.
func TestMatchWithoutCSR(t *testing.T) {
	d := newDesk(t)
	personal := func(name, email string) func(*x509.Certificate) {
		return func(c *x509.Certificate) {
			c.Subject = pkix.Name{CommonName: name, Organization: []string{testOrg.Name}, ExtraNames: []pkix.AttributeTypeAndValue{{Type: []int{2, 5, 4, 42}, Value: "x"}}}
			c.EmailAddresses = []string{email}
			c.KeyUsage = x509.KeyUsageDigitalSignature
		}
	}
	r := submittedPersonal(t, d, "Sanne de Vries", "s.devries@voorbeeldstad.nl")
	if _, m := issueFor(t, d, personal("Sanne de Vries", "iemand@anders.nl")); len(m) != 0 {
		t.Errorf("other e-mail matched: %+v", m)
	}
	old := personal("Sanne de Vries", "S.deVries@voorbeeldstad.nl")
	if _, m := issueFor(t, d, func(c *x509.Certificate) { old(c); c.NotBefore = d.clock.Now().AddDate(0, -2, 0) }); len(m) != 0 {
		t.Errorf("an older certificate matched: %+v", m)
	}
	c, m := issueFor(t, d, personal("sanne de vries", "S.deVries@voorbeeldstad.nl"))
	as, _ := d.Inventory().Assignment(context.Background(), c.SHA256)
	if len(m) != 1 || m[0].OrderID != r.Order.ID || c.OrderID != r.Order.ID || as.ContactID != d.cpAll.ID || as.ManagerID != "" {
		t.Errorf("match: %+v, %+v, %+v", m, c, as)
	}
	// Two open orders for the same person: ambiguous, left alone.
	submittedPersonal(t, d, "Bram Bos", "b.bos@voorbeeldstad.nl")
	submittedPersonal(t, d, "Bram Bos", "b.bos@voorbeeldstad.nl")
	if _, m := issueFor(t, d, personal("Bram Bos", "b.bos@voorbeeldstad.nl")); len(m) != 0 {
		t.Errorf("ambiguous matched: %+v", m)
	}
}
