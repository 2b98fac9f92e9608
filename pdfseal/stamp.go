package pdfseal

import (
	"bytes"
	"fmt"
	"time"

	"github.com/jung-kurt/gofpdf"

	"pkiodesk/app/i18n"
	"pkiodesk/pdfseal/internal/cos"
)

// The visible seal: a frame with three lines, drawn by gofpdf with the
// embedded DejaVu Sans (a subset of the glyphs used, so every Latin name
// shows: ş, Ł, ź …), then imported into the document as the widget's
// appearance.
const (
	stampW, stampH = 250.0, 48.0 // as the reader sees it, in points
	stampGap       = 8.0
	stampLeft      = 36.0
	stampBottom    = 50.0 // above a typical footer
	stampPad       = 6.0
)

// visibleStamp places the stamp on the page and adds its appearance.
func (u *update) visibleStamp(p pageInfo, name string, t time.Time) (box, cos.Ref, error) {
	occupied, err := annotationBoxes(u.t, p)
	if err != nil {
		return box{}, cos.Ref{}, damaged(u.ctx, err)
	}
	rect, ok := placeStamp(p, occupied, stampW, stampH)
	if !ok {
		return box{}, cos.Ref{}, i18n.E("pdf.err.no_room", nil)
	}
	drawing, err := stampPDF(stampW, stampH, name, t)
	if err != nil {
		return box{}, cos.Ref{}, err
	}
	ap, err := u.importStamp(drawing, stampW, stampH, p.rotate)
	if err != nil {
		return box{}, cos.Ref{}, err
	}
	return rect, ap, nil
}

// annotationBoxes returns the rectangles of a page's annotations.
func annotationBoxes(t *cos.Table, p pageInfo) ([]box, error) {
	annots, err := arrayAt(t, p.dict["Annots"])
	if err != nil {
		return nil, err
	}
	var out []box
	for _, a := range annots {
		d, err := dictAt(t, a)
		if err != nil {
			return nil, err
		}
		if b, ok := boxOf(t, d["Rect"]); ok && b.w() > 0 && b.h() > 0 {
			out = append(out, b)
		}
	}
	return out, nil
}

// placeStamp finds room for a w x h stamp (as shown, after /Rotate) in the
// page's visible area, clear of the given boxes: from the bottom left,
// along the bottom, then row by row upwards. It returns the stamp's
// rectangle in the page's own coordinates.
func placeStamp(p pageInfo, occupied []box, w, h float64) (box, bool) {
	vis := p.crop
	W, H := vis.w(), vis.h()
	if p.rotate == 90 || p.rotate == 270 {
		W, H = H, W
	}
	try := func(x, y float64) (box, bool) {
		r := toUser(p, box{x, y, x + w, y + h})
		if !r.inside(vis) {
			return box{}, false
		}
		for _, o := range occupied {
			if r.overlaps(o) {
				return box{}, false
			}
		}
		return r, true
	}
	for y := stampBottom; y+h <= H-stampGap; y += h + stampGap {
		for x := stampLeft; x+w <= W-stampGap; x += w + stampGap {
			if r, ok := try(x, y); ok {
				return r, true
			}
		}
	}
	// A small page: anywhere it fits.
	for y := 0.0; y+h <= H; y += h / 2 {
		for x := 0.0; x+w <= W; x += w / 4 {
			if r, ok := try(x, y); ok {
				return r, true
			}
		}
	}
	return box{}, false
}

// toUser turns a rectangle in shown coordinates (origin at the shown
// page's bottom left) into the page's own coordinates.
func toUser(p pageInfo, d box) box {
	v := p.crop
	pt := func(dx, dy float64) (float64, float64) {
		switch p.rotate {
		case 90:
			return v.x2 - dy, v.y1 + dx
		case 180:
			return v.x2 - dx, v.y2 - dy
		case 270:
			return v.x1 + dy, v.y2 - dx
		}
		return v.x1 + dx, v.y1 + dy
	}
	x1, y1 := pt(d.x1, d.y1)
	x2, y2 := pt(d.x2, d.y2)
	return box{min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)}
}

// stampMatrix turns the appearance with the page, so that it reads upright
// when the page is shown turned clockwise by rotate degrees.
func stampMatrix(rotate int) cos.Array {
	m := map[int][4]int64{0: {1, 0, 0, 1}, 90: {0, 1, -1, 0}, 180: {-1, 0, 0, -1}, 270: {0, -1, 1, 0}}[rotate]
	return cos.Array{m[0], m[1], m[2], m[3], int64(0), int64(0)}
}

