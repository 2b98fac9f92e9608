package keyring

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

func TestMemoryKeepsCopies(t *testing.T) {
	ctx := context.Background()
	var m Memory
	if _, err := m.Get(ctx, "a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("empty store: %v, want ErrNotFound", err)
	}
	secret := []byte("geheim")
	if err := m.Set(ctx, "a", secret); err != nil {
		t.Fatal(err)
	}
	secret[0] = 'X' // the caller wipes its own copy
	got, err := m.Get(ctx, "a")
	if err != nil || string(got) != "geheim" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	got[0] = 'Y' // a reader cannot change what is kept
	if again, _ := m.Get(ctx, "a"); string(again) != "geheim" {
		t.Fatalf("kept secret changed through a copy: %q", again)
	}
	kept := m.secrets["a"]
	if err := m.Delete(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(kept, make([]byte, len(kept))) {
		t.Errorf("deleted secret not wiped: %q", kept)
	}
	if _, err := m.Get(ctx, "a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after Delete: %v, want ErrNotFound", err)
	}
	if err := m.Delete(ctx, "a"); err != nil {
		t.Errorf("deleting what is not there: %v", err)
	}
}

// A keyring that does not answer in time is unavailable, and the caller is
// not kept waiting for it.
func TestOSCallGivesUpInTime(t *testing.T) {
	k := OS{Service: "pkiodesk-test", Timeout: 50 * time.Millisecond}
	release := make(chan struct{})
	defer close(release)
	start := time.Now()
	err := k.call(context.Background(), func() error { <-release; return nil })
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrUnavailable and DeadlineExceeded", err)
	}
	if waited := time.Since(start); waited > 10*time.Second {
		t.Errorf("waited %v for a keyring that does not answer", waited)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (OS{}).call(ctx, func() error { <-release; return nil }); !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
