package org

import (
	"strings"
	"testing"

	"pkiodesk/app/i18n"
)

func testPeople() []Person {
	return []Person{
		{ID: "bv", Name: "Anouk Visser", Email: "a.visser@voorbeeldstad.nl", Phone: "010 123 4567", Role: BevoegdVertegenwoordiger, Active: true},
		{ID: "cpa", Name: "Daan Meijer", Email: "d.meijer@voorbeeldstad.nl", Phone: "010 123 4568", Role: ContactpersoonAlle, Active: true},
		{ID: "cpb", Name: "Fatima El Amrani", Email: "f.elamrani@voorbeeldstad.nl", Phone: "010 123 4569", Role: ContactpersoonBasis, Active: true},
		{ID: "cb1", Name: "Zoë Brouwer", Email: "z.brouwer@voorbeeldstad.nl", Phone: "06 12345678", Role: Certificaatbeheerder, Active: true},
		{ID: "cb2", Name: "Bram de Wit", Email: "b.dewit@voorbeeldstad.nl", Phone: "06 87654321", Role: Certificaatbeheerder, Active: true},
		{ID: "cb3", Name: "Oud Beheer", Email: "oud@voorbeeldstad.nl", Phone: "06 11111111", Role: Certificaatbeheerder, Active: false},
		{ID: "old", Name: "Kees Jansen", Email: "k.jansen@voorbeeldstad.nl", Phone: "010 000 0000", Role: ContactpersoonAlle, Active: false},
	}
}

// 7.3: the BV and every Contactpersoon, whatever their rights, may use the
// form, provided active Certificaatbeheerders exist.
func TestManagersFormIsOpenToEveryContact(t *testing.T) {
	people := testPeople()
	for _, id := range []string{"bv", "cpa", "cpb"} {
		who, _ := FindPerson(people, id)
		if err := CheckManagersForm(who, people); err != nil {
			t.Errorf("%s: %v", id, err)
		}
	}
	old, _ := FindPerson(people, "old")
	if err := CheckManagersForm(old, people); !i18n.Is(err, "org.denied_inactive") {
		t.Errorf("inactive: %v", err)
	}
	manager, _ := FindPerson(people, "cb1")
	if err := CheckManagersForm(manager, people); !i18n.Is(err, "org.denied.change-certificate-managers") {
		t.Errorf("a manager: %v", err)
	}
	var none []Person
	for _, p := range people {
		if p.Role != Certificaatbeheerder || !p.Active {
			none = append(none, p)
		}
	}
	bv, _ := FindPerson(people, "bv")
	if err := CheckManagersForm(bv, none); !i18n.Is(err, "org.managers.none_active") {
		t.Errorf("no active managers: %v", err)
	}
}

