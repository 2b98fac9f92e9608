package store

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

// TestMain lets a test start this binary as a second pkiodesk process.
func TestMain(m *testing.M) {
	if path := os.Getenv("PKIODESK_TEST_HOLD_DB"); path != "" {
		holdDatabase(path)
		return
	}
	os.Exit(m.Run())
}

// holdDatabase opens the database, says so, and keeps it until stdin closes.
func holdDatabase(path string) {
	st, err := OpenBolt(path, BoltOptions{})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	fmt.Println("holding")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	st.Close()
}

func sample(sha string, kind cert.Kind) cert.Certificate {
	return cert.Certificate{
		SHA256: sha, Kind: kind, CommonName: "api.voorbeeld.nl", Organization: "Gemeente Voorbeeld",
		OIN: "00000099123456789000", Subject: "CN=api", Issuer: "CN=CA", IssuerCN: "CA", Serial: "0A",
		NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2027, 1, 1, 0, 0, 0, 5, time.UTC),
		DNSNames: []string{"api.voorbeeld.nl", "www.voorbeeld.nl"}, Policies: []string{"2.16.528.1.1003.1.2.8.6"},
		KeyType: "RSA", KeyBits: 2048, ImportedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
	}
}

func TestRecordRoundTrip(t *testing.T) {
	c := sample("ab", cert.KindServer)
	c.Revoked, c.RevokedAt, c.RevocationReason = true, time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC), "sleutel gecompromitteerd"
	got, err := decodeRecord(encodeRecord(&c))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Errorf("round trip changed the record:\n got %+v\nwant %+v", got, c)
	}
}

func FuzzDecodeRecord(f *testing.F) {
	c := sample("ab", cert.KindServer)
	f.Add(encodeRecord(&c))
	f.Add([]byte{recordVersion})
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := decodeRecord(data)
		if err == nil {
			// What decodes must encode back to the same record.
			again, err := decodeRecord(encodeRecord(&c))
			if err != nil || !reflect.DeepEqual(again, c) {
				t.Fatalf("unstable record: %v", err)
			}
		}
	})
}

func openTemp(t *testing.T) (*Bolt, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sub", "pkiodesk.db")
	st, err := OpenBolt(path, BoltOptions{Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return st, path
}

func TestOpenCreatesPrivateFileWithSchema(t *testing.T) {
	st, path := openTemp(t)
	st.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_ = db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketMeta).Get(keySchema)
		if binary.BigEndian.Uint32(v) != SchemaVersion {
			t.Errorf("schema %v", v)
		}
		return nil
	})
}

func TestAddIsOneTransactionAndDeduplicates(t *testing.T) {
	st, _ := openTemp(t)
	defer st.Close()
	ctx := context.Background()
	entries := []Entry{
		{Cert: sample(cert.Fingerprint([]byte{1}), cert.KindServer), DER: []byte{1}},
		{Cert: sample(cert.Fingerprint([]byte{2}), cert.KindCA), DER: []byte{2}},
	}
	added, dups, err := st.AddCertificates(ctx, entries)
	if err != nil || len(added) != 2 || len(dups) != 0 {
		t.Fatalf("first add: %d added, %d dups, %v", len(added), len(dups), err)
	}
	added, dups, err = st.AddCertificates(ctx, append(entries, Entry{Cert: sample(cert.Fingerprint([]byte{3}), cert.KindPersonal), DER: []byte{3}}))
	if err != nil || len(added) != 1 || len(dups) != 2 {
		t.Fatalf("second add: %d added, %d dups, %v", len(added), len(dups), err)
	}
	own, _ := st.Certificates(ctx)
	issuers, _ := st.Issuers(ctx)
	if len(own) != 2 || len(issuers) != 1 || issuers[0].SHA256 != cert.Fingerprint([]byte{2}) {
		t.Errorf("own %d, issuers %v", len(own), issuers)
	}
	// A cancelled context aborts the transaction: nothing of it lands.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := st.AddCertificates(cctx, []Entry{{Cert: sample("dd", cert.KindServer), DER: []byte{4}}}); err == nil {
		t.Error("cancelled add succeeded")
	}
	if own, _ := st.Certificates(ctx); len(own) != 2 {
		t.Errorf("cancelled add left %d certificates", len(own))
	}
	if der, err := st.DER(ctx, cert.Fingerprint([]byte{3})); err != nil || der[0] != 3 {
		t.Errorf("DER: %v %v", der, err)
	}
	if _, err := st.DER(ctx, "zz"); !i18n.Is(err, "err.cert_not_found") {
		t.Errorf("missing DER: %v", err)
	}
}

