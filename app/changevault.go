package app

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"sync"
	"time"

	"pkiodesk/app/i18n"
	"pkiodesk/app/keyring"
)

// Copies of ID documents (manual 7.2: "upload van digitale kopie ID bewijs
// van nieuwe Contactpersonen") are protected at rest like this:
//
//   - While the form is open the copy lives only in the window's memory.
//   - It travels inside the signed change-form PDF, the one document that
//     goes to the CA. The change record in the database names it only by
//     file name, type, size and SHA-256.
//   - While the change is pending pkiodesk keeps that signed PDF so that it
//     can be opened, saved and printed again, but only encrypted
//     (AES-256-GCM) under a key of its own that is never in the database:
//     it is kept in the OS keyring (Secret Service, Credential Manager,
//     Keychain) or, where there is none, only in the memory of the running
//     pkiodesk.
//   - When the change is confirmed or cancelled the ciphertext and the key
//     are deleted. bbolt may keep freed pages until they are reused, but
//     they hold only ciphertext whose key is gone.
//
// So the database file, its backups, the CSV exports, the command line's
// output and the journal never hold the copy.

// KeyStore keeps the keys of the encrypted documents outside the database.
type KeyStore = keyring.Store

// idCopyKeyring is the OS keyring under the name the keys are filed under;
// one that waits for a prompt longer than this counts as absent.
var idCopyKeyring = keyring.OS{Service: "pkiodesk ID-kopie", Timeout: 5 * time.Second}

// vault encrypts the signed documents that carry ID copies.
type vault struct {
	mu sync.Mutex
	// keys is the OS keyring once it answered, else the session's.
	keys    KeyStore
	session *keyring.Memory
	probed  bool
}

// KeptWith says where a document's key is: "keyring" or "session".
type KeptWith string

const (
	KeptInKeyring KeptWith = "keyring"
	KeptInSession KeptWith = "session"
)

// envelopeMagic starts an encrypted document in the database.
var envelopeMagic = []byte("pkiodesk-vault-1\n")

// store picks the OS keyring when it works (tried once per process, with a
// throw-away key), else the session.
func (v *vault) store(ctx context.Context) (KeyStore, KeptWith) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.session == nil {
		v.session = &keyring.Memory{}
	}
	if !v.probed {
		v.probed = true
		if v.keys == nil {
			probe := "probe/" + newID()
			k := idCopyKeyring
			if k.Set(ctx, probe, []byte("x")) == nil {
				if got, err := k.Get(ctx, probe); err == nil && string(got) == "x" {
					v.keys = k
				}
				_ = k.Delete(ctx, probe)
			}
		}
	}
	if v.keys != nil {
		return v.keys, KeptInKeyring
	}
	return v.session, KeptInSession
}

func (v *vault) keyStore(with KeptWith) KeyStore {
	v.mu.Lock()
	defer v.mu.Unlock()
	if with == KeptInKeyring && v.keys != nil {
		return v.keys
	}
	if v.session == nil {
		v.session = &keyring.Memory{}
	}
	return v.session
}

func account(number string) string { return "wijziging/" + number }

// seal encrypts a document under a new key, kept outside the database.
func (v *vault) seal(ctx context.Context, number string, doc []byte) ([]byte, KeptWith, error) {
	ks, with := v.store(ctx)
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, "", err
	}
	defer clear(key)
	if err := ks.Set(ctx, account(number), key); err != nil {
		// The keyring refused this one: keep the key for the session.
		ks, with = v.keyStore(KeptInSession), KeptInSession
		if err := ks.Set(ctx, account(number), key); err != nil {
			return nil, "", err
		}
	}
	aead, err := newAEAD(key)
	if err != nil {
		return nil, "", err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, "", err
	}
	out := append(bytes.Clone(envelopeMagic), nonce...)
	return aead.Seal(out, nonce, doc, []byte(number)), with, nil
}

// open decrypts a document; without its key it says the copy is gone.
func (v *vault) open(ctx context.Context, number string, with KeptWith, envelope []byte) ([]byte, error) {
	key, err := v.keyStore(with).Get(ctx, account(number))
	if err != nil {
		return nil, i18n.E("org.doc.key_gone", err, number)
	}
	defer clear(key)
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	rest, ok := bytes.CutPrefix(envelope, envelopeMagic)
	if !ok || len(rest) < aead.NonceSize() {
		return nil, i18n.E("err.db_corrupt", errors.New("not an encrypted document"), number)
	}
	doc, err := aead.Open(nil, rest[:aead.NonceSize()], rest[aead.NonceSize():], []byte(number))
	if err != nil {
		return nil, i18n.E("err.db_corrupt", err, number)
	}
	return doc, nil
}

// forget deletes a document's key.
func (v *vault) forget(ctx context.Context, number string, with KeptWith) error {
	return v.keyStore(with).Delete(ctx, account(number))
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