func TestPlanUpdate(t *testing.T) {
	people := testPeople()
	cpb, _ := FindPerson(people, "cpb")
	got, err := PlanUpdate(cpb, people, ManagerUpdate{ID: "cb1", Name: "  Zoë   Brouwer-Smit ", Email: "z.brouwer@voorbeeldstad.nl", Phone: "+31 6 12345678", Function: "Netwerkbeheer"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Zoë Brouwer-Smit" || got.Phone != "+31 6 12345678" || got.Role != Certificaatbeheerder || !got.Active || got.ID != "cb1" {
		t.Errorf("updated: %+v", got)
	}
	for key, u := range map[string]ManagerUpdate{
		"org.person.unknown":        {ID: "niemand", Name: "x", Email: "x@y.nl", Phone: "0101234567"},
		"org.managers.not_manager":  {ID: "cpa", Name: "x", Email: "x@y.nl", Phone: "0101234567"},
		"org.managers.inactive":     {ID: "cb3", Name: "x", Email: "x@y.nl", Phone: "0101234567"},
		"org.person.name_required":  {ID: "cb1", Email: "x@y.nl", Phone: "0101234567"},
		"org.person.email_invalid":  {ID: "cb1", Name: "x", Email: "Zoë <z@y.nl>", Phone: "0101234567"},
		"org.person.email_required": {ID: "cb1", Name: "x", Phone: "0101234567"},
		"org.person.phone_invalid":  {ID: "cb1", Name: "x", Email: "x@y.nl", Phone: "=1+2"},
		"org.person.email_taken":    {ID: "cb1", Name: "x", Email: "D.Meijer@voorbeeldstad.nl", Phone: "0101234567"},
		"org.no_change":             {ID: "cb1", Name: "Zoë Brouwer", Email: "z.brouwer@voorbeeldstad.nl", Phone: "06 12345678"},
		"org.field.name":            {ID: "cb1", Name: "Zoë\x1b[31m", Email: "x@y.nl", Phone: "0101234567"},
		"org.field.function":        {ID: "cb1", Name: "Zoë", Email: "x@y.nl", Phone: "0101234567", Function: "a\u202eb"},
	} {
		if _, err := PlanUpdate(cpb, people, u); !i18n.Is(err, key) {
			t.Errorf("%s: %v", key, err)
		}
	}
	// Someone else's e-mail address, of an inactive person, is free again.
	if _, err := PlanUpdate(cpb, people, ManagerUpdate{ID: "cb1", Name: "Zoë", Email: "k.jansen@voorbeeldstad.nl", Phone: "0101234567"}); err != nil {
		t.Errorf("inactive person's address: %v", err)
	}
}

func TestPlanDeactivation(t *testing.T) {
	people := testPeople()
	cpa, _ := FindPerson(people, "cpa")
	ids := func() string { return "nieuw-1" }

	plan, err := PlanDeactivation(cpa, people, Deactivation{ManagerID: "cb1"}, ids)
	if err != nil || plan.Deactivated.Active || plan.Deactivated.ID != "cb1" || plan.Successor != nil {
		t.Errorf("without hand-over: %+v %v", plan, err)
	}
	plan, err = PlanDeactivation(cpa, people, Deactivation{ManagerID: "cb1", HandOverTo: "cb2"}, ids)
	if err != nil || plan.Successor == nil || plan.Successor.ID != "cb2" || plan.Register {
		t.Errorf("to an existing manager: %+v %v", plan, err)
	}
	plan, err = PlanDeactivation(cpa, people, Deactivation{ManagerID: "cb1", NewManager: &Person{Name: "Nina Bos", Email: "n.bos@voorbeeldstad.nl", Phone: "06 22223333",
		Role: BevoegdVertegenwoordiger, CertFingerprints: []string{"ab"}}}, ids)
	if err != nil || plan.Successor == nil || !plan.Register || plan.Successor.ID != "nieuw-1" || plan.Successor.Role != Certificaatbeheerder || !plan.Successor.Active || plan.Successor.CertFingerprints != nil {
		t.Errorf("to a new manager: %+v %v", plan.Successor, err)
	}
	newManager := &Person{Name: "Nina", Email: "n@voorbeeldstad.nl", Phone: "0612345678"}
	for key, d := range map[string]Deactivation{
		"org.managers.two_successors": {ManagerID: "cb1", HandOverTo: "cb2", NewManager: newManager},
		"org.managers.self_successor": {ManagerID: "cb1", HandOverTo: "cb1"},
		"org.managers.inactive":       {ManagerID: "cb1", HandOverTo: "cb3"},
		"org.managers.not_manager":    {ManagerID: "cb1", HandOverTo: "cpb"},
		"org.person.unknown":          {ManagerID: "x"},
		"org.person.email_taken":      {ManagerID: "cb1", NewManager: &Person{Name: "Nina", Email: "z.brouwer@voorbeeldstad.nl", Phone: "0612345678"}},
		"org.person.phone_required":   {ManagerID: "cb1", NewManager: &Person{Name: "Nina", Email: "n@voorbeeldstad.nl"}},
	} {
		if _, err := PlanDeactivation(cpa, people, d, ids); !i18n.Is(err, key) {
			t.Errorf("%s: %v", key, err)
		}
	}
}

func TestGroupedInTheManualsOrder(t *testing.T) {
	g := Grouped(testPeople())
	var got []string
	for _, grp := range g {
		var names []string
		for _, p := range grp.People {
			names = append(names, p.ID)
		}
		got = append(got, string(grp.Role)+":"+strings.Join(names, ","))
	}
	want := "bevoegd-vertegenwoordiger:bv|contactpersoon-alle:cpa,old|contactpersoon-basis:cpb|certificaatbeheerder:cb2,cb1,cb3"
	if strings.Join(got, "|") != want {
		t.Errorf("groups\n got %s\nwant %s", strings.Join(got, "|"), want)
	}
}

func TestValidateContact(t *testing.T) {
	good := Person{Name: "Jan", Email: "jan@voorbeeld.nl", Phone: "+31 (0)10-1234567"}
	if err := ValidateContact(good); err != nil {
		t.Fatal(err)
	}
	for key, p := range map[string]Person{
		"org.person.email_invalid": {Name: "Jan", Email: "jan@localhost", Phone: "0101234567"},
		"org.person.phone_invalid": {Name: "Jan", Email: "jan@voorbeeld.nl", Phone: "12345"},
		"org.person.name_long":     {Name: strings.Repeat("ë", 121), Email: "jan@voorbeeld.nl", Phone: "0101234567"},
		"org.field.email":          {Name: "Jan", Email: "jan@voorbeeld.nl\n", Phone: "0101234567"},
		"org.field.name":           {Name: "Jan\xff", Email: "jan@voorbeeld.nl", Phone: "0101234567"},
	} {
		if err := ValidateContact(p); !i18n.Is(err, key) {
			t.Errorf("%s: %v", key, err)
		}
	}
}
