package order

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"strings"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
	"pkiodesk/app/signeddoc"
	"pkiodesk/app/store"
)

// The names of the files attached to an order's PDF.
const (
	AttachmentOrder = "bestelling.json"
	AttachmentCSR   = "aanvraag.csr"
)

// Signing is how an order is signed: the card's signature key, the
// certificate the user logged in with (seed 3.2: the PDF carries its data)
// and the language of the PDF.
type Signing struct {
	Signer signeddoc.Signer
	Login  *x509.Certificate
	Lang   i18n.Lang
}

// Check runs every rule an order must pass before it is placed: the
// fields, the CSR lint, and whether the certificate may still be renewed or
// revoked. It returns the CSR findings for the screen to show.
func (s *Service) Check(ctx context.Context, o *Order) ([]Finding, error) {
	if ps := Problems(o); len(ps) > 0 {
		return nil, i18n.E("order.has_problems", nil, ProblemList(ps))
	}
	if o.Manager != nil && !o.Manager.New {
		if _, ok := s.activeManager(ctx, o.Manager.ID); !ok {
			return nil, i18n.E("order.manager_inactive", nil, cert.Printable(o.Manager.Name))
		}
	}
	var findings []Finding
	switch o.Kind {
	case KindRenew, KindRevoke:
		sha := o.Renews
		if o.Kind == KindRevoke {
			sha = o.Revoke.Certificate
		}
		c, err := s.certificate(sha)
		if err != nil {
			return nil, err
		}
		block := RenewBlocked
		if o.Kind == KindRevoke {
			block = RevokeBlocked
		}
		if err := block(&c); err != nil {
			return nil, err
		}
	}
	if o.Kind != KindRevoke && o.Product.NeedsCSR() {
		var err error
		if findings, err = s.LintOrder(ctx, o); err != nil {
			return nil, err
		}
		if HasErrors(findings) {
			return findings, i18n.E("order.csr_errors", nil)
		}
	}
	return findings, nil
}

// ProblemList renders problems in a message, in the reader's language.
type ProblemList []Problem

// Localize joins the problems' messages.
func (p ProblemList) Localize(l i18n.Lang) string {
	var out []string
	for _, x := range p {
		out = append(out, i18n.Localize(l, x.Err))
	}
	return strings.Join(out, "; ")
}

// LintOrder lints the order's CSR against the registered organisation, the
// ordered FQDNs, the product's profile and, for a renewal, the old key.
func (s *Service) LintOrder(ctx context.Context, o *Order) ([]Finding, error) {
	if o.Server == nil || strings.TrimSpace(o.Server.CSR) == "" {
		return nil, i18n.E("order.field.csr_empty", nil)
	}
	csr, err := ParseCSR([]byte(o.Server.CSR))
	if err != nil {
		return nil, err
	}
	reg, _, err := s.store.Organisation(ctx)
	if err != nil {
		return nil, err
	}
	in := LintInput{Profile: ProfileFor(o.Product), Org: &reg, FQDNs: o.Server.FQDNs}
	if in.FQDNs == nil {
		in.FQDNs = []string{}
	}
	if o.Kind == KindRenew {
		if der, err := s.inv.DER(ctx, o.Renews); err == nil {
			if old, err := x509.ParseCertificate(der); err == nil {
				in.Previous = old.PublicKey
			}
		}
	}
	return Lint(csr, in), nil
}

