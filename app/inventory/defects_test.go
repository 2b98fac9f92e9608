package inventory

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/demo"
	"pkiodesk/app/i18n"
	"pkiodesk/app/store"
)

// English Excel splits on ',', Dutch on ';': a cell with either is quoted,
// and a cell that starts with NUL or a line feed is neutralised too.
func TestCSVQuotesSeparatorsAndNeutralisesNULAndLF(t *testing.T) {
	comma := rec("1", cert.KindServer, "x,=1+1,+2+3", testNow.AddDate(0, 0, 5))
	nul := rec("2", cert.KindServer, "\x00=1+1", testNow.AddDate(0, 0, 6))
	lf := rec("3", cert.KindServer, "\n=1+1", testNow.AddDate(0, 0, 7))
	semi := rec("4", cert.KindServer, `a;b "c"`, testNow.AddDate(0, 0, 8))
	spaced := rec("5", cert.KindServer, "h0.example, =1+1,  @x", testNow.AddDate(0, 0, 9))
	v := queryService(comma, nul, lf, semi, spaced).Query(Query{Kind: cert.KindServer})
	for _, sep := range []rune{';', ','} {
		var buf bytes.Buffer
		if err := WriteCSV(&buf, v, CSVOptions{Lang: i18n.NL, Separator: sep}); err != nil {
			t.Fatal(err)
		}
		raw := buf.String()
		if !strings.Contains(raw, `"x,'=1+1,'+2+3"`) || !strings.Contains(raw, `"a;b ""c"""`) {
			t.Errorf("separator %q: cells with , or ; are not quoted:\n%s", sep, raw)
		}
		// Read it as the other spreadsheet would: every row keeps its cells.
		for _, readAs := range []rune{';', ','} {
			r := csv.NewReader(strings.NewReader(raw[3:]))
			// A spreadsheet reading with the other separator sees quotes
			// inside cells as text.
			r.Comma, r.FieldsPerRecord, r.LazyQuotes = readAs, -1, readAs != sep
			records, err := r.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if readAs == sep {
				for _, row := range records[1:] {
					if len(row) != len(Columns) {
						t.Errorf("separator %q: row has %d cells: %q", sep, len(row), row)
					}
					if c := row[2]; c == "" || strings.IndexByte("=+-@\t\r\n\x00", c[0]) >= 0 {
						t.Errorf("cell %q starts with a formula character", c)
					}
				}
			}
			for _, row := range records {
				for _, cell := range row {
					// A spreadsheet that trims cells reads " =1+1" as "=1+1".
					cell = strings.TrimLeft(cell, " ")
					if cell != "" && strings.IndexByte("=+@", cell[0]) >= 0 {
						t.Errorf("read with %q, a cell is a formula: %q", readAs, cell)
					}
				}
			}
		}
	}
}

// expiring --days 106752 overflowed a Duration and answered "none".
func TestExpiringDoesNotOverflow(t *testing.T) {
	far := rec("1", cert.KindServer, "ver", testNow.AddDate(200, 0, 0))
	soon := rec("2", cert.KindServer, "snel", testNow.AddDate(0, 0, 3))
	s := queryService(far, soon)
	if v := s.Expiring(106752); len(v.Rows) != 1 || v.Rows[0].CommonName != "snel" {
		t.Errorf("106752 days: %d rows", len(v.Rows))
	}
	if v := s.Expiring(MaxDays); len(v.Rows) != 1 {
		t.Errorf("%d days: %d rows", MaxDays, len(v.Rows))
	}
	if v := s.Expiring(1 << 62); len(v.Rows) != 1 {
		t.Errorf("huge: %d rows", len(v.Rows))
	}
	if v := s.Expiring(2); len(v.Rows) != 0 {
		t.Errorf("2 days: %d rows", len(v.Rows))
	}
}

