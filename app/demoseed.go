package app

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"time"

	"pkiodesk/app/demo"
	"pkiodesk/app/inventory"
	"pkiodesk/app/org"
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
// holder as Bevoegd Vertegenwoordiger and people in every other role.
func (a *App) SeedDemoOrganisation(ctx context.Context, login *x509.Certificate) error {
	need, err := a.NeedsSetup(ctx)
	if err != nil || !need {
		return err
	}
	o := org.Organisation{
		Name: demo.OrgName, SubscriberNumber: "100234", OIN: demo.OIN, KvK: "12345678",
		BillingAddress: "Postbus 1234, 1000 AB Voorbeeldstad", BillingReference: "Kostenplaats ICT-4410",
	}
	if _, err := a.SetUp(ctx, o, "Anouk Visser", "a.visser@voorbeeldstad.nl", login); err != nil {
		return err
	}
	for _, p := range []org.Person{
		{Name: "Daan Meijer", Email: "d.meijer@voorbeeldstad.nl", Role: org.ContactpersoonAlle, Active: true, SubjectSerial: "DEMO-000002"},
		{Name: "Fatima El Amrani", Email: "f.elamrani@voorbeeldstad.nl", Role: org.ContactpersoonBasis, Active: true, SubjectSerial: "DEMO-000003"},
		{Name: "Zoë Brouwer", Email: "z.brouwer@voorbeeldstad.nl", Role: org.Certificaatbeheerder, Active: true},
		{Name: "Kees Jansen", Email: "k.jansen@voorbeeldstad.nl", Role: org.ContactpersoonAlle, Active: false, SubjectSerial: "DEMO-000004"},
	} {
		p.ID = newID()
		if err := a.Store.PutPerson(ctx, p); err != nil {
			return err
		}
	}
	return nil
}
