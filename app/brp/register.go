package brp

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/store"
)

// collection is the register's bucket in the database.
const collection = "brp-afnemers"

// recordVersion is the layout Register writes; a newer one is refused.
const recordVersion = 1

// Register is the afnemer register, kept in the pkiodesk database. Every
// change is one transaction; a record that fails to decode or validate is
// reported, never silently skipped or rewritten.
type Register struct {
	rec    store.Records
	record Recorder
}

// NewRegister keeps the register in rec (the pkiodesk database).
func NewRegister(rec store.Records) *Register { return &Register{rec: rec} }

// Op is a change to the register, as the audit journal names it.
type Op string

const (
	OpAdd    Op = "add"
	OpChange Op = "change"
	OpRemove Op = "remove"
)

// Recorder runs a register change with its journal entry: the entry is
// written in the change's own transaction (see app/audit).
type Recorder func(ctx context.Context, op Op, afnemerID string, change func(context.Context) error) error

// WithRecorder returns the register that journals every change through rec.
func (r *Register) WithRecorder(rec Recorder) *Register {
	return &Register{rec: r.rec, record: rec}
}

func (r *Register) change(ctx context.Context, op Op, id string, change func(context.Context) error) error {
	if r.record == nil {
		return change(ctx)
	}
	return r.record(ctx, op, id, change)
}

type record struct {
	V       int     `json:"v"`
	Afnemer Afnemer `json:"afnemer"`
}

func encodeAfnemer(a Afnemer) ([]byte, error) {
	return json.Marshal(record{V: recordVersion, Afnemer: a})
}

var errNewerRecord = errors.New("record written by a newer pkiodesk")

// decodeAfnemer reads a stored record and validates it as if typed in: the
// database file may have been edited by someone else.
func decodeAfnemer(key string, v []byte) (Afnemer, error) {
	var r record
	if err := json.Unmarshal(v, &r); err != nil {
		return Afnemer{}, i18n.E("brp.err.record", err, cert.Printable(trim(key, 40)))
	}
	if r.V > recordVersion {
		return Afnemer{}, i18n.E("brp.err.record", errNewerRecord, cert.Printable(trim(key, 40)))
	}
	if r.V != recordVersion || r.Afnemer.ID != key {
		return Afnemer{}, i18n.E("brp.err.record", nil, cert.Printable(trim(key, 40)))
	}
	if err := r.Afnemer.Validate(); err != nil {
		return Afnemer{}, i18n.E("brp.err.record", err, cert.Printable(key))
	}
	return r.Afnemer, nil
}

// List returns every afnemer, ordered by AfnemerID.
func (r *Register) List(ctx context.Context) ([]Afnemer, error) {
	var out []Afnemer
	err := r.rec.ViewRecords(ctx, collection, func(tx store.RecordTx) error {
		return tx.ForEach(func(key string, v []byte) error {
			a, err := decodeAfnemer(key, v)
			if err != nil {
				return err
			}
			out = append(out, a)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Afnemer) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// Get returns one afnemer.
func (r *Register) Get(ctx context.Context, id string) (Afnemer, error) {
	var a Afnemer
	var found bool
	err := r.rec.ViewRecords(ctx, collection, func(tx store.RecordTx) error {
		v := tx.Get(id)
		if v == nil {
			return nil
		}
		found = true
		var err error
		a, err = decodeAfnemer(id, v)
		return err
	})
	if err != nil {
		return Afnemer{}, err
	}
	if !found {
		return Afnemer{}, i18n.E("brp.err.not_found", nil, cert.Printable(trim(id, 40)))
	}
	return a, nil
}

// Add stores a new afnemer; an AfnemerID that exists is refused.
func (r *Register) Add(ctx context.Context, a Afnemer) (Afnemer, error) {
	return r.put(ctx, a, false)
}

// Put adds an afnemer or replaces the one with its AfnemerID.
func (r *Register) Put(ctx context.Context, a Afnemer) (Afnemer, error) {
	return r.put(ctx, a, true)
}

func (r *Register) put(ctx context.Context, a Afnemer, replace bool) (Afnemer, error) {
	a.Hosts = slices.Clone(a.Hosts)
	a.Endpoints = slices.Clone(a.Endpoints)
	if err := a.Validate(); err != nil {
		return Afnemer{}, err
	}
	v, err := encodeAfnemer(a)
	if err != nil {
		return Afnemer{}, i18n.E("err.db_write", err)
	}
	op := OpAdd
	if replace {
		op = OpChange
	}
	err = r.change(ctx, op, a.ID, func(ctx context.Context) error {
		return r.rec.UpdateRecords(ctx, collection, func(tx store.RecordTx) error {
			if !replace && tx.Get(a.ID) != nil {
				return i18n.E("brp.err.exists", nil, a.ID)
			}
			return tx.Put(a.ID, v)
		})
	})
	if err != nil {
		return Afnemer{}, err
	}
	return a, nil
}

// Remove deletes an afnemer from the register.
func (r *Register) Remove(ctx context.Context, id string) error {
	return r.change(ctx, OpRemove, id, func(ctx context.Context) error {
		return r.rec.UpdateRecords(ctx, collection, func(tx store.RecordTx) error {
			if tx.Get(id) == nil {
				return i18n.E("brp.err.not_found", nil, cert.Printable(trim(id, 40)))
			}
			return tx.Delete(id)
		})
	})
}

// SharingCertificate returns the other afnemers that use certificate sha256.
func SharingCertificate(all []Afnemer, self Afnemer, sha256 string) []Afnemer {
	var out []Afnemer
	for _, o := range all {
		if o.ID != self.ID && sha256 != "" && o.CertSHA256 == sha256 {
			out = append(out, o)
		}
	}
	return out
}
