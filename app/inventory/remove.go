package inventory

import (
	"context"

	"pkiodesk/app/cert"
	"pkiodesk/app/store"
)

// Remove takes a certificate out of the inventory: its record, its DER and
// who it was assigned to. The certificate itself stays valid at its CA;
// this only cleans up what pkiodesk lists. Who may do it is decided by
// app.RemoveCertificate.
func (s *Service) Remove(ctx context.Context, sha256 string) (cert.Certificate, error) {
	c, err := s.store.RemoveCertificate(ctx, sha256)
	if err != nil {
		return cert.Certificate{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.rows {
		if s.rows[i].key == sha256 {
			s.rows = append(s.rows[:i], s.rows[i+1:]...)
			break
		}
	}
	s.orders = nil
	return c, nil
}

// Assignment returns who requested and who manages a certificate.
func (s *Service) Assignment(ctx context.Context, sha256 string) (store.Assignment, error) {
	return s.store.Assignment(ctx, sha256)
}

// Assign records who requested and who manages a certificate. The rules
// (who may, who qualifies) are app.AssignPeople's.
func (s *Service) Assign(ctx context.Context, sha256 string, a store.Assignment) error {
	return s.store.SetAssignment(ctx, sha256, a)
}
