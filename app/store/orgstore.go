package store

import (
	"context"
	"errors"
	"strings"

	bolt "go.etcd.io/bbolt"

	"pkiodesk/app/cert"
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
	err := b.view(ctx, func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketOrg)
		if bk == nil {
			return nil
		}
		v := bk.Get(keyOrg)
		if v == nil {
			return nil
		}
		found = true
		if err := openJSON(v, &o); err != nil {
			return i18n.E("err.org_damaged", err)
		}
		return nil
	})
	if err != nil {
		return org.Organisation{}, false, readErr(err)
	}
	return o, found, nil
}

// People returns every registered person, active or not. A damaged
// person's record is left out and named in the error beside the others.
func (b *Bolt) People(ctx context.Context) ([]org.Person, error) {
	var out []org.Person
	var bad []Damage
	var hidden uint64
	err := b.view(ctx, func(tx *bolt.Tx) error {
		// A nil *bolt.Bucket in the kv interface would not be nil.
		var seen uint64
		if bk := tx.Bucket(bucketPeople); bk != nil {
			out, bad = readPeople(cursorRange{b: bk, seen: &seen})
		}
		hidden = hiddenBy(tx, bucketPeople, seen)
		return nil
	})
	if err != nil {
		return nil, readErr(err)
	}
	return out, withHidden(joinPeopleDamage(bad), bucketPeople, hidden)
}

func readPeople(bk kv) ([]org.Person, []Damage) {
	var out []org.Person
	var bad []Damage
	if bk == nil {
		return nil, nil
	}
	_ = bk.ForEach(func(k, v []byte) error {
		var p org.Person
		if err := openJSON(v, &p); err != nil || p.ID != string(k) {
			bad = append(bad, Damage{Key: string(k), Err: err})
			return nil
		}
		out = append(out, p)
		return nil
	})
	return out, bad
}

func joinPeopleDamage(bad []Damage) error {
	if len(bad) == 0 {
		return nil
	}
	ids := make([]string, len(bad))
	for i, d := range bad {
		ids[i] = cert.Printable(d.Key)
	}
	return i18n.E("err.people_damaged", nil, len(bad), strings.Join(ids, ", "))
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
		v, err := sealJSON(o)
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
		return writeErr(err)
	}
	return nil
}

// PutPerson adds or replaces a registered person.
func (b *Bolt) PutPerson(ctx context.Context, p org.Person) error {
	if err := b.update(ctx, func(tx *bolt.Tx) error { return putPerson(tx, p) }); err != nil {
		return writeErr(err)
	}
	return nil
}

func putPerson(tx *bolt.Tx, p org.Person) error {
	bk, err := countedBucket(tx, bucketPeople)
	if err != nil {
		return err
	}
	v, err := sealJSON(p)
	if err != nil {
		return err
	}
	return bk.Put([]byte(p.ID), v)
}