func TestUpdateRefusedLeavesRecord(t *testing.T) {
	st, _ := openTemp(t)
	defer st.Close()
	ctx := context.Background()
	if _, _, err := st.AddCertificates(ctx, []Entry{{Cert: sample("aa", cert.KindServer), DER: []byte{1}}}); err != nil {
		t.Fatal(err)
	}
	refuse := fmt.Errorf("nee")
	if _, err := st.UpdateCertificate(ctx, "aa", func(c *cert.Certificate) error {
		c.Revoked = true
		return refuse
	}); err != refuse {
		t.Fatalf("err = %v", err)
	}
	own, _ := st.Certificates(ctx)
	if own[0].Revoked {
		t.Error("refused change was written")
	}
	if _, err := st.UpdateCertificate(ctx, "aa", func(c *cert.Certificate) error { c.Revoked = true; return nil }); err != nil {
		t.Fatal(err)
	}
	if own, _ := st.Certificates(ctx); !own[0].Revoked {
		t.Error("change not written")
	}
}

func TestNewerSchemaIsRefusedAndUntouched(t *testing.T) {
	st, path := openTemp(t)
	st.Close()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchema, binary.BigEndian.AppendUint32(nil, SchemaVersion+1))
	})
	db.Close()
	before, _ := os.ReadFile(path)
	_, err = OpenBolt(path, BoltOptions{})
	if !i18n.Is(err, "err.db_newer") {
		t.Fatalf("err = %v", err)
	}
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Error("opening a newer database changed the file")
	}
}

func TestForeignFilesAreRefused(t *testing.T) {
	dir := t.TempDir()
	other := filepath.Join(dir, "other.db")
	db, err := bolt.Open(other, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("x")); return err })
	db.Close()
	if _, err := OpenBolt(other, BoltOptions{}); !i18n.Is(err, "err.db_not_pkiodesk") {
		t.Errorf("other bbolt file: %v", err)
	}
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte("geen database, maar wel een bestand van enige lengte......................................................"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenBolt(garbage, BoltOptions{}); !i18n.Is(err, "err.db_not_pkiodesk") {
		t.Errorf("garbage file: %v", err)
	}
}

// A second pkiodesk process gets a clear message, in time, not a hang.
func TestSecondInstanceGetsClearMessage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pkiodesk.db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PKIODESK_TEST_HOLD_DB="+path)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if line != "holding\n" {
		t.Fatalf("child: %q", line)
	}
	start := time.Now()
	_, err := OpenBolt(path, BoltOptions{Timeout: 300 * time.Millisecond})
	if !i18n.Is(err, "err.db_in_use") {
		t.Fatalf("err = %v", err)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("waited %v", waited)
	}
	if msg := i18n.Localize(i18n.EN, err); msg != "database in use by another pkiodesk ("+path+"); close that one first" {
		t.Errorf("message %q", msg)
	}
	stdin.Close()
	cmd.Wait()
	st, err := OpenBolt(path, BoltOptions{})
	if err != nil {
		t.Fatalf("after the other closed: %v", err)
	}
	st.Close()
}

func TestResolvePath(t *testing.T) {
	env := map[string]string{"PKIODESK_DB": "/env.db"}
	get := func(k string) string { return env[k] }
	if p, _ := ResolvePath("/flag.db", get); p != "/flag.db" {
		t.Error(p)
	}
	if p, _ := ResolvePath("", get); p != "/env.db" {
		t.Error(p)
	}
	if p, _ := ResolvePath("", func(string) string { return "" }); filepath.Base(p) != "pkiodesk.db" || filepath.Base(filepath.Dir(p)) != "pkiodesk" {
		t.Error(p)
	}
}
