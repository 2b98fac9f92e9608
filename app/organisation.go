package app

import (
	"context"
	"encoding/json"
	"errors"
	"sort"

	"pkiodesk/app/audit"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
	"pkiodesk/app/store"
)

// Organisatiegegevens (manual chapter 7). Every change to the register,
// whoever asks for it (window or command line), passes through
// changeRegister: that is where an audit journal entry will be written.

// Register is the organisation's register as Organisatiegegevens shows it.
type Register struct {
	Organisation org.Organisation
	People       []org.Person
	// Changes are the change forms, newest first; pending ones have not
	// changed the register yet.
	Changes []org.Change
}

// Pending returns the changes sent and not yet confirmed or cancelled.
func (r Register) Pending() []org.Change {
	var out []org.Change
	for _, c := range r.Changes {
		if c.State == org.ChangePending {
			out = append(out, c)
		}
	}
	return out
}

// PendingFor returns the pending changes that concern a person.
func (r Register) PendingFor(personID string) []org.Change {
	var out []org.Change
	for _, c := range r.Pending() {
		if c.Touches(personID) {
			out = append(out, c)
		}
	}
	return out
}

// changesCollection keeps the change forms (JSON, by number).
const changesCollection = "org-changes"

func (a *App) orgRegister() (store.OrgRegister, error) {
	reg, ok := a.Store.(store.OrgRegister)
	if !ok {
		return nil, i18n.E("err.db_open", errors.New("store keeps no organisation register"), a.Store.Path())
	}
	return reg, nil
}

// Register reads the organisation, its people and its change forms.
func (a *App) Register(ctx context.Context) (Register, error) {
	reg, err := a.orgRegister()
	if err != nil {
		return Register{}, err
	}
	var r Register
	err = reg.ViewOrganisation(ctx, func(tx store.OrgTx) error {
		var err error
		if r.Organisation, _, err = tx.Organisation(); err != nil {
			return err
		}
		if r.People, err = tx.People(); err != nil {
			return err
		}
		r.Changes, err = readChanges(tx)
		return err
	})
	return r, err
}

