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
//
// Every stored record is checked when it is read. Reads that return many
// records return the intact ones together with an error naming the damaged
// ones (err.records_damaged), so that one damaged record does not make the
// rest unusable; a damaged file gives err.db_damaged with what could still
// be read.
type Store interface {
	// CertificateRecords returns the organisation's certificate records,
	// whole, and the damaged ones.
	CertificateRecords(ctx context.Context) ([]CertRecord, []Damage, error)
	// EachCertificateRecord hands the records to visit one by one, decoded
	// only as far as the overviews need and valid only during the visit;
	// reset starts a new pass.
	EachCertificateRecord(ctx context.Context, reset func(), visit func(*CertView)) ([]Damage, error)
	// ScanCertificateRecords does the same in parts that run at once, one
	// per processor core (see Bolt.ScanCertificateRecords).
	ScanCertificateRecords(ctx context.Context, parts int, reset func(part int), visit func(part int, v *CertView)) ([]Damage, error)
	// LoadCertificates decodes whole records by fingerprint, in order
	// (nil where a record is gone or damaged, named in the error).
	LoadCertificates(ctx context.Context, keys []string) ([]*cert.Certificate, error)
	// Certificates returns the organisation's certificates (issuers excluded).
	Certificates(ctx context.Context) ([]cert.Certificate, error)
	// Issuers returns the stored CA certificates.
	Issuers(ctx context.Context) ([]cert.Certificate, error)
	// DER returns the encoded certificate (own or issuer) with this
	// SHA-256, after checking it against that fingerprint.
	DER(ctx context.Context, sha256 string) ([]byte, error)
	// AddCertificates stores the entries that are new and reports the ones
	// whose fingerprint was already stored. Records of kind CA go to the
	// issuers. One transaction.
	AddCertificates(ctx context.Context, entries []Entry) (added, duplicates []cert.Certificate, err error)
	// BeginImport starts an import too large for one transaction that
	// still lands all or nothing.
	BeginImport(opt ImportOptions) Import
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
	// Update and View run a transaction in which another package's bucket
	// (see Tx) changes together with the store's data.
	Update(ctx context.Context, fn func(*Tx) error) error
	View(ctx context.Context, fn func(*Tx) error) error
	// Check reads every page and record of the file and reports damage.
	Check(ctx context.Context) (CheckReport, error)
	// Backup writes a consistent copy of the database to a file.
	Backup(ctx context.Context, path string) error
	// ReadOnly tells whether changes are refused.
	ReadOnly() bool
	// Path names the store for messages.
	Path() string
	Close() error
}

// ResolvePath picks the database file: the --db flag, else PKIODESK_DB,
// else pkiodesk.db in the user's configuration folder. (A --db flag given
// with an empty value is the caller's to refuse.)
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
