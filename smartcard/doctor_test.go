package smartcard

import (
	"strings"
	"testing"

	"pkiodesk/app/i18n"
)

// Reader names, manufacturers and models reach a support request without
// serial numbers and without control characters.
func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"Gemalto USB Shell Token V2 (ABCDEF0123) 00 00":                   "Gemalto USB Shell Token V2 (…) 00 00",
		"Alcor Micro AU9540 00 00":                                        "Alcor Micro AU9540 00 00",
		"SafeNet eToken 5110 [eToken 5110] 00 00":                         "SafeNet eToken 5110 [eToken 5110] 00 00",
		"HID Global OMNIKEY 5422 [OMNIKEY 5422CL] (USB iClass) 00 00":     "HID Global OMNIKEY 5422 [OMNIKEY 5422CL] (USB iClass) 00 00",
		"Yubico YubiKey 5 NFC 20123456 00 00":                             "Yubico YubiKey 5 NFC … 00 00",
		"Token SN:0A1B2C3D4E":                                             "Token SN:…",
		"SCM SCR3310v2 Reader 00 00":                                      "SCM SCR3310v2 Reader 00 00",
		"IDPrime MD 840":                                                  "IDPrime MD 840",
		"Virtual PCD 00 01":                                               "Virtual PCD 00 01",
		"Reader\x1b[2J (12345678)":                                        "Reader?[2J (…)",
		"Feitian ePass2003 [CCID Interface] (0123456789ABCDEF0123) 00 00": "Feitian ePass2003 [CCID Interface] (…) 00 00",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDoctorReportHoldsNoSerials(t *testing.T) {
	r := DoctorReport{OS: "linux/amd64", home: "/home/jan",
		Readers: []Reader{{Name: "Gemalto USB Shell Token V2 (ABCDEF0123) 00 00", CardPresent: true, ATR: []byte{0x3B, 0x00}}},
		Modules: []ModuleReport{{Candidate: ModuleCandidate{Name: "mine.so", Path: "/home/jan/lib/mine.so", Source: SourceConfigured},
			Tokens: []TokenInfo{{Label: "Jan Jansen", Serial: "998877665544", Manufacturer: "Gemalto (SN 12345678)", Model: "IDPrime 940", PIN: PINState{PINPad: true, CountLow: true}}}}},
	}
	text := r.Text(i18n.NL)
	for _, bad := range []string{"ABCDEF0123", "Jan Jansen", "998877665544", "12345678", "/home/jan"} {
		if strings.Contains(text, bad) {
			t.Errorf("report shows %q:\n%s", bad, text)
		}
	}
	for _, good := range []string{"IDPrime 940", "~/lib/mine.so", "kaartlezer"} {
		if !strings.Contains(text, good) {
			t.Errorf("report lacks %q:\n%s", good, text)
		}
	}
}
