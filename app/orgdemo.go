package app

import (
	"context"
	"sort"

	"pkiodesk/app/cert"
	"pkiodesk/app/org"
	"pkiodesk/app/store"
)

// seedDemoCertPeople records who requested each demo certificate (the
// Bevoegd Vertegenwoordiger and the Contactpersonen in turn) and who
// manages the server and group certificates (the Certificaatbeheerders
// in turn), so that the reports per person have something to show.
func (a *App) seedDemoCertPeople(ctx context.Context) error {
	reg, err := a.orgRegister()
	if err != nil {
		return err
	}
	certs, err := a.Store.Certificates(ctx)
	if err != nil {
		return err
	}
	sort.Slice(certs, func(i, j int) bool { return certs[i].SHA256 < certs[j].SHA256 })
	return reg.UpdateOrganisation(ctx, func(tx store.OrgTx) error {
		people, err := tx.People()
		if err != nil {
			return err
		}
		var requesters, managers []string
		for _, g := range org.Grouped(people) {
			for _, p := range g.People {
				switch {
				case !p.Active:
				case g.Role == org.Certificaatbeheerder:
					managers = append(managers, p.ID)
				default:
					requesters = append(requesters, p.ID)
				}
			}
		}
		if len(requesters) == 0 {
			return nil
		}
		for i, c := range certs {
			cp := store.Assignment{ContactID: requesters[i%len(requesters)]}
			if len(managers) > 0 && (c.Kind == cert.KindServer || c.Kind == cert.KindGroup) {
				cp.ManagerID = managers[i%len(managers)]
			}
			if err := tx.PutAssignment(c.SHA256, cp); err != nil {
				return err
			}
		}
		return nil
	})
}
