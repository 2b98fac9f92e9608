package order

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"
	"unicode/utf16"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
	"pkiodesk/app/signeddoc"
	"pkiodesk/app/store"
	"pkiodesk/app/trust"
	"pkiodesk/pdfseal"
)

// Signed is an order read back from its signed PDF.
type Signed struct {
	Order Order
	// Hash is the SHA-256 of the attached order JSON: the hash on the page.
	Hash     string
	Signer   *x509.Certificate
	SignedAt time.Time
	// Chain is the signer's chain to the trust store.
	Chain trust.Chain
}

// SignerTrust validates a signer's certificate chain: the trust store
// (app/trust.Service), the same one logins are checked against.
type SignerTrust interface {
	Validate(ctx context.Context, leaf *x509.Certificate, opt trust.ValidateOptions) trust.Chain
}

// ReadOptions say what an order's PDF is checked against.
type ReadOptions struct {
	// Trust decides whether the signer is trusted. Nil trusts no one: the
	// PDF is then at best "intact, signer not trusted".
	Trust SignerTrust
	// People are the registered people, when the database is at hand: the
	// signer must then be the order's requester among them. Nil leaves
	// that check out (a PDF read without a database).
	People []org.Person
	// OIN is the organisation People belong to: an order of another
	// organisation is not checked against them.
	OIN string
}

// PoolTrust trusts the chains to Roots (`--roots` instead of the trust
// store).
type PoolTrust struct {
	Roots, Intermediates *x509.CertPool
}

