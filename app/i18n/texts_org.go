package i18n

// orgTexts: Organisatiegegevens (manual chapter 7): the authorisation
// matrix, the change forms, Certificaatbeheerders, reports per person.
var orgTexts = map[string]text{
	// The authorisation matrix: each permission's name, and why it is refused.
	"perm.change-organisation":         {"Organisatiegegevens wijzigen", "Change organisation data"},
	"perm.change-billing":              {"Facturatiegegevens wijzigen", "Change billing data"},
	"perm.change-contacts":             {"Contactpersonen wijzigen", "Change contact persons"},
	"perm.change-bv":                   {"Wijzigen Bevoegd Vertegenwoordiger", "Change the authorised representative"},
	"perm.cancel-subscription":         {"Opzeggen abonnement", "Cancel the subscription"},
	"perm.open-change-form":            {"Wijzigingsformulier openen", "Open the change form"},
	"perm.change-certificate-managers": {"Certificaatbeheerders wijzigen", "Change certificate managers"},
	"perm.view-organisation":           {"Organisatiegegevens inzien", "View organisation data"},
	"perm.reports":                     {"Rapportages per persoon opvragen", "Request reports per person"},
	"perm.order-certificates":          {"Certificaten bestellen", "Order certificates"},
	"perm.view-journal":                {"Logboek inzien", "View the journal"},
	"perm.remove-certificate":          {"Certificaten uit het overzicht verwijderen", "Remove certificates from the inventory"},
	"perm.assign-certificate-people":   {"Contactpersoon en Certificaatbeheerder van certificaten vastleggen", "Record certificates' contact person and manager"},

	"org.denied_inactive":                    {"%s is niet (meer) actief geregistreerd", "%s is not (or no longer) registered as active"},
	"org.denied.change-organisation":         {"alleen de Bevoegd Vertegenwoordiger en Contactpersonen met alle autorisaties kunnen organisatiegegevens wijzigen", "only the authorised representative and contact persons with full rights can change organisation data"},
	"org.denied.change-billing":              {"alleen de Bevoegd Vertegenwoordiger en Contactpersonen met alle autorisaties kunnen facturatiegegevens wijzigen", "only the authorised representative and contact persons with full rights can change billing data"},
	"org.denied.change-contacts":             {"alleen de Bevoegd Vertegenwoordiger en Contactpersonen met alle autorisaties kunnen Contactpersonen wijzigen", "only the authorised representative and contact persons with full rights can change contact persons"},
	"org.denied.change-bv":                   {"alleen de Bevoegd Vertegenwoordiger kan de Bevoegd Vertegenwoordiger wijzigen", "only the authorised representative can change the authorised representative"},
	"org.denied.cancel-subscription":         {"alleen de Bevoegd Vertegenwoordiger kan het abonnement opzeggen", "only the authorised representative can cancel the subscription"},
	"org.denied.open-change-form":            {"als Contactpersoon met basis autorisaties kunt u het wijzigingsformulier niet openen", "as a contact person with basic rights you cannot open the change form"},
	"org.denied.change-certificate-managers": {"alleen de Bevoegd Vertegenwoordiger en Contactpersonen kunnen Certificaatbeheerders wijzigen", "only the authorised representative and contact persons can change certificate managers"},
	"org.denied.view-organisation":           {"alleen de Bevoegd Vertegenwoordiger en Contactpersonen kunnen de organisatiegegevens inzien", "only the authorised representative and contact persons can view the organisation data"},
	"org.denied.reports":                     {"alleen de Bevoegd Vertegenwoordiger en Contactpersonen kunnen rapportages opvragen", "only the authorised representative and contact persons can request reports"},
	"org.denied.view-journal":                {"alleen de Bevoegd Vertegenwoordiger en Contactpersonen met alle autorisaties kunnen het logboek inzien", "only the authorised representative and contact persons with full rights can view the journal"},
	"org.denied.remove-certificate":          {"alleen de Bevoegd Vertegenwoordiger en Contactpersonen met alle autorisaties kunnen certificaten uit het overzicht verwijderen", "only the authorised representative and contact persons with full rights can remove certificates from the inventory"},
	"org.denied.assign-certificate-people":   {"alleen de Bevoegd Vertegenwoordiger en Contactpersonen kunnen de mensen bij een certificaat vastleggen", "only the authorised representative and contact persons can record a certificate's people"},
	"org.denied.order-certificates":          {"alleen de Bevoegd Vertegenwoordiger en Contactpersonen kunnen certificaten bestellen", "only the authorised representative and contact persons can order certificates"},

	// People and the fields of the forms.
	"org.person.unknown":        {"deze persoon is niet geregistreerd", "this person is not registered"},
	"org.person.name_required":  {"vul de naam in", "enter the name"},
	"org.person.name_long":      {"de naam is te lang (ten hoogste %d tekens)", "the name is too long (at most %d characters)"},
	"org.person.email_required": {"vul het e-mailadres in", "enter the e-mail address"},
	"org.person.email_invalid":  {"%q is geen geldig e-mailadres", "%q is not a valid e-mail address"},
	"org.person.email_taken":    {"e-mailadres %s is al geregistreerd voor %s", "e-mail address %s is already registered for %s"},
	"org.person.phone_required": {"vul het telefoonnummer in", "enter the telephone number"},
	"org.person.phone_invalid":  {"het telefoonnummer mag alleen cijfers, spaties, +, - en haakjes bevatten (6 tot 15 cijfers)", "the telephone number may only hold digits, spaces, +, - and brackets (6 to 15 digits)"},
	"org.field.name":            {"naam", "name"},
	"org.field.email":           {"e-mailadres", "e-mail address"},
	"org.field.phone":           {"telefoonnummer", "telephone number"},
	"org.field.function":        {"functie", "function"},
	"org.text_encoding":         {"bevat ongeldige tekens", "holds invalid characters"},
	"org.text_long":             {"is te lang (ten hoogste %d tekens)", "is too long (at most %d characters)"},
	"org.text_control":          {"bevat stuurtekens", "holds control characters"},
	"org.no_change":             {"er is niets gewijzigd", "nothing was changed"},

	// Certificaatbeheerders (7.3).
	"org.managers.none_active":    {"er zijn geen actieve Certificaatbeheerders geregistreerd; een nieuwe Certificaatbeheerder registreert u bij de aanvraag van een server- of groepscertificaat", "no active certificate managers are registered; you register a new certificate manager when you order a server or group certificate"},
	"org.managers.not_manager":    {"%s is geen Certificaatbeheerder", "%s is not a certificate manager"},
	"org.managers.inactive":       {"%s is niet meer actief", "%s is no longer active"},
	"org.managers.two_successors": {"kies een bestaande of een nieuwe Certificaatbeheerder om het beheer aan over te dragen, niet allebei", "choose an existing or a new certificate manager to hand over to, not both"},
	"org.managers.self_successor": {"het beheer kan niet worden overgedragen aan de Certificaatbeheerder die wordt gedeactiveerd", "management cannot be handed over to the certificate manager being deactivated"},

	// Reports per person (7.4).
	"report.banner":           {"Er is een selectie toegepast: %s", "A selection has been applied: %s"},
	"report.banner.requested": {"certificaten aangevraagd door %s", "certificates requested by %s"},
	"report.banner.managed":   {"certificaten beheerd door %s", "certificates managed by %s"},
	"report.person_unknown":   {"geen geregistreerde persoon met ID of e-mailadres %s (zie pkiodesk org people)", "no registered person with ID or e-mail address %s (see pkiodesk org people)"},
	"report.person_ambiguous": {"meer dan één persoon heeft e-mailadres %s; gebruik het ID (zie pkiodesk org people)", "more than one person has e-mail address %s; use the ID (see pkiodesk org people)"},
	"report.one_cert":         {"1 certificaat", "1 certificate"},
	"report.certs":            {"%d certificaten", "%d certificates"},
}
