package brp_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"pkiodesk/app/brp"
	"pkiodesk/app/i18n"
	"pkiodesk/app/store"
	"pkiodesk/internal/brptest"
)

// The register keeps afnemers in the real database file; bad input gets a
// clear error and leaves what is stored unchanged; a TAP registers several
// afnemers, each with its own certificate.
func TestRegisterValidatesAndPersists(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	reg := brp.NewRegister(st)
	good := brp.Afnemer{ID: "510193", Name: "Gemeente Voorbeeldstad", OIN: "00000001002564440000", Gemeentecode: "0599", Berichtenbox: "1234567",
		Endpoints: []brp.Endpoint{brp.EndpointBRP, brp.EndpointBerichten}, Hosts: []string{"GW.Voorbeeldstad.NL."},
		Key: "pkcs11:token=Gateway;object=brp%20sleutel", ClientID: "voorbeeldstad-brp", TAP: "Aansluitpartij BV"}
	saved, err := reg.Add(ctx, good)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Hosts[0] != "gw.voorbeeldstad.nl" || good.Hosts[0] != "GW.Voorbeeldstad.NL." {
		t.Errorf("host normalised %q, caller's slice changed: %q", saved.Hosts[0], good.Hosts[0])
	}
	if saved.Scope() != "510193-00000001002564440000" {
		t.Errorf("scope %s", saved.Scope())
	}
	for _, tc := range []struct {
		change func(a *brp.Afnemer)
		key    string
	}{
		{func(a *brp.Afnemer) { a.ID = "51019" }, "brp.err.afnemer_id"},
		{func(a *brp.Afnemer) { a.ID = "51019a" }, "brp.err.afnemer_id"},
		{func(a *brp.Afnemer) { a.OIN = "00000001002564440001" }, "err.oin_suffix"},
		{func(a *brp.Afnemer) { a.OIN = "12345" }, "err.oin_length"},
		{func(a *brp.Afnemer) { a.Gemeentecode = "599" }, "brp.err.gemeentecode"},
		{func(a *brp.Afnemer) { a.Name = " " }, "brp.err.name"},
		{func(a *brp.Afnemer) { a.Name = "a\x1b[31m" }, "brp.err.name"},
		{func(a *brp.Afnemer) { a.Hosts = []string{"10.0.0.1"} }, "brp.err.host_ip"},
		{func(a *brp.Afnemer) { a.Hosts = []string{"*.voorbeeldstad.nl"} }, "brp.err.host"},
		{func(a *brp.Afnemer) { a.Hosts = []string{"gateway"} }, "brp.err.host_not_fqdn"},
		{func(a *brp.Afnemer) { a.Hosts = nil }, "brp.err.no_host"},
		{func(a *brp.Afnemer) { a.Endpoints = []brp.Endpoint{"brp-anders"} }, "brp.err.endpoint"},
		{func(a *brp.Afnemer) { a.CertSHA256 = "ABC" }, "brp.err.cert_sha256"},
		{func(a *brp.Afnemer) { a.Key = "pkcs11:object=x" }, "brp.err.pkcs11_no_token"},
		{func(a *brp.Afnemer) { a.Key = "pkcs11:token=x?pin-value=1234" }, "brp.err.pkcs11_attr"},
		{func(a *brp.Afnemer) { a.ClientID = "a b" }, "brp.err.client_id"},
		{func(a *brp.Afnemer) { a.Berichtenbox = "12a" }, "brp.err.berichtenbox"},
	} {
		bad := good
		bad.Hosts = []string{"gw.voorbeeldstad.nl"}
		bad.ID = "510194"
		tc.change(&bad)
		if _, err := reg.Add(ctx, bad); !i18n.Is(err, tc.key) {
			t.Errorf("%+v: %v, want %s", bad, err, tc.key)
		} else if strings.Contains(i18n.Localize(i18n.NL, err), "%!") {
			t.Errorf("message %q", i18n.Localize(i18n.NL, err))
		}
	}
	if _, err := reg.Add(ctx, good); !i18n.Is(err, "brp.err.exists") {
		t.Errorf("second add: %v", err)
	}
	// A TAP: a second afnemer, its own certificate reference.
	second := good
	second.ID, second.Name, second.OIN, second.Hosts = "510200", "Gemeente Anderstad", "00000001002220647000", []string{"gw.anderstad.nl"}
	if _, err := reg.Add(ctx, second); err != nil {
		t.Fatal(err)
	}
	changed := saved
	changed.Name = "Gemeente Voorbeeldstad (nieuw)"
	if _, err := reg.Put(ctx, changed); err != nil {
		t.Fatal(err)
	}
	if err := reg.Remove(ctx, "999999"); !i18n.Is(err, "brp.err.not_found") {
		t.Errorf("remove unknown: %v", err)
	}
	path := st.Path()
	st.Close()
	again, err := store.OpenBolt(path, store.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	list, err := brp.NewRegister(again).List(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "Gemeente Voorbeeldstad (nieuw)" || list[1].ID != "510200" || list[0].TAP != "Aansluitpartij BV" {
		t.Fatalf("after reopening: %+v %v", list, err)
	}
	// The secret is not in the database: there is no field for it.
	raw, _ := json.Marshal(list[0])
	if bytes.Contains(bytes.ToLower(raw), []byte("secret\":\"s")) {
		t.Errorf("record: %s", raw)
	}

	// A record damaged by someone else is reported, never silently dropped.
	again.UpdateRecords(ctx, "brp-afnemers", func(tx store.RecordTx) error {
		return tx.Put("510200", []byte(`{"v":1,"afnemer":{"afnemerID":"510200","name":"x","oin":"kapot"}}`))
	})
	if _, err := brp.NewRegister(again).List(ctx); !i18n.Is(err, "brp.err.record") || !i18n.Is(err, "err.oin_length") {
		t.Errorf("damaged record: %v", err)
	}
	again.UpdateRecords(ctx, "brp-afnemers", func(tx store.RecordTx) error {
		return tx.Put("510200", []byte(`{"v":2,"afnemer":{}}`))
	})
	if _, err := brp.NewRegister(again).Get(ctx, "510200"); !i18n.Is(err, "brp.err.record") {
		t.Errorf("newer record: %v", err)
	}
}

// The gateway export carries scope, claims and references to certificate
// and key, as JSON and as YAML with the same content; the chain is a PEM
// bundle leaf first, without the root. No secret is in it.
func TestGatewayExport(t *testing.T) {
	ctx := context.Background()
	ca := brptest.NewCA(t)
	st := openStore(t)
	c, _ := ca.IssueWithKey(t, brptest.Gateway{OIN: oin(1), DNSNames: []string{"gw1.voorbeeldstad.nl"}})
	addCerts(t, st, ca.Root, ca.Issuer, c)
	a := afnemer("100001", "Goed", oin(1), "gw1.voorbeeldstad.nl", c)
	a.Berichtenbox, a.Key, a.Secret = "1234567", "pkcs11:token=Gateway;object=BRP", brp.SecretKeyring
	b := afnemer("100002", "Zonder certificaat", oin(2), "gw2.voorbeeldstad.nl", c)
	b.CertSHA256, b.Gemeentecode = "", ""
	checker := &brp.Checker{Certs: st, Chain: &brp.X509Chain{Roots: []*x509.Certificate{ca.Root}}}
	ex, err := brp.BuildExport(ctx, []brp.Afnemer{a, b}, checker)
	if err != nil {
		t.Fatal(err)
	}
	js, err := ex.Config.JSON()
	if err != nil {
		t.Fatal(err)
	}
	ym, err := ex.Config.YAML()
	if err != nil {
		t.Fatal(err)
	}
	var fromJSON, fromYAML map[string]any
	if err := json.Unmarshal(js, &fromJSON); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(ym, &fromYAML); err != nil {
		t.Fatal(err)
	}
	if j1, _ := json.Marshal(fromJSON); !bytes.Equal(j1, must(json.Marshal(fromYAML))) {
		t.Errorf("JSON and YAML differ:\n%s\n%s", js, ym)
	}
	for _, want := range []string{
		`"scope": "100001-` + oin(1) + `"`, `"gemeenteCode": "0599"`, `"endpoint": "brp;brp-berichten"`, `"berichtenboxnummer": "1234567"`,
		`"resourceServer": "ResourceServer01"`, `"grantType": "client_credentials"`, `"clientSecret": "keyring:pkiodesk BRP/100001/client-100001"`,
		`"key": "pkcs11:token=Gateway;object=BRP"`, `"chainFile": "100001-chain.pem"`, `"clientSecret": "ask"`,
	} {
		if !strings.Contains(string(js), want) {
			t.Errorf("JSON lacks %s:\n%s", want, js)
		}
	}
	if !strings.Contains(string(ym), "scope: 100001-"+oin(1)) || !strings.Contains(string(ym), "endpoint: brp;brp-berichten") {
		t.Errorf("YAML:\n%s", ym)
	}
	bundle := ex.Files["100001-chain.pem"]
	var got []*x509.Certificate
	for rest := bundle; ; {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		x, _ := x509.ParseCertificate(blk.Bytes)
		got = append(got, x)
	}
	if len(got) != 2 || !got[0].Equal(c) || !got[1].Equal(ca.Issuer) {
		t.Errorf("PEM bundle: %d certificates", len(got))
	}
	if len(ex.Files) != 1 {
		t.Errorf("files %v", ex.Files)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// FakeSecretStore stands in for the OS keyring, which needs a desktop
// session (Secret Service, Credential Manager) that does not run here.
type FakeSecretStore struct {
	m   map[string][]byte
	err error
}

func (f *FakeSecretStore) Get(_ context.Context, account string) ([]byte, error) {
	if f.err != nil {
		return nil, f.err
	}
	v, ok := f.m[account]
	if !ok {
		return nil, brp.ErrNoSecret
	}
	return append([]byte(nil), v...), nil
}

func (f *FakeSecretStore) Set(_ context.Context, account string, secret []byte) error {
	if f.err != nil {
		return f.err
	}
	f.m[account] = append([]byte(nil), secret...)
	return nil
}

func (f *FakeSecretStore) Delete(_ context.Context, account string) error {
	delete(f.m, account)
	return f.err
}

// The client secret goes to the keyring; without one it is asked each
// time. The real keyring on a machine without a Secret Service says it is
// unavailable in words, so the fallback takes over.
func TestSecretsKeyringOrAsk(t *testing.T) {
	ctx := context.Background()
	a := brp.Afnemer{ID: "510193", ClientID: "c"}
	asked := 0
	ask := func(context.Context, brp.Afnemer) ([]byte, error) { asked++; return []byte("gevraagd"), nil }

	kr := &FakeSecretStore{m: map[string][]byte{}}
	s := brp.Secrets{Store: kr, Ask: ask}
	if err := s.Save(ctx, &a, []byte("bewaard")); err != nil || a.Secret != brp.SecretKeyring {
		t.Fatalf("save: %v %s", err, a.Secret)
	}
	if got, err := s.Secret(ctx, a); err != nil || string(got) != "bewaard" || asked != 0 {
		t.Errorf("from the keyring: %q %v asked %d", got, err, asked)
	}
	// The keyring lost it: ask.
	delete(kr.m, brp.SecretAccount(a))
	if got, _ := s.Secret(ctx, a); string(got) != "gevraagd" || asked != 1 {
		t.Errorf("fallback: %q asked %d", got, asked)
	}
	// No keyring at all: the afnemer is set to "ask" and told why.
	b := brp.Afnemer{ID: "510194", ClientID: "c"}
	broken := brp.Secrets{Store: &FakeSecretStore{err: brp.ErrKeyringUnavailable}, Ask: ask}
	if err := broken.Save(ctx, &b, []byte("x")); err == nil || b.Secret != brp.SecretAsk {
		t.Errorf("broken keyring: %v %s", err, b.Secret)
	}

	// The real OS keyring, with no session bus: unavailable, in words.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/pkiodesk-test-bus")
	t.Setenv("DISPLAY", "")
	_, err := brp.Keyring{}.Get(ctx, "pkiodesk-test/none")
	if err == nil {
		t.Skip("this machine has a working keyring")
	}
	if !errors.Is(err, brp.ErrKeyringUnavailable) || !strings.Contains(i18n.Localize(i18n.NL, err), "sleutelbos") {
		t.Errorf("real keyring: %v", err)
	}
	real := brp.Secrets{Store: brp.Keyring{}, Ask: ask}
	c := brp.Afnemer{ID: "510195", ClientID: "c"}
	if err := real.Save(ctx, &c, []byte("x")); err == nil || c.Secret != brp.SecretAsk {
		t.Errorf("save without keyring: %v %s", err, c.Secret)
	}
}
