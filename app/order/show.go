package order

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/signeddoc"
	"pkiodesk/app/store"
)

// Signed is an order read back from its signed PDF.
type Signed struct {
	Order Order
	// Hash is the SHA-256 of the attached order JSON: the hash on the page.
	Hash     string
	Signer   *x509.Certificate
	SignedAt time.Time
}

// ReadSigned verifies an order's PDF and only then reads the order in it:
// the seal must be intact and cover the whole file (signeddoc.Open), the
// order must be attached, its CSR attachment must be the CSR it names, and
// the signer must be the person who logged in to place it. roots may be nil
// (integrity only).
func ReadSigned(ctx context.Context, pdf []byte, roots *x509.CertPool) (Signed, error) {
	opened, err := signeddoc.Open(ctx, pdf, roots)
	if err != nil {
		return Signed{}, err
	}
	content, ok := opened.Attachment(AttachmentOrder)
	if !ok {
		return Signed{}, i18n.E("order.show_no_order", nil, AttachmentOrder)
	}
	var o Order
	dec := json.NewDecoder(bytes.NewReader(content))
	if err := dec.Decode(&o); err != nil {
		return Signed{}, i18n.E("order.damaged", err, AttachmentOrder)
	}
	if o.ID == "" || o.PlacedAt.IsZero() || o.Login == nil {
		return Signed{}, i18n.E("order.damaged", errors.New("not a placed order"), cert.Printable(o.ID))
	}
	csr, hasCSR := opened.Attachment(AttachmentCSR)
	switch {
	case o.Server != nil && o.Kind != KindRevoke && o.Server.CSR != "":
		if !hasCSR || !bytes.Equal(csr, []byte(o.Server.CSR)) {
			return Signed{}, i18n.E("order.show_csr_differs", nil)
		}
	case hasCSR:
		return Signed{}, i18n.E("order.show_csr_differs", nil)
	}
	if o.Login.SubjectSerial != "" && opened.Signer.Subject.SerialNumber != o.Login.SubjectSerial {
		return Signed{}, i18n.E("order.signer_not_requester", nil, cert.Printable(opened.Signer.Subject.CommonName), cert.Printable(o.Requester.Name))
	}
	return Signed{Order: o, Hash: store.ContentHash(content), Signer: opened.Signer, SignedAt: opened.SignedAt}, nil
}
