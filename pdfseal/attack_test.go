package pdfseal

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"strings"
	"testing"

	"pkiodesk/app/i18n"
	"pkiodesk/pdfseal/internal/cos"
)

// changedAfterSigning reports whether a signature has a change after
// signing among its problems.
func changedAfterSigning(s SignatureReport) bool {
	for _, p := range s.Problems {
		if strings.HasPrefix(p.Code, "changed") {
			return true
		}
	}
	return false
}

// hasProblem reports whether a signature has a problem with the code.
func hasProblem(s SignatureReport, code string) bool {
	for _, p := range s.Problems {
		if p.Code == code {
			return true
		}
	}
	return false
}

// Defect 1: a new signature dictionary re-uses a seal's CMS with a byte
// range whose gap swallows the old signature dictionary and holds new
// page content. The signed bytes hash correctly, so a verifier that does
// not tie the gap to the dictionary's own /Contents calls it intact.
func TestSignatureWrappingIsRefused(t *testing.T) {
	s := newSoftSigner(t, "Gemeente Voorbeeldstad eSeal")
	sealed := sealDoc(t, drawDoc(t, OrderNew), s, false, sealInternals{})
	attack := wrapSignature(t, sealed)
	keep(t, "wrapped", attack)

	rep, err := Verify(t.Context(), attack, VerifyOptions{Roots: s.roots(), Now: testClock})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if rep.OK() || len(rep.Signatures) != 1 || rep.Signatures[0].Intact || !hasProblem(rep.Signatures[0], "byte_range_gap") {
		t.Errorf("the wrapped signature was not refused: %+v", rep)
	}
	// pdfsig refuses it too: it does not report a valid signature over the
	// whole document.
	res := pdfsig(t, nssTrusting(t, s.pki.Root), attack)
	if strings.Contains(res.out, "Signature is Valid.") && strings.Contains(res.out, "Total document signed") && !strings.Contains(res.out, "Not total") {
		t.Errorf("pdfsig accepts the wrapped signature:\n%s", res.out)
	}
	t.Logf("pdfsig on the wrapped signature:\n%s", res.out)
}

// laterChange is an update someone appends after the first seal.
type laterChange struct {
	name string
	edit func(t *testing.T, sealed []byte) []byte
	what string // the pdf.what key the verifier must name; "" when the first seal itself breaks
}

func laterChanges() []laterChange {
	return []laterChange{
		{"page content replaced", func(t *testing.T, sealed []byte) []byte {
			d := inspect(t, sealed)
			return appendUpdate(t, sealed, func(u *update) { u.put(d.contentRef(t, 0), redStream()) })
		}, "pdf.what.content"},
		{"content added to the page", func(t *testing.T, sealed []byte) []byte {
			d := inspect(t, sealed)
			return appendUpdate(t, sealed, func(u *update) {
				extra := u.alloc()
				u.put(extra, redStream())
				page := d.pages[0].dict.Clone()
				page["Contents"] = cos.Array{d.contentRef(t, 0), extra}
				u.put(d.pages[0].ref, page)
			})
		}, "pdf.what.page"},
		{"annotation added", func(t *testing.T, sealed []byte) []byte {
			d := inspect(t, sealed)
			return appendUpdate(t, sealed, func(u *update) {
				note := u.alloc()
				u.put(note, cos.Dict{"Type": cos.Name("Annot"), "Subtype": cos.Name("FreeText"), "Rect": cos.Array{int64(60), int64(600), int64(400), int64(700)},
					"Contents": cos.String{Value: []byte("Bedrag: 1.000.000 euro")}, "DA": cos.String{Value: []byte("0 0 1 rg /Helv 24 Tf")}})
				page := d.pages[0].dict.Clone()
				annots, _ := arrayAt(d.t, page["Annots"])
				page["Annots"] = append(annots, note)
				u.put(d.pages[0].ref, page)
			})
		}, "pdf.what.page"},
		{"object freed", func(t *testing.T, sealed []byte) []byte {
			d := inspect(t, sealed)
			return appendRaw(t, sealed, nil, []uint32{d.contentRef(t, 0).Num}, nil)
		}, "pdf.what.deleted"},
		{"catalog changed", func(t *testing.T, sealed []byte) []byte {
			return appendUpdate(t, sealed, func(u *update) {
				u.catalog()["OpenAction"] = cos.Dict{"S": cos.Name("URI"), "URI": cos.String{Value: []byte("https://example.org/")}}
			})
		}, "pdf.what.catalog"},
		{"first signature replaced", func(t *testing.T, sealed []byte) []byte {
			s := newestSignature(t, sealed)
			return appendUpdate(t, sealed, func(u *update) {
				u.put(s.ref, cos.Dict{"Type": cos.Name("Sig"), "Filter": cos.Name("Adobe.PPKLite")})
			})
		}, ""},
		{"text field added", func(t *testing.T, sealed []byte) []byte {
			d := inspect(t, sealed)
			return appendUpdate(t, sealed, func(u *update) {
				f := u.alloc()
				u.put(f, cos.Dict{"FT": cos.Name("Tx"), "T": cos.String{Value: []byte("bedrag")}, "V": cos.String{Value: []byte("1000000")}})
				form := d.form(t)
				fields, _ := arrayAt(d.t, form["Fields"])
				form["Fields"] = append(fields, f)
				u.catalog()["AcroForm"] = form
			})
		}, "pdf.what.catalog"},
		{"seal removed", func(t *testing.T, sealed []byte) []byte {
			d := inspect(t, sealed)
			return appendUpdate(t, sealed, func(u *update) {
				form := d.form(t)
				form["Fields"] = cos.Array{}
				u.catalog()["AcroForm"] = form
			})
		}, ""},
	}
}

