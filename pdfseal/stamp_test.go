package pdfseal

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"pkiodesk/internal/fixture"
	"pkiodesk/pdfseal/internal/cos"
)

// stampRects returns the rectangles of the signature widgets on the last
// page, and that page.
func stampRects(t testing.TB, data []byte) ([]box, pageInfo) {
	t.Helper()
	d := inspect(t, data)
	p := d.pages[len(d.pages)-1]
	annots, _ := arrayAt(d.t, p.dict["Annots"])
	var out []box
	for _, a := range annots {
		ad, _ := dictAt(d.t, a)
		if ad["FT"] != cos.Name("Sig") {
			continue
		}
		if b, ok := boxOf(d.t, ad["Rect"]); ok && b.w() > 0 {
			out = append(out, b)
		}
	}
	return out, p
}

// word is a word as pdftotext places it on the shown page (y downwards).
type word struct {
	text                   string
	xMin, yMin, xMax, yMax float64
}

var wordRE = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)
var pageRE = regexp.MustCompile(`<page width="([\d.]+)" height="([\d.]+)">`)

// shownWords runs pdftotext on the last page.
func shownWords(t testing.TB, data []byte) (words []word, w, h float64) {
	t.Helper()
	bin := fixture.Program(t, "pdftotext")
	f := filepath.Join(t.TempDir(), "doc.pdf")
	os.WriteFile(f, data, 0o600)
	out, err := exec.Command(bin, "-bbox", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	pages := strings.Split(string(out), "<page ")
	last := "<page " + pages[len(pages)-1]
	if m := pageRE.FindStringSubmatch(last); m != nil {
		w, _ = strconv.ParseFloat(m[1], 64)
		h, _ = strconv.ParseFloat(m[2], 64)
	}
	for _, m := range wordRE.FindAllStringSubmatch(last, -1) {
		var n [4]float64
		for i := range n {
			n[i], _ = strconv.ParseFloat(m[i+1], 64)
		}
		words = append(words, word{m[5], n[0], n[1], n[2], n[3]})
	}
	return words, w, h
}

// Defect 7: each new stamp goes where no earlier one is, inside the
// visible area, upright however the page is turned.
func TestStampPlacement(t *testing.T) {
	a := newSoftSigner(t, "Gemeente Voorbeeldstad eSeal")
	base := drawDoc(t, OrderNew)
	d := inspect(t, base)
	for _, rotate := range []int{0, 90, 180, 270} {
		t.Run("rotate "+strconv.Itoa(rotate), func(t *testing.T) {
			// A page turned by /Rotate, showing only part of its MediaBox.
			doc := appendUpdate(t, base, func(u *update) {
				page := d.pages[0].dict.Clone()
				page["Rotate"] = int64(rotate)
				page["CropBox"] = cos.Array{int64(30), int64(40), int64(560), int64(800)}
				u.put(d.pages[0].ref, page)
			})
			for i := 0; i < 4; i++ {
				doc = sealDoc(t, doc, a, true, sealInternals{})
			}
			keep(t, "stamps", doc)
			if rep, err := Verify(t.Context(), doc, VerifyOptions{Roots: a.roots(), Now: testClock}); err != nil || !rep.OK() {
				t.Errorf("Verify: %v %+v", err, rep)
			}
			if res := pdfsig(t, "", doc); strings.Count(res.out, "Signature is Valid.") != 4 {
				t.Errorf("pdfsig:\n%s", res.out)
			}
			rects, page := stampRects(t, doc)
			if len(rects) != 4 || page.rotate != rotate {
				t.Fatalf("%d stamps, rotate %d", len(rects), page.rotate)
			}
			for i, r := range rects {
				if !r.inside(page.crop) {
					t.Errorf("stamp %d %v lies outside the CropBox %v", i, r, page.crop)
				}
				for j := range i {
					if r.overlaps(rects[j]) {
						t.Errorf("stamps %d and %d overlap: %v %v", j, i, rects[j], r)
					}
				}
			}
			// The first stamp sits at the bottom left of the page as shown.
			shown := toUser(page, box{stampLeft, stampBottom, stampLeft + stampW, stampBottom + stampH})
			if rects[0] != shown {
				t.Errorf("first stamp at %v, want %v", rects[0], shown)
			}
			// The appearance turns with the page: its x axis runs to the
			// right of the shown page, its y axis upwards.
			x0, y0 := corner(toUser(page, box{0, 0, 0, 0}))
			xr, yr := corner(toUser(page, box{1, 0, 1, 0}))
			xu, yu := corner(toUser(page, box{0, 1, 0, 1}))
			m := stampMatrix(rotate)
			if m[0] != int64(xr-x0) || m[1] != int64(yr-y0) || m[2] != int64(xu-x0) || m[3] != int64(yu-y0) {
				t.Errorf("matrix %v does not follow the page", m)
			}
			if rotate%180 != 0 {
				return // pdftotext reports turned pages in another frame; the PNGs were checked by eye
			}
			// Read as shown: every stamp's first line reads left to right
			// above its last line, in the bottom half of the shown page.
			words, _, h := shownWords(t, doc)
			var first, second, last []word
			for _, wd := range words {
				switch wd.text {
				case "Elektronisch":
					first = append(first, wd)
				case "verzegeld":
					second = append(second, wd)
				case "2026-11-23":
					last = append(last, wd)
				}
			}
			if len(first) != 4 || len(second) != 4 || len(last) != 4 {
				t.Fatalf("stamp text not found as words: %d %d %d", len(first), len(second), len(last))
			}
			for i := range first {
				f, s, l := first[i], second[i], last[i]
				if f.xMax-f.xMin < 3*(f.yMax-f.yMin) || s.xMin < f.xMax || l.yMin < f.yMax || f.yMin < h/2 {
					t.Errorf("stamp %d is not upright at the bottom: %+v %+v %+v", i, f, s, l)
				}
			}
		})
	}
}

// The stamp font is DejaVu, embedded, and shows names in any Latin script.
func TestStampFontCoversNames(t *testing.T) {
	name := "Gemeente Voorbeeldstad eSeal Şükrü Łukasz Źdźbło"
	a := newSoftSigner(t, name)
	sealed := sealDoc(t, drawDoc(t, OrderNew), a, true, sealInternals{})
	keep(t, "sealed", sealed)
	f := filepath.Join(t.TempDir(), "doc.pdf")
	os.WriteFile(f, sealed, 0o600)
	out, err := exec.Command(fixture.Program(t, "pdffonts"), f).CombinedOutput()
	if err != nil {
		t.Fatalf("pdffonts: %v %s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")[2:]
	if len(lines) < 3 { // the document's two fonts and the stamp's one
		t.Errorf("pdffonts:\n%s", out)
	}
	for _, l := range lines {
		if fields := strings.Fields(l); len(fields) < 7 || !strings.HasPrefix(fields[0], "utf8dejavu") || fields[len(fields)-5] != "yes" {
			t.Errorf("font not embedded DejaVu: %s", l)
		}
	}
	text, err := exec.Command(fixture.Program(t, "pdftotext"), f, "-").Output()
	if err != nil || !strings.Contains(string(text), name) {
		t.Errorf("the name does not come out of the stamp: %v\n%s", err, text)
	}
}

func corner(b box) (float64, float64) { return b.x1, b.y1 }

func TestPlaceStamp(t *testing.T) {
	a4 := pageInfo{media: box{0, 0, 595, 842}, crop: box{0, 0, 595, 842}}
	var occupied []box
	for i := 0; i < 100; i++ {
		r, ok := placeStamp(a4, occupied, stampW, stampH)
		if !ok {
			if i < 20 {
				t.Fatalf("only %d stamps fit on A4", i)
			}
			break
		}
		for _, o := range occupied {
			if r.overlaps(o) {
				t.Fatalf("stamp %d overlaps", i)
			}
		}
		occupied = append(occupied, r)
	}
	tiny := pageInfo{media: box{0, 0, 100, 100}, crop: box{0, 0, 100, 100}}
	if _, ok := placeStamp(tiny, nil, stampW, stampH); ok {
		t.Error("a stamp placed on a page smaller than it")
	}
}
