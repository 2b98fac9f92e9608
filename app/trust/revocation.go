package trust

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ocsp"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/store"
)

// State is what is known of a certificate's revocation.
type State string

const (
	// StateGood: a current CRL or OCSP response of its CA does not list it.
	StateGood State = "good"
	// StateRevoked: its CA lists it as revoked.
	StateRevoked State = "revoked"
	// StateUnknown: no current information (the CA was unreachable, its
	// answer was refused, or the last answer has passed its next update).
	// Never to be read as valid.
	StateUnknown State = "unknown"
	// StateUnchecked: never checked yet.
	StateUnchecked State = "unchecked"
	// StateNoSource: the certificate names no CRL or OCSP responder, so its
	// revocation cannot be checked.
	StateNoSource State = "no-source"
)

// Status is a certificate's revocation state at a moment.
type Status struct {
	State State
	// Method is "crl" or "ocsp"; Source the URL, or "import:FILE".
	Method, Source string
	// RevokedAt and Reason as the CA gives them, when revoked.
	RevokedAt time.Time
	Reason    Reason
	// ThisUpdate and NextUpdate of the answer that decided.
	ThisUpdate, NextUpdate time.Time
	// CheckedAt is the last attempt.
	CheckedAt time.Time
	// UnknownSince is when the state became unknown.
	UnknownSince time.Time
	// Problem says why the last attempt failed (*i18n.Error), if it did.
	Problem error
}

// record is the stored revocation state of one certificate.
type record struct {
	Issuer      string    `json:"i,omitempty"` // SHA-256 of the issuer whose signature on it was checked
	Method      string    `json:"m,omitempty"`
	Source      string    `json:"s,omitempty"`
	Revoked     bool      `json:"r,omitempty"`
	RevokedAt   time.Time `json:"ra,omitzero"`
	Reason      Reason    `json:"rr,omitempty"`
	ThisUpdate  time.Time `json:"tu,omitzero"`
	NextUpdate  time.Time `json:"nu,omitzero"`
	CheckedAt   time.Time `json:"c,omitzero"`
	FailedSince time.Time `json:"f,omitzero"`
	Problem     string    `json:"p,omitempty"` // message key
	Detail      string    `json:"d,omitempty"` // its argument (URL, CA)
	Cause       string    `json:"e,omitempty"` // the technical cause
	NoSource    bool      `json:"n,omitempty"`
}

func (r record) status(now time.Time) Status {
	st := Status{Method: r.Method, Source: r.Source, ThisUpdate: r.ThisUpdate, NextUpdate: r.NextUpdate, CheckedAt: r.CheckedAt}
	if r.Problem != "" {
		var cause error
		if r.Cause != "" {
			cause = errors.New(r.Cause)
		}
		st.Problem = i18n.E(r.Problem, cause, r.Detail)
	}
	switch {
	case r.Revoked:
		st.State, st.RevokedAt, st.Reason = StateRevoked, r.RevokedAt, r.Reason
	case r.NoSource:
		st.State = StateNoSource
	case !r.NextUpdate.IsZero() && now.Before(r.NextUpdate):
		st.State = StateGood
	case !r.NextUpdate.IsZero():
		st.State, st.UnknownSince = StateUnknown, r.NextUpdate
		if st.Problem == nil {
			st.Problem = i18n.E("trust.problem.stale", nil, r.Source)
		}
	case !r.FailedSince.IsZero():
		st.State, st.UnknownSince = StateUnknown, r.FailedSince
	default:
		st.State = StateUnchecked
	}
	return st
}

func (r *record) succeed(method, source string, thisUpdate, nextUpdate, now time.Time) {
	r.Method, r.Source, r.ThisUpdate, r.NextUpdate, r.CheckedAt = method, source, thisUpdate.UTC(), nextUpdate.UTC(), now.UTC()
	r.FailedSince, r.Problem, r.Detail, r.Cause, r.NoSource = time.Time{}, "", "", "", false
}

