package pdfseal

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"time"

	"github.com/digitorus/pdf"
	"golang.org/x/text/encoding/charmap"
)

// SealOptions say who seals and how.
type SealOptions struct {
	Signer crypto.Signer
	// Chain is the signing certificate first, then its issuers.
	Chain []*x509.Certificate
	// Time goes into the signature dictionary's /M (PAdES B-B keeps it out
	// of the CMS).
	Time   time.Time
	Reason string
	// RSAPSS signs RSA keys with RSASSA-PSS instead of PKCS#1 v1.5.
	RSAPSS bool
	// Visible draws a stamp with the signer's name and time on the last page.
	Visible bool
}

// ErrEncrypted is returned for encrypted PDFs, which pdfseal does not seal.
var ErrEncrypted = errors.New("pdfseal: encrypted PDFs cannot be sealed")

// Seal appends a PAdES baseline B-B signature to a PDF as an incremental
// update: the original bytes, and any earlier signature, stay untouched.
func Seal(in []byte, opt SealOptions) ([]byte, error) {
	if opt.Signer == nil || len(opt.Chain) == 0 {
		return nil, errors.New("pdfseal: a signer and its certificate are required")
	}
	if opt.Time.IsZero() {
		opt.Time = time.Now()
	}
	r, err := openPDF(in)
	if err != nil {
		return nil, err
	}
	u, err := newUpdate(in, r)
	if err != nil {
		return nil, err
	}
	return u.seal(opt)
}

// update collects the objects an incremental update writes.
type update struct {
	orig    []byte
	r       *pdf.Reader
	trailer pdf.Value
	root    pdf.Value
	size    uint32
	prev    int64
	objects map[uint32][]byte // object number -> body (without "n 0 obj")
}

var startxrefRE = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)

func newUpdate(in []byte, r *pdf.Reader) (u *update, err error) {
	defer func() {
		if p := recover(); p != nil {
			u, err = nil, fmt.Errorf("pdfseal: PDF structure: %v", p)
		}
	}()
	trailer := r.Trailer()
	if !trailer.Key("Encrypt").IsNull() {
		return nil, ErrEncrypted
	}
	root := trailer.Key("Root")
	if root.Kind() != pdf.Dict {
		return nil, errors.New("pdfseal: PDF has no document catalog")
	}
	tail := in[max(0, len(in)-1024):]
	m := startxrefRE.FindSubmatch(tail)
	if m == nil {
		return nil, errors.New("pdfseal: PDF does not end with startxref and %%EOF")
	}
	prev, _ := strconv.ParseInt(string(m[1]), 10, 64)
	size := trailer.Key("Size").Int64()
	if size <= 0 || size > 8_000_000 {
		return nil, fmt.Errorf("pdfseal: implausible /Size %d", size)
	}
	return &update{orig: in, r: r, trailer: trailer, root: root, size: uint32(size), prev: prev, objects: map[uint32][]byte{}}, nil
}

func (u *update) newObject() uint32 {
	n := u.size
	u.size++
	return n
}

func (u *update) put(n uint32, body []byte) { u.objects[n] = body }

