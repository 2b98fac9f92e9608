package app

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"path/filepath"
	"testing"

	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
	"pkiodesk/internal/testca"
)

func TestFirstLoginSetUpAndIdentify(t *testing.T) {
	ctx := context.Background()
	ca := testca.New(t)
	a := openTestApp(t, ca)
	login, key, err := ca.Leaf(testca.CRLOnly, func(c *x509.Certificate) { c.Subject = pkix.Name{CommonName: "Iris Dekker", SerialNumber: "PN-7"} })
	if err != nil {
		t.Fatal(err)
	}
	check, err := a.CheckLogin(ctx, login, key)
	if err != nil {
		t.Fatal(err)
	}

	if need, _ := a.NeedsSetup(ctx); !need {
		t.Fatal("empty database does not need setup")
	}
	if _, err := a.Identify(ctx, check); !i18n.Is(err, "id.not_registered") {
		t.Errorf("before setup: %v", err)
	}
	bad := org.Organisation{Name: "Gemeente", SubscriberNumber: "1", OIN: "kapot", KvK: "12345678"}
	if _, err := a.SetUp(ctx, bad, "Iris Dekker", "", check); !i18n.Is(err, "org.oin_invalid") {
		t.Errorf("bad OIN: %v", err)
	}
	if need, _ := a.NeedsSetup(ctx); !need {
		t.Error("a refused setup stored something")
	}
	if _, err := a.SetUp(ctx, org.Organisation{Name: "Gemeente Voorbeeldstad", SubscriberNumber: "100234", OIN: "00000099123456789000", KvK: "12345678"}, "Iris Dekker", "", LoginCheck{}); err == nil {
		t.Error("setup without a checked login")
	}
	o := org.Organisation{Name: "Gemeente Voorbeeldstad", SubscriberNumber: "100234", OIN: "00000099123456789000", KvK: "12345678"}
	p, err := a.SetUp(ctx, o, "Iris Dekker", "i.dekker@voorbeeldstad.nl", check)
	if err != nil || p.Role != org.BevoegdVertegenwoordiger || p.IssuerKey != org.IssuerKeyID(ca.Issuer) {
		t.Fatalf("setup: %+v %v", p, err)
	}
	who, err := a.Identify(ctx, check)
	if err != nil || who.ID != p.ID {
		t.Errorf("identify after setup: %+v %v", who, err)
	}
	if _, err := a.SetUp(ctx, o, "Ander", "", check); !i18n.Is(err, "org.already_set_up") {
		t.Errorf("second setup: %v", err)
	}
	got, _ := a.Organisation(ctx)
	if got != o {
		t.Errorf("organisation %+v", got)
	}
}

func TestLanguageChoice(t *testing.T) {
	ctx := context.Background()
	a, err := Open(ctx, Config{DBPath: filepath.Join(t.TempDir(), "db")})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	env := map[string]string{"LANG": "nl_NL.UTF-8"}
	get := func(k string) string { return env[k] }
	if a.Language(ctx, get) != i18n.NL {
		t.Error("locale not followed")
	}
	if err := a.SetLanguage(ctx, "en"); err != nil {
		t.Fatal(err)
	}
	if a.Language(ctx, get) != i18n.EN {
		t.Error("the user's choice does not beat the locale")
	}
	env["PKIODESK_LANG"] = "nl"
	if a.Language(ctx, get) != i18n.NL {
		t.Error("PKIODESK_LANG does not beat the choice")
	}
}
