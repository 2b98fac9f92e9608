package pdfseal

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"
)

// minimalPDF is a one-page PDF written by hand: small, so that each fuzz
// execution stays fast.
func minimalPDF() []byte {
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 300] /Contents 4 0 R /Resources << >> >>",
		"<< /Length 23 >>\nstream\n0 0 1 rg 10 10 50 50 re f\nendstream",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f\r\n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n\r\n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

// fuzzCorpus: sealed documents, also with self-references, deep nesting,
// object streams, a certification and the wrapping attack.
func fuzzCorpus(t testing.TB) [][]byte {
	a := newSoftSigner(t, "Fuzz Zegel")
	small := minimalPDF()
	once := sealDoc(t, small, a, false, sealInternals{})
	twice := sealDoc(t, once, a, true, sealInternals{})
	corpus := [][]byte{small, once, twice,
		sealDoc(t, small, a, false, sealInternals{certify: 1}),
		wrapSignature(t, once),
	}
	for _, doc := range loopDocuments(t, once) {
		corpus = append(corpus, doc)
	}
	return corpus
}

// FuzzVerify: the verifier reads hostile PDFs. It must return, without
// panicking, and a report that calls the document OK must hold only intact
// signatures, the newest covering the file.
func FuzzVerify(f *testing.F) {
	for _, doc := range fuzzCorpus(f) {
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		rep, err := Verify(ctx, data, VerifyOptions{Now: testClock})
		if ctx.Err() != nil {
			t.Fatal("Verify did not finish")
		}
		if err == nil && rep.OK() {
			for _, s := range rep.Signatures {
				if !s.Intact || s.Signer == nil || s.Revision < 0 {
					t.Fatalf("OK report with a broken signature: %+v", s)
				}
			}
			if !rep.Signatures[len(rep.Signatures)-1].CoversWholeDocument {
				t.Fatal("OK report whose newest signature leaves bytes out")
			}
		}
	})
}

// FuzzSealThenVerify: whatever Seal accepts, the verifier accepts once
// sealed. (Without the visible stamp: drawing it takes tens of
// milliseconds, FuzzPlaceStamp covers its placement.)
func FuzzSealThenVerify(f *testing.F) {
	a := newSoftSigner(f, "Fuzz Zegel")
	f.Add(minimalPDF())
	f.Fuzz(func(t *testing.T, data []byte) {
		sealed, err := Seal(context.Background(), data, SealOptions{Signer: a.key, Chain: a.chain, Time: testNow})
		if err != nil {
			return
		}
		rep, err := Verify(context.Background(), sealed, VerifyOptions{Now: testClock})
		if err != nil {
			t.Fatalf("Verify of a sealed document: %v", err)
		}
		newest := rep.Signatures[len(rep.Signatures)-1]
		if !newest.Intact || !newest.CoversWholeDocument || len(newest.Problems) > 0 {
			t.Fatalf("the new seal does not verify: %+v", newest)
		}
	})
}

// FuzzPlaceStamp: for any page box, turn and earlier annotation, a placed
// stamp lies inside the visible area and clear of the annotation.
func FuzzPlaceStamp(f *testing.F) {
	f.Add(0.0, 0.0, 595.0, 842.0, 90, 36.0, 50.0, 286.0, 98.0)
	f.Fuzz(func(t *testing.T, x1, y1, x2, y2 float64, rotate int, ax1, ay1, ax2, ay2 float64) {
		for _, v := range []float64{x1, y1, x2, y2, ax1, ay1, ax2, ay2} {
			if v != v || v > 1e7 || v < -1e7 {
				return
			}
		}
		vis := box{min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)}
		p := pageInfo{media: vis, crop: vis, rotate: ((rotate%4 + 4) % 4) * 90}
		other := box{min(ax1, ax2), min(ay1, ay2), max(ax1, ax2), max(ay1, ay2)}
		r, ok := placeStamp(p, []box{other}, stampW, stampH)
		if ok && (!r.inside(vis) || r.overlaps(other)) {
			t.Fatalf("stamp %v outside %v or over %v", r, vis, other)
		}
	})
}
