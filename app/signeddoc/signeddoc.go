// Package signeddoc is the one path by which pkiodesk signs a document:
// an order, a revocation, or an organisation change form. The document is
// drawn by pdfseal with its machine-readable content embedded as file
// attachments, sealed PAdES with the card's signature key through a
// crypto.Signer, and verified back before anyone gets it. Open is the way
// back: it verifies first and only then hands out the attachments.
package signeddoc

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"strings"
	"time"

	"pkiodesk/app/i18n"
	"pkiodesk/pdfseal"
)

// Signer is the key a document is signed with, and its certificate chain
// (the signing certificate first). For the card: smartcard.Signer and its
// Chain; a key that needs the PIN per signature asks for it inside Sign.
type Signer struct {
	Key   crypto.Signer
	Chain []*x509.Certificate
}

// Request is one document to sign.
type Request struct {
	// Document is what the page shows; its Attachments are embedded.
	Document pdfseal.Document
	Signer   Signer
	// Time goes into the signature (/M); zero means now.
	Time   time.Time
	Reason string
	// RSAPSS signs an RSA key with RSASSA-PSS (as PKIoverheid G4 does).
	RSAPSS bool
}

// Sign draws the document, seals it and verifies the result: the seal must
// be intact and cover the whole file, the signer must be the one asked
// for, and every attachment must read back byte for byte.
func Sign(ctx context.Context, req Request) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, i18n.E("err.context_canceled", err)
	}
	if req.Signer.Key == nil || len(req.Signer.Chain) == 0 {
		return nil, i18n.E("doc.no_signer", nil)
	}
	if req.Time.IsZero() {
		req.Time = time.Now()
	}
	drawn, err := pdfseal.Draw(req.Document)
	if err != nil {
		return nil, i18n.E("doc.draw_failed", err)
	}
	sealed, err := pdfseal.Seal(ctx, drawn, pdfseal.SealOptions{
		Signer: req.Signer.Key, Chain: req.Signer.Chain, Time: req.Time, Reason: req.Reason, RSAPSS: req.RSAPSS, Visible: true,
	})
	if err != nil {
		var ue *i18n.Error
		if errors.As(err, &ue) {
			return nil, err // the card's own message (PIN, removed card)
		}
		return nil, i18n.E("doc.seal_failed", err)
	}
	opened, err := Open(ctx, sealed, nil)
	if err != nil {
		return nil, i18n.E("doc.verify_after_sign", err)
	}
	if !opened.Signer.Equal(req.Signer.Chain[0]) {
		return nil, i18n.E("doc.verify_after_sign", errors.New("signed by another certificate"))
	}
	if len(opened.Attachments) != len(req.Document.Attachments) {
		return nil, i18n.E("doc.verify_after_sign", errors.New("attachments lost"))
	}
	for i, a := range req.Document.Attachments {
		if got := opened.Attachments[i]; got.Name != a.Name || !bytes.Equal(got.Data, a.Data) {
			return nil, i18n.E("doc.verify_after_sign", errors.New("attachment "+a.Name+" changed"))
		}
	}
	return sealed, nil
}

// Opened is a signed document that verified.
type Opened struct {
	// Signer is the certificate of the newest seal.
	Signer   *x509.Certificate
	SignedAt time.Time
	Report   pdfseal.Report
	// Attachments are the embedded files, in the document's order.
	Attachments []pdfseal.Attachment
}

// Attachment returns the embedded file with this name.
func (o *Opened) Attachment(name string) ([]byte, bool) {
	for _, a := range o.Attachments {
		if a.Name == name {
			return a.Data, true
		}
	}
	return nil, false
}

// Open verifies a signed document with pdfseal's verifier and returns its
// attachments. A document that is not sealed, whose seal is broken, that
// was changed after sealing, or (with roots) whose signer is not trusted is
// refused; nothing of its content is handed out then.
func Open(ctx context.Context, data []byte, roots *x509.CertPool) (*Opened, error) {
	rep, err := pdfseal.Verify(ctx, data, pdfseal.VerifyOptions{Roots: roots})
	if errors.Is(err, pdfseal.ErrNoSignatures) {
		return nil, i18n.E("doc.not_signed", nil)
	}
	if err != nil {
		return nil, i18n.E("doc.unreadable", err)
	}
	if !rep.OK() {
		return nil, i18n.E("doc.not_intact", problems(rep))
	}
	// pkiodesk's documents carry one seal. A second one, even intact, could
	// cover content added after the first: refuse rather than guess whose
	// attachments these are.
	if len(rep.Signatures) != 1 {
		return nil, i18n.E("doc.several_signatures", nil, len(rep.Signatures))
	}
	newest := rep.Signatures[0]
	as, err := pdfseal.Attachments(ctx, data)
	if err != nil && !errors.Is(err, pdfseal.ErrNoAttachments) {
		return nil, i18n.E("doc.unreadable", err)
	}
	return &Opened{Signer: newest.Signer, SignedAt: newest.ClaimedTime, Report: rep, Attachments: as}, nil
}

// reportProblems is why a document did not verify, in the reader's
// language.
type reportProblems []pdfseal.Problem

func (p reportProblems) Error() string { return p.Localize(i18n.EN) }

// Localize joins the problems, each once.
func (p reportProblems) Localize(l i18n.Lang) string {
	seen := map[string]bool{}
	var out []string
	for _, x := range p {
		if t := x.Text(l); !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return strings.Join(out, "; ")
}

func problems(rep pdfseal.Report) error {
	out := append(reportProblems(nil), rep.Problems...)
	for _, s := range rep.Signatures {
		out = append(out, s.Problems...)
	}
	if len(out) == 0 {
		return errors.New("changed after signing")
	}
	return out
}
