package order

import (
	"context"
	"slices"
	"strings"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
	"pkiodesk/app/store"
)

// Permission is what a person needs for an order of kind k.
func Permission(k Kind) org.Permission {
	switch k {
	case KindRenew:
		return org.RenewCertificates
	case KindRevoke:
		return org.RevokeCertificates
	}
	return org.OrderCertificates
}

// NewDraft starts an order for a new certificate of product p.
func (s *Service) NewDraft(ctx context.Context, p Product, who org.Person) (Record, error) {
	if !p.Valid() {
		return Record{}, i18n.E("order.field.product", nil)
	}
	who, err := s.registered(ctx, who)
	if err != nil {
		return Record{}, err
	}
	if err := org.Check(who, org.OrderCertificates); err != nil {
		return Record{}, err
	}
	o, err := s.start(ctx, KindNew, p, who)
	if err != nil {
		return Record{}, err
	}
	switch p.CertKind() {
	case cert.KindServer:
		o.Server = &ServerDetails{}
	case cert.KindPersonal:
		c := CarrierSmartcard
		if p == ProductPersonalMobile {
			c = CarrierMobile
		}
		o.Personal = &PersonalDetails{Carrier: c}
	case cert.KindGroup:
		o.Group = &GroupDetails{}
	case cert.KindESeal:
		c := CarrierToken
		if p == ProductESealCloud {
			c = CarrierCloud
		}
		o.ESeal = &ESealDetails{OrganisationName: o.Organisation.Name, Carrier: c}
	}
	return s.create(ctx, o, who)
}

// start fills what every order states: number, kind, subscriber, requester.
func (s *Service) start(ctx context.Context, k Kind, p Product, who org.Person) (Order, error) {
	o, found, err := s.store.Organisation(ctx)
	if err != nil {
		return Order{}, err
	}
	if !found {
		return Order{}, i18n.E("order.no_organisation", nil)
	}
	now := s.now().UTC()
	return Order{ID: newID(p, now), Kind: k, Product: p, Created: now, Organisation: Snapshot(o), Requester: Ref(who)}, nil
}

func (s *Service) create(ctx context.Context, o Order, who org.Person) (Record, error) {
	r := Record{Order: o, Life: Lifecycle{State: StateDraft, History: []Event{{At: o.Created, State: StateDraft, By: who.ID}}}}
	enc, err := encodeRecord(&r, false)
	if err != nil {
		return Record{}, err
	}
	if err := s.store.CreateOrder(ctx, enc); err != nil {
		return Record{}, err
	}
	r.Hash = enc.Hash
	return r, nil
}

// ProductOf is the product a certificate was (most likely) ordered as, for
// renewing or revoking it.
func ProductOf(c *cert.Certificate) Product {
	switch c.Kind {
	case cert.KindServer:
		switch c.Profile() {
		case cert.ProfileCertSIGNOV, cert.ProfilePublicOV:
			return ProductCertSIGNOV
		case cert.ProfilePKIoG4Trial:
			return ProductPKIoTrial
		}
		return ProductPKIoPrivate
	case cert.KindPersonal:
		return ProductPersonalCard
	case cert.KindGroup:
		return ProductGroup
	case cert.KindESeal:
		return ProductESealToken
	}
	return ""
}

// certificate returns an own certificate from the inventory.
func (s *Service) certificate(sha string) (cert.Certificate, error) {
	c, ok := s.inv.Get(sha)
	if !ok {
		return cert.Certificate{}, i18n.E("err.cert_not_found", nil, cert.Printable(sha))
	}
	return c, nil
}

// RenewBlocked says why a certificate cannot be renewed, or nil.
func RenewBlocked(c *cert.Certificate) error {
	switch {
	case c.Revoked:
		return i18n.E("order.renew_revoked", nil)
	case c.RevocationRequested():
		return i18n.E("order.renew_revocation_requested", nil)
	case ProductOf(c) == "":
		return i18n.E("order.not_orderable", nil)
	}
	return nil
}

// RevokeBlocked says why a certificate cannot be revoked, or nil.
func RevokeBlocked(c *cert.Certificate) error {
	switch {
	case c.Revoked:
		return i18n.E("err.already_revoked", nil)
	case c.RevocationRequested():
		return i18n.E("order.revocation_pending", nil, cert.Printable(c.RevocationOrderID))
	case ProductOf(c) == "":
		return i18n.E("order.not_orderable", nil)
	}
	return nil
}

