package org

import (
	"net/mail"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"pkiodesk/app/i18n"
)

// Limits on what a form accepts; a registry of people needs no more.
const (
	maxNameLen  = 120
	maxFieldLen = 200
)

// Normalize trims the fields a person types.
func (p Person) Normalize() Person {
	p.Name = strings.Join(strings.Fields(p.Name), " ")
	p.Email = strings.TrimSpace(p.Email)
	p.Phone = strings.TrimSpace(p.Phone)
	p.Function = strings.TrimSpace(p.Function)
	return p
}

// ValidateContact checks the data of a person entered in a form: a name,
// an e-mail address, and a telephone number made of what telephone numbers
// are made of. Control characters are refused everywhere: they end up in
// PDFs, CSV files and terminals.
func ValidateContact(p Person) error {
	if p.Name == "" {
		return i18n.E("org.person.name_required", nil)
	}
	for _, f := range []struct{ key, v string }{{"org.field.name", p.Name}, {"org.field.email", p.Email}, {"org.field.phone", p.Phone}, {"org.field.function", p.Function}} {
		if err := PlainText(f.v, maxFieldLen, false); err != nil {
			return i18n.E(f.key, err)
		}
	}
	if utf8.RuneCountInString(p.Name) > maxNameLen {
		return i18n.E("org.person.name_long", nil, maxNameLen)
	}
	if err := ValidateEmail(p.Email); err != nil {
		return err
	}
	if p.Phone == "" {
		return i18n.E("org.person.phone_required", nil)
	}
	if strings.Trim(p.Phone, "0123456789+-() ") != "" || strings.Count(p.Phone, "+") > 1 || digits(p.Phone) < 6 || digits(p.Phone) > 15 {
		return i18n.E("org.person.phone_invalid", nil)
	}
	return nil
}

// ValidateEmail accepts one plain address (no display name).
func ValidateEmail(s string) error {
	if s == "" {
		return i18n.E("org.person.email_required", nil)
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return i18n.E("org.person.email_invalid", nil, s)
	}
	return nil
}

func digits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

// PlainText refuses control characters (new lines only where a field has
// several lines), invalid UTF-8 and overlong values.
func PlainText(s string, max int, lines bool) error {
	if !utf8.ValidString(s) {
		return i18n.E("org.text_encoding", nil)
	}
	if utf8.RuneCountInString(s) > max {
		return i18n.E("org.text_long", nil, max)
	}
	for _, r := range s {
		if unicode.IsControl(r) && (r != '\n' || !lines) || unicode.In(r, unicode.Bidi_Control, unicode.Cf, unicode.Zl, unicode.Zp) {
			return i18n.E("org.text_control", nil)
		}
	}
	return nil
}

// FindPerson returns the person with this ID.
func FindPerson(people []Person, id string) (Person, bool) {
	for _, p := range people {
		if p.ID == id && id != "" {
			return p, true
		}
	}
	return Person{}, false
}

// Group is the people of one role, active ones first.
type Group struct {
	Role   Role
	People []Person
}

// Grouped sorts the registered people by role, in the manual's order
// (Bevoegd Vertegenwoordiger, Contactpersonen with all and with basic
// rights, Certificaatbeheerders); within a role the active come first,
// then by name. Every role has a group, even an empty one.
func Grouped(people []Person) []Group {
	out := make([]Group, len(Roles))
	for i, r := range Roles {
		out[i].Role = r
		for _, p := range people {
			if p.Role == r {
				out[i].People = append(out[i].People, p)
			}
		}
		sort.SliceStable(out[i].People, func(a, b int) bool {
			pa, pb := out[i].People[a], out[i].People[b]
			if pa.Active != pb.Active {
				return pa.Active
			}
			return strings.ToLower(pa.Name) < strings.ToLower(pb.Name)
		})
	}
	return out
}

// ActiveBV returns the organisation's active Bevoegd Vertegenwoordiger.
func ActiveBV(people []Person) (Person, bool) {
	for _, p := range people {
		if p.Role == BevoegdVertegenwoordiger && p.Active {
			return p, true
		}
	}
	return Person{}, false
}

// emailTaken reports an active person other than except with this e-mail.
func emailTaken(people []Person, email, except string) (Person, bool) {
	for _, p := range people {
		if p.Active && p.ID != except && strings.EqualFold(p.Email, email) {
			return p, true
		}
	}
	return Person{}, false
}

// ParseRoles reads a role as typed on the command line, Dutch or English;
// "contactpersoon" means both kinds, empty means every role.
func ParseRoles(s string) (map[Role]bool, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	all := map[Role]bool{}
	switch s {
	case "":
		for _, r := range Roles {
			all[r] = true
		}
		return all, nil
	case "bv", "bevoegd-vertegenwoordiger", "bevoegd vertegenwoordiger", "authorised-representative", "representative":
		return map[Role]bool{BevoegdVertegenwoordiger: true}, nil
	case "contactpersoon", "contactpersonen", "contact", "contacts":
		return map[Role]bool{ContactpersoonAlle: true, ContactpersoonBasis: true}, nil
	case "contactpersoon-alle", "cp-alle", "contact-full":
		return map[Role]bool{ContactpersoonAlle: true}, nil
	case "contactpersoon-basis", "cp-basis", "contact-basic":
		return map[Role]bool{ContactpersoonBasis: true}, nil
	case "certificaatbeheerder", "certificaatbeheerders", "cb", "manager", "managers", "certificate-manager":
		return map[Role]bool{Certificaatbeheerder: true}, nil
	}
	return nil, i18n.E("org.role_unknown", nil, s)
}