// stampPDF draws the stamp as a one-page PDF.
func stampPDF(w, h float64, name string, t time.Time) ([]byte, error) {
	pdf := gofpdf.NewCustom(&gofpdf.InitType{OrientationStr: "P", UnitStr: "pt", Size: gofpdf.SizeType{Wd: w, Ht: h}})
	pdf.SetCompression(true)
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetCreationDate(t)
	// One font: each costs a parse of the whole TrueType file.
	pdf.AddUTF8FontFromBytes("dejavu", "", fontRegular)
	pdf.AddPage()
	pdf.SetDrawColor(21, 66, 115)
	pdf.SetLineWidth(1)
	pdf.Rect(0.5, 0.5, w-1, h-1, "D")
	pdf.SetTextColor(21, 66, 115)
	lines := []struct {
		style string
		size  float64
		text  string
	}{
		{"", 7.5, "Elektronisch verzegeld / electronically sealed"},
		{"", 10.5, name},
		{"", 7.5, t.Format("2006-01-02 15:04:05 MST")},
	}
	y := 12.0
	for _, l := range lines {
		size, text := l.size, l.text
		pdf.SetFont("dejavu", l.style, size)
		for pdf.GetStringWidth(text) > w-2*stampPad && size > 5 {
			size -= 0.5
			pdf.SetFont("dejavu", l.style, size)
		}
		for r := []rune(text); pdf.GetStringWidth(text) > w-2*stampPad && len(r) > 1; {
			r = r[:len(r)-1]
			text = string(r) + "…"
		}
		pdf.Text(stampPad, y, text)
		y += 14
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdfseal: drawing the stamp: %w", err)
	}
	return buf.Bytes(), nil
}

// importStamp copies the stamp's page into the update as a form XObject,
// with its fonts and other resources as new objects.
func (u *update) importStamp(drawing []byte, w, h float64, rotate int) (cos.Ref, error) {
	src, err := cos.Open(u.ctx, drawing)
	if err != nil {
		return cos.Ref{}, fmt.Errorf("pdfseal: reading the stamp: %w", err)
	}
	t := src.Table(len(src.Revisions) - 1)
	root, _, err := catalog(t)
	if err != nil {
		return cos.Ref{}, fmt.Errorf("pdfseal: reading the stamp: %w", err)
	}
	pages, err := pageList(u.ctx, t, root)
	if err != nil || len(pages) != 1 {
		return cos.Ref{}, fmt.Errorf("pdfseal: reading the stamp: %v", err)
	}
	content, err := t.Deref(pages[0].dict["Contents"])
	st, ok := content.(*cos.Stream)
	if err != nil || !ok {
		return cos.Ref{}, fmt.Errorf("pdfseal: the stamp has no content stream")
	}
	c := &copier{src: t, u: u, mapped: map[cos.Ref]cos.Ref{}}
	res, err := c.value(pages[0].dict["Resources"], 0)
	if err != nil {
		return cos.Ref{}, err
	}
	form := cos.Dict{
		"Type": cos.Name("XObject"), "Subtype": cos.Name("Form"),
		"BBox": cos.Array{int64(0), int64(0), w, h}, "Matrix": stampMatrix(rotate), "Resources": res,
	}
	for _, k := range []cos.Name{"Filter", "DecodeParms"} {
		if v, ok := st.Dict[k]; ok {
			form[k] = v
		}
	}
	ref := u.alloc()
	u.put(ref, &cos.Stream{Dict: form, Raw: st.Raw})
	return ref, nil
}

// copier copies objects from another file into the update, giving each a
// new number.
type copier struct {
	src    *cos.Table
	u      *update
	mapped map[cos.Ref]cos.Ref
}

const maxCopied = 10_000

func (c *copier) value(v cos.Object, depth int) (cos.Object, error) {
	if depth > cos.MaxDepth {
		return nil, fmt.Errorf("pdfseal: stamp objects nested too deeply")
	}
	switch x := v.(type) {
	case cos.Ref:
		if r, ok := c.mapped[x]; ok {
			return r, nil
		}
		if len(c.mapped) > maxCopied {
			return nil, fmt.Errorf("pdfseal: stamp has too many objects")
		}
		r := c.u.alloc()
		c.mapped[x] = r
		obj, err := c.src.Resolve(x)
		if err != nil {
			return nil, err
		}
		var body cos.Object
		if obj != nil {
			if body, err = c.value(obj.Value, depth+1); err != nil {
				return nil, err
			}
		}
		c.u.put(r, body)
		return r, nil
	case cos.Array:
		out := make(cos.Array, len(x))
		for i, e := range x {
			var err error
			if out[i], err = c.value(e, depth+1); err != nil {
				return nil, err
			}
		}
		return out, nil
	case cos.Dict:
		out := cos.Dict{}
		for k, e := range x {
			var err error
			if out[k], err = c.value(e, depth+1); err != nil {
				return nil, err
			}
		}
		return out, nil
	case *cos.Stream:
		d, err := c.value(x.Dict, depth+1)
		if err != nil {
			return nil, err
		}
		dict := d.(cos.Dict)
		delete(dict, "Length")
		return &cos.Stream{Dict: dict, Raw: x.Raw}, nil
	}
	return v, nil
}