func serialise(x any) ([]byte, error) {
	var b bytes.Buffer
	if err := writeObject(&b, x); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// lastPage finds the last page object and its MediaBox.
func (u *update) lastPage() (pdf.Value, []float64, error) {
	node := u.root.Key("Pages")
	for depth := 0; depth < 64; depth++ {
		if node.Key("Type").Name() == "Page" || node.Key("Kids").IsNull() {
			box := inheritedBox(node)
			return node, box, nil
		}
		kids := node.Key("Kids")
		if kids.Len() == 0 {
			return pdf.Value{}, nil, errors.New("pdfseal: PDF has no pages")
		}
		node = kids.Index(kids.Len() - 1)
	}
	return pdf.Value{}, nil, errors.New("pdfseal: page tree too deep")
}

func inheritedBox(page pdf.Value) []float64 {
	for v, i := page, 0; !v.IsNull() && i < 64; v, i = v.Key("Parent"), i+1 {
		if b := v.Key("MediaBox"); b.Len() == 4 {
			return []float64{b.Index(0).Float64(), b.Index(1).Float64(), b.Index(2).Float64(), b.Index(3).Float64()}
		}
	}
	return []float64{0, 0, 595.28, 841.89} // A4
}

const byteRangePlaceholder = "[0 0000000000 0000000000 0000000000]"

func (u *update) seal(opt SealOptions) (out []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("pdfseal: PDF structure: %v", p)
		}
	}()
	page, box, err := u.lastPage()
	if err != nil {
		return nil, err
	}
	pageRef := refOf(page)
	sigObj, fieldObj := u.newObject(), u.newObject()

	// Room for the CMS: the chain, the signature and the attributes.
	capacity := 4096
	for _, c := range opt.Chain {
		capacity += len(c.Raw)
	}

	leaf := opt.Chain[0]
	signerName := leaf.Subject.CommonName
	sigDict := fmt.Sprintf("<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange %s /Contents <%s> /M %s /Name %s /Reason %s >>",
		byteRangePlaceholder, bytes.Repeat([]byte("0"), capacity*2), pdfString(pdfDate(opt.Time)), pdfString(signerName), pdfString(opt.Reason))
	u.put(sigObj, []byte(sigDict))

	field := rawDict{
		"Type": pdfName("Annot"), "Subtype": pdfName("Widget"), "FT": pdfName("Sig"),
		"T": fmt.Sprintf("pkiodesk-zegel-%d", sigObj), "V": ref{sigObj, 0}, "P": pageRef, "F": 132,
		"Rect": rawArray{0, 0, 0, 0},
	}
	if opt.Visible {
		apObj, fontObj := u.newObject(), u.newObject()
		w, h := 220.0, 46.0
		x, y := box[0]+40, box[1]+50
		field["Rect"] = literal(fmt.Sprintf("[%.2f %.2f %.2f %.2f]", x, y, x+w, y+h))
		field["AP"] = rawDict{"N": ref{apObj, 0}}
		stream := stampStream(w, h, signerName, opt.Time)
		u.put(apObj, []byte(fmt.Sprintf("<< /Type /XObject /Subtype /Form /BBox [0 0 %.2f %.2f] /Resources << /Font << /F1 %d 0 R >> >> /Length %d >>\nstream\n%s\nendstream", w, h, fontObj, len(stream), stream)))
		u.put(fontObj, []byte("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"))
	}
	body, err := serialise(field)
	if err != nil {
		return nil, err
	}
	u.put(fieldObj, body)
	fieldRef := ref{fieldObj, 0}

	if err := u.addToAnnots(page, fieldRef); err != nil {
		return nil, err
	}
	if err := u.addToAcroForm(fieldRef); err != nil {
		return nil, err
	}
	doc, err := u.write()
	if err != nil {
		return nil, err
	}
	return fillSignature(doc, opt, capacity)
}

// addToAnnots adds the field's widget to the page's annotations.
func (u *update) addToAnnots(page pdf.Value, field ref) error {
	pd, err := dictOf(page)
	if err != nil {
		return fmt.Errorf("pdfseal: page: %w", err)
	}
	if r, ok := rawRef(pd["Annots"]); ok {
		items, _ := arrayItems(page.Key("Annots").RawData())
		body, err := serialise(rawArray(append(items, field)))
		if err != nil {
			return err
		}
		u.put(r.id, body)
		return nil
	}
	items, _ := arrayItems(pd["Annots"])
	pd["Annots"] = rawArray(append(items, field))
	body, err := serialise(pd)
	if err != nil {
		return err
	}
	u.put(refOf(page).id, body)
	return nil
}

