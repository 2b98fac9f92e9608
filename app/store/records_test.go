package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

// A feature collection is empty until written, is read-only in a view, and
// an update that fails leaves nothing behind (one transaction).
func TestRecordsOneTransaction(t *testing.T) {
	ctx := context.Background()
	b, err := OpenBolt(filepath.Join(t.TempDir(), "r.db"), BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	err = b.ViewRecords(ctx, "x", func(tx RecordTx) error {
		if tx.Get("a") != nil {
			t.Error("value in a collection never written")
		}
		return tx.Put("a", []byte("1"))
	})
	if err == nil {
		t.Error("a view wrote")
	}
	if err := b.UpdateRecords(ctx, "x", func(tx RecordTx) error { return tx.Put("a", []byte("1")) }); err != nil {
		t.Fatal(err)
	}
	refused := errors.New("refused")
	err = b.UpdateRecords(ctx, "x", func(tx RecordTx) error {
		tx.Put("b", []byte("2"))
		tx.Delete("a")
		return refused
	})
	if !errors.Is(err, refused) {
		t.Errorf("update error %v", err)
	}
	var keys []string
	b.ViewRecords(ctx, "x", func(tx RecordTx) error {
		return tx.ForEach(func(k string, v []byte) error { keys = append(keys, k+"="+string(v)); return nil })
	})
	if len(keys) != 1 || keys[0] != "a=1" {
		t.Errorf("after a refused update: %v", keys)
	}
}
