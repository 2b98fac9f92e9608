package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"unicode/utf16"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/order"
	"pkiodesk/app/org"
	"pkiodesk/app/signeddoc"
	"pkiodesk/app/store"
	"pkiodesk/app/trust"
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
	if err := cardIsWho(p.reg.People, who, sig); err != nil {
		return org.Change{}, nil, err
	}
	// The JSON names ID copies by file name and digest only; the copies
	// themselves are attachments of their own.
	content, err := json.MarshalIndent(p.change, "", "  ")
	if err != nil {
		return org.Change{}, nil, err
	}
	doc := changeDocument(p.change, p.reg, sig.Login, store.ContentHash(content), sig.Lang)
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

// OpenChangeDocument verifies a change's signed PDF and only then hands
// out the change in it, as order.ReadSigned does for orders:
//   - the seal is intact and covers the whole file (signeddoc.Open);
//   - the attached change JSON is exactly what pkiodesk writes (known
//     fields, one value, canonical), a pending change as signed, whose
//     number is the seal's reason;
//   - every ID copy it names is exactly one attachment of that name, size
//     and SHA-256, and nothing else is attached;
//   - the page names the change's number and the JSON's content hash;
//   - the signer's chain is trusted by opt.Trust, else
//     "integriteit in orde, ondertekenaar niet vertrouwd";
//   - with opt.People (this organisation), the signer is the registered
//     person the change says signed it (subject serialNumber and issuer).
func OpenChangeDocument(ctx context.Context, pdf []byte, opt order.ReadOptions) (org.Change, *signeddoc.Opened, error) {
	opened, err := signeddoc.Open(ctx, pdf, nil)
	if err != nil {
		return org.Change{}, nil, err
	}
	data, ok := opened.Attachment(ChangeAttachment)
	if !ok {
		return org.Change{}, nil, i18n.E("org.doc.no_change", nil)
	}
	ch, err := decodeChange(data)
	if err != nil {
		return org.Change{}, nil, i18n.E("org.doc.no_change", err)
	}
	if ch.State != org.ChangePending || !ch.Closed.IsZero() || ch.Document != (org.DocumentRef{}) || ch.Number == "" {
		return org.Change{}, nil, i18n.E("org.doc.not_pending", nil, cert.Printable(string(ch.State)))
	}
	sigs := opened.Report.Signatures
	if reason := sigs[len(sigs)-1].Reason; reason != ch.Number {
		return org.Change{}, nil, i18n.E("org.doc.reason_differs", nil, cert.Printable(reason), cert.Printable(ch.Number))
	}
	if err := sameAttachments(ch, opened.Attachments); err != nil {
		return org.Change{}, nil, err
	}
	hash := store.ContentHash(data)
	if err := pageNames(ctx, pdf, ch.Number, hash); err != nil {
		return org.Change{}, nil, err
	}
	signer := opened.Signer
	var chain trust.Chain
	if opt.Trust != nil {
		var extra []*x509.Certificate
		if len(sigs) == 1 {
			extra = sigs[0].Certificates
		}
		chain = opt.Trust.Validate(ctx, signer, trust.ValidateOptions{Usage: trust.UsageSeal, Extra: extra})
	}
	if !chain.Trusted {
		why := chain.Err
		if opt.Trust == nil || why == nil {
			why = i18n.E("order.no_trust_store", nil)
		}
		return org.Change{}, nil, i18n.E("order.signer_untrusted", why, cert.Printable(signer.Subject.CommonName))
	}
	if opt.People != nil && (ch.Organisation == nil || opt.OIN == "" || ch.Organisation.OIN == opt.OIN) {
		if !signedBy(opt.People, ch.By.PersonID, signer, chain.Issuer()) {
			return org.Change{}, nil, i18n.E("org.doc.signer_not_by", nil, cert.Printable(signer.Subject.CommonName), cert.Printable(ch.By.Name))
		}
	}
	return ch, opened, nil
}

// ReadChangeDocument verifies a change's signed PDF against this
// database's trust store and people.
func (a *App) ReadChangeDocument(ctx context.Context, pdf []byte) (org.Change, *signeddoc.Opened, error) {
	opt, err := a.OrderReadOptions(ctx)
	if err != nil {
		return org.Change{}, nil, err
	}
	return OpenChangeDocument(ctx, pdf, opt)
}

