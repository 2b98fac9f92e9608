package inventory

import (
	"context"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

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
		st, err := store.OpenBolt(filepath.Join(b.TempDir(), "db"), store.BoltOptions{Access: store.CreateNew})
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

// BenchmarkImport2001Files imports a folder of 2,001 PEM files, one
// certificate each, into a new database, as `pkiodesk import FOLDER` does
// (scripts/bench-import.sh measures the same as a process, beside XCA).
func BenchmarkImport2001Files(b *testing.B) {
	dir := b.TempDir()
	for i, x := range genInputs(b, 2001) {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("cert-%04d.pem", i)), x.Data, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st, err := store.OpenBolt(filepath.Join(b.TempDir(), "db"), store.BoltOptions{Access: store.CreateNew})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		inputs, _ := ExpandPaths([]string{dir}, nil)
		rep, err := New(st, fixedClock).Import(ctx, inputs, ImportOptions{Compact: true})
		b.StopTimer()
		if err != nil || rep.Counts.Added != 2001 {
			b.Fatalf("import: %v, %+v", err, rep.Counts)
		}
		st.Close()
		b.StartTimer()
	}
}

// BenchmarkImport100kFiles imports 100,000 certificates from ten PEM bundles
// of 10,000 on disk (11.4 MB each, the issue's own case), as `pkiodesk
// import FOLDER` does: read and decode on every core, store in key order.
// It reports the peak of the Go heap; the process's resident memory is in
// docs/BENCHMARKS.md (scripts/bench-import.sh). Target < 5 s, < 300 MB.
func BenchmarkImport100kFiles(b *testing.B) {
	dir := b.TempDir()
	in := genInputs(b, 100000)
	const perBundle = 10000
	for f := 0; f*perBundle < len(in); f++ {
		var data []byte
		for _, x := range in[f*perBundle : min(len(in), (f+1)*perBundle)] {
			data = append(data, x.Data...)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("bundle-%02d.pem", f)), data, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	in = nil
	runtime.GC()
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st, err := store.OpenBolt(filepath.Join(b.TempDir(), "db"), store.BoltOptions{Access: store.CreateNew})
		if err != nil {
			b.Fatal(err)
		}
		inputs, _ := ExpandPaths([]string{dir}, nil)
		peak := watchHeap()
		b.StartTimer()
		rep, err := New(st, fixedClock).Import(ctx, inputs, ImportOptions{Compact: true})
		b.StopTimer()
		if err != nil || rep.Counts.Added != 100000 {
			b.Fatalf("import: %v, %+v", err, rep.Counts)
		}
		b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MB")
		st.Close()
		b.StartTimer()
	}
}

// watchHeap samples the heap in use until the returned function is called,
// which returns the peak.
func watchHeap() func() uint64 {
	stop := make(chan struct{})
	peakc := make(chan uint64)
	go func() {
		var peak uint64
		// runtime/metrics reads without stopping the world.
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-stop:
				peakc <- peak
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(stop); return <-peakc }
}

// BenchmarkInventory100k works on a database of 100,000 certificates.
// Targets: open + load < 300 ms, one filter + sort < 16 ms.
func BenchmarkInventory100k(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "db")
	st, err := store.OpenBolt(path, store.BoltOptions{Access: store.CreateNew})
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
			st, err := store.OpenBolt(path, store.BoltOptions{Access: store.ReadOnly})
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
	// What `pkiodesk list --filter zzz` does after the process starts.
	b.Run("open+load+filter-zzz", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			st, err := store.OpenBolt(path, store.BoltOptions{Access: store.ReadOnly})
			if err != nil {
				b.Fatal(err)
			}
			s, _ := Open(ctx, st, fixedClock)
			if v := s.Query(Query{Text: "zzz", Sort: ColNotAfter}); len(v.Rows) != 0 {
				b.Fatal("zzz matched")
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
