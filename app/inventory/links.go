package inventory

import (
	"context"

	"pkiodesk/app/cert"
)

// Replace puts a record changed elsewhere in the store (by an order: its
// requester, manager or a pending revocation) in place of the row with the
// same SHA-256. The store was written first; this only follows it.
func (s *Service) Replace(c cert.Certificate) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range s.rows {
		if r.key == c.SHA256 {
			s.rows[i] = newRow(&c)
		}
	}
	s.orders = nil
}

// Issuers returns the stored CA certificates (for chains and revocation).
func (s *Service) Issuers(ctx context.Context) ([]cert.Certificate, error) {
	return s.store.Issuers(ctx)
}
