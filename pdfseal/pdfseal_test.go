package pdfseal

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ThalesIgnite/crypto11"

	"pkiodesk/internal/fixture"
	"pkiodesk/pdfseal/internal/cos"
	"pkiodesk/smartcard/softhsm"
)

// tokenFixture is a SoftHSM token with an RSA-2048 and an EC P-256 key,
// made once for this test binary.
type tokenFixture struct {
	pki      *testPKI
	ctx      *crypto11.Context
	rsa, ec  crypto.Signer
	rsaChain []*x509.Certificate
	ecChain  []*x509.Certificate
	err      error
}

var token tokenFixture // set up once in TestMain, read-only afterwards

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pdfseal-softhsm-")
	if err != nil {
		panic(err)
	}
	token = setupToken(dir)
	code := m.Run()
	if token.ctx != nil {
		token.ctx.Close()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

func setupToken(dir string) tokenFixture {
	var f tokenFixture
	conf, err := softhsm.WriteConfig(dir)
	if err != nil {
		return tokenFixture{err: err}
	}
	os.Setenv("SOFTHSM2_CONF", conf)
	tok, err := softhsm.InitToken(context.Background(), conf, "pdfseal", "87654321", "123456")
	if err != nil {
		return tokenFixture{err: err}
	}
	f.pki = newTestPKI(&testing.B{})
	issue := func(cn string) softhsm.Issue {
		return func(pub crypto.PublicKey) (*x509.Certificate, error) { return f.pki.issue(&testing.B{}, pub, cn), nil }
	}
	rsaCert, err := tok.AddKey([]byte{1}, "zegel-rsa", softhsm.RSA2048, issue("Gemeente Voorbeeldstad eSeal RSA"))
	if err != nil {
		return tokenFixture{err: err}
	}
	ecCert, err := tok.AddKey([]byte{2}, "zegel-ec", softhsm.ECP256, issue("Gemeente Voorbeeldstad eSeal EC"))
	if err != nil {
		return tokenFixture{err: err}
	}
	f.ctx, err = crypto11.Configure(&crypto11.Config{Path: tok.Module, TokenLabel: tok.Label, Pin: tok.PIN})
	if err != nil {
		return tokenFixture{err: err}
	}
	if f.rsa, err = f.ctx.FindKeyPair([]byte{1}, nil); err != nil || f.rsa == nil {
		return tokenFixture{err: fmt.Errorf("RSA key: %v", err)}
	}
	if f.ec, err = f.ctx.FindKeyPair([]byte{2}, nil); err != nil || f.ec == nil {
		return tokenFixture{err: fmt.Errorf("EC key: %v", err)}
	}
	f.rsaChain, f.ecChain = f.pki.chain(rsaCert), f.pki.chain(ecCert)
	return f
}

func needToken(t testing.TB) *tokenFixture {
	t.Helper()
	if token.err != nil {
		fixture.Missing(t, "SoftHSM token: %v", token.err)
	}
	return &token
}

// nssTrusting makes an NSS database that trusts the test root, for pdfsig.
func nssTrusting(t testing.TB, root *x509.Certificate) string {
	t.Helper()
	certutil := fixture.Program(t, "certutil")
	dir := t.TempDir()
	rootFile := filepath.Join(dir, "root.pem")
	os.WriteFile(rootFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.Raw}), 0o600)
	for _, args := range [][]string{
		{"-N", "-d", "sql:" + dir, "--empty-password"},
		{"-A", "-d", "sql:" + dir, "-n", "Root", "-t", "CT,C,C", "-i", rootFile},
	} {
		if out, err := exec.Command(certutil, args...).CombinedOutput(); err != nil {
			t.Fatalf("certutil %v: %v %s", args, err, out)
		}
	}
	return "sql:" + dir
}

type pdfsigResult struct {
	out        string
	signatures []string // output per signature
}

func pdfsig(t testing.TB, nss string, data []byte) pdfsigResult {
	t.Helper()
	bin := fixture.Program(t, "pdfsig")
	f := filepath.Join(t.TempDir(), "doc.pdf")
	os.WriteFile(f, data, 0o600)
	args := []string{f}
	if nss != "" {
		args = []string{"-nssdir", nss, f}
	}
	out, _ := exec.Command(bin, args...).CombinedOutput() // exits 0 even on a mismatch
	parts := strings.Split(string(out), "Signature #")
	return pdfsigResult{out: string(out), signatures: parts[1:]}
}

