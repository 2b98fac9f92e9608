package screens

import (
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
)

// sectionTitle names a section of the change form.
func sectionTitle(u *ui, s org.Section) string { return i18n.T(u.lang, "section."+string(s)) }

// showChangeForm opens the change form (manual 7.2).
func (u *ui) showChangeForm() {}

// showChange shows one change form and its state.
func (u *ui) showChange(number string) {}