func readChanges(tx store.OrgTx) ([]org.Change, error) {
	rec, err := tx.Records(changesCollection)
	if err != nil {
		return nil, err
	}
	var out []org.Change
	err = rec.ForEach(func(key string, v []byte) error {
		var c org.Change
		if err := json.Unmarshal(v, &c); err != nil {
			return i18n.E("err.db_corrupt", err, key)
		}
		out = append(out, c)
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, err
}

// changeRegister is the one way the register changes. It reads who again
// inside the transaction (a person deactivated meanwhile may nothing),
// checks the permission and runs the change; the change and its journal
// entry are one transaction, and a refusal is journalled with its reason.
func (a *App) changeRegister(ctx context.Context, who org.Person, perm org.Permission, entry audit.Entry, change func(tx store.OrgTx, who org.Person, people []org.Person) error) error {
	reg, err := a.orgRegister()
	if err != nil {
		return err
	}
	entry.Who = a.actorFor(who)
	if a.Journal == nil {
		return a.updateRegister(ctx, reg, who, perm, change)
	}
	return a.Journal.Change(ctx, entry, func(ctx context.Context) error {
		return a.updateRegister(ctx, reg, who, perm, change)
	})
}

// actorFor names who in the journal: with the login certificate when who
// is the session's person.
func (a *App) actorFor(who org.Person) audit.Actor {
	if act := a.Actor(); act.PersonID == who.ID && who.ID != "" {
		return act
	}
	if who.ID == "" {
		return a.Actor()
	}
	return audit.Actor{PersonID: who.ID}
}

func (a *App) updateRegister(ctx context.Context, reg store.OrgRegister, who org.Person, perm org.Permission, change func(tx store.OrgTx, who org.Person, people []org.Person) error) error {
	return reg.UpdateOrganisation(ctx, func(tx store.OrgTx) error {
		people, err := tx.People()
		if err != nil {
			return err
		}
		current, ok := org.FindPerson(people, who.ID)
		if !ok {
			return i18n.E("org.person.unknown", nil)
		}
		o, _, err := tx.Organisation()
		if err != nil {
			return err
		}
		current = org.InOrganisation(current, o)
		if err := org.Check(current, perm); err != nil {
			return err
		}
		return change(tx, current, people)
	})
}

// UpdateManager changes a Certificaatbeheerder's data (manual 7.3).
func (a *App) UpdateManager(ctx context.Context, who org.Person, u org.ManagerUpdate) (org.Person, error) {
	var out org.Person
	err := a.changeRegister(ctx, who, org.ChangeCertManagers, audit.Entry{Action: audit.PersonChange, Object: personObject(u.ID)}, func(tx store.OrgTx, who org.Person, people []org.Person) error {
		p, err := org.PlanUpdate(who, people, u)
		if err != nil {
			return err
		}
		out = p
		return tx.PutPerson(p)
	})
	return out, err
}

// HandOver is what a deactivation did.
type HandOver struct {
	Deactivated org.Person
	// Successor took over the certificates (nil: none did, and the
	// certificates keep the deactivated manager as their last one).
	Successor *org.Person
	// Moved are the certificates handed over (SHA-256).
	Moved []string
}

// DeactivateManager deactivates a Certificaatbeheerder and, when a
// successor is named (an active manager, or a new one registered here),
// hands every certificate they manage over to them: the deactivation, the
// registration and every certificate's new manager land in one
// transaction, or none of it does (manual 7.3).
func (a *App) DeactivateManager(ctx context.Context, who org.Person, d org.Deactivation) (HandOver, error) {
	var out HandOver
	// The journal entry is fixed before the transaction: it counts the
	// certificates the manager has now (a hand-over moves them all).
	entry := audit.Entry{Action: audit.ManagerDeactivated, Object: personObject(d.ManagerID)}
	if d.HandOverTo != "" || d.NewManager != nil {
		if counts, err := a.ManagedCount(ctx); err == nil {
			entry.Count = counts[d.ManagerID]
		}
	}
	err := a.changeRegister(ctx, who, org.ChangeCertManagers, entry, func(tx store.OrgTx, who org.Person, people []org.Person) error {
		plan, err := org.PlanDeactivation(who, people, d, newID)
		if err != nil {
			return err
		}
		out = HandOver{Deactivated: plan.Deactivated, Successor: plan.Successor}
		if err := tx.PutPerson(plan.Deactivated); err != nil {
			return err
		}
		if plan.Successor == nil {
			return nil
		}
		if plan.Register {
			if err := tx.PutPerson(*plan.Successor); err != nil {
				return err
			}
		}
		links, err := tx.CertificatePeople()
		if err != nil {
			return err
		}
		for sha, cp := range links {
			if cp.ManagerID != plan.Deactivated.ID {
				continue
			}
			if err := ctx.Err(); err != nil {
				return i18n.E("err.context_canceled", err)
			}
			cp.ManagerID = plan.Successor.ID
			if err := tx.PutAssignment(sha, cp); err != nil {
				return err
			}
			out.Moved = append(out.Moved, sha)
		}
		sort.Strings(out.Moved)
		return nil
	})
	if err != nil {
		return HandOver{}, err
	}
	return out, nil
}

// personObject names a person in the journal, or nothing when the ID is
// not one a journal entry takes (the change is refused anyway).
func personObject(id string) audit.Object {
	if o := audit.Person(id); o.Valid() == nil {
		return o
	}
	return audit.Object{}
}

// ManagedCount returns how many certificates each person manages.
func (a *App) ManagedCount(ctx context.Context) (map[string]int, error) {
	reg, err := a.orgRegister()
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	err = reg.ViewOrganisation(ctx, func(tx store.OrgTx) error {
		links, err := tx.CertificatePeople()
		for _, cp := range links {
			if cp.ManagerID != "" {
				out[cp.ManagerID]++
			}
		}
		return err
	})
	return out, err
}