// NewRenewal starts a renewal of a certificate, pre-filled from it
// (seed 3.2, 4.2). The Certificaatbeheerder is proposed while still active.
func (s *Service) NewRenewal(ctx context.Context, sha string, who org.Person) (Record, error) {
	who, err := s.registered(ctx, who)
	if err != nil {
		return Record{}, err
	}
	if err := org.Check(who, org.RenewCertificates); err != nil {
		return Record{}, err
	}
	c, err := s.certificate(sha)
	if err != nil {
		return Record{}, err
	}
	if err := RenewBlocked(&c); err != nil {
		return Record{}, err
	}
	p := ProductOf(&c)
	o, err := s.start(ctx, KindRenew, p, who)
	if err != nil {
		return Record{}, err
	}
	o.Renews = c.SHA256
	switch c.Kind {
	case cert.KindServer:
		o.Server = &ServerDetails{ServiceName: s.serviceNameOf(ctx, &c), FQDNs: renewalNames(&c)}
	case cert.KindPersonal:
		o.Personal = &PersonalDetails{Name: c.CommonName, Email: first(c.Emails), Carrier: CarrierSmartcard}
	case cert.KindGroup:
		o.Group = &GroupDetails{GroupName: c.CommonName, Mailbox: first(c.Emails)}
	case cert.KindESeal:
		name := c.Organization
		if name == "" {
			name = o.Organisation.Name
		}
		o.ESeal = &ESealDetails{OrganisationName: name, Carrier: CarrierToken}
	}
	if p.NeedsManager() {
		if as, err := s.inv.Assignment(ctx, c.SHA256); err == nil {
			if m, ok := s.activeManager(ctx, as.ManagerID); ok {
				ref := Ref(m)
				o.Manager = &ref
			}
		}
	}
	// Phone numbers are not in certificates: take them from the order the
	// certificate came from, when pkiodesk placed it.
	if prev, err := s.Get(ctx, c.OrderID); err == nil && c.OrderID != "" {
		if o.Personal != nil && prev.Order.Personal != nil {
			o.Personal.Phone = prev.Order.Personal.Phone
			o.Personal.Carrier = prev.Order.Personal.Carrier
		}
		if o.ESeal != nil && prev.Order.ESeal != nil {
			o.ESeal.Carrier = prev.Order.ESeal.Carrier
			o.Product = prev.Order.Product
		}
		if o.Personal != nil && prev.Order.Product == ProductPersonalMobile {
			o.Product = ProductPersonalMobile
		}
		if prev.Order.Product.CertKind() == cert.KindServer && o.Server != nil {
			o.Product = prev.Order.Product
		}
	}
	return s.create(ctx, o, who)
}

func first(v []string) string {
	if len(v) > 0 {
		return v[0]
	}
	return ""
}

// renewalNames are the FQDNs of a server certificate: its DNS SANs, or its
// Common Name when it has none.
func renewalNames(c *cert.Certificate) []string {
	if len(c.DNSNames) > 0 {
		out := make([]string, len(c.DNSNames))
		for i, n := range c.DNSNames {
			out[i] = strings.ToLower(n)
		}
		return out
	}
	if c.CommonName != "" {
		return []string{strings.ToLower(c.CommonName)}
	}
	return nil
}

// serviceNameOf is the Naam van de service a renewal keeps: the one of the
// order the certificate came from, else its Common Name.
func (s *Service) serviceNameOf(ctx context.Context, c *cert.Certificate) string {
	if c.OrderID != "" {
		if prev, err := s.Get(ctx, c.OrderID); err == nil && prev.Order.Server != nil {
			return prev.Order.Server.ServiceName
		}
	}
	return c.CommonName
}

// activeManager returns the registered Certificaatbeheerder with this ID
// while they are active.
func (s *Service) activeManager(ctx context.Context, id string) (org.Person, bool) {
	if id == "" {
		return org.Person{}, false
	}
	people, err := s.store.People(ctx)
	if err != nil {
		return org.Person{}, false
	}
	for _, p := range people {
		if p.ID == id && p.Active && p.Role == org.Certificaatbeheerder {
			return p, true
		}
	}
	return org.Person{}, false
}

