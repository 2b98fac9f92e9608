package app

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/demo"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/org"
	"pkiodesk/app/trust"
)

// SeedDemo fills an empty demo inventory with n certificates of all kinds and
// states: most valid, some expired, a few revoked, several expiring within 90
// days. It does nothing when the inventory already holds certificates.
func (a *App) SeedDemo(ctx context.Context, n int, seed uint64) error {
	inv := a.Inventory
	if inv.Len() > 0 {
		return nil
	}
	gen, err := demo.NewGenerator(seed, inv.Now())
	if err != nil {
		return err
	}
	if a.Trust.Demo() {
		// The demo CA is trusted in the demo's own database only.
		if err := a.Trust.AddDemoAnchors(ctx, gen.CA()); err != nil {
			return err
		}
	}
	inputs := []inventory.Input{{Name: "demo-ca.pem", Data: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: gen.CA().Raw})}}
	for i := 0; i < n; i++ {
		der, err := gen.NextMixed()
		if err != nil {
			return err
		}
		inputs = append(inputs, inventory.Input{Name: fmt.Sprintf("demo-%04d.pem", i), Data: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})})
	}
	rep, err := inv.Import(ctx, inputs, inventory.ImportOptions{})
	if err != nil {
		return fmt.Errorf("demo import: %w", err)
	}
	// Revoke every 23rd certificate that is still valid, as a CA would have.
	now := inv.Now()
	for i, c := range rep.Added {
		if i%23 == 7 && c.NotAfter.After(now) {
			if err := inv.MarkRevoked(ctx, c.SHA256, now.Add(-time.Duration(i)*time.Hour), "cessationOfOperation"); err != nil {
				return err
			}
		}
	}
	return nil
}

// SeedDemoOrganisation registers the demo organisation with the demo card's
// holder as Bevoegd Vertegenwoordiger and people in every other role. chain
// holds the CA certificates that issued the demo card: they become the
// demo's trust anchors, so the demo card logs in through the same checks as
// a real one. A demo whose card was made anew gets its Bevoegd
// Vertegenwoordiger linked to the new card.
func (a *App) SeedDemoOrganisation(ctx context.Context, login *x509.Certificate, chain ...*x509.Certificate) error {
	if err := a.Trust.AddDemoAnchors(ctx, chain...); err != nil {
		return err
	}
	ch := a.Trust.Validate(ctx, login, trust.ValidateOptions{Usage: trust.UsageClientAuth})
	if !ch.Trusted {
		return i18n.E("id.untrusted", ch.Err)
	}
	check := LoginCheck{cert: login, chain: ch, rev: a.Trust.Known(cert.Fingerprint(login.Raw))}
	need, err := a.NeedsSetup(ctx)
	if err != nil {
		return err
	}
	if !need {
		return a.relinkDemoCard(ctx, check)
	}
	o := org.Organisation{
		Name: demo.OrgName, SubscriberNumber: "100234", OIN: demo.OIN, KvK: "12345678",
		Address: "Stadhuisplein 1, 1011 AA Voorbeeldstad", PostalAddress: "Postbus 1234, 1000 AB Voorbeeldstad",
		Phone: "14 020", Email: "info@voorbeeldstad.nl",
		BillingAddress: "Postbus 1234, 1000 AB Voorbeeldstad", BillingAttention: "Crediteurenadministratie",
		BillingReference: "Kostenplaats ICT-4410", BillingEmail: "facturen@voorbeeldstad.nl",
	}
	bv, err := a.SetUp(ctx, o, "Anouk Visser", "a.visser@voorbeeldstad.nl", check)
	if err != nil {
		return err
	}
	bv.Phone, bv.Function = "020 555 0101", "Directeur Bedrijfsvoering"
	if err := a.Store.PutPerson(ctx, bv); err != nil {
		return err
	}
	for _, p := range []org.Person{
		{Name: "Daan Meijer", Email: "d.meijer@voorbeeldstad.nl", Phone: "020 555 0102", Function: "Teamleider ICT", Role: org.ContactpersoonAlle, Active: true, SubjectSerial: "DEMO-000002"},
		{Name: "Fatima El Amrani", Email: "f.elamrani@voorbeeldstad.nl", Phone: "020 555 0103", Function: "Applicatiebeheerder", Role: org.ContactpersoonBasis, Active: true, SubjectSerial: "DEMO-000003"},
		{Name: "Zoë Brouwer", Email: "z.brouwer@voorbeeldstad.nl", Phone: "06 1234 5678", Function: "Netwerkbeheerder", Role: org.Certificaatbeheerder, Active: true},
		{Name: "Bram de Wit", Email: "b.dewit@voorbeeldstad.nl", Phone: "06 8765 4321", Function: "Systeembeheerder", Role: org.Certificaatbeheerder, Active: true},
		{Name: "Kees Jansen", Email: "k.jansen@voorbeeldstad.nl", Phone: "020 555 0104", Role: org.ContactpersoonAlle, Active: false, SubjectSerial: "DEMO-000004"},
	} {
		p.ID = newID()
		if err := a.Store.PutPerson(ctx, p); err != nil {
			return err
		}
	}
	return a.seedDemoCertPeople(ctx)
}

// relinkDemoCard links the demo's first Bevoegd Vertegenwoordiger to the
// demo card when nobody is registered with it (the card was made anew).
func (a *App) relinkDemoCard(ctx context.Context, check LoginCheck) error {
	if _, err := a.Identify(ctx, check); err == nil || !i18n.Is(err, "id.not_registered") {
		return err
	}
	people, err := a.Store.People(ctx)
	if err != nil {
		return err
	}
	for _, p := range people {
		if p.Role == org.BevoegdVertegenwoordiger && p.Active {
			p.CertFingerprints = []string{cert.Fingerprint(check.cert.Raw)}
			p.SubjectSerial = check.cert.Subject.SerialNumber
			if is := check.chain.Issuer(); is != nil {
				p.Issuer, p.IssuerKey = is.Subject.String(), org.IssuerKeyID(is)
			}
			return a.Store.PutPerson(ctx, p)
		}
	}
	return nil
}
