package app

import (
	"context"

	"pkiodesk/app/audit"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/org"
	"pkiodesk/app/store"
)

// Removing a certificate from the inventory and recording who requested and
// who manages one each go through one function here: the authorisation
// matrix of org decides, and the journal records the change in the
// change's own transaction, or the refusal with its reason.

// RemoveCertificate takes a certificate out of the inventory on behalf of
// who (Bevoegd Vertegenwoordiger or Contactpersoon with all rights). The
// certificate stays valid at its CA.
func (a *App) RemoveCertificate(ctx context.Context, who org.Person, sha256 string) (cert.Certificate, error) {
	if err := a.allowed(ctx, who, org.RemoveCertificate, "cert.remove_denied"); err != nil {
		return cert.Certificate{}, err
	}
	obj, err := certObject(sha256)
	if err != nil {
		return cert.Certificate{}, err
	}
	var gone cert.Certificate
	err = a.Journal.Change(ctx, audit.Entry{Who: a.Actor(), Action: audit.CertRemoved, Object: obj}, func(ctx context.Context) error {
		var err error
		gone, err = a.Inventory.Remove(ctx, sha256)
		return err
	})
	return gone, err
}

// AssignPeople records a certificate's Contactpersoon (who requested it)
// and Certificaatbeheerder (who manages it) on behalf of who; an empty ID
// leaves that role unrecorded. The contact must be an active Bevoegd
// Vertegenwoordiger or Contactpersoon; the manager an active
// Certificaatbeheerder, and only server and group certificates have one
// (manual 3.1, 7.3).
func (a *App) AssignPeople(ctx context.Context, who org.Person, sha256, contactID, managerID string) error {
	if err := a.allowed(ctx, who, org.AssignCertificatePeople, "cert.assign_denied"); err != nil {
		return err
	}
	obj, err := certObject(sha256)
	if err != nil {
		return err
	}
	return a.Journal.Change(ctx, audit.Entry{Who: a.Actor(), Action: audit.CertAssigned, Object: obj}, func(ctx context.Context) error {
		return a.assignPeople(ctx, sha256, contactID, managerID)
	})
}

// assignPeople checks the people against their roles and stores them.
func (a *App) assignPeople(ctx context.Context, sha256, contactID, managerID string) error {
	c, ok := a.Inventory.Get(sha256)
	if !ok {
		return i18n.E("err.cert_not_found", nil, cert.Printable(sha256))
	}
	people, err := a.Store.People(ctx)
	if err != nil {
		return err
	}
	find := func(id string) (org.Person, bool) {
		for _, p := range people {
			if p.ID == id {
				return p, true
			}
		}
		return org.Person{}, false
	}
	if contactID != "" {
		p, ok := find(contactID)
		switch {
		case !ok:
			return i18n.E("cert.person_unknown", nil)
		case !p.Active:
			return i18n.E("cert.person_inactive", nil, cert.Printable(p.Name))
		case p.Role == org.Certificaatbeheerder:
			return i18n.E("cert.contact_role", nil, cert.Printable(p.Name))
		}
	}
	if managerID != "" {
		p, ok := find(managerID)
		switch {
		case !HasManager(c.Kind):
			return i18n.E("cert.manager_kind", nil)
		case !ok:
			return i18n.E("cert.person_unknown", nil)
		case !p.Active:
			return i18n.E("cert.person_inactive", nil, cert.Printable(p.Name))
		case p.Role != org.Certificaatbeheerder:
			return i18n.E("cert.manager_role", nil, cert.Printable(p.Name))
		}
	}
	return a.Inventory.Assign(ctx, sha256, store.Assignment{ContactID: contactID, ManagerID: managerID})
}

// HasManager reports whether certificates of a kind have a
// Certificaatbeheerder: server and group certificates do (manual 3.1, 7.3);
// personal certificates and eSeals have only their Contactpersoon (4.1).
func HasManager(k cert.Kind) bool { return k == cert.KindServer || k == cert.KindGroup }

// CertificatePeople returns who is recorded for a certificate; a role not
// recorded (or whose person is gone) is nil.
func (a *App) CertificatePeople(ctx context.Context, sha256 string) (contact, manager *org.Person, err error) {
	as, err := a.Inventory.Assignment(ctx, sha256)
	if err != nil {
		return nil, nil, err
	}
	people, err := a.Store.People(ctx)
	if err != nil {
		return nil, nil, err
	}
	for i := range people {
		switch people[i].ID {
		case "":
		case as.ContactID:
			contact = &people[i]
		case as.ManagerID:
			manager = &people[i]
		}
	}
	return contact, manager, nil
}

// KeepForeign stores certificates of another organisation that an import
// held back, after the user chose to keep them, and journals it as an
// import (Count: the certificates kept).
func (a *App) KeepForeign(ctx context.Context, held []inventory.Foreign) (inventory.Report, error) {
	var rep inventory.Report
	err := a.Journal.Change(ctx, audit.Entry{Who: a.Actor(), Action: audit.Import, Count: len(held)}, func(ctx context.Context) error {
		var err error
		rep, err = a.Inventory.KeepForeign(ctx, held)
		return err
	})
	return rep, err
}

// ImportOptions are the options of an import into this organisation's
// inventory: certificates of other organisations are reported, and kept
// only when keepForeign. Before setup there is no organisation to compare.
func (a *App) ImportOptions(ctx context.Context, keepForeign bool) (inventory.ImportOptions, error) {
	o, found, err := a.Store.Organisation(ctx)
	if err != nil {
		return inventory.ImportOptions{}, err
	}
	opt := inventory.ImportOptions{KeepForeign: keepForeign}
	if found {
		opt.Owner = &o
	}
	return opt, nil
}

// certObject names a certificate for the journal. What is not a
// fingerprint names no stored certificate: nothing to change or journal.
func certObject(sha256 string) (audit.Object, error) {
	obj := audit.Cert(sha256)
	if obj.Valid() != nil {
		return audit.Object{}, i18n.E("err.cert_not_found", nil, cert.Printable(sha256))
	}
	return obj, nil
}

// allowed checks the matrix for the person acting, and journals a
// refusal as Authorise does.
func (a *App) allowed(ctx context.Context, who org.Person, p org.Permission, denied string) error {
	if who.Active && org.Allowed(who.Role, p) {
		return nil
	}
	if err := a.Journal.Record(ctx, audit.Entry{Who: a.Actor(), Action: audit.Denied, Object: audit.Perm(string(p)), Outcome: audit.Refused, Reason: denied}); err != nil {
		return err
	}
	return i18n.E(denied, nil)
}
