package cos

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"strings"
	"testing"
)

func parseOne(s string) (Object, error) {
	l := &lexer{buf: []byte(s), base: 0}
	return l.parse(0)
}

func TestLexer(t *testing.T) {
	cases := []struct {
		in   string
		want Object
	}{
		{"null", nil},
		{"true", true},
		{"-12", int64(-12)},
		{"+.5", 0.5},
		{"3.", 3.0},
		{"99999999999999999999", 1e20},
		{"/A#20B", Name("A B")},
		{"/", Name("")},
		{"(a\\(b\\)c\\n\\101\\\r\nx)", String{Value: []byte("a(b)c\nAx")}},
		{"(nested (parens) ok)", String{Value: []byte("nested (parens) ok")}},
		{"(line\r\nend)", String{Value: []byte("line\nend")}},
		{"<48 65 6c6C 6>", String{Value: []byte("Hell`")}},
		{"[1 0 R 2 (x)]", Array{Ref{Num: 1}, int64(2), String{Value: []byte("x")}}},
		{"[1 2 3 R]", Array{int64(1), Ref{Num: 2, Gen: 3}}},
		{"<< /A 1 /B null /C << /D [] >> >>", Dict{"A": int64(1), "C": Dict{"D": Array{}}}},
		{"% comment\n/X", Name("X")},
	}
	for _, c := range cases {
		got, err := parseOne(c.in)
		if err != nil || !Equal(got, c.want, 20) {
			t.Errorf("%q: %#v %v, want %#v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "(open", "<4", "<zz>", "<< /A 1", "<< 1 2 >>", "<< /A 1 /A 2 >>", "]", "obj", "{",
		strings.Repeat("[", MaxDepth+2) + strings.Repeat("]", MaxDepth+2)} {
		if v, err := parseOne(bad); err == nil {
			t.Errorf("%q parsed as %#v", bad, v)
		} else if len(err.Error()) > 80 {
			t.Errorf("%q: message too long: %v", bad, err)
		}
	}
}

func TestWriteReadsBack(t *testing.T) {
	values := []Object{
		nil, true, int64(-7), 0.125, 1e-5, Name("a b/c#"), String{Value: []byte("\x00()\\\xff")}, Ref{Num: 7, Gen: 1},
		Array{Dict{"K": Array{Name("x"), 1.5}}}, Dict{"Ä": String{Value: []byte("é")}},
	}
	for _, v := range values {
		var b bytes.Buffer
		if err := Write(&b, v); err != nil {
			t.Fatal(err)
		}
		got, err := parseOne(b.String())
		if err != nil || !Equal(got, v, 20) {
			t.Errorf("%#v: wrote %q, read %#v %v", v, b.String(), got, err)
		}
	}
}

// pdf builds a file from objects and appended updates; each update is a
// map of object bodies, written with a classic table.
func pdf(revisions ...map[int]string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	prev := -1
	for _, rev := range revisions {
		offsets := map[int]int{}
		for n := 1; n < 100; n++ {
			if body, ok := rev[n]; ok {
				offsets[n] = b.Len()
				fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", n, body)
			}
		}
		xref := b.Len()
		b.WriteString("xref\n")
		for n := 1; n < 100; n++ {
			if off, ok := offsets[n]; ok {
				fmt.Fprintf(&b, "%d 1\n%010d 00000 n\r\n", n, off)
			}
		}
		fmt.Fprintf(&b, "trailer\n<< /Size 100 /Root 1 0 R")
		if prev >= 0 {
			fmt.Fprintf(&b, " /Prev %d", prev)
		}
		fmt.Fprintf(&b, " >>\nstartxref\n%d\n%%%%EOF\n", xref)
		prev = xref
	}
	return b.Bytes()
}

func TestRevisions(t *testing.T) {
	data := pdf(map[int]string{1: "<< /Type /Catalog /V 1 >>", 2: "(two)"}, map[int]string{1: "<< /Type /Catalog /V 2 >>"}, map[int]string{3: "(three)"})
	f, err := Open(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Revisions) != 3 || f.Revisions[2].End != int64(len(data)) {
		t.Fatalf("revisions: %d", len(f.Revisions))
	}
	tb := f.Table(0)
	v := func(n uint32) Object {
		obj, err := tb.Resolve(Ref{Num: n})
		if err != nil || obj == nil {
			return nil
		}
		return obj.Value
	}
	if d, _ := v(1).(Dict); d["V"] != int64(1) || v(3) != nil {
		t.Errorf("revision 0: %v %v", v(1), v(3))
	}
	before := tb.Advance()
	if d, _ := v(1).(Dict); d["V"] != int64(2) || len(before) != 1 {
		t.Errorf("revision 1: %v %v", v(1), before)
	}
	if old, _ := tb.Before(before).Resolve(Ref{Num: 1}); old.Value.(Dict)["V"] != int64(1) {
		t.Error("Before does not show the old object")
	}
	if bytes.Count(data[:f.Revisions[0].End], []byte("%%EOF")) != 1 {
		t.Error("revision 0 does not end at its end-of-file marker")
	}
}

func TestLoopsAndLimits(t *testing.T) {
	ok := pdf(map[int]string{1: "<< /Type /Catalog >>"})
	bad := map[string][]byte{
		"no header":             []byte("hello"),
		"no startxref":          []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"),
		"Prev outside the file": bytes.Replace(pdf(map[int]string{1: "<<>>"}, map[int]string{2: "<<>>"}), []byte(" /Prev "), []byte(" /Prev 99999"), 1),
		"startxref outside":     bytes.Replace(ok, []byte("startxref\n"), []byte("startxref\n9"), 1),
		"W zero":                []byte("%PDF-1.7\n1 0 obj\n<< /Type /XRef /W [0 0 0] /Size 100000000 /Length 0 >>\nstream\n\nendstream\nendobj\nstartxref\n9\n%%EOF\n"),
		"encrypted":             bytes.Replace(ok, []byte("/Root 1 0 R"), []byte("/Root 1 0 R /Encrypt << >>"), 1),
	}
	// A /Prev that points at its own section.
	loop := pdf(map[int]string{1: "<<>>"}, map[int]string{2: "<<>>"})
	last := bytes.LastIndex(loop, []byte("\nxref")) + 1
	loop = bytes.Replace(loop, []byte(fmt.Sprintf("/Prev %d", bytes.Index(loop, []byte("\nxref"))+1)), []byte(fmt.Sprintf("/Prev %d", last)), 1)
	bad["Prev points at itself"] = loop
	for name, data := range bad {
		if _, err := Open(context.Background(), data); err == nil {
			t.Errorf("%s: opened", name)
		}
	}
	// A stream whose /Length is itself, and objects that refer to each
	// other: read, but they end.
	data := pdf(map[int]string{1: "<< /Type /Catalog >>", 2: "<< /Length 2 0 R >>\nstream\nabc\nendstream", 3: "4 0 R", 4: "3 0 R"})
	f, err := Open(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	tb := f.Table(0)
	if obj, err := tb.Resolve(Ref{Num: 2}); err != nil || string(obj.Value.(*Stream).Raw) != "abc" {
		t.Errorf("self-length stream: %v", err)
	}
	if _, err := tb.Deref(Ref{Num: 3}); err == nil {
		t.Error("a reference loop resolved")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Open(ctx, data); err == nil {
		t.Error("opened with a cancelled context")
	}
}

func TestXRefAndObjectStreams(t *testing.T) {
	// Objects 2 and 3 live in object stream 4; the cross-reference
	// stream (object 5) has a PNG predictor and an /Index.
	header, body := "2 0 3 7 ", "(zwei) [2 0 R]"
	objs, first := header+body, len(header)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte(objs))
	zw.Close()
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	off1 := b.Len()
	b.WriteString("1 0 obj\n<< /Type /Catalog >>\nendobj\n")
	off4 := b.Len()
	fmt.Fprintf(&b, "4 0 obj\n<< /Type /ObjStm /N 2 /First %d /Filter /FlateDecode /Length %d >>\nstream\n", first, z.Len())
	b.Write(z.Bytes())
	b.WriteString("\nendstream\nendobj\n")
	off5 := b.Len()
	rows := [][]byte{
		{1, byte(off1 >> 8), byte(off1), 0},
		{2, 0, 4, 0},
		{2, 0, 4, 1},
		{1, byte(off4 >> 8), byte(off4), 0},
		{1, byte(off5 >> 8), byte(off5), 0},
	}
	// PNG "up" filter on every row.
	var raw []byte
	prev := make([]byte, 4)
	for _, r := range rows {
		raw = append(raw, 2)
		for i := range r {
			raw = append(raw, r[i]-prev[i])
		}
		prev = r
	}
	var zx bytes.Buffer
	zw = zlib.NewWriter(&zx)
	zw.Write(raw)
	zw.Close()
	fmt.Fprintf(&b, "5 0 obj\n<< /Type /XRef /Size 6 /Index [1 5] /W [1 2 1] /Root 1 0 R /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 4 >> /Length %d >>\nstream\n", zx.Len())
	b.Write(zx.Bytes())
	fmt.Fprintf(&b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", off5)
	f, err := Open(context.Background(), b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	tb := f.Table(0)
	two, err := tb.Deref(Ref{Num: 2})
	if err != nil || string(two.(String).Value) != "zwei" {
		t.Errorf("object 2: %v %v", two, err)
	}
	three, err := tb.Deref(Ref{Num: 3})
	if err != nil || !Equal(three, Array{Ref{Num: 2}}, 5) {
		t.Errorf("object 3: %v %v", three, err)
	}
	if obj, _ := tb.Resolve(Ref{Num: 2}); !obj.InStream || obj.Start != int64(off4) {
		t.Errorf("object 2 location: %+v", obj)
	}
}

// FuzzOpen: any input opens or fails, never panics or loops; every object
// of every revision resolves or fails; and what is read writes back to the
// same value.
func FuzzOpen(f *testing.F) {
	f.Add(pdf(map[int]string{1: "<< /Type /Catalog /Pages 2 0 R >>", 2: "<< /Kids [2 0 R] /A (x\\)) /B <414> >>"}, map[int]string{3: "<< /Length 3 0 R >>\nstream\nabc\nendstream"}))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Open(context.Background(), data)
		if err != nil {
			return
		}
		for r := range file.Revisions {
			tb := file.Table(r)
			for _, n := range tb.Numbers() {
				obj, err := tb.Resolve(Ref{Num: n, Gen: tb.Entry(n).Gen})
				if err != nil || obj == nil {
					continue
				}
				var b bytes.Buffer
				if _, isStream := obj.Value.(*Stream); isStream || Write(&b, obj.Value) != nil {
					continue
				}
				back, err := parseOne(b.String())
				if err != nil || !Equal(back, obj.Value, MaxDepth+2) {
					t.Fatalf("object %d: %#v wrote %q, read back %#v %v", n, obj.Value, b.String(), back, err)
				}
			}
		}
	})
}
