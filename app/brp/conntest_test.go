package brp_test

import (
	"context"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"pkiodesk/app/brp"
	"pkiodesk/app/i18n"
	"pkiodesk/internal/brptest"
)

const testSecret = "s3cr3t&=+ geheim"

func secretFunc(s string) func(context.Context) ([]byte, error) {
	return func(context.Context) ([]byte, error) { return []byte(s), nil }
}

// stepTexts renders every step in both languages, for assertions and to
// make sure no secret or token shows up anywhere.
func stepTexts(res brp.TestResult) string {
	var b strings.Builder
	for _, s := range res.Steps {
		for _, l := range []i18n.Lang{i18n.NL, i18n.EN} {
			b.WriteString(string(s.ID) + " " + i18n.T(l, s.Status.Key()) + ": " + s.Reason(l) + "\n")
		}
	}
	return b.String()
}

// A good setup passes the connection test against a local server that
// demands a client certificate: connect, handshake, the certificate
// accepted (HTTP 401 without a token), and a token whose scope and claims
// are shown. The form carries the fields RvIG expects. Neither the secret
// nor the token appears in any step.
func TestConnectionTestGoodSetup(t *testing.T) {
	ca := brptest.NewCA(t)
	rvig := brptest.NewRvIG(t, ca, "client-100001", testSecret)
	c, key := ca.IssueWithKey(t, brptest.Gateway{OIN: oin(1), DNSNames: []string{"gw1.voorbeeldstad.nl"}})
	a := afnemer("100001", "Goed", oin(1), "gw1.voorbeeldstad.nl", c)

	var progress []string
	res := brp.TestConnection(context.Background(), a, brp.TestOptions{
		URL: rvig.URL(), TokenURL: rvig.TokenURL(), Signer: key, Chain: []*x509.Certificate{c, ca.Issuer},
		ServerRoots: ca.Pool(), Secret: secretFunc(testSecret),
		Progress: func(s brp.Step) {
			state := "start"
			if s.Done {
				state = i18n.T(i18n.EN, s.Status.Key())
			}
			progress = append(progress, string(s.ID)+":"+state)
		},
	})
	texts := stepTexts(res)
	if !res.OK() || len(res.Steps) != 4 {
		t.Fatalf("connection test failed:\n%s", texts)
	}
	for _, s := range res.Steps {
		if s.Status != brp.Pass {
			t.Errorf("step %s: %s", s.ID, s.Reason(i18n.EN))
		}
	}
	if got := strings.Join(progress, " "); got != "connect:start connect:ok handshake:start handshake:ok accepted:start accepted:ok token:start token:ok" {
		t.Errorf("progress: %s", got)
	}
	if !strings.Contains(texts, "het endpoint vraagt om een token (HTTP 401)") || !strings.Contains(texts, "token received (valid 3599 seconds)") {
		t.Errorf("texts:\n%s", texts)
	}
	tok := res.Token
	if tok == nil || tok.Scope != "100001-"+oin(1) || !tok.ClaimsReadable {
		t.Fatalf("token info: %+v", tok)
	}
	for name, want := range map[string]string{"OIN": oin(1), "afnemerID": "100001", "gemeenteCode": "0599", "endpoint": "brp;brp-berichten-lap", "berichtenboxnummer": "1234567"} {
		if v, _ := tok.Claim(name); v != want {
			t.Errorf("claim %s = %q, want %q", name, v, want)
		}
	}
	form := rvig.Forms[0]
	if form["grant_type"] != "client_credentials" || form["client_id"] != "client-100001" || form["scope"] != "100001-"+oin(1) || form["resourceServer"] != "ResourceServer01" {
		t.Errorf("token form: %v", form)
	}
	for _, secretish := range append(rvig.IssuedTokens(), testSecret, "s3cr3t") {
		if strings.Contains(texts, secretish) {
			t.Errorf("a step shows the secret or the token %q", secretish)
		}
	}
}

