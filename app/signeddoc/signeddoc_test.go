package signeddoc

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pkiodesk/app/i18n"
	"pkiodesk/internal/fixture"
	"pkiodesk/internal/testpki"
	"pkiodesk/pdfseal"
)

func signer(t *testing.T) (Signer, *testpki.PKI) {
	t.Helper()
	pki, err := testpki.New(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	c, err := pki.Personal(key.Public(), testpki.Person{GivenName: "Anouk", Surname: "Visser", Email: "a@voorbeeldstad.nl", Organization: "Gemeente Voorbeeldstad", Number: "PN-1"}, true)
	if err != nil {
		t.Fatal(err)
	}
	return Signer{Key: key, Chain: pki.Chain(c)}, pki
}

func document() pdfseal.Document {
	return pdfseal.Document{Kind: pdfseal.ChangeForm, Number: "WIJZ-1", Created: time.Now(), Organisation: "Gemeente Voorbeeldstad",
		Sections: []pdfseal.Section{{Heading: "Wijziging", Fields: []pdfseal.Field{{Label: "Contactpersoon", Value: "Daan Meijer"}}}},
		Attachments: []pdfseal.Attachment{
			{Name: "wijziging.json", Description: "wijziging (JSON)", Data: []byte(`{"contactpersoon":"Daan Meijer","é":"ë"}`)},
			{Name: "kopie-id.txt", Description: "bijlage", Data: bytes.Repeat([]byte("x"), 5000)},
		}}
}

// Sign and Open are each other's inverse: what was attached comes back
// byte for byte, with the signer, from a PDF pdfsig (poppler, an
// independent verifier) also calls valid and whole.
func TestSignAndOpen(t *testing.T) {
	s, _ := signer(t)
	pdf, err := Sign(context.Background(), Request{Document: document(), Signer: s, Reason: "WIJZ-1"})
	if err != nil {
		t.Fatal(err)
	}
	o, err := Open(context.Background(), pdf, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Signer.Equal(s.Chain[0]) || len(o.Attachments) != 2 {
		t.Fatalf("opened: %+v", o)
	}
	for _, a := range document().Attachments {
		got, ok := o.Attachment(a.Name)
		if !ok || !bytes.Equal(got, a.Data) {
			t.Errorf("attachment %s: %q", a.Name, got)
		}
	}
	if _, ok := o.Attachment("bestaat-niet"); ok {
		t.Error("an attachment that is not there")
	}
	pdfsig := fixture.Program(t, "pdfsig")
	path := filepath.Join(t.TempDir(), "doc.pdf")
	os.WriteFile(path, pdf, 0o600)
	out, _ := exec.Command(pdfsig, path).CombinedOutput()
	if !strings.Contains(string(out), "Signature is Valid.") || !strings.Contains(string(out), "Total document signed") || !strings.Contains(string(out), "ETSI.CAdES.detached") {
		t.Errorf("pdfsig:\n%s", out)
	}
}

// Open refuses everything that is not one intact seal over the whole file.
func TestOpenRefusesWhatIsNotIntact(t *testing.T) {
	s, pki := signer(t)
	pdf, err := Sign(context.Background(), Request{Document: document(), Signer: s})
	if err != nil {
		t.Fatal(err)
	}
	unsigned, _ := pdfseal.Draw(document())
	if _, err := Open(context.Background(), unsigned, nil); !i18n.Is(err, "doc.not_signed") {
		t.Errorf("unsigned: %v", err)
	}
	// One byte of the signed content changed.
	tampered := bytes.Clone(pdf)
	i := bytes.Index(tampered, []byte("/Type /EmbeddedFile"))
	tampered[i+200] ^= 0x01
	if _, err := Open(context.Background(), tampered, nil); !i18n.Is(err, "doc.not_intact") && !i18n.Is(err, "doc.unreadable") {
		t.Errorf("tampered: %v", err)
	}
	// Something appended after the seal.
	appended := append(bytes.Clone(pdf), []byte("\n1 0 obj\n<< >>\nendobj\n")...)
	if _, err := Open(context.Background(), appended, nil); !i18n.Is(err, "doc.not_intact") {
		t.Errorf("appended: %v", err)
	}
	// A second, intact seal over a later revision.
	twice, err := pdfseal.Seal(context.Background(), pdf, pdfseal.SealOptions{Signer: s.Key, Chain: s.Chain, Time: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), twice, nil); !i18n.Is(err, "doc.several_signatures") {
		t.Errorf("two seals: %v", err)
	}
	// With roots: trusted by its own PKI, not by another.
	roots := pki.RootPool()
	if _, err := Open(context.Background(), pdf, roots); err != nil {
		t.Errorf("own root: %v", err)
	}
	otherPKI, _ := testpki.New(time.Now())
	if _, err := Open(context.Background(), pdf, otherPKI.RootPool()); !i18n.Is(err, "doc.not_intact") {
		t.Errorf("other root: %v", err)
	}
	if got := i18n.Localize(i18n.NL, mustOpenErr(tampered)); !strings.HasPrefix(got, "de handtekening van deze PDF is niet in orde") && !strings.HasPrefix(got, "deze PDF kan niet worden gelezen") {
		t.Errorf("Dutch message %q", got)
	}
}

func mustOpenErr(pdf []byte) error {
	_, err := Open(context.Background(), pdf, nil)
	return err
}

func TestSignNeedsASigner(t *testing.T) {
	if _, err := Sign(context.Background(), Request{Document: document()}); !i18n.Is(err, "doc.no_signer") {
		t.Errorf("no signer: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s, _ := signer(t)
	if _, err := Sign(ctx, Request{Document: document(), Signer: s}); !i18n.Is(err, "err.context_canceled") {
		t.Errorf("cancelled: %v", err)
	}
}
