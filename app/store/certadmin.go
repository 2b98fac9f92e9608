package store

import (
	"context"
	"errors"

	bolt "go.etcd.io/bbolt"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

// Assignment names the registered people a certificate belongs with: the
// Contactpersoon who requested it and the Certificaatbeheerder who manages
// it (manual 3.1, 4.1), by person ID. Empty means not recorded.
type Assignment struct {
	ContactID string `json:"contact,omitempty"`
	ManagerID string `json:"manager,omitempty"`
}

// CertificateAdmin removes certificates from the inventory and keeps their
// assignments.
type CertificateAdmin interface {
	// RemoveCertificate deletes an own certificate's record, its DER and
	// its assignment in one transaction, and returns the record.
	RemoveCertificate(ctx context.Context, sha256 string) (cert.Certificate, error)
	// Assignment returns a certificate's assignment (zero when none).
	Assignment(ctx context.Context, sha256 string) (Assignment, error)
	// SetAssignment records it; an empty assignment deletes it. It refuses
	// a certificate that is not stored.
	SetAssignment(ctx context.Context, sha256 string, a Assignment) error
}

var _ CertificateAdmin = (*Bolt)(nil)

// Assignments live beside the records, as JSON: few, small, and readable in
// a dump. The bucket is made on first use, so older databases need no
// migration.
var bucketAssignments = []byte("assignments")

var errNoCertificate = errors.New("no such certificate")

// RemoveCertificate deletes an own certificate with its DER and assignment.
func (b *Bolt) RemoveCertificate(ctx context.Context, sha256 string) (cert.Certificate, error) {
	var out cert.Certificate
	key := []byte(sha256)
	// update carries the context's journal entry into this transaction.
	err := b.update(ctx, func(tx *bolt.Tx) error {
		certs := tx.Bucket(bucketCerts)
		v := certs.Get(key)
		if v == nil {
			return errNoCertificate
		}
		if err := checkRecord(key, v); err != nil {
			return i18n.E("err.record_damaged", err, damageOf(key, tx.Bucket(bucketDER), err).Label())
		}
		c, err := decodeRecord(v)
		if err != nil {
			return i18n.E("err.record_damaged", err, cert.Printable(sha256))
		}
		out = c
		if err := certs.Delete(key); err != nil {
			return err
		}
		if err := addCounts(tx, -1, 0); err != nil {
			return err
		}
		if err := tx.Bucket(bucketDER).Delete(key); err != nil {
			return err
		}
		if tx.Bucket(bucketAssignments) == nil {
			return nil
		}
		assigned, err := countedBucket(tx, bucketAssignments)
		if err != nil {
			return err
		}
		return assigned.Delete(key)
	})
	if errors.Is(err, errNoCertificate) {
		return cert.Certificate{}, i18n.E("err.cert_not_found", nil, cert.Printable(sha256))
	}
	if err != nil {
		return cert.Certificate{}, writeErr(err)
	}
	return out, nil
}

// Assignment returns a certificate's assignment.
func (b *Bolt) Assignment(ctx context.Context, sha256 string) (Assignment, error) {
	var a Assignment
	err := b.view(ctx, func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketAssignments)
		if bk == nil {
			return nil
		}
		if v := bk.Get([]byte(sha256)); v != nil {
			if err := openJSON(v, &a); err != nil {
				return i18n.E("err.assignment_damaged", err, cert.Printable(sha256))
			}
		}
		return nil
	})
	if err != nil {
		return Assignment{}, readErr(err)
	}
	return a, nil
}

// SetAssignment records who requested and manages a certificate.
func (b *Bolt) SetAssignment(ctx context.Context, sha256 string, a Assignment) error {
	key := []byte(sha256)
	err := b.update(ctx, func(tx *bolt.Tx) error {
		if tx.Bucket(bucketCerts).Get(key) == nil {
			return errNoCertificate
		}
		return putAssignment(tx, sha256, a)
	})
	if errors.Is(err, errNoCertificate) {
		return i18n.E("err.cert_not_found", nil, cert.Printable(sha256))
	}
	if err != nil {
		return writeErr(err)
	}
	return nil
}
