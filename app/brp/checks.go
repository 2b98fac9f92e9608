package brp

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

// Status is the outcome of one check.
type Status int

const (
	Pass Status = iota
	Warn
	Fail
)

// Key is the status's i18n key ("brp.status.pass" ...).
func (s Status) Key() string {
	return [...]string{"brp.status.pass", "brp.status.warn", "brp.status.fail"}[s]
}

// CheckID names a pre-flight check.
type CheckID string

const (
	CheckCertificate CheckID = "certificate" // a certificate is chosen and readable
	CheckValidity    CheckID = "validity"
	CheckOIN         CheckID = "oin"
	CheckChain       CheckID = "chain"
	CheckEKU         CheckID = "eku"
	CheckKeyUsage    CheckID = "keyusage"
	CheckHostname    CheckID = "hostname"
	CheckRevocation  CheckID = "revocation"
	CheckUnique      CheckID = "unique"
	CheckG1          CheckID = "g1"
)

// Checks lists the checks in the order of the checklist.
func Checks() []CheckID {
	return []CheckID{CheckValidity, CheckOIN, CheckChain, CheckEKU, CheckKeyUsage, CheckHostname, CheckRevocation, CheckUnique, CheckG1}
}

// Result is one line of the checklist: the reason is an i18n text, so the
// same result reads in Dutch and English.
type Result struct {
	Check  CheckID
	Status Status
	Key    string
	Args   []any
}

// Name of the check in language l.
func (r Result) Name(l i18n.Lang) string { return i18n.T(l, "brp.check."+string(r.Check)) }

// Reason in language l.
func (r Result) Reason(l i18n.Lang) string { return i18n.T(l, r.Key, localArgs(l, r.Args)...) }

// errArg and keyArg are arguments of a reason that are texts themselves,
// rendered in the reader's language.
type (
	errArg struct{ err error }
	keyArg string
)

func localArgs(l i18n.Lang, args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case errArg:
			out[i] = i18n.Localize(l, v.err)
		case keyArg:
			out[i] = i18n.T(l, string(v))
		default:
			out[i] = a
		}
	}
	return out
}

// Report is the checklist of one afnemer.
type Report struct {
	Afnemer Afnemer
	Leaf    *x509.Certificate   // nil when no certificate could be read
	Chain   []*x509.Certificate // verified chain, leaf first; nil when unverified
	Results []Result
}

// Worst is the report's overall status.
func (r Report) Worst() Status {
	w := Pass
	for _, res := range r.Results {
		w = max(w, res.Status)
	}
	return w
}

// Result returns the line of one check.
func (r Report) Result(id CheckID) (Result, bool) {
	for _, res := range r.Results {
		if res.Check == id {
			return res, true
		}
	}
	return Result{}, false
}

// CertSource gives the checks the certificates: the store does.
type CertSource interface {
	DER(ctx context.Context, sha256 string) ([]byte, error)
	Issuers(ctx context.Context) ([]cert.Certificate, error)
}

// Checker runs the pre-flight checks.
type Checker struct {
	Certs CertSource
	// Chain validates against the PKIoverheid roots (the trust store).
	Chain ChainValidator
	// Revocation asks CRL/OCSP; nil (or Offline) leaves the state unknown.
	Revocation RevocationChecker
	// Known returns the inventory's record of a certificate, for a
	// revocation pkiodesk already knows of. Optional.
	Known   func(sha256 string) (cert.Certificate, bool)
	Now     func() time.Time
	Offline bool
}

// ExpiryWarning is how long before its end a certificate gets a warning.
const ExpiryWarning = 60 * 24 * time.Hour

// G1End is when the PKIoverheid G1 hierarchy ends (the G1 private root and
// its CAs expire in November 2028).
var G1End = time.Date(2028, 11, 13, 0, 0, 0, 0, time.UTC)

// CheckAll checks every afnemer of the register.
func (c *Checker) CheckAll(ctx context.Context, all []Afnemer) []Report {
	out := make([]Report, 0, len(all))
	for _, a := range all {
		out = append(out, c.Check(ctx, a, all))
	}
	return out
}

// Check runs every check for afnemer a; all is the whole register, for
// the check that no certificate serves two afnemers.
func (c *Checker) Check(ctx context.Context, a Afnemer, all []Afnemer) Report {
	rep := Report{Afnemer: a}
	now := time.Now()
	if c.Now != nil {
		now = c.Now()
	}
	leaf, err := c.leaf(ctx, a.CertSHA256)
	if err != nil {
		rep.Results = []Result{{CheckCertificate, Fail, "brp.reason.cert_unreadable", []any{errArg{err}}}}
		if a.CertSHA256 == "" {
			rep.Results = []Result{{CheckCertificate, Fail, "brp.reason.no_cert", nil}}
		}
		return rep
	}
	rep.Leaf = leaf
	issuers := c.issuers(ctx)
	chain, chainErr := c.verifyChain(ctx, leaf, issuers, now)
	rep.Chain = chain
	rep.Results = []Result{
		checkValidity(leaf, now),
		checkOIN(leaf, a),
		chainResult(chain, chainErr),
		checkEKU(leaf),
		checkKeyUsage(leaf),
		checkHostnames(leaf, a),
		c.checkRevocation(ctx, leaf, chain, issuers),
		c.checkUnique(ctx, leaf, a, all),
		checkG1(leaf, chain),
	}
	return rep
}

