package inventory

import (
	"strings"
	"testing"

	"pkiodesk/app/cert"
)

// Rows equal on the sorted column come in a fixed, useful order: expiry
// date, then Common Name, then fingerprint, ascending in both directions,
// for cached column orders and for Status (sorted per query) alike.
func TestSortTiesGoByExpiryThenCommonName(t *testing.T) {
	d := func(days int) cert.Certificate { return rec("", cert.KindServer, "", testNow.AddDate(0, 0, days)) }
	mk := func(sha, cn string, days int, issuer string) cert.Certificate {
		c := d(days)
		c.SHA256, c.CommonName, c.IssuerCN = sha, cn, issuer
		return c
	}
	// Fingerprints run against the wanted order, so a tie broken by
	// fingerprint alone (the old rule) fails.
	s := queryService(
		mk("9", "alpha.nl", 30, "CA 1"),
		mk("8", "bravo.nl", 10, "CA 1"),
		mk("7", "Alpha.nl", 10, "CA 1"),
		mk("6", "charlie.nl", 20, "CA 2"),
		mk("5", "delta.nl", 20, "CA 2"),
	)
	shas := func(q Query) string {
		var b []string
		for _, r := range s.Query(q).Rows {
			b = append(b, r.SHA256)
		}
		return strings.Join(b, ",")
	}
	for _, tt := range []struct {
		name string
		q    Query
		want string
	}{
		{"issuer ascending", Query{Sort: ColIssuer}, "7,8,9,6,5"},
		{"issuer descending: ties still by expiry, then CN", Query{Sort: ColIssuer, Desc: true}, "6,5,7,8,9"},
		{"status (one value): expiry then CN", Query{Sort: ColStatus}, "7,8,6,5,9"},
		{"status descending: the same", Query{Sort: ColStatus, Desc: true}, "7,8,6,5,9"},
		{"kind (one value), twice for the cache", Query{Sort: ColKind}, "7,8,6,5,9"},
	} {
		for round := 0; round < 2; round++ {
			if got := shas(tt.q); got != tt.want {
				t.Errorf("%s (round %d): got %s, want %s", tt.name, round, got, tt.want)
			}
		}
	}
}

// The Start screen's tiles open an overview of every kind that expires
// within the period: the same rows as Expiring, and only valid ones.
func TestQueryExpiringDaysMatchesExpiring(t *testing.T) {
	revoked := rec("r", cert.KindServer, "ingetrokken.nl", testNow.AddDate(0, 0, 5))
	revoked.Revoked = true
	s := queryService(
		rec("a", cert.KindServer, "a.nl", testNow.AddDate(0, 0, 5)),
		rec("b", cert.KindPersonal, "B", testNow.AddDate(0, 0, 29)),
		rec("c", cert.KindESeal, "C", testNow.AddDate(0, 0, 31)),
		rec("x", cert.KindGroup, "X", testNow.AddDate(0, 0, -1)),
		revoked,
	)
	for _, days := range []int{30, 60} {
		want := s.Expiring(days).Rows
		got := s.Query(Query{ExpiringDays: days, Status: FilterAll}).Rows
		if len(got) != len(want) {
			t.Fatalf("%d days: %d rows, Expiring has %d", days, len(got), len(want))
		}
		for i := range got {
			if got[i].SHA256 != want[i].SHA256 {
				t.Errorf("%d days: row %d is %s, want %s", days, i, got[i].SHA256, want[i].SHA256)
			}
		}
	}
	if n := len(s.Query(Query{ExpiringDays: 30, Text: "a.nl"}).Rows); n != 1 {
		t.Errorf("text filter within the period: %d rows", n)
	}
}
