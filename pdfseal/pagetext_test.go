package pdfseal

import (
	"bytes"
	"context"
	"testing"
	"time"
	"unicode/utf16"
)

func utf16be(s string) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u>>8), byte(u))
	}
	return out
}

// PageStrings reads back what Draw wrote on the page, string by string, and
// the same document drawn again reads back the same.
func TestPageStringsReadsDrawnText(t *testing.T) {
	d := Document{Kind: OrderNew, Number: "PKIO-20250101-ABCD", Created: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), Organisation: "Gemeente Ëxample (Zuid)",
		Sections: []Section{{Heading: "Bestelling", Fields: []Field{{Label: "Inhoudshash", Value: "0123456789abcdef0123456789abcdef\nfedcba9876543210fedcba9876543210"}}}}}
	pdf, err := Draw(d)
	if err != nil {
		t.Fatal(err)
	}
	got, err := PageStrings(context.Background(), pdf)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"PKIO-20250101-ABCD", "Gemeente Ëxample (Zuid)", "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"} {
		found := false
		for _, s := range got {
			found = found || bytes.Equal(s, utf16be(want))
		}
		if !found {
			t.Errorf("%q not among the page's strings", want)
		}
	}
	again, _ := Draw(d)
	got2, err := PageStrings(context.Background(), again)
	if err != nil || len(got2) != len(got) {
		t.Fatalf("drawn again: %d strings, %v; first %d", len(got2), err, len(got))
	}
	for i := range got {
		if !bytes.Equal(got[i], got2[i]) {
			t.Errorf("string %d differs when drawn again", i)
		}
	}
	d.Sections[0].Fields[0].Value = "00000000000000000000000000000000\nfedcba9876543210fedcba9876543210"
	other, _ := Draw(d)
	got3, _ := PageStrings(context.Background(), other)
	same := len(got3) == len(got)
	for i := 0; same && i < len(got); i++ {
		same = bytes.Equal(got[i], got3[i])
	}
	if same {
		t.Error("another hash on the page reads back the same")
	}
}

func TestContentStringsEscapes(t *testing.T) {
	got, err := contentStrings([]byte(`BT (a\(b\)c\\d\101\n) Tj <4142 43> Tj (x(y)z) Tj % (comment)
<< /A 1 >> ET`), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a(b)c\\dA\n", "ABC", "x(y)z"}
	if len(got) != len(want) {
		t.Fatalf("got %q", got)
	}
	for i := range want {
		if string(got[i]) != want[i] {
			t.Errorf("%d: %q, want %q", i, got[i], want[i])
		}
	}
	if _, err := contentStrings([]byte(`(open`), nil); err == nil {
		t.Error("unterminated string accepted")
	}
}

func FuzzContentStrings(f *testing.F) {
	f.Add([]byte(`BT (a\(b\)c) Tj <4142> Tj ET`))
	f.Add([]byte(`((((\`))
	f.Fuzz(func(t *testing.T, b []byte) {
		contentStrings(b, nil)
	})
}

func FuzzPageStrings(f *testing.F) {
	f.Add(minimalPDF())
	f.Fuzz(func(t *testing.T, b []byte) {
		PageStrings(context.Background(), b)
	})
}
