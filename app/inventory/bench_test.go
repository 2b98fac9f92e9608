package inventory

import (
	"context"
	"encoding/pem"
	"fmt"
	"io"
	"path/filepath"
	"testing"

	"pkiodesk/app/cert"
	"pkiodesk/app/demo"
	"pkiodesk/app/store"
)

// genInputs issues n synthetic certificates of all kinds as PEM inputs.
func genInputs(b *testing.B, n int) []Input {
	b.Helper()
	gen, err := demo.NewGenerator(7, testNow)
	if err != nil {
		b.Fatal(err)
	}
	in := make([]Input, n)
	for i := range in {
		der, err := gen.NextMixed()
		if err != nil {
			b.Fatal(err)
		}
		in[i] = Input{Name: fmt.Sprintf("c%06d.pem", i), Data: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
	}
	return in
}

// BenchmarkImport10000PEM: target < 1 s per import of 10,000 PEM files.
func BenchmarkImport10000PEM(b *testing.B) {
	in := genInputs(b, 10000)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st, err := store.OpenBolt(filepath.Join(b.TempDir(), "db"), store.BoltOptions{})
		if err != nil {
			b.Fatal(err)
		}
		s, _ := Open(ctx, st, fixedClock)
		b.StartTimer()
		rep, err := s.Import(ctx, in, ImportOptions{})
		if err != nil || len(rep.Added) != len(in) {
			b.Fatalf("import: %v, %d added", err, len(rep.Added))
		}
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
}

// BenchmarkInventory100k works on a database of 100,000 certificates.
// Targets: open + load < 300 ms, one filter + sort < 16 ms.
func BenchmarkInventory100k(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "db")
	st, err := store.OpenBolt(path, store.BoltOptions{})
	if err != nil {
		b.Fatal(err)
	}
	s, _ := Open(ctx, st, fixedClock)
	in := genInputs(b, 100000)
	if _, err := s.Import(ctx, in, ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	st.Close()

	b.Run("open+load", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			st, err := store.OpenBolt(path, store.BoltOptions{})
			if err != nil {
				b.Fatal(err)
			}
			s, err := Open(ctx, st, fixedClock)
			if err != nil || s.Len() != 100000 {
				b.Fatalf("%v %d", err, s.Len())
			}
			st.Close()
		}
	})

	st, _ = store.OpenBolt(path, store.BoltOptions{})
	defer st.Close()
	s, _ = Open(ctx, st, fixedClock)
	queries := map[string]Query{
		"filter+sort/server-valid-text-by-expiry": {Kind: cert.KindServer, Text: "api", Sort: ColNotAfter},
		"filter+sort/personal-all-by-cn-desc":     {Kind: cert.KindPersonal, Status: FilterAll, Sort: ColCN, Desc: true},
		"filter+sort/all-kinds-all-by-cn":         {Status: FilterAll, Sort: ColCN},
	}
	for name, q := range queries {
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if v := s.Query(q); len(v.Rows) == 0 {
					b.Fatal("empty view")
				}
			}
		})
	}
	// Cold: the first query on a column after a change, which builds the
	// column's order.
	b.Run("filter+sort/cold-all-kinds-by-cn", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			s.mu.Lock()
			s.orders = nil
			s.mu.Unlock()
			if v := s.Query(Query{Status: FilterAll, Sort: ColCN}); len(v.Rows) == 0 {
				b.Fatal("empty view")
			}
		}
	})
	b.Run("csv/all-100k", func(b *testing.B) {
		v := s.Query(Query{Status: FilterAll})
		for i := 0; i < b.N; i++ {
			if err := WriteCSV(io.Discard, v, CSVOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
