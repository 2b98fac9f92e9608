package store

import (
	"context"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
)

// OrgRegister is the organisation's register (organisation, people, the
// change forms kept as records, the certificates' people) read or changed
// in one transaction: a hand-over of certificates, a confirmed change form
// lands whole or not at all.
type OrgRegister interface {
	ViewOrganisation(ctx context.Context, read func(OrgTx) error) error
	UpdateOrganisation(ctx context.Context, change func(OrgTx) error) error
}

// OrgTx is the register inside one transaction.
type OrgTx interface {
	// Organisation returns the subscriber; false before the setup.
	Organisation() (org.Organisation, bool, error)
	PutOrganisation(o org.Organisation) error
	People() ([]org.Person, error)
	PutPerson(p org.Person) error
	// Records is a feature collection (see Records) in this transaction;
	// read-only in a view.
	Records(collection string) (RecordTx, error)
	// CertificatePeople returns, by certificate SHA-256, the person who
	// requested each certificate (Contactpersoon or Bevoegd
	// Vertegenwoordiger) and the Certificaatbeheerder who manages it,
	// where recorded: the assignments (certadmin.go).
	CertificatePeople() (map[string]Assignment, error)
	// PutAssignment records a certificate's people; the zero value records
	// none. The certificate must be stored.
	PutAssignment(sha256 string, a Assignment) error
}

var _ OrgRegister = (*Bolt)(nil)

// ViewOrganisation reads the register.
func (b *Bolt) ViewOrganisation(ctx context.Context, read func(OrgTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var userErr error
	err := b.view(ctx, func(tx *bolt.Tx) error {
		userErr = read(orgTx{tx: tx})
		return userErr
	})
	if userErr != nil {
		return userErr
	}
	if err != nil {
		return readErr(err)
	}
	return nil
}

// UpdateOrganisation changes the register in one transaction (with the
// context's audit entry, see WithJournal). An error from change is
// returned as it is, and nothing is written.
func (b *Bolt) UpdateOrganisation(ctx context.Context, change func(OrgTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var userErr error
	err := b.update(ctx, func(tx *bolt.Tx) error {
		userErr = change(orgTx{tx: tx, writable: true})
		return userErr
	})
	if userErr != nil {
		return userErr
	}
	if err != nil {
		return writeErr(err)
	}
	return nil
}

type orgTx struct {
	tx       *bolt.Tx
	writable bool
}

func (t orgTx) Organisation() (org.Organisation, bool, error) {
	var o org.Organisation
	bk := t.tx.Bucket(bucketOrg)
	if bk == nil {
		return o, false, nil
	}
	v := bk.Get(keyOrg)
	if v == nil {
		return o, false, nil
	}
	if err := openJSON(v, &o); err != nil {
		return o, false, i18n.E("err.db_corrupt", err, "organisation")
	}
	return o, true, nil
}

func (t orgTx) PutOrganisation(o org.Organisation) error {
	if !t.writable {
		return errReadOnly
	}
	bk, err := t.tx.CreateBucketIfNotExists(bucketOrg)
	if err != nil {
		return err
	}
	v, err := sealJSON(o)
	if err != nil {
		return err
	}
	return bk.Put(keyOrg, v)
}

func (t orgTx) People() ([]org.Person, error) {
	var out []org.Person
	bk := t.tx.Bucket(bucketPeople)
	if bk == nil {
		return nil, withHidden(nil, bucketPeople, hiddenBy(t.tx, bucketPeople, 0))
	}
	var seen uint64
	err := cursorRange{b: bk, seen: &seen}.ForEach(func(k, v []byte) error {
		var p org.Person
		if err := openJSON(v, &p); err != nil {
			return i18n.E("err.db_corrupt", fmt.Errorf("person %s: %w", k, err), "people")
		}
		out = append(out, p)
		return nil
	})
	if err != nil {
		return out, err
	}
	return out, withHidden(nil, bucketPeople, hiddenBy(t.tx, bucketPeople, seen))
}

func (t orgTx) PutPerson(p org.Person) error {
	if !t.writable {
		return errReadOnly
	}
	if p.ID == "" {
		return errors.New("store: a person without ID")
	}
	return putPerson(t.tx, p)
}

func (t orgTx) Records(collection string) (RecordTx, error) {
	if !t.writable {
		return readableRecords(t.tx, collection), nil
	}
	return recordsIn(t.tx, collection)
}

func (t orgTx) CertificatePeople() (map[string]Assignment, error) {
	out := map[string]Assignment{}
	bk := t.tx.Bucket(bucketAssignments)
	if bk == nil {
		return out, withHidden(nil, bucketAssignments, hiddenBy(t.tx, bucketAssignments, 0))
	}
	var seen uint64
	err := cursorRange{b: bk, seen: &seen}.ForEach(func(k, v []byte) error {
		var cp Assignment
		if err := openJSON(v, &cp); err != nil {
			return i18n.E("err.db_corrupt", err, cert.Printable(string(k)))
		}
		out[string(k)] = cp
		return nil
	})
	if err != nil {
		return out, err
	}
	return out, withHidden(nil, bucketAssignments, hiddenBy(t.tx, bucketAssignments, seen))
}

func (t orgTx) PutAssignment(sha256 string, cp Assignment) error {
	if !t.writable {
		return errReadOnly
	}
	if t.tx.Bucket(bucketCerts).Get([]byte(sha256)) == nil {
		return i18n.E("err.cert_not_found", nil, cert.Printable(sha256))
	}
	return putAssignment(t.tx, sha256, cp)
}
