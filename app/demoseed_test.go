package app

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
)

// The demo's valid server certificates are a mix of G1 and G4, and sorting
// on the Type column groups them: what still has to move off G1 is one
// block in the overview.
func TestDemoServerCertificatesAreG1AndG4(t *testing.T) {
	ctx := context.Background()
	a, err := Open(ctx, Config{DBPath: filepath.Join(t.TempDir(), "demo.db"), Now: func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.SeedDemo(ctx, 300, 2026); err != nil {
		t.Fatal(err)
	}
	col, err := inventory.ParseColumn("type")
	if err != nil || col != inventory.ColProfile {
		t.Fatalf("column 'type': %q %v", col, err)
	}
	v := a.Inventory.Query(inventory.Query{Kind: cert.KindServer, Status: inventory.FilterValid, Sort: col})
	seen := map[cert.Profile]int{}
	var order []cert.Profile
	for _, c := range v.Rows {
		p := c.Profile()
		if seen[p] == 0 {
			order = append(order, p)
		}
		seen[p]++
		if p == cert.ProfilePKIoG4 && c.OrganizationIdentifier == "" {
			t.Errorf("G4 certificate %s without organizationIdentifier", c.CommonName)
		}
	}
	if seen[cert.ProfilePKIoG4] == 0 || seen[cert.ProfilePKIoPrivateG1] == 0 || len(seen) != 2 {
		t.Fatalf("profiles %v", seen)
	}
	if len(order) != 2 {
		t.Errorf("sorting on Type does not group the profiles: %v", order)
	}
	if got := inventory.Cell(v.Rows[0], col, v, i18n.NL); got != "PKIo G4" && got != "PKIo Private G1" {
		t.Errorf("cell %q", got)
	}
}
