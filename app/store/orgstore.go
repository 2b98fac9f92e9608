package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
)

// The organisation and its people are few and change rarely: JSON is
// readable in a database dump and fast enough.
var (
	bucketOrg    = []byte("organisation")
	bucketPeople = []byte("people")
	keyOrg       = []byte("subscriber")
)

var errAlreadySetUp = errors.New("organisation exists")

// Organisation returns the subscriber, and false before the first setup.
func (b *Bolt) Organisation(ctx context.Context) (org.Organisation, bool, error) {
	var o org.Organisation
	var found bool
	err := b.db.View(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketOrg)
		if bk == nil {
			return nil
		}
		v := bk.Get(keyOrg)
		if v == nil {
			return nil
		}
		found = true
		return json.Unmarshal(v, &o)
	})
	if err != nil {
		return org.Organisation{}, false, i18n.E("err.db_read", err)
	}
	return o, found, nil
}

// People returns every registered person, active or not.
func (b *Bolt) People(ctx context.Context) ([]org.Person, error) {
	var out []org.Person
	err := b.db.View(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketPeople)
		if bk == nil {
			return nil
		}
		return bk.ForEach(func(k, v []byte) error {
			var p org.Person
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("person %s: %w", k, err)
			}
			out = append(out, p)
			return nil
		})
	})
	if err != nil {
		return nil, i18n.E("err.db_read", err)
	}
	return out, nil
}

// SetUp stores the organisation and its first person in one transaction.
// It refuses when an organisation is already stored.
func (b *Bolt) SetUp(ctx context.Context, o org.Organisation, first org.Person) error {
	err := b.update(ctx, func(tx *bolt.Tx) error {
		bo, err := tx.CreateBucketIfNotExists(bucketOrg)
		if err != nil {
			return err
		}
		if bo.Get(keyOrg) != nil {
			return errAlreadySetUp
		}
		v, err := json.Marshal(o)
		if err != nil {
			return err
		}
		if err := bo.Put(keyOrg, v); err != nil {
			return err
		}
		return putPerson(tx, first)
	})
	if errors.Is(err, errAlreadySetUp) {
		return i18n.E("org.already_set_up", nil)
	}
	if err != nil {
		return i18n.E("err.db_write", err)
	}
	return nil
}

// PutPerson adds or replaces a registered person.
func (b *Bolt) PutPerson(ctx context.Context, p org.Person) error {
	if err := b.update(ctx, func(tx *bolt.Tx) error { return putPerson(tx, p) }); err != nil {
		return i18n.E("err.db_write", err)
	}
	return nil
}

func putPerson(tx *bolt.Tx, p org.Person) error {
	bk, err := tx.CreateBucketIfNotExists(bucketPeople)
	if err != nil {
		return err
	}
	v, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return bk.Put([]byte(p.ID), v)
}
