package brp

import (
	"context"
	"errors"

	"github.com/zalando/go-keyring"

	"pkiodesk/app/i18n"
)

// SecretStore keeps OAuth client secrets outside the database: the OS
// keyring (Secret Service on Linux, Credential Manager on Windows,
// Keychain on macOS).
type SecretStore interface {
	Get(ctx context.Context, account string) ([]byte, error)
	Set(ctx context.Context, account string, secret []byte) error
	Delete(ctx context.Context, account string) error
}

// Errors of a SecretStore, for errors.Is.
var (
	ErrNoSecret           = errors.New("no secret stored")
	ErrKeyringUnavailable = errors.New("no OS keyring available")
)

// keyringService is the service name the secrets are filed under.
const keyringService = "pkiodesk BRP"

// Keyring is the OS keyring through github.com/zalando/go-keyring.
// go-keyring takes and returns the secret as a Go string, which cannot be
// wiped; that copy lives until the garbage collector reclaims it.
type Keyring struct{}

var _ SecretStore = Keyring{}

// Get reads a secret. A keyring that does not answer within the context's
// time (a locked Secret Service waiting for a prompt) is unavailable.
func (Keyring) Get(ctx context.Context, account string) ([]byte, error) {
	var s string
	err := withContext(ctx, func() (err error) {
		s, err = keyring.Get(keyringService, account)
		return err
	})
	if err != nil {
		return nil, keyringError(err)
	}
	return []byte(s), nil
}

// Set stores a secret, replacing an older one.
func (Keyring) Set(ctx context.Context, account string, secret []byte) error {
	return keyringError(withContext(ctx, func() error { return keyring.Set(keyringService, account, string(secret)) }))
}

// Delete removes a secret; one that is not there is no error.
func (Keyring) Delete(ctx context.Context, account string) error {
	err := keyringError(withContext(ctx, func() error { return keyring.Delete(keyringService, account) }))
	if errors.Is(err, ErrNoSecret) {
		return nil
	}
	return err
}

func keyringError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return i18n.E("brp.secret.not_found", ErrNoSecret)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return i18n.E("brp.secret.keyring_unavailable", errors.Join(ErrKeyringUnavailable, err))
	default:
		return i18n.E("brp.secret.keyring_unavailable", errors.Join(ErrKeyringUnavailable, err))
	}
}

// withContext runs a keyring call that takes no context; when ctx ends
// first the call is left to finish on its own.
func withContext(ctx context.Context, call func() error) error {
	done := make(chan error, 1)
	go func() { done <- call() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// SecretAccount is the keyring account of an afnemer's client secret.
func SecretAccount(a Afnemer) string { return a.ID + "/" + a.ClientID }

// Secrets finds an afnemer's client secret: in the keyring when it was
// stored there, else by asking (a password field, a terminal prompt).
type Secrets struct {
	Store SecretStore // nil: no keyring
	Ask   func(ctx context.Context, a Afnemer) ([]byte, error)
}

// Save stores the secret in the keyring and sets a.Secret to SecretKeyring;
// without a keyring it sets SecretAsk and returns the keyring's error as a
// notice (the afnemer can still be saved). The caller wipes secret.
func (s Secrets) Save(ctx context.Context, a *Afnemer, secret []byte) error {
	if s.Store == nil {
		a.Secret = SecretAsk
		return i18n.E("brp.secret.keyring_unavailable", ErrKeyringUnavailable)
	}
	if err := s.Store.Set(ctx, SecretAccount(*a), secret); err != nil {
		a.Secret = SecretAsk
		return err
	}
	a.Secret = SecretKeyring
	return nil
}

// Secret returns the client secret; the caller wipes it after use.
func (s Secrets) Secret(ctx context.Context, a Afnemer) ([]byte, error) {
	if a.Secret == SecretKeyring && s.Store != nil {
		secret, err := s.Store.Get(ctx, SecretAccount(a))
		if err == nil && len(secret) > 0 {
			return secret, nil
		}
		if s.Ask == nil {
			return nil, err
		}
	}
	if s.Ask == nil {
		return nil, i18n.E("brp.secret.none", nil, a.ID)
	}
	secret, err := s.Ask(ctx, a)
	if err != nil {
		return nil, err
	}
	if len(secret) == 0 {
		return nil, i18n.E("brp.secret.empty", nil)
	}
	return secret, nil
}

// Forget removes the afnemer's secret from the keyring, if there is one.
func (s Secrets) Forget(ctx context.Context, a Afnemer) error {
	if a.Secret != SecretKeyring || s.Store == nil {
		return nil
	}
	return s.Store.Delete(ctx, SecretAccount(a))
}
