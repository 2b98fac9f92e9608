package app

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pkiodesk/app/brp"
)

// The demo register shows the BRP checks at work: three afnemers, one
// certificate shared by two of them (a TAP's mistake, with the wrong OIN
// too), one expired; the demo CA is no PKIoverheid, so no chain passes,
// and the demo generator gives every certificate one key, which the check
// of a key shared between afnemers finds.
func TestSeedDemoBRP(t *testing.T) {
	ctx := context.Background()
	a, err := Open(ctx, Config{DBPath: filepath.Join(t.TempDir(), "demo.db"), Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.SeedDemo(ctx, 120, 7); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second time changes nothing
		if err := a.SeedDemoBRP(ctx); err != nil {
			t.Fatal(err)
		}
	}
	reg, _ := a.BRPRegister()
	list, err := reg.List(ctx)
	if err != nil || len(list) != 3 {
		t.Fatalf("%d afnemers, %v", len(list), err)
	}
	checker, err := a.BRPChecker(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	fails := map[string][]string{}
	for _, rep := range checker.CheckAll(ctx, list) {
		for _, r := range rep.Results {
			if r.Status == brp.Fail {
				fails[rep.Afnemer.ID] = append(fails[rep.Afnemer.ID], string(r.Check))
			}
		}
	}
	want := map[string]string{"510193": "chain unique", "510200": "oin chain unique", "510201": "validity chain unique"}
	for id, w := range want {
		if got := strings.Join(fails[id], " "); got != w {
			t.Errorf("%s fails %q, want %q", id, got, w)
		}
	}
}
