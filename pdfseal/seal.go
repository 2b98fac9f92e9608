package pdfseal

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"pkiodesk/app/i18n"
	"pkiodesk/pdfseal/internal/cos"
)

// SealOptions say who seals and how.
type SealOptions struct {
	Signer crypto.Signer
	// Chain is the signing certificate first, then its issuers.
	Chain []*x509.Certificate
	// Time goes into the signature dictionary's /M (PAdES B-B keeps it out
	// of the CMS); the certificate must be valid then.
	Time   time.Time
	Reason string
	// RSAPSS signs RSA keys with RSASSA-PSS instead of PKCS#1 v1.5 (always
	// for a key marked RSASSA-PSS only).
	RSAPSS bool
	// Hash is the digest: SHA-256 (the default), SHA-384 or SHA-512.
	Hash crypto.Hash
	// Visible draws a stamp with the signer's name and time on the last
	// page, where no earlier stamp or annotation is.
	Visible bool
}

// Seal appends a PAdES baseline B-B signature to a PDF as an incremental
// update: the original bytes, and any earlier signature, stay untouched.
// It refuses a certificate that may not sign (key usage, CA, validity at
// opt.Time), an encrypted PDF and a certified one that allows no changes.
func Seal(ctx context.Context, in []byte, opt SealOptions) ([]byte, error) {
	return seal(ctx, in, opt, sealInternals{})
}

// sealInternals are choices tests make to build documents the public
// options cannot (certified ones, signatures with unusable certificates).
type sealInternals struct {
	co            cmsOptions
	certify       int // DocMDP P of a certification signature, 0 for none
	skipCertCheck bool
	skipMDPCheck  bool
}

func seal(ctx context.Context, in []byte, opt SealOptions, x sealInternals) ([]byte, error) {
	if opt.Signer == nil || len(opt.Chain) == 0 || opt.Chain[0] == nil {
		return nil, i18n.E("pdf.err.no_signer", nil)
	}
	if opt.Time.IsZero() {
		opt.Time = time.Now()
	}
	if opt.Hash == 0 {
		opt.Hash = crypto.SHA256
	}
	if _, ok := digestOID(opt.Hash); !ok {
		return nil, i18n.E("pdf.problem.digest_not_allowed", nil, opt.Hash.String())
	}
	leaf := opt.Chain[0]
	type equaler interface{ Equal(crypto.PublicKey) bool }
	pub, err := publicKeyOf(leaf)
	if eq, ok := pub.(equaler); err != nil || !ok || !eq.Equal(opt.Signer.Public()) {
		return nil, i18n.E("pdf.err.key_mismatch", nil)
	}
	if ps := signingCertProblems(leaf, opt.Time); len(ps) > 0 && !x.skipCertCheck {
		return nil, i18n.E("pdf.err.cert_unusable", asError(ps), printable(leaf.Subject.CommonName))
	}
	if isPSSOnly(leaf) {
		opt.RSAPSS = true
	}
	f, err := openPDF(ctx, in, "pdf.err.encrypted_seal")
	if err != nil {
		return nil, err
	}
	u, err := newUpdate(ctx, f)
	if err != nil {
		return nil, err
	}
	if u.certified == 1 && !x.skipMDPCheck {
		return nil, i18n.E("pdf.err.certified", nil)
	}
	x.co.hash, x.co.rsaPSS = opt.Hash, opt.RSAPSS
	return u.seal(opt, x)
}

// update collects the objects an incremental update writes.
type update struct {
	ctx     context.Context
	f       *cos.File
	t       *cos.Table
	root    cos.Dict
	rootRef cos.Ref
	next    uint32
	refs    map[uint32]int // how often each object is referred to
	objects map[cos.Ref]any
	// certified is the DocMDP P of the document's certification, 0 if none.
	certified int
	// cat is the catalog to write, when the update changes it.
	cat cos.Dict
}

// rawBody is an object body written as is.
type rawBody []byte

func newUpdate(ctx context.Context, f *cos.File) (*update, error) {
	t := f.Table(len(f.Revisions) - 1)
	root, rootRef, err := catalog(t)
	if err != nil {
		return nil, damaged(ctx, err)
	}
	u := &update{ctx: ctx, f: f, t: t, root: root, rootRef: rootRef, refs: map[uint32]int{}, objects: map[cos.Ref]any{}}
	// Read every object: a damaged one is refused now rather than sealed
	// into a file a reader repairs its own way; and a new object must not
	// take a number the document already refers to.
	hi := f.MaxObjectNumber()
	count := func(r cos.Ref) {
		u.refs[r.Num]++
		hi = max(hi, r.Num)
	}
	for _, n := range t.Numbers() {
		obj, err := t.Resolve(cos.Ref{Num: n, Gen: t.Entry(n).Gen})
		if err != nil {
			return nil, damaged(ctx, err)
		}
		if obj != nil {
			cos.Refs(obj.Value, equalDepth, count)
		}
	}
	cos.Refs(t.Trailer(), equalDepth, count)
	if hi >= math.MaxUint32-16 {
		return nil, damaged(ctx, errors.New("object numbers exhausted"))
	}
	u.next = hi + 1
	perms, _ := dictAt(t, root["Perms"])
	if sig, _ := dictAt(t, perms["DocMDP"]); sig != nil {
		u.certified = certificationLevel(t, sig)
	}
	return u, nil
}

