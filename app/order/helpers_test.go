package order

import (
	"context"
	"crypto/x509"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/org"
	"pkiodesk/app/store"
	"pkiodesk/app/trust"
)

// testOrg is the subscriber of every test desk.
var testOrg = org.Organisation{Name: "Gemeente Voorbeeldstad", SubscriberNumber: "100234", OIN: "00000001002220647000", KvK: "12345678"}

// desk is a real order desk on a bbolt file in a temp dir, with people in
// every role.
type desk struct {
	*Service
	st    *store.Bolt
	path  string
	clock *testClock
	bv    org.Person
	cpAll org.Person
	cpBas org.Person
	mgr   org.Person
	oldM  org.Person // an inactive Certificaatbeheerder
	gone  org.Person // an inactive Contactpersoon
	// trust is the desk's trust store (in its database): certificates
	// link to orders only when they chain to it.
	trust *trust.Service
}

// trustCA trusts a test CA as an administrator does (trust add).
func (d *desk) trustCA(t *testing.T, ca *x509.Certificate) {
	t.Helper()
	if _, err := d.trust.AddAnchor(context.Background(), ca.Raw); err != nil && !i18n.Is(err, "trust.anchor_exists") {
		t.Fatal(err)
	}
}

type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newDesk(t *testing.T) *desk {
	t.Helper()
	d := &desk{path: filepath.Join(t.TempDir(), "pkiodesk.db"), clock: &testClock{now: time.Now().UTC().Truncate(time.Second)}}
	d.bv = org.Person{ID: "bv", Name: "Anouk Visser", Email: "a.visser@voorbeeldstad.nl", Role: org.BevoegdVertegenwoordiger, Active: true, SubjectSerial: "PN-100245"}
	d.cpAll = org.Person{ID: "cpa", Name: "Daan Meijer", Email: "d.meijer@voorbeeldstad.nl", Role: org.ContactpersoonAlle, Active: true}
	d.cpBas = org.Person{ID: "cpb", Name: "Fatima El Amrani", Email: "f.elamrani@voorbeeldstad.nl", Role: org.ContactpersoonBasis, Active: true}
	d.mgr = org.Person{ID: "mgr", Name: "Zoë Brouwer", Email: "z.brouwer@voorbeeldstad.nl", Phone: "+31 30 123 4567", Role: org.Certificaatbeheerder, Active: true}
	d.oldM = org.Person{ID: "oldm", Name: "Piet Oud", Email: "p.oud@voorbeeldstad.nl", Role: org.Certificaatbeheerder, Active: false}
	d.gone = org.Person{ID: "gone", Name: "Kees Jansen", Email: "k.jansen@voorbeeldstad.nl", Role: org.ContactpersoonAlle, Active: false}
	d.open(t)
	ctx := context.Background()
	if err := d.st.SetUp(ctx, testOrg, d.bv); err != nil {
		t.Fatal(err)
	}
	for _, p := range []org.Person{d.cpAll, d.cpBas, d.mgr, d.oldM, d.gone} {
		if err := d.st.PutPerson(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// open (re)opens the database, as a restart of pkiodesk does.
func (d *desk) open(t *testing.T) {
	t.Helper()
	st, err := store.OpenBolt(d.path, store.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := inventory.Open(context.Background(), st, d.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := trust.Open(context.Background(), st, trust.Options{Now: d.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	d.st, d.trust = st, ts
	d.Service = NewService(st, inv, d.clock.Now).WithTrust(ts)
	t.Cleanup(func() { st.Close() })
}

func (d *desk) restart(t *testing.T) {
	t.Helper()
	d.st.Close()
	d.open(t)
}
