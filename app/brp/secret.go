package brp

import (
	"context"
	"errors"

	"pkiodesk/app/i18n"
	"pkiodesk/app/keyring"
)

// SecretStore keeps OAuth client secrets outside the database (see
// package keyring).
type SecretStore = keyring.Store

// Errors of a SecretStore, for errors.Is.
var (
	ErrNoSecret           = keyring.ErrNotFound
	ErrKeyringUnavailable = keyring.ErrUnavailable
)

// Keyring is the OS keyring, with errors in the user's language. A keyring
// that does not answer before the context ends (a locked Secret Service
// waiting for a prompt) is unavailable.
type Keyring struct{}

var _ SecretStore = Keyring{}

// keyringService is the service name the secrets are filed under.
const keyringService = "pkiodesk BRP"

// os is where the secrets are filed.
func (Keyring) os() keyring.OS { return keyring.OS{Service: keyringService} }

// Get reads a secret.
func (k Keyring) Get(ctx context.Context, account string) ([]byte, error) {
	s, err := k.os().Get(ctx, account)
	return s, keyringError(err)
}

// Set stores a secret, replacing an older one.
func (k Keyring) Set(ctx context.Context, account string, secret []byte) error {
	return keyringError(k.os().Set(ctx, account, secret))
}

// Delete removes a secret; one that is not there is no error.
func (k Keyring) Delete(ctx context.Context, account string) error {
	return keyringError(k.os().Delete(ctx, account))
}

func keyringError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return i18n.E("brp.secret.not_found", err)
	default:
		return i18n.E("brp.secret.keyring_unavailable", err)
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
