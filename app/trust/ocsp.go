package trust

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"

	"pkiodesk/app/i18n"
)

const (
	// MaxOCSPSize bounds an OCSP response.
	MaxOCSPSize = 1 << 20
	// lifetimeWithoutNextUpdateOCSP: a response without nextUpdate says
	// newer information is always available; it is used for an hour.
	lifetimeWithoutNextUpdateOCSP = time.Hour
)

// ocspAnswer is a verified OCSP response for one certificate.
type ocspAnswer struct {
	resp   *ocsp.Response
	source string
}

func (a *ocspAnswer) nextUpdate() time.Time {
	if a.resp.NextUpdate.IsZero() {
		return a.resp.ThisUpdate.Add(lifetimeWithoutNextUpdateOCSP)
	}
	return a.resp.NextUpdate
}

// queryOCSP asks the certificate's responder and verifies the answer.
func (s *Service) queryOCSP(ctx context.Context, url string, leaf, issuer *x509.Certificate, now time.Time) (*ocspAnswer, error) {
	// SHA-1 in the CertID is what responders universally support; it
	// names the certificate, it does not protect anything.
	req, err := ocsp.CreateRequest(leaf, issuer, &ocsp.RequestOptions{Hash: crypto.SHA1})
	if err != nil {
		return nil, i18n.E("trust.problem.garbage", err, url)
	}
	raw, err := s.http.Post(ctx, url, "application/ocsp-request", req, MaxOCSPSize)
	if err != nil {
		return nil, err
	}
	resp, err := ParseOCSP(raw, leaf, issuer, now)
	if err != nil {
		var ue *i18n.Error
		if errors.As(err, &ue) && len(ue.Args) == 1 {
			ue.Args = []any{url}
		}
		return nil, err
	}
	return &ocspAnswer{resp: resp, source: url}, nil
}

// ParseOCSP reads an OCSP response about leaf and checks it: signed by
// the issuer or by a responder the issuer authorised (EKU OCSPSigning,
// valid now), about this certificate, not from the future, and with a
// status of good or revoked.
func ParseOCSP(raw []byte, leaf, issuer *x509.Certificate, now time.Time) (*ocsp.Response, error) {
	resp, err := ocsp.ParseResponseForCert(raw, leaf, issuer)
	if err != nil {
		var re ocsp.ResponseError
		switch {
		case errors.As(err, &re):
			return nil, i18n.E("trust.problem.ocsp_error", err, "")
		case strings.Contains(err.Error(), "signature"):
			return nil, i18n.E("trust.problem.bad_signature", err, name(issuer))
		}
		return nil, i18n.E("trust.problem.garbage", err, "")
	}
	if r := resp.Certificate; r != nil && !r.Equal(issuer) {
		if !slices.Contains(r.ExtKeyUsage, x509.ExtKeyUsageOCSPSigning) {
			return nil, i18n.E("trust.problem.bad_signature", errors.New("OCSP responder certificate lacks the OCSPSigning usage"), name(issuer))
		}
		if now.After(r.NotAfter) || now.Before(r.NotBefore.Add(-clockSkew)) {
			return nil, i18n.E("trust.problem.bad_signature", errors.New("OCSP responder certificate is not valid now"), name(issuer))
		}
	}
	if resp.ThisUpdate.After(now.Add(clockSkew)) {
		return nil, i18n.E("trust.problem.not_yet", nil, resp.ThisUpdate.UTC().Format(time.RFC3339))
	}
	switch resp.Status {
	case ocsp.Good, ocsp.Revoked:
		return resp, nil
	}
	return nil, i18n.E("trust.problem.ocsp_unknown", nil, "")
}