// addToAcroForm lists the field in the document's form, keeping the fields
// (and signatures) already there.
func (u *update) addToAcroForm(field ref) error {
	cat, err := dictOf(u.root)
	if err != nil {
		return fmt.Errorf("pdfseal: catalog: %w", err)
	}
	form := rawDict{}
	formValue := u.root.Key("AcroForm")
	if formValue.Kind() == pdf.Dict {
		if form, err = dictOf(formValue); err != nil {
			return err
		}
	}
	if r, ok := rawRef(form["Fields"]); ok {
		// The field list is an object of its own: update that object.
		fields, _ := arrayItems(formValue.Key("Fields").RawData())
		body, err := serialise(rawArray(append(fields, field)))
		if err != nil {
			return err
		}
		u.put(r.id, body)
	} else {
		fields, _ := arrayItems(form["Fields"])
		form["Fields"] = rawArray(append(fields, field))
	}
	form["SigFlags"] = 3
	if r, ok := rawRef(cat["AcroForm"]); ok {
		body, err := serialise(form)
		if err != nil {
			return err
		}
		u.put(r.id, body)
		return nil
	}
	cat["AcroForm"] = form
	body, err := serialise(cat)
	if err != nil {
		return err
	}
	u.put(refOf(u.root).id, body)
	return nil
}

// write appends the objects, a cross-reference section and the trailer.
func (u *update) write() ([]byte, error) {
	var b bytes.Buffer
	b.Grow(len(u.orig) + 64*1024)
	b.Write(u.orig)
	if !bytes.HasSuffix(u.orig, []byte("\n")) {
		b.WriteByte('\n')
	}
	nums := make([]uint32, 0, len(u.objects))
	for n := range u.objects {
		nums = append(nums, n)
	}
	sort.Slice(nums, func(i, j int) bool { return nums[i] < nums[j] })
	offsets := map[uint32]int{}
	for _, n := range nums {
		offsets[n] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n", n)
		b.Write(u.objects[n])
		b.WriteString("\nendobj\n")
	}
	tr := rawDict{"Root": refOf(u.root), "Prev": int(u.prev)}
	if td, err := dictOf(u.trailer); err == nil {
		for _, k := range []string{"Info", "ID"} {
			if v, ok := td[k]; ok {
				tr[k] = v
			}
		}
	}
	xref := b.Len()
	if u.prevIsStream() {
		// Answer a cross-reference stream with one: some readers cannot
		// follow a classic table back to a stream.
		if err := u.writeXrefStream(&b, nums, offsets, tr); err != nil {
			return nil, err
		}
	} else {
		b.WriteString("xref\n")
		for _, run := range runs(nums) {
			fmt.Fprintf(&b, "%d %d\n", run[0], len(run))
			for _, n := range run {
				fmt.Fprintf(&b, "%010d 00000 n\r\n", offsets[n])
			}
		}
		tr["Size"] = int(u.size)
		b.WriteString("trailer\n")
		if err := writeObject(&b, tr); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(&b, "\nstartxref\n%d\n%%%%EOF\n", xref)
	return b.Bytes(), nil
}

// runs splits sorted object numbers into runs of consecutive numbers.
func runs(nums []uint32) [][]uint32 {
	var out [][]uint32
	for i := 0; i < len(nums); {
		j := i
		for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
			j++
		}
		out = append(out, nums[i:j+1])
		i = j + 1
	}
	return out
}

// prevIsStream reports whether the previous cross-reference section is a
// stream ("n g obj") rather than a table ("xref").
func (u *update) prevIsStream() bool {
	if u.prev < 0 || u.prev >= int64(len(u.orig)) {
		return false
	}
	return !bytes.HasPrefix(bytes.TrimLeft(u.orig[u.prev:], " \r\n\t"), []byte("xref"))
}

// writeXrefStream writes the update's cross-references as an uncompressed
// cross-reference stream (PDF 1.5), which lists itself too.
func (u *update) writeXrefStream(b *bytes.Buffer, nums []uint32, offsets map[uint32]int, tr rawDict) error {
	self := u.newObject()
	offsets[self] = b.Len()
	nums = append(nums, self)
	var data bytes.Buffer
	var index rawArray
	for _, run := range runs(nums) {
		index = append(index, int(run[0]), len(run))
		for _, n := range run {
			off := offsets[n]
			data.Write([]byte{1, byte(off >> 24), byte(off >> 16), byte(off >> 8), byte(off), 0, 0})
		}
	}
	tr["Type"] = pdfName("XRef")
	tr["Size"] = int(u.size)
	tr["W"] = rawArray{1, 4, 2}
	tr["Index"] = index
	tr["Length"] = data.Len()
	fmt.Fprintf(b, "%d 0 obj\n", self)
	if err := writeObject(b, tr); err != nil {
		return err
	}
	b.WriteString("\nstream\n")
	b.Write(data.Bytes())
	b.WriteString("\nendstream\nendobj\n")
	return nil
}

