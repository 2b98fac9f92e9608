package app

import (
	"context"
	"strings"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/org"
	"pkiodesk/app/store"
)

// Reports per person (manual 7.4): for the Bevoegd Vertegenwoordiger and
// Contactpersonen the certificates they requested, per kind; for
// Certificaatbeheerders the certificates they manage. A report is the
// regular overview of its kind with a selection applied.

// PersonReport is one report a person's row offers.
type PersonReport struct {
	Kind cert.Kind
	// Managed: the certificates the person manages; else those they
	// requested.
	Managed bool
}

// PersonReports are the reports of a role: requested certificates of
// every kind for those who order, managed server and group certificates
// for Certificaatbeheerders.
func PersonReports(r org.Role) []PersonReport {
	if r == org.Certificaatbeheerder {
		return []PersonReport{{Kind: cert.KindServer, Managed: true}, {Kind: cert.KindGroup, Managed: true}}
	}
	var out []PersonReport
	for _, k := range cert.OwnKinds {
		out = append(out, PersonReport{Kind: k})
	}
	return out
}

// Title names the report, as its button and the command line show it.
func (r PersonReport) Title(l i18n.Lang) string {
	if r.Managed {
		return i18n.T(l, "report.managed."+string(r.Kind))
	}
	return i18n.T(l, "report.requested."+string(r.Kind))
}

// ReportView is a report: the overview, and whose selection it is.
type ReportView struct {
	Person org.Person
	Report PersonReport
	View   inventory.View
}

// Banner is the notice above a report and in the CLI's output.
func (r ReportView) Banner(l i18n.Lang) string {
	key := "report.banner.requested"
	if r.Report.Managed {
		key = "report.banner.managed"
	}
	return i18n.T(l, "report.banner", i18n.T(l, key, cert.Printable(r.Person.Name)))
}

// PersonSelection returns the SHA-256s of the certificates a person
// requested, or manages. Reading the local database needs no login (as
// the command line's list); the window asks the matrix before it offers a
// report (org.RequestPersonalReports).
func (a *App) PersonSelection(ctx context.Context, personID string, managed bool) (org.Person, map[string]bool, error) {
	reg, err := a.orgRegister()
	if err != nil {
		return org.Person{}, nil, err
	}
	var p org.Person
	only := map[string]bool{}
	err = reg.ViewOrganisation(ctx, func(tx store.OrgTx) error {
		people, err := tx.People()
		if err != nil {
			return err
		}
		var ok bool
		if p, ok = org.FindPerson(people, personID); !ok {
			return i18n.E("org.person.unknown", nil)
		}
		links, err := tx.CertificatePeople()
		if err != nil {
			return err
		}
		for sha, cp := range links {
			if managed && cp.ManagerID == p.ID || !managed && cp.ContactID == p.ID {
				only[sha] = true
			}
		}
		return nil
	})
	return p, only, err
}

// Report runs one report per person. The query's kind is the report's;
// its status, text and sort are the user's, as in any overview.
func (a *App) Report(ctx context.Context, personID string, r PersonReport, q inventory.Query) (ReportView, error) {
	p, only, err := a.PersonSelection(ctx, personID, r.Managed)
	if err != nil {
		return ReportView{}, err
	}
	q.Kind, q.Only = r.Kind, only
	return ReportView{Person: p, Report: r, View: a.Inventory.Query(q)}, nil
}

// FindPerson finds a registered person by ID, or by e-mail address when
// exactly one person has it (what the command line accepts).
func (a *App) FindPerson(ctx context.Context, idOrEmail string) (org.Person, error) {
	people, err := a.Store.People(ctx)
	if err != nil {
		return org.Person{}, err
	}
	if p, ok := org.FindPerson(people, idOrEmail); ok {
		return p, nil
	}
	var found []org.Person
	for _, p := range people {
		if idOrEmail != "" && strings.EqualFold(p.Email, strings.TrimSpace(idOrEmail)) {
			found = append(found, p)
		}
	}
	if len(found) == 1 {
		return found[0], nil
	}
	if len(found) > 1 {
		return org.Person{}, i18n.E("report.person_ambiguous", nil, cert.Printable(idOrEmail))
	}
	return org.Person{}, i18n.E("report.person_unknown", nil, cert.Printable(idOrEmail))
}

// CertCount is "1 certificaat" or "n certificaten".
func CertCount(l i18n.Lang, n int) string {
	if n == 1 {
		return i18n.T(l, "report.one_cert")
	}
	return i18n.T(l, "report.certs", n)
}

// inventoryValid is the overview of the valid certificates of a kind.
func inventoryValid(k cert.Kind) inventory.Query {
	return inventory.Query{Kind: k, Status: inventory.FilterValid}
}