// Place signs a draft with the card and stores it placed: from then on it
// never changes. The signed PDF carries the order as drawn, its content
// hash, the login certificate's data, and the order's JSON and CSR as
// attachments. A new Certificaatbeheerder named in the order is registered
// in the same transaction (seed 7.3); a revocation marks its certificate
// "intrekking aangevraagd".
func (s *Service) Place(ctx context.Context, id string, who org.Person, sig Signing) (Record, error) {
	who, err := s.registered(ctx, who)
	if err != nil {
		return Record{}, err
	}
	r, err := s.Get(ctx, id)
	if err != nil {
		return Record{}, err
	}
	o := r.Order
	if r.Life.State != StateDraft {
		return Record{}, i18n.E("order.transition", nil, cert.Printable(id), stateWord(r.Life.State), stateWord(StatePlaced))
	}
	if o.Requester.ID != who.ID {
		return Record{}, i18n.E("order.not_yours", nil, cert.Printable(id))
	}
	if err := org.Check(who, Permission(o.Kind)); err != nil {
		return Record{}, err
	}
	if _, err := s.Check(ctx, &o); err != nil {
		return Record{}, err
	}
	if len(sig.Signer.Chain) == 0 || sig.Signer.Key == nil || sig.Login == nil {
		return Record{}, i18n.E("doc.no_signer", nil)
	}
	signCert := sig.Signer.Chain[0]
	if signCert.KeyUsage&x509.KeyUsageContentCommitment == 0 && signCert.KeyUsage != 0 {
		return Record{}, i18n.E("order.not_signature_key", nil, cert.Printable(signCert.Subject.CommonName))
	}
	// The PDF names the login certificate; a reader checks it names the
	// signer too: the same person (subject serialNumber) at the same CA.
	if sig.Login.Subject.SerialNumber == "" || signCert.Subject.SerialNumber != sig.Login.Subject.SerialNumber || signCert.Issuer.String() != sig.Login.Issuer.String() {
		return Record{}, i18n.E("order.login_signer_differ", nil, cert.Printable(signCert.Subject.CommonName), cert.Printable(sig.Login.Subject.CommonName))
	}
	var people []org.Person
	if o.Manager != nil && !o.Manager.New {
		// The registered data as it is now, not as the draft remembered it.
		if m, ok := s.activeManager(ctx, o.Manager.ID); ok {
			ref := Ref(m)
			o.Manager = &ref
		}
	}
	if o.Manager != nil && o.Manager.New {
		if err := org.Check(who, org.RegisterCertManager); err != nil {
			return Record{}, err
		}
		o.Manager.ID = "cb-" + randomHex(6)
		o.Manager.Role = org.Certificaatbeheerder
		people = append(people, org.Person{ID: o.Manager.ID, Name: strings.TrimSpace(o.Manager.Name), Email: strings.TrimSpace(o.Manager.Email),
			Phone: strings.TrimSpace(o.Manager.Phone), Role: org.Certificaatbeheerder, Active: true})
	}
	now := s.now().UTC()
	o.PlacedAt = now
	o.Login = &LoginRef{Subject: sig.Login.Subject.String(), SubjectSerial: sig.Login.Subject.SerialNumber, Issuer: sig.Login.Issuer.String(),
		Serial: strings.ToUpper(sig.Login.SerialNumber.Text(16)), SHA256: cert.Fingerprint(sig.Login.Raw)}
	content, err := json.Marshal(o)
	if err != nil {
		return Record{}, err
	}
	hash := store.ContentHash(content)
	doc := Document(&o, hash, content, sig.Lang)
	pdf, err := signeddoc.Sign(ctx, signeddoc.Request{Document: doc, Signer: sig.Signer, Time: now, Reason: o.ID})
	if err != nil {
		return Record{}, err
	}
	st := step{to: StatePlaced, by: who.ID, placing: true, people: people, edit: func(r *Record) error {
		if r.Order.Created != o.Created || r.Order.Requester != o.Requester {
			return i18n.E("order.fixed_fields", nil)
		}
		r.Order, r.Document, r.Life.Step = o, pdf, 0
		return nil
	}}
	if o.Kind == KindRevoke {
		st.cert = o.Revoke.Certificate
		st.certChange = func(c *cert.Certificate) error {
			if c.Revoked {
				return i18n.E("err.already_revoked", nil)
			}
			if c.RevocationRequested() {
				return i18n.E("order.revocation_pending", nil, cert.Printable(c.RevocationOrderID))
			}
			c.RevocationOrderID = o.ID
			return nil
		}
	}
	placed, err := s.move(ctx, id, st)
	if err != nil {
		return Record{}, err
	}
	if placed.Hash != hash {
		// json.Marshal is deterministic; this guards the guarantee that the
		// stored hash is the one printed on the PDF.
		return Record{}, i18n.E("order.hash_mismatch", nil, cert.Printable(id))
	}
	return placed, nil
}

// registered is who as the store has them now: an in-memory Person may be
// stale (deactivated, role changed since login), so every operation that
// acts for someone reads them again.
func (s *Service) registered(ctx context.Context, who org.Person) (org.Person, error) {
	people, err := s.store.People(ctx)
	if err != nil {
		return org.Person{}, err
	}
	for _, p := range people {
		if p.ID == who.ID && who.ID != "" {
			if !p.Active {
				return org.Person{}, i18n.E("org.denied_inactive", nil, cert.Printable(p.Name))
			}
			o, _, err := s.store.Organisation(ctx)
			return org.InOrganisation(p, o), err
		}
	}
	return org.Person{}, i18n.E("order.person_unknown", nil, cert.Printable(who.Name))
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
