package store

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"pkiodesk/app/cert"
	"pkiodesk/app/demo"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
)

var testNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// demoEntries issues n real certificates (and the demo CA) as store entries.
func demoEntries(t testing.TB, n int, seed uint64) []Entry {
	t.Helper()
	gen, err := demo.NewGenerator(seed, testNow)
	if err != nil {
		t.Fatal(err)
	}
	out := []Entry{entryOf(t, gen.CA().Raw)}
	for range n {
		der, err := gen.NextMixed()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, entryOf(t, der))
	}
	return out
}

func entryOf(t testing.TB, der []byte) Entry {
	x, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	c := cert.FromX509(x)
	c.ImportedAt, c.Source = testNow, "demo.pem"
	return Entry{Cert: c, DER: der}
}

// goldenDB writes a database of n certificates, people and settings, and
// returns its path with the certificates by fingerprint.
var golden struct {
	once  sync.Once
	path  string
	certs map[string]cert.Certificate
	ders  map[string][]byte
}

func goldenDB(t *testing.T) (string, map[string]cert.Certificate, map[string][]byte) {
	t.Helper()
	golden.once.Do(func() {
		dir, err := os.MkdirTemp("", "pkiodesk-golden-")
		if err != nil {
			t.Fatal(err)
		}
		golden.path = filepath.Join(dir, "golden.db")
		st, err := OpenBolt(golden.path, BoltOptions{Access: CreateNew})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		entries := demoEntries(t, 300, 11)
		if _, _, err := st.AddCertificates(ctx, entries); err != nil {
			t.Fatal(err)
		}
		if err := st.SetUp(ctx, org.Organisation{Name: "Gemeente Voorbeeld", OIN: demo.OIN}, org.Person{ID: "p1", Name: "Anouk de Vries", Role: org.BevoegdVertegenwoordiger, Active: true}); err != nil {
			t.Fatal(err)
		}
		if err := st.SaveSettings(ctx, Settings{Language: "en", ModulePaths: []string{"/usr/lib/x.so"}}); err != nil {
			t.Fatal(err)
		}
		st.Close()
		// The file holds room to grow; the trials need only the used part.
		if err := os.Truncate(golden.path, usedSize(t, golden.path)); err != nil {
			t.Fatal(err)
		}
		golden.certs, golden.ders = map[string]cert.Certificate{}, map[string][]byte{}
		for _, e := range entries {
			golden.certs[e.Cert.SHA256] = e.Cert
			golden.ders[e.Cert.SHA256] = e.DER
		}
	})
	if golden.path == "" {
		t.Fatal("golden database was not made")
	}
	return golden.path, golden.certs, golden.ders
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// sameCert compares what a user sees of a certificate.
func sameCert(a, b cert.Certificate) bool {
	a.NotBefore, b.NotBefore = a.NotBefore.UTC(), b.NotBefore.UTC()
	return reflect.DeepEqual(a, b)
}

// assertNothingWrong reads everything a store offers and fails when a
// value differs from what was stored: damage may hide records, and must be
// reported, but never change one.
func assertNothingWrong(t *testing.T, trial string, st Store, want map[string]cert.Certificate, ders map[string][]byte) (shown int) {
	t.Helper()
	ctx := context.Background()
	recs, bad, err := st.CertificateRecords(ctx)
	if err != nil && !IsDamaged(err) {
		t.Fatalf("%s: Records: %v", trial, err)
	}
	for i := range recs {
		c := recs[i].Decode()
		w, ok := want[c.SHA256]
		if !ok || !sameCert(c, w) || recs[i].CommonName != w.CommonName || recs[i].NotAfter != w.NotAfter || recs[i].Kind != w.Kind {
			t.Fatalf("%s: a record changed without a warning:\n got %+v\nwant %+v", trial, c, w)
		}
	}
	for _, d := range bad {
		if d.Err == nil || d.Label() == "" {
			t.Fatalf("%s: damage without a reason: %+v", trial, d)
		}
	}
	issuers, err := st.Issuers(ctx)
	if err != nil && !IsDamaged(err) && !i18n.Is(err, "err.records_damaged") && !strings.Contains(fmt.Sprint(err), "damaged") {
		t.Fatalf("%s: Issuers: %v", trial, err)
	}
	for _, c := range issuers {
		if w, ok := want[c.SHA256]; !ok || !sameCert(c, w) {
			t.Fatalf("%s: an issuer changed without a warning: %+v", trial, c)
		}
	}
	i := 0
	for sha, der := range ders {
		if i++; i%5 != 0 {
			continue // a sample keeps the hundreds of trials quick
		}
		got, err := st.DER(ctx, sha)
		if err == nil && !bytes.Equal(got, der) {
			t.Fatalf("%s: DER of %s changed without a warning", trial, sha)
		}
	}
	if s, err := st.Settings(ctx); err == nil && s.Language != "" && s.Language != "en" {
		t.Fatalf("%s: settings changed without a warning: %+v", trial, s)
	}
	if people, err := st.People(ctx); err == nil || i18n.Is(err, "err.people_damaged") || IsDamaged(err) {
		for _, p := range people {
			if p.Name != "Anouk de Vries" || p.Role != org.BevoegdVertegenwoordiger {
				t.Fatalf("%s: a person changed without a warning: %+v", trial, p)
			}
		}
	}
	return len(recs)
}

// openAny opens a damaged file the way the command line does: bbolt
// read-only, else what can still be read.
func openAny(t *testing.T, path string) (Store, error) {
	t.Helper()
	st, err := OpenBolt(path, BoltOptions{Access: ReadOnly})
	if err == nil {
		return st, nil
	}
	if !IsDamaged(err) && !i18n.Is(err, "err.db_not_pkiodesk") {
		t.Fatalf("open: unexpected error %v", err)
	}
	if !IsDamaged(err) {
		return nil, err
	}
	s, err2 := OpenSalvaged(context.Background(), path, err)
	if err2 != nil {
		t.Fatalf("salvage: %v", err2)
	}
	return s, err
}

// Truncated files made bbolt fault (SIGBUS) on the memory map; they are
// refused before mapping, and what lies in the part that is left is read.
func TestTruncatedDatabaseIsRefusedAndPartlyRead(t *testing.T) {
	golden, want, ders := goldenDB(t)
	used := usedSize(t, golden)
	sizes := map[string]int64{"8K": 8 << 10, "12K": 12 << 10, "16K": 16 << 10, "half": used / 2, "one page short": used - 4096, "odd": used/3 + 123}
	for name, size := range sizes {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "db")
			copyFile(t, golden, path)
			if err := os.Truncate(path, size); err != nil {
				t.Fatal(err)
			}
			for _, access := range []Access{ReadOnly, OpenExisting, OpenOrCreate} {
				st, err := OpenBolt(path, BoltOptions{Access: access})
				if err == nil {
					st.Close()
					t.Fatalf("access %d: a truncated database opened", access)
				}
				if !IsDamaged(err) {
					t.Fatalf("access %d: %v, want damaged", access, err)
				}
				msg := i18n.Localize(i18n.NL, err)
				if !strings.Contains(msg, "is beschadigd") || strings.Contains(msg, "truncated") {
					t.Errorf("message %q", msg)
				}
			}
			s, _ := openAny(t, path)
			assertNothingWrong(t, name, s, want, ders)
			rep, err := CheckFile(context.Background(), path)
			if err != nil || rep.OK() || len(rep.Structure) == 0 {
				t.Errorf("check: %v %+v", err, rep)
			}
			if after, _ := os.Stat(path); after.Size() != size {
				t.Errorf("opening changed the damaged file's size to %d", after.Size())
			}
		})
	}
}

