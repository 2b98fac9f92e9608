package i18n

// platformTexts: the command line's front door, the window program, and the
// card reader service as each operating system names it.
var platformTexts = map[string]text{
	"cli.did_you_mean":      {"Bedoelde u %s?", "Did you mean %s?"},
	"cli.window_flag":       {"onbekende optie %s voor het venster (mogelijk: --db PAD, --demo, --demo-if-new)", "unknown option %s for the window (possible: --db PATH, --demo, --demo-if-new)"},
	"cli.window_flag_value": {"ongeldige optie voor het venster (mogelijk: --db PAD, --demo, --demo-if-new)", "invalid option for the window (possible: --db PATH, --demo, --demo-if-new)"},
	"cli.window_missing":    {"het vensterprogramma %s ontbreekt naast pkiodesk; installeer pkiodesk opnieuw", "the window program %s is missing next to pkiodesk; reinstall pkiodesk"},
	"cli.no_display":        {"geen beeldscherm gevonden (DISPLAY en WAYLAND_DISPLAY zijn leeg): het venster heeft een grafische omgeving nodig; de commando's werken zonder ('pkiodesk help')", "no display found (DISPLAY and WAYLAND_DISPLAY are empty): the window needs a graphical desktop; the commands work without one ('pkiodesk help')"},
	"cli.window_start":      {"het vensterprogramma %s kan niet worden gestart", "the window program %s cannot be started"},

	// PC/SC on Windows: the Smart Card service (SCardSvr) and winscard.dll.
	"card.pcsc_windows":        {"de Smart Card-service van Windows (PC/SC) is niet bereikbaar", "the Windows Smart Card service (PC/SC) cannot be reached"},
	"card.service_not_running": {"de Smart Card-service van Windows draait niet: sluit een kaartlezer aan, of laat uw beheerder de service 'Smartcard' (SCardSvr) starten", "the Windows Smart Card service is not running: connect a card reader, or have your administrator start the 'Smart Card' service (SCardSvr)"},
}
