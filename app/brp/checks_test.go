package brp_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pkiodesk/app/brp"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/store"
	"pkiodesk/internal/brptest"
	"pkiodesk/internal/fixture"
)

func openStore(t *testing.T) *store.Bolt {
	t.Helper()
	st, err := store.OpenBolt(filepath.Join(t.TempDir(), "pkiodesk.db"), store.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// addCerts stores certificates as an import would: CAs as issuers.
func addCerts(t *testing.T, st store.Store, certs ...*x509.Certificate) {
	t.Helper()
	var entries []store.Entry
	for _, c := range certs {
		entries = append(entries, store.Entry{Cert: cert.FromX509(c), DER: c.Raw})
	}
	if _, _, err := st.AddCertificates(context.Background(), entries); err != nil {
		t.Fatal(err)
	}
}

func oin(n int) string { return fmt.Sprintf("00000001%09d000", n) }

func afnemer(id, name, oinValue, host string, c *x509.Certificate) brp.Afnemer {
	return brp.Afnemer{
		ID: id, Name: name, OIN: oinValue, Gemeentecode: "0599", Endpoints: []brp.Endpoint{brp.EndpointBRP, brp.EndpointBerichten},
		Hosts: []string{host}, CertSHA256: cert.Fingerprint(c.Raw), ClientID: "client-" + id,
	}
}

// statuses renders a report as "check=status" for messages.
func statuses(rep brp.Report) string {
	var parts []string
	for _, r := range rep.Results {
		parts = append(parts, fmt.Sprintf("%s=%s (%s)", r.Check, i18n.T(i18n.EN, r.Status.Key()), r.Reason(i18n.EN)))
	}
	return strings.Join(parts, "\n  ")
}

// A good setup passes every check; a revoked certificate, a wrong OIN, a
// missing SAN, an expired certificate and one certificate shared by two
// afnemers each fail their own check and only theirs. The register lives
// in a real bbolt file; revocation comes from the test CA's CRL on
// 127.0.0.1, fetched, signature-checked and parsed.
func TestChecksFailOnlyTheirOwnCheck(t *testing.T) {
	ctx := context.Background()
	ca := brptest.NewCA(t)
	st := openStore(t)
	now := time.Now()

	good, _ := ca.IssueWithKey(t, brptest.Gateway{OIN: oin(1), DNSNames: []string{"gw1.voorbeeldstad.nl"}})
	revoked, _ := ca.IssueWithKey(t, brptest.Gateway{OIN: oin(2), DNSNames: []string{"gw2.voorbeeldstad.nl"}})
	ca.Revoke(revoked, now.Add(-24*time.Hour), 1)
	wrongOIN, _ := ca.IssueWithKey(t, brptest.Gateway{OIN: oin(99), DNSNames: []string{"gw3.voorbeeldstad.nl"}})
	noSAN, _ := ca.IssueWithKey(t, brptest.Gateway{OIN: oin(4), DNSNames: []string{"andere.voorbeeldstad.nl"}})
	expired, _ := ca.IssueWithKey(t, brptest.Gateway{OIN: oin(5), DNSNames: []string{"gw5.voorbeeldstad.nl"},
		NotBefore: now.AddDate(-1, -1, 0), NotAfter: now.AddDate(0, 0, -3)})
	shared, _ := ca.IssueWithKey(t, brptest.Gateway{OIN: oin(6), DNSNames: []string{"gw6.voorbeeldstad.nl"}})
	addCerts(t, st, ca.Issuer, good, revoked, wrongOIN, noSAN, expired, shared)

	reg := brp.NewRegister(st)
	all := []brp.Afnemer{
		afnemer("100001", "Goed", oin(1), "gw1.voorbeeldstad.nl", good),
		afnemer("100002", "Ingetrokken", oin(2), "gw2.voorbeeldstad.nl", revoked),
		afnemer("100003", "Verkeerd OIN", oin(3), "gw3.voorbeeldstad.nl", wrongOIN),
		afnemer("100004", "Geen SAN", oin(4), "gw4.voorbeeldstad.nl", noSAN),
		afnemer("100005", "Verlopen", oin(5), "gw5.voorbeeldstad.nl", expired),
		afnemer("100006", "Gedeeld A", oin(6), "gw6.voorbeeldstad.nl", shared),
		afnemer("100007", "Gedeeld B", oin(6), "gw6.voorbeeldstad.nl", shared),
	}
	for _, a := range all {
		if _, err := reg.Add(ctx, a); err != nil {
			t.Fatalf("add %s: %v", a.ID, err)
		}
	}
	listed, err := reg.List(ctx)
	if err != nil || len(listed) != len(all) {
		t.Fatalf("list: %d, %v", len(listed), err)
	}
	checker := &brp.Checker{
		Certs: st, Chain: &brp.X509Chain{Roots: []*x509.Certificate{ca.Root}},
		Revocation: brptest.CRLChecker{}, Now: time.Now,
	}
	want := map[string][]brp.CheckID{
		"100001": nil,
		"100002": {brp.CheckRevocation},
		"100003": {brp.CheckOIN},
		"100004": {brp.CheckHostname},
		"100005": {brp.CheckValidity},
		"100006": {brp.CheckUnique},
		"100007": {brp.CheckUnique},
	}
	for _, rep := range checker.CheckAll(ctx, listed) {
		failing := want[rep.Afnemer.ID]
		if len(rep.Results) != len(brp.Checks()) {
			t.Errorf("%s: %d results:\n  %s", rep.Afnemer.ID, len(rep.Results), statuses(rep))
			continue
		}
		for _, r := range rep.Results {
			shouldFail := false
			for _, f := range failing {
				shouldFail = shouldFail || f == r.Check
			}
			// A G4 certificate from the test CA gets no G1 warning: every
			// check that should not fail passes outright.
			if shouldFail && r.Status != brp.Fail || !shouldFail && r.Status != brp.Pass {
				t.Errorf("%s (%s): check %s is %s: %s\n  %s", rep.Afnemer.ID, rep.Afnemer.Name, r.Check, i18n.T(i18n.EN, r.Status.Key()), r.Reason(i18n.EN), statuses(rep))
			}
		}
	}
	// The reasons say what is wrong, in Dutch by default.
	reps := checker.CheckAll(ctx, listed)
	reason := func(id string, c brp.CheckID, l i18n.Lang) string {
		for _, rep := range reps {
			if rep.Afnemer.ID == id {
				r, _ := rep.Result(c)
				return r.Reason(l)
			}
		}
		return ""
	}
	for _, tc := range []struct {
		id    string
		check brp.CheckID
		lang  i18n.Lang
		want  string
	}{
		{"100002", brp.CheckRevocation, i18n.NL, "ingetrokken op " + now.Add(-24*time.Hour).UTC().Format("2006-01-02") + " (sleutel gecompromitteerd)"},
		{"100003", brp.CheckOIN, i18n.NL, `het certificaat bevat OIN "` + oin(99) + `", niet het OIN ` + oin(3)},
		{"100004", brp.CheckHostname, i18n.EN, "host name gw4.voorbeeldstad.nl is not in the certificate's SANs (andere.voorbeeldstad.nl)"},
		{"100005", brp.CheckValidity, i18n.NL, "verlopen op " + expired.NotAfter.UTC().Format("2006-01-02")},
		{"100006", brp.CheckUnique, i18n.NL, "ook gekozen voor afnemer 100007 (Gedeeld B)"},
		{"100001", brp.CheckRevocation, i18n.EN, "not revoked according to " + ca.CRLURL()},
		{"100001", brp.CheckChain, i18n.NL, "keten naar brptest Root"},
	} {
		if got := reason(tc.id, tc.check, tc.lang); !strings.Contains(got, tc.want) {
			t.Errorf("%s %s: reason %q, want it to hold %q", tc.id, tc.check, got, tc.want)
		}
	}
	if ca.CRLRequests.Load() == 0 {
		t.Error("the CRL was never fetched")
	}
}

// Without a revocation checker, or offline, the state is unknown: a
// warning, never ok. A revocation pkiodesk already knows of fails.
func TestRevocationUnknownIsNeverOK(t *testing.T) {
	ctx := context.Background()
	ca := brptest.NewCA(t)
	st := openStore(t)
	c, _ := ca.IssueWithKey(t, brptest.Gateway{OIN: oin(1), DNSNames: []string{"gw.voorbeeldstad.nl"}})
	addCerts(t, st, ca.Issuer, c)
	a := afnemer("200001", "Voorbeeldstad", oin(1), "gw.voorbeeldstad.nl", c)
	chain := &brp.X509Chain{Roots: []*x509.Certificate{ca.Root}}
	for name, checker := range map[string]*brp.Checker{
		"no checker": {Certs: st, Chain: chain},
		"offline":    {Certs: st, Chain: chain, Revocation: brptest.CRLChecker{}, Offline: true},
		"CRL gone":   {Certs: st, Chain: chain, Revocation: brptest.CRLChecker{Now: func() time.Time { return time.Now().AddDate(0, 0, 3) }}},
	} {
		rep := checker.Check(ctx, a, []brp.Afnemer{a})
		r, _ := rep.Result(brp.CheckRevocation)
		if r.Status != brp.Warn || !strings.HasPrefix(r.Reason(i18n.NL), "onbekend") {
			t.Errorf("%s: %s %q", name, i18n.T(i18n.NL, r.Status.Key()), r.Reason(i18n.NL))
		}
	}
	known := &brp.Checker{Certs: st, Chain: chain, Known: func(sha string) (cert.Certificate, bool) {
		return cert.Certificate{SHA256: sha, Revoked: true, RevokedAt: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}, sha == a.CertSHA256
	}}
	r, _ := known.Check(ctx, a, nil).Result(brp.CheckRevocation)
	if r.Status != brp.Fail || !strings.Contains(r.Reason(i18n.NL), "2026-10-01") {
		t.Errorf("known revocation: %+v %s", r, r.Reason(i18n.NL))
	}
}

// The real RvIG certificate, checked as afnemer OIN 00000001822100824000,
// passes the OIN and chain checks (against the real PKIoverheid G1 chain,
// the root recognised by fingerprint) and fails validity: it expired on
// 2026-05-13. It is G1, so it is warned that G1 ends.
func TestRealRvIGCertificate(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	var cas []*x509.Certificate
	for _, name := range []string{
		"Staat_der_Nederlanden_Private_Root_CA_-_G1.crt", "Staat_der_Nederlanden_Private_Services_CA_-_G1.crt",
		"QuoVadis_PKIoverheid_Private_Services_CA_-_G1.crt", "KPN_PKIoverheid_Private_Services_CA_-_G1.crt",
		"Staat_der_Nederlanden_-_G4_Root_Priv_G-TLS_-_2024.crt", "Staat_der_Nederlanden_-_G4_Intm_Priv_G-TLS_SYS_-_2024.crt",
		"KPN_-_G4_PKIo_Priv_G-TLS_SYS_-_2025.crt",
	} {
		cas = append(cas, readCert(t, name))
	}
	rvig := readCert(t, "RvIG_lap.gbav.idm.diginetwerk.net.crt")
	addCerts(t, st, append(cas, rvig)...)

	a := brp.Afnemer{ID: "000008", Name: "RvIG", OIN: "00000001822100824000", Endpoints: []brp.Endpoint{brp.EndpointBRPLAP},
		Hosts: []string{"lap.gbav.idm.diginetwerk.net"}, CertSHA256: cert.Fingerprint(rvig.Raw)}
	reg := brp.NewRegister(st)
	if _, err := reg.Add(ctx, a); err != nil {
		t.Fatal(err)
	}
	trust, err := brp.StoredTrust(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if len(trust.Roots) != 2 {
		t.Fatalf("%d PKIo private roots recognised in the store, want G1 and G4", len(trust.Roots))
	}
	checker := &brp.Checker{Certs: st, Chain: trust, Now: func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) }}
	rep := checker.Check(ctx, a, []brp.Afnemer{a})
	want := map[brp.CheckID]brp.Status{
		brp.CheckValidity: brp.Fail, brp.CheckOIN: brp.Pass, brp.CheckChain: brp.Pass, brp.CheckEKU: brp.Pass,
		brp.CheckHostname: brp.Pass, brp.CheckRevocation: brp.Warn, brp.CheckUnique: brp.Pass, brp.CheckG1: brp.Warn,
	}
	for id, st := range want {
		r, _ := rep.Result(id)
		if r.Status != st {
			t.Errorf("%s: %s (%s), want %s", id, i18n.T(i18n.EN, r.Status.Key()), r.Reason(i18n.EN), i18n.T(i18n.EN, st.Key()))
		}
	}
	if r, _ := rep.Result(brp.CheckValidity); r.Reason(i18n.NL) != "verlopen op 2026-05-13: RvIG weigert de verbinding" {
		t.Errorf("validity: %q", r.Reason(i18n.NL))
	}
	if r, _ := rep.Result(brp.CheckChain); r.Reason(i18n.EN) != "chains to Staat der Nederlanden Private Root CA - G1" {
		t.Errorf("chain: %q", r.Reason(i18n.EN))
	}
	if len(rep.Chain) != 4 {
		t.Errorf("chain of %d certificates, want RvIG, QuoVadis, Private Services, Private Root", len(rep.Chain))
	}

	// Without the PKIo roots in the store the chain cannot be checked: a
	// failure that says what to do.
	bare := openStore(t)
	addCerts(t, bare, rvig)
	trust, _ = brp.StoredTrust(ctx, bare)
	r, _ := (&brp.Checker{Certs: bare, Chain: trust}).Check(ctx, a, nil).Result(brp.CheckChain)
	if r.Status != brp.Fail || !strings.Contains(r.Reason(i18n.NL), "importeer de PKIoverheid CA-certificaten") {
		t.Errorf("no roots: %s", r.Reason(i18n.NL))
	}
	// A root is trusted by fingerprint, never by name: a self-made root
	// called "Staat der Nederlanden Private Root CA - G1" is not.
	ca := brptest.NewCA(t)
	if brp.IsPKIoPrivateRoot(ca.Root) || !brp.IsPKIoPrivateRoot(cas[0]) {
		t.Error("root recognition")
	}
}

func readCert(t *testing.T, name string) *x509.Certificate {
	t.Helper()
	d, err := cert.Decode(fixture.ReadPKIo(t, name), "")
	if err != nil || len(d.Certs) != 1 {
		t.Fatalf("%s: %v", name, err)
	}
	return d.Certs[0]
}

// Certificates that do not fit TLS client authentication fail the EKU and
// key usage checks with the reason; a certificate expiring within 60 days
// is warned.
func TestEKUKeyUsageAndExpiryWarning(t *testing.T) {
	ctx := context.Background()
	ca := brptest.NewCA(t)
	st := openStore(t)
	serverOnly, _ := ca.IssueWithKey(t, brptest.Gateway{OIN: oin(1), DNSNames: []string{"gw.voorbeeldstad.nl"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	sealKU, _ := ca.IssueWithKey(t, brptest.Gateway{OIN: oin(1), DNSNames: []string{"gw.voorbeeldstad.nl"}, KeyUsage: x509.KeyUsageContentCommitment})
	soon, _ := ca.IssueWithKey(t, brptest.Gateway{OIN: oin(1), DNSNames: []string{"gw.voorbeeldstad.nl"}, NotAfter: time.Now().AddDate(0, 0, 20)})
	addCerts(t, st, ca.Issuer, serverOnly, sealKU, soon)
	checker := &brp.Checker{Certs: st, Chain: &brp.X509Chain{Roots: []*x509.Certificate{ca.Root}}}
	for _, tc := range []struct {
		c     *x509.Certificate
		check brp.CheckID
		st    brp.Status
		want  string
	}{
		{serverOnly, brp.CheckEKU, brp.Fail, "zonder clientAuth (wel: serverAuth)"},
		{sealKU, brp.CheckKeyUsage, brp.Fail, "zonder digitalSignature (wel: nonRepudiation)"},
		{soon, brp.CheckValidity, brp.Warn, "verloopt over 19 dagen"},
	} {
		a := afnemer("300001", "X", oin(1), "gw.voorbeeldstad.nl", tc.c)
		r, _ := checker.Check(ctx, a, nil).Result(tc.check)
		if r.Status != tc.st || !strings.Contains(r.Reason(i18n.NL), tc.want) {
			t.Errorf("%s: %s %q, want %q", tc.check, i18n.T(i18n.NL, r.Status.Key()), r.Reason(i18n.NL), tc.want)
		}
	}
	// No certificate chosen: one line that says so.
	rep := checker.Check(ctx, brp.Afnemer{ID: "300002", OIN: oin(1)}, nil)
	if len(rep.Results) != 1 || rep.Results[0].Check != brp.CheckCertificate || rep.Worst() != brp.Fail {
		t.Errorf("no certificate: %s", statuses(rep))
	}
}
