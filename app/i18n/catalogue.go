package i18n

type text struct{ nl, en string }

// catalogue is read-only after package initialisation. Each area of the
// application keeps its texts in a file of its own (texts_*.go) and lists its
// map here; a key defined twice stops the program at start.
var catalogue = merge(coreTexts, brpTexts, pdfTexts, cardTexts, auditTexts, trustTexts, windowTexts, orderTexts, orgTexts, orderListTexts, inventoryTexts, platformTexts, displayTexts)

// merge joins the areas' texts into one catalogue.
func merge(areas ...map[string]text) map[string]text {
	all := make(map[string]text)
	for _, area := range areas {
		for key, t := range area {
			if _, dup := all[key]; dup {
				panic("i18n: text " + key + " is defined twice")
			}
			all[key] = t
		}
	}
	return all
}

// coreTexts: files, certificates, database, overviews, organisation.
var coreTexts = map[string]text{
	// Input files and certificates.
	"err.file_too_large":   {"bestand is te groot (meer dan %d MiB) om in te lezen; splits een grotere bundel", "file is too large (more than %d MiB) to read; split a larger bundle"},
	"err.file_empty":       {"bestand is leeg", "file is empty"},
	"err.file_read":        {"bestand kan niet worden gelezen", "file cannot be read"},
	"err.no_certificate":   {"geen certificaat gevonden", "no certificate found"},
	"err.not_certificate":  {"geen certificaat (geen PEM, DER, PKCS#7 of PKCS#12)", "not a certificate (not PEM, DER, PKCS#7 or PKCS#12)"},
	"err.pem_block":        {"PEM-blok %d", "PEM block %d"},
	"err.pem_block_type":   {"PEM-blok %d heeft een onbekend type %q", "PEM block %d has an unknown type %q"},
	"err.pem_malformed":    {"PEM is beschadigd: geen leesbaar blok", "PEM is damaged: no readable block"},
	"err.x509_invalid":     {"ongeldig X.509-certificaat", "invalid X.509 certificate"},
	"err.pkcs7_invalid":    {"ongeldige PKCS#7-structuur", "invalid PKCS#7 structure"},
	"err.pkcs7_empty":      {"PKCS#7-bestand bevat geen certificaten", "PKCS#7 file holds no certificates"},
	"err.p12_password":     {"PKCS#12-bestand: onjuist wachtwoord (gebruik --p12-password-file)", "PKCS#12 file: wrong password (use --p12-password-file)"},
	"err.oin_length":       {"OIN moet 20 tekens lang zijn, niet %d", "OIN must be 20 characters long, not %d"},
	"err.oin_prefix":       {"OIN begint met een onbekend voorvoegsel %q", "OIN starts with an unknown prefix %q"},
	"err.oin_char":         {"OIN bevat een ongeldig teken op positie %d", "OIN holds an invalid character at position %d"},
	"err.oin_suffix":       {"OIN moet eindigen op 000", "OIN must end in 000"},
	"err.import_ca_only":   {"alleen CA-certificaten: opgeslagen als uitgever", "CA certificates only: stored as issuers"},
	"err.cert_not_found":   {"certificaat %s niet gevonden", "certificate %s not found"},
	"err.already_revoked":  {"certificaat is al ingetrokken", "certificate is already revoked"},
	"err.csv_write":        {"CSV kan niet worden geschreven", "CSV cannot be written"},
	"err.unknown_kind":     {"onbekend soort certificaat %q (server, personal, group, eseal, all)", "unknown certificate kind %q (server, personal, group, eseal, all)"},
	"err.unknown_status":   {"onbekende status %q (geldig, verlopen, ingetrokken, alle)", "unknown status %q (valid, expired, revoked, all)"},
	"err.unknown_column":   {"onbekende kolom %q", "unknown column %q"},
	"err.days_invalid":     {"aantal dagen moet een positief getal zijn", "number of days must be a positive number"},
	"err.context_canceled": {"afgebroken", "cancelled"},

	// Database.
	"err.db_in_use":       {"database is in gebruik door een andere pkiodesk (%s); sluit die eerst", "database in use by another pkiodesk (%s); close that one first"},
	"err.db_open":         {"database %s kan niet worden geopend", "database %s cannot be opened"},
	"err.db_newer":        {"database %s heeft schemaversie %d; deze pkiodesk kent tot en met versie %d. Installeer een nieuwere pkiodesk", "database %s has schema version %d; this pkiodesk knows up to version %d. Install a newer pkiodesk"},
	"err.db_corrupt":      {"database is beschadigd: %s", "database is damaged: %s"},
	"err.db_write":        {"opslaan in de database is mislukt", "saving to the database failed"},
	"err.db_read":         {"lezen uit de database is mislukt", "reading from the database failed"},
	"err.db_dir":          {"map voor de database kan niet worden gemaakt", "folder for the database cannot be created"},
	"err.db_not_pkiodesk": {"%s is geen pkiodesk-database", "%s is not a pkiodesk database"},

	// Certificate types (cert.Profile) as the Type column shows them.
	"profile.pkio-private-g1":  {"PKIo Private G1", "PKIo Private G1"},
	"profile.pkio-g4":          {"PKIo G4", "PKIo G4"},
	"profile.pkio-g4-trial":    {"PKIo G4 (proef)", "PKIo G4 (trial)"},
	"profile.pkio-organisatie": {"PKIo Organisatie", "PKIo Organisation"},
	"profile.pkio-burger":      {"PKIo Burger", "PKIo Citizen"},
	"profile.pkio-autonoom":    {"PKIo Autonome apparaten", "PKIo Autonomous devices"},
	"profile.eidas-qualified":  {"Gekwalificeerd (eIDAS)", "Qualified (eIDAS)"},
	"profile.public-ov":        {"OV SSL (publiek vertrouwd)", "OV SSL (publicly trusted)"},
	"profile.certsign-ov":      {"CertSIGN OV SSL", "CertSIGN OV SSL"},
	"profile.":                 {"onbekend", "unknown"},

	// Kinds, statuses and columns as shown to users.
	"kind.server":         {"Servercertificaat", "Server certificate"},
	"kind.personal":       {"Persoonlijk certificaat", "Personal certificate"},
	"kind.group":          {"Groepscertificaat", "Group certificate"},
	"kind.eseal":          {"eSeal certificaat", "eSeal certificate"},
	"kind.ca":             {"CA-certificaat", "CA certificate"},
	"status.valid":        {"Geldig", "Valid"},
	"status.expired":      {"Verlopen", "Expired"},
	"status.revoked":      {"Ingetrokken", "Revoked"},
	"col.kind":            {"Soort", "Kind"},
	"col.profile":         {"Type", "Type"},
	"col.cn":              {"Common Name", "Common Name"},
	"col.o":               {"Organisatie", "Organisation"},
	"col.oin":             {"OIN", "OIN"},
	"col.sans":            {"FQDN's / e-mail", "FQDNs / e-mail"},
	"col.issuer":          {"Uitgever", "Issuer"},
	"col.serial":          {"Serienummer", "Serial number"},
	"col.notbefore":       {"Geldig vanaf", "Valid from"},
	"col.notafter":        {"Verloopdatum", "Expiry date"},
	"col.status":          {"Status", "Status"},
	"col.sha256":          {"SHA-256", "SHA-256"},
	"col.key":             {"Sleutel", "Key"},
	"col.revokedat":       {"Ingetrokken op", "Revoked on"},
	"col.oinvalid":        {"OIN-vorm", "OIN shape"},
	"col.daysleft":        {"Dagen", "Days"},
	"word.yes":            {"ja", "yes"},
	"word.no":             {"nee", "no"},
	"word.ok":             {"in orde", "ok"},
	"import.summary":      {"%d toegevoegd, %d al aanwezig, %d geweigerd, %d uitgevers", "%d added, %d already present, %d rejected, %d issuers"},
	"import.added":        {"toegevoegd", "added"},
	"import.dup":          {"al aanwezig", "already present"},
	"import.rejected":     {"geweigerd", "rejected"},
	"import.issuer":       {"uitgever", "issuer"},
	"list.count":          {"%d certificaten", "%d certificates"},
	"list.csv_saved":      {"%d certificaten opgeslagen in %s", "%d certificates saved in %s"},
	"audit.csv_saved":     {"%d logboekregels opgeslagen in %s", "%d journal entries saved in %s"},
	"audit.csv_saved.one": {"%d logboekregel opgeslagen in %s", "%d journal entry saved in %s"},
	"expiring.none":       {"geen geldige certificaten die binnen %d dagen verlopen", "no valid certificates expiring within %d days"},
	"expiring.some":       {"%d geldige certificaten verlopen binnen %d dagen", "%d valid certificates expire within %d days"},

	// Organisation and identity.
	"id.not_registered":              {"Inloggen is mislukt: u bent (nog) niet geregistreerd als contactpersoon of Bevoegd Vertegenwoordiger van deze organisatie, of uw registratie is nog niet verwerkt. Controleer ook of uw smartcard in de kaartlezer zit en of de software van de kaart goed is geïnstalleerd", "Login failed: you are not (yet) registered as a contact person or authorised representative of this organisation, or your registration has not been processed yet. Also check that your smartcard is in the reader and that the card software is installed correctly"},
	"id.not_allowed":                 {"%s is geregistreerd, maar mag niet inloggen (niet actief, of alleen Certificaatbeheerder)", "%s is registered but may not log in (inactive, or certificate manager only)"},
	"org.name_required":              {"vul de naam van de organisatie in", "enter the organisation's name"},
	"org.oin_invalid":                {"OIN is ongeldig", "OIN is invalid"},
	"org.kvk_invalid":                {"KvK-nummer moet uit 8 cijfers bestaan", "KvK number must be 8 digits"},
	"org.subscriber_invalid":         {"abonneenummer moet uit cijfers bestaan", "subscriber number must be digits"},
	"org.person_name":                {"vul uw naam in", "enter your name"},
	"org.already_set_up":             {"de organisatie is al ingericht", "the organisation is already set up"},
	"role.bevoegd-vertegenwoordiger": {"Bevoegd Vertegenwoordiger", "Authorised representative"},
	"role.contactpersoon-alle":       {"Contactpersoon (alle autorisaties)", "Contact person (full rights)"},
	"role.contactpersoon-basis":      {"Contactpersoon (basis autorisaties)", "Contact person (basic rights)"},
	"role.certificaatbeheerder":      {"Certificaatbeheerder", "Certificate manager"},
	"settings.module_path":           {"%s is geen bestand met een PKCS#11-module", "%s is not a file holding a PKCS#11 module"},
	"settings.module_relative":       {"geef het volledige pad van de module, niet %q", "give the module's full path, not %q"},
	"settings.language":              {"onbekende taal %q (nl of en)", "unknown language %q (nl or en)"},
}
