package i18n

// windowTexts: the window's overviews, navigation, dialogs and import report.
// A key with ".one" is the singular of the key without it (see N).
var windowTexts = map[string]text{
	"window.count":               {"%d certificaten", "%d certificates"},
	"window.count.one":           {"%d certificaat", "%d certificate"},
	"window.expire_within":       {"verlopen binnen %d dagen", "expire within %d days"},
	"window.expire_within.one":   {"verloopt binnen %d dagen", "expires within %d days"},
	"window.expiring_title":      {"Verlopen binnen %d dagen", "Expiring within %d days"},
	"window.period":              {"%d dagen", "%d days"},
	"window.notify_expiring":     {"%d geldige certificaten verlopen binnen %d dagen", "%d valid certificates expire within %d days"},
	"window.notify_expiring.one": {"%d geldig certificaat verloopt binnen %d dagen", "%d valid certificate expires within %d days"},
	"window.empty_filter":        {"Geen certificaten met dit filter.", "No certificates match this filter."},
	"window.empty_kind":          {"Er zijn nog geen %s; voeg ze toe met Importeren…", "There are no %s yet; add them with Import…"},
	"window.manage_none":         {"Beheren: er is geen certificaat om te openen.", "Manage: there is no certificate to open."},
	"window.kind_short.server":   {"Server", "Server"},
	"window.kind_short.personal": {"Persoonlijk", "Personal"},
	"window.kind_short.group":    {"Groep", "Group"},
	"window.kind_short.eseal":    {"eSeal", "eSeal"},
	"window.kind_short.ca":       {"CA", "CA"},
	"window.back_to":             {"Terug naar %s", "Back to %s"},

	// File names and file dialogs.
	"window.csv_name.server":    {"servercertificaten.csv", "server-certificates.csv"},
	"window.csv_name.personal":  {"persoonlijke-certificaten.csv", "personal-certificates.csv"},
	"window.csv_name.group":     {"groepscertificaten.csv", "group-certificates.csv"},
	"window.csv_name.eseal":     {"eseal-certificaten.csv", "eseal-certificates.csv"},
	"window.csv_name.expiring":  {"verlopen-binnen-%d-dagen.csv", "expiring-within-%d-days.csv"},
	"window.csv_saved":          {"%d certificaten opgeslagen als %s\nin de map %s", "%d certificates saved as %s\nin the folder %s"},
	"window.csv_saved.one":      {"%d certificaat opgeslagen als %s\nin de map %s", "%d certificate saved as %s\nin the folder %s"},
	"window.saved":              {"Opgeslagen als %s\nin de map %s", "Saved as %s\nin the folder %s"},
	"window.filter_certs":       {"Certificaten", "Certificates"},
	"window.filter_all":         {"Alle bestanden", "All files"},
	"window.dialog_failed":      {"het bestandsvenster kan niet worden geopend", "the file dialog cannot be opened"},
	"window.not_regular":        {"%s is geen gewoon bestand; kies een andere naam", "%s is not a regular file; choose another name"},
	"window.write_failed":       {"%s kan niet worden opgeslagen", "%s cannot be saved"},
	"window.output_is_database": {"%s is de database van pkiodesk zelf; kies een andere naam", "%s is pkiodesk's own database; choose another name"},

	// Import report.
	"window.import_added":       {"%d toegevoegd", "%d added"},
	"window.import_issuers":     {"%d CA-certificaten opgeslagen als uitgever", "%d CA certificates stored as issuers"},
	"window.import_issuers.one": {"%d CA-certificaat opgeslagen als uitgever", "%d CA certificate stored as issuer"},
	"window.import_dups":        {"%d al aanwezig", "%d already present"},
	"window.import_rejected":    {"%d geweigerd", "%d rejected"},
	"window.import_nothing":     {"niets geïmporteerd", "nothing imported"},
	"window.import_skipped":     {"%d overgeslagen (andere organisatie)", "%d skipped (another organisation)"},
	"window.foreign_skipped":    {"overgeslagen: %s — %s", "skipped: %s — %s"},
	"window.foreign_intro":      {"%d certificaten horen niet bij %s. Vink aan wat u toch wilt bewaren; de rest wordt overgeslagen.", "%d certificates do not belong to %s. Tick what you want to keep anyway; the rest is skipped."},
	"window.foreign_intro.one":  {"%d certificaat hoort niet bij %s. Vink het aan als u het toch wilt bewaren; anders wordt het overgeslagen.", "%d certificate does not belong to %s. Tick it if you want to keep it anyway; otherwise it is skipped."},
	"window.remove_confirm":     {"%s (%s, verloopt %s, SHA-256 %s…) uit het overzicht van pkiodesk verwijderen?\n\nHet certificaat zelf blijft geldig bij de CA; intrekken is een aparte bestelling. Een nieuwe import zet het weer in het overzicht.", "Remove %s (%s, expires %s, SHA-256 %s…) from pkiodesk's overview?\n\nThe certificate itself stays valid at its CA; revoking is a separate order. Importing it again puts it back in the overview."},
	"window.removed":            {"%s is uit het overzicht verwijderd.", "%s was removed from the overview."},
	"window.stored_as_issuer":   {"opgeslagen als uitgever: %s", "stored as issuer: %s"},

	// Keeping the inventory clean: whose certificates, removal, assignment.
	"own.oin":              {"OIN %s is niet het OIN van de organisatie (%s)", "OIN %s is not the organisation's OIN (%s)"},
	"own.kvk":              {"KvK-nummer %s is niet dat van de organisatie (%s)", "KvK number %s is not the organisation's (%s)"},
	"own.name":             {"organisatie %q is niet deze organisatie", "organisation %q is not this organisation"},
	"own.unnamed":          {"het certificaat noemt geen organisatie", "the certificate names no organisation"},
	"cert.remove_denied":   {"alleen de Bevoegd Vertegenwoordiger en Contactpersonen met alle autorisaties kunnen een certificaat uit het overzicht verwijderen", "only the authorised representative and contact persons with full rights can remove a certificate from the overview"},
	"cert.assign_denied":   {"alleen de Bevoegd Vertegenwoordiger en Contactpersonen kunnen een Contactpersoon of Certificaatbeheerder vastleggen", "only the authorised representative and contact persons can record a contact person or certificate manager"},
	"cert.person_unknown":  {"deze persoon is niet geregistreerd voor de organisatie", "this person is not registered for the organisation"},
	"cert.person_inactive": {"%s is niet actief", "%s is not active"},
	"cert.contact_role":    {"%s is Certificaatbeheerder, geen Contactpersoon", "%s is a certificate manager, not a contact person"},
	"cert.manager_role":    {"%s is geen Certificaatbeheerder", "%s is not a certificate manager"},
	"cert.manager_kind":    {"alleen server- en groepscertificaten hebben een Certificaatbeheerder", "only server and group certificates have a certificate manager"},

	// The command line's import of other organisations' certificates.
	"cli.foreign_value":    {"--foreign moet skip of keep zijn, niet %q", "--foreign must be skip or keep, not %q"},
	"cli.foreign_skipped":  {"overgeslagen (andere organisatie)  %s: %s", "skipped (another organisation)  %s: %s"},
	"cli.foreign_kept":     {"bewaard (andere organisatie)  %s: %s", "kept (another organisation)  %s: %s"},
	"cli.foreign_hint":     {"%d certificaten van een andere organisatie zijn overgeslagen; importeer met --foreign keep om ze toch op te slaan", "%d certificates of another organisation were skipped; import with --foreign keep to store them anyway"},
	"cli.foreign_hint.one": {"%d certificaat van een andere organisatie is overgeslagen; importeer met --foreign keep om het toch op te slaan", "%d certificate of another organisation was skipped; import with --foreign keep to store it anyway"},
}
