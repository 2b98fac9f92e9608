package pdfseal

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
	"unicode/utf16"

	"pkiodesk/app/i18n"
	"pkiodesk/pdfseal/internal/cos"
)

// Limits on the walks of a document's object graph: a hostile file can make
// trees that loop or nest without end.
const (
	maxFieldDepth = 32
	maxFields     = 20_000
	maxPageDepth  = 64
	maxPages      = 200_000
	equalDepth    = 64 // how deep values are compared
)

// openPDF parses a PDF's structure. encryptedKey is the message for an
// encrypted file (sealing and verifying say it differently).
func openPDF(ctx context.Context, data []byte, encryptedKey string) (*cos.File, error) {
	f, err := cos.Open(ctx, data)
	switch {
	case err == nil:
		return f, nil
	case ctx.Err() != nil:
		return nil, i18n.E("err.context_canceled", ctx.Err())
	case errors.Is(err, cos.ErrEncrypted):
		return nil, i18n.E(encryptedKey, nil)
	case errors.Is(err, cos.ErrNotPDF):
		return nil, i18n.E("pdf.err.not_pdf", nil)
	}
	return nil, i18n.E("pdf.err.damaged", err)
}

// damaged wraps a structure error for the user.
func damaged(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return i18n.E("err.context_canceled", ctx.Err())
	}
	return i18n.E("pdf.err.damaged", err)
}

// catalog returns the document catalog of a revision.
func catalog(t *cos.Table) (cos.Dict, cos.Ref, error) {
	ref, ok := t.Trailer()["Root"].(cos.Ref)
	if !ok {
		return nil, cos.Ref{}, errors.New("the trailer names no document catalog")
	}
	obj, err := t.Resolve(ref)
	if err != nil {
		return nil, ref, err
	}
	if obj == nil {
		return nil, ref, errors.New("the document catalog is missing")
	}
	d, ok := obj.Value.(cos.Dict)
	if !ok {
		return nil, ref, errors.New("the document catalog is not a dictionary")
	}
	return d, ref, nil
}

// dictAt follows v to a dictionary; anything else is nil.
func dictAt(t *cos.Table, v cos.Object) (cos.Dict, error) {
	x, err := t.Deref(v)
	if err != nil {
		return nil, err
	}
	d, _ := x.(cos.Dict)
	return d, nil
}

func arrayAt(t *cos.Table, v cos.Object) (cos.Array, error) {
	x, err := t.Deref(v)
	if err != nil {
		return nil, err
	}
	a, _ := x.(cos.Array)
	return a, nil
}

// formField is a terminal field of a document's form.
type formField struct {
	name  string
	ref   cos.Ref
	isRef bool
	dict  cos.Dict
	ft    cos.Name   // own or inherited field type
	v     cos.Object // own or inherited value, unresolved
}

