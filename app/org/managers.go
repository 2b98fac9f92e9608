package org

import (
	"pkiodesk/app/i18n"
)

// The form of the manual's 7.3, "Wijzigen Certificaatbeheerders": update a
// registered Certificaatbeheerder's data, or deactivate one and optionally
// hand their certificates over to another active Certificaatbeheerder,
// existing or registered in the same form. A new Certificaatbeheerder on
// their own is registered with an order for a server or group certificate,
// not here.

// CheckManagersForm says whether who may open the form: the Bevoegd
// Vertegenwoordiger and every Contactpersoon, whatever their rights,
// provided active Certificaatbeheerders are registered.
func CheckManagersForm(who Person, people []Person) error {
	if err := Check(who, ChangeCertManagers); err != nil {
		return err
	}
	if len(ActiveManagers(people, "")) == 0 {
		return i18n.E("org.managers.none_active", nil)
	}
	return nil
}

// ActiveManagers returns the active Certificaatbeheerders, except one.
func ActiveManagers(people []Person, except string) []Person {
	var out []Person
	for _, p := range Grouped(people)[3].People {
		if p.Active && p.ID != except {
			out = append(out, p)
		}
	}
	return out
}

// ManagerUpdate is new data for a registered Certificaatbeheerder.
type ManagerUpdate struct {
	ID                           string
	Name, Email, Phone, Function string
}

// PlanUpdate checks an update and returns the person as it will be stored.
func PlanUpdate(who Person, people []Person, u ManagerUpdate) (Person, error) {
	if err := CheckManagersForm(who, people); err != nil {
		return Person{}, err
	}
	p, err := activeManager(people, u.ID)
	if err != nil {
		return Person{}, err
	}
	next := p
	next.Name, next.Email, next.Phone, next.Function = u.Name, u.Email, u.Phone, u.Function
	next = next.Normalize()
	if err := ValidateContact(next); err != nil {
		return Person{}, err
	}
	if other, taken := emailTaken(people, next.Email, p.ID); taken {
		return Person{}, i18n.E("org.person.email_taken", nil, next.Email, other.Name)
	}
	if old := p.Normalize(); next.Name == old.Name && next.Email == old.Email && next.Phone == old.Phone && next.Function == old.Function {
		return Person{}, i18n.E("org.no_change", nil)
	}
	return next, nil
}

// Deactivation deactivates a Certificaatbeheerder. With HandOverTo (an
// active Certificaatbeheerder's ID) or NewManager (registered in this
// form) their certificates go to that manager; with neither, the
// certificates keep the deactivated manager as their last one.
type Deactivation struct {
	ManagerID  string
	HandOverTo string
	NewManager *Person
}

// HandOverPlan is what a deactivation changes, all in one transaction.
type HandOverPlan struct {
	Deactivated Person
	// Successor takes over the certificates; nil: none does.
	Successor *Person
	// Register is true when the successor is new to the register.
	Register bool
}

// PlanDeactivation checks a deactivation. newID names a new manager.
func PlanDeactivation(who Person, people []Person, d Deactivation, newID func() string) (HandOverPlan, error) {
	if err := CheckManagersForm(who, people); err != nil {
		return HandOverPlan{}, err
	}
	p, err := activeManager(people, d.ManagerID)
	if err != nil {
		return HandOverPlan{}, err
	}
	p.Active = false
	plan := HandOverPlan{Deactivated: p}
	switch {
	case d.HandOverTo != "" && d.NewManager != nil:
		return HandOverPlan{}, i18n.E("org.managers.two_successors", nil)
	case d.HandOverTo == d.ManagerID:
		return HandOverPlan{}, i18n.E("org.managers.self_successor", nil)
	case d.HandOverTo != "":
		s, err := activeManager(people, d.HandOverTo)
		if err != nil {
			return HandOverPlan{}, err
		}
		plan.Successor = &s
	case d.NewManager != nil:
		s := d.NewManager.Normalize()
		if err := ValidateContact(s); err != nil {
			return HandOverPlan{}, err
		}
		if other, taken := emailTaken(people, s.Email, ""); taken {
			return HandOverPlan{}, i18n.E("org.person.email_taken", nil, s.Email, other.Name)
		}
		s.ID, s.Role, s.Active = newID(), Certificaatbeheerder, true
		s.CertFingerprints, s.SubjectSerial = nil, ""
		plan.Successor, plan.Register = &s, true
	}
	return plan, nil
}

// activeManager finds an active Certificaatbeheerder by ID.
func activeManager(people []Person, id string) (Person, error) {
	p, ok := FindPerson(people, id)
	switch {
	case !ok:
		return Person{}, i18n.E("org.person.unknown", nil)
	case p.Role != Certificaatbeheerder:
		return Person{}, i18n.E("org.managers.not_manager", nil, p.Name)
	case !p.Active:
		return Person{}, i18n.E("org.managers.inactive", nil, p.Name)
	}
	return p, nil
}