func (c *Checker) leaf(ctx context.Context, sha string) (*x509.Certificate, error) {
	if sha == "" {
		return nil, errors.New("no certificate")
	}
	der, err := c.Certs.DER(ctx, sha)
	if err != nil {
		return nil, err
	}
	x, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, i18n.E("err.x509_invalid", err)
	}
	return x, nil
}

// issuers are the stored CA certificates, to build chains with.
func (c *Checker) issuers(ctx context.Context) []*x509.Certificate {
	cas, _ := loadIssuers(ctx, c.Certs)
	return cas
}

// verifyChain checks the chain at a moment the leaf is valid, so that an
// expired certificate fails the validity check and only that one.
func (c *Checker) verifyChain(ctx context.Context, leaf *x509.Certificate, issuers []*x509.Certificate, now time.Time) ([]*x509.Certificate, error) {
	if c.Chain == nil {
		return nil, i18n.E("brp.chain.no_roots", nil)
	}
	at := now
	if at.After(leaf.NotAfter) {
		at = leaf.NotAfter.Add(-time.Second)
	}
	if at.Before(leaf.NotBefore) {
		at = leaf.NotBefore.Add(time.Second)
	}
	return c.Chain.VerifyChain(ctx, leaf, issuers, at)
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

func checkValidity(leaf *x509.Certificate, now time.Time) Result {
	r := Result{Check: CheckValidity}
	switch left := leaf.NotAfter.Sub(now); {
	case now.Before(leaf.NotBefore):
		r.Status, r.Key, r.Args = Fail, "brp.reason.not_yet_valid", []any{day(leaf.NotBefore)}
	case left < 0:
		r.Status, r.Key, r.Args = Fail, "brp.reason.expired", []any{day(leaf.NotAfter)}
	case left < ExpiryWarning:
		r.Status, r.Key, r.Args = Warn, "brp.reason.expires_soon", []any{int(left.Hours() / 24), day(leaf.NotAfter)}
	default:
		r.Status, r.Key, r.Args = Pass, "brp.reason.valid_until", []any{day(leaf.NotAfter)}
	}
	return r
}

func checkOIN(leaf *x509.Certificate, a Afnemer) Result {
	got := leaf.Subject.SerialNumber
	switch {
	case got == "":
		return Result{CheckOIN, Fail, "brp.reason.oin_missing", []any{a.OIN}}
	case got != a.OIN:
		return Result{CheckOIN, Fail, "brp.reason.oin_other", []any{cert.Printable(trim(got, 40)), a.OIN}}
	default:
		return Result{CheckOIN, Pass, "brp.reason.oin_ok", []any{a.OIN}}
	}
}

func chainResult(chain []*x509.Certificate, err error) Result {
	if err != nil {
		return Result{CheckChain, Fail, "brp.reason.chain_failed", []any{errArg{err}}}
	}
	root := chain[len(chain)-1]
	return Result{CheckChain, Pass, "brp.reason.chain_ok", []any{cert.Printable(root.Subject.CommonName)}}
}

func checkEKU(leaf *x509.Certificate) Result {
	names := cert.FromX509(leaf).ExtKeyUsage
	switch {
	case slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageClientAuth):
		return Result{CheckEKU, Pass, "brp.reason.eku_ok", []any{strings.Join(names, ", ")}}
	case len(names) == 0:
		return Result{CheckEKU, Fail, "brp.reason.eku_missing", nil}
	default:
		return Result{CheckEKU, Fail, "brp.reason.eku_no_client", []any{strings.Join(names, ", ")}}
	}
}

func checkKeyUsage(leaf *x509.Certificate) Result {
	names := strings.Join(cert.FromX509(leaf).KeyUsage, ", ")
	switch {
	case leaf.IsCA:
		return Result{CheckKeyUsage, Fail, "brp.reason.ku_ca", nil}
	case leaf.KeyUsage == 0:
		return Result{CheckKeyUsage, Warn, "brp.reason.ku_missing", nil}
	case leaf.KeyUsage&x509.KeyUsageDigitalSignature == 0:
		return Result{CheckKeyUsage, Fail, "brp.reason.ku_no_signature", []any{names}}
	}
	if k, ok := leaf.PublicKey.(*rsa.PublicKey); ok && k.N.BitLen() < 2048 {
		return Result{CheckKeyUsage, Fail, "brp.reason.ku_short_key", []any{k.N.BitLen()}}
	}
	kt, bits := cert.FromX509(leaf).KeyType, cert.FromX509(leaf).KeyBits
	return Result{CheckKeyUsage, Pass, "brp.reason.ku_ok", []any{names, fmt.Sprintf("%s %d", kt, bits)}}
}

