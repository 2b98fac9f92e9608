package cli

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"pkiodesk/internal/fixture"
	"pkiodesk/internal/testpki"
	"pkiodesk/pdfseal"
)

// sealFiles is a document to seal and a software key with its
// certificate and chain, in a temporary folder.
type sealFiles struct {
	dir, in, key, cert, chain, roots string
}

func newSealFiles(t *testing.T) sealFiles {
	t.Helper()
	dir := t.TempDir()
	doc, err := pdfseal.Draw(pdfseal.Document{Kind: pdfseal.OrderNew, Number: "T-2", Created: testNow, Organisation: "Gemeente Voorbeeldstad"})
	if err != nil {
		t.Fatal(err)
	}
	pki, err := testpki.New(testNow)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf, err := pki.Seal(key.Public(), "Gemeente Voorbeeldstad eSeal", "Gemeente Voorbeeldstad", "00000099123456789000", "NTRNL-12345678")
	if err != nil {
		t.Fatal(err)
	}
	f := sealFiles{dir: dir, in: filepath.Join(dir, "in.pdf"), key: filepath.Join(dir, "key.pem"), cert: filepath.Join(dir, "cert.pem"),
		chain: filepath.Join(dir, "chain.pem"), roots: filepath.Join(dir, "roots.pem")}
	os.WriteFile(f.in, doc, 0o644)
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	writePEM(t, f.key, "PRIVATE KEY", der)
	writePEM(t, f.cert, "CERTIFICATE", leaf.Raw)
	writePEM(t, f.chain, "CERTIFICATE", pki.Issuer.Raw)
	writePEM(t, f.roots, "CERTIFICATE", pki.Root.Raw)
	return f
}

func (f sealFiles) keyArgs() []string {
	return []string{"--key", f.key, "--cert", f.cert, "--chain", f.chain}
}