// catalog returns the catalog to change; write puts it in the update.
func (u *update) catalog() cos.Dict {
	if u.cat == nil {
		u.cat = u.root.Clone()
	}
	return u.cat
}

func (u *update) alloc() cos.Ref {
	r := cos.Ref{Num: u.next}
	u.next++
	return r
}

func (u *update) put(r cos.Ref, body any) { u.objects[r] = body }

const byteRangePlaceholder = "[0 0000000000 0000000000 0000000000]"

func (u *update) seal(opt SealOptions, x sealInternals) ([]byte, error) {
	pages, err := pageList(u.ctx, u.t, u.root)
	if err != nil {
		return nil, damaged(u.ctx, err)
	}
	if len(pages) == 0 {
		return nil, i18n.E("pdf.err.no_pages", nil)
	}
	page := pages[len(pages)-1]
	fields, err := formFields(u.ctx, u.t, u.root)
	if err != nil {
		return nil, damaged(u.ctx, err)
	}
	sigRef, fieldRef := u.alloc(), u.alloc()
	name := fmt.Sprintf("pkiodesk-zegel-%d", sigRef.Num)
	for taken := true; taken; {
		taken = slices.ContainsFunc(fields, func(f formField) bool { return f.name == name })
		if taken {
			name += "-1"
		}
	}

	// Room for the CMS: the chain, the signature and the attributes.
	capacity := 4096
	for _, c := range opt.Chain {
		capacity += len(c.Raw)
	}
	leaf := opt.Chain[0]
	signerName := leaf.Subject.CommonName
	if signerName == "" {
		signerName = leaf.Subject.String()
	}
	certification := ""
	if x.certify > 0 {
		certification = fmt.Sprintf(" /Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P %d /V /1.2 >> >>]", x.certify)
		perms, _ := dictAt(u.t, u.root["Perms"])
		perms = perms.Clone()
		perms["DocMDP"] = sigRef
		u.catalog()["Perms"] = perms
	}
	sigDict := fmt.Sprintf("<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange %s /Contents <%s> /M %s /Name %s /Reason %s%s >>",
		byteRangePlaceholder, strings.Repeat("0", capacity*2), pdfString(pdfDate(opt.Time)), pdfString(signerName), pdfString(opt.Reason), certification)
	u.put(sigRef, rawBody(sigDict))

	field := cos.Dict{
		"Type": cos.Name("Annot"), "Subtype": cos.Name("Widget"), "FT": cos.Name("Sig"),
		"T": cos.String{Value: []byte(name)}, "V": sigRef, "P": page.ref, "F": int64(132),
		"Rect": cos.Array{int64(0), int64(0), int64(0), int64(0)},
	}
	if opt.Visible {
		rect, ap, err := u.visibleStamp(page, signerName, opt.Time)
		if err != nil {
			return nil, err
		}
		field["Rect"] = cos.Array{rect.x1, rect.y1, rect.x2, rect.y2}
		field["AP"] = cos.Dict{"N": ap}
	}
	u.put(fieldRef, field)
	if err := u.addToAnnots(page, fieldRef); err != nil {
		return nil, err
	}
	if err := u.addToForm(fieldRef); err != nil {
		return nil, err
	}
	doc, err := u.write()
	if err != nil {
		return nil, err
	}
	return fillSignature(doc, opt, x.co, capacity)
}

// addToAnnots adds the widget to the page. The page gets a direct /Annots
// array, so that an /Annots array shared with other objects stays as it
// was.
func (u *update) addToAnnots(page pageInfo, widget cos.Ref) error {
	items, err := arrayAt(u.t, page.dict["Annots"])
	if err != nil {
		return damaged(u.ctx, err)
	}
	d := page.dict.Clone()
	d["Annots"] = append(slices.Clone(items), widget)
	u.put(page.ref, d)
	return nil
}

