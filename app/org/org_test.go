package org

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
	"testing"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

// The authorisation matrix of the manual's 7.2 (and 7.3 for certificate
// managers, 7.4 for reports), cell by cell: the seed's "+" and "-".
var wantMatrix = map[Permission][4]bool{ // BV, CP alle, CP basis, Certificaatbeheerder
	ChangeOrganisation:     {true, true, false, false},
	ChangeBilling:          {true, true, false, false},
	ChangeContacts:         {true, true, false, false},
	ChangeBV:               {true, false, false, false},
	CancelSubscription:     {true, false, false, false},
	OpenChangeForm:         {true, true, false, false},
	ChangeCertManagers:     {true, true, true, false},
	OrderCertificates:      {true, true, true, false},
	ViewOrganisation:       {true, true, true, false},
	RequestPersonalReports: {true, true, true, false},
	ViewJournal:            {true, true, false, false},
	// Keeping the inventory clean (issue 17).
	RemoveCertificate:       {true, true, false, false},
	AssignCertificatePeople: {true, true, true, false},
	// Orders (issue 9).
	RenewCertificates:   {true, true, true, false},
	RevokeCertificates:  {true, true, true, false},
	RegisterCertManager: {true, true, true, false},
	ActivateESeal:       {true, true, true, false},
}

func TestAuthorisationMatrix(t *testing.T) {
	if len(Permissions()) != len(wantMatrix) {
		t.Fatalf("the matrix has %d permissions, this test knows %d", len(Permissions()), len(wantMatrix))
	}
	for _, perm := range Permissions() {
		cells, ok := wantMatrix[perm]
		if !ok {
			t.Errorf("permission %s is not tested", perm)
		}
		for i, role := range Roles {
			if got := Allowed(role, perm); got != cells[i] {
				t.Errorf("%s may %s: %v, want %v", role, perm, got, cells[i])
			}
		}
	}
	if Allowed("beheerder", ChangeBV) || Allowed(BevoegdVertegenwoordiger, "alles") {
		t.Error("an unknown role or permission is allowed")
	}
}

// Check gives every refusal a reason in words, in both languages; the
// Bevoegd Vertegenwoordiger's own rows say "alleen de Bevoegd
// Vertegenwoordiger kan ...", and an inactive person may nothing.
func TestCheckGivesTheReason(t *testing.T) {
	for _, perm := range Permissions() {
		for i, role := range Roles {
			p := Person{Name: "Iemand", Role: role, Active: true}
			err := Check(p, perm)
			if (err == nil) != wantMatrix[perm][i] {
				t.Errorf("%s %s: %v", role, perm, err)
			}
			if err == nil {
				p.Active = false
				if err := Check(p, perm); !i18n.Is(err, "org.denied_inactive") || !strings.Contains(i18n.Localize(i18n.NL, err), "Iemand") {
					t.Errorf("inactive %s %s: %v", role, perm, err)
				}
				continue
			}
			nl, en := i18n.Localize(i18n.NL, err), i18n.Localize(i18n.EN, err)
			if !strings.HasPrefix(nl, "alleen de Bevoegd Vertegenwoordiger") && !strings.HasPrefix(nl, "als Contactpersoon met basis autorisaties") {
				t.Errorf("%s %s: reason %q", role, perm, nl)
			}
			if nl == en || strings.Contains(nl, "org.denied") {
				t.Errorf("%s %s: no translated reason: %q / %q", role, perm, nl, en)
			}
			if !wantMatrix[perm][1] && !strings.HasPrefix(nl, "alleen de Bevoegd Vertegenwoordiger kan ") {
				t.Errorf("%s: BV only, reason %q", perm, nl)
			}
		}
		if label := i18n.T(i18n.NL, "perm."+string(perm)); label == "perm."+string(perm) {
			t.Errorf("%s has no name", perm)
		}
	}
	// The seed: a Contactpersoon with basic rights cannot open the change
	// form at all.
	basis := Person{Role: ContactpersoonBasis, Active: true}
	if err := Check(basis, OpenChangeForm); i18n.Localize(i18n.NL, err) != "als Contactpersoon met basis autorisaties kunt u het wijzigingsformulier niet openen" {
		t.Errorf("basis: %v", err)
	}
}