// Defect 2: a change after the first seal must fail verification, also
// when someone seals the changed document again.
func TestChangesAfterSealingAreReported(t *testing.T) {
	a := newSoftSigner(t, "Eerste Zegel")
	b := newSoftSigner(t, "Tweede Zegel")
	roots := a.roots()
	roots.AddCert(b.pki.Root)
	sealed := sealDoc(t, drawDoc(t, ChangeForm), a, true, sealInternals{})
	for _, c := range laterChanges() {
		t.Run(c.name, func(t *testing.T) {
			changed := c.edit(t, sealed)
			resealed := sealDoc(t, changed, b, true, sealInternals{skipMDPCheck: true})
			keep(t, "resealed", resealed)
			for name, doc := range map[string][]byte{"changed": changed, "changed and sealed again": resealed} {
				rep, err := Verify(t.Context(), doc, VerifyOptions{Roots: roots, Now: testClock})
				if err == ErrNoSignatures && c.what == "" {
					continue // the seal was taken out: nothing is claimed
				}
				if err != nil {
					t.Fatalf("%s: Verify: %v", name, err)
				}
				if rep.OK() {
					t.Errorf("%s: accepted", name)
				}
				if c.what == "" {
					continue // the first seal is gone or broken: checked by OK above
				}
				first := rep.Signatures[0]
				found := false
				for _, p := range first.Problems {
					if strings.HasPrefix(p.Code, "changed") && len(p.Args) > 0 && p.Args[0] == textKey(c.what) {
						found = true
					}
				}
				if !first.Intact || !found {
					t.Errorf("%s: first seal should be intact with a %s change: %v", name, c.what, first.Problems)
				}
			}
			rep, _ := Verify(t.Context(), resealed, VerifyOptions{Roots: roots, Now: testClock})
			if last := rep.Signatures[len(rep.Signatures)-1]; !last.Intact || len(last.Problems) != 0 || !last.CoversWholeDocument {
				t.Errorf("the second seal itself is fine: %+v", last)
			}
			if c.what == "" {
				return
			}
			// pdfsig sees two valid signatures and can only say that the
			// first does not cover the whole file.
			res := pdfsig(t, "", resealed)
			if len(res.signatures) != 2 || !strings.Contains(res.signatures[0], "Not total document signed") || !strings.Contains(res.signatures[1], "Total document signed") {
				t.Errorf("pdfsig:\n%s", res.out)
			}
		})
	}
}

