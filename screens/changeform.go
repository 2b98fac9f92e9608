package screens

import (
	"pkiodesk/app/org"
)

// sectionTitle names a section of the change form.
func sectionTitle(u *ui, s org.Section) string {
	switch s {
	case org.SectionOrganisation:
		return u.tr("Organisatiegegevens", "Organisation data")
	case org.SectionBilling:
		return u.tr("Facturatiegegevens", "Billing data")
	case org.SectionContacts:
		return u.tr("Contactpersonen", "Contact persons")
	case org.SectionBV:
		return u.tr("Bevoegd Vertegenwoordiger", "Authorised representative")
	case org.SectionCancel:
		return u.tr("Opzeggen abonnement", "Cancel the subscription")
	}
	return string(s)
}

// showChangeForm opens the change form (manual 7.2).
func (u *ui) showChangeForm() {}

// showChange shows one change form and its state.
func (u *ui) showChange(number string) {}
