package app

import (
	"context"
	"slices"

	"pkiodesk/app/brp"
	"pkiodesk/app/cert"
	"pkiodesk/app/demo"
	"pkiodesk/app/inventory"
)

// SeedDemoBRP registers, in an empty demo register, the demo municipality
// and two afnemers a technical connecting party acts for, on the demo's
// server certificates: one as it should be (but for the demo CA, which is
// no PKIoverheid), one sharing a certificate with the wrong OIN, one expired.
func (a *App) SeedDemoBRP(ctx context.Context) error {
	reg, err := a.BRPRegister()
	if err != nil {
		return err
	}
	if list, err := reg.List(ctx); err != nil || len(list) > 0 {
		return err
	}
	now := a.Inventory.Now()
	var valid, expired []cert.Certificate
	for _, c := range a.Inventory.Query(inventory.Query{Kind: cert.KindServer, Status: inventory.FilterAll}).Rows {
		switch {
		case len(c.DNSNames) == 0 || c.Revoked || !slices.Contains(c.ExtKeyUsage, "clientAuth"):
		case c.NotAfter.Before(now):
			expired = append(expired, *c)
		case c.NotAfter.After(now.AddDate(0, 3, 0)):
			valid = append(valid, *c)
		}
	}
	if len(valid) == 0 || len(expired) == 0 {
		return nil
	}
	endpoints := []brp.Endpoint{brp.EndpointBRP, brp.EndpointBerichten}
	for _, af := range []brp.Afnemer{
		{ID: "510193", Name: demo.OrgName, OIN: demo.OIN, Gemeentecode: "0599", Berichtenbox: "1234567", Endpoints: endpoints,
			Hosts: valid[0].DNSNames[:1], CertSHA256: valid[0].SHA256, ClientID: "voorbeeldstad-brp", Secret: brp.SecretAsk,
			Key: "pkcs11:token=pkiodesk%20demo;object=gateway"},
		{ID: "510200", Name: "Gemeente Anderstad", OIN: "00000001002220647000", Gemeentecode: "0600", Endpoints: endpoints,
			Hosts: valid[0].DNSNames[:1], CertSHA256: valid[0].SHA256, ClientID: "anderstad-brp", Secret: brp.SecretAsk, TAP: demo.OrgName},
		{ID: "510201", Name: "Gemeente Oudstad", OIN: demo.OIN, Gemeentecode: "0601", Endpoints: []brp.Endpoint{brp.EndpointBRPLAP},
			Hosts: expired[0].DNSNames[:1], CertSHA256: expired[0].SHA256, Secret: brp.SecretAsk, TAP: demo.OrgName},
	} {
		if _, err := reg.Add(ctx, af); err != nil {
			return err
		}
	}
	return nil
}