// fillSignature writes the byte range, signs what it covers and puts the
// CMS into /Contents.
func fillSignature(doc []byte, opt SealOptions, capacity int) ([]byte, error) {
	brPos := bytes.LastIndex(doc, []byte("/ByteRange "+byteRangePlaceholder))
	if brPos < 0 {
		return nil, errors.New("pdfseal: byte range placeholder lost")
	}
	brPos += len("/ByteRange ")
	cPos := bytes.Index(doc[brPos:], []byte("/Contents <"))
	if cPos < 0 {
		return nil, errors.New("pdfseal: contents placeholder lost")
	}
	start := brPos + cPos + len("/Contents ") // at '<'
	end := start + 2 + capacity*2             // after '>'
	br := fmt.Sprintf("[0 %d %d %d]", start, end, len(doc)-end)
	if len(br) > len(byteRangePlaceholder) {
		return nil, errors.New("pdfseal: document too large for the byte range")
	}
	copy(doc[brPos:], br+string(bytes.Repeat([]byte(" "), len(byteRangePlaceholder)-len(br))))
	h := sha256.New()
	h.Write(doc[:start])
	h.Write(doc[end:])
	cms, err := buildCMS(h.Sum(nil), opt.Signer, opt.Chain, opt.RSAPSS)
	if err != nil {
		return nil, err
	}
	if len(cms) > capacity {
		return nil, fmt.Errorf("pdfseal: signature (%d bytes) larger than its room (%d)", len(cms), capacity)
	}
	hex.Encode(doc[start+1:], cms)
	return doc, nil
}

// pdfDate formats a time as a PDF date string.
func pdfDate(t time.Time) string {
	_, off := t.Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("D:%s%c%02d'%02d'", t.Format("20060102150405"), sign, off/3600, off%3600/60)
}

// pdfString writes text as a PDF text string: UTF-16BE with a byte order
// mark, in hex, so any name is kept and none can break the syntax.
func pdfString(s string) string {
	var b bytes.Buffer
	b.WriteString("<FEFF")
	for _, r := range s {
		if r > 0xFFFF {
			r -= 0x10000
			fmt.Fprintf(&b, "%04X%04X", 0xD800+(r>>10), 0xDC00+(r&0x3FF))
			continue
		}
		fmt.Fprintf(&b, "%04X", r)
	}
	b.WriteString(">")
	return b.String()
}

// stampStream draws the visible seal: a frame and three lines of text.
func stampStream(w, h float64, name string, t time.Time) string {
	lines := []string{"Elektronisch verzegeld / electronically sealed", name, t.Format("2006-01-02 15:04:05 MST")}
	var b bytes.Buffer
	fmt.Fprintf(&b, "q 0.08 0.26 0.45 RG 1 w 0.5 0.5 %.2f %.2f re S Q\n", w-1, h-1)
	b.WriteString("BT 0.08 0.26 0.45 rg\n")
	for i, l := range lines {
		size := 8.0
		if i == 1 {
			size = 10
		}
		fmt.Fprintf(&b, "/F1 %.0f Tf 1 0 0 1 6 %.2f Tm (%s) Tj\n", size, h-13-float64(i)*12, winAnsi(l))
	}
	b.WriteString("ET")
	return b.String()
}

// winAnsi encodes text for the standard Helvetica font and escapes it for a
// literal string; characters outside WinAnsi become '?'.
func winAnsi(s string) string {
	enc := charmap.Windows1252.NewEncoder()
	var b bytes.Buffer
	for _, r := range s {
		e, err := enc.Bytes([]byte(string(r)))
		if err != nil || len(e) != 1 || e[0] < 0x20 {
			e = []byte{'?'}
		}
		switch e[0] {
		case '(', ')', '\\':
			b.WriteByte('\\')
		}
		b.Write(e)
	}
	return b.String()
}
