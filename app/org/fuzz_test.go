package org

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode"
)

// A change form filled in by an attacker (any JSON the window could hand
// over) never panics, and what it lets through is plain text that passes
// the form's rules again.
func FuzzPlanChange(f *testing.F) {
	f.Add([]byte(`{"Sections":["facturatie"],"Organisation":{"BillingAddress":"Postbus 1"}}`))
	f.Add([]byte(`{"Sections":["contactpersonen"],"Contacts":[{"Action":"add","Person":{"Name":"A","Email":"a@b.nl","Phone":"0101234567","Role":"contactpersoon-basis"},"IDCopy":{"FileName":"x.jpg"}}]}`))
	f.Add([]byte(`{"Sections":["bevoegd-vertegenwoordiger"],"NewBV":{"Person":{"ID":"cpa"}}}`))
	f.Add([]byte(`{"Sections":["opzeggen"],"Cancellation":{"Reason":"fusie"}}`))
	f.Add([]byte(`{"Sections":["organisatie"],"Organisation":{"Name":"G","OIN":"00000001002220647000","KvK":"12345678","Address":"x\ny"}}`))
	reg := testSnapshot()
	f.Fuzz(func(t *testing.T, data []byte) {
		var d ChangeDraft
		if json.Unmarshal(data, &d) != nil {
			return
		}
		for _, by := range []string{"bv", "cpa"} {
			ch, err := PlanChange(who(by), reg, d, "WIJZ-F", changeNow, counter())
			if err != nil {
				continue
			}
			for _, c := range ch.Contacts {
				if c.Action != ContactDeactivate {
					if err := ValidateContact(c.Person); err != nil {
						t.Fatalf("let through %+v: %v", c.Person, err)
					}
				}
			}
			if o := ch.Organisation; o != nil {
				for _, v := range []string{o.Name, o.Address, o.BillingAddress, o.BillingReference, o.Email} {
					if strings.ContainsFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\n' }) {
						t.Fatalf("control characters let through: %q", v)
					}
				}
			}
		}
	})
}

// An ID copy of any bytes and any name is refused or described with a
// safe file name; its content never ends up in the description.
func FuzzValidateIDCopy(f *testing.F) {
	f.Add("paspoort.jpg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 1, 2})
	f.Add("../../x.pdf", []byte("%PDF-1.7"))
	f.Add("\x00\u202e.png", []byte("\x89PNG\r\n\x1a\n"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		ref, err := ValidateIDCopy(name, data)
		if err != nil {
			return
		}
		if strings.ContainsAny(ref.FileName, "/\\\x00") || strings.ContainsFunc(ref.FileName, unicode.IsControl) || ref.FileName == "" || ref.Size != len(data) {
			t.Fatalf("unsafe description %+v", ref)
		}
	})
}