// Defect 9: --out never silently replaces the input.
func TestSealOutputIsNotTheInput(t *testing.T) {
	f := newSealFiles(t)
	orig, _ := os.ReadFile(f.in)
	link := filepath.Join(f.dir, "link.pdf")
	os.Symlink(f.in, link)
	for _, out := range []string{f.in, filepath.Join(f.dir, ".", "in.pdf"), link} {
		r := run(t, "nl", append([]string{"seal", f.in, "--out", out}, f.keyArgs()...)...)
		if r.code != 2 || !strings.Contains(r.stderr, "--out is dezelfde PDF als de invoer; gebruik --in-place") {
			t.Errorf("--out %s: %d %s", out, r.code, r.stderr)
		}
		if now, _ := os.ReadFile(f.in); !bytes.Equal(now, orig) {
			t.Fatal("the input changed")
		}
	}
	r := run(t, "en", append([]string{"seal", f.in, "--in-place"}, f.keyArgs()...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "Sealed: "+f.in) {
		t.Fatalf("--in-place: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, "en", "verify-pdf", f.in, "--roots", f.roots); r.code != 0 {
		t.Errorf("verify after --in-place: %d %s", r.code, r.stdout)
	}
}

// --out never replaces what is not a regular file: a FIFO, a device node or
// a folder is refused before anything is signed, a symbolic link is
// followed (the link stays, the file it names gets the sealed PDF) and a
// link to nothing is refused.
func TestSealOutputTargets(t *testing.T) {
	f := newSealFiles(t)
	seal := func(out string) result {
		done := make(chan result, 1)
		go func() { done <- run(t, "nl", append([]string{"seal", f.in, "--out", out}, f.keyArgs()...)...) }()
		select {
		case r := <-done:
			return r
		case <-time.After(20 * time.Second):
			t.Fatalf("seal --out %s hangs", out)
			return result{}
		}
	}
	fifo := filepath.Join(f.dir, "pijp.pdf")
	if err := mkfifo(fifo); err == nil {
		if r := seal(fifo); r.code != 2 || !strings.Contains(r.stderr, "FIFO") {
			t.Errorf("FIFO: %d %s", r.code, r.stderr)
		}
		if fi, _ := os.Lstat(fifo); fi.Mode()&os.ModeNamedPipe == 0 {
			t.Error("the FIFO was replaced by a file")
		}
	}
	if os.Geteuid() == 0 {
		// A device node of our own (the null device), never the system's.
		dev := filepath.Join(f.dir, "null")
		if err := mknodNull(dev); err == nil {
			if r := seal(dev); r.code != 2 || !strings.Contains(r.stderr, "apparaat") {
				t.Errorf("device: %d %s", r.code, r.stderr)
			}
			if fi, _ := os.Lstat(dev); fi.Mode()&os.ModeCharDevice == 0 {
				t.Error("the device node was replaced by a file")
			}
		}
	}
	folder := filepath.Join(f.dir, "map")
	os.Mkdir(folder, 0o700)
	if r := seal(folder); r.code != 2 || !strings.Contains(r.stderr, "is een map") {
		t.Errorf("folder: %d %s", r.code, r.stderr)
	}
	target := filepath.Join(f.dir, "oud.pdf")
	os.WriteFile(target, []byte("oud"), 0o640)
	link := filepath.Join(f.dir, "link.pdf")
	os.Symlink(target, link)
	if r := seal(link); r.code != 0 {
		t.Fatalf("link: %d %s", r.code, r.stderr)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the symbolic link was replaced by a file")
	}
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o640 {
		t.Errorf("the link's target lost its permissions: %v", fi.Mode())
	}
	if r := run(t, "en", "verify-pdf", target, "--roots", f.roots); r.code != 0 {
		t.Errorf("the sealed PDF behind the link: %d %s", r.code, r.stdout)
	}
	dangling := filepath.Join(f.dir, "los.pdf")
	os.Symlink(filepath.Join(f.dir, "weg", "x.pdf"), dangling)
	if r := seal(dangling); r.code != 2 || !strings.Contains(r.stderr, "symbolische link naar iets dat niet bestaat") {
		t.Errorf("dangling link: %d %s", r.code, r.stderr)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(f.dir, ".pkiodesk-*")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestSealAndVerifyMessages(t *testing.T) {
	f := newSealFiles(t)
	missing := filepath.Join(f.dir, "bestaat-niet", "uit.pdf")
	r := run(t, "nl", append([]string{"seal", f.in, "--out", missing}, f.keyArgs()...)...)
	if r.code != 2 || !strings.Contains(r.stderr, "map "+filepath.Dir(missing)+" bestaat niet") || strings.Contains(r.stderr, "CSV") {
		t.Errorf("missing folder: %d %s", r.code, r.stderr)
	}
	big := filepath.Join(f.dir, "groot.pdf")
	bf, _ := os.Create(big)
	bf.WriteString("%PDF-1.7\n")
	bf.Truncate(70 << 20)
	bf.Close()
	for _, args := range [][]string{append([]string{"seal", big, "--out", filepath.Join(f.dir, "o.pdf")}, f.keyArgs()...), {"verify-pdf", big}} {
		r := run(t, "nl", args...)
		if r.code != 2 || !strings.Contains(r.stderr, "PDF is te groot (meer dan 64 MiB)") || strings.Contains(r.stderr, "certificaat") {
			t.Errorf("%s of 70 MB: %d %s", args[0], r.code, r.stderr)
		}
	}
	// A damaged PDF: a short message, no dump of its bytes.
	doc, _ := os.ReadFile(f.in)
	junk := bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef, '<', '>'}, 3000)
	damaged := filepath.Join(f.dir, "kapot.pdf")
	os.WriteFile(damaged, append(append(bytes.Clone(doc[:300]), junk...), doc[300:]...), 0o600)
	for _, args := range [][]string{append([]string{"seal", damaged, "--out", filepath.Join(f.dir, "o.pdf")}, f.keyArgs()...), {"verify-pdf", damaged}} {
		r := run(t, "nl", args...)
		if r.code != 2 || !strings.Contains(r.stderr, "PDF is beschadigd") || len(r.stderr) > 300 || regexp.MustCompile(`[0-9a-fA-F]{32}`).MatchString(r.stderr) {
			t.Errorf("%s of a damaged PDF: %d %q", args[0], r.code, r.stderr)
		}
	}
	// Encrypted.
	if qpdf := fixture.Program(t, "qpdf"); qpdf != "" {
		enc := filepath.Join(f.dir, "versleuteld.pdf")
		if out, err := exec.Command(qpdf, "--encrypt", "u", "o", "256", "--", f.in, enc).CombinedOutput(); err != nil {
			t.Fatalf("qpdf: %v %s", err, out)
		}
		r := run(t, "en", append([]string{"seal", enc, "--out", filepath.Join(f.dir, "o.pdf")}, f.keyArgs()...)...)
		if r.code != 2 || !strings.Contains(r.stderr, "encrypted PDFs cannot be sealed") {
			t.Errorf("encrypted: %d %s", r.code, r.stderr)
		}
	}
	// The report says at what time the certificates were checked, and
	// that the claimed time is not proven.
	out := filepath.Join(f.dir, "verzegeld.pdf")
	if r := run(t, "nl", append([]string{"seal", f.in, "--out", out}, f.keyArgs()...)...); r.code != 0 {
		t.Fatalf("seal: %s", r.stderr)
	}
	r = run(t, "nl", "verify-pdf", out, "--roots", f.roots)
	for _, want := range []string{"Opgegeven tijd (niet bewezen): 2026-11-23T12:00:00Z", "Gecontroleerd op: 2026-11-23T12:00:00Z (huidige tijd: geen vertrouwd tijdstempel)", "Intact: ja", "Vertrouwd: ja", "Resultaat: in orde"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("verify-pdf lacks %q:\n%s", want, r.stdout)
		}
	}
	// Sealed again with another certificate after a page changed: the
	// first seal is reported as changed after signing.
	g := newSealFiles(t)
	sealed, _ := os.ReadFile(out)
	page := regexp.MustCompile(`(?m)^3 0 obj\n(<<[^>]*>>)`).FindSubmatch(sealed)
	if page == nil {
		t.Fatal("page 3 0 obj not found")
	}
	xref := bytes.LastIndex(sealed, []byte("\nxref\n")) + 1
	var upd bytes.Buffer
	upd.Write(sealed)
	at := upd.Len()
	upd.WriteString("3 0 obj\n" + strings.Replace(string(page[1]), "/Contents 4 0 R", "/Contents 4 0 R /Rotate 90", 1) + "\nendobj\n")
	x := upd.Len()
	fmt.Fprintf(&upd, "xref\n3 1\n%010d 00000 n\r\ntrailer\n<< /Size 40 /Root 20 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", at, xref, x)
	turned := filepath.Join(f.dir, "gedraaid.pdf")
	os.WriteFile(turned, upd.Bytes(), 0o600)
	again := filepath.Join(f.dir, "opnieuw.pdf")
	if r := run(t, "nl", append([]string{"seal", turned, "--out", again}, g.keyArgs()...)...); r.code != 0 {
		t.Fatalf("seal again: %s", r.stderr)
	}
	r = run(t, "nl", "verify-pdf", again)
	if r.code != 1 || !strings.Contains(r.stdout, "! gewijzigd na ondertekening: pagina 1") || !strings.Contains(r.stdout, "Resultaat: NIET in orde") {
		t.Errorf("changed and sealed again: %d\n%s", r.code, r.stdout)
	}
}

// Ctrl-C (a cancelled context) stops verify-pdf with "afgebroken".
func TestVerifyPDFCancelled(t *testing.T) {
	f := newSealFiles(t)
	out := filepath.Join(f.dir, "verzegeld.pdf")
	if r := run(t, "nl", append([]string{"seal", f.in, "--out", out}, f.keyArgs()...)...); r.code != 0 {
		t.Fatalf("seal: %s", r.stderr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	env := Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Now: func() time.Time { return testNow }, Getenv: func(string) string { return "" }}
	if code := Run(ctx, []string{"verify-pdf", out}, env); code != 2 || !strings.Contains(stderr.String(), "afgebroken") {
		t.Errorf("cancelled: %d %s %s", code, stdout.String(), stderr.String())
	}
}

// A key with the RSASSA-PSS key OID (openssl genpkey -algorithm RSA-PSS)
// is read, and signs with RSASSA-PSS.
func TestSealWithRSAPSSKey(t *testing.T) {
	openssl := fixture.Program(t, "openssl")
	dir := t.TempDir()
	key, csr, crt, ext := filepath.Join(dir, "pss.pem"), filepath.Join(dir, "pss.csr"), filepath.Join(dir, "pss.crt"), filepath.Join(dir, "ext.cnf")
	os.WriteFile(ext, []byte("keyUsage=critical,digitalSignature,nonRepudiation\nbasicConstraints=critical,CA:FALSE\n"), 0o600)
	for _, args := range [][]string{
		{"genpkey", "-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key},
		{"req", "-new", "-key", key, "-subj", "/CN=PSS Zegel/O=Gemeente Voorbeeldstad", "-out", csr},
		{"x509", "-req", "-in", csr, "-signkey", key, "-days", "30", "-extfile", ext, "-out", crt},
	} {
		if out, err := exec.Command(openssl, args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v %s", args[0], err, out)
		}
	}
	if pem, _ := os.ReadFile(key); !bytes.Contains(pem, []byte("BEGIN PRIVATE KEY")) {
		t.Fatal("not a PKCS#8 key")
	}
	doc, _ := pdfseal.Draw(pdfseal.Document{Kind: pdfseal.OrderNew, Number: "T-3", Created: time.Now(), Organisation: "X"})
	in, out := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "out.pdf")
	os.WriteFile(in, doc, 0o600)
	// openssl makes the certificate valid from now: seal and verify now.
	runNow := func(args ...string) result {
		var stdout, stderr bytes.Buffer
		env := Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Now: time.Now, Getenv: func(string) string { return "en" }}
		code := Run(context.Background(), args, env)
		return result{code, stdout.String(), stderr.String()}
	}
	if r := runNow("seal", in, "--out", out, "--key", key, "--cert", crt); r.code != 0 {
		t.Fatalf("seal: %d %s", r.code, r.stderr)
	}
	if r := runNow("verify-pdf", out, "--roots", crt); r.code != 0 || !strings.Contains(r.stdout, "Trusted: yes") {
		t.Errorf("verify-pdf: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// OpenSSL checks the CMS on its own. (pdfsig, poppler 22 with NSS,
	// calls signatures by RSASSA-PSS-only keys invalid: it cannot judge.)
	sealed, _ := os.ReadFile(out)
	m := regexp.MustCompile(`/ByteRange \[0 (\d+) (\d+) (\d+)\s*\]`).FindAllSubmatch(sealed, -1)
	br := m[len(m)-1]
	a, b, c := atoi(br[1]), atoi(br[2]), atoi(br[3])
	cms, err := hex.DecodeString(string(sealed[a+1 : b-1]))
	if err != nil {
		t.Fatal(err)
	}
	signed, der := filepath.Join(dir, "signed.bin"), filepath.Join(dir, "cms.der")
	os.WriteFile(signed, append(bytes.Clone(sealed[:a]), sealed[b:b+c]...), 0o600)
	os.WriteFile(der, bytes.TrimRight(cms, "\x00"), 0o600)
	if o, err := exec.Command(openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", der, "-content", signed, "-noverify", "-out", os.DevNull).CombinedOutput(); err != nil {
		t.Errorf("openssl cms -verify: %v %s", err, o)
	}
	if pdfsig := fixture.Program(t, "pdfsig"); pdfsig != "" {
		o, _ := exec.Command(pdfsig, out).CombinedOutput()
		t.Logf("pdfsig:\n%s", o)
	}
}

func atoi(b []byte) int {
	n := 0
	for _, c := range b {
		n = n*10 + int(c-'0')
	}
	return n
}
