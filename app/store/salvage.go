package store

import (
	"context"
	"errors"
	"io"
	"os"

	"pkiodesk/app/cert"
	"pkiodesk/app/files"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
)

// Salvaged is what can still be read of a damaged database file: every
// record on a page that can be reached and passes its check, read without
// bbolt. It answers reads (each with the damage error beside the result, so
// that nobody mistakes it for the whole database) and refuses every change.
type Salvaged struct {
	path   string
	cause  error
	report CheckReport
	b      map[string]*memBucket
}

var (
	_ Store   = (*Salvaged)(nil)
	_ Records = (*Salvaged)(nil)
)

// ViewRecords reads a collection as far as it could be read.
func (s *Salvaged) ViewRecords(ctx context.Context, collection string, read func(RecordTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return read(memRecords{s.b[string(recordsBucket(collection))]})
}

// UpdateRecords is refused: the file is damaged.
func (s *Salvaged) UpdateRecords(context.Context, string, func(RecordTx) error) error {
	return s.refuse()
}

// memRecords is a salvaged collection, read-only.
type memRecords struct{ m *memBucket }

func (r memRecords) Get(key string) []byte {
	if v := r.m.Get([]byte(key)); v != nil {
		return append([]byte(nil), v...)
	}
	return nil
}
func (r memRecords) Put(string, []byte) error { return errReadOnly }
func (r memRecords) Delete(string) error      { return errReadOnly }
func (r memRecords) ForEach(visit func(key string, value []byte) error) error {
	return r.m.ForEach(func(k, v []byte) error { return visit(string(k), append([]byte(nil), v...)) })
}

// OpenSalvaged reads what is left of a database that cause says is damaged.
func OpenSalvaged(ctx context.Context, path string, cause error) (*Salvaged, error) {
	sc, err := scanFile(ctx, path, true)
	if err != nil {
		return nil, err
	}
	for _, mb := range sc.buckets {
		mb.sort()
	}
	return &Salvaged{path: path, cause: cause, report: sc.report, b: sc.buckets}, nil
}

func (s *Salvaged) err() error {
	if IsDamaged(s.cause) {
		return s.cause
	}
	return damaged(s.path, s.cause)
}

// Report is what the scan found.
func (s *Salvaged) Report() CheckReport { return s.report }

func (s *Salvaged) bucket(name []byte) *memBucket { return s.b[string(name)] }

func (s *Salvaged) pending() map[string]bool {
	keys := map[string]bool{}
	_ = s.bucket(bucketPending).ForEach(func(k, _ []byte) error { keys[string(k)] = true; return nil })
	return keys
}

// CertificateRecords returns the readable records, the damaged ones, and the damage error.
func (s *Salvaged) CertificateRecords(ctx context.Context) ([]CertRecord, []Damage, error) {
	var recs []CertRecord
	bad, err := s.EachCertificateRecord(ctx, func() { recs = recs[:0] }, func(v *CertView) { recs = append(recs, v.record()) })
	return recs, bad, err
}

// LoadCertificates decodes the records of these fingerprints that could be read.
func (s *Salvaged) LoadCertificates(_ context.Context, keys []string) ([]*cert.Certificate, error) {
	out, errs := loadCertificates(s.bucket(bucketCerts), s.bucket(bucketIssuers), keys)
	return out, errors.Join(errs...)
}

// ScanCertificateRecords visits the readable records, all as part 0.
func (s *Salvaged) ScanCertificateRecords(ctx context.Context, parts int, reset func(int), visit func(int, *CertView)) ([]Damage, error) {
	for p := range max(parts, 1) {
		reset(p)
	}
	return s.EachCertificateRecord(ctx, func() {}, func(v *CertView) { visit(0, v) })
}

// EachCertificateRecord visits the readable records; the error is the damage.
func (s *Salvaged) EachCertificateRecord(ctx context.Context, reset func(), visit func(*CertView)) ([]Damage, error) {
	reset()
	bad, err := readRecords(ctx, s.bucket(bucketCerts), s.bucket(bucketDER), s.pending(), visit)
	if err != nil {
		return nil, readErr(err)
	}
	return append(bad, s.report.Damaged...), s.err()
}

func (s *Salvaged) Certificates(ctx context.Context) ([]cert.Certificate, error) {
	recs, bad, err := s.CertificateRecords(ctx)
	return decodeAll(recs), joinDamage(bad, err)
}

func (s *Salvaged) Issuers(ctx context.Context) ([]cert.Certificate, error) {
	var recs []CertRecord
	bad, err := readRecords(ctx, s.bucket(bucketIssuers), s.bucket(bucketDER), s.pending(), func(v *CertView) { recs = append(recs, v.record()) })
	if err != nil {
		return nil, readErr(err)
	}
	return decodeAll(recs), joinDamage(bad, s.err())
}

func (s *Salvaged) DER(_ context.Context, sha256 string) ([]byte, error) {
	if s.pending()[sha256] {
		return checkDER(sha256, nil)
	}
	return checkDER(sha256, s.bucket(bucketDER).Get([]byte(sha256)))
}

func (s *Salvaged) Organisation(context.Context) (org.Organisation, bool, error) {
	v := s.bucket(bucketOrg).Get(keyOrg)
	if v == nil {
		return org.Organisation{}, false, s.err()
	}
	var o org.Organisation
	if err := openJSON(v, &o); err != nil {
		return org.Organisation{}, false, i18n.E("err.org_damaged", err)
	}
	return o, true, s.err()
}

func (s *Salvaged) People(context.Context) ([]org.Person, error) {
	people, bad := readPeople(s.bucket(bucketPeople))
	if err := joinPeopleDamage(bad); err != nil {
		return people, err
	}
	return people, s.err()
}

func (s *Salvaged) Settings(context.Context) (Settings, error) {
	var st Settings
	if v := s.bucket(bucketSettings).Get(keySettings); v != nil {
		if err := openJSON(v, &st); err != nil {
			return Settings{}, i18n.E("err.settings_damaged", err)
		}
	}
	return st, nil
}

func (s *Salvaged) refuse() error { return i18n.E("err.db_damaged_read_only", s.err()) }

func (s *Salvaged) AddCertificates(context.Context, []Entry) (added, duplicates []cert.Certificate, err error) {
	return nil, nil, s.refuse()
}

func (s *Salvaged) UpdateCertificate(context.Context, string, func(*cert.Certificate) error) (cert.Certificate, error) {
	return cert.Certificate{}, s.refuse()
}

func (s *Salvaged) SetUp(context.Context, org.Organisation, org.Person) error { return s.refuse() }
func (s *Salvaged) PutPerson(context.Context, org.Person) error               { return s.refuse() }
func (s *Salvaged) SaveSettings(context.Context, Settings) error              { return s.refuse() }
func (s *Salvaged) Update(context.Context, func(*Tx) error) error             { return s.refuse() }

// View has no bbolt transaction to offer; packages with buckets of their
// own cannot read them from a damaged file.
func (s *Salvaged) View(context.Context, func(*Tx) error) error { return s.err() }

func (s *Salvaged) BeginImport(ImportOptions) Import { return refusedImport{s.refuse()} }

func (s *Salvaged) Check(context.Context) (CheckReport, error) { return s.report, nil }

// Backup copies the damaged file as it is, byte for byte: a copy to keep
// before anything else is tried.
func (s *Salvaged) Backup(ctx context.Context, path string) error {
	if path == "" {
		return i18n.E("err.backup_path_empty", nil)
	}
	if _, existing, err := files.OutputTarget(path); err == nil && existing != nil {
		if self, err := os.Stat(s.path); err == nil && os.SameFile(self, existing) {
			return i18n.E("err.backup_is_database", nil, path)
		}
	}
	src, _, err := files.OpenRegular(s.path)
	if err != nil {
		return i18n.E("err.backup_write", err, path)
	}
	defer src.Close()
	err = files.WriteReplacing(path, 0o600, func(w io.Writer) error {
		_, err := io.Copy(&ctxWriter{ctx: ctx, w: w}, src)
		return err
	})
	if err != nil {
		return i18n.E("err.backup_write", readErr(err), path)
	}
	return nil
}

func (s *Salvaged) ReadOnly() bool { return true }
func (s *Salvaged) Path() string   { return s.path }
func (s *Salvaged) Close() error   { return nil }

type refusedImport struct{ err error }

func (r refusedImport) Add(context.Context, []Entry) error { return r.err }

func (r refusedImport) Finish(context.Context, func(*Tx) error) (map[string]bool, error) {
	return nil, r.err
}

func (r refusedImport) Abort(context.Context) error { return nil }

func (b *Bolt) salvageIssuers(ctx context.Context, cause error) ([]cert.Certificate, error) {
	s, err := b.salvage(ctx, cause)
	if err != nil {
		return nil, err
	}
	return s.Issuers(ctx)
}

func (b *Bolt) salvage(ctx context.Context, cause error) (*Salvaged, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	s, err := OpenSalvaged(ctx, b.path, cause)
	if err != nil {
		return nil, err
	}
	return s, nil
}
