package pdfseal

import (
	"encoding/asn1"
	"errors"
	"regexp"
	"strings"
	"testing"

	"pkiodesk/app/i18n"
)

// A signature whose CMS cannot be read is told in the reader's language:
// which part, in Dutch; the parser's English only behind "technisch:".
// Before, the whole detail was English ("ContentInfo: asn1: …", "not
// SignedData", "data after the CMS structure").
func TestUnreadableCMSIsSaidInDutch(t *testing.T) {
	other, _ := asn1.Marshal(contentInfo{ContentType: oidData, Content: asn1.RawValue{FullBytes: wrapExplicit0([]byte{0x04, 0x00})}})
	emptySigned, _ := asn1.Marshal(contentInfo{ContentType: oidSignedData, Content: asn1.RawValue{FullBytes: wrapExplicit0([]byte{0x30, 0x00})}})
	english := regexp.MustCompile(`(?i)\b(data|not|with|after|more than|signer|certificates?|attributes|key|structure)\b`)
	for name, der := range map[string][]byte{
		"cut short":        {0x30, 0x80, 0x02},
		"not SignedData":   other,
		"trailing data":    append(append([]byte(nil), other...), 0x01, 0x02),
		"empty SignedData": emptySigned,
	} {
		_, err := parseCMS(der)
		var ce *cmsError
		if !errors.As(err, &ce) {
			t.Errorf("%s: %v", name, err)
			continue
		}
		nl := Problem{Code: ce.code, Args: ce.args}.Text(i18n.NL)
		said, _, _ := strings.Cut(nl, "(technisch:")
		if !strings.HasPrefix(nl, "de handtekening (CMS) is onleesbaar: ") || english.MatchString(said) {
			t.Errorf("%s: %q", name, nl)
		}
		if en := (Problem{Code: ce.code, Args: ce.args}).Text(i18n.EN); !strings.HasPrefix(en, "the signature (CMS) cannot be read: ") || strings.Contains(en, "technisch") {
			t.Errorf("%s in English: %q", name, en)
		}
	}
}