func loginCert(t *testing.T, serial, email string) *x509.Certificate {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "x", SerialNumber: serial}, EmailAddresses: []string{email},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestIdentify(t *testing.T) {
	byFP := loginCert(t, "PN-1", "a@x.nl")
	issuer, otherCA := loginCert(t, "", ""), loginCert(t, "", "")
	key := IssuerKeyID(issuer)
	people := []Person{
		{ID: "1", Name: "Serial", Role: ContactpersoonAlle, Active: true, SubjectSerial: "PN-1", IssuerKey: key},
		{ID: "2", Name: "Fingerprint", Role: BevoegdVertegenwoordiger, Active: true, CertFingerprints: []string{cert.Fingerprint(byFP.Raw)}},
		{ID: "3", Name: "Mail", Role: ContactpersoonBasis, Active: true, Email: "M@X.NL"},
		{ID: "4", Name: "Oud", Role: ContactpersoonAlle, Active: false, SubjectSerial: "PN-4", IssuerKey: key},
		{ID: "5", Name: "Beheerder", Role: Certificaatbeheerder, Active: true, SubjectSerial: "PN-5", IssuerKey: key},
		{ID: "6", Name: "Zonder uitgever", Role: ContactpersoonAlle, Active: true, SubjectSerial: "PN-6"},
	}
	tests := []struct {
		name    string
		c       *x509.Certificate
		issuer  *x509.Certificate
		want    string
		wantErr string
	}{
		{"fingerprint beats the serial that matches Serial", byFP, issuer, "Fingerprint", ""},
		{"serial with its issuer", loginCert(t, "PN-1", "other@x.nl"), issuer, "Serial", ""},
		{"serial from another CA", loginCert(t, "PN-1", ""), otherCA, "", "id.not_registered"},
		{"serial without a validated issuer", loginCert(t, "PN-1", ""), nil, "", "id.not_registered"},
		{"registered without an issuer: serial alone is not enough", loginCert(t, "PN-6", ""), issuer, "", "id.not_registered"},
		{"e-mail alone never identifies", loginCert(t, "", "m@x.nl"), issuer, "", "id.not_registered"},
		{"inactive", loginCert(t, "PN-4", ""), issuer, "", "id.not_allowed"},
		{"certificate manager", loginCert(t, "PN-5", ""), issuer, "", "id.not_allowed"},
		{"nobody", loginCert(t, "PN-9", "nobody@x.nl"), issuer, "", "id.not_registered"},
	}
	for _, tt := range tests {
		p, err := Identify(people, tt.c, tt.issuer)
		if tt.wantErr != "" {
			if !i18n.Is(err, tt.wantErr) {
				t.Errorf("%s: err %v, want %s", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || p.Name != tt.want {
			t.Errorf("%s: got %q %v, want %q", tt.name, p.Name, err, tt.want)
		}
	}
}

func TestValidateOrganisation(t *testing.T) {
	good := Organisation{Name: "Gemeente Voorbeeldstad", SubscriberNumber: "100234", OIN: "00000001002220647000", KvK: "12345678"}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for key, o := range map[string]Organisation{
		"org.name_required":      {SubscriberNumber: "1", OIN: good.OIN, KvK: good.KvK, Name: " "},
		"org.oin_invalid":        {Name: "x", SubscriberNumber: "1", OIN: "123", KvK: good.KvK},
		"org.kvk_invalid":        {Name: "x", SubscriberNumber: "1", OIN: good.OIN, KvK: "1234567a"},
		"org.subscriber_invalid": {Name: "x", SubscriberNumber: "=1+1", OIN: good.OIN, KvK: good.KvK},
	} {
		if err := o.Validate(); !i18n.Is(err, key) {
			t.Errorf("%s: %v", key, err)
		}
	}
}

// Check gives the reason in the user's words, for the disabled button.
func TestCheckSaysWhy(t *testing.T) {
	if err := Check(Person{Name: "A", Role: ContactpersoonBasis, Active: true}, RevokeCertificates); err != nil {
		t.Errorf("basic contact person may revoke: %v", err)
	}
	err := Check(Person{Name: "Zoë", Role: Certificaatbeheerder, Active: true}, OrderCertificates)
	if !i18n.Is(err, "org.denied.order-certificates") || !strings.Contains(i18n.Localize(i18n.NL, err), "certificaten bestellen") {
		t.Errorf("certificate manager orders: %v", err)
	}
	err = Check(Person{Name: "Kees", Role: BevoegdVertegenwoordiger, Active: false}, OrderCertificates)
	if !i18n.Is(err, "org.denied_inactive") || !strings.Contains(i18n.Localize(i18n.NL, err), "Kees is niet (meer) actief") {
		t.Errorf("inactive: %v", err)
	}
	for _, role := range Roles {
		for _, perm := range []Permission{ChangeOrganisation, ChangeBV, CancelSubscription, ChangeCertManagers, OrderCertificates, ViewOrganisation,
			OpenChangeForm, RequestPersonalReports, ViewJournal, RenewCertificates, RevokeCertificates, RegisterCertManager, ActivateESeal} {
			if err := Check(Person{Role: role, Active: true}, perm); err != nil && i18n.Localize(i18n.EN, err) == "org.denied."+string(perm) {
				t.Errorf("no reason text for %s", perm)
			}
		}
	}
}
