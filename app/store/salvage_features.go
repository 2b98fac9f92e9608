package store

import (
	"context"
	"sort"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

// What other features keep in the store (assignments, orders, the audit
// journal), read from a damaged file as far as it could be read; every
// change is refused.

var _ Journal = (*Salvaged)(nil)

func (s *Salvaged) Assignment(_ context.Context, sha256 string) (Assignment, error) {
	var a Assignment
	if v := s.bucket(bucketAssignments).Get([]byte(sha256)); v != nil {
		if err := openJSON(v, &a); err != nil {
			return Assignment{}, i18n.E("err.assignment_damaged", err, cert.Printable(sha256))
		}
	}
	return a, nil
}

func (s *Salvaged) RemoveCertificate(context.Context, string) (cert.Certificate, error) {
	return cert.Certificate{}, s.refuse()
}

func (s *Salvaged) SetAssignment(context.Context, string, Assignment) error { return s.refuse() }

func (s *Salvaged) Order(_ context.Context, id string) (OrderRecord, error) {
	v := s.bucket(bucketOrders).Get([]byte(id))
	if v == nil {
		return OrderRecord{}, i18n.E("order.not_found", nil, cert.Printable(id))
	}
	rec, err := decodeOrder(id, v)
	return cloneOrder(rec), err
}

func (s *Salvaged) Orders(ctx context.Context) ([]OrderRecord, []error, error) {
	var out []OrderRecord
	var bad []error
	err := s.bucket(bucketOrders).ForEach(func(k, v []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, err := decodeOrder(string(k), v)
		if err != nil {
			bad = append(bad, &DamagedOrder{ID: string(k), Err: err})
			return nil
		}
		out = append(out, cloneOrder(rec))
		return nil
	})
	if err != nil {
		return nil, nil, readErr(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, bad, nil
}

func (s *Salvaged) CreateOrder(context.Context, OrderRecord) error { return s.refuse() }

func (s *Salvaged) ChangeOrder(context.Context, string, OrderChange) (OrderResult, error) {
	return OrderResult{}, s.refuse()
}

func (s *Salvaged) DeleteOrder(context.Context, string) error { return s.refuse() }

func (s *Salvaged) AppendJournal(context.Context, func(JournalTx) error) error { return s.refuse() }

func (s *Salvaged) ViewJournal(ctx context.Context, visit func(key, value []byte) error) error {
	i := 0
	return s.bucket(bucketJournal).ForEach(func(k, v []byte) error {
		if i++; i%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		return visit(append([]byte(nil), k...), append([]byte(nil), v...))
	})
}

var _ OrgRegister = (*Salvaged)(nil)

// ViewOrganisation has no bbolt transaction to offer on a damaged file:
// the organisation and its people are read through Organisation and
// People instead; the register's forms wait for a restored database.
func (s *Salvaged) ViewOrganisation(context.Context, func(OrgTx) error) error { return s.err() }

func (s *Salvaged) UpdateOrganisation(context.Context, func(OrgTx) error) error { return s.refuse() }
