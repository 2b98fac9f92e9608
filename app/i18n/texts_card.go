package i18n

// cardTexts: card readers, tokens, the PIN, the card watcher and the
// PKCS#11 middleware (smartcard/, cli/card.go, the login screen).
var cardTexts = map[string]text{
	// Middleware and tokens.
	"card.module_missing":   {"middleware (PKCS#11-module) %s niet gevonden of niet te laden; installeer de software van uw kaart of token", "middleware (PKCS#11 module) %s not found or cannot be loaded; install the software for your card or token"},
	"card.no_token":         {"geen kaart of token gevonden: stop uw smartcard in de kaartlezer of het USB-token in een vrije USB-poort", "no card or token found: insert your smartcard into the reader or the USB token into a free USB port"},
	"card.token_not_found":  {"token %q niet gevonden", "token %q not found"},
	"card.slot_not_found":   {"geen token in slot %d van deze middleware", "no token in slot %d of this middleware"},
	"card.serial_not_found": {"geen token met serienummer %q", "no token with serial number %q"},
	"card.label_twice":      {"%d kaarten of tokens heten %q (slots %s); kies er één met --slot of --serial, of haal de kaart of het token eruit waarmee u niet inlogt en probeer het opnieuw", "%d cards or tokens are called %q (slots %s); choose one with --slot or --serial, or remove the one you are not logging in with and try again"},
	"card.several_tokens":   {"er zijn %d kaarten of tokens (slots %s); kies er één (--token LABEL, --slot N of --serial S)", "there are %d cards or tokens (slots %s); choose one (--token LABEL, --slot N or --serial S)"},
	"card.wrong_module":     {"deze middleware herkent de kaart niet; kies de module die bij uw kaart hoort", "this middleware does not recognise the card; choose the module that belongs to your card"},

	// The PIN guard: what the token says before anyone types, and why a PIN
	// was not sent.
	"card.pin_wrong":           {"onjuiste PIN", "wrong PIN"},
	"card.pin_count_low":       {"onjuiste PIN; let op: er zijn nog maar weinig pogingen over", "wrong PIN; careful: only a few attempts are left"},
	"card.pin_final_try":       {"onjuiste PIN; let op: de volgende poging is de laatste, daarna wordt de kaart geblokkeerd", "wrong PIN; careful: the next attempt is the last, after that the card is locked"},
	"card.pin_locked":          {"de PIN is geblokkeerd; er wordt geen PIN meer naar de kaart gestuurd. Deblokkeer de kaart met de PUK (via de software van uw kaart) of vraag een nieuwe pas aan", "the PIN is locked; no PIN is sent to the card any more. Unblock the card with the PUK (using your card's software) or order a new card"},
	"card.pin_length":          {"de PIN heeft niet de juiste lengte", "the PIN does not have the right length"},
	"card.pin_empty":           {"voer uw PIN in", "enter your PIN"},
	"card.pin_too_short":       {"de PIN is te kort: deze kaart wil er minstens %d tekens; er is niets naar de kaart gestuurd", "the PIN is too short: this card wants at least %d characters; nothing was sent to the card"},
	"card.pin_too_long":        {"de PIN is te lang: deze kaart neemt er hoogstens %d tekens; er is niets naar de kaart gestuurd", "the PIN is too long: this card takes at most %d characters; nothing was sent to the card"},
	"card.pin_cancelled":       {"afgebroken; er is geen PIN naar de kaart gestuurd", "cancelled; no PIN was sent to the card"},
	"card.state_changed":       {"er is geen PIN gestuurd, want de kaart meldt intussen iets anders; lees dit en voer de PIN opnieuw in", "no PIN was sent, because the card now reports something else; read this and enter the PIN again"},
	"card.pinpad_unsupported":  {"de middleware neemt geen PIN via de kaartlezer (PIN-pad) aan; de kaart is niet ontgrendeld", "the middleware does not take a PIN through the card reader (PIN pad); the card was not unlocked"},
	"card.pinpad_cancelled":    {"de PIN-invoer op de kaartlezer is afgebroken", "PIN entry on the card reader was cancelled"},
	"card.no_terminal":         {"geen terminal voor de PIN: gebruik --pin-fd", "no terminal for the PIN: use --pin-fd"},
	"card.pin_fd_closed":       {"--pin-fd %d: bestandsdescriptor %d is niet open", "--pin-fd %d: file descriptor %d is not open"},
	"card.pin_fd_read":         {"--pin-fd %d: de PIN kan niet worden gelezen", "--pin-fd %d: the PIN cannot be read"},
	"card.pin_fd_empty":        {"--pin-fd %d: geen PIN (lege regel of einde van de invoer)", "--pin-fd %d: no PIN (empty line or end of input)"},
	"card.state_count_low":     {"let op: er zijn nog maar weinig PIN-pogingen over", "careful: only a few PIN attempts are left"},
	"card.state_final_try":     {"let op: dit is de laatste PIN-poging", "careful: this is the last PIN attempt"},
	"card.state_ok":            {"PIN kan worden ingevoerd", "PIN can be entered"},
	"card.state_pinpad":        {"voer de PIN in op de kaartlezer", "enter the PIN on the card reader"},
	"card.pin_every_signature": {"deze sleutel vraagt de PIN bij elke handtekening", "this key asks for the PIN for every signature"},

	// Session, keys and signatures.
	"card.removed":            {"de kaart of het token is verwijderd", "the card or token was removed"},
	"card.login_failed":       {"inloggen op de kaart is mislukt", "logging in to the card failed"},
	"card.no_certificate":     {"geen persoonlijk certificaat op de kaart gevonden", "no personal certificate found on the card"},
	"card.no_key":             {"geen sleutel bij het certificaat %q op de kaart", "no key for certificate %q on the card"},
	"card.no_key_label":       {"geen sleutel met label %q op de kaart", "no key labelled %q on the card"},
	"card.key_no_certificate": {"de sleutel %q heeft geen certificaat op de kaart", "the key %q has no certificate on the card"},
	"card.sign_failed":        {"ondertekenen met de kaart is mislukt", "signing with the card failed"},
	"card.sign_hash":          {"de kaart ondertekent hier alleen SHA-256, SHA-384 of SHA-512", "the card signs only SHA-256, SHA-384 or SHA-512 here"},
	"card.key_type":           {"dit soort sleutel (%s) kan pkiodesk niet gebruiken", "pkiodesk cannot use this kind of key (%s)"},
	"card.pss_rsa_only":       {"--pss geldt alleen voor RSA-sleutels; deze sleutel is een %s-sleutel", "--pss applies to RSA keys only; this key is an %s key"},
	"card.not_logged_in":      {"niet ingelogd", "not logged in"},

	// Readers and the card watcher.
	"card.pcsc":         {"de kaartlezerdienst (PC/SC, pcscd) is niet bereikbaar", "the card reader service (PC/SC, pcscd) cannot be reached"},
	"card.no_readers":   {"geen kaartlezer gevonden", "no card reader found"},
	"card.watch_lost":   {"de kaartlezerdienst (pcscd) is niet meer bereikbaar, dus het verwijderen van de kaart kan niet worden gezien; u bent voor de zekerheid uitgelogd", "the card reader service (pcscd) can no longer be reached, so removing the card cannot be seen; you were logged out to be safe"},
	"card.watch_off":    {"het verwijderen van de kaart wordt nu niet bewaakt: de kaartlezerdienst (pcscd) is niet bereikbaar. Inloggen met een kaart in een lezer kan weer zodra de dienst terug is", "removing the card is not being watched now: the card reader service (pcscd) cannot be reached. Logging in with a card in a reader works again as soon as the service is back"},
	"card.watch_needed": {"inloggen met deze kaart kan nu niet: het verwijderen van de kaart kan niet worden bewaakt, want de kaartlezerdienst (pcscd) is niet bereikbaar", "logging in with this card is not possible now: removing the card cannot be watched, because the card reader service (pcscd) cannot be reached"},

	// Middleware chosen in the settings.
	"settings.module_not_pkcs11":  {"%s is geen PKCS#11-module", "%s is not a PKCS#11 module"},
	"settings.module_not_added":   {"%s stond niet in de instellingen; er is niets veranderd", "%s was not in the settings; nothing changed"},
	"modfile.not_library":         {"het is geen gedeelde bibliotheek (ELF, PE of Mach-O)", "it is not a shared library (ELF, PE or Mach-O)"},
	"modfile.no_function_list":    {"de bibliotheek biedt geen C_GetFunctionList aan", "the library does not export C_GetFunctionList"},
	"modfile.unreadable":          {"het bestand kan niet worden gelezen", "the file cannot be read"},
	"modfile.wrong_architecture":  {"de bibliotheek is voor een andere processor (%s)", "the library is for another processor (%s)"},
	"modfile.executable_not_dlib": {"het is een programma, geen bibliotheek", "it is a program, not a library"},
}
