package brp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"reflect"
	"strings"
	"syscall"
	"time"

	"pkiodesk/app/cert"
)

// explainNetError puts a failed TCP connection in words.
func explainNetError(err error, addr string, timeout time.Duration) (string, []any) {
	var dns *net.DNSError
	var ne net.Error
	switch {
	case errors.As(err, &dns):
		return "brp.test.dns", []any{cert.Printable(dns.Name)}
	case errors.Is(err, syscall.ECONNREFUSED):
		return "brp.test.refused", []any{addr}
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return "brp.test.unreachable", []any{addr}
	case errors.Is(err, context.Canceled):
		return "brp.test.canceled", nil
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "brp.test.timeout", []any{addr, timeout.String()}
	default:
		return "brp.test.net_error", []any{errArg{err}}
	}
}

// TLS alerts (RFC 8446 6.2) a server sends about a client certificate.
const (
	alertHandshakeFailure       = 40
	alertBadCertificate         = 42
	alertUnsupportedCertificate = 43
	alertCertificateRevoked     = 44
	alertCertificateExpired     = 45
	alertCertificateUnknown     = 46
	alertUnknownCA              = 48
	alertAccessDenied           = 49
	alertProtocolVersion        = 70
	alertUnrecognizedName       = 112
	alertCertificateRequired    = 116
)

// alertKeys explain the alerts in words.
var alertKeys = map[uint8]string{
	alertHandshakeFailure:       "brp.test.alert_handshake_failure",
	alertBadCertificate:         "brp.test.alert_bad_certificate",
	alertUnsupportedCertificate: "brp.test.alert_unsupported_certificate",
	alertCertificateRevoked:     "brp.test.alert_revoked",
	alertCertificateExpired:     "brp.test.alert_expired",
	alertCertificateUnknown:     "brp.test.alert_certificate_unknown",
	alertUnknownCA:              "brp.test.alert_unknown_ca",
	alertAccessDenied:           "brp.test.alert_access_denied",
	alertProtocolVersion:        "brp.test.alert_protocol_version",
	alertUnrecognizedName:       "brp.test.alert_unrecognized_name",
	alertCertificateRequired:    "brp.test.alert_certificate_required",
}

// remoteAlert finds the alert the server sent. crypto/tls returns it as a
// net.OpError "remote error" around an unexported alert number.
func remoteAlert(err error) (uint8, bool) {
	var op *net.OpError
	for e := err; errors.As(e, &op); e = op.Err {
		if op.Op == "remote error" && op.Err != nil {
			v := reflect.ValueOf(op.Err)
			if v.Kind() == reflect.Uint8 && v.Type().PkgPath() == "crypto/tls" {
				return uint8(v.Uint()), true
			}
		}
		if op.Err == nil {
			break
		}
	}
	var ae tls.AlertError
	if errors.As(err, &ae) {
		return uint8(ae), true
	}
	return 0, false
}

// explainTLSError puts a failed handshake, or a server's refusal after it,
// in words: what the server said about our certificate, or what is wrong
// with the server's.
func (t *connTest) explainTLSError(err error, addr string) (string, []any) {
	if t.signer != nil {
		if serr := t.signer.lastError(); serr != nil {
			return "brp.test.sign_failed", []any{errArg{serr}}
		}
	}
	if code, ok := remoteAlert(err); ok {
		if key, known := alertKeys[code]; known {
			return key, []any{addr}
		}
		return "brp.test.alert_other", []any{addr, cert.Printable(tls.AlertError(code).Error())}
	}
	var verr *tls.CertificateVerificationError
	if errors.As(err, &verr) {
		return explainServerCert(verr, addr)
	}
	var rh tls.RecordHeaderError
	var ne net.Error
	switch {
	case errors.As(err, &rh):
		return "brp.test.not_tls", []any{addr}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "brp.test.closed", []any{addr}
	case errors.Is(err, context.Canceled):
		return "brp.test.canceled", nil
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "brp.test.timeout", []any{addr, t.timeout.String()}
	case errors.Is(err, syscall.ECONNREFUSED), strings.Contains(err.Error(), "connection refused"):
		return "brp.test.refused", []any{addr}
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return "brp.test.dns", []any{cert.Printable(dns.Name)}
	}
	if errors.Is(err, http.ErrSchemeMismatch) {
		return "brp.test.not_tls", []any{addr}
	}
	return "brp.test.tls_error", []any{errArg{err}}
}

// explainServerCert says why the server's certificate is not trusted.
func explainServerCert(verr *tls.CertificateVerificationError, addr string) (string, []any) {
	server := "?"
	if len(verr.UnverifiedCertificates) > 0 {
		server = cert.Printable(verr.UnverifiedCertificates[0].Subject.CommonName)
	}
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(verr.Err, &unknown):
		issuer := "?"
		if len(verr.UnverifiedCertificates) > 0 {
			issuer = cert.Printable(verr.UnverifiedCertificates[0].Issuer.CommonName)
		}
		return "brp.test.server_unknown_ca", []any{server, issuer}
	case errors.As(verr.Err, &host):
		names := host.Certificate.DNSNames
		for _, ip := range host.Certificate.IPAddresses {
			names = append(names, ip.String())
		}
		return "brp.test.server_hostname", []any{cert.Printable(host.Host), cert.PrintableMax(strings.Join(names, ", "), 200)}
	case errors.As(verr.Err, &invalid) && invalid.Reason == x509.Expired:
		return "brp.test.server_expired", []any{server, day(invalid.Cert.NotAfter)}
	default:
		return "brp.test.server_invalid", []any{server, errArg{verr.Err}}
	}
}

// explainTokenError puts a refused token request in words (RFC 6749 5.2).
func explainTokenError(status int, oe OAuthError, a Afnemer) (string, []any) {
	desc := oe.Description
	if desc == "" {
		desc = oe.Code
	}
	if desc == "" {
		desc = "-"
	}
	switch {
	case oe.Code == "invalid_client" || status == http.StatusUnauthorized:
		return "brp.test.token_invalid_client", []any{status, a.ClientID, desc}
	case oe.Code == "invalid_scope":
		return "brp.test.token_invalid_scope", []any{status, a.Scope(), desc}
	case oe.Code == "unauthorized_client" || status == http.StatusForbidden:
		return "brp.test.token_forbidden", []any{status, a.ID, a.OIN, desc}
	case oe.Code == "unsupported_grant_type" || oe.Code == "invalid_request":
		return "brp.test.token_bad_request", []any{status, desc}
	default:
		return "brp.test.token_http", []any{status, desc}
	}
}