// usedSize is the part of a database file its meta page says is in use.
func usedSize(t *testing.T, path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	bf, err := inspectBolt(f, fi.Size())
	if err != nil {
		t.Fatal(err)
	}
	return int64(bf.meta.hwm) * int64(bf.pageSize)
}

// Random damage: 32-byte and 1-byte overwrites anywhere in the file. No
// trial may crash, and no trial may show a value that differs from what
// was stored.
func TestRandomDamageNeverCrashesNorLies(t *testing.T) {
	golden, want, ders := goldenDB(t)
	orig, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(2026, 11))
	trials := 300
	if testing.Short() {
		trials = 60
	}
	used := int(usedSize(t, golden))
	extras := demoEntries(t, trials, 1000)[1:]
	outcomes := map[string]int{}
	dir := t.TempDir()
	for i := range trials {
		data := bytes.Clone(orig)
		n := 32
		if i%2 == 1 {
			n = 1
		}
		off := rnd.IntN(used - n)
		for j := range n {
			data[off+j] = byte(rnd.Uint32())
		}
		if bytes.Equal(data, orig) {
			continue
		}
		path := filepath.Join(dir, fmt.Sprintf("t%d.db", i))
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		trial := fmt.Sprintf("trial %d (%d bytes at %d)", i, n, off)
		st, err := openAny(t, path)
		switch {
		case err == nil:
			outcomes["opened"]++
		case IsDamaged(err):
			outcomes["refused as damaged"]++
		default:
			outcomes["refused: "+i18n.Localize(i18n.EN, err)]++
			continue
		}
		shown := assertNothingWrong(t, trial, st, want, ders)
		if shown < len(want)-1 {
			outcomes["some records hidden"]++
		}
		if _, _, err := st.CertificateRecords(context.Background()); IsDamaged(err) {
			outcomes["damaged page met while reading"]++
		}
		st.Close()
		// Writing to it fails cleanly or works; it never crashes, and
		// what it leaves is still honest.
		if rw, err := OpenBolt(path, BoltOptions{Access: OpenExisting}); err == nil {
			extra := extras[i : i+1]
			_, _, _ = rw.AddCertificates(context.Background(), extra)
			rw.Close()
			if again, err := openAny(t, path); again != nil {
				all := map[string]cert.Certificate{extra[0].Cert.SHA256: extra[0].Cert}
				for k, v := range want {
					all[k] = v
				}
				_ = err
				assertNothingWrong(t, trial+" after a write", again, all, ders)
				again.Close()
			}
		}
		os.Remove(path)
	}
	t.Logf("outcomes of %d trials: %v", trials, outcomes)
}

// Every page in turn gets a wrong page id (bbolt asserts on it) or a wrong
// type: reading never crashes, and a damaged page in the certificates'
// tree gives "damaged" with the records that are still reachable.
func TestDamagedPageHeadersAreContained(t *testing.T) {
	golden, want, ders := goldenDB(t)
	orig, _ := os.ReadFile(golden)
	pages := int(usedSize(t, golden) / 4096)
	met := 0
	for id := 2; id < pages; id++ {
		for _, what := range []string{"id", "type"} {
			data := bytes.Clone(orig)
			if what == "id" {
				binary.LittleEndian.PutUint64(data[id*4096:], uint64(id+7))
			} else {
				binary.LittleEndian.PutUint16(data[id*4096+8:], 0x40)
			}
			path := filepath.Join(t.TempDir(), "db")
			os.WriteFile(path, data, 0o600)
			trial := fmt.Sprintf("page %d %s", id, what)
			st, err := openAny(t, path)
			if err != nil && !IsDamaged(err) {
				continue
			}
			assertNothingWrong(t, trial, st, want, ders)
			if _, _, err := st.CertificateRecords(context.Background()); IsDamaged(err) {
				met++
			}
			st.Close()
		}
	}
	if met == 0 {
		t.Error("no damaged page was ever met: the test damages the wrong places")
	}
	t.Logf("%d of %d damaged pages were met while reading", met, 2*(pages-2))
}