// decodeChange reads a change's JSON as SubmitChange writes it: known
// fields only, one value, byte for byte the canonical form.
func decodeChange(data []byte) (org.Change, error) {
	var ch org.Change
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ch); err != nil {
		return org.Change{}, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return org.Change{}, errors.New("data after the change")
	}
	again, err := json.MarshalIndent(ch, "", "  ")
	if err != nil {
		return org.Change{}, err
	}
	if !bytes.Equal(again, data) {
		return org.Change{}, errors.New("not in canonical form")
	}
	return ch, nil
}

// sameAttachments: the change JSON once, and each ID copy it names exactly
// once with its size and digest; nothing else.
func sameAttachments(ch org.Change, atts []pdfseal.Attachment) error {
	want := map[string]*org.IDCopyRef{ChangeAttachment: nil}
	for _, cc := range ch.Contacts {
		if cc.IDCopy == nil {
			continue
		}
		if _, dup := want[cc.IDCopy.FileName]; dup {
			return i18n.E("org.doc.id_copy_differs", nil, cert.Printable(cc.IDCopy.FileName))
		}
		want[cc.IDCopy.FileName] = cc.IDCopy
	}
	seen := map[string]bool{}
	for _, a := range atts {
		ref, ok := want[a.Name]
		if !ok {
			return i18n.E("order.show_extra_attachment", nil, cert.Printable(a.Name))
		}
		if seen[a.Name] {
			return i18n.E("org.doc.id_copy_differs", nil, cert.Printable(a.Name))
		}
		seen[a.Name] = true
		if ref != nil {
			sum := sha256.Sum256(a.Data)
			if len(a.Data) != ref.Size || hex.EncodeToString(sum[:]) != ref.SHA256 {
				return i18n.E("org.doc.id_copy_differs", nil, cert.Printable(a.Name))
			}
		}
	}
	for name := range want {
		if !seen[name] {
			return i18n.E("org.doc.id_copy_differs", nil, cert.Printable(name))
		}
	}
	return nil
}

// pageNames checks that the page shows the change's number and the
// content hash of its JSON (the rest of the page also shows the register
// as it was when signed, which the JSON does not hold).
func pageNames(ctx context.Context, pdf []byte, number, hash string) error {
	shown, err := pdfseal.PageStrings(ctx, pdf)
	if err != nil {
		return err
	}
	for _, want := range []string{number, hash[:32], hash[32:]} {
		u := utf16be(want)
		// Whole strings: the list of attachments shows the digest too,
		// drawn from the attachments whatever the page says.
		if !slices.ContainsFunc(shown, func(s []byte) bool { return bytes.Equal(s, u) }) {
			return i18n.E("org.doc.page_differs", nil, cert.Printable(number), hash)
		}
	}
	return nil
}

func utf16be(s string) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u>>8), byte(u))
	}
	return out
}

// signedBy: the signer's certificate belongs to the registered person id:
// by fingerprint, or by subject serialNumber at the CA that issued it.
func signedBy(people []org.Person, id string, signer, issuer *x509.Certificate) bool {
	p, ok := org.FindPerson(people, id)
	if !ok {
		return false
	}
	fp := cert.Fingerprint(signer.Raw)
	for _, f := range p.CertFingerprints {
		if strings.EqualFold(f, fp) {
			return true
		}
	}
	return p.SubjectSerial != "" && p.SubjectSerial == signer.Subject.SerialNumber && issuer != nil && p.IssuerKey == org.IssuerKeyID(issuer)
}

// cardIsWho: the card that signs belongs to who: its login certificate
// identifies them (fingerprint, or serialNumber at its issuer in the
// chain), and its signature certificate names the same holder at the
// same CA.
func cardIsWho(people []org.Person, who org.Person, sig order.Signing) error {
	signCert := sig.Signer.Chain[0]
	var issuer *x509.Certificate
	for _, c := range sig.Signer.Chain[1:] {
		if sig.Login.CheckSignatureFrom(c) == nil {
			issuer = c
			break
		}
	}
	p, err := org.Identify(people, sig.Login, issuer)
	if err != nil || p.ID != who.ID || sig.Login.Subject.SerialNumber == "" ||
		signCert.Subject.SerialNumber != sig.Login.Subject.SerialNumber || signCert.Issuer.String() != sig.Login.Issuer.String() {
		return i18n.E("org.doc.card_not_who", nil, cert.Printable(sig.Login.Subject.CommonName), cert.Printable(who.Name))
	}
	return nil
}
