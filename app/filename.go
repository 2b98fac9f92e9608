package app

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxFileNameBytes keeps a suggested name, with an extension added, within
// the 255 bytes most file systems allow for one name.
const maxFileNameBytes = 200

// windowsReserved are names Windows refuses for a file, with any extension.
var windowsReserved = map[string]bool{
	"CON": true, "PRN": true, "AUX": true, "NUL": true,
	"COM1": true, "COM2": true, "COM3": true, "COM4": true, "COM5": true, "COM6": true, "COM7": true, "COM8": true, "COM9": true,
	"LPT1": true, "LPT2": true, "LPT3": true, "LPT4": true, "LPT5": true, "LPT6": true, "LPT7": true, "LPT8": true, "LPT9": true,
}

// SafeFileName turns a certificate's name into a file name that Windows,
// macOS and Linux all accept, keeping it as readable as it was: letters of
// any script (Loïs, Zoë), digits, spaces and punctuation stay; only what a
// file system forbids becomes "_": path separators, the characters Windows
// reserves (<>:"|?*), control and format characters (a right-to-left
// override would disguise the extension). Leading and trailing spaces and
// dots go (Windows drops them silently), a reserved device name gets a "_"
// prefix, and the result is cut to a safe length on a character boundary.
// An empty result is "certificaat".
func SafeFileName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			b.WriteRune(' ') // tabs, line breaks and odd spaces become a plain space
		case r == utf8.RuneError, r < 0x20, r == 0x7f, strings.ContainsRune(`/\<>:"|?*`, r),
			unicode.Is(unicode.Cf, r), unicode.Is(unicode.Co, r), unicode.IsControl(r):
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	name := strings.Trim(b.String(), " .")
	if len(name) > maxFileNameBytes {
		cut := maxFileNameBytes
		for cut > 0 && !utf8.RuneStart(name[cut]) {
			cut--
		}
		name = strings.TrimRight(name[:cut], " .")
	}
	if name == "" {
		return "certificaat"
	}
	base, _, _ := strings.Cut(name, ".")
	if windowsReserved[strings.ToUpper(strings.TrimRight(base, " "))] {
		name = "_" + name
	}
	return name
}