// Opening decodes only what the overviews need; what a view shows is the
// whole record, the same as stored.
func TestLazyRowsShowWholeRecords(t *testing.T) {
	dir := t.TempDir()
	st, err := store.OpenBolt(filepath.Join(dir, "db"), store.BoltOptions{Access: store.CreateNew})
	if err != nil {
		t.Fatal(err)
	}
	gen, _ := demo.NewGenerator(4, testNow)
	files := writePEMs(t, gen, dir, "l", 40)
	rep, err := New(st, fixedClock).Import(context.Background(), ReadFiles(files), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, _ = store.OpenBolt(filepath.Join(dir, "db"), store.BoltOptions{Access: store.ReadOnly})
	defer st.Close()
	s, err := Open(context.Background(), st, fixedClock)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range s.rows {
		if r.cert.Load() != nil {
			t.Fatal("opening decoded a whole record")
		}
	}
	byKey := map[string]cert.Certificate{}
	for _, c := range rep.Added {
		byKey[c.SHA256] = c
	}
	v := s.Query(Query{Status: FilterAll, Sort: ColIssuer})
	if len(v.Rows) != len(rep.Added) {
		t.Fatalf("%d rows, %d added", len(v.Rows), len(rep.Added))
	}
	for _, c := range v.Rows {
		w := byKey[c.SHA256]
		if c.CommonName != w.CommonName || c.Serial != w.Serial || c.Subject != w.Subject || !c.NotAfter.Equal(w.NotAfter) ||
			strings.Join(c.DNSNames, ",") != strings.Join(w.DNSNames, ",") || strings.Join(c.Policies, ",") != strings.Join(w.Policies, ",") {
			t.Errorf("row differs from the import:\n got %+v\nwant %+v", *c, w)
		}
	}
	// The text filter finds by name without decoding the rest.
	name := rep.Added[7].CommonName
	if v := s.Query(Query{Status: FilterAll, Text: strings.ToUpper(name)}); len(v.Rows) == 0 {
		t.Errorf("filter %q found nothing", name)
	}
}

// A folder of certificates imports in several transactions (small ones
// here), and a private key beside a certificate is reported, not stored.
func TestImportInBatchesReportsInInputOrder(t *testing.T) {
	dir := t.TempDir()
	st, err := store.OpenBolt(filepath.Join(dir, "db"), store.BoltOptions{Access: store.CreateNew})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	gen, _ := demo.NewGenerator(6, testNow)
	src := t.TempDir()
	files := writePEMs(t, gen, src, "b", 60)
	os.WriteFile(filepath.Join(src, "notitie.txt"), []byte("x"), 0o600)
	in, skipped := ExpandPaths([]string{src, files[0]}, nil)
	if len(in) != 61 || len(skipped) != 1 {
		t.Fatalf("%d inputs, %d skipped", len(in), len(skipped))
	}
	s := New(st, fixedClock)
	rep, err := s.Import(context.Background(), in, ImportOptions{Compact: true, store: store.ImportOptions{BatchBytes: 8 << 10, MemoryBytes: 16 << 10}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Counts != (Counts{Added: 60, Duplicates: 1}) || len(rep.Lines) != 61 || len(rep.Added) != 0 {
		t.Errorf("counts %+v, %d lines", rep.Counts, len(rep.Lines))
	}
	if recs, _, _ := st.CertificateRecords(context.Background()); len(recs) != 60 {
		t.Errorf("%d stored", len(recs))
	}
}

// A cancelled import leaves nothing, also after several transactions.
func TestCancelledImportLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	st, err := store.OpenBolt(filepath.Join(dir, "db"), store.BoltOptions{Access: store.CreateNew})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	gen, _ := demo.NewGenerator(7, testNow)
	files := writePEMs(t, gen, t.TempDir(), "c", 80)
	in, _ := ExpandPaths(files, nil)
	ctx, cancel := context.WithCancel(context.Background())
	h := &cancelAfter{n: 50, cancel: cancel}
	_, err = New(st, fixedClock).Import(ctx, in, ImportOptions{Handlers: []Handler{h}, store: store.ImportOptions{BatchBytes: 4 << 10, MemoryBytes: 4 << 10}})
	if !i18n.Is(err, "err.context_canceled") {
		t.Fatalf("err = %v", err)
	}
	if recs, _, _ := st.CertificateRecords(context.Background()); len(recs) != 0 {
		t.Errorf("%d records of a cancelled import landed", len(recs))
	}
}

// cancelAfter is a Handler that accepts nothing and cancels the import
// after it has seen n files (on the import's workers, at once).
type cancelAfter struct {
	n      int32
	seen   atomic.Int32
	cancel func()
}

func (c *cancelAfter) Extensions() []string { return nil }
func (c *cancelAfter) Accepts(string, []byte) bool {
	if c.seen.Add(1) == c.n {
		c.cancel()
		time.Sleep(10 * time.Millisecond)
	}
	return false
}
func (c *cancelAfter) Prepare(context.Context, string, []byte) (Prepared, error) { return nil, nil }

// No name, however hostile, becomes a formula: read back with the file's
// separator a cell is what was written; read with the other one (as the
// other language's spreadsheet would) no cell starts with a formula.
func FuzzCSVCell(f *testing.F) {
	for _, s := range []string{"x,=1+1,+2+3", "\x00=1", "\n=1", `a;b "c"`, "-2+3", " spatie ", "\t=1+1", "a|@SUM(1)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cn string) {
		v := queryService(rec("1", cert.KindServer, cn, testNow.AddDate(0, 0, 5))).Query(Query{Kind: cert.KindServer})
		for _, sep := range []rune{';', ','} {
			var buf bytes.Buffer
			WriteCSV(&buf, v, CSVOptions{Separator: sep})
			// Pasted into a sheet, or a text import on tabs or bars: the
			// lines split on that character, quotes or not.
			for _, split := range []string{"\t", "|"} {
				for _, line := range strings.Split(buf.String()[3:], "\n")[1:] {
					for _, cell := range strings.Split(line, split) {
						if cell = strings.TrimLeft(cell, "\" "); cell != "" && strings.IndexByte("=+-@", cell[0]) >= 0 {
							t.Fatalf("split on %q, cell %q is a formula", split, cell)
						}
					}
				}
			}
			for _, readAs := range []rune{';', ',', '\t', '|'} {
				r := csv.NewReader(strings.NewReader(buf.String()[3:]))
				r.Comma, r.FieldsPerRecord, r.LazyQuotes = readAs, -1, readAs != sep
				records, err := r.ReadAll()
				if err != nil {
					if readAs == sep {
						t.Fatalf("unreadable: %v", err)
					}
					continue
				}
				if readAs == sep && (len(records) != 2 || records[1][2] != neutralise(cn)) {
					t.Fatalf("cell %q came back as %q", neutralise(cn), records)
				}
				for _, row := range records[1:] {
					for _, cell := range row {
						if cell != "" && strings.IndexByte("=+-@", cell[0]) >= 0 {
							t.Fatalf("read with %q, cell %q is a formula", readAs, cell)
						}
					}
				}
			}
		}
	})
}