// Validate builds the signer's chain to Roots.
func (p PoolTrust) Validate(ctx context.Context, leaf *x509.Certificate, opt trust.ValidateOptions) trust.Chain {
	inter := x509.NewCertPool()
	if p.Intermediates != nil {
		inter = p.Intermediates.Clone()
	}
	for _, c := range opt.Extra {
		inter.AddCert(c)
	}
	chains, err := leaf.Verify(x509.VerifyOptions{Roots: p.Roots, Intermediates: inter, CurrentTime: opt.At, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		return trust.Chain{Certs: []*x509.Certificate{leaf}, Err: err}
	}
	return trust.Chain{Certs: chains[0], Trusted: true}
}

// ReadSigned verifies an order's PDF and only then hands out the order in
// it. In this order:
//   - the seal is intact and covers the whole file (signeddoc.Open);
//   - the attached order JSON is canonical (exactly what pkiodesk writes:
//     no unknown or repeated fields, nothing after it), its CSR attachment
//     is the CSR it names and nothing else is attached;
//   - the page shows exactly what this JSON draws, the content hash on it
//     included (the page's strings are compared with the document drawn
//     again from the JSON);
//   - the login certificate data in the order names the signer (subject
//     serialNumber and issuer);
//   - the signer's chain is trusted by opt.Trust, else the error is
//     "order.signer_untrusted" (integrity in order, signer not trusted);
//   - with opt.People, the signer is the registered requester.
func ReadSigned(ctx context.Context, pdf []byte, opt ReadOptions) (Signed, error) {
	opened, err := signeddoc.Open(ctx, pdf, nil)
	if err != nil {
		return Signed{}, err
	}
	content, ok := opened.Attachment(AttachmentOrder)
	if !ok {
		return Signed{}, i18n.E("order.show_no_order", nil, AttachmentOrder)
	}
	o, err := decodeStrict(content)
	if err != nil {
		return Signed{}, i18n.E("order.damaged", err, AttachmentOrder)
	}
	if o.ID == "" || o.PlacedAt.IsZero() || !loginComplete(o.Login) {
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
	for _, a := range opened.Attachments {
		if a.Name != AttachmentOrder && a.Name != AttachmentCSR {
			return Signed{}, i18n.E("order.show_extra_attachment", nil, cert.Printable(a.Name))
		}
	}
	if len(opened.Attachments) != 1+map[bool]int{true: 1, false: 0}[hasCSR] {
		return Signed{}, i18n.E("order.show_extra_attachment", nil, AttachmentOrder)
	}
	hash := store.ContentHash(content)
	if err := samePage(ctx, pdf, &o, hash, content); err != nil {
		return Signed{}, err
	}
	signer := opened.Signer
	if signer.Subject.SerialNumber != o.Login.SubjectSerial || signer.Issuer.String() != o.Login.Issuer {
		return Signed{}, i18n.E("order.signer_not_requester", nil, cert.Printable(signer.Subject.CommonName), cert.Printable(o.Requester.Name))
	}
	var chain trust.Chain
	if opt.Trust != nil {
		var extra []*x509.Certificate
		if len(opened.Report.Signatures) == 1 {
			extra = opened.Report.Signatures[0].Certificates
		}
		chain = opt.Trust.Validate(ctx, signer, trust.ValidateOptions{Usage: trust.UsageSeal, Extra: extra})
	}
	if !chain.Trusted {
		why := chain.Err
		if opt.Trust == nil || why == nil {
			why = i18n.E("order.no_trust_store", nil)
		}
		return Signed{}, i18n.E("order.signer_untrusted", why, cert.Printable(signer.Subject.CommonName))
	}
	if opt.People != nil && (opt.OIN == "" || opt.OIN == o.Organisation.OIN) {
		if err := signerIsRequester(opt.People, &o, signer, chain.Issuer()); err != nil {
			return Signed{}, err
		}
	}
	return Signed{Order: o, Hash: hash, Signer: signer, SignedAt: opened.SignedAt, Chain: chain}, nil
}

// decodeStrict reads an order's JSON as pkiodesk wrote it: known fields
// only, one value, and canonical (marshalling it again gives the same
// bytes), so that no reader can see another order in the same bytes.
func decodeStrict(content []byte) (Order, error) {
	var o Order
	dec := json.NewDecoder(bytes.NewReader(content))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		return Order{}, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return Order{}, errors.New("data after the order")
	}
	again, err := json.Marshal(o)
	if err != nil {
		return Order{}, err
	}
	if !bytes.Equal(again, content) {
		return Order{}, errors.New("not in canonical form (a field repeated, reordered or reformatted)")
	}
	return o, nil
}

func loginComplete(l *LoginRef) bool {
	return l != nil && l.Subject != "" && l.SubjectSerial != "" && l.Issuer != "" && l.Serial != "" && l.SHA256 != ""
}

// samePage checks that the page shows what the JSON says: the document is
// drawn again from the order (in Dutch and in English) and its strings
// must be the page's, except the placing time, which the signer's machine
// printed in its own time zone.
func samePage(ctx context.Context, pdf []byte, o *Order, hash string, content []byte) error {
	shown, err := pdfseal.PageStrings(ctx, pdf)
	if err != nil {
		return err
	}
	for _, lang := range []i18n.Lang{i18n.NL, i18n.EN} {
		d := Document(o, hash, content, lang)
		drawn, err := pdfseal.Draw(d)
		if err != nil {
			return i18n.E("doc.draw_failed", err)
		}
		want, err := pdfseal.PageStrings(ctx, drawn)
		if err != nil {
			return err
		}
		if sameStrings(shown, want, utf16be(d.Created.Local().Format("02-01-2006 15:04:05 MST")), o.PlacedAt) {
			return nil
		}
	}
	return i18n.E("order.page_differs", nil, hash)
}

func sameStrings(shown, want [][]byte, date []byte, placed time.Time) bool {
	if len(shown) != len(want) {
		return false
	}
	for i := range want {
		if bytes.Equal(shown[i], want[i]) {
			continue
		}
		if !bytes.Equal(want[i], date) || !sameMoment(fromUTF16be(shown[i]), placed) {
			return false
		}
	}
	return true
}

// sameMoment: a time printed as "02-01-2006 15:04:05 ZONE" in some zone
// (a whole quarter of an hour from UTC, at most 14 hours) is placed.
func sameMoment(s string, placed time.Time) bool {
	wall, zone, ok := strings.Cut(s, " ")
	if !ok {
		return false
	}
	clock, zone, ok := strings.Cut(zone, " ")
	if !ok || zone == "" || strings.ContainsAny(zone, " \n") {
		return false
	}
	t, err := time.Parse("02-01-2006 15:04:05", wall+" "+clock)
	if err != nil {
		return false
	}
	off := t.Sub(placed.UTC().Truncate(time.Second))
	return off%(15*time.Minute) == 0 && off <= 14*time.Hour && off >= -14*time.Hour
}

func utf16be(s string) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u>>8), byte(u))
	}
	return out
}

func fromUTF16be(b []byte) string {
	if len(b)%2 != 0 {
		return ""
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(u))
}

// signerIsRequester: the signer must be the order's requester as
// registered: the signer's subject serialNumber is theirs, and either the
// login certificate named in the order is one of theirs or the signer's
// issuer is the one they registered with (when that is known).
func signerIsRequester(people []org.Person, o *Order, signer, issuer *x509.Certificate) error {
	for _, p := range people {
		if p.ID != o.Requester.ID {
			continue
		}
		if p.SubjectSerial != "" && p.SubjectSerial != signer.Subject.SerialNumber {
			break
		}
		for _, f := range p.CertFingerprints {
			if strings.EqualFold(f, o.Login.SHA256) {
				return nil
			}
		}
		if p.SubjectSerial != "" && (p.IssuerKey == "" || issuer != nil && p.IssuerKey == org.IssuerKeyID(issuer)) {
			return nil
		}
	}
	return i18n.E("order.signer_not_registered", nil, cert.Printable(signer.Subject.CommonName), cert.Printable(o.Requester.Name))
}
