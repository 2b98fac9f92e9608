package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestProbeImport2001(t *testing.T) {
	dir := os.Getenv("PROBE_PEM")
	if dir == "" {
		t.Skip()
	}
	for i := 0; i < 5; i++ {
		db := filepath.Join(t.TempDir(), "p.db")
		var out, errb bytes.Buffer
		env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Now: time.Now, Getenv: func(string) string { return "" }}
		Run(context.Background(), []string{"init", "--db", db}, env)
		start := time.Now()
		code := Run(context.Background(), []string{"import", "--db", db, dir}, env)
		t.Log(code, time.Since(start))
	}
}