// What a later signature (or long-term validation) adds is allowed.
func TestAllowedUpdatesAfterSealing(t *testing.T) {
	a := newSoftSigner(t, "Eerste Zegel")
	sealed := sealDoc(t, drawDoc(t, ChangeForm), a, true, sealInternals{})
	d := inspect(t, sealed)
	updates := map[string][]byte{
		"identical page written again": appendUpdate(t, sealed, func(u *update) { u.put(d.pages[0].ref, d.pages[0].dict) }),
		"document information updated": appendUpdate(t, sealed, func(u *update) {
			u.put(d.t.Trailer()["Info"].(cos.Ref), cos.Dict{"ModDate": cos.String{Value: []byte("D:20261124")}, "Producer": cos.String{Value: []byte("x")}})
		}),
		"DSS added": appendUpdate(t, sealed, func(u *update) {
			cert := u.alloc()
			u.put(cert, &cos.Stream{Dict: cos.Dict{}, Raw: a.chain[1].Raw})
			u.catalog()["DSS"] = cos.Dict{"Type": cos.Name("DSS"), "Certs": cos.Array{cert}}
		}),
	}
	for name, doc := range updates {
		t.Run(name, func(t *testing.T) {
			doc = sealDoc(t, doc, a, true, sealInternals{})
			rep, err := Verify(t.Context(), doc, VerifyOptions{Roots: a.roots(), Now: testClock})
			if err != nil || !rep.OK() {
				t.Errorf("refused: %v %+v", err, rep)
			}
		})
	}
}

// A seal taken out of the form before another is added is reported.
func TestRemovedSealIsReported(t *testing.T) {
	a, b := newSoftSigner(t, "Eerste Zegel"), newSoftSigner(t, "Tweede Zegel")
	sealed := sealDoc(t, drawDoc(t, ChangeForm), a, false, sealInternals{})
	d := inspect(t, sealed)
	stripped := appendUpdate(t, sealed, func(u *update) {
		form := d.form(t)
		form["Fields"] = cos.Array{}
		u.catalog()["AcroForm"] = form
	})
	resealed := sealDoc(t, stripped, b, false, sealInternals{})
	rep, err := Verify(t.Context(), resealed, VerifyOptions{Roots: b.roots(), Now: testClock})
	if err != nil || rep.OK() || len(rep.Problems) != 1 || rep.Problems[0].Code != "signature_removed" {
		t.Errorf("removed seal not reported: %v %+v", err, rep)
	}
}

// A signed page may refer to an object that does not exist yet (a
// reader draws nothing). Defining that object later changes the page
// without touching any signed object.
func TestDanglingReferenceDefinedLater(t *testing.T) {
	a, b := newSoftSigner(t, "Eerste Zegel"), newSoftSigner(t, "Tweede Zegel")
	doc := drawDoc(t, OrderNew)
	d := inspect(t, doc)
	dangling := cos.Ref{Num: 900}
	prepared := appendUpdate(t, doc, func(u *update) {
		res, _ := dictAt(d.t, d.pages[0].dict["Resources"])
		res = res.Clone()
		res["XObject"] = cos.Dict{"Later": dangling}
		draw := u.alloc()
		u.put(draw, &cos.Stream{Dict: cos.Dict{}, Raw: []byte("q /Later Do Q")})
		page := d.pages[0].dict.Clone()
		page["Resources"] = res
		page["Contents"] = cos.Array{d.contentRef(t, 0), draw}
		u.put(d.pages[0].ref, page)
	})
	sealed := sealDoc(t, prepared, a, false, sealInternals{})
	if s := newestSignature(t, sealed); s.ref.Num <= dangling.Num {
		t.Errorf("the seal took object number %d, below a number the document refers to (%d)", s.ref.Num, dangling.Num)
	}
	activated := appendUpdate(t, sealed, func(u *update) {
		u.put(dangling, &cos.Stream{Dict: cos.Dict{"Type": cos.Name("XObject"), "Subtype": cos.Name("Form"), "BBox": cos.Array{int64(0), int64(0), int64(600), int64(800)}},
			Raw: []byte("1 0 0 rg 40 200 500 400 re f")})
	})
	resealed := sealDoc(t, activated, b, false, sealInternals{})
	keep(t, "dangling", resealed)
	rep, err := Verify(t.Context(), resealed, VerifyOptions{Now: testClock})
	if err != nil || rep.OK() || !changedAfterSigning(rep.Signatures[0]) {
		t.Errorf("defining a referred-to object after sealing was not reported: %v %+v", err, rep)
	}
	if res := pdfsig(t, "", resealed); strings.Count(res.out, "Signature is Valid.") != 2 {
		t.Errorf("pdfsig:\n%s", res.out)
	}
}