func checkHostnames(leaf *x509.Certificate, a Afnemer) Result {
	if len(leaf.DNSNames) == 0 {
		return Result{CheckHostname, Fail, "brp.reason.no_sans", []any{strings.Join(a.Hosts, ", ")}}
	}
	var missing []string
	for _, h := range a.Hosts {
		if leaf.VerifyHostname(h) != nil {
			missing = append(missing, h)
		}
	}
	sans := cert.PrintableMax(strings.Join(leaf.DNSNames, ", "), 300)
	if len(missing) > 0 {
		return Result{CheckHostname, Fail, "brp.reason.host_missing", []any{strings.Join(missing, ", "), sans}}
	}
	return Result{CheckHostname, Pass, "brp.reason.host_ok", []any{strings.Join(a.Hosts, ", ")}}
}

func (c *Checker) checkRevocation(ctx context.Context, leaf *x509.Certificate, chain, issuers []*x509.Certificate) Result {
	if c.Known != nil {
		if rec, ok := c.Known(cert.Fingerprint(leaf.Raw)); ok && rec.Revoked {
			return Result{CheckRevocation, Fail, "brp.reason.revoked_known", []any{day(rec.RevokedAt)}}
		}
	}
	switch {
	case c.Offline:
		return Result{CheckRevocation, Warn, "brp.reason.revocation_offline", nil}
	case c.Revocation == nil:
		return Result{CheckRevocation, Warn, "brp.reason.revocation_no_checker", nil}
	}
	var issuer *x509.Certificate
	if len(chain) > 1 {
		issuer = chain[1]
	} else if built := cert.BuildChain(leaf, issuers); len(built) > 1 {
		issuer = built[1]
	}
	if issuer == nil {
		return Result{CheckRevocation, Warn, "brp.reason.revocation_no_issuer", []any{cert.Printable(leaf.Issuer.CommonName)}}
	}
	st := c.Revocation.CheckRevocation(ctx, leaf, issuer)
	switch st.State {
	case RevocationGood:
		return Result{CheckRevocation, Pass, "brp.reason.not_revoked", []any{cert.PrintableMax(st.Source, 120)}}
	case RevocationRevoked:
		return Result{CheckRevocation, Fail, "brp.reason.revoked", []any{day(st.RevokedAt), keyArg(reasonKey(st.Reason))}}
	default:
		why := st.Err
		if why == nil {
			why = errors.New("no answer")
		}
		return Result{CheckRevocation, Warn, "brp.reason.revocation_unknown", []any{errArg{why}}}
	}
}

// reasonKey names a CRL reason code (RFC 5280 5.3.1).
func reasonKey(code int) string {
	if code < 0 || code > 10 || code == 7 {
		return "brp.crlreason.unspecified"
	}
	return fmt.Sprintf("brp.crlreason.%d", code)
}

func (c *Checker) checkUnique(ctx context.Context, leaf *x509.Certificate, a Afnemer, all []Afnemer) Result {
	var shared, sameKey []string
	for _, o := range all {
		if o.ID == a.ID || o.CertSHA256 == "" {
			continue
		}
		if o.CertSHA256 == a.CertSHA256 {
			shared = append(shared, o.ID+" ("+o.Name+")")
			continue
		}
		if other, err := c.leaf(ctx, o.CertSHA256); err == nil && bytes.Equal(other.RawSubjectPublicKeyInfo, leaf.RawSubjectPublicKeyInfo) {
			sameKey = append(sameKey, o.ID+" ("+o.Name+")")
		}
	}
	switch {
	case len(shared) > 0:
		return Result{CheckUnique, Fail, "brp.reason.shared", []any{cert.PrintableMax(strings.Join(shared, ", "), 300)}}
	case len(sameKey) > 0:
		return Result{CheckUnique, Fail, "brp.reason.shared_key", []any{cert.PrintableMax(strings.Join(sameKey, ", "), 300)}}
	}
	return Result{CheckUnique, Pass, "brp.reason.unique", nil}
}

// isG1 tells a G1 certificate by its policy, or by the root it chains to.
func isG1(leaf *x509.Certificate, chain []*x509.Certificate) bool {
	if cert.ProfileOf(cert.FromX509(leaf).Policies) == cert.ProfilePKIoPrivateG1 {
		return true
	}
	return len(chain) > 0 && cert.Fingerprint(chain[len(chain)-1].Raw) == RootG1PrivateFingerprint
}

func checkG1(leaf *x509.Certificate, chain []*x509.Certificate) Result {
	if isG1(leaf, chain) {
		return Result{CheckG1, Warn, "brp.reason.g1", []any{day(G1End)}}
	}
	return Result{CheckG1, Pass, "brp.reason.not_g1", nil}
}
