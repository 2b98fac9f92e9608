package inventory

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/demo"
	"pkiodesk/app/i18n"
	"pkiodesk/app/store"
	"pkiodesk/internal/fixture"
)

var testNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func fixedClock() time.Time { return testNow }

func TestMain(m *testing.M) {
	if dir := os.Getenv("PKIODESK_TEST_CRASH_IMPORT"); dir != "" {
		crashImportChild(dir)
		return
	}
	os.Exit(m.Run())
}

func openService(t testing.TB, path string) (*Service, store.Store) {
	t.Helper()
	st, err := store.OpenBolt(path, store.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), st, fixedClock)
	if err != nil {
		t.Fatal(err)
	}
	return s, st
}

func pkioFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(fixture.PKIoDir(t), "*.crt"))
	if err != nil || len(files) != 8 {
		fixture.Missing(t, "expected 8 PKIo certificates, found %d", len(files))
	}
	return files
}

func TestImportRealCertificates(t *testing.T) {
	s, st := openService(t, filepath.Join(t.TempDir(), "db"))
	defer st.Close()
	ctx := context.Background()
	rep, err := s.Import(ctx, ReadFiles(pkioFiles(t)), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Added) != 1 || len(rep.Issuers) != 7 || len(rep.Rejected) != 0 || len(rep.Duplicates) != 0 {
		t.Fatalf("report: %d added, %d issuers, %v rejected, %d dups", len(rep.Added), len(rep.Issuers), rep.Rejected, len(rep.Duplicates))
	}
	rvig := rep.Added[0]
	if rvig.Kind != cert.KindServer || rvig.OIN != "00000001822100824000" || rvig.Source != "RvIG_lap.gbav.idm.diginetwerk.net.crt" {
		t.Errorf("RvIG: %+v", rvig)
	}
	// Default overview: valid only, so the expired RvIG certificate is hidden.
	if v := s.Query(Query{Kind: cert.KindServer}); len(v.Rows) != 0 {
		t.Errorf("valid servers: %d", len(v.Rows))
	}
	if v := s.Query(Query{Kind: cert.KindServer, Status: FilterExpired}); len(v.Rows) != 1 {
		t.Errorf("expired servers: %d", len(v.Rows))
	}
	// Again: everything is a duplicate, nothing changes.
	rep, err = s.Import(ctx, ReadFiles(pkioFiles(t)), ImportOptions{})
	if err != nil || len(rep.Duplicates) != 8 || len(rep.Added)+len(rep.Issuers) != 0 {
		t.Fatalf("re-import: %+v %v", rep, err)
	}
	// Reopen: what was imported is on disk.
	st.Close()
	s2, st2 := openService(t, st.Path())
	defer st2.Close()
	if s2.Len() != 1 {
		t.Errorf("after reopen: %d", s2.Len())
	}
	issuers, _ := st2.Issuers(ctx)
	if len(issuers) != 7 {
		t.Errorf("issuers after reopen: %d", len(issuers))
	}
}