// One changed byte inside one record: that record is named as damaged (by
// its certificate's name, read from the intact DER), the rest stays usable.
func TestDamagedRecordIsNamedAndTheRestUsable(t *testing.T) {
	golden, want, _ := goldenDB(t)
	path := filepath.Join(t.TempDir(), "db")
	copyFile(t, golden, path)
	// Find one server certificate's record in the file by its CN.
	var victim cert.Certificate
	for _, c := range want {
		if c.Kind == cert.KindServer {
			victim = c
			break
		}
	}
	data, _ := os.ReadFile(path)
	rec := encodeRecord(&victim)
	at := bytes.Index(data, rec)
	if at < 0 {
		t.Fatal("record not found in the file")
	}
	// Change one letter of the CN, as in the report ("lap" became "Xap").
	cn := at + bytes.Index(rec, []byte(victim.CommonName))
	data[cn] = 'X'
	os.WriteFile(path, data, 0o600)

	st, err := OpenBolt(path, BoltOptions{Access: ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	recs, bad, err := st.CertificateRecords(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) != 1 || bad[0].Key != victim.SHA256 || bad[0].Name != victim.CommonName {
		t.Fatalf("damaged: %+v", bad)
	}
	if !i18n.Is(bad[0].Err, "rec.checksum") {
		t.Errorf("reason: %v", bad[0].Err)
	}
	for _, r := range recs {
		if strings.HasPrefix(r.CommonName, "X") {
			t.Fatalf("the damaged value is shown: %q", r.CommonName)
		}
	}
	ownWant := 0
	for _, c := range want {
		if c.Kind != cert.KindCA {
			ownWant++
		}
	}
	if len(recs) != ownWant-1 {
		t.Errorf("%d records usable, want %d", len(recs), ownWant-1)
	}
	certs, err := st.Certificates(context.Background())
	if len(certs) != ownWant-1 || !i18n.Is(err, "err.records_damaged") ||
		!strings.Contains(i18n.Localize(i18n.NL, err), "1 beschadigd record overgeslagen: "+victim.CommonName) {
		t.Errorf("Certificates: %d, %v", len(certs), i18n.Localize(i18n.NL, err))
	}
	// The DER is checked against its fingerprint when read.
	der := golden
	_ = der
	if _, err := st.UpdateCertificate(context.Background(), victim.SHA256, func(*cert.Certificate) error { return nil }); err == nil {
		t.Error("a damaged record was updated")
	}
}

func TestDamagedDERIsRefused(t *testing.T) {
	golden, _, ders := goldenDB(t)
	path := filepath.Join(t.TempDir(), "db")
	copyFile(t, golden, path)
	data, _ := os.ReadFile(path)
	var sha string
	for k := range ders {
		sha = k
		break
	}
	at := bytes.Index(data, ders[sha])
	data[at+len(ders[sha])/2] ^= 0x40
	os.WriteFile(path, data, 0o600)
	st, err := OpenBolt(path, BoltOptions{Access: ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.DER(context.Background(), sha); !i18n.Is(err, "err.der_damaged") {
		t.Errorf("damaged DER: %v", err)
	}
	rep, _ := st.Check(context.Background())
	if rep.OK() || len(rep.Damaged) != 1 || rep.Damaged[0].Key != sha {
		t.Errorf("check: %+v", rep)
	}
}

// Only the window's first start and `init` create a database.
func TestOnlyCreatingAccessCreates(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "typo", "pkiodesk.db")
	for _, access := range []Access{OpenExisting, ReadOnly} {
		if _, err := OpenBolt(missing, BoltOptions{Access: access}); !i18n.Is(err, "err.db_missing") {
			t.Errorf("access %d on a missing file: %v", access, err)
		}
	}
	if _, err := os.Stat(filepath.Dir(missing)); err == nil {
		t.Error("a folder was created for a missing database")
	}
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o600)
	for _, access := range []Access{OpenExisting, ReadOnly, OpenOrCreate} {
		_, err := OpenBolt(empty, BoltOptions{Access: access})
		if !i18n.Is(err, "err.db_empty") {
			t.Errorf("access %d on an empty file: %v", access, err)
		}
		if fi, _ := os.Stat(empty); fi.Size() != 0 {
			t.Fatal("an empty file was made into a database")
		}
	}
	if _, err := OpenBolt("", BoltOptions{Access: OpenExisting}); !i18n.Is(err, "err.db_path_empty") {
		t.Errorf("empty path: %v", err)
	}
	if _, err := OpenBolt(dir, BoltOptions{Access: ReadOnly}); !i18n.Is(err, "err.db_open") ||
		!strings.Contains(i18n.Localize(i18n.NL, err), "is een map") {
		t.Errorf("folder: %v", err)
	}
	st, err := OpenBolt(empty, BoltOptions{Access: CreateNew})
	if err != nil {
		t.Fatalf("init on an empty file: %v", err)
	}
	st.Close()
	if _, err := OpenBolt(empty, BoltOptions{Access: CreateNew}); !i18n.Is(err, "err.db_exists") {
		t.Errorf("init on an existing database: %v", err)
	}
	st, err = OpenBolt(missing, BoltOptions{Access: OpenOrCreate})
	if err != nil {
		t.Fatalf("first start: %v", err)
	}
	st.Close()
}

// A FIFO in place of the database is refused at once, not waited on.
func TestFIFODatabaseIsRefusedWithoutWaiting(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "db")
	if err := mkfifo(fifo); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := OpenBolt(fifo, BoltOptions{Access: ReadOnly})
		done <- err
	}()
	select {
	case err := <-done:
		if !strings.Contains(i18n.Localize(i18n.NL, err), "FIFO") {
			t.Errorf("err = %v", i18n.Localize(i18n.NL, err))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("opening a FIFO as the database hangs")
	}
}

func TestReadOnlyOpenWritesNothing(t *testing.T) {
	golden, want, ders := goldenDB(t)
	path := filepath.Join(t.TempDir(), "db")
	copyFile(t, golden, path)
	os.Chmod(path, 0o400)
	before, _ := os.ReadFile(path)
	st, err := OpenBolt(path, BoltOptions{Access: ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	assertNothingWrong(t, "read-only", st, want, ders)
	if _, _, err := st.AddCertificates(context.Background(), demoEntries(t, 1, 5)[1:]); !i18n.Is(err, "err.db_read_only") {
		t.Errorf("write on a read-only store: %v", err)
	}
	// A second reader at the same time is fine.
	st2, err := OpenBolt(path, BoltOptions{Access: ReadOnly, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Errorf("second reader: %v", err)
	} else {
		st2.Close()
	}
	st.Close()
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("a read-only open changed the file")
	}
}

// An import in several transactions lands all or nothing.
func TestImportJournal(t *testing.T) {
	st, path := openTemp(t)
	ctx := context.Background()
	entries := demoEntries(t, 30, 21)
	small := ImportOptions{BatchBytes: 4000, MemoryBytes: 8000} // several transactions, spilled
	// The last transaction fails, as if the process died before it: the
	// batches before it stay journalled.
	imp := st.BeginImport(small)
	if err := imp.Add(ctx, entries[:20]); err != nil {
		t.Fatal(err)
	}
	if _, err := imp.Finish(ctx, func(*Tx) error { return errors.New("stroomstoring") }); err == nil {
		t.Fatal("a failing last step succeeded")
	}
	// Readers see none of it.
	if recs, _, _ := st.CertificateRecords(ctx); len(recs) != 0 {
		t.Fatalf("unfinished import visible: %d records", len(recs))
	}
	var journalled string
	_ = st.View(ctx, func(tx *Tx) error {
		return tx.tx.Bucket(bucketPending).ForEach(func(k, _ []byte) error { journalled = string(k); return nil })
	})
	if journalled == "" {
		t.Fatal("nothing was journalled: the test did not use several transactions")
	}
	if _, err := st.DER(ctx, journalled); !i18n.Is(err, "err.cert_not_found") {
		t.Errorf("DER of an unfinished import: %v", err)
	}
	// The process dies here: the next open for writing removes it.
	st.Close()
	ro, err := OpenBolt(path, BoltOptions{Access: ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	if recs, _, _ := ro.CertificateRecords(ctx); len(recs) != 0 {
		t.Errorf("interrupted import visible read-only: %d", len(recs))
	}
	rep, _ := ro.Check(ctx)
	if rep.Pending == 0 || !rep.OK() {
		t.Errorf("check of an interrupted import: pending %d, %+v", rep.Pending, rep)
	}
	ro.Close()
	rw, err := OpenBolt(path, BoltOptions{Access: OpenExisting})
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	_ = rw.View(ctx, func(tx *Tx) error {
		if tx.tx.Bucket(bucketPending) != nil || tx.tx.Bucket(bucketDER).Stats().KeyN != 0 {
			t.Error("an interrupted import was not removed")
		}
		return nil
	})

	// A finished import is visible at once, together with another
	// package's bucket written in its last transaction.
	imp = rw.BeginImport(small)
	imp.Add(ctx, entries[:10])
	imp.Add(ctx, entries[10:])
	dups, err := imp.Finish(ctx, func(tx *Tx) error {
		rec, err := tx.Records("revocation-cache")
		if err != nil {
			return err
		}
		return rec.Put("crl", []byte("1"))
	})
	if err != nil || len(dups) != 0 {
		t.Fatalf("finish: %v %v", dups, err)
	}
	if recs, _, _ := rw.CertificateRecords(ctx); len(recs) != 30 {
		t.Errorf("after finish: %d records", len(recs))
	}
	// Fingerprints stored before are reported, not stored twice.
	more := demoEntries(t, 4, 22)[1:]
	imp = rw.BeginImport(small)
	imp.Add(ctx, append([]Entry{entries[5]}, more...))
	if dups, err := imp.Finish(ctx, nil); err != nil || len(dups) != 1 || !dups[entries[5].Cert.SHA256] {
		t.Errorf("duplicates: %v %v", dups, err)
	}
	// Abort removes what an unfinished import stored.
	extra := demoEntries(t, 6, 23)[1:]
	imp = rw.BeginImport(small)
	imp.Add(ctx, extra)
	imp.Finish(ctx, func(*Tx) error { return errors.New("nee") })
	if err := imp.Abort(ctx); err != nil {
		t.Fatal(err)
	}
	if recs, _, _ := rw.CertificateRecords(ctx); len(recs) != 34 {
		t.Errorf("after abort: %d records", len(recs))
	}
	_ = rw.ViewRecords(ctx, "revocation-cache", func(rec RecordTx) error {
		if string(rec.Get("crl")) != "1" {
			t.Error("the other package's collection did not land")
		}
		return nil
	})
	_ = rw.View(ctx, func(tx *Tx) error {
		if tx.tx.Bucket(bucketPending) != nil {
			t.Error("journal left behind")
		}
		return nil
	})
	// No temporary files are left beside the database.
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".pkiodesk-import-*")); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

func TestBackupIsAConsistentCopy(t *testing.T) {
	golden, want, ders := goldenDB(t)
	path := filepath.Join(t.TempDir(), "db")
	copyFile(t, golden, path)
	st, err := OpenBolt(path, BoltOptions{Access: ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	dir := t.TempDir()
	backup := filepath.Join(dir, "kopie.db")
	if err := st.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(backup); fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v", fi.Mode())
	}
	b, err := OpenBolt(backup, BoltOptions{Access: ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	if n := assertNothingWrong(t, "backup", b, want, ders); n != len(want)-1 {
		t.Errorf("backup holds %d records", n)
	}
	b.Close()
	// Not onto the database itself, also not through a link.
	link := filepath.Join(dir, "link.db")
	os.Symlink(path, link)
	for _, target := range []string{path, link} {
		if err := st.Backup(ctx, target); !i18n.Is(err, "err.backup_is_database") {
			t.Errorf("backup onto %s: %v", target, err)
		}
	}
	// Not onto a device or a FIFO: refused, and nothing replaced.
	fifo := filepath.Join(dir, "fifo")
	if mkfifo(fifo) == nil {
		if err := st.Backup(ctx, fifo); err == nil || !strings.Contains(i18n.Localize(i18n.NL, err), "FIFO") {
			t.Errorf("backup onto a FIFO: %v", err)
		}
		if fi, _ := os.Lstat(fifo); fi.Mode()&os.ModeNamedPipe == 0 {
			t.Error("the FIFO was replaced")
		}
	}
	if err := st.Backup(ctx, os.DevNull); err == nil {
		t.Error("backup onto /dev/null succeeded")
	}
	// A link to a regular file: the file is replaced, the link stays.
	target := filepath.Join(dir, "doel.db")
	os.WriteFile(target, []byte("oud"), 0o640)
	tlink := filepath.Join(dir, "naar-doel.db")
	os.Symlink(target, tlink)
	if err := st.Backup(ctx, tlink); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(tlink); fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the link was replaced")
	}
	if fi, _ := os.Stat(target); fi.Size() < 4096 || fi.Mode().Perm() != 0o640 {
		t.Errorf("the link's target: %v %v", fi.Size(), fi.Mode())
	}
}

// An old (schema 1) database opens read-only as it is, and is copied aside
// and then migrated when opened for writing.
func TestSchema1IsCopiedThenMigrated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "oud.db")
	entries := demoEntries(t, 20, 31)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	person := org.Person{ID: "p1", Name: "Jan Jansen", Role: org.BevoegdVertegenwoordiger, Active: true}
	err = db.Update(func(tx *bolt.Tx) error {
		meta, _ := tx.CreateBucket(bucketMeta)
		meta.Put(keyApp, appMarker)
		meta.Put(keySchema, binary.BigEndian.AppendUint32(nil, 1))
		certs, _ := tx.CreateBucket(bucketCerts)
		issuers, _ := tx.CreateBucket(bucketIssuers)
		ders, _ := tx.CreateBucket(bucketDER)
		for _, e := range entries {
			bk := certs
			if e.Cert.Kind == cert.KindCA {
				bk = issuers
			}
			bk.Put([]byte(e.Cert.SHA256), encodeV1(&e.Cert))
			ders.Put([]byte(e.Cert.SHA256), e.DER)
		}
		// Orders and assignments as schema 1 wrote them: bare JSON.
		orders, _ := tx.CreateBucket(bucketOrders)
		rec := draftRecord("PKIO-OUD", `{"fqdn":"www.voorbeeld.nl"}`)
		plain, _ := json.Marshal(rec)
		orders.Put([]byte(rec.ID), plain)
		assignments, _ := tx.CreateBucket(bucketAssignments)
		assignments.Put([]byte(entries[0].Cert.SHA256), []byte(`{"contact":"p1"}`))
		people, _ := tx.CreateBucket(bucketPeople)
		return people.Put([]byte("p1"), []byte(`{"ID":"p1","Name":"Jan Jansen","Role":"bevoegd-vertegenwoordiger","Active":true}`))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	ctx := context.Background()
	ro, err := OpenBolt(path, BoltOptions{Access: ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	if recs, bad, err := ro.CertificateRecords(ctx); len(recs) != 20 || len(bad) != 0 || err != nil {
		t.Errorf("schema 1 read-only: %d %v %v", len(recs), bad, err)
	}
	ro.Close()
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("a read-only open changed an old database")
	}
	rw, err := OpenBolt(path, BoltOptions{Access: OpenExisting, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	from, backup := rw.Migration()
	if from != 1 || backup != path+".schema1-20261123T120000.bak" {
		t.Errorf("migration %d %q", from, backup)
	}
	if got := BackupsOf(path); len(got) != 1 || got[0] != backup {
		t.Errorf("BackupsOf: %v", got)
	}
	certs, err := rw.Certificates(ctx)
	if err != nil || len(certs) != 20 {
		t.Fatalf("after migration: %d %v", len(certs), err)
	}
	for _, c := range certs {
		var w cert.Certificate
		for _, e := range entries {
			if e.Cert.SHA256 == c.SHA256 {
				w = e.Cert
			}
		}
		if !sameCert(c, w) {
			t.Errorf("migration changed %s", c.CommonName)
		}
	}
	if people, err := rw.People(ctx); err != nil || len(people) != 1 || !reflect.DeepEqual(people[0], person) {
		t.Errorf("people after migration: %+v %v", people, err)
	}
	_ = rw.View(ctx, func(tx *Tx) error {
		if v := tx.tx.Bucket(bucketCerts).Get([]byte(certs[0].SHA256)); v[0] != recordVersion {
			t.Error("records were not rewritten")
		}
		if v := tx.tx.Bucket(bucketPeople).Get([]byte("p1")); v[0] != jsonVersion {
			t.Error("people were not rewritten")
		}
		if v := tx.tx.Bucket(bucketOrders).Get([]byte("PKIO-OUD")); v[0] != jsonVersion {
			t.Error("orders were not rewritten")
		}
		if v := tx.tx.Bucket(bucketAssignments).Get([]byte(entries[0].Cert.SHA256)); v[0] != jsonVersion {
			t.Error("assignments were not rewritten")
		}
		return nil
	})
	if o, err := rw.Order(ctx, "PKIO-OUD"); err != nil || o.ID != "PKIO-OUD" {
		t.Errorf("order after migration: %+v %v", o, err)
	}
	if a, err := rw.Assignment(ctx, entries[0].Cert.SHA256); err != nil || a.ContactID != "p1" {
		t.Errorf("assignment after migration: %+v %v", a, err)
	}
	rw.Close()
	// The copy is the old database, as it was.
	old, err := OpenBolt(backup, BoltOptions{Access: ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if old.schema != 1 {
		t.Errorf("copy has schema %d", old.schema)
	}
}

// The file checker and the salvage reader must take any bytes.
func FuzzOpenDatabase(f *testing.F) {
	seed := filepath.Join(f.TempDir(), "seed.db")
	st, err := OpenBolt(seed, BoltOptions{Access: CreateNew})
	if err != nil {
		f.Fatal(err)
	}
	// Records with small stand-in DER: no key generation in the fuzz setup.
	var entries []Entry
	for i := range 3 {
		der := []byte{0x30, byte(i)}
		entries = append(entries, Entry{Cert: sample(cert.Fingerprint(der), cert.KindServer), DER: der})
	}
	st.AddCertificates(context.Background(), entries)
	st.SaveSettings(context.Background(), Settings{Language: "nl"})
	st.Close()
	data, _ := os.ReadFile(seed)
	// Only the used pages: bbolt leaves room to grow, which the fuzzer
	// would copy around for nothing.
	if f, err := os.Open(seed); err == nil {
		if bf, err := inspectBolt(f, int64(len(data))); err == nil {
			data = data[:bf.meta.hwm*uint64(bf.pageSize)]
		}
		f.Close()
	}
	f.Add(data)
	f.Add(data[:8192])
	f.Add(data[:12288])
	f.Add([]byte{})
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		tmp, err := os.CreateTemp(dir, "db")
		if err != nil {
			t.Fatal(err)
		}
		path := tmp.Name()
		defer os.Remove(path)
		tmp.Write(data)
		tmp.Close()
		ctx := context.Background()
		if st, err := OpenBolt(path, BoltOptions{Access: ReadOnly}); err == nil {
			st.CertificateRecords(ctx)
			st.Issuers(ctx)
			st.People(ctx)
			st.Settings(ctx)
			st.Close()
		}
		if s, err := OpenSalvaged(ctx, path, errDamaged); err == nil {
			recs, _, _ := s.CertificateRecords(ctx)
			for i := range recs {
				recs[i].Decode()
			}
		}
		CheckFile(ctx, path)
	})
}

// encodeV1 writes the schema 1 layout; only tests use it, to build old databases.
func encodeV1(c *cert.Certificate) []byte {
	b := []byte{recordV1}
	for _, s := range []string{
		c.SHA256, string(c.Kind), c.CommonName, c.Organization, c.OrganizationalUnit,
		c.OIN, c.OrganizationIdentifier, c.GivenName, c.Surname, c.Subject, c.Issuer,
		c.IssuerCN, c.Serial, c.KeyType, c.SignatureAlgorithm, c.RevocationReason, c.Source,
	} {
		b = appendString(b, s)
	}
	for _, list := range [][]string{c.DNSNames, c.Emails, c.Policies, c.KeyUsage, c.ExtKeyUsage} {
		b = appendStrings(b, list)
	}
	b = binary.AppendUvarint(b, uint64(c.KeyBits))
	var flags byte
	if c.IsCA {
		flags |= 1
	}
	if c.Revoked {
		flags |= 2
	}
	b = append(b, flags)
	for _, t := range []time.Time{c.NotBefore, c.NotAfter, c.RevokedAt, c.ImportedAt} {
		b = appendTime(b, t)
	}
	return b
}

// A damaged element count in a leaf page hides records from a cursor
// without any error (bbolt trusts it). Lowered by one or set to zero on
// every leaf page in turn: a read never answers with fewer certificates
// without saying so, and db check finds it.
func TestHiddenRecordsAreReported(t *testing.T) {
	golden, want, ders := goldenDB(t)
	orig, _ := os.ReadFile(golden)
	own := 0
	for _, c := range want {
		if c.Kind != cert.KindCA {
			own++
		}
	}
	hidden := 0
	lowerLeafCounts(t, orig[:usedSize(t, golden)], func(trial, path string) {
		st, err := openAny(t, path)
		if err != nil && !IsDamaged(err) {
			return
		}
		defer st.Close()
		assertNothingWrong(t, trial, st, want, ders)
		recs, bad, _ := st.CertificateRecords(context.Background())
		if len(recs) < own {
			hidden++
			if len(recs)+len(bad) < own {
				t.Errorf("%s: %d of %d certificates shown, %d reported damaged: the rest is lost silently", trial, len(recs), own, len(bad))
			}
			if rep, err := st.Check(context.Background()); err != nil || rep.OK() {
				t.Errorf("%s: db check finds nothing (%v)", trial, err)
			}
		}
	})
	if hidden == 0 {
		t.Error("no record was ever hidden: the test damages the wrong places")
	}
	t.Logf("%d damaged counts hid records", hidden)
}

// A record reported missing or damaged is written again when its
// certificate is imported anew, and the counts stay true.
func TestReimportRepairsAHiddenRecord(t *testing.T) {
	ctx := context.Background()
	entries := demoEntries(t, 40, 5)
	path := storedDB(t, entries)
	// Hide the last record of the first certs leaf that holds more than one.
	data, _ := os.ReadFile(path)
	hiddenOn := -1
	for id := 2; id*4096 < len(data); id++ {
		p := data[id*4096:]
		if binary.LittleEndian.Uint16(p[8:]) == 0x02 && binary.LittleEndian.Uint16(p[10:]) > 1 {
			// A certs record starts with its version byte and the key.
			elem := p[16:]
			pos := binary.LittleEndian.Uint32(elem[4:])
			ksize := binary.LittleEndian.Uint32(elem[8:])
			vsize := binary.LittleEndian.Uint32(elem[12:])
			if vsize < 200 || vsize > 4000 || ksize != 64 || 16+pos+ksize+vsize > 4096 {
				continue
			}
			v := p[16+pos+ksize : 16+pos+ksize+vsize]
			if checkRecord(p[16+pos:16+pos+ksize], v) != nil {
				continue // not a certificate record page
			}
			binary.LittleEndian.PutUint16(data[id*4096+10:], binary.LittleEndian.Uint16(p[10:])-1)
			hiddenOn = id
			break
		}
	}
	if hiddenOn < 0 {
		t.Fatal("no certificate leaf page found")
	}
	os.WriteFile(path, data, 0o600)
	st, err := OpenBolt(path, BoltOptions{Access: OpenExisting})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, bad, _ := st.CertificateRecords(ctx)
	if len(bad) != 1 || !i18n.Is(bad[0].Err, "err.record_missing") || bad[0].Name == "" {
		t.Fatalf("hidden record reported as %+v", bad)
	}
	var again []Entry
	for _, e := range entries {
		if e.Cert.SHA256 == bad[0].Key {
			again = append(again, e)
		}
	}
	if _, _, err := st.AddCertificates(ctx, again); err != nil {
		t.Fatal(err)
	}
	recs, bad, err := st.CertificateRecords(ctx)
	if err != nil || len(bad) != 0 {
		t.Fatalf("after the import: %d records, damage %+v, %v", len(recs), bad, err)
	}
	own := 0
	for _, e := range entries {
		if e.Cert.Kind != cert.KindCA {
			own++
		}
	}
	if len(recs) != own {
		t.Errorf("%d records, want %d", len(recs), own)
	}
	if rep, err := st.Check(ctx); err != nil || !rep.OK() {
		t.Errorf("db check after the repair: %+v %v", rep, err)
	}
}

// Counts that fail their checksum are counted again when the database is
// next opened for writing. A record the same damage hid must not become
// the new truth: its DER still counts it, and the read reports it.
func TestRecountKeepsAHiddenRecordMissing(t *testing.T) {
	for _, counts := range []string{"damaged", "absent"} {
		t.Run(counts, func(t *testing.T) {
			ctx := context.Background()
			path := storedDB(t, demoEntries(t, 20, 3))
			var hidden string
			rawUpdate(t, path, func(tx *bolt.Tx) error {
				k, _ := tx.Bucket(bucketCerts).Cursor().First()
				hidden = string(k)
				if err := tx.Bucket(bucketCerts).Delete(k); err != nil {
					return err
				}
				meta := tx.Bucket(bucketMeta)
				if counts == "absent" {
					return meta.Delete(keyCounts)
				}
				v := bytes.Clone(meta.Get(keyCounts))
				v[3] ^= 0x10
				return meta.Put(keyCounts, v)
			})

			if counts == "absent" {
				// A database from before the counts, read by a monitoring
				// host that never writes: the DERs count the records.
				ro, err := OpenBolt(path, BoltOptions{Access: ReadOnly})
				if err != nil {
					t.Fatal(err)
				}
				_, bad, err := ro.CertificateRecords(ctx)
				ro.Close()
				if err != nil || len(bad) != 1 || bad[0].Key != hidden {
					t.Errorf("read-only, without counts: the hidden record is reported as %+v (%v)", bad, err)
				}
			}
			if counts == "damaged" {
				ro, err := OpenBolt(path, BoltOptions{Access: ReadOnly})
				if err != nil {
					t.Fatal(err)
				}
				rep, err := ro.Check(ctx)
				ro.Close()
				if err != nil || !slices.ContainsFunc(rep.Structure, func(e error) bool { return i18n.Is(e, "dbfile.counts_damaged") }) {
					t.Errorf("db check does not name the damaged counts: %+v %v", rep.Structure, err)
				}
			}

			st, err := OpenBolt(path, BoltOptions{Access: OpenExisting})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			_, bad, err := st.CertificateRecords(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(bad) != 1 || bad[0].Key != hidden || !i18n.Is(bad[0].Err, "err.record_missing") {
				t.Fatalf("after the recount the hidden record is reported as %+v", bad)
			}
		})
	}
}

// An issuer record that a damaged page hides is reported by the read of
// the issuers, as a certificate's is: chains and revocation checks must not
// quietly go without their CA.
func TestHiddenIssuerIsReported(t *testing.T) {
	ctx := context.Background()
	path := storedDB(t, append(demoEntries(t, 10, 3), demoEntries(t, 10, 4)...))
	st, err := OpenBolt(path, BoltOptions{Access: ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	before, err := st.Issuers(ctx)
	st.Close()
	if err != nil || len(before) < 2 {
		t.Fatalf("%d issuers stored (%v); the test needs two", len(before), err)
	}
	var name string
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bucketIssuers).Cursor().Last()
		for _, c := range before {
			if c.SHA256 == string(k) {
				name = c.CommonName
			}
		}
		return tx.Bucket(bucketIssuers).Delete(k) // as a damaged page hides it: counts and DER stay
	})
	for _, access := range []Access{ReadOnly, OpenExisting} {
		st, err := OpenBolt(path, BoltOptions{Access: access})
		if err != nil {
			t.Fatal(err)
		}
		got, err := st.Issuers(ctx)
		st.Close()
		if len(got) != len(before)-1 || err == nil || !i18n.Is(err, "err.records_damaged") || !strings.Contains(i18n.Localize(i18n.NL, err), name) {
			t.Errorf("access %v: %d of %d issuers, and the hidden %q is not named: %v", access, len(got), len(before), name, err)
		}
	}
}

// One flipped child pointer in the certificates' branch page makes bbolt
// show a leaf twice and its neighbour not at all; the count still matched,
// so list and expiring answered with duplicates and without the hidden
// certificates. Each pointer in turn set to its neighbour's: no record is
// shown twice, and every hidden one is named.
func TestLeafShownTwiceIsReported(t *testing.T) {
	golden, want, ders := goldenDB(t)
	orig, _ := os.ReadFile(golden)
	f, _ := os.Open(golden)
	fi, _ := f.Stat()
	bf, err := inspectBolt(f, fi.Size())
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	ps := int(bf.pageSize)
	page := func(id uint64) []byte { return orig[int(id)*ps : int(id+1)*ps] }
	// The root bucket's leaf holds "certs" → its bucket header (root page).
	var certsRoot uint64
	root := page(bf.meta.root)
	for e := range int(binary.LittleEndian.Uint16(root[10:])) {
		el := root[16+e*16:]
		pos, ks, vs := binary.LittleEndian.Uint32(el[4:]), binary.LittleEndian.Uint32(el[8:]), binary.LittleEndian.Uint32(el[12:])
		at := 16 + e*16 + int(pos)
		if string(root[at:at+int(ks)]) == string(bucketCerts) && vs >= 8 {
			certsRoot = binary.LittleEndian.Uint64(root[at+int(ks):])
		}
	}
	branch := page(certsRoot)
	if certsRoot == 0 || binary.LittleEndian.Uint16(branch[8:]) != 0x01 {
		t.Fatalf("the certificates' root (page %d) is not a branch page", certsRoot)
	}
	own := 0
	for _, c := range want {
		if c.Kind != cert.KindCA {
			own++
		}
	}
	children := int(binary.LittleEndian.Uint16(branch[10:]))
	for e := 1; e < children; e++ {
		data := bytes.Clone(orig)
		at := int(certsRoot)*ps + 16 + e*16 + 8
		prev := binary.LittleEndian.Uint64(data[at-16:])
		binary.LittleEndian.PutUint64(data[at:], prev)
		path := filepath.Join(t.TempDir(), "db")
		os.WriteFile(path, data, 0o600)
		trial := fmt.Sprintf("child %d of %d → page %d", e, children, prev)
		st, err := openAny(t, path)
		if err != nil {
			continue
		}
		assertNothingWrong(t, trial, st, want, ders)
		recs, bad, _ := st.CertificateRecords(context.Background())
		seen := map[string]bool{}
		for _, r := range recs {
			if seen[r.Key] {
				t.Errorf("%s: %s shown twice", trial, r.Key)
			}
			seen[r.Key] = true
		}
		if len(recs)+len(bad) < own {
			t.Errorf("%s: %d shown, %d reported: %d lost silently", trial, len(recs), len(bad), own-len(recs)-len(bad))
		}
		st.Close()
	}
}

// Both meta pages damaged after their magic number: the file is not "too
// short" (it was called so at 16 MB), its meta pages are damaged; a file
// cut short before its second meta page is still too short.
func TestBothMetasDamagedIsNamed(t *testing.T) {
	golden, _, _ := goldenDB(t)
	orig, _ := os.ReadFile(golden)
	data := bytes.Clone(orig)
	for _, m := range []int{0, 4096} {
		for i := 20; i < 60; i++ {
			data[m+i] ^= 0x5a
		}
	}
	path := filepath.Join(t.TempDir(), "db")
	os.WriteFile(path, data, 0o600)
	if _, err := OpenBolt(path, BoltOptions{Access: ReadOnly}); !IsDamaged(err) || !strings.Contains(i18n.Localize(i18n.NL, err), "beide meta-pagina's zijn beschadigd") {
		t.Errorf("both metas damaged: %v", err)
	}
	short := filepath.Join(t.TempDir(), "kort")
	os.WriteFile(short, orig[:6000], 0o600)
	if _, err := OpenBolt(short, BoltOptions{Access: ReadOnly}); !IsDamaged(err) || strings.Contains(i18n.Localize(i18n.NL, err), "meta-pagina") {
		t.Errorf("cut short: %v", err)
	}
}

// lowerLeafCounts writes, for every leaf page of the file's image in turn,
// a copy whose element count is lowered by one and one where it is zero (a
// damaged count hides records from a cursor without any error), and hands
// each to try.
func lowerLeafCounts(t *testing.T, image []byte, try func(trial, path string)) {
	t.Helper()
	for id := 2; id < len(image)/4096; id++ {
		p := image[id*4096:]
		if binary.LittleEndian.Uint16(p[8:]) != 0x02 { // leaf
			continue
		}
		count := binary.LittleEndian.Uint16(p[10:])
		for _, to := range []uint16{count - 1, 0} {
			if count == 0 || (to == 0 && count == 1) {
				continue
			}
			data := bytes.Clone(image)
			binary.LittleEndian.PutUint16(data[id*4096+10:], to)
			path := filepath.Join(t.TempDir(), "db")
			os.WriteFile(path, data, 0o600)
			try(fmt.Sprintf("page %d count %d→%d", id, count, to), path)
		}
	}
}

// storedDB writes a new database holding entries and closes it.
func storedDB(t *testing.T, entries []Entry) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "db")
	st, err := OpenBolt(path, BoltOptions{Access: CreateNew})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.AddCertificates(context.Background(), entries); err != nil {
		t.Fatal(err)
	}
	st.Close()
	return path
}

// rawUpdate changes the file with bbolt directly, past pkiodesk's store, as
// damage or someone with the file would.
func rawUpdate(t *testing.T, path string, edit func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(edit)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
}
