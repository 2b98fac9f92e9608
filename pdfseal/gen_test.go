package pdfseal

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"pkiodesk/pdfseal/internal/cos"
)

// Generators for the documents the attack tests use. Every hostile file is
// built here from a document Draw makes; none is a stored blob. With
// PKIODESK_ATTACK_DIR set, each is also written there, so that another
// verifier (an older pkiodesk, Acrobat) can be tried on it.

// softSigner is a software key with a certificate of a test PKI: fast, for
// the many documents these tests make (SoftHSM has its own tests).
type softSigner struct {
	key   crypto.Signer
	chain []*x509.Certificate
	pki   *testPKI
}

func newSoftSigner(t testing.TB, cn string) softSigner {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pki := newTestPKI(t)
	return softSigner{key: key, chain: pki.chain(pki.issue(t, key.Public(), cn)), pki: pki}
}

func (s softSigner) roots() *x509.CertPool { return rootPool(s.pki.Root) }

// sealDoc seals with the given signer; x adds test-only choices.
func sealDoc(t testing.TB, doc []byte, s softSigner, visible bool, x sealInternals) []byte {
	t.Helper()
	out, err := seal(context.Background(), doc, SealOptions{Signer: s.key, Chain: s.chain, Time: testNow, Visible: visible, Reason: "test"}, x)
	if err != nil {
		t.Fatalf("seal: %v", err)
	}
	return out
}