func (r *record) revoke(method, source string, at time.Time, reason Reason, thisUpdate, nextUpdate, now time.Time) {
	r.succeed(method, source, thisUpdate, nextUpdate, now)
	if !r.Revoked {
		r.Revoked, r.RevokedAt, r.Reason = true, at.UTC(), reason
	}
}

// fail keeps the last good answer (it stays valid until its next update)
// and notes why this attempt failed.
func (r *record) fail(err error, now time.Time) {
	r.CheckedAt, r.NoSource = now.UTC(), false
	if r.FailedSince.IsZero() {
		r.FailedSince = now.UTC()
	}
	r.Problem, r.Detail, r.Cause = "trust.problem.unreachable", "", ""
	var ue *i18n.Error
	if errors.As(err, &ue) {
		r.Problem = ue.Key
		if len(ue.Args) > 0 {
			r.Detail, _ = ue.Args[0].(string)
		}
		if ue.Err != nil {
			r.Cause = truncate(i18n.Localize(i18n.EN, ue.Err), 300)
		}
	} else if err != nil {
		r.Cause = truncate(err.Error(), 300)
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// load reads the stored states once.
// Load reads the revocation cache now rather than on first use: before the
// database is released while views that word their Status column with it
// are still shown.
func (s *Service) Load() error { return s.load() }

func (s *Service) load() error {
	s.mu.RLock()
	loaded := s.loaded
	s.mu.RUnlock()
	if loaded {
		return nil
	}
	states := map[string]record{}
	err := s.db.ViewRecords(context.Background(), collRevocation, func(tx store.RecordTx) error {
		return tx.ForEach(func(k string, v []byte) error {
			var r record
			if json.Unmarshal(v, &r) == nil {
				states[k] = r
			}
			// A damaged record is forgotten: the certificate is checked again.
			return nil
		})
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.loaded {
		s.states, s.loaded = states, true
	}
	return nil
}

// Known returns what is known of a certificate's revocation now, from the
// cache, without going to the network.
func (s *Service) Known(sha256 string) Status {
	if err := s.load(); err != nil {
		return Status{State: StateUnknown, Problem: err}
	}
	s.mu.RLock()
	r, ok := s.states[sha256]
	s.mu.RUnlock()
	if !ok {
		return Status{State: StateUnchecked}
	}
	return r.status(s.now())
}

// Target is a certificate to check.
type Target struct {
	SHA256 string
	Cert   *x509.Certificate
}

// TargetOf makes the target of a parsed certificate.
func TargetOf(c *x509.Certificate) Target { return Target{SHA256: cert.Fingerprint(c.Raw), Cert: c} }

// RefreshOptions tune Refresh.
type RefreshOptions struct {
	// Offline uses only stored CRLs (after a CRL was imported by hand);
	// certificates without one are left as they are.
	Offline bool
	// Progress is called now and then with the number of certificates done.
	Progress func(done, total int)
	// Extra are more CA certificates to find issuers among.
	Extra []*x509.Certificate
	// Workers is the number of parallel requests (default 8).
	Workers int
	// PreferStored skips fetching a CRL whose stored copy is still current
	// (a single check); a refresh asks the CAs again.
	PreferStored bool
}

// RevokedCert is a certificate found revoked.
type RevokedCert struct {
	SHA256 string
	At     time.Time
	Reason Reason
	Source string
}

// RefreshReport tells what a refresh found.
type RefreshReport struct {
	Total                                       int
	Good, Revoked, Unknown, NoSource, Unchanged int
	// RevokedCerts lists every certificate a CA lists as revoked.
	RevokedCerts []RevokedCert
	// Problems by certificate, for those whose state is unknown.
	Problems map[string]error
}

// job is one certificate on its way through a refresh.
type job struct {
	t         Target
	rec       record
	issuer    *x509.Certificate
	issuerSHA string
	crlURLs   []string
	ocspURLs  []string
	crlErr    error
	done      bool
	changed   bool
}

type crlKey struct{ url, issuerSHA string }

type crlResult struct {
	crl *verifiedCRL
	err error
}

// Refresh checks the revocation of the targets: per certificate its CA's
// CRL from the CRL distribution points (each CRL fetched once), else or
// when that fails the OCSP responder from its AIA. Answers are verified
// against the certificate's issuer and cached with their next update; the
// states are stored in one transaction. A failed check keeps the last
// answer until its next update, after which the state is unknown.
func (s *Service) Refresh(ctx context.Context, targets []Target, opt RefreshOptions) (RefreshReport, error) {
	rep := RefreshReport{Total: len(targets), Problems: map[string]error{}}
	if err := s.load(); err != nil {
		return rep, err
	}
	if opt.Workers <= 0 {
		opt.Workers = 8
	}
	progress := newProgress(opt.Progress, len(targets))
	now := s.now()
	m, err := s.material(ctx, opt.Extra)
	if err != nil {
		return rep, err
	}
	ix := newIssuerIndex(m.all)

	s.mu.RLock()
	jobs := make([]job, len(targets))
	for i, t := range targets {
		jobs[i] = job{t: t, rec: s.states[t.SHA256]}
	}
	s.mu.RUnlock()

	// Sources and issuers.
	needCRL := map[crlKey]*x509.Certificate{}
	issuers := map[string]*x509.Certificate{}
	for i := range jobs {
		j := &jobs[i]
		var other []string
		j.crlURLs, other = splitURLs(j.t.Cert.CRLDistributionPoints)
		j.ocspURLs, _ = splitURLs(j.t.Cert.OCSPServer)
		if len(j.crlURLs) == 0 && len(j.ocspURLs) == 0 {
			j.done, j.changed = true, true
			if len(other) > 0 {
				j.rec.fail(i18n.E("trust.problem.url", nil, other[0]), now)
			} else {
				j.rec.NoSource, j.rec.CheckedAt = true, now.UTC()
			}
			continue
		}
	}
	// Finding an issuer checks a signature: spread over the cores. Next
	// time the stored issuer is taken without a check.
	parallel(len(jobs), func(i int) {
		if j := &jobs[i]; !j.done {
			j.issuer, j.issuerSHA = ix.find(j.t.Cert, j.rec.Issuer)
		}
	})
	for i := range jobs {
		j := &jobs[i]
		if j.done {
			continue
		}
		if j.issuer == nil {
			if !opt.Offline {
				j.done, j.changed = true, true
				j.rec.fail(i18n.E("trust.problem.no_issuer", nil, cert.Printable(issuerName(j.t.Cert))), now)
			} else {
				j.done = true
			}
			continue
		}
		j.rec.Issuer = j.issuerSHA
		issuers[j.issuerSHA] = j.issuer
		for _, u := range j.crlURLs {
			needCRL[crlKey{u, j.issuerSHA}] = j.issuer
		}
	}

	// CRLs: stored ones, and unless offline each distribution point once.
	cached, err := s.cachedCRLs(ctx, issuers, now)
	if err != nil {
		return rep, err
	}
	if opt.PreferStored {
		for k := range needCRL {
			for _, c := range cached[k.issuerSHA] {
				if c.source == k.url && c.fresh(now) {
					delete(needCRL, k)
				}
			}
		}
	}
	fetched := map[crlKey]crlResult{}
	if !opt.Offline {
		fetched = s.fetchCRLs(ctx, needCRL, now, opt.Workers)
		if err := ctx.Err(); err != nil {
			return rep, i18n.E("err.context_canceled", err)
		}
	}

	// Decide from CRLs; queue OCSP where no CRL decided.
	var ocspJobs []*job
	for i := range jobs {
		j := &jobs[i]
		if j.done {
			progress.add(1)
			continue
		}
		crl, crlErr := pickCRL(j, fetched, cached[j.issuerSHA])
		j.crlErr = crlErr
		if crl != nil {
			e, listed := crl.lookup(j.t.Cert.SerialNumber)
			switch {
			case listed:
				j.rec.revoke("crl", crl.source, e.RevocationTime, Reason(e.ReasonCode), crl.list.ThisUpdate, crlNextUpdate(crl.list), now)
				j.done = true
			case crl.fresh(now):
				j.rec.succeed("crl", crl.source, crl.list.ThisUpdate, crlNextUpdate(crl.list), now)
				j.done = true
			default:
				j.crlErr = i18n.E("trust.problem.stale", nil, crl.source)
				if j.rec.NextUpdate.Before(crlNextUpdate(crl.list)) {
					j.rec.Method, j.rec.Source, j.rec.ThisUpdate, j.rec.NextUpdate = "crl", crl.source, crl.list.ThisUpdate.UTC(), crlNextUpdate(crl.list).UTC()
				}
			}
		}
		if j.done {
			j.changed = true
			progress.add(1)
			continue
		}
		if opt.Offline {
			// Nothing stored decided it: leave the state as it was.
			j.done = true
			progress.add(1)
			continue
		}
		if len(j.ocspURLs) > 0 && !now.After(j.t.Cert.NotAfter) {
			ocspJobs = append(ocspJobs, j)
			continue
		}
		if j.crlErr == nil {
			j.crlErr = i18n.E("trust.problem.unreachable", nil, strings.Join(j.crlURLs, ", "))
		}
		j.rec.fail(j.crlErr, now)
		j.done, j.changed = true, true
		progress.add(1)
	}

	s.runOCSP(ctx, ocspJobs, now, opt.Workers, progress)
	if err := ctx.Err(); err != nil {
		return rep, i18n.E("err.context_canceled", err)
	}

	// Store the states and the new CRLs in one transaction.
	var newCRLs []*verifiedCRL
	for _, r := range fetched {
		if r.crl != nil {
			newCRLs = append(newCRLs, r.crl)
		}
	}
	// The CRLs first: a crash between the two leaves states that the next
	// refresh recomputes from them.
	if len(newCRLs) > 0 {
		err = s.db.UpdateRecords(ctx, collCRLs, func(tx store.RecordTx) error {
			for _, c := range newCRLs {
				if err := putCRL(tx, c); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return rep, err
		}
	}
	err = s.db.UpdateRecords(ctx, collRevocation, func(tx store.RecordTx) error {
		for i := range jobs {
			if !jobs[i].changed {
				continue
			}
			v, err := json.Marshal(jobs[i].rec)
			if err != nil {
				return err
			}
			if err := tx.Put(jobs[i].t.SHA256, v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	s.mu.Lock()
	for i := range jobs {
		if jobs[i].changed {
			s.states[jobs[i].t.SHA256] = jobs[i].rec
		}
	}
	s.mu.Unlock()

	for i := range jobs {
		j := &jobs[i]
		if !j.changed {
			rep.Unchanged++
			continue
		}
		st := j.rec.status(now)
		switch st.State {
		case StateGood:
			rep.Good++
		case StateRevoked:
			rep.Revoked++
			rep.RevokedCerts = append(rep.RevokedCerts, RevokedCert{SHA256: j.t.SHA256, At: j.rec.RevokedAt, Reason: j.rec.Reason, Source: j.rec.Source})
		case StateNoSource:
			rep.NoSource++
		default:
			rep.Unknown++
			rep.Problems[j.t.SHA256] = st.Problem
		}
	}
	progress.finish()
	return rep, nil
}

// pickCRL chooses the newest verified CRL for a certificate: one fetched
// now from its distribution points, or a stored one (from those points, or
// imported by hand). It also returns why fetching failed.
func pickCRL(j *job, fetched map[crlKey]crlResult, cached []*verifiedCRL) (*verifiedCRL, error) {
	var best *verifiedCRL
	var firstErr error
	consider := func(c *verifiedCRL) {
		if best == nil || c.list.ThisUpdate.After(best.list.ThisUpdate) {
			best = c
		}
	}
	for _, u := range j.crlURLs {
		r, ok := fetched[crlKey{u, j.issuerSHA}]
		if !ok {
			continue
		}
		if r.crl != nil {
			consider(r.crl)
		} else if firstErr == nil {
			firstErr = r.err
		}
	}
	for _, c := range cached {
		if strings.HasPrefix(c.source, "import:") || containsString(j.crlURLs, c.source) {
			consider(c)
		}
	}
	return best, firstErr
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// fetchCRLs fetches every needed CRL once, in parallel.
func (s *Service) fetchCRLs(ctx context.Context, need map[crlKey]*x509.Certificate, now time.Time, workers int) map[crlKey]crlResult {
	out := make(map[crlKey]crlResult, len(need))
	var mu sync.Mutex
	sem := make(chan struct{}, min(workers, 4))
	var wg sync.WaitGroup
	for k, issuer := range need {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			crl, err := s.fetchCRL(ctx, k.url, issuer, k.issuerSHA, now)
			if err != nil {
				err = withDetail(err, k.url)
			}
			mu.Lock()
			out[k] = crlResult{crl: crl, err: err}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// runOCSP asks the responders, in parallel; the first answer that
// verifies decides.
func (s *Service) runOCSP(ctx context.Context, jobs []*job, now time.Time, workers int, progress *progress) {
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			var lastErr error
			for _, u := range j.ocspURLs {
				a, err := s.queryOCSP(ctx, u, j.t.Cert, j.issuer, now)
				if err != nil {
					lastErr = err
					continue
				}
				if a.resp.Status == ocsp.Revoked {
					j.rec.revoke("ocsp", a.source, a.resp.RevokedAt, Reason(a.resp.RevocationReason), a.resp.ThisUpdate, a.nextUpdate(), now)
				} else {
					j.rec.succeed("ocsp", a.source, a.resp.ThisUpdate, a.nextUpdate(), now)
				}
				lastErr = nil
				break
			}
			if lastErr != nil {
				// Say what went wrong with the CRL too, if that was tried.
				if j.crlErr != nil {
					lastErr = j.crlErr
				}
				j.rec.fail(lastErr, now)
			}
			j.done, j.changed = true, true
			progress.add(1)
		}()
	}
	wg.Wait()
}

// withDetail names the URL in a problem whose argument was left empty.
func withDetail(err error, url string) error {
	var ue *i18n.Error
	if errors.As(err, &ue) && len(ue.Args) == 1 {
		if s, _ := ue.Args[0].(string); s == "" || !strings.Contains(s, "://") {
			ue.Args = []any{url}
		}
	}
	return err
}

// splitURLs separates http(s) URLs from the rest (ldap, file).
func splitURLs(urls []string) (web, other []string) {
	for _, u := range urls {
		l := strings.ToLower(u)
		if strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") {
			web = append(web, u)
		} else {
			other = append(other, u)
		}
	}
	return web, other
}

// Check checks one certificate (a BRP pre-flight check, a signature):
// from the cache when it holds a current answer, else from a stored CRL
// that is still current, else by asking the CA. extra may hold its issuer
// when the trust store does not know it.
func (s *Service) Check(ctx context.Context, c *x509.Certificate, extra ...*x509.Certificate) Status {
	return s.check(ctx, c, extra, false)
}

// CheckNow asks the CA now (a login), whatever the cache holds; when the CA
// cannot be asked, the last answer counts until its next update.
func (s *Service) CheckNow(ctx context.Context, c *x509.Certificate, extra ...*x509.Certificate) Status {
	return s.check(ctx, c, extra, true)
}

func (s *Service) check(ctx context.Context, c *x509.Certificate, extra []*x509.Certificate, now bool) Status {
	t := TargetOf(c)
	st := s.Known(t.SHA256)
	switch {
	case st.State == StateRevoked || st.State == StateNoSource || st.State == StateGood && !now:
		return st
	case s.now().After(c.NotAfter):
		// An expired certificate is of no use any more; its CA need not
		// be asked (and may have dropped it from its CRL).
		if st.State == StateUnchecked {
			st.State, st.UnknownSince = StateUnknown, c.NotAfter
		}
		if st.Problem == nil {
			st.Problem = i18n.E("trust.problem.expired", nil, c.NotAfter.UTC().Format("2006-01-02"))
		}
		return st
	}
	if _, err := s.Refresh(ctx, []Target{t}, RefreshOptions{Extra: extra, PreferStored: !now}); err != nil {
		st := s.Known(t.SHA256)
		if st.State == StateUnchecked {
			st.State, st.UnknownSince = StateUnknown, s.now()
		}
		if st.State == StateUnknown {
			st.Problem = err
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				where := append(append([]string{}, c.CRLDistributionPoints...), c.OCSPServer...)
				st.Problem = i18n.E("trust.problem.timeout", ctx.Err(), strings.Join(where, ", "))
			}
		}
		return st
	}
	return s.Known(t.SHA256)
}

// issuerIndex finds the certificate that issued another.
type issuerIndex struct {
	bySubject map[string][]*x509.Certificate
	bySHA     map[string]*x509.Certificate
}

func newIssuerIndex(certs []*x509.Certificate) *issuerIndex {
	ix := &issuerIndex{bySubject: map[string][]*x509.Certificate{}, bySHA: map[string]*x509.Certificate{}}
	for _, c := range certs {
		sha := cert.Fingerprint(c.Raw)
		if _, dup := ix.bySHA[sha]; dup {
			continue
		}
		ix.bySHA[sha] = c
		ix.bySubject[string(c.RawSubject)] = append(ix.bySubject[string(c.RawSubject)], c)
	}
	return ix
}

// find returns the issuer whose signature on c verifies. known is the
// SHA-256 of the issuer found before: that check need not be repeated.
func (ix *issuerIndex) find(c *x509.Certificate, known string) (*x509.Certificate, string) {
	if is, ok := ix.bySHA[known]; ok && bytes.Equal(is.RawSubject, c.RawIssuer) {
		return is, known
	}
	cands := ix.bySubject[string(c.RawIssuer)]
	// Try the one whose key identifier matches first.
	for pass := 0; pass < 2; pass++ {
		for _, is := range cands {
			akiMatch := len(c.AuthorityKeyId) > 0 && bytes.Equal(c.AuthorityKeyId, is.SubjectKeyId)
			if (pass == 0) != akiMatch {
				continue
			}
			if c.CheckSignatureFrom(is) == nil {
				return is, cert.Fingerprint(is.Raw)
			}
		}
	}
	return nil, ""
}

// parallel runs f(0..n-1) on every core.
func parallel(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), max(1, n/64))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
			}
		}()
	}
	wg.Wait()
}

// progress reports at most about a hundred times per refresh.
type progress struct {
	mu          sync.Mutex
	f           func(done, total int)
	done, total int
	step, last  int
}

func newProgress(f func(done, total int), total int) *progress {
	if f != nil {
		f(0, total)
	}
	return &progress{f: f, total: total, step: max(1, total/100)}
}

func (p *progress) add(n int) {
	if p.f == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	if p.done-p.last >= p.step || p.done == p.total {
		p.last = p.done
		p.f(p.done, p.total)
	}
}

func (p *progress) finish() {
	if p.f == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.last != p.total {
		p.last = p.total
		p.f(p.total, p.total)
	}
}
