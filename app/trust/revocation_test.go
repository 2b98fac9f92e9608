package trust

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"pkiodesk/app/i18n"
	"pkiodesk/app/store"
	"pkiodesk/internal/testca"
)

// revocationSetup is a trust store that knows a test CA's issuing
// certificate as the inventory would, with a short network time-out.
func revocationSetup(t *testing.T, timeout time.Duration) (*testca.CA, *Service, store.Records) {
	t.Helper()
	ca := testca.New(t)
	db := openDB(t)
	return ca, openWith(t, db, ca, timeout, time.Now), db
}

func openWith(t *testing.T, db store.Records, ca *testca.CA, timeout time.Duration, now func() time.Time) *Service {
	return openService(t, db, Options{
		Now:     now,
		HTTP:    NewHTTPClient(timeout),
		Issuers: func(context.Context) ([]*x509.Certificate, error) { return []*x509.Certificate{ca.Issuer}, nil },
	})
}

func issue(t *testing.T, ca *testca.CA, src testca.Sources) *x509.Certificate {
	t.Helper()
	c, err := ca.Issue(nil, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func refresh(t *testing.T, s *Service, certs ...*x509.Certificate) RefreshReport {
	t.Helper()
	var targets []Target
	for _, c := range certs {
		targets = append(targets, TargetOf(c))
	}
	rep, err := s.Refresh(context.Background(), targets, RefreshOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestCRLRevokedGoodAndStored(t *testing.T) {
	ca, s, db := revocationSetup(t, 5*time.Second)
	good, bad, ocspOnly := issue(t, ca, testca.CRLOnly), issue(t, ca, testca.CRLAndOCSP), issue(t, ca, testca.OCSPOnly)
	rep := refresh(t, s, good, bad, ocspOnly)
	if rep.Good != 3 || rep.Revoked != 0 {
		t.Fatalf("before revocation: %+v", rep)
	}
	if st := s.Known(TargetOf(good).SHA256); st.State != StateGood || st.Method != "crl" || st.Source != ca.CRLURL || !st.NextUpdate.After(time.Now()) {
		t.Errorf("good: %+v", st)
	}
	if st := s.Known(TargetOf(ocspOnly).SHA256); st.State != StateGood || st.Method != "ocsp" {
		t.Errorf("OCSP only: %+v", st)
	}
	at := time.Now().Add(-2 * time.Hour).Truncate(time.Second)
	ca.Revoke(bad, at, 1)
	ca.Revoke(ocspOnly, at, 5)
	crlBefore := ca.Requests("crl")
	rep = refresh(t, s, good, bad, ocspOnly)
	if rep.Revoked != 2 || rep.Good != 1 || len(rep.RevokedCerts) != 2 {
		t.Fatalf("after revocation: %+v", rep)
	}
	if n := ca.Requests("crl") - crlBefore; n != 1 {
		t.Errorf("the CRL shared by two certificates was fetched %d times", n)
	}
	st := s.Known(TargetOf(bad).SHA256)
	if st.State != StateRevoked || !st.RevokedAt.Equal(at) || st.Reason.String() != "keyCompromise" {
		t.Errorf("revoked by CRL: %+v", st)
	}
	if got := st.Text(i18n.NL); got != fmt.Sprintf("Ingetrokken op %s (sleutel gecompromitteerd)", at.Local().Format("2006-01-02")) {
		t.Errorf("text %q", got)
	}
	if st := s.Known(TargetOf(ocspOnly).SHA256); st.State != StateRevoked || st.Method != "ocsp" || st.Reason.String() != "cessationOfOperation" {
		t.Errorf("revoked by OCSP: %+v", st)
	}
	// The states survive a restart.
	again := openWith(t, db, ca, time.Second, time.Now)
	if st := again.Known(TargetOf(bad).SHA256); st.State != StateRevoked {
		t.Errorf("after reopening: %+v", st)
	}
	if st := again.Known(TargetOf(good).SHA256); st.State != StateGood {
		t.Errorf("after reopening: %+v", st)
	}
}

// A server that hangs, answers garbage or is down gives "unknown", within
// the time-out, never "good".
func TestUnreachableOrGarbageIsUnknown(t *testing.T) {
	for _, tt := range []struct {
		mode testca.Mode
		key  string
	}{
		{testca.Hang, "trust.problem.timeout"},
		{testca.Garbage, "trust.problem.garbage"},
		{testca.Down, "trust.problem.http_status"},
		{testca.Stale, "trust.problem.stale"},
	} {
		t.Run(fmt.Sprint(tt.mode), func(t *testing.T) {
			ca, s, _ := revocationSetup(t, 300*time.Millisecond)
			viaCRL, viaOCSP := issue(t, ca, testca.CRLOnly), issue(t, ca, testca.OCSPOnly)
			ca.SetMode(tt.mode)
			start := time.Now()
			rep := refresh(t, s, viaCRL, viaOCSP)
			// Not a speed target: proof the time-out ends a request that
			// would otherwise hang for as long as the test runs.
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("refresh took %s with a 300 ms time-out", d)
			}
			if rep.Unknown != 2 || rep.Good != 0 {
				t.Fatalf("report %+v", rep)
			}
			for _, c := range []*x509.Certificate{viaCRL, viaOCSP} {
				st := s.Known(TargetOf(c).SHA256)
				if st.State != StateUnknown || st.UnknownSince.IsZero() {
					t.Errorf("state %+v", st)
				}
				if c == viaCRL && !i18n.Is(st.Problem, tt.key) {
					t.Errorf("problem %v, want %s", st.Problem, tt.key)
				}
				if txt := st.Text(i18n.NL); !strings.HasPrefix(txt, "Onbekend sinds ") {
					t.Errorf("text %q", txt)
				}
			}
		})
	}
}

// A CRL signed by another key under the CA's name is refused: a revoked
// certificate does not become good, and the forged list is not stored.
func TestForgedCRLIsRefused(t *testing.T) {
	ca, s, _ := revocationSetup(t, 5*time.Second)
	c := issue(t, ca, testca.CRLOnly)
	ca.Revoke(c, time.Now().Add(-time.Hour), 1)
	ca.SetMode(testca.Forged)
	rep := refresh(t, s, c)
	st := s.Known(TargetOf(c).SHA256)
	if rep.Good != 0 || st.State != StateUnknown || !i18n.Is(st.Problem, "trust.problem.bad_signature") {
		t.Fatalf("forged CRL: %+v %+v", rep, st)
	}
	if txt := i18n.Localize(i18n.NL, st.Problem); !strings.Contains(txt, ca.CRLURL) || !strings.Contains(txt, "geweigerd") {
		t.Errorf("problem %q", txt)
	}
	// Forged OCSP as well.
	o := issue(t, ca, testca.OCSPOnly)
	ca.Revoke(o, time.Now().Add(-time.Hour), 1)
	refresh(t, s, o)
	if st := s.Known(TargetOf(o).SHA256); st.State != StateUnknown || !i18n.Is(st.Problem, "trust.problem.bad_signature") {
		t.Errorf("forged OCSP: %+v", st)
	}
	// The real CRL still decides afterwards.
	ca.SetMode(testca.Normal)
	refresh(t, s, c)
	if st := s.Known(TargetOf(c).SHA256); st.State != StateRevoked {
		t.Errorf("after the forgery: %+v", st)
	}
	// Imported by hand, the forgery is refused too.
	forged, err := ca.ForgedCRL()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportCRL(context.Background(), "vals.crl", forged); !i18n.Is(err, "trust.crl_refused") || !i18n.Is(err, "trust.problem.bad_signature") {
		t.Errorf("forged import: %v", err)
	}
}

// A failed refresh keeps the last answer until its next update; after it,
// the state is unknown since that moment.
func TestLastAnswerHoldsUntilNextUpdate(t *testing.T) {
	ca := testca.New(t)
	clk := &clock{t: time.Now()}
	s := openWith(t, openDB(t), ca, 300*time.Millisecond, clk.now)
	c := issue(t, ca, testca.CRLOnly)
	refresh(t, s, c)
	first := s.Known(TargetOf(c).SHA256)
	if first.State != StateGood {
		t.Fatalf("first: %+v", first)
	}
	ca.SetMode(testca.Down)
	clk.t = clk.t.Add(time.Hour)
	refresh(t, s, c)
	if st := s.Known(TargetOf(c).SHA256); st.State != StateGood {
		t.Errorf("an hour later, CA down, the stored CRL still current: %+v", st)
	}
	clk.t = first.NextUpdate.Add(time.Minute)
	st := s.Known(TargetOf(c).SHA256)
	if st.State != StateUnknown || !st.UnknownSince.Equal(first.NextUpdate) {
		t.Errorf("after next update: %+v", st)
	}
	if !strings.Contains(st.Text(i18n.EN), first.NextUpdate.Local().Format("2006-01-02 15:04")) {
		t.Errorf("text %q does not say since when", st.Text(i18n.EN))
	}
}

// A CRL imported by hand decides for a workstation without a route to
// the CA.
func TestImportedCRLDecidesOffline(t *testing.T) {
	ca, s, _ := revocationSetup(t, 300*time.Millisecond)
	c, other := issue(t, ca, testca.CRLOnly), issue(t, ca, testca.CRLOnly)
	ca.Revoke(c, time.Now().Add(-time.Hour), 4)
	crl, err := ca.CRL()
	if err != nil {
		t.Fatal(err)
	}
	ca.SetMode(testca.Down)
	if !LooksLikeCRL(crl) || LooksLikeCRL(ca.Issuer.Raw) {
		t.Error("LooksLikeCRL")
	}
	info, err := s.ImportCRL(context.Background(), "ca.crl", crl)
	if err != nil || info.Entries != 1 || info.Stale || !info.Issuer.Equal(ca.Issuer) {
		t.Fatalf("import: %+v %v", info, err)
	}
	rep, err := s.Refresh(context.Background(), []Target{TargetOf(c), TargetOf(other)}, RefreshOptions{Offline: true})
	if err != nil || rep.Revoked != 1 || rep.Good != 1 {
		t.Fatalf("offline: %+v %v", rep, err)
	}
	if st := s.Known(TargetOf(c).SHA256); st.State != StateRevoked || st.Source != "import:ca.crl" || st.Reason.String() != "superseded" {
		t.Errorf("revoked: %+v", st)
	}
	// Online, with the CA down, the imported CRL still counts.
	refresh(t, s, other)
	if st := s.Known(TargetOf(other).SHA256); st.State != StateGood {
		t.Errorf("online with the CA down: %+v", st)
	}
	if _, err := s.ImportCRL(context.Background(), "kapot.crl", []byte("geen crl")); !i18n.Is(err, "trust.crl_invalid") {
		t.Errorf("garbage import: %v", err)
	}
	// Same name as the known CA, other key: a forgery.
	stranger := testca.New(t)
	strangeCRL, _ := stranger.CRL()
	if _, err := s.ImportCRL(context.Background(), "vreemd.crl", strangeCRL); !i18n.Is(err, "trust.crl_refused") {
		t.Errorf("CRL under a known name with another key: %v", err)
	}
	key := newKey(t)
	unknownCA := mkcert(t, caTmpl("Onbekende CA", time.Now().AddDate(-1, 0, 0), time.Now().AddDate(1, 0, 0), x509.KeyUsageCRLSign|x509.KeyUsageCertSign), nil, key.Public(), key)
	unknownCRL, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: time.Now(), NextUpdate: time.Now().Add(time.Hour)}, unknownCA, key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportCRL(context.Background(), "onbekend.crl", unknownCRL); !i18n.Is(err, "trust.crl_unknown_issuer") {
		t.Errorf("CRL of an unknown CA: %v", err)
	}
}

// Certificates without revocation services, or whose issuer is unknown.
func TestNoSourceAndNoIssuer(t *testing.T) {
	ca, s, _ := revocationSetup(t, time.Second)
	none := issue(t, ca, testca.NoSources)
	stranger := testca.New(t)
	orphan, err := stranger.Issue(nil, testca.CRLOnly, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep := refresh(t, s, none, orphan)
	if rep.NoSource != 1 || rep.Unknown != 1 {
		t.Fatalf("%+v", rep)
	}
	if st := s.Known(TargetOf(orphan).SHA256); !i18n.Is(st.Problem, "trust.problem.no_issuer") {
		t.Errorf("orphan: %+v", st)
	}
	if st := s.Known("nooit-gezien"); st.State != StateUnchecked {
		t.Errorf("unknown certificate: %+v", st)
	}
}

func TestRefreshProgressAndCancel(t *testing.T) {
	ca, s, _ := revocationSetup(t, 5*time.Second)
	var targets []Target
	for i := 0; i < 250; i++ {
		targets = append(targets, TargetOf(issue(t, ca, testca.CRLOnly)))
	}
	var calls, last int
	rep, err := s.Refresh(context.Background(), targets, RefreshOptions{Progress: func(done, total int) {
		calls++
		if done < last || total != 250 {
			t.Errorf("progress %d/%d after %d", done, total, last)
		}
		last = done
	}})
	if err != nil || rep.Good != 250 || last != 250 || calls < 3 || calls > 150 {
		t.Errorf("report %+v, %d calls, last %d, %v", rep, calls, last, err)
	}
	ca.SetMode(testca.Hang)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	if _, err := s.Refresh(ctx, targets, RefreshOptions{}); !i18n.Is(err, "err.context_canceled") {
		t.Errorf("cancelled refresh: %v", err)
	}
}

// Check (a login, a pre-flight check) gives up at its own deadline, even
// when the network time-out is longer, and says it was a time-out.
func TestCheckStopsAtItsDeadline(t *testing.T) {
	ca, s, _ := revocationSetup(t, time.Minute)
	c := issue(t, ca, testca.CRLAndOCSP)
	ca.SetMode(testca.Hang)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	st := s.Check(ctx, c)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Check took %s with a 300 ms deadline", d)
	}
	if st.State != StateUnknown || !i18n.Is(st.Problem, "trust.problem.timeout") {
		t.Errorf("%+v", st)
	}
	ca.SetMode(testca.Normal)
	if st := s.Check(context.Background(), c); st.State != StateGood {
		t.Errorf("afterwards: %+v", st)
	}
}

// A single check uses a stored CRL that is still current; a refresh asks
// the CA again.
func TestCheckUsesTheStoredCRL(t *testing.T) {
	ca, s, _ := revocationSetup(t, 5*time.Second)
	a, b := issue(t, ca, testca.CRLOnly), issue(t, ca, testca.CRLOnly)
	if st := s.Check(context.Background(), a); st.State != StateGood {
		t.Fatalf("%+v", st)
	}
	if st := s.Check(context.Background(), b); st.State != StateGood || ca.Requests("crl") != 1 {
		t.Errorf("second check: %+v, %d CRL requests", st, ca.Requests("crl"))
	}
	refresh(t, s, a, b)
	if n := ca.Requests("crl"); n != 2 {
		t.Errorf("a refresh did not fetch the CRL again (%d requests)", n)
	}
	// A login asks now: a revocation since the last answer counts.
	ca.Revoke(a, time.Now().Add(-time.Minute), 1)
	if st := s.Check(context.Background(), a); st.State != StateGood {
		t.Errorf("Check from the cache: %+v", st)
	}
	if st := s.CheckNow(context.Background(), a); st.State != StateRevoked {
		t.Errorf("CheckNow: %+v", st)
	}
}

// A CA that cannot be reached is said in the user's language: never
// net/http's English ("Get …: dial tcp …: connection refused").
func TestUnreachableServerInWords(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL + "/ca.crl"
	closed.Close()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) }))
	defer failing.Close()
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer hang.Close()
	h := NewHTTPClient(300 * time.Millisecond)
	for url, want := range map[string]string{
		closedURL:                  "de server weigert de verbinding",
		failing.URL + "/ca.crl":    "HTTP-status 500",
		hang.URL + "/ca.crl":       "geen antwoord binnen de wachttijd",
		"http://pkiodesk.invalid/": "niet bereikbaar",
	} {
		_, err := h.Get(context.Background(), url, 1<<20)
		msg := i18n.Localize(i18n.NL, err)
		if !strings.Contains(msg, want) || strings.Contains(msg, "dial tcp") || strings.Contains(msg, "Get \"") {
			t.Errorf("%s: %q", url, msg)
		}
	}
}
