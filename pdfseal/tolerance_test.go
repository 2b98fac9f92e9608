package pdfseal

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"pkiodesk/app/i18n"
	"pkiodesk/internal/fixture"
)

// run runs a fixture program on a document and returns what it wrote.
func runOn(t testing.TB, program string, data []byte, args ...string) []byte {
	t.Helper()
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "out.pdf")
	os.WriteFile(in, data, 0o600)
	for i, a := range args {
		args[i] = strings.NewReplacer("IN", in, "OUT", out).Replace(a)
	}
	if o, err := exec.Command(fixture.Program(t, program), args...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v %s", program, err, o)
	}
	res, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// Defect 8: what poppler and qpdf read safely is sealed; the result
// verifies with pkiodesk and pdfsig and passes qpdf --check.
func TestSealTolerantInput(t *testing.T) {
	a := newSoftSigner(t, "Zegel")
	doc := drawDoc(t, OrderNew)
	smallSize := regexp.MustCompile(`/Size \d+`).ReplaceAllFunc(doc, func(m []byte) []byte {
		return append([]byte("/Size 5"), bytes.Repeat([]byte(" "), len(m)-len("/Size 5"))...)
	})
	inputs := map[string][]byte{
		"bytes after %%EOF":       append(bytes.Clone(doc), "\r\n\x00\x00\x00 trailing bytes from a mail gateway\n"...),
		"zeros after %%EOF":       append(bytes.Clone(doc), make([]byte, 2048)...),
		"no %%EOF":                bytes.TrimSuffix(bytes.TrimRight(doc, "\r\n"), []byte("%%EOF")),
		"too small /Size":         smallSize,
		"pdfunite (small /Size)":  runOn(t, "pdfunite", doc, "IN", "IN", "OUT"),
		"qpdf --linearize":        runOn(t, "qpdf", doc, "--linearize", "IN", "OUT"),
		"linearized with streams": runOn(t, "qpdf", doc, "--linearize", "--object-streams=generate", "IN", "OUT"),
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			sealed, err := Seal(t.Context(), in, SealOptions{Signer: a.key, Chain: a.chain, Time: testNow, Visible: true})
			if err != nil {
				t.Fatalf("Seal: %v", err)
			}
			if !bytes.HasPrefix(sealed, in) {
				t.Error("the original bytes changed")
			}
			keep(t, "sealed", sealed)
			qpdfCheck(t, sealed)
			if rep, err := Verify(t.Context(), sealed, VerifyOptions{Roots: a.roots(), Now: testClock}); err != nil || !rep.OK() {
				t.Errorf("Verify: %v %+v", err, rep)
			}
			res := pdfsig(t, "", sealed)
			if !strings.Contains(res.out, "Signature is Valid.") || !strings.Contains(res.out, "Total document signed") {
				t.Errorf("pdfsig:\n%s", res.out)
			}
			// The new objects took numbers no object had: every page is
			// still there.
			if n := pagesRendered(t, sealed); n != len(inspect(t, in).pages) {
				t.Errorf("%d pages rendered", n)
			}
		})
	}
}

// Encrypted PDFs are refused with a message that says so, not a parser
// error.
func TestEncryptedPDFs(t *testing.T) {
	a := newSoftSigner(t, "Zegel")
	doc := drawDoc(t, OrderNew)
	for name, args := range map[string][]string{
		"AES-256":                      {"--encrypt", "u", "o", "256", "--", "IN", "OUT"},
		"AES-128":                      {"--encrypt", "u", "o", "128", "--use-aes=y", "--", "IN", "OUT"},
		"AES-256, empty user password": {"--encrypt", "", "o", "256", "--", "IN", "OUT"},
		"RC4-40":                       {"--allow-weak-crypto", "--encrypt", "u", "o", "40", "--", "IN", "OUT"},
	} {
		t.Run(name, func(t *testing.T) {
			enc := runOn(t, "qpdf", doc, args...)
			_, err := Seal(t.Context(), enc, SealOptions{Signer: a.key, Chain: a.chain, Time: testNow})
			if !i18n.Is(err, "pdf.err.encrypted_seal") || !strings.HasPrefix(i18n.Localize(i18n.EN, err), "encrypted PDFs cannot be sealed") {
				t.Errorf("Seal: %v", err)
			}
			if _, err := Verify(t.Context(), enc, VerifyOptions{}); !i18n.Is(err, "pdf.err.encrypted_verify") {
				t.Errorf("Verify: %v", err)
			}
		})
	}
}

// What cannot be read is refused with a short message in the user's
// language, never with the file's bytes.
func TestDamagedPDFMessages(t *testing.T) {
	a := newSoftSigner(t, "Zegel")
	doc := drawDoc(t, OrderNew)
	xref := bytes.LastIndex(doc, []byte("\nxref")) + 1
	binary := bytes.Repeat([]byte{0xAB, 0x00, 0xFF, '<'}, 4000)
	damaged := map[string][]byte{
		"not a PDF":              []byte("dit is geen pdf"),
		"wrong startxref":        bytes.Replace(doc, []byte("startxref\n"+itoa(xref)), []byte("startxref\n"+itoa(xref-7)), 1),
		"object offsets shifted": append(append(bytes.Clone(doc[:200]), binary...), doc[200:]...),
		"truncated":              doc[:len(doc)/2],
	}
	for name, data := range damaged {
		t.Run(name, func(t *testing.T) {
			_, err := Seal(t.Context(), data, SealOptions{Signer: a.key, Chain: a.chain, Time: testNow})
			msg := i18n.Localize(i18n.NL, err)
			if err == nil || !strings.HasPrefix(msg, "PDF is beschadigd") && name != "not a PDF" || len(msg) > 200 {
				t.Errorf("Seal: %q", msg)
			}
			if regexp.MustCompile(`[0-9A-Fa-f]{32}`).MatchString(msg) {
				t.Errorf("the message quotes the file: %q", msg)
			}
			if _, err := Verify(t.Context(), data, VerifyOptions{}); err == nil || len(i18n.Localize(i18n.NL, err)) > 200 {
				t.Errorf("Verify: %v", err)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
