package app

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pkiodesk/app/audit"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/order"
	"pkiodesk/app/org"
	"pkiodesk/app/signeddoc"
	"pkiodesk/app/store"
	"pkiodesk/internal/fixture"
	"pkiodesk/internal/testca"
	"pkiodesk/pdfseal"
)

// testSigning is a signature key with its chain from a test CA, standing
// in for the card in app's tests (the window's tests sign with the
// SoftHSM card).
func testSigning(t testing.TB) order.Signing {
	t.Helper()
	ca := testca.New(t)
	c, key, err := ca.Leaf(testca.NoSources, func(c *x509.Certificate) {
		c.Subject = pkix.Name{CommonName: "Anouk Visser", SerialNumber: "PN-7", Organization: []string{"Gemeente Voorbeeldstad"}, Country: []string{"NL"}}
		c.KeyUsage = x509.KeyUsageContentCommitment
	})
	if err != nil {
		t.Fatal(err)
	}
	return order.Signing{Signer: signeddoc.Signer{Key: key, Chain: []*x509.Certificate{c, ca.Issuer, ca.Root}}, Login: c, Lang: i18n.NL}
}

// pdfsigValid checks a signed PDF the way someone without pkiodesk would:
// pdfsig verifies one PAdES signature over the whole file, qpdf finds no
// damage. It returns the page text (pdftotext).
func pdfsigValid(t *testing.T, pdf []byte) string {
	t.Helper()
	pdfsig, qpdf, pdftotext := fixture.Program(t, "pdfsig"), fixture.Program(t, "qpdf"), fixture.Program(t, "pdftotext")
	path := filepath.Join(t.TempDir(), "form.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command(pdfsig, path).CombinedOutput()
	for _, want := range []string{"Signature is Valid.", "Total document signed", "ETSI.CAdES.detached", "O=Gemeente Voorbeeldstad"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("pdfsig lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(string(out), "Signature #") != 1 {
		t.Errorf("not one signature:\n%s", out)
	}
	if out, err := exec.Command(qpdf, "--check", path).CombinedOutput(); err != nil {
		t.Errorf("qpdf --check: %v\n%s", err, out)
	}
	text, err := exec.Command(pdftotext, "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(text)
}

// A change form is signed through the one shared path: one PDF, sealed
// PAdES, that pdfsig accepts, with the change as JSON and the ID copy as
// attachments that pdfdetach extracts; pkiodesk reads it back only while
// the seal is intact.
func TestChangeFormSignedAsOnePAdESDocument(t *testing.T) {
	r := newRegister(t, filepath.Join(t.TempDir(), "db"), 1)
	r.a.KeepDocumentKeysInSession()
	ctx := context.Background()
	secret := idCopyBytes(t)
	d := contactsDraft()
	d.Sections = append(d.Sections, org.SectionBilling)
	d.Organisation, _ = r.a.Organisation(ctx)
	d.Organisation.BillingAddress = "Postbus 1\n1000 AA Voorbeeldstad"
	d.Organisation.BillingReference = "ICT-9999"
	ch, pdf, err := r.a.SubmitChange(ctx, r.people["cpa"], d, []IDCopy{{Contact: 0, Name: "paspoort.jpg", Data: secret}}, r.signing(t, r.people["cpa"]))
	if err != nil {
		t.Fatal(err)
	}
	if ch.State != org.ChangePending || !strings.HasPrefix(ch.Number, "WIJZ-") || ch.Document.Signer == "" {
		t.Errorf("kept %+v", ch)
	}
	if sum := sha256.Sum256(pdf); hex.EncodeToString(sum[:]) != ch.Document.SHA256 {
		t.Error("the kept change names another document")
	}
	text := pdfsigValid(t, pdf)
	for _, want := range []string{"Bevestiging wijzigingsformulier", ch.Number, "Sanne de Vries", "ICT-9999", "identiteitsbewijs-1.jpg", "Fatima El Amrani", ChangeAttachment} {
		if !strings.Contains(text, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// pdfdetach finds the change and the ID copy as they were signed.
	dir := t.TempDir()
	path := filepath.Join(dir, "form.pdf")
	os.WriteFile(path, pdf, 0o600)
	if out, err := exec.Command(fixture.Program(t, "pdfdetach"), "-saveall", "-o", dir, path).CombinedOutput(); err != nil {
		t.Fatalf("pdfdetach: %v %s", err, out)
	}
	content, err := os.ReadFile(filepath.Join(dir, ChangeAttachment))
	if err != nil {
		t.Fatal(err)
	}
	var attached org.Change
	if err := json.Unmarshal(content, &attached); err != nil || attached.Number != ch.Number || len(attached.Contacts) != 2 || attached.Organisation.BillingReference != "ICT-9999" {
		t.Fatalf("attached change %+v: %v", attached, err)
	}
	sum := sha256.Sum256(secret)
	if ref := attached.Contacts[0].IDCopy; ref == nil || ref.SHA256 != hex.EncodeToString(sum[:]) || bytes.Contains(content, secret[1024:1088]) {
		t.Errorf("the JSON names the ID copy wrongly or holds it: %+v", ref)
	}
	if copyFile, err := os.ReadFile(filepath.Join(dir, "identiteitsbewijs-1.jpg")); err != nil || !bytes.Equal(copyFile, secret) {
		t.Errorf("the ID copy is not attached as it was given: %v", err)
	}
	// pkiodesk's own way back verifies first.
	read, opened, err := r.a.ReadChangeDocument(ctx, pdf)
	if err != nil || read.Number != ch.Number || opened.Signer.Subject.CommonName != "Daan Meijer" {
		t.Fatalf("OpenChangeDocument: %+v %v", read, err)
	}
	bad := bytes.Clone(pdf)
	i := bytes.Index(bad, []byte("ICT-9999"))
	if i < 0 {
		i = len(bad) / 3
	}
	bad[i] ^= 0x01
	if _, _, err := r.a.ReadChangeDocument(ctx, bad); err == nil {
		t.Error("a changed PDF was read")
	}
	if _, _, err := r.a.ReadChangeDocument(ctx, []byte("%PDF-1.7\n")); !i18n.Is(err, "doc.unreadable") && !i18n.Is(err, "doc.not_signed") {
		t.Errorf("an unsigned PDF: %v", err)
	}
	// What the register keeps is what was signed.
	if kept, err := r.a.ChangeDocument(ctx, ch.Number); err != nil || !bytes.Equal(kept, pdf) {
		t.Errorf("kept document: %v", err)
	}
}

// Two new contacts' copies with the same file name are two attachments,
// each under a neutral name (a file's own name often holds the document
// number): identiteitsbewijs-1.jpg, identiteitsbewijs-2.jpg.
func TestIDCopiesWithTheSameName(t *testing.T) {
	r := newRegister(t, filepath.Join(t.TempDir(), "db"), 1)
	r.a.KeepDocumentKeysInSession()
	d := org.ChangeDraft{Sections: []org.Section{org.SectionContacts}, Contacts: []org.ContactChange{
		{Action: org.ContactAdd, Person: org.Person{Name: "Sanne de Vries", Email: "s.devries@voorbeeldstad.nl", Phone: "020 555 0110", Role: org.ContactpersoonBasis}},
		{Action: org.ContactAdd, Person: org.Person{Name: "Joris Bakker", Email: "j.bakker@voorbeeldstad.nl", Phone: "020 555 0111", Role: org.ContactpersoonBasis}},
	}}
	one, two := idCopyBytes(t), idCopyBytes(t)
	ch, pdf, err := r.a.SubmitChange(context.Background(), r.people["cpa"], d, []IDCopy{{Contact: 0, Name: "paspoort.jpg", Data: one}, {Contact: 1, Name: "paspoort.jpg", Data: two}}, r.signing(t, r.people["cpa"]))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(pdf, []byte("paspoort")) {
		t.Error("the copy's own file name is in the PDF")
	}
	if a, b := ch.Contacts[0].IDCopy.FileName, ch.Contacts[1].IDCopy.FileName; a != "identiteitsbewijs-1.jpg" || b != "identiteitsbewijs-2.jpg" {
		t.Errorf("names %q %q", a, b)
	}
	_, opened, err := r.a.ReadChangeDocument(context.Background(), pdf)
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := opened.Attachment("identiteitsbewijs-1.jpg"); !bytes.Equal(a, one) {
		t.Error("first copy")
	}
	if b, _ := opened.Attachment("identiteitsbewijs-2.jpg"); !bytes.Equal(b, two) {
		t.Error("second copy")
	}
}

// Signing follows the matrix and refuses what is not a signature key;
// nothing is kept then.
func TestSubmitChangeRefusals(t *testing.T) {
	r := newRegister(t, filepath.Join(t.TempDir(), "db"), 1)
	ctx := context.Background()
	sig := r.signing(t, r.people["cpa"])
	draft := org.ChangeDraft{Sections: []org.Section{org.SectionBilling}}
	draft.Organisation, _ = r.a.Organisation(ctx)
	draft.Organisation.BillingAttention = "t.a.v. de crediteurenadministratie"
	draft.Organisation.BillingAddress = "Postbus 1234\n1000 AB Voorbeeldstad"
	if _, _, err := r.a.SubmitChange(ctx, r.people["cpb"], draft, nil, sig); !i18n.Is(err, "org.denied.open-change-form") && !i18n.Is(err, "org.denied.change-billing") {
		t.Errorf("basic rights signed a change: %v", err)
	}
	if _, _, err := r.a.SubmitChange(ctx, r.people["cpa"], draft, nil, order.Signing{}); !i18n.Is(err, "doc.no_signer") {
		t.Errorf("no card: %v", err)
	}
	auth := sig
	c := *sig.Signer.Chain[0]
	c.KeyUsage = x509.KeyUsageDigitalSignature
	auth.Signer.Chain = append([]*x509.Certificate{&c}, sig.Signer.Chain[1:]...)
	if _, _, err := r.a.SubmitChange(ctx, r.people["cpa"], draft, nil, auth); !i18n.Is(err, "order.not_signature_key") {
		t.Errorf("an authentication key signed: %v", err)
	}
	// The card must be who signs: another person's card, or a signature
	// certificate of another holder than the login certificate, is refused.
	if _, _, err := r.a.SubmitChange(ctx, r.people["cpa"], draft, nil, r.signing(t, r.people["bv"])); !i18n.Is(err, "org.doc.card_not_who") {
		t.Errorf("signed with the BV's card for cpa: %v", err)
	}
	mixed := sig
	mixed.Login = r.signing(t, r.people["bv"]).Login
	if _, _, err := r.a.SubmitChange(ctx, r.people["bv"], draft, nil, mixed); !i18n.Is(err, "org.doc.card_not_who") {
		t.Errorf("cpa's signature key with the BV's login: %v", err)
	}
	if reg, _ := r.a.Register(ctx); len(reg.Changes) != 0 {
		t.Errorf("%d changes kept after refusals", len(reg.Changes))
	}
}

// The form for a new Bevoegd Vertegenwoordiger: the data of both, two
// signature blocks for the wet signatures, sealed with the card so that
// the printout can be checked later. The rendered page is looked at
// (make screenshots keeps it in docs/screenshots).
func TestBVFormPrintableAndSealed(t *testing.T) {
	r := newRegister(t, filepath.Join(t.TempDir(), "db"), 1)
	ctx := context.Background()
	d := org.ChangeDraft{Sections: []org.Section{org.SectionBV}, NewBV: &org.NewBV{
		Person:         org.Person{Name: "Mark Smit", Email: "m.smit@voorbeeldstad.nl", Phone: "020 555 0199", Function: "Gemeentesecretaris"},
		CurrentStaysAs: org.ContactpersoonAlle,
	}}
	ch, pdf, err := r.a.SubmitChange(ctx, r.people["bv"], d, nil, r.signing(t, r.people["bv"]))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ch.Number, "BV-") || ch.NewBV == nil || ch.NewBV.Current.Name != "Anouk Visser" {
		t.Fatalf("BV change %+v", ch)
	}
	text := pdfsigValid(t, pdf)
	for _, want := range []string{"Formulier wijziging Bevoegd Vertegenwoordiger", "met de hand ondertekend",
		"Anouk Visser", "a.visser@voorbeeldstad.nl", "Mark Smit", "m.smit@voorbeeldstad.nl", "020 555 0199", "Gemeentesecretaris",
		"Huidige Bevoegd Vertegenwoordiger: Anouk Visser", "Nieuwe Bevoegd Vertegenwoordiger: Mark Smit"} {
		if !strings.Contains(text, want) {
			t.Errorf("the BV form lacks %q:\n%s", want, text)
		}
	}
	if n := strings.Count(text, "Handtekening"); n < 2 {
		t.Errorf("%d signature blocks", n)
	}
	if n := strings.Count(text, "Plaats en datum"); n != 2 {
		t.Errorf("%d place-and-date lines, want 2", n)
	}
	if _, opened, err := r.a.ReadChangeDocument(ctx, pdf); err != nil || len(opened.Attachments) != 1 {
		t.Errorf("BV form attachments: %v", err)
	}
	// The pages as they print: the data of both on the first, the two
	// signature blocks on the last.
	dir := t.TempDir()
	path := filepath.Join(dir, "bv.pdf")
	os.WriteFile(path, pdf, 0o600)
	if o, err := exec.Command(fixture.Program(t, "pdftoppm"), "-png", "-r", "90", path, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, o)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page-*.png"))
	if len(pages) == 0 || len(pages) > 3 {
		t.Fatalf("%d pages", len(pages))
	}
	for i, name := range []string{"21-formulier-bv-afdruk", "22-formulier-bv-handtekeningen"} {
		png, err := os.ReadFile(pages[i*(len(pages)-1)])
		if err != nil || len(png) < 10000 {
			t.Fatalf("rendered page: %d bytes, %v", len(png), err)
		}
		if shots := os.Getenv("PKIODESK_SCREENSHOT_DIR"); shots != "" {
			if err := os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// An ID copy never reaches the database file, the journal, its head, an
// export or the CSV: after one change was signed, kept and confirmed and
// another signed, kept and cancelled, no file pkiodesk wrote holds its
// bytes (nor its marker), while the signed PDFs did carry them; the
// private files for the PDF viewer are gone with the changes.
func TestIDCopyNeverLeaks(t *testing.T) {
	work := t.TempDir()
	t.Setenv("TMPDIR", filepath.Join(work, "tmp"))
	os.MkdirAll(filepath.Join(work, "tmp"), 0o700)
	// The private folder for the viewer is made here too.
	t.Setenv("XDG_RUNTIME_DIR", filepath.Join(work, "run"))
	os.MkdirAll(filepath.Join(work, "run"), 0o700)
	path := filepath.Join(work, "data", "pkiodesk.db")
	os.MkdirAll(filepath.Dir(path), 0o700)
	r := newRegister(t, path, 2)
	r.a.KeepDocumentKeysInSession()
	ctx := context.Background()
	marker := make([]byte, 16)
	rand.Read(marker)
	mark := []byte("ID-KOPIE-" + hex.EncodeToString(marker))
	idCopy := func() []byte {
		b := idCopyBytes(t)
		copy(b[2048:], mark)
		return b
	}
	first, second := idCopy(), idCopy()
	copy(second[1024:1088], first[1024:1088]) // one probe for both
	sig := r.signing(t, r.people["cpa"])

	// Signed and kept, opened for the viewer, confirmed.
	a, pdfA, err := r.a.SubmitChange(ctx, r.people["cpa"], contactsDraft(), []IDCopy{{Contact: 0, Name: "paspoort.jpg", Data: first}}, sig)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(pdfA, mark) || leaks(pdfA, first) == "" {
		t.Fatal("the signed PDF does not carry the ID copy: this test would find nothing")
	}
	viewed, err := r.a.ChangeDocumentFile(ctx, a.Number, DocumentOpened)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.a.ConfirmChange(ctx, r.people["bv"], a.Number, "KPN-2026-7"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(viewed); !os.IsNotExist(err) {
		t.Errorf("the viewer's copy outlived the confirmation: %v", err)
	}
	// Signed and kept, then cancelled.
	d := org.ChangeDraft{Sections: []org.Section{org.SectionContacts}, Contacts: []org.ContactChange{
		{Action: org.ContactAdd, Person: org.Person{Name: "Joris Bakker", Email: "j.bakker@voorbeeldstad.nl", Phone: "020 555 0111", Role: org.ContactpersoonAlle}},
	}}
	b, _, err := r.a.SubmitChange(ctx, r.people["cpa"], d, []IDCopy{{Contact: 0, Name: "rijbewijs.jpg", Data: second}}, sig)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.a.ChangeDocumentFile(ctx, b.Number, DocumentPrinted); err != nil {
		t.Fatal(err)
	}
	if _, err := r.a.CancelChange(ctx, r.people["cpa"], b.Number, "verkeerde persoon"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.a.ChangeDocument(ctx, b.Number); !i18n.Is(err, "org.doc.removed") {
		t.Errorf("the cancelled change's document: %v", err)
	}

	// Every export there is: the overview's CSV, a person's report as CSV,
	// the journal's CSV.
	exports := filepath.Join(work, "exports")
	os.MkdirAll(exports, 0o700)
	var list bytes.Buffer
	if err := r.a.ExportCSV(ctx, &list, r.a.Inventory.Query(inventory.Query{Kind: cert.KindServer, Status: inventory.FilterAll}), inventory.CSVOptions{}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(exports, "lijst.csv"), list.Bytes(), 0o600)
	reg, _ := r.a.Register(ctx)
	for _, p := range reg.People {
		for _, rep := range PersonReports(p.Role) {
			v, err := r.a.Report(ctx, p.ID, rep, inventory.Query{Status: inventory.FilterAll})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := r.a.ExportCSV(ctx, &buf, v.View, inventory.CSVOptions{}); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(exports, "rapport-"+p.ID+"-"+string(rep.Kind)+".csv"), buf.Bytes(), 0o600)
		}
	}
	var journal bytes.Buffer
	if _, err := r.a.ExportJournal(ctx, &journal, audit.Filter{}, inventory.CSVOptions{}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(exports, "logboek.csv"), journal.Bytes(), 0o600)
	entries, _ := r.a.Journal.List(ctx, audit.Filter{})
	var done []string
	for _, e := range entries {
		if e.Object.ID == a.Number || e.Object.ID == b.Number {
			done = append(done, string(e.Action)+" "+e.Object.ID)
		}
	}
	if want := []string{"change-form " + a.Number, "change-pdf-opened " + a.Number, "change-confirmed " + a.Number, "change-form " + b.Number, "change-pdf-printed " + b.Number, "change-cancelled " + b.Number}; strings.Join(done, ",") != strings.Join(want, ",") {
		t.Errorf("journal %q, want %q", done, want)
	}
	if strings.Contains(journal.String(), "paspoort") || strings.Contains(journal.String(), "rijbewijs") {
		t.Error("the journal names an ID copy's original file")
	}
	if !strings.Contains(journal.String(), a.Number) || !strings.Contains(journal.String(), b.Number) {
		t.Error("the journal's CSV does not name the changes")
	}
	r.a.Close()

	// The database file, the journal's head beside it, the exports, the
	// temporary folder: nothing holds either copy.
	files := 0
	filepath.WalkDir(work, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		files++
		data, _ := os.ReadFile(p)
		if bytes.Contains(data, mark) {
			t.Errorf("%s holds the ID copy's marker", p)
		}
		if form := leaks(data, first); form != "" {
			t.Errorf("%s holds the ID copy (%s)", p, form)
		}
		if strings.HasSuffix(p, ".pdf") {
			t.Errorf("%s: a change's PDF was left behind", p)
		}
		return nil
	})
	if db, err := os.ReadFile(path); err != nil || len(db) == 0 || files < 4 {
		t.Fatalf("nothing to search: %d files, %v", files, err)
	}
}

// A change PDF is read only when everything about it is as pkiodesk signs
// it: each forgery below is sealed intact, and each is refused with why.
func TestReadChangeDocumentRefusesForgeries(t *testing.T) {
	r := newRegister(t, filepath.Join(t.TempDir(), "db"), 1)
	ctx := context.Background()
	reg, _ := r.a.Register(ctx)
	snap := org.Snapshot{Organisation: reg.Organisation, People: reg.People}
	idCopy := idCopyBytes(t)
	sum := sha256.Sum256(idCopy)
	genuine := func() org.Change {
		return org.Change{Number: "WIJZ-20260101-ABCDEF", Sections: []org.Section{org.SectionContacts}, State: org.ChangePending, Created: time.Now().UTC(),
			By: org.Signatory{PersonID: "cpa", Name: "Daan Meijer", Role: org.ContactpersoonAlle},
			Contacts: []org.ContactChange{{Action: org.ContactAdd, Person: org.Person{ID: "n1", Name: "Sanne de Vries", Email: "s@voorbeeldstad.nl", Role: org.ContactpersoonAlle, Active: true},
				IDCopy: &org.IDCopyRef{FileName: "identiteitsbewijs-1.jpg", MediaType: "image/jpeg", Size: len(idCopy), SHA256: hex.EncodeToString(sum[:])}}}}
	}
	type forgery struct {
		ch        org.Change
		js        []byte // the JSON as attached; nil: canonical
		number    string // on the page; "": the change's
		reason    string // of the seal; "": the change's
		copies    []pdfseal.Attachment
		sig       order.Signing
		noPageSum bool
	}
	seal := func(f forgery) []byte {
		t.Helper()
		js := f.js
		if js == nil {
			js, _ = json.MarshalIndent(f.ch, "", "  ")
		}
		hash := store.ContentHash(js)
		if f.noPageSum {
			hash = strings.Repeat("0", 64)
		}
		shown := f.ch
		if f.number != "" {
			shown.Number = f.number
		}
		if f.reason == "" {
			f.reason = f.ch.Number
		}
		if f.copies == nil {
			f.copies = []pdfseal.Attachment{{Name: "identiteitsbewijs-1.jpg", Data: idCopy}}
		}
		if f.sig.Signer.Key == nil {
			f.sig = r.signing(t, r.people["cpa"])
		}
		doc := changeDocument(shown, snap, f.sig.Login, hash, i18n.NL)
		doc.Attachments = append([]pdfseal.Attachment{{Name: ChangeAttachment, Data: js}}, f.copies...)
		pdf, err := signeddoc.Sign(ctx, signeddoc.Request{Document: doc, Signer: f.sig.Signer, Time: f.ch.Created, Reason: f.reason})
		if err != nil {
			t.Fatal(err)
		}
		return pdf
	}
	if ch, _, err := r.a.ReadChangeDocument(ctx, seal(forgery{ch: genuine()})); err != nil || ch.Number != "WIJZ-20260101-ABCDEF" {
		t.Fatalf("the genuine one: %v", err)
	}
	// A key of its own, self-signed: intact, signer not trusted.
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Mallory", SerialNumber: "PN-cpa"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageContentCommitment}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	self, _ := x509.ParseCertificate(der)
	untrusted := order.Signing{Signer: signeddoc.Signer{Key: key, Chain: []*x509.Certificate{self}}, Login: self}
	_, _, err := r.a.ReadChangeDocument(ctx, seal(forgery{ch: genuine(), sig: untrusted}))
	if !i18n.Is(err, "order.signer_untrusted") || !strings.Contains(i18n.Localize(i18n.NL, err), "integriteit in orde, ondertekenaar niet vertrouwd") {
		t.Errorf("self-signed: %v", err)
	}
	if _, _, err := OpenChangeDocument(ctx, seal(forgery{ch: genuine()}), order.ReadOptions{}); !i18n.Is(err, "order.signer_untrusted") {
		t.Errorf("without a trust store: %v", err)
	}
	confirmed := genuine()
	confirmed.State = org.ChangeConfirmed
	byBV := genuine()
	byBV.By = org.Signatory{PersonID: r.people["bv"].ID, Name: "Anouk Visser", Role: org.BevoegdVertegenwoordiger}
	canonical, _ := json.MarshalIndent(genuine(), "", "  ")
	for name, c := range map[string]struct {
		f    forgery
		want string
	}{
		"confirmed in the JSON":    {forgery{ch: confirmed}, "org.doc.not_pending"},
		"unknown field":            {forgery{ch: genuine(), js: append([]byte(`{"Extra":1,`), canonical[1:]...)}, "org.doc.no_change"},
		"not canonical":            {forgery{ch: genuine(), js: append(bytes.Clone(canonical), ' ')}, "org.doc.no_change"},
		"seal reason differs":      {forgery{ch: genuine(), reason: "WIJZ-20260101-FFFFFF"}, "org.doc.reason_differs"},
		"page number differs":      {forgery{ch: genuine(), number: "WIJZ-20260101-FFFFFF"}, "org.doc.page_differs"},
		"page hash differs":        {forgery{ch: genuine(), noPageSum: true}, "org.doc.page_differs"},
		"copy differs":             {forgery{ch: genuine(), copies: []pdfseal.Attachment{{Name: "identiteitsbewijs-1.jpg", Data: idCopyBytes(t)}}}, "org.doc.id_copy_differs"},
		"copy missing":             {forgery{ch: genuine(), copies: []pdfseal.Attachment{}}, "org.doc.id_copy_differs"},
		"extra attachment":         {forgery{ch: genuine(), copies: []pdfseal.Attachment{{Name: "identiteitsbewijs-1.jpg", Data: idCopy}, {Name: "x.jpg", Data: idCopy}}}, "order.show_extra_attachment"},
		"signed by someone else":   {forgery{ch: byBV}, "org.doc.signer_not_by"},
		"signer not the one named": {forgery{ch: genuine(), sig: r.signing(t, r.people["cpb"])}, "org.doc.signer_not_by"},
	} {
		if _, _, err := r.a.ReadChangeDocument(ctx, seal(c.f)); !i18n.Is(err, c.want) {
			t.Errorf("%s: %v, want %s", name, err, c.want)
		}
	}
}