// Every failure is explained in words.
func TestConnectionTestFailuresInWords(t *testing.T) {
	ca := brptest.NewCA(t)
	rvig := brptest.NewRvIG(t, ca, "client-100001", testSecret)
	good, goodKey := ca.IssueWithKey(t, brptest.Gateway{OIN: oin(1), DNSNames: []string{"gw1.voorbeeldstad.nl"}})
	now := time.Now()
	expired, expiredKey := ca.IssueWithKey(t, brptest.Gateway{OIN: oin(1), DNSNames: []string{"gw1.voorbeeldstad.nl"}, NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.Add(-time.Hour)})
	other := brptest.NewCA(t)
	stranger, strangerKey := other.IssueWithKey(t, brptest.Gateway{OIN: oin(1), DNSNames: []string{"gw1.voorbeeldstad.nl"}})
	a := afnemer("100001", "Goed", oin(1), "gw1.voorbeeldstad.nl", good)
	wrongOIN := a
	wrongOIN.OIN = oin(2)

	// A port nobody listens on, a server that never answers, and a server
	// that speaks plain HTTP.
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedURL := "https://" + closed.Addr().String() + "/"
	closed.Close()
	silent, _ := net.Listen("tcp", "127.0.0.1:0")
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()

	base := brp.TestOptions{URL: rvig.URL(), Signer: goodKey, Chain: []*x509.Certificate{good, ca.Issuer}, ServerRoots: ca.Pool(), Timeout: 5 * time.Second}
	for _, tc := range []struct {
		name string
		a    brp.Afnemer
		opt  func(o *brp.TestOptions)
		step brp.StepID
		want string // English reason
	}{
		{"refused", a, func(o *brp.TestOptions) { o.URL = closedURL }, brp.StepConnect, "refuses the connection"},
		{"time-out", a, func(o *brp.TestOptions) {
			o.URL = "https://" + silent.Addr().String() + "/"
			o.Timeout = 300 * time.Millisecond
		}, brp.StepHandshake, "within 300ms (time-out)"},
		{"not TLS", a, func(o *brp.TestOptions) { o.URL = "https://" + plain.Listener.Addr().String() + "/" }, brp.StepHandshake, "does not speak TLS"},
		{"server not trusted", a, func(o *brp.TestOptions) { o.ServerRoots = other.Pool() }, brp.StepHandshake, "is issued by brptest Private Services CA, which is not trusted here"},
		{"hostname mismatch", a, func(o *brp.TestOptions) { o.URL = strings.Replace(rvig.URL(), "127.0.0.1", "localhost", 1) }, brp.StepHandshake, "not valid for localhost (only for 127.0.0.1)"},
		{"expired client certificate", a, func(o *brp.TestOptions) { o.Signer, o.Chain = expiredKey, []*x509.Certificate{expired, ca.Issuer} }, brp.StepAccepted, "reports that the client certificate has expired"},
		{"unknown CA", a, func(o *brp.TestOptions) { o.Signer, o.Chain = strangerKey, []*x509.Certificate{stranger, other.Issuer} }, brp.StepAccepted, "does not trust the client certificate's issuer (unknown_ca)"},
		{"wrong secret", a, func(o *brp.TestOptions) { o.TokenURL, o.Secret = rvig.TokenURL(), secretFunc("fout") }, brp.StepToken, "token refused (HTTP 401): client id client-100001 or the client secret is wrong"},
		{"wrong scope", wrongOIN, func(o *brp.TestOptions) { o.TokenURL, o.Secret = rvig.TokenURL(), secretFunc(testSecret) }, brp.StepToken, "scope 100001-" + oin(2) + " is not accepted"},
		{"bad URL", a, func(o *brp.TestOptions) { o.URL = "http://apigw.example/" }, brp.StepConnect, `invalid URL "http://apigw.example/"`},
		{"no key", a, func(o *brp.TestOptions) { o.Signer = nil }, brp.StepHandshake, "no key for the certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt := base
			tc.opt(&opt)
			res := brp.TestConnection(context.Background(), tc.a, opt)
			if res.OK() {
				t.Fatalf("passed:\n%s", stepTexts(res))
			}
			last := res.Steps[len(res.Steps)-1]
			if last.ID != tc.step || last.Status != brp.Fail || !strings.Contains(last.Reason(i18n.EN), tc.want) {
				t.Errorf("last step %s %s: %q, want %s with %q", last.ID, i18n.T(i18n.EN, last.Status.Key()), last.Reason(i18n.EN), tc.step, tc.want)
			}
			if nl := last.Reason(i18n.NL); nl == last.Reason(i18n.EN) || strings.Contains(nl, "%!") {
				t.Errorf("Dutch reason %q", nl)
			}
			if strings.Contains(stepTexts(res), testSecret) {
				t.Error("a step shows the secret")
			}
		})
	}
}