// Managers lists the active registered Certificaatbeheerders to choose from.
func (s *Service) Managers(ctx context.Context) ([]org.Person, error) {
	people, err := s.store.People(ctx)
	if err != nil {
		return nil, err
	}
	var out []org.Person
	for _, p := range people {
		if p.Active && p.Role == org.Certificaatbeheerder {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b org.Person) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// ColleagueRenewals lists the renewals of a certificate that someone else
// already placed (seed 3.2: a warning on the renewal's first screen).
func (s *Service) ColleagueRenewals(ctx context.Context, sha string, who org.Person) ([]Record, error) {
	all, _, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	var out []Record
	for _, r := range all {
		if r.Order.Kind == KindRenew && r.Order.Renews == sha && r.Order.Requester.ID != who.ID &&
			(r.Life.State == StatePlaced || r.Life.State == StateSubmitted || r.Life.State == StateIssued) {
			out = append(out, r)
		}
	}
	return out, nil
}

// NewRevocation starts a revocation order for a certificate (Intrekken).
func (s *Service) NewRevocation(ctx context.Context, sha string, who org.Person) (Record, error) {
	who, err := s.registered(ctx, who)
	if err != nil {
		return Record{}, err
	}
	if err := org.Check(who, org.RevokeCertificates); err != nil {
		return Record{}, err
	}
	c, err := s.certificate(sha)
	if err != nil {
		return Record{}, err
	}
	if err := RevokeBlocked(&c); err != nil {
		return Record{}, err
	}
	o, err := s.start(ctx, KindRevoke, ProductOf(&c), who)
	if err != nil {
		return Record{}, err
	}
	o.Revoke = &RevokeDetails{Certificate: c.SHA256, Serial: c.Serial, Subject: c.Subject, Issuer: c.Issuer, Reason: ReasonCessationOfOperation}
	return s.create(ctx, o, who)
}

// SaveDraft stores what the user typed so far; drafts are saved as they
// are typed and survive a restart and a pulled card. Only the requester's
// own draft can be saved, and what the form shows read-only stays as it was.
func (s *Service) SaveDraft(ctx context.Context, o Order, step int, who org.Person) (Record, error) {
	var fixedService string
	if o.Kind == KindRenew && o.Server != nil {
		if c, ok := s.inv.Get(o.Renews); ok {
			fixedService = s.serviceNameOf(ctx, &c)
		}
	}
	var out Record
	_, err := s.store.ChangeOrder(ctx, o.ID, store.OrderChange{Order: func(sr *store.OrderRecord) error {
		r, err := decode(*sr)
		if err != nil {
			return err
		}
		if r.Life.State != StateDraft {
			return i18n.E("order.immutable", nil, cert.Printable(o.ID))
		}
		if r.Order.Requester.ID != who.ID {
			return i18n.E("order.not_yours", nil, cert.Printable(o.ID))
		}
		old := r.Order
		if o.Kind != old.Kind || o.Renews != old.Renews || o.Created != old.Created || o.Requester != old.Requester ||
			o.Organisation != old.Organisation || !o.PlacedAt.IsZero() || o.Login != nil ||
			(o.Kind != KindNew && o.Product != old.Product) || (o.Revoke == nil) != (old.Revoke == nil) ||
			(o.Revoke != nil && !sameTarget(o.Revoke, old.Revoke)) ||
			(o.Kind == KindNew && o.Product.CertKind() != old.Product.CertKind()) {
			return i18n.E("order.fixed_fields", nil)
		}
		if fixedService != "" && o.Server.ServiceName != fixedService {
			return i18n.E("order.service_name_fixed", nil, fixedService)
		}
		r.Order, r.Life.Step = o, step
		enc, err := encodeRecord(&r, false)
		if err != nil {
			return err
		}
		*sr, out = enc, r
		out.Hash = enc.Hash
		return nil
	}})
	return out, err
}

// Drafts lists a person's open drafts, newest first.
func (s *Service) Drafts(ctx context.Context, who org.Person) ([]Record, error) {
	all, _, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	var out []Record
	for _, r := range all {
		if r.Life.State == StateDraft && r.Order.Requester.ID == who.ID {
			out = append(out, r)
		}
	}
	return out, nil
}

// Cancel withdraws a draft or a placed order that was not yet submitted.
func (s *Service) Cancel(ctx context.Context, id string, who org.Person) (Record, error) {
	r, err := s.Get(ctx, id)
	if err != nil {
		return Record{}, err
	}
	if err := CancelBlocked(who, &r); err != nil {
		return Record{}, err
	}
	st := step{to: StateCancelled, by: who.ID}
	releaseRevocation(&st, &r.Order, len(r.Document) > 0)
	return s.move(ctx, id, st)
}

// Reject records that the CA refused a submitted order, with the reason it
// gave. A revocation the CA refused no longer blocks its certificate.
func (s *Service) Reject(ctx context.Context, id, reason string, who org.Person) (Record, error) {
	who, err := s.registered(ctx, who)
	if err != nil {
		return Record{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Record{}, i18n.E("order.reject_reason", nil)
	}
	r, err := s.Get(ctx, id)
	if err != nil {
		return Record{}, err
	}
	if err := RejectBlocked(who, &r); err != nil {
		return Record{}, err
	}
	st := step{to: StateRejected, by: who.ID, note: cert.PrintableMax(reason, 500)}
	releaseRevocation(&st, &r.Order, true)
	return s.move(ctx, id, st)
}

// releaseRevocation: a placed revocation order that is withdrawn or
// refused stops marking its certificate "intrekking aangevraagd", in the
// same transaction, so that it can be revoked or renewed again.
func releaseRevocation(st *step, o *Order, placed bool) {
	if o.Kind != KindRevoke || o.Revoke == nil || !placed {
		return
	}
	id := o.ID
	st.cert = o.Revoke.Certificate
	st.certChange = func(c *cert.Certificate) error {
		if c.RevocationOrderID == id {
			c.RevocationOrderID = ""
		}
		return nil
	}
}

// sameTarget: a revocation's certificate is fixed; only the reason and the
// explanation are the user's to fill in.
func sameTarget(a, b *RevokeDetails) bool {
	x, y := *a, *b
	x.Reason, x.Explanation, y.Reason, y.Explanation = 0, "", 0, ""
	return x == y
}
