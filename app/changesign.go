package app

import (
	"context"
	"crypto/x509"
	"encoding/json"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/order"
	"pkiodesk/app/org"
	"pkiodesk/app/signeddoc"
	"pkiodesk/pdfseal"
)

// ChangeAttachment is the name of the change's JSON inside its PDF.
const ChangeAttachment = "wijziging.json"

// SubmitChange checks a change form, signs it with the card through the
// one shared signing path (app/signeddoc, as orders are: the PDF with the
// change as JSON and the ID copies attached, PAdES-sealed, verified back)
// and keeps it pending. The register changes only when the CA's
// confirmation is recorded (ConfirmChange). It returns the signed PDF.
func (a *App) SubmitChange(ctx context.Context, who org.Person, d org.ChangeDraft, copies []IDCopy, sig order.Signing) (org.Change, []byte, error) {
	if sig.Signer.Key == nil || len(sig.Signer.Chain) == 0 || sig.Login == nil {
		return org.Change{}, nil, i18n.E("doc.no_signer", nil)
	}
	// As for orders: the card's signature (non-repudiation) key signs, not
	// its authentication key.
	if c := sig.Signer.Chain[0]; c.KeyUsage&x509.KeyUsageContentCommitment == 0 && c.KeyUsage != 0 {
		return org.Change{}, nil, i18n.E("order.not_signature_key", nil, cert.Printable(c.Subject.CommonName))
	}
	if sig.Lang == "" {
		sig.Lang = i18n.NL
	}
	for _, s := range d.Sections {
		if s != org.SectionCancel {
			continue
		}
		// What stops is named on the signed PDF in the signer's language.
		stops, err := a.CancellationEffects(ctx, sig.Lang)
		if err != nil {
			return org.Change{}, nil, err
		}
		c := org.Cancellation{}
		if d.Cancellation != nil {
			c = *d.Cancellation
		}
		c.Stops = stops
		d.Cancellation = &c
	}
	p, err := a.planChange(ctx, who, d, copies)
	if err != nil {
		return org.Change{}, nil, err
	}
	// The JSON names ID copies by file name and digest only; the copies
	// themselves are attachments of their own.
	content, err := json.MarshalIndent(p.change, "", "  ")
	if err != nil {
		return org.Change{}, nil, err
	}
	doc := changeDocument(p.change, p.reg, sig.Login, sig.Lang)
	doc.Attachments = append(doc.Attachments, pdfseal.Attachment{Name: ChangeAttachment, Description: i18n.T(sig.Lang, "doc.attachment_change"), Data: content})
	for _, c := range copies {
		cc := p.change.Contacts[c.Contact]
		doc.Attachments = append(doc.Attachments, pdfseal.Attachment{Name: cc.IDCopy.FileName, Description: i18n.T(sig.Lang, "doc.attachment_id_copy", cc.Person.Name), Data: c.Data})
	}
	pdf, err := signeddoc.Sign(ctx, signeddoc.Request{Document: doc, Signer: sig.Signer, Time: p.change.Created, Reason: p.change.Number})
	if err != nil {
		return org.Change{}, nil, err
	}
	ch, err := a.keepChange(ctx, who, p, pdf, cert.Printable(sig.Signer.Chain[0].Subject.CommonName+" — "+sig.Signer.Chain[0].Issuer.CommonName), p.change.Created)
	if err != nil {
		return org.Change{}, nil, err
	}
	return ch, pdf, nil
}

// OpenChangeDocument verifies a change's signed PDF (the seal intact over
// the whole file) and returns the change it carries.
func OpenChangeDocument(ctx context.Context, pdf []byte) (org.Change, *signeddoc.Opened, error) {
	opened, err := signeddoc.Open(ctx, pdf, nil)
	if err != nil {
		return org.Change{}, nil, err
	}
	data, ok := opened.Attachment(ChangeAttachment)
	if !ok {
		return org.Change{}, nil, i18n.E("org.doc.no_change", nil)
	}
	var ch org.Change
	if err := json.Unmarshal(data, &ch); err != nil {
		return org.Change{}, nil, i18n.E("org.doc.no_change", err)
	}
	return ch, opened, nil
}
