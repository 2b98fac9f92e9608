package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pkiodesk/app"
	"pkiodesk/app/demo"
	"pkiodesk/app/org"
)

// demoOrganisationDB is a database with the demo organisation set up.
func demoOrganisationDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "p.db")
	a, err := app.Open(context.Background(), app.Config{DBPath: db, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	o := org.Organisation{Name: demo.OrgName, SubscriberNumber: "100234", OIN: demo.OIN, KvK: "12345678"}
	if err := a.Store.SetUp(context.Background(), o, org.Person{ID: "p-bv", Name: "Anouk Visser", Role: org.BevoegdVertegenwoordiger, Active: true}); err != nil {
		t.Fatal(err)
	}
	return db
}

// The command line names certificates of another organisation, skips them
// unless --foreign keep, and says what happened to a CA certificate.
func TestImportNamesOtherOrganisations(t *testing.T) {
	db := demoOrganisationDB(t)
	var rvig, ca string
	for _, f := range pkioFiles(t) {
		switch filepath.Base(f) {
		case "RvIG_lap.gbav.idm.diginetwerk.net.crt":
			rvig = f
		case "QuoVadis_PKIoverheid_Private_Services_CA_-_G1.crt":
			ca = f
		}
	}
	r := run(t, "nl_NL.UTF-8", "import", "--db", db, rvig, ca)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"overgeslagen (andere organisatie)  lap.gbav.idm.diginetwerk.net: OIN 00000001822100824000 is niet het OIN van de organisatie (00000099123456789000)",
		"1 certificaat van een andere organisatie is overgeslagen; importeer met --foreign keep",
		"opgeslagen als uitgever: QuoVadis PKIoverheid Private Services CA - G1",
		"0 toegevoegd",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if r := run(t, "nl_NL.UTF-8", "list", "--db", db, "--status", "alle"); !strings.Contains(r.stdout, "0 certificaten") {
		t.Errorf("the skipped certificate is listed:\n%s", r.stdout)
	}
	r = run(t, "en_GB.UTF-8", "import", "--db", db, "--foreign", "keep", rvig)
	if r.code != 0 || !strings.Contains(r.stdout, "kept (another organisation)  lap.gbav.idm.diginetwerk.net") || !strings.Contains(r.stdout, "1 added") {
		t.Errorf("keep: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, "nl_NL.UTF-8", "import", "--db", db, "--foreign", "misschien", rvig); r.code != 2 || !strings.Contains(r.stderr, "--foreign moet skip of keep zijn") {
		t.Errorf("bad --foreign: %d %s", r.code, r.stderr)
	}
}
