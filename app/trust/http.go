package trust

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"

	"pkiodesk/app/i18n"
)

// HTTP is the port to the network the revocation checks use. Errors are
// *i18n.Error with a "trust.problem.*" key and the URL as argument.
type HTTP interface {
	// Get fetches a URL; an answer larger than limit bytes is refused.
	Get(ctx context.Context, url string, limit int64) ([]byte, error)
	// Post sends body and returns the answer.
	Post(ctx context.Context, url, contentType string, body []byte, limit int64) ([]byte, error)
}

// DefaultTimeout bounds one request, from dialling to the last byte.
const DefaultTimeout = 20 * time.Second

// HTTPClient is the HTTP port on net/http: a timeout on every request, the
// proxy from the environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), at most
// three redirects and only to http or https.
type HTTPClient struct {
	client *http.Client
}

// NewHTTPClient makes a client whose requests take at most timeout.
func NewHTTPClient(timeout time.Duration) *HTTPClient {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: min(timeout, 10*time.Second), KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   min(timeout, 10*time.Second),
		ResponseHeaderTimeout: timeout,
		MaxIdleConns:          32,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       30 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &HTTPClient{client: &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 3 {
				return errors.New("too many redirects")
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("redirect to %s", req.URL.Scheme)
			}
			return nil
		},
	}}
}

// Get fetches a URL.
func (h *HTTPClient) Get(ctx context.Context, u string, limit int64) ([]byte, error) {
	req, err := newRequest(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	return h.do(req, u, limit)
}

// Post sends a body.
func (h *HTTPClient) Post(ctx context.Context, u, contentType string, body []byte, limit int64) ([]byte, error) {
	req, err := newRequest(ctx, http.MethodPost, u, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentType)
	return h.do(req, u, limit)
}

func newRequest(ctx context.Context, method, u string, body []byte) (*http.Request, error) {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return nil, i18n.E("trust.problem.url", err, u)
	}
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, r)
	if err != nil {
		return nil, i18n.E("trust.problem.url", err, u)
	}
	req.Header.Set("User-Agent", "pkiodesk")
	return req, nil
}

func (h *HTTPClient) do(req *http.Request, u string, limit int64) ([]byte, error) {
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, netProblem(req.Context(), u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, i18n.E("trust.problem.http_status", i18n.E("trust.reason.http_status", nil, resp.StatusCode), u)
	}
	if resp.ContentLength > limit {
		return nil, i18n.E("trust.problem.too_large", nil, u)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, netProblem(req.Context(), u, err)
	}
	if int64(len(data)) > limit {
		return nil, i18n.E("trust.problem.too_large", nil, u)
	}
	return data, nil
}

// netProblem tells a time-out from an unreachable server.
func netProblem(ctx context.Context, u string, err error) error {
	var ne net.Error
	switch {
	case ctx.Err() == context.Canceled:
		return i18n.E("err.context_canceled", err)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return i18n.E("trust.problem.timeout", nil, u)
	}
	return i18n.E("trust.problem.unreachable", netReason(err), u)
}

// netReason words why a server could not be reached; net/http's own text
// is English ("Get …: dial tcp …: connect: connection refused"), so a
// reason it does not know is left out.
func netReason(err error) error {
	var dns *net.DNSError
	var cert *tls.CertificateVerificationError
	switch {
	case errors.As(err, &dns):
		return i18n.E("trust.reason.dns", nil, dns.Name)
	case errors.Is(err, syscall.ECONNREFUSED):
		return i18n.E("trust.reason.refused", nil)
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return i18n.E("trust.reason.closed", nil)
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return i18n.E("trust.reason.no_route", nil)
	case errors.As(err, &cert):
		return i18n.E("trust.reason.tls", nil)
	}
	return nil
}
