package pdfseal

import (
	"crypto/x509"
	"strings"
	"time"

	"pkiodesk/app/i18n"
)

// Problem is one finding about a signature or a document: a code (the text
// key "pdf.problem.<code>") and its arguments, so that whoever shows it
// renders it in the user's language. A caller (revocation checking, for
// instance) may add its own.
type Problem struct {
	Code string
	Args []any
}

// Text renders the problem in language l.
func (p Problem) Text(l i18n.Lang) string {
	args := make([]any, len(p.Args))
	for i, a := range p.Args {
		if k, ok := a.(textKey); ok {
			a = i18n.T(l, string(k))
		}
		args[i] = a
	}
	return i18n.T(l, "pdf.problem."+p.Code, args...)
}

func (p Problem) String() string { return p.Text(i18n.EN) }

// textKey is a problem argument that is itself a text to translate.
type textKey string

func problem(code string, args ...any) Problem { return Problem{Code: code, Args: args} }

// day formats a time for a problem text.
func day(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// signingCertProblems checks that a certificate may make signatures at a
// time: a key usage that allows signing (digitalSignature or
// nonRepudiation), not a CA certificate, and valid then.
func signingCertProblems(c *x509.Certificate, at time.Time) []Problem {
	var out []Problem
	if c.KeyUsage != 0 && c.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		out = append(out, problem("cert_key_usage", keyUsageNames(c.KeyUsage)))
	}
	if c.BasicConstraintsValid && c.IsCA || c.KeyUsage&x509.KeyUsageCertSign != 0 {
		out = append(out, problem("cert_is_ca"))
	}
	if at.Before(c.NotBefore) {
		out = append(out, problem("cert_not_yet_valid", day(c.NotBefore)))
	}
	if at.After(c.NotAfter) {
		out = append(out, problem("cert_expired", day(c.NotAfter)))
	}
	return out
}

func keyUsageNames(ku x509.KeyUsage) string {
	names := []string{"digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"}
	var out []string
	for i, n := range names {
		if ku&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return strings.Join(out, ", ")
}

// asError turns problems into one user-facing error, each the cause of
// the one before.
func asError(ps []Problem) error {
	var err error
	for i := len(ps) - 1; i >= 0; i-- {
		err = i18n.E("pdf.problem."+ps[i].Code, err, ps[i].Args...)
	}
	return err
}
