package cli

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pkiodesk/app"
	"pkiodesk/app/org"
	"pkiodesk/internal/testpki"
)

// demoOrgDB is a database with the demo organisation: people in every
// role, certificates with their requesters and managers.
func demoOrgDB(t *testing.T) (string, map[string]org.Person) {
	t.Helper()
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "org.db")
	a, err := app.Open(ctx, app.Config{DBPath: db, Now: func() time.Time { return testNow }, Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.SeedDemo(ctx, 80, 3); err != nil {
		t.Fatal(err)
	}
	pki, _ := testpki.New(testNow)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	login, err := pki.Personal(key.Public(), testpki.Person{GivenName: "Anouk", Surname: "Visser", Email: "a.visser@voorbeeldstad.nl", Organization: "Gemeente Voorbeeldstad", Number: "PN-1"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SeedDemoOrganisation(ctx, login, pki.Chain(login)[1:]...); err != nil {
		t.Fatal(err)
	}
	reg, err := a.Register(ctx)
	if err != nil {
		t.Fatal(err)
	}
	people := map[string]org.Person{}
	for _, p := range reg.People {
		people[p.Name] = p
	}
	return db, people
}

func TestOrgShow(t *testing.T) {
	db, _ := demoOrgDB(t)
	r := run(t, "nl_NL.UTF-8", "org", "show", "--db", db)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"Organisatiegegevens", "Gemeente Voorbeeldstad", "100234", "Stadhuisplein 1, 1011 AA Voorbeeldstad",
		"Facturatiegegevens", "Crediteurenadministratie", "facturen@voorbeeldstad.nl", "Geregistreerde personen",
		"Bevoegd Vertegenwoordiger", "1 actief, 0 niet actief", "Contactpersoon (alle autorisaties)", "1 actief, 1 niet actief", "Certificaatbeheerder", "2 actief, 0 niet actief"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("org show lacks %q:\n%s", want, r.stdout)
		}
	}
	en := run(t, "en_GB.UTF-8", "--db", db, "org", "show")
	if !strings.Contains(en.stdout, "Billing data") || !strings.Contains(en.stdout, "Certificate manager") || strings.Contains(en.stdout, "Facturatiegegevens") {
		t.Errorf("English:\n%s", en.stdout)
	}
	if r := run(t, "nl_NL.UTF-8", "org", "show", "extra", "--db", db); r.code != 2 || !strings.Contains(r.stderr, "onverwacht argument") {
		t.Errorf("extra argument: %d %q", r.code, r.stderr)
	}
}

func TestOrgPeople(t *testing.T) {
	db, people := demoOrgDB(t)
	rows := func(r result) []string {
		var out []string
		for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			if strings.HasPrefix(line, "ID ") || strings.HasSuffix(line, "personen") || strings.HasSuffix(line, " persoon") || strings.HasSuffix(line, "people") || strings.HasSuffix(line, " person") {
				continue
			}
			out = append(out, line)
		}
		return out
	}
	r := run(t, "nl_NL.UTF-8", "org", "people", "--db", db)
	if r.code != 0 || len(rows(r)) != 5 || strings.Contains(r.stdout, "Kees Jansen") || !strings.HasSuffix(strings.TrimSpace(r.stdout), "5 personen") {
		t.Errorf("active people (exit %d):\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, people["Daan Meijer"].ID) || !strings.Contains(r.stdout, "d.meijer@voorbeeldstad.nl") {
		t.Errorf("no ID or e-mail:\n%s", r.stdout)
	}
	r = run(t, "nl_NL.UTF-8", "org", "people", "--inactive", "--db", db)
	if len(rows(r)) != 6 || !strings.Contains(r.stdout, "Kees Jansen") || !strings.Contains(r.stdout, "niet actief") {
		t.Errorf("with inactive:\n%s", r.stdout)
	}
	for role, want := range map[string][]string{
		"cb":                   {"Bram de Wit", "Zoë Brouwer"},
		"certificaatbeheerder": {"Bram de Wit", "Zoë Brouwer"},
		"contactpersoon":       {"Daan Meijer", "Fatima El Amrani"},
		"contactpersoon-basis": {"Fatima El Amrani"},
		"bv":                   {"Anouk Visser"},
	} {
		got := rows(run(t, "nl_NL.UTF-8", "org", "people", "--role", role, "--db", db))
		if len(got) != len(want) {
			t.Errorf("--role %s: %v", role, got)
			continue
		}
		for i, name := range want {
			if !strings.Contains(got[i], name) {
				t.Errorf("--role %s row %d: %q, want %s", role, i, got[i], name)
			}
		}
	}
	if r := run(t, "nl_NL.UTF-8", "org", "people", "--role", "baas", "--db", db); r.code != 2 || !strings.Contains(r.stderr, `onbekende rol "baas"`) {
		t.Errorf("unknown role: %d %q", r.code, r.stderr)
	}
}

// 7.4 on the command line: the same selection as the window, with the
// banner, as tables per kind or one CSV.
func TestReportPerPerson(t *testing.T) {
	db, people := demoOrgDB(t)
	daan := people["Daan Meijer"]
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DBPath: db, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	_, requested, err := a.PersonSelection(ctx, daan.ID, false)
	_, managed, err2 := a.PersonSelection(ctx, people["Zoë Brouwer"].ID, true)
	a.Close()
	if err != nil || err2 != nil || len(requested) == 0 || len(managed) == 0 {
		t.Fatalf("selections %d %d: %v %v", len(requested), len(managed), err, err2)
	}

	r := run(t, "nl_NL.UTF-8", "report", "--person", daan.ID, "--db", db)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "Er is een selectie toegepast: certificaten aangevraagd door Daan Meijer\n") {
		t.Fatalf("exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, title := range []string{"Aangevraagde servercertificaten (", "Aangevraagde persoonlijke certificaten (", "Aangevraagde groepscertificaten (", "Aangevraagde eSeal certificaten ("} {
		if !strings.Contains(r.stdout, title) {
			t.Errorf("no %q:\n%s", title, r.stdout)
		}
	}

	csvPath := filepath.Join(t.TempDir(), "daan.csv")
	r = run(t, "nl_NL.UTF-8", "report", "--person", "D.Meijer@voorbeeldstad.nl", "--csv", csvPath, "--db", db)
	if r.code != 0 || !strings.Contains(r.stdout, "Er is een selectie toegepast") {
		t.Fatalf("csv: exit %d %s%s", r.code, r.stdout, r.stderr)
	}
	f, _ := os.ReadFile(csvPath)
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(f), "\uFEFF")))
	cr.Comma = ';'
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs)-1 != len(requested) {
		t.Errorf("CSV has %d rows, Daan requested %d", len(recs)-1, len(requested))
	}
	for _, rec := range recs[1:] {
		if sha := rec[len(rec)-1]; !requested[sha] {
			t.Errorf("CSV row %s is not Daan's", sha)
		}
	}

	zoe := run(t, "en_GB.UTF-8", "report", "--person", people["Zoë Brouwer"].ID, "--kind", "server", "--db", db)
	if zoe.code != 0 || !strings.HasPrefix(zoe.stdout, "A selection has been applied: certificates managed by Zoë Brouwer") || !strings.Contains(zoe.stdout, "Managed server certificates") || strings.Contains(zoe.stdout, "group") {
		t.Errorf("manager's report:\n%s%s", zoe.stdout, zoe.stderr)
	}
	for args, want := range map[string]string{
		"report --kind personal --person " + people["Zoë Brouwer"].ID: "heeft geen rapportage van deze soort",
		"report --person niemand@voorbeeldstad.nl":                    "geen geregistreerde persoon",
		"report":                         "geef de persoon op",
		"report --person x --kind fiets": "onbekend soort certificaat",
	} {
		r := run(t, "nl_NL.UTF-8", append(strings.Fields(args), "--db", db)...)
		if r.code != 2 || !strings.Contains(r.stderr, want) {
			t.Errorf("%s: exit %d %q", args, r.code, r.stderr)
		}
	}
}