func drawDoc(t testing.TB, kind DocumentKind) []byte {
	t.Helper()
	doc, err := Draw(sampleDocument(kind))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// keep writes a generated file to $PKIODESK_ATTACK_DIR when set.
func keep(t testing.TB, name string, data []byte) {
	if dir := os.Getenv("PKIODESK_ATTACK_DIR"); dir != "" {
		name = regexp.MustCompile(`[^A-Za-z0-9_.-]+`).ReplaceAllString(t.Name()+"-"+name, "_")
		os.WriteFile(filepath.Join(dir, name+".pdf"), data, 0o644)
	}
}

// docInfo is what the generators need to know of a file.
type docInfo struct {
	f     *cos.File
	t     *cos.Table
	root  cos.Dict
	pages []pageInfo
}

func inspect(t testing.TB, data []byte) docInfo {
	t.Helper()
	f, err := cos.Open(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	tb := f.Table(len(f.Revisions) - 1)
	root, _, err := catalog(tb)
	if err != nil {
		t.Fatal(err)
	}
	pages, err := pageList(context.Background(), tb, root)
	if err != nil {
		t.Fatal(err)
	}
	return docInfo{f: f, t: tb, root: root, pages: pages}
}

// contentRef returns the (single) content stream of a page.
func (d docInfo) contentRef(t testing.TB, page int) cos.Ref {
	r, ok := d.pages[page].dict["Contents"].(cos.Ref)
	if !ok {
		t.Fatal("page content is not one reference")
	}
	return r
}

// redStream is page content that paints most of the page red.
func redStream() *cos.Stream {
	return &cos.Stream{Dict: cos.Dict{}, Raw: []byte("q 1 0 0 rg 40 200 500 400 re f Q")}
}

// sigInfo locates a file's newest signature.
type sigInfo struct {
	ref        cos.Ref
	a, b, end  int64
	cms        []byte
	headOffset int64 // the newest cross-reference section
	prevOffset int64 // the one before it
	updateRefs map[uint32]cos.Entry
}

func newestSignature(t testing.TB, data []byte) sigInfo {
	t.Helper()
	d := inspect(t, data)
	fields, err := formFields(context.Background(), d.t, d.root)
	if err != nil {
		t.Fatal(err)
	}
	var s sigInfo
	for _, f := range fields {
		r, ok := f.v.(cos.Ref)
		if !ok {
			continue
		}
		obj, _ := d.t.Resolve(r)
		sd := obj.Value.(cos.Dict)
		br, _ := byteRangeOf(sd["ByteRange"])
		if br[2]+br[3] > s.end {
			s = sigInfo{ref: r, a: br[1], b: br[2], end: br[2] + br[3], cms: sd["Contents"].(cos.String).Value}
		}
	}
	last := d.f.Revisions[len(d.f.Revisions)-1]
	s.headOffset = last.Sections[0].Offset
	s.prevOffset, _ = cos.IntOf(last.Sections[0].Trailer["Prev"])
	s.updateRefs = last.Sections[0].Entries
	return s
}

// xrefTable writes a classic cross-reference section for the given
// objects (generation 0) and its trailer.
func xrefTable(offsets map[uint32]int64, trailer cos.Dict) []byte {
	var b bytes.Buffer
	nums := make([]uint32, 0, len(offsets))
	for n := range offsets {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	b.WriteString("xref\n")
	for _, run := range runs(nums) {
		fmt.Fprintf(&b, "%d %d\n", run[0], len(run))
		for _, n := range run {
			fmt.Fprintf(&b, "%010d 00000 n\r\n", offsets[n])
		}
	}
	b.WriteString("trailer\n")
	cos.Write(&b, trailer)
	return b.Bytes()
}

// wrapSignature builds the signature wrapping attack on a file with one
// seal: the signed bytes stay as they were, but a new signature dictionary
// re-uses the seal's CMS with a byte range whose gap is far larger than
// its /Contents. The gap holds new objects (page content painted red, a
// new field and signature dictionary) and a cross-reference section
// placed exactly where the old final "startxref" points, so readers follow
// it; the old signature dictionary is cut short inside the gap.
func wrapSignature(t testing.TB, sealed []byte) []byte {
	t.Helper()
	s := newestSignature(t, sealed)
	d := inspect(t, sealed)
	prefix, tail := sealed[:s.a], sealed[s.b:]
	size := uint32(d.f.MaxObjectNumber() + 1)
	contentRef := d.contentRef(t, len(d.pages)-1)
	fieldRef := cos.Ref{Num: s.ref.Num + 1}
	newSig := cos.Ref{Num: size}

	// The gap starts at the old '<' and must end with '>' just before the
	// old signed tail, which ends with the old startxref s.headOffset.
	gapLen := s.headOffset - s.a + 4096
	var y bytes.Buffer
	y.WriteString("<> >>\nendobj\n")
	offsets := map[uint32]int64{}
	for n, e := range s.updateRefs {
		if e.Kind == cos.InUse && e.Offset < s.a {
			offsets[n] = e.Offset // objects of the update before the gap
		}
	}
	obj := func(r cos.Ref, v cos.Object) {
		offsets[r.Num] = s.a + int64(y.Len())
		fmt.Fprintf(&y, "%d 0 obj\n", r.Num)
		cos.Write(&y, v)
		y.WriteString("\nendobj\n")
	}
	obj(contentRef, redStream())
	obj(fieldRef, cos.Dict{"Type": cos.Name("Annot"), "Subtype": cos.Name("Widget"), "FT": cos.Name("Sig"),
		"T": cos.String{Value: []byte("wrapped")}, "V": newSig, "F": int64(132), "Rect": cos.Array{int64(0), int64(0), int64(0), int64(0)},
		"P": d.pages[len(d.pages)-1].ref})
	br := fmt.Sprintf("[0 %d %d %d]", s.a, s.a+gapLen, int64(len(tail)))
	offsets[newSig.Num] = s.a + int64(y.Len())
	fmt.Fprintf(&y, "%d 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange %s /Contents <%X> /M (D:20261123103000+01'00') >>\nendobj\n",
		newSig.Num, br, bytes.TrimRight(s.cms, "\x00"))
	if int64(y.Len()) > s.headOffset-s.a {
		t.Fatalf("wrapping: %d bytes do not fit before the old startxref", y.Len())
	}
	y.WriteString(strings.Repeat(" ", int(s.headOffset-s.a)-y.Len()))
	y.Write(xrefTable(offsets, cos.Dict{"Size": int64(size + 1), "Root": d.t.Trailer()["Root"], "Prev": s.prevOffset}))
	y.WriteString("\n%")
	if int64(y.Len()) >= gapLen {
		t.Fatal("wrapping: gap too small")
	}
	y.WriteString(strings.Repeat("x", int(gapLen)-y.Len()-1))
	y.WriteString(">")
	return slices.Concat(prefix, y.Bytes(), tail)
}

// appendRaw appends a classic cross-reference update by hand: objects,
// freed object numbers and trailer entries, as any tool could write it.
func appendRaw(t testing.TB, data []byte, objects map[cos.Ref]cos.Object, freed []uint32, extra cos.Dict) []byte {
	t.Helper()
	d := inspect(t, data)
	var b bytes.Buffer
	b.Write(data)
	if !bytes.HasSuffix(data, []byte("\n")) {
		b.WriteByte('\n')
	}
	type entry struct {
		off  int64
		free bool
	}
	entries := map[uint32]entry{}
	refs := make([]cos.Ref, 0, len(objects))
	for r := range objects {
		refs = append(refs, r)
	}
	slices.SortFunc(refs, func(a, b cos.Ref) int { return int(a.Num) - int(b.Num) })
	for _, r := range refs {
		entries[r.Num] = entry{off: int64(b.Len())}
		fmt.Fprintf(&b, "%d %d obj\n", r.Num, r.Gen)
		if err := cos.Write(&b, objects[r]); err != nil {
			t.Fatal(err)
		}
		b.WriteString("\nendobj\n")
	}
	for _, n := range freed {
		entries[n] = entry{free: true}
	}
	nums := make([]uint32, 0, len(entries))
	for n := range entries {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	xref := b.Len()
	b.WriteString("xref\n")
	for _, run := range runs(nums) {
		fmt.Fprintf(&b, "%d %d\n", run[0], len(run))
		for _, n := range run {
			if e := entries[n]; e.free {
				b.WriteString("0000000000 00001 f\r\n")
			} else {
				fmt.Fprintf(&b, "%010d 00000 n\r\n", e.off)
			}
		}
	}
	last := d.f.Revisions[len(d.f.Revisions)-1]
	tr := cos.Dict{"Size": int64(max(d.f.MaxObjectNumber()+1, nums[len(nums)-1]+1)), "Root": d.t.Trailer()["Root"], "Prev": last.Sections[0].Offset}
	for k, v := range extra {
		tr[k] = v
	}
	b.WriteString("trailer\n")
	cos.Write(&b, tr)
	fmt.Fprintf(&b, "\nstartxref\n%d\n%%%%EOF\n", xref)
	return b.Bytes()
}

// form returns a copy of the document's form dictionary.
func (d docInfo) form(t testing.TB) cos.Dict {
	form, err := dictAt(d.t, d.root["AcroForm"])
	if err != nil || form == nil {
		t.Fatal("no form")
	}
	return form.Clone()
}
