package inventory

import (
	"context"
	"encoding/pem"
	"path/filepath"
	"testing"

	"pkiodesk/app/cert"
	"pkiodesk/app/demo"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
	"pkiodesk/app/store"
	"pkiodesk/internal/fixture"
)

var voorbeeldstad = org.Organisation{Name: demo.OrgName, SubscriberNumber: "100234", OIN: demo.OIN, KvK: "12345678"}

func TestNotOwn(t *testing.T) {
	own := cert.Certificate{Kind: cert.KindServer, OIN: demo.OIN, Organization: demo.OrgName}
	for _, tt := range []struct {
		name string
		c    cert.Certificate
		key  string // "" for the organisation's own
	}{
		{"same OIN", own, ""},
		{"same OIN, other name (the OIN decides)", cert.Certificate{OIN: demo.OIN, Organization: "Gemeente Voorbeeldstad - ICT"}, ""},
		{"other OIN, same name", cert.Certificate{OIN: "00000001822100824000", Organization: demo.OrgName}, "own.oin"},
		{"G4: same KvK in organizationIdentifier", cert.Certificate{OrganizationIdentifier: "NTRNL-12345678", Organization: "x"}, ""},
		{"G4: other KvK", cert.Certificate{OrganizationIdentifier: "NTRNL-87654321", Organization: demo.OrgName}, "own.kvk"},
		{"SubOIN with our KvK (one matching identifier suffices)", cert.Certificate{OIN: "00000004123456789000", OrganizationIdentifier: "NTRNL-12345678"}, ""},
		{"personal: holder number in serialNumber, our name", cert.Certificate{Kind: cert.KindPersonal, OIN: "PN-000123", Organization: "gemeente  VOORBEELDSTAD"}, ""},
		{"personal: another organisation's name", cert.Certificate{Kind: cert.KindPersonal, Organization: "Andere Gemeente"}, "own.name"},
		{"no organisation at all", cert.Certificate{Kind: cert.KindServer, CommonName: "www.example.org"}, "own.unnamed"},
		{"a CA is nobody's", cert.Certificate{Kind: cert.KindCA, Organization: "QuoVadis"}, ""},
	} {
		err := NotOwn(tt.c, voorbeeldstad)
		switch {
		case tt.key == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.key != "" && !i18n.Is(err, tt.key):
			t.Errorf("%s: %v, want %s", tt.name, err, tt.key)
		}
	}
	err := NotOwn(cert.Certificate{OIN: "00000001822100824000"}, voorbeeldstad)
	if got := i18n.Localize(i18n.NL, err); got != "OIN 00000001822100824000 is niet het OIN van de organisatie (00000099123456789000)" {
		t.Errorf("message %q", got)
	}
}

