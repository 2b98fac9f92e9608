// Package keyring keeps small secrets (OAuth client secrets, the keys of
// encrypted documents) outside the database: in the OS keyring (Secret
// Service on Linux, Credential Manager on Windows, Keychain on macOS)
// through github.com/zalando/go-keyring, or in this process's memory only.
package keyring

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"time"

	"github.com/zalando/go-keyring"
)

// Store keeps secrets under account names.
type Store interface {
	Get(ctx context.Context, account string) ([]byte, error)
	Set(ctx context.Context, account string, secret []byte) error
	Delete(ctx context.Context, account string) error
}

// Errors of a Store, for errors.Is.
var (
	ErrNotFound    = errors.New("no secret stored")
	ErrUnavailable = errors.New("no OS keyring available")
)

// OS is the OS keyring, with the secrets filed under Service. go-keyring
// takes and returns a secret as a Go string, which cannot be wiped; that
// copy lives until the garbage collector reclaims it.
//
// A keyring that does not answer before ctx ends, or within Timeout when it
// is set (a locked Secret Service waiting for a prompt), is unavailable; the
// call is left to finish on its own.
type OS struct {
	Service string
	Timeout time.Duration
}

var _ Store = OS{}

// Get reads a secret: ErrNotFound when there is none.
func (k OS) Get(ctx context.Context, account string) ([]byte, error) {
	var s string
	err := k.call(ctx, func() (err error) {
		s, err = keyring.Get(k.Service, account)
		return err
	})
	if err != nil {
		return nil, err
	}
	return []byte(s), nil
}

// Set stores a secret, replacing an older one.
func (k OS) Set(ctx context.Context, account string, secret []byte) error {
	return k.call(ctx, func() error { return keyring.Set(k.Service, account, string(secret)) })
}

// Delete removes a secret; one that is not there is no error.
func (k OS) Delete(ctx context.Context, account string) error {
	err := k.call(ctx, func() error { return keyring.Delete(k.Service, account) })
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// call runs a keyring call, which takes no context, and sorts its error.
func (k OS) call(ctx context.Context, call func() error) error {
	if k.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, k.Timeout)
		defer cancel()
	}
	done := make(chan error, 1)
	go func() { done <- call() }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return ErrNotFound
	default:
		return errors.Join(ErrUnavailable, err)
	}
}

// Memory keeps secrets in this process only: gone when it ends. Its zero
// value is ready to use.
type Memory struct {
	mu      sync.Mutex
	secrets map[string][]byte
}

var _ Store = (*Memory)(nil)

// Get returns a copy of a secret: ErrNotFound when there is none.
func (m *Memory) Get(_ context.Context, account string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.secrets[account]
	if !ok {
		return nil, ErrNotFound
	}
	return bytes.Clone(s), nil
}

// Set keeps a copy of secret.
func (m *Memory) Set(_ context.Context, account string, secret []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.secrets == nil {
		m.secrets = map[string][]byte{}
	}
	if old, ok := m.secrets[account]; ok {
		clear(old)
	}
	m.secrets[account] = bytes.Clone(secret)
	return nil
}

// Delete wipes and removes a secret; one that is not there is no error.
func (m *Memory) Delete(_ context.Context, account string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.secrets[account]; ok {
		clear(s)
		delete(m.secrets, account)
	}
	return nil
}
