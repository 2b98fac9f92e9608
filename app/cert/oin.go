package cert

import (
	"pkiodesk/app/i18n"
)

// oinPrefixes are the OIN prefixes of the Logius OIN-stelsel.
var oinPrefixes = map[string]string{
	"00000001": "RSIN",
	"00000002": "Fi-nummer",
	"00000003": "KvK",
	"00000004": "SubOIN",
	"00000006": "Logius",
	"00000007": "BRIN",
	"00000008": "buitenlands",
	"00000009": "Dezi",
	"00000010": "TRR-BD",
	"00000011": "Dezi",
	"00000099": "test",
}

// ValidateOIN checks the shape of an Organisatie-identificatienummer:
// 20 characters, a known 8-digit prefix, an alphanumeric main number and a
// suffix of zeros. It does not check the OIN register.
func ValidateOIN(oin string) error {
	if len(oin) != 20 {
		return i18n.E("err.oin_length", nil, len(oin))
	}
	prefix := oin[:8]
	if _, ok := oinPrefixes[prefix]; !ok {
		return i18n.E("err.oin_prefix", nil, Printable(prefix))
	}
	for i := 8; i < 20; i++ {
		c := oin[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return i18n.E("err.oin_char", nil, i+1)
		}
	}
	if oin[17:] != "000" {
		return i18n.E("err.oin_suffix", nil)
	}
	return nil
}

// OINKind names the kind of number an OIN is derived from ("RSIN", "KvK" ...).
func OINKind(oin string) string {
	if len(oin) < 8 {
		return ""
	}
	return oinPrefixes[oin[:8]]
}
