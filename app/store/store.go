// Package store keeps pkiodesk's state. Store is the interface the services
// use; Bolt is the embedded implementation (one bbolt file per workstation).
// A shared server database can be added later as another implementation.
package store

import (
	"context"
	"os"
	"path/filepath"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
)

// Entry is a certificate record with the DER it was derived from.
type Entry struct {
	Cert cert.Certificate
	DER  []byte
}

// Store is what the core needs from storage. Every method that changes more
// than one record does so in one transaction: all of it lands, or none.
type Store interface {
	// Certificates returns the organisation's certificates (issuers excluded).
	Certificates(ctx context.Context) ([]cert.Certificate, error)
	// Issuers returns the stored CA certificates.
	Issuers(ctx context.Context) ([]cert.Certificate, error)
	// DER returns the encoded certificate (own or issuer) with this SHA-256.
	DER(ctx context.Context, sha256 string) ([]byte, error)
	// AddCertificates stores the entries that are new and reports the ones
	// whose fingerprint was already stored. Records of kind CA go to the
	// issuers. One transaction.
	AddCertificates(ctx context.Context, entries []Entry) (added, duplicates []cert.Certificate, err error)
	// UpdateCertificate changes one stored record in a transaction; the
	// function may refuse with an error, and then nothing is written.
	UpdateCertificate(ctx context.Context, sha256 string, change func(*cert.Certificate) error) (cert.Certificate, error)
	// Organisation returns the subscriber; false before the first setup.
	Organisation(ctx context.Context) (org.Organisation, bool, error)
	// People returns every registered person.
	People(ctx context.Context) ([]org.Person, error)
	// SetUp stores the organisation and its first person in one
	// transaction, and refuses when an organisation exists.
	SetUp(ctx context.Context, o org.Organisation, first org.Person) error
	// PutPerson adds or replaces a person.
	PutPerson(ctx context.Context, p org.Person) error
	// Removing certificates and recording who requested and manages them
	// (certadmin.go).
	CertificateAdmin
	// Settings returns the workstation's preferences.
	Settings(ctx context.Context) (Settings, error)
	// SaveSettings replaces them.
	SaveSettings(ctx context.Context, s Settings) error
	// Path names the store for messages.
	Path() string
	Close() error
}

// ResolvePath picks the database file: the --db flag, else PKIODESK_DB,
// else pkiodesk.db in the user's configuration folder.
func ResolvePath(flagValue string, getenv func(string) string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if p := getenv("PKIODESK_DB"); p != "" {
		return p, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", i18n.E("err.db_dir", err)
	}
	return filepath.Join(dir, "pkiodesk", "pkiodesk.db"), nil
}