// An import into Gemeente Voorbeeldstad's inventory holds back RvIG's
// certificate (another organisation), stores its own and the issuing CA,
// and reports the foreign one with its reason; keeping it afterwards stores
// it. With KeepForeign it is stored at once and still reported.
func TestImportReportsForeignCertificates(t *testing.T) {
	ctx := context.Background()
	s, st := openService(t, filepath.Join(t.TempDir(), "db"))
	defer st.Close()
	gen, err := demo.NewGenerator(1, testNow)
	if err != nil {
		t.Fatal(err)
	}
	ownDER, err := gen.Next(cert.KindServer)
	if err != nil {
		t.Fatal(err)
	}
	in := []Input{
		{Name: "rvig.crt", Data: fixture.ReadPKIo(t, "RvIG_lap.gbav.idm.diginetwerk.net.crt")},
		{Name: "quovadis.crt", Data: fixture.ReadPKIo(t, "QuoVadis_PKIoverheid_Private_Services_CA_-_G1.crt")},
		{Name: "eigen.pem", Data: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ownDER})},
	}
	opt := ImportOptions{Owner: &voorbeeldstad}
	rep, err := s.Import(ctx, in, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Added) != 1 || len(rep.Issuers) != 1 || len(rep.Foreign) != 1 {
		t.Fatalf("added %d, issuers %d, foreign %d", len(rep.Added), len(rep.Issuers), len(rep.Foreign))
	}
	f := rep.Foreign[0]
	if f.Entry.Cert.OIN != "00000001822100824000" || f.Kept || !i18n.Is(f.Reason, "own.oin") {
		t.Errorf("foreign: %+v", f)
	}
	if s.Len() != 1 {
		t.Errorf("inventory holds %d, want only the own certificate", s.Len())
	}
	if _, err := st.DER(ctx, f.Entry.Cert.SHA256); err == nil {
		t.Error("the foreign certificate was stored")
	}
	// The user keeps it after all.
	kept, err := s.KeepForeign(ctx, rep.Foreign)
	if err != nil || len(kept.Added) != 1 || s.Len() != 2 {
		t.Fatalf("keep: %+v %v, inventory %d", kept, err, s.Len())
	}
	// Importing it again is a duplicate, not foreign again.
	again, err := s.Import(ctx, in[:1], opt)
	if err != nil || len(again.Foreign) != 0 || len(again.Duplicates) != 1 {
		t.Errorf("again: foreign %d, dups %d, %v", len(again.Foreign), len(again.Duplicates), err)
	}

	// KeepForeign: stored at once, and still named.
	s2, st2 := openService(t, filepath.Join(t.TempDir(), "db"))
	defer st2.Close()
	rep, err = s2.Import(ctx, in[:1], ImportOptions{Owner: &voorbeeldstad, KeepForeign: true})
	if err != nil || len(rep.Foreign) != 1 || !rep.Foreign[0].Kept || len(rep.Added) != 1 || s2.Len() != 1 {
		t.Errorf("keep at once: %+v %v", rep, err)
	}
	// Without an organisation (before setup) nothing is foreign.
	s3, st3 := openService(t, filepath.Join(t.TempDir(), "db"))
	defer st3.Close()
	if rep, _ := s3.Import(ctx, in[:1], ImportOptions{}); len(rep.Foreign) != 0 || len(rep.Added) != 1 {
		t.Errorf("without organisation: %+v", rep)
	}
}

// Removing takes the certificate out of the overviews and the store, with
// its assignment; the others stay.
func TestRemove(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "db")
	s, st := openService(t, path)
	gen, _ := demo.NewGenerator(2, testNow)
	var in []Input
	for i := 0; i < 3; i++ {
		der, _ := gen.Next(cert.KindServer)
		in = append(in, Input{Name: "c.pem", Data: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})})
	}
	rep, err := s.Import(ctx, in, ImportOptions{})
	if err != nil || len(rep.Added) != 3 {
		t.Fatal(rep, err)
	}
	gone := rep.Added[1]
	s.Query(Query{Kind: cert.KindServer, Status: FilterAll, Sort: ColCN}) // fill the order cache
	if err := s.Assign(ctx, gone.SHA256, storeAssignment("p1", "")); err != nil {
		t.Fatal(err)
	}
	if c, err := s.Remove(ctx, gone.SHA256); err != nil || c.SHA256 != gone.SHA256 {
		t.Fatalf("remove: %v", err)
	}
	if _, ok := s.Get(gone.SHA256); ok || s.Len() != 2 {
		t.Error("still in the inventory")
	}
	for _, r := range s.Query(Query{Kind: cert.KindServer, Status: FilterAll, Sort: ColCN}).Rows {
		if r.SHA256 == gone.SHA256 {
			t.Error("still in a (cached) overview order")
		}
	}
	if _, err := s.Remove(ctx, gone.SHA256); !i18n.Is(err, "err.cert_not_found") {
		t.Errorf("second removal: %v", err)
	}
	st.Close()
	// Gone for good, with its DER and assignment, after a restart.
	s, st = openService(t, path)
	defer st.Close()
	if s.Len() != 2 {
		t.Errorf("after reopening: %d certificates", s.Len())
	}
	if _, err := st.DER(ctx, gone.SHA256); err == nil {
		t.Error("DER kept")
	}
	if a, _ := st.Assignment(ctx, gone.SHA256); a.ContactID != "" {
		t.Error("assignment kept")
	}
}

func storeAssignment(contact, manager string) store.Assignment {
	return store.Assignment{ContactID: contact, ManagerID: manager}
}