func qpdfCheck(t testing.TB, data []byte) {
	t.Helper()
	bin := fixture.Program(t, "qpdf")
	f := filepath.Join(t.TempDir(), "doc.pdf")
	os.WriteFile(f, data, 0o600)
	if out, err := exec.Command(bin, "--check", f).CombinedOutput(); err != nil {
		t.Errorf("qpdf --check: %v\n%s", err, out)
	}
}

func pagesRendered(t testing.TB, data []byte) int {
	t.Helper()
	bin := fixture.Program(t, "pdftoppm")
	dir := t.TempDir()
	f := filepath.Join(dir, "doc.pdf")
	os.WriteFile(f, data, 0o600)
	if out, err := exec.Command(bin, "-png", "-r", "30", f, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	pngs, _ := filepath.Glob(filepath.Join(dir, "p*.png"))
	return len(pngs)
}

func rootPool(c *x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(c)
	return p
}

func TestSealEveryDocumentWithSoftHSM(t *testing.T) {
	ctx := t.Context()
	tok := needToken(t)
	nss := nssTrusting(t, tok.pki.Root)
	type signer struct {
		name  string
		key   crypto.Signer
		chain []*x509.Certificate
		pss   bool
	}
	signers := []signer{{"RSA PKCS#1 v1.5", tok.rsa, tok.rsaChain, false}, {"RSA-PSS", tok.rsa, tok.rsaChain, true}, {"ECDSA P-256", tok.ec, tok.ecChain, false}}
	kinds := []DocumentKind{OrderNew, OrderRenew, OrderRevoke, ChangeForm, BVForm}
	for i, kind := range kinds {
		for j, s := range signers {
			if j != i%len(signers) && kind != OrderNew {
				continue // every kind once, every algorithm on the new order
			}
			t.Run(string(kind)+"/"+s.name, func(t *testing.T) {
				doc, err := Draw(sampleDocument(kind))
				if err != nil {
					t.Fatal(err)
				}
				sealed, err := Seal(ctx, doc, SealOptions{Signer: s.key, Chain: s.chain, Time: testNow, Reason: "Bestelling", RSAPSS: s.pss, Visible: kind == OrderNew})
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.HasPrefix(sealed, doc) {
					t.Error("the seal is not an incremental update: original bytes changed")
				}
				res := pdfsig(t, nss, sealed)
				for _, want := range []string{"Signature is Valid.", "Total document signed", "Signature Type: ETSI.CAdES.detached", "Certificate is Trusted.", "Signing Hash Algorithm: SHA-256"} {
					if !strings.Contains(res.out, want) {
						t.Errorf("pdfsig lacks %q:\n%s", want, res.out)
					}
				}
				qpdfCheck(t, sealed)
				rep, err := Verify(ctx, sealed, VerifyOptions{Roots: rootPool(tok.pki.Root), Now: testClock})
				if err != nil || !rep.OK() || len(rep.Signatures) != 1 || len(rep.Signatures[0].Problems) != 0 {
					t.Errorf("Verify: %+v %v", rep, err)
				}
				if n := pagesRendered(t, sealed); n < 1 {
					t.Error("no page rendered")
				}
			})
		}
	}
}

func TestOneByteChangeIsDetected(t *testing.T) {
	ctx := t.Context()
	tok := needToken(t)
	doc, _ := Draw(sampleDocument(OrderRevoke))
	sealed, err := Seal(ctx, doc, SealOptions{Signer: tok.rsa, Chain: tok.rsaChain, Time: testNow, Reason: "Intrekken"})
	if err != nil {
		t.Fatal(err)
	}
	reason := bytes.LastIndex(sealed, []byte("/Reason <FEFF")) + len("/Reason <FEFF") + 2
	positions := map[string]int{
		"first range, early":      40,
		"first range, in streams": len(doc) / 2,
		"second range, /Reason":   reason,
	}
	for name, pos := range positions {
		t.Run(name, func(t *testing.T) {
			bad := bytes.Clone(sealed)
			switch c := bad[pos]; {
			case c >= '0' && c <= '8', c >= 'A' && c <= 'E', c >= 'a' && c <= 'y':
				bad[pos] = c + 1
			default:
				bad[pos] = c - 1
			}
			if res := pdfsig(t, "", bad); !strings.Contains(res.out, "Digest Mismatch") {
				t.Errorf("pdfsig does not report the change at %d:\n%s", pos, res.out)
			}
			rep, err := Verify(ctx, bad, VerifyOptions{Now: testClock})
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if rep.OK() || rep.Signatures[0].Intact {
				t.Errorf("Verify missed the change at %d: %+v", pos, rep.Signatures[0])
			}
		})
	}
}

// appendUpdate appends an incremental update made by edit, as an editor
// that saves a changed document would.
func appendUpdate(t testing.TB, data []byte, edit func(u *update)) []byte {
	t.Helper()
	f, err := openPDF(context.Background(), data, "pdf.err.encrypted_seal")
	if err != nil {
		t.Fatal(err)
	}
	u, err := newUpdate(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	edit(u)
	out, err := u.write()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestUpdateAfterSealingIsReported(t *testing.T) {
	ctx := t.Context()
	tok := needToken(t)
	doc, _ := Draw(sampleDocument(ChangeForm))
	sealed, err := Seal(ctx, doc, SealOptions{Signer: tok.ec, Chain: tok.ecChain, Time: testNow})
	if err != nil {
		t.Fatal(err)
	}
	changed := appendUpdate(t, sealed, func(u *update) { u.put(u.alloc(), cos.String{Value: []byte("later change")}) })
	if res := pdfsig(t, "", changed); !strings.Contains(res.out, "Not total document signed") || !strings.Contains(res.out, "Signature is Valid.") {
		t.Errorf("pdfsig:\n%s", res.out)
	}
	rep, err := Verify(ctx, changed, VerifyOptions{Now: testClock})
	if err != nil || rep.OK() || !rep.Signatures[0].Intact || rep.Signatures[0].CoversWholeDocument {
		t.Errorf("Verify: %+v %v", rep, err)
	}
}

func TestSecondSealKeepsTheFirstValid(t *testing.T) {
	ctx := t.Context()
	tok := needToken(t)
	nss := nssTrusting(t, tok.pki.Root)
	doc, _ := Draw(sampleDocument(BVForm))
	once, err := Seal(ctx, doc, SealOptions{Signer: tok.rsa, Chain: tok.rsaChain, Time: testNow, Visible: true})
	if err != nil {
		t.Fatal(err)
	}
	twice, err := Seal(ctx, once, SealOptions{Signer: tok.ec, Chain: tok.ecChain, Time: testNow.Add(3600e9), Visible: true})
	if err != nil {
		t.Fatal(err)
	}
	res := pdfsig(t, nss, twice)
	if len(res.signatures) != 2 {
		t.Fatalf("pdfsig found %d signatures:\n%s", len(res.signatures), res.out)
	}
	for i, s := range res.signatures {
		if !strings.Contains(s, "Signature is Valid.") {
			t.Errorf("signature %d not valid:\n%s", i+1, s)
		}
	}
	if !strings.Contains(res.out, "Not total document signed") || !strings.Contains(res.out, "Total document signed") {
		t.Errorf("coverage:\n%s", res.out)
	}
	qpdfCheck(t, twice)
	rep, err := Verify(ctx, twice, VerifyOptions{Roots: rootPool(tok.pki.Root), Now: testClock})
	if err != nil || !rep.OK() || len(rep.Signatures) != 2 || rep.Signatures[0].CoversWholeDocument || !rep.Signatures[1].CoversWholeDocument {
		t.Errorf("Verify: %+v %v", rep, err)
	}
	if rep.Signatures[0].Signer.Subject.CommonName != "Gemeente Voorbeeldstad eSeal RSA" {
		t.Errorf("oldest signer %s", rep.Signatures[0].Signer.Subject.CommonName)
	}
}

// PDFs from other producers: cross-reference streams and object streams
// (qpdf), and cairo's writer (pdftocairo).
func TestSealForeignPDFs(t *testing.T) {
	ctx := t.Context()
	tok := needToken(t)
	doc, _ := Draw(sampleDocument(OrderNew))
	dir := t.TempDir()
	src := filepath.Join(dir, "src.pdf")
	os.WriteFile(src, doc, 0o600)
	producers := map[string][]string{
		"qpdf object streams": {fixture.Program(t, "qpdf"), "--object-streams=generate", src, filepath.Join(dir, "qpdf.pdf")},
		"pdftocairo":          {fixture.Program(t, "pdftocairo"), "-pdf", src, filepath.Join(dir, "cairo.pdf")},
	}
	for name, cmd := range producers {
		t.Run(name, func(t *testing.T) {
			if out, err := exec.Command(cmd[0], cmd[1:]...).CombinedOutput(); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			foreign, _ := os.ReadFile(cmd[len(cmd)-1])
			sealed, err := Seal(ctx, foreign, SealOptions{Signer: tok.rsa, Chain: tok.rsaChain, Time: testNow, Visible: true})
			if err != nil {
				t.Fatal(err)
			}
			res := pdfsig(t, "", sealed)
			if !strings.Contains(res.out, "Signature is Valid.") || !strings.Contains(res.out, "Total document signed") {
				t.Errorf("pdfsig:\n%s", res.out)
			}
			qpdfCheck(t, sealed)
			if rep, err := Verify(ctx, sealed, VerifyOptions{Now: testClock}); err != nil || !rep.OK() {
				t.Errorf("Verify: %+v %v", rep, err)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	ctx := t.Context()
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	pki := newTestPKI(t)
	chain := pki.chain(pki.issue(t, key.Public(), "x"))
	for name, data := range map[string][]byte{
		"empty":     nil,
		"garbage":   []byte("dit is geen pdf"),
		"truncated": func() []byte { d, _ := Draw(sampleDocument(OrderNew)); return d[:len(d)/2] }(),
	} {
		if _, err := Seal(ctx, data, SealOptions{Signer: key, Chain: chain}); err == nil {
			t.Errorf("Seal(%s) succeeded", name)
		}
		if _, err := Verify(ctx, data, VerifyOptions{Now: testClock}); err == nil {
			t.Errorf("Verify(%s) succeeded", name)
		}
	}
	doc, _ := Draw(sampleDocument(OrderNew))
	if _, err := Verify(ctx, doc, VerifyOptions{Now: testClock}); err != ErrNoSignatures {
		t.Errorf("unsigned: %v", err)
	}
	if _, err := Seal(ctx, doc, SealOptions{}); err == nil {
		t.Error("sealed without a signer")
	}
	// An encrypted PDF is refused, not sealed into something unreadable.
	qpdf := fixture.Program(t, "qpdf")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.pdf"), doc, 0o600)
	if out, err := exec.Command(qpdf, "--encrypt", "u", "o", "256", "--", filepath.Join(dir, "a.pdf"), filepath.Join(dir, "e.pdf")).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --encrypt: %v %s", err, out)
	}
	enc, _ := os.ReadFile(filepath.Join(dir, "e.pdf"))
	if _, err := Seal(ctx, enc, SealOptions{Signer: key, Chain: chain}); err == nil {
		t.Error("sealed an encrypted PDF")
	}
}

func FuzzParseCMS(f *testing.F) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	pki := newTestPKI(f)
	cms, err := buildCMS(make([]byte, 32), key, pki.chain(pki.issue(f, key.Public(), "fuzz")), cmsOptions{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(cms)
	f.Fuzz(func(t *testing.T, data []byte) {
		if p, err := parseCMS(data); err == nil {
			_ = p.verifySignature()
		}
	})
}

// BenchmarkDrawAndSealSoftHSM: target < 50 ms per confirmation, file < 100 KB.
func BenchmarkDrawAndSealSoftHSM(b *testing.B) {
	ctx := b.Context()
	tok := needToken(b)
	var size int
	for i := 0; i < b.N; i++ {
		doc, err := Draw(sampleDocument(OrderNew))
		if err != nil {
			b.Fatal(err)
		}
		sealed, err := Seal(ctx, doc, SealOptions{Signer: tok.rsa, Chain: tok.rsaChain, Time: testNow, Visible: true})
		if err != nil {
			b.Fatal(err)
		}
		size = len(sealed)
	}
	b.ReportMetric(float64(size), "bytes/file")
	if size > 100*1024 {
		b.Errorf("sealed confirmation is %d bytes, target < 100 KB", size)
	}
}

// BenchmarkVerifyTwoSeals: target < 50 ms for a confirmation sealed twice
// (parse every revision, compare them, check both CMS).
func BenchmarkVerifyTwoSeals(b *testing.B) {
	a := newSoftSigner(b, "Bench Zegel")
	doc := sealDoc(b, sealDoc(b, drawDoc(b, OrderNew), a, true, sealInternals{}), a, true, sealInternals{})
	opt := VerifyOptions{Roots: a.roots(), Now: testClock}
	for b.Loop() {
		if rep, err := Verify(b.Context(), doc, opt); err != nil || !rep.OK() {
			b.Fatal(err)
		}
	}
}
