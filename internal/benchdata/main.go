// Command benchdata writes synthetic certificates (app/demo) as PEM files for
// the benchmarks in docs/BENCHMARKS.md and scripts/bench-import.sh:
//
//	go run ./internal/benchdata -n 2001 -out DIR             # one PEM file per certificate
//	go run ./internal/benchdata -n 100000 -per 10000 -out DIR  # ten bundles of 10,000
package main

import (
	"bufio"
	"encoding/pem"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"pkiodesk/app/demo"
)

func main() {
	n := flag.Int("n", 2001, "number of certificates")
	per := flag.Int("per", 1, "certificates per PEM file")
	out := flag.String("out", "", "folder to write to (created)")
	seed := flag.Uint64("seed", 7, "random seed")
	flag.Parse()
	if *out == "" || *n < 1 || *per < 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := write(*out, *n, *per, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "benchdata:", err)
		os.Exit(1)
	}
}

func write(dir string, n, per int, seed uint64) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	gen, err := demo.NewGenerator(seed, time.Now())
	if err != nil {
		return err
	}
	for file := 0; file*per < n; file++ {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("cert-%06d.pem", file)))
		if err != nil {
			return err
		}
		w := bufio.NewWriter(f)
		for i := file * per; i < min(n, (file+1)*per); i++ {
			der, err := gen.NextMixed()
			if err != nil {
				f.Close()
				return err
			}
			if err := pem.Encode(w, &pem.Block{Type: "CERTIFICATE", Bytes: der}); err != nil {
				f.Close()
				return err
			}
		}
		if err := w.Flush(); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}