// formFields lists the terminal fields of the form, in tree order. A field
// tree that loops, shares nodes, nests too deep or is too large is an
// error.
func formFields(ctx context.Context, t *cos.Table, root cos.Dict) ([]formField, error) {
	form, err := dictAt(t, root["AcroForm"])
	if err != nil || form == nil {
		return nil, err
	}
	fields, err := arrayAt(t, form["Fields"])
	if err != nil {
		return nil, err
	}
	seen := map[cos.Ref]bool{}
	var out []formField
	count := 0
	var walk func(v cos.Object, parent string, ft cos.Name, val cos.Object, depth int) error
	walk = func(v cos.Object, parent string, ft cos.Name, val cos.Object, depth int) error {
		if depth > maxFieldDepth {
			return errors.New("form fields nested too deeply")
		}
		if count++; count > maxFields {
			return errors.New("too many form fields")
		}
		if count%256 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		ref, isRef := v.(cos.Ref)
		if isRef {
			if seen[ref] {
				return fmt.Errorf("form field %d appears twice in the field tree (a loop)", ref.Num)
			}
			seen[ref] = true
		}
		d, err := dictAt(t, v)
		if err != nil {
			return err
		}
		if d == nil {
			return nil
		}
		name := parent
		if s, ok := d["T"].(cos.String); ok {
			if name != "" {
				name += "."
			}
			name += textString(s.Value)
		}
		if n, ok := d["FT"].(cos.Name); ok {
			ft = n
		}
		if x, ok := d["V"]; ok {
			val = x
		}
		kids, err := arrayAt(t, d["Kids"])
		if err != nil {
			return err
		}
		fieldKids := false
		for _, k := range kids {
			kd, err := dictAt(t, k)
			if err != nil {
				return err
			}
			if _, ok := kd["T"]; ok {
				fieldKids = true
				break
			}
		}
		if !fieldKids {
			out = append(out, formField{name: name, ref: ref, isRef: isRef, dict: d, ft: ft, v: val})
			return nil
		}
		for _, k := range kids {
			if err := walk(k, name, ft, val, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	for _, f := range fields {
		if err := walk(f, "", "", nil, 0); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// box is a rectangle, normalised so that x1 <= x2 and y1 <= y2.
type box struct{ x1, y1, x2, y2 float64 }

func (b box) w() float64 { return b.x2 - b.x1 }
func (b box) h() float64 { return b.y2 - b.y1 }

func (b box) intersect(o box) box {
	r := box{max(b.x1, o.x1), max(b.y1, o.y1), min(b.x2, o.x2), min(b.y2, o.y2)}
	if r.x2 < r.x1 || r.y2 < r.y1 {
		return box{}
	}
	return r
}

func (b box) overlaps(o box) bool {
	return b.x1 < o.x2 && o.x1 < b.x2 && b.y1 < o.y2 && o.y1 < b.y2
}

func (b box) inside(o box) bool {
	return b.x1 >= o.x1 && b.y1 >= o.y1 && b.x2 <= o.x2 && b.y2 <= o.y2
}

// boxOf reads a rectangle; ok is false for anything else.
func boxOf(t *cos.Table, v cos.Object) (box, bool) {
	a, err := arrayAt(t, v)
	if err != nil || len(a) != 4 {
		return box{}, false
	}
	var n [4]float64
	for i, x := range a {
		x, err := t.Deref(x)
		f, ok := cos.NumberOf(x)
		if err != nil || !ok || math.IsNaN(f) || math.Abs(f) > 1e7 {
			return box{}, false
		}
		n[i] = f
	}
	return box{min(n[0], n[2]), min(n[1], n[3]), max(n[0], n[2]), max(n[1], n[3])}, true
}

// pageInfo is a page with its inherited attributes.
type pageInfo struct {
	ref    cos.Ref
	dict   cos.Dict
	media  box
	crop   box // the visible area: CropBox within MediaBox
	rotate int // 0, 90, 180 or 270: how far the page turns clockwise when shown
}

// pageList walks the page tree. A tree that loops, shares nodes, nests too
// deep or is too large is an error.
func pageList(ctx context.Context, t *cos.Table, root cos.Dict) ([]pageInfo, error) {
	ref, ok := root["Pages"].(cos.Ref)
	if !ok {
		return nil, errors.New("the catalog has no page tree")
	}
	seen := map[cos.Ref]bool{}
	var out []pageInfo
	type inherited struct {
		media, crop cos.Object
		rotate      cos.Object
	}
	var walk func(ref cos.Ref, in inherited, depth int) error
	walk = func(ref cos.Ref, in inherited, depth int) error {
		if depth > maxPageDepth {
			return errors.New("page tree nested too deeply")
		}
		if seen[ref] {
			return fmt.Errorf("page tree node %d appears twice (a loop)", ref.Num)
		}
		seen[ref] = true
		if len(seen) > maxPages {
			return errors.New("too many pages")
		}
		if len(seen)%256 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		d, err := dictAt(t, ref)
		if err != nil {
			return err
		}
		if d == nil {
			return fmt.Errorf("page tree node %d is missing", ref.Num)
		}
		if x, ok := d["MediaBox"]; ok {
			in.media = x
		}
		if x, ok := d["CropBox"]; ok {
			in.crop = x
		}
		if x, ok := d["Rotate"]; ok {
			in.rotate = x
		}
		kids, err := arrayAt(t, d["Kids"])
		if err != nil {
			return err
		}
		if d["Type"] == cos.Name("Page") || d["Type"] != cos.Name("Pages") && d["Kids"] == nil {
			p := pageInfo{ref: ref, dict: d}
			var ok bool
			if p.media, ok = boxOf(t, in.media); !ok || p.media.w() <= 0 || p.media.h() <= 0 {
				p.media = box{0, 0, 595.28, 841.89} // A4, as readers assume
			}
			p.crop = p.media
			if c, ok := boxOf(t, in.crop); ok {
				if v := c.intersect(p.media); v.w() > 0 && v.h() > 0 {
					p.crop = v
				}
			}
			if r, err := t.Deref(in.rotate); err == nil {
				if n, ok := cos.IntOf(r); ok {
					p.rotate = int(((n%360)+360)%360) / 90 * 90
				}
			}
			out = append(out, p)
			return nil
		}
		for _, k := range kids {
			kr, ok := k.(cos.Ref)
			if !ok {
				return errors.New("page tree kid is not a reference")
			}
			if err := walk(kr, in, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(ref, inherited{}, 0); err != nil {
		return nil, err
	}
	return out, nil
}

// textString decodes a PDF text string: UTF-16BE with a byte order mark,
// UTF-8 with one (PDF 2.0), or PDFDocEncoding (read as Latin-1, which
// agrees for letters).
func textString(b []byte) string {
	switch {
	case len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF:
		u := make([]uint16, 0, len(b)/2)
		for i := 2; i+1 < len(b); i += 2 {
			u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
		}
		return string(utf16.Decode(u))
	case len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF:
		return string(b[3:])
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// parsePDFDate reads D:YYYYMMDDHHmmSS+HH'mm' (the later parts optional).
func parsePDFDate(s string) (time.Time, error) {
	if len(s) >= 2 && s[:2] == "D:" {
		s = s[2:]
	}
	if len(s) < 4 {
		return time.Time{}, errors.New("not a PDF date")
	}
	digits := s
	for i, c := range s {
		if c < '0' || c > '9' {
			digits = s[:i]
			break
		}
	}
	if len(digits) > 14 || len(digits)%2 != 0 {
		return time.Time{}, errors.New("not a PDF date")
	}
	full := digits + "0101000000"[len(digits)-4:]
	t, err := time.Parse("20060102150405", full)
	if err != nil {
		return time.Time{}, err
	}
	rest := s[len(digits):]
	loc := time.UTC
	if len(rest) >= 3 && (rest[0] == '+' || rest[0] == '-') {
		var hh, mm int
		fmt.Sscanf(rest[1:3], "%d", &hh)
		if len(rest) >= 6 {
			fmt.Sscanf(rest[4:6], "%d", &mm)
		}
		off := hh*3600 + mm*60
		if rest[0] == '-' {
			off = -off
		}
		loc = time.FixedZone("", off)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc), nil
}