func TestImportRejectsBadFilesAndKeepsTheRest(t *testing.T) {
	dir := t.TempDir()
	s, st := openService(t, filepath.Join(dir, "db"))
	defer st.Close()
	ctx := context.Background()
	gen, err := demo.NewGenerator(1, testNow)
	if err != nil {
		t.Fatal(err)
	}
	first := writePEMs(t, gen, dir, "eerst", 3)
	if _, err := s.Import(ctx, ReadFiles(first), ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage.pem")
	os.WriteFile(garbage, []byte("=cmd|' /C calc'!A0"), 0o600)
	huge := filepath.Join(dir, "huge.crt")
	f, _ := os.Create(huge)
	f.Truncate(cert.MaxFileSize + 1)
	f.Close()
	truncated := filepath.Join(dir, "truncated.crt")
	good, _ := os.ReadFile(first[0])
	os.WriteFile(truncated, good[:len(good)/3], 0o600)
	missing := filepath.Join(dir, "bestaat-niet.crt")
	more := writePEMs(t, gen, dir, "daarna", 2)

	rep, err := s.Import(ctx, ReadFiles(append([]string{garbage, huge, truncated, missing, first[0]}, more...)), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Added) != 2 || len(rep.Duplicates) != 1 || len(rep.Rejected) != 4 {
		t.Fatalf("report: %d added, %d dups, rejected %v", len(rep.Added), len(rep.Duplicates), rep.Rejected)
	}
	wantKeys := []string{"err.not_certificate", "err.file_too_large", "err.pem_malformed", "err.file_read"}
	for i, r := range rep.Rejected {
		if !i18n.Is(r.Err, wantKeys[i]) {
			t.Errorf("rejection %d (%s): %v, want %s", i, r.Source, r.Err, wantKeys[i])
		}
	}
	if s.Len() != 5 {
		t.Errorf("inventory has %d", s.Len())
	}
}

func writePEMs(t testing.TB, gen *demo.Generator, dir, prefix string, n int) []string {
	t.Helper()
	var out []string
	for i := 0; i < n; i++ {
		der, err := gen.NextMixed()
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, fmt.Sprintf("%s-%05d.pem", prefix, i))
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// queryService holds records without DER or store, for query tests.
func queryService(certs ...cert.Certificate) *Service {
	s := &Service{now: fixedClock, loaded: true}
	s.add(certs)
	return s
}

func rec(sha string, kind cert.Kind, cn string, notAfter time.Time) cert.Certificate {
	return cert.Certificate{SHA256: sha, Kind: kind, CommonName: cn, NotAfter: notAfter, NotBefore: notAfter.AddDate(-1, 0, 0)}
}

func TestQueryFilterAndSort(t *testing.T) {
	d := func(days int) time.Time { return testNow.AddDate(0, 0, days) }
	srv := rec("1", cert.KindServer, "api.voorbeeld.nl", d(10))
	srv.DNSNames = []string{"api.voorbeeld.nl", "brp-gateway.voorbeeld.nl"}
	srv.Organization = "Gemeente BRP"
	srv2 := rec("2", cert.KindServer, "Zaken.voorbeeld.nl", d(200))
	srvOld := rec("3", cert.KindServer, "oud.voorbeeld.nl", d(-5))
	srvRevoked := rec("4", cert.KindServer, "ingetrokken.voorbeeld.nl", d(100))
	srvRevoked.Revoked = true
	person := rec("5", cert.KindPersonal, "Anouk Visser", d(50))
	person.Emails = []string{"a.visser@voorbeeld.nl"}
	person.Organization = "BRP-afdeling"
	seal := rec("6", cert.KindESeal, "Gemeente eSeal", d(60))
	seal.Organization = "Gemeente Voorbeeldstad"
	s := queryService(srv, srv2, srvOld, srvRevoked, person, seal)

	shas := func(v View) string {
		var b []string
		for _, r := range v.Rows {
			b = append(b, r.SHA256)
		}
		return strings.Join(b, ",")
	}
	tests := []struct {
		name string
		q    Query
		want string
	}{
		{"default is valid, by expiry", Query{Kind: cert.KindServer}, "1,2"},
		{"descending", Query{Kind: cert.KindServer, Desc: true}, "2,1"},
		{"expired", Query{Kind: cert.KindServer, Status: FilterExpired}, "3"},
		{"revoked", Query{Kind: cert.KindServer, Status: FilterRevoked}, "4"},
		{"all statuses by CN, case-insensitive", Query{Kind: cert.KindServer, Status: FilterAll, Sort: ColCN}, "1,4,3,2"},
		{"server text matches a SAN", Query{Kind: cert.KindServer, Text: "BRP-GATEWAY"}, "1"},
		{"server text does not match O", Query{Kind: cert.KindServer, Text: "gemeente brp"}, ""},
		{"personal text matches e-mail", Query{Kind: cert.KindPersonal, Text: "a.visser@"}, "5"},
		{"personal text does not match O", Query{Kind: cert.KindPersonal, Text: "brp-afdeling"}, ""},
		{"eSeal text matches O", Query{Kind: cert.KindESeal, Text: "voorbeeldstad"}, "6"},
		{"all kinds by status, ties by expiry", Query{Status: FilterAll, Sort: ColStatus}, "1,5,6,2,3,4"},
	}
	for _, tt := range tests {
		if got := shas(s.Query(tt.q)); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
	exp := s.Expiring(60)
	if got := shas(exp); got != "1,5,6" {
		t.Errorf("expiring within 60 days: %q", got)
	}
}

func TestParseWords(t *testing.T) {
	for in, want := range map[string]StatusFilter{"geldig": FilterValid, "Verlopen": FilterExpired, "ingetrokken": FilterRevoked, "alle": FilterAll, "all": FilterAll} {
		if got, err := ParseStatusFilter(in); err != nil || got != want {
			t.Errorf("ParseStatusFilter(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseStatusFilter("kapot"); !i18n.Is(err, "err.unknown_status") {
		t.Error(err)
	}
	if c, desc, err := ParseSort("verloopdatum:desc"); c != ColNotAfter || !desc || err != nil {
		t.Error(c, desc, err)
	}
	if _, _, err := ParseSort("bestaatniet"); err == nil {
		t.Error("unknown column accepted")
	}
	if k, err := ParseKind("eseal"); k != cert.KindESeal || err != nil {
		t.Error(k, err)
	}
}

func TestCSVExportIsTheViewAndSafe(t *testing.T) {
	hostile := rec("1", cert.KindServer, "=HYPERLINK(\"http://x\";\"klik\")", testNow.AddDate(0, 0, 5))
	hostile.Organization = "@SUM(1+1)*cmd|' /C calc'!A0"
	hostile.OIN = "+31"
	hostile.DNSNames = []string{"-2+3"}
	tab := rec("2", cert.KindServer, "\tverborgen", testNow.AddDate(0, 0, 6))
	tab.Organization = "\rnieuwe regel"
	normal := rec("3", cert.KindServer, "Gemeente Zoë", testNow.AddDate(0, 0, 7))
	hidden := rec("4", cert.KindServer, "verlopen", testNow.AddDate(0, 0, -7))
	s := queryService(hostile, tab, normal, hidden)
	v := s.Query(Query{Kind: cert.KindServer, Sort: ColNotAfter, Desc: true})

	var buf bytes.Buffer
	if err := WriteCSV(&buf, v, CSVOptions{Lang: i18n.NL}); err != nil {
		t.Fatal(err)
	}
	out := buf.Bytes()
	if !bytes.HasPrefix(out, []byte("\xEF\xBB\xBF")) {
		t.Fatal("no BOM")
	}
	r := csv.NewReader(bytes.NewReader(out[3:]))
	r.Comma = ';'
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 4 {
		t.Fatalf("%d records, want header + 3 rows", len(records))
	}
	if records[0][1] != "Type" || records[0][2] != "Common Name" || records[0][9] != "Verloopdatum" {
		t.Errorf("header %v", records[0])
	}
	if records[1][2] != "Gemeente Zoë" || records[3][9] != testNow.AddDate(0, 0, 5).Format("2006-01-02") {
		t.Errorf("rows not in view order: %v", records)
	}
	for _, row := range records[1:] {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %q starts with a formula character", cell)
			}
		}
	}
	if records[3][2] != "'=HYPERLINK(\"http://x\";\"klik\")" || records[3][10] != "Geldig" {
		t.Errorf("hostile row %q", records[3])
	}
	var en bytes.Buffer
	WriteCSV(&en, v, CSVOptions{Lang: i18n.EN, Separator: ','})
	if !strings.Contains(en.String(), "Expiry date,Status") {
		t.Errorf("English header: %q", strings.SplitN(en.String(), "\n", 2)[0])
	}
}

func TestMarkRevoked(t *testing.T) {
	dir := t.TempDir()
	s, st := openService(t, filepath.Join(dir, "db"))
	defer st.Close()
	gen, _ := demo.NewGenerator(2, testNow)
	ctx := context.Background()
	rep, err := s.Import(ctx, ReadFiles(writePEMs(t, gen, dir, "r", 1)), ImportOptions{})
	if err != nil || len(rep.Added) != 1 {
		t.Fatal(err)
	}
	sha := rep.Added[0].SHA256
	at := testNow.Add(-time.Hour)
	if err := s.MarkRevoked(ctx, sha, at, "keyCompromise"); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkRevoked(ctx, sha, testNow, "other"); !i18n.Is(err, "err.already_revoked") {
		t.Errorf("second revocation: %v", err)
	}
	c, _ := s.Get(sha)
	if c.Status(testNow) != cert.StatusRevoked || !c.RevokedAt.Equal(at) || c.RevocationReason != "keyCompromise" {
		t.Errorf("after revocation: %+v", c)
	}
	if err := s.MarkRevoked(ctx, "nope", at, ""); !i18n.Is(err, "err.cert_not_found") {
		t.Errorf("unknown: %v", err)
	}
}

// crashImportChild imports every PEM in dir into dir/db, saying "importing"
// first; the parent kills it somewhere in the middle.
func crashImportChild(dir string) {
	st, err := store.OpenBolt(filepath.Join(dir, "db"), store.BoltOptions{})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	s, err := Open(context.Background(), st, fixedClock)
	if err != nil {
		os.Exit(2)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.pem"))
	in, _ := ExpandPaths(files, nil)
	fmt.Println("importing")
	// Small transactions, so that a kill lands between them too.
	rep, err := s.Import(context.Background(), in, ImportOptions{store: store.ImportOptions{BatchBytes: 256 << 10, MemoryBytes: 512 << 10}})
	fmt.Println("done", len(rep.Added), err)
	time.Sleep(time.Hour) // wait for the kill
}

// A process killed in the middle of a large import leaves a database that
// opens and holds all of that import or none of it.
func TestCrashDuringImportLeavesAllOrNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	const n = 4000
	gen, err := demo.NewGenerator(3, testNow)
	if err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	writePEMs(t, gen, src, "c", n)
	outcomes := map[string]int{}
	for i, delay := range []time.Duration{0, 20 * time.Millisecond, 60 * time.Millisecond, 120 * time.Millisecond, 250 * time.Millisecond, 2 * time.Second} {
		dir := t.TempDir()
		files, _ := filepath.Glob(filepath.Join(src, "*.pem"))
		for _, f := range files {
			os.Link(f, filepath.Join(dir, filepath.Base(f)))
		}
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "PKIODESK_TEST_CRASH_IMPORT="+dir)
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, _ := bufio.NewReader(out).ReadString('\n')
		if line != "importing\n" {
			t.Fatalf("child: %q", line)
		}
		time.Sleep(delay)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()

		// Read-only first: an interrupted import is not shown; then for
		// writing, which removes it.
		ro, err := store.OpenBolt(filepath.Join(dir, "db"), store.BoltOptions{Access: store.ReadOnly})
		if err != nil {
			t.Fatalf("run %d: database does not open after the kill: %v", i, err)
		}
		roCerts, _ := ro.Certificates(context.Background())
		ro.Close()
		st, err := store.OpenBolt(filepath.Join(dir, "db"), store.BoltOptions{})
		if err != nil {
			t.Fatalf("run %d: database does not open after the kill: %v", i, err)
		}
		certs, err := st.Certificates(context.Background())
		st.Close()
		if len(roCerts) != len(certs) {
			t.Fatalf("run %d: read-only %d, after clean-up %d", i, len(roCerts), len(certs))
		}
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		switch len(certs) {
		case 0:
			outcomes["none"]++
		case n:
			outcomes["all"]++
		default:
			t.Fatalf("run %d (kill after %v): %d of %d certificates landed", i, delay, len(certs), n)
		}
	}
	t.Logf("outcomes: %v", outcomes)
	if outcomes["none"] == 0 || outcomes["all"] == 0 {
		t.Logf("note: not every outcome was reached (%v); the all-or-nothing check still held", outcomes)
	}
}

// The cached sort order must follow imports and revocations.
func TestQueryOrderFollowsChanges(t *testing.T) {
	dir := t.TempDir()
	s, st := openService(t, filepath.Join(dir, "db"))
	defer st.Close()
	ctx := context.Background()
	gen, _ := demo.NewGenerator(4, testNow)
	if _, err := s.Import(ctx, ReadFiles(writePEMs(t, gen, dir, "a", 20)), ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	all := Query{Status: FilterAll, Sort: ColCN}
	before := s.Query(all)
	if _, err := s.Import(ctx, ReadFiles(writePEMs(t, gen, dir, "b", 5)), ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	after := s.Query(all)
	if len(after.Rows) != len(before.Rows)+5 {
		t.Fatalf("after import: %d rows, want %d", len(after.Rows), len(before.Rows)+5)
	}
	for i := 1; i < len(after.Rows); i++ {
		if compareFold(after.Rows[i-1].CommonName, after.Rows[i].CommonName) > 0 {
			t.Fatalf("not sorted at %d: %q > %q", i, after.Rows[i-1].CommonName, after.Rows[i].CommonName)
		}
	}
	valid := s.Query(Query{Sort: ColCN, Desc: true})
	victim := valid.Rows[0]
	if err := s.MarkRevoked(ctx, victim.SHA256, testNow, "test"); err != nil {
		t.Fatal(err)
	}
	if again := s.Query(Query{Sort: ColCN, Desc: true}); len(again.Rows) != len(valid.Rows)-1 {
		t.Errorf("revoked certificate still in the valid view")
	}
	if victim.Revoked {
		t.Error("a view handed out earlier was changed in place")
	}
}

// The row's copy of the status must agree with cert.Status to the nanosecond.
func TestRowStatusMatchesCertStatus(t *testing.T) {
	na := time.Date(2026, 5, 13, 12, 0, 0, 0, time.UTC)
	for _, c := range []cert.Certificate{{NotAfter: na}, {NotAfter: na.Add(500)}, {NotAfter: na, Revoked: true}, {NotAfter: time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)}} {
		r := newRow(&c)
		for _, now := range []time.Time{na.Add(-time.Second), na, na.Add(1), na.Add(499), na.Add(501), na.Add(time.Second)} {
			if got, want := r.status(now), c.Status(now); got != want {
				t.Errorf("notAfter %v, now %v: row says %s, certificate %s", c.NotAfter, now, got, want)
			}
		}
	}
}

// Every profile has a Dutch and an English name in the Type column.
func TestEveryProfileHasAName(t *testing.T) {
	for _, p := range cert.Profiles() {
		for _, l := range []i18n.Lang{i18n.NL, i18n.EN} {
			got := i18n.T(l, "profile."+string(p))
			if strings.HasPrefix(got, "profile.") || got == "" {
				t.Errorf("%s (%s): no name", p, l)
			}
		}
	}
}

// A bundle the size of 10,000 certificates in PEM (11.4 MB, an export of a
// CA's issuance) is read and imported, not refused as too large.
func TestImportLargeBundle(t *testing.T) {
	dir := t.TempDir()
	s, st := openService(t, filepath.Join(dir, "db"))
	defer st.Close()
	gen, err := demo.NewGenerator(3, testNow)
	if err != nil {
		t.Fatal(err)
	}
	var certs [][]byte
	for range 50 {
		der, err := gen.NextMixed()
		if err != nil {
			t.Fatal(err)
		}
		certs = append(certs, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	}
	// 10,000 certificates: the 50 distinct ones, each 200 times.
	var bundle bytes.Buffer
	for i := range 10000 {
		bundle.Write(certs[i%len(certs)])
	}
	if bundle.Len() <= 10<<20 {
		t.Fatalf("bundle of %d bytes is not larger than the old 10 MiB limit", bundle.Len())
	}
	path := filepath.Join(dir, "uitgifte.pem")
	os.WriteFile(path, bundle.Bytes(), 0o600)
	inputs, _ := ExpandPaths([]string{path}, nil)
	rep, err := s.Import(context.Background(), inputs, ImportOptions{Compact: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rejected) != 0 || rep.Counts.Added+rep.Counts.Issuers != 50 || rep.Counts.Duplicates != 10000-50 {
		t.Errorf("counts %+v, rejected %v", rep.Counts, rep.Rejected)
	}
}
