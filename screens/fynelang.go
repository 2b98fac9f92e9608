package screens

import (
	"embed"
	"os"
	"runtime"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"pkiodesk/app/i18n"
)

// Fyne ships no Dutch for its own widgets (file dialogs, Ja/Nee, Annuleren),
// so we add it; our own texts come from app/i18n.
//
//go:embed translations
var fyneTranslations embed.FS

// useFyneLanguage makes Fyne's own widgets speak the language chosen in
// pkiodesk. Fyne reads the language from the environment when translations
// are added; on Linux and the BSDs LANGUAGE wins over LANG, so setting it
// and adding our translations again switches Fyne too. Windows and macOS
// read the system's UI language instead, which pkiodesk cannot override.
func useFyneLanguage(l i18n.Lang) {
	if runtime.GOOS != "windows" && runtime.GOOS != "darwin" {
		_ = os.Setenv("LANGUAGE", string(l))
	}
	if err := lang.AddTranslationsFS(fyneTranslations, "translations"); err != nil {
		fyne.LogError("pkiodesk: Dutch translations for Fyne's widgets", err)
	}
}

// setLanguage switches pkiodesk's texts and Fyne's own widgets.
func (u *ui) setLanguage(l i18n.Lang) {
	u.lang = l
	useFyneLanguage(l)
}