// addToForm lists the field in the document's form, keeping the fields
// (and signatures) already there.
func (u *update) addToForm(field cos.Ref) error {
	raw := u.root["AcroForm"]
	old, err := dictAt(u.t, raw)
	if err != nil {
		return damaged(u.ctx, err)
	}
	form := cos.Dict{}
	if old != nil {
		form = old.Clone()
	}
	fields, err := arrayAt(u.t, form["Fields"])
	if err != nil {
		return damaged(u.ctx, err)
	}
	form["Fields"] = append(slices.Clone(fields), field)
	form["SigFlags"] = int64(3)
	if r, ok := raw.(cos.Ref); ok && u.refs[r.Num] == 1 {
		// The form is an object of its own, referred to by the catalog only.
		u.put(r, form)
		return nil
	}
	if _, ok := raw.(cos.Ref); ok {
		// Shared with other objects: a form of its own for this catalog.
		fr := u.alloc()
		u.put(fr, form)
		u.catalog()["AcroForm"] = fr
	} else {
		u.catalog()["AcroForm"] = form
	}
	return nil
}

// write appends the objects, a cross-reference section and the trailer.
func (u *update) write() ([]byte, error) {
	if u.cat != nil {
		u.put(u.rootRef, u.cat)
	}
	orig := u.f.Data
	var b bytes.Buffer
	b.Grow(len(orig) + 64*1024)
	b.Write(orig)
	if !bytes.HasSuffix(orig, []byte("\n")) {
		b.WriteByte('\n')
	}
	head := u.f.Revisions[len(u.f.Revisions)-1].Sections[0]
	prevTrailer := u.t.Trailer()
	tr := cos.Dict{"Root": u.rootRef, "Prev": head.Offset}
	for _, k := range []cos.Name{"Info", "ID"} {
		if v, ok := prevTrailer[k]; ok {
			tr[k] = v
		}
	}
	var self cos.Ref
	if head.IsStream {
		// Answer a cross-reference stream with one: some readers cannot
		// follow a classic table back to a stream.
		self = u.alloc()
	}
	refs := make([]cos.Ref, 0, len(u.objects))
	for r := range u.objects {
		refs = append(refs, r)
	}
	slices.SortFunc(refs, func(a, b cos.Ref) int { return int(a.Num) - int(b.Num) })
	offsets := map[uint32]int{}
	gens := map[uint32]uint16{}
	for _, r := range refs {
		offsets[r.Num], gens[r.Num] = b.Len(), r.Gen
		fmt.Fprintf(&b, "%d %d obj\n", r.Num, r.Gen)
		switch body := u.objects[r].(type) {
		case rawBody:
			b.Write(body)
		default:
			if err := cos.Write(&b, body); err != nil {
				return nil, err
			}
		}
		b.WriteString("\nendobj\n")
	}
	xref := b.Len()
	tr["Size"] = int64(u.next)
	nums := make([]uint32, 0, len(refs)+1)
	for _, r := range refs {
		nums = append(nums, r.Num)
	}
	if head.IsStream {
		offsets[self.Num] = xref
		nums = append(nums, self.Num)
		if xref > math.MaxUint32 {
			return nil, errors.New("pdfseal: document too large for a cross-reference stream")
		}
		var data bytes.Buffer
		var index cos.Array
		for _, run := range runs(nums) {
			index = append(index, int64(run[0]), int64(len(run)))
			for _, n := range run {
				off, g := offsets[n], gens[n]
				data.Write([]byte{1, byte(off >> 24), byte(off >> 16), byte(off >> 8), byte(off), byte(g >> 8), byte(g)})
			}
		}
		tr["Type"] = cos.Name("XRef")
		tr["W"] = cos.Array{int64(1), int64(4), int64(2)}
		tr["Index"] = index
		fmt.Fprintf(&b, "%d 0 obj\n", self.Num)
		if err := cos.Write(&b, &cos.Stream{Dict: tr, Raw: data.Bytes()}); err != nil {
			return nil, err
		}
		b.WriteString("\nendobj\n")
	} else {
		b.WriteString("xref\n")
		for _, run := range runs(nums) {
			fmt.Fprintf(&b, "%d %d\n", run[0], len(run))
			for _, n := range run {
				fmt.Fprintf(&b, "%010d %05d n\r\n", offsets[n], gens[n])
			}
		}
		b.WriteString("trailer\n")
		if err := cos.Write(&b, tr); err != nil {
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

// fillSignature writes the byte range, signs what it covers and puts the
// CMS into /Contents.
func fillSignature(doc []byte, opt SealOptions, co cmsOptions, capacity int) ([]byte, error) {
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
	copy(doc[brPos:], br+strings.Repeat(" ", len(byteRangePlaceholder)-len(br)))
	h := co.hash.New()
	h.Write(doc[:start])
	h.Write(doc[end:])
	cms, err := buildCMS(h.Sum(nil), opt.Signer, opt.Chain, co)
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