// DocMDP: a certified document allows only what its P says.
func TestCertifiedDocuments(t *testing.T) {
	a, b := newSoftSigner(t, "Certificerend Zegel"), newSoftSigner(t, "Tweede Zegel")
	roots := a.roots()
	roots.AddCert(b.pki.Root)
	verify := func(t *testing.T, doc []byte) Report {
		t.Helper()
		rep, err := Verify(t.Context(), doc, VerifyOptions{Roots: roots, Now: testClock})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	for _, p := range []int{1, 2, 3} {
		certified := sealDoc(t, drawDoc(t, OrderNew), a, true, sealInternals{certify: p})
		if rep := verify(t, certified); !rep.OK() || rep.Signatures[0].Certification != p {
			t.Errorf("P=%d: certified document refused: %+v", p, rep)
		}
		if res := pdfsig(t, "", certified); !strings.Contains(res.out, "Signature is Valid.") {
			t.Errorf("P=%d: pdfsig:\n%s", p, res.out)
		}
		_, err := Seal(t.Context(), certified, SealOptions{Signer: b.key, Chain: b.chain, Time: testNow})
		if p == 1 {
			if !i18n.Is(err, "pdf.err.certified") {
				t.Errorf("P=1: sealing a certified document: %v", err)
			}
			forced := sealDoc(t, certified, b, true, sealInternals{skipMDPCheck: true})
			keep(t, "p1-sealed-again", forced)
			if rep := verify(t, forced); rep.OK() || !hasProblem(rep.Signatures[0], "changed_certified") {
				t.Errorf("P=1: a second seal was not reported: %+v", rep.Signatures[0].Problems)
			}
			continue
		}
		if err != nil {
			t.Errorf("P=%d: second seal refused: %v", p, err)
			continue
		}
		twice := sealDoc(t, certified, b, true, sealInternals{})
		if rep := verify(t, twice); !rep.OK() {
			t.Errorf("P=%d: second seal reported: %+v", p, rep)
		}
		d := inspect(t, certified)
		changed := sealDoc(t, appendUpdate(t, certified, func(u *update) { u.put(d.contentRef(t, 0), redStream()) }), b, true, sealInternals{})
		if rep := verify(t, changed); rep.OK() || !changedAfterSigning(rep.Signatures[0]) {
			t.Errorf("P=%d: content change not reported: %+v", p, rep.Signatures[0].Problems)
		}
	}
	// A certification must be the first signature.
	approved := sealDoc(t, drawDoc(t, OrderNew), b, false, sealInternals{})
	late := sealDoc(t, approved, a, false, sealInternals{certify: 2})
	if rep := verify(t, late); rep.OK() || !hasProblem(rep.Signatures[1], "certification_not_first") {
		t.Errorf("a late certification was accepted: %+v", rep)
	}
}

// loopDocuments are sealed documents with object graphs that loop or nest
// without end, each made by an update after sealing.
func loopDocuments(t testing.TB, sealed []byte) map[string][]byte {
	d := inspect(t, sealed)
	withForm := func(add func(u *update) cos.Object) []byte {
		return appendUpdate(t, sealed, func(u *update) {
			form := d.form(t)
			fields, _ := arrayAt(d.t, form["Fields"])
			form["Fields"] = append(fields, add(u))
			u.catalog()["AcroForm"] = form
		})
	}
	nested := strings.Repeat("[", 5000) + strings.Repeat("]", 5000)
	return map[string][]byte{
		// The file of the issue: a field whose /Kids holds itself.
		"field kids refer to the field": withForm(func(u *update) cos.Object {
			r := u.alloc()
			u.put(r, cos.Dict{"T": cos.String{Value: []byte("lus")}, "Kids": cos.Array{r, r}})
			return r
		}),
		// 60 levels of two kids each that are the same field: 2^60 paths.
		"field kids fan out": withForm(func(u *update) cos.Object {
			next := u.alloc()
			u.put(next, cos.Dict{"T": cos.String{Value: []byte("blad")}, "FT": cos.Name("Sig")})
			for i := 0; i < 60; i++ {
				r := u.alloc()
				u.put(r, cos.Dict{"T": cos.String{Value: []byte("n")}, "Kids": cos.Array{next, next}})
				next = r
			}
			return next
		}),
		"page tree loops": appendUpdate(t, sealed, func(u *update) {
			pagesRef := d.root["Pages"].(cos.Ref)
			pages, _ := dictAt(d.t, pagesRef)
			pages = pages.Clone()
			kids, _ := arrayAt(d.t, pages["Kids"])
			pages["Kids"] = append(kids, pagesRef)
			u.put(pagesRef, pages)
		}),
		"deeply nested page": appendUpdate(t, sealed, func(u *update) {
			u.put(d.pages[0].ref, rawBody(nested))
		}),
		"references refer to each other": appendUpdate(t, sealed, func(u *update) {
			a, b := u.alloc(), u.alloc()
			u.put(a, b)
			u.put(b, a)
			page := d.pages[0].dict.Clone()
			page["Resources"] = a
			u.put(d.pages[0].ref, page)
		}),
		"cross-reference sections loop": func() []byte {
			loop := appendRaw(t, sealed, map[cos.Ref]cos.Object{{Num: 1}: cos.Dict{}}, nil, nil)
			start := bytes.LastIndex(loop, []byte("\nxref\n")) + 1
			tr := bytes.LastIndex(loop, []byte("/Prev "))
			// Point /Prev at this section itself (same number of digits).
			digits := fmt.Sprint(start)
			old := loop[tr+6 : tr+6+bytes.IndexAny(loop[tr+6:], " >")]
			if len(old) != len(digits) {
				t.Skip("offsets differ in length")
			}
			copy(loop[tr+6:], digits)
			return loop
		}(),
	}
}

// Defect 3: every walk of the object graph ends, with a clear message,
// and the verifier stops when its context ends.
func TestLoopsAndDeepNestingEnd(t *testing.T) {
	a := newSoftSigner(t, "Zegel")
	sealed := sealDoc(t, drawDoc(t, OrderRevoke), a, false, sealInternals{})
	for name, doc := range loopDocuments(t, sealed) {
		t.Run(name, func(t *testing.T) {
			keep(t, "loop", doc)
			rep, err := Verify(t.Context(), doc, VerifyOptions{Now: testClock})
			if err == nil && rep.OK() {
				t.Fatalf("accepted: %+v", rep)
			}
			if err != nil {
				msg := i18n.Localize(i18n.NL, err)
				if !strings.HasPrefix(msg, "PDF is beschadigd") || len(msg) > 300 {
					t.Errorf("message: %q", msg)
				}
			}
			// Sealing it either refuses, or makes a document the verifier
			// still refuses (the change after the first seal stays).
			if again, err := Seal(t.Context(), doc, SealOptions{Signer: a.key, Chain: a.chain, Time: testNow}); err == nil {
				if rep, err := Verify(t.Context(), again, VerifyOptions{Now: testClock}); err == nil && rep.OK() {
					t.Error("sealed again and accepted")
				}
			}
		})
	}
}

func TestVerifyStopsWhenCancelled(t *testing.T) {
	a := newSoftSigner(t, "Zegel")
	sealed := sealDoc(t, drawDoc(t, OrderRevoke), a, false, sealInternals{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Verify(ctx, sealed, VerifyOptions{Now: testClock}); !i18n.Is(err, "err.context_canceled") {
		t.Errorf("cancelled: %v", err)
	}
	if _, err := Seal(ctx, sealed, SealOptions{Signer: a.key, Chain: a.chain, Time: testNow}); !i18n.Is(err, "err.context_canceled") {
		t.Errorf("cancelled seal: %v", err)
	}
}

// Why a chain is not trusted is said in the user's language, not in Go's
// English x509 text.
func TestChainReasonInWords(t *testing.T) {
	for err, want := range map[error]string{
		x509.UnknownAuthorityError{}:                                 "niet in het vertrouwensarchief",
		x509.CertificateInvalidError{Reason: x509.Expired}:           "verlopen",
		x509.CertificateInvalidError{Reason: x509.IncompatibleUsage}: "niet voor worden gebruikt",
	} {
		got := problem("chain", chainReason(err)).Text(i18n.NL)
		if !strings.Contains(got, want) || strings.Contains(got, "x509:") {
			t.Errorf("%v: %q", err, got)
		}
	}
}
