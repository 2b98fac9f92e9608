package order

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"pkiodesk/app/i18n"
	"pkiodesk/internal/fixture"
)

// One RSA-2048 key for the lint tests: generating keys is what is slow.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

var testFQDNs = []string{"zaken.voorbeeldstad.nl", "api.voorbeeldstad.nl"}

// goodSubject is what a G4 server CSR for the test organisation carries.
func goodSubject() pkix.Name {
	return pkix.Name{Country: []string{"NL"}, Organization: []string{testOrg.Name}, SerialNumber: testOrg.OIN, CommonName: testFQDNs[0],
		ExtraNames: []pkix.AttributeTypeAndValue{{Type: oidOrganizationIdentifier, Value: "NTRNL-" + testOrg.KvK}}}
}

func makeCSR(t testing.TB, key crypto.Signer, tmpl x509.CertificateRequest) []byte {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, &tmpl, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

func lintPEM(t *testing.T, data []byte, in LintInput) []Finding {
	t.Helper()
	csr, err := ParseCSR(data)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return Lint(csr, in)
}

func keys(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Severity)+":"+f.Err.Key)
	}
	return out
}

func g4Input() LintInput {
	o := testOrg
	return LintInput{Profile: LintPKIoG4, Org: &o, FQDNs: testFQDNs}
}

func TestLintAcceptsAGoodCSR(t *testing.T) {
	good := makeCSR(t, testKey(), x509.CertificateRequest{Subject: goodSubject(), DNSNames: testFQDNs})
	if fs := lintPEM(t, good, g4Input()); len(fs) != 0 {
		t.Errorf("findings on a good CSR: %v", keys(fs))
	}
	// Order and case of the SANs do not matter.
	in := g4Input()
	in.FQDNs = []string{"API.voorbeeldstad.nl", "zaken.voorbeeldstad.nl"}
	if fs := lintPEM(t, good, in); len(fs) != 0 {
		t.Errorf("findings with other order and case: %v", keys(fs))
	}
}

// Each rule, one CSR that breaks it and the finding it gets.
func TestLintFindsEachProblem(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	with := func(edit func(*x509.CertificateRequest)) x509.CertificateRequest {
		tmpl := x509.CertificateRequest{Subject: goodSubject(), DNSNames: append([]string(nil), testFQDNs...)}
		edit(&tmpl)
		return tmpl
	}
	cases := []struct {
		name string
		key  crypto.Signer
		tmpl x509.CertificateRequest
		in   func(*LintInput)
		want string
	}{
		{"other organisation", nil, with(func(r *x509.CertificateRequest) { r.Subject.Organization = []string{"Gemeente Elders"} }), nil, "error:csr.o_wrong"},
		{"no organisation", nil, with(func(r *x509.CertificateRequest) { r.Subject.Organization = nil }), nil, "error:csr.o_missing"},
		{"no OIN", nil, with(func(r *x509.CertificateRequest) { r.Subject.SerialNumber = "" }), nil, "error:csr.oin_missing"},
		{"other OIN", nil, with(func(r *x509.CertificateRequest) { r.Subject.SerialNumber = "00000001000000001000" }), nil, "error:csr.oin_wrong"},
		{"no organizationIdentifier", nil, with(func(r *x509.CertificateRequest) { r.Subject.ExtraNames = nil }), nil, "error:csr.orgid_missing"},
		{"other organizationIdentifier", nil, with(func(r *x509.CertificateRequest) {
			r.Subject.ExtraNames = []pkix.AttributeTypeAndValue{{Type: oidOrganizationIdentifier, Value: "NTRNL-87654321"}}
		}), nil, "error:csr.orgid_wrong"},
		{"other country", nil, with(func(r *x509.CertificateRequest) { r.Subject.Country = []string{"BE"} }), nil, "error:csr.c_wrong"},
		{"OU", nil, with(func(r *x509.CertificateRequest) { r.Subject.OrganizationalUnit = []string{"ICT"} }), nil, "error:csr.ou"},
		{"wildcard", nil, with(func(r *x509.CertificateRequest) { r.DNSNames = append(r.DNSNames, "*.voorbeeldstad.nl") }), func(in *LintInput) {
			in.FQDNs = append(in.FQDNs, "*.voorbeeldstad.nl")
		}, "error:csr.wildcard"},
		{"IP address", nil, with(func(r *x509.CertificateRequest) { r.IPAddresses = []net.IP{net.ParseIP("10.0.0.1")} }), nil, "error:csr.ip_san"},
		{"e-mail SAN", nil, with(func(r *x509.CertificateRequest) { r.EmailAddresses = []string{"a@b.nl"} }), nil, "error:csr.other_sans"},
		{"missing FQDN", nil, with(func(r *x509.CertificateRequest) { r.DNSNames = r.DNSNames[:1] }), nil, "error:csr.fqdn_missing"},
		{"extra FQDN", nil, with(func(r *x509.CertificateRequest) { r.DNSNames = append(r.DNSNames, "oud.voorbeeldstad.nl") }), nil, "error:csr.fqdn_extra"},
		{"no SANs", nil, with(func(r *x509.CertificateRequest) { r.DNSNames = nil }), func(in *LintInput) { in.FQDNs = []string{} }, "error:csr.no_sans"},
		{"CN not a SAN", nil, with(func(r *x509.CertificateRequest) { r.Subject.CommonName = "www.voorbeeldstad.nl" }), nil, "error:csr.cn_not_san"},
		{"ECDSA for PKIo", ec, with(func(*x509.CertificateRequest) {}), nil, "error:csr.rsa_only"},
		{"RSA 1024", small, with(func(*x509.CertificateRequest) {}), nil, "error:csr.rsa_size"},
		{"RSA 2048 on G4 trial", nil, with(func(*x509.CertificateRequest) {}), func(in *LintInput) { in.Profile = LintPKIoG4Trial }, "error:csr.rsa_size"},
		{"same key on renewal", nil, with(func(*x509.CertificateRequest) {}), func(in *LintInput) { in.Previous = testKey().Public() }, "error:csr.same_key"},
		{"organisation unknown", nil, with(func(*x509.CertificateRequest) {}), func(in *LintInput) { in.Org = nil }, "warning:csr.org_unknown"},
		{"FQDNs unknown", nil, with(func(*x509.CertificateRequest) {}), func(in *LintInput) { in.FQDNs = nil }, "warning:csr.fqdns_unknown"},
		{"wildcard on G1", nil, with(func(r *x509.CertificateRequest) { r.DNSNames = append(r.DNSNames, "*.voorbeeldstad.nl") }), func(in *LintInput) {
			in.Profile, in.FQDNs = LintPKIoG1, append(in.FQDNs, "*.voorbeeldstad.nl")
		}, "warning:csr.wildcard"},
	}
	for _, c := range cases {
		key := c.key
		if key == nil {
			key = testKey()
		}
		in := g4Input()
		if c.in != nil {
			c.in(&in)
		}
		fs := lintPEM(t, makeCSR(t, key, c.tmpl), in)
		got := keys(fs)
		if len(got) != 1 || got[0] != c.want {
			t.Errorf("%s: findings %v, want only %s", c.name, got, c.want)
		}
		for _, f := range fs {
			if nl := f.Text(i18n.NL); strings.Contains(nl, "%!") || f.Err.Localize(i18n.NL) == f.Err.Key {
				t.Errorf("%s: message %q", c.name, nl)
			}
		}
	}
	// certSIGN OV: ECDSA P-256 and a wildcard are fine, no OIN needed.
	ov := with(func(r *x509.CertificateRequest) {
		r.Subject.SerialNumber, r.Subject.ExtraNames = "", nil
		r.DNSNames = append(r.DNSNames, "*.voorbeeldstad.nl")
	})
	in := g4Input()
	in.Profile, in.FQDNs = LintCertSIGNOV, append(in.FQDNs, "*.voorbeeldstad.nl")
	if fs := lintPEM(t, makeCSR(t, ec, ov), in); len(fs) != 0 {
		t.Errorf("certSIGN OV: %v", keys(fs))
	}
}

func TestLintFindsABrokenSignature(t *testing.T) {
	good := makeCSR(t, testKey(), x509.CertificateRequest{Subject: goodSubject(), DNSNames: testFQDNs})
	block, _ := pem.Decode(good)
	der := bytes.Clone(block.Bytes)
	der[len(der)-5] ^= 0xff // a bit of the signature
	fs := lintPEM(t, der, g4Input())
	if got := keys(fs); len(got) != 1 || got[0] != "error:csr.signature" {
		t.Errorf("findings %v", got)
	}
	if !HasErrors(fs) {
		t.Error("HasErrors")
	}
}

// A SHA-1 CSR made by OpenSSL, an independent producer.
func TestLintRefusesSHA1(t *testing.T) {
	openssl := fixture.Program(t, "openssl")
	dir := t.TempDir()
	out, err := exec.Command(openssl, "req", "-new", "-newkey", "rsa:2048", "-noenc", "-sha1", "-keyout", filepath.Join(dir, "k"), "-out", filepath.Join(dir, "r.csr"),
		"-subj", "/C=NL/O="+testOrg.Name+"/serialNumber="+testOrg.OIN+"/organizationIdentifier=NTRNL-"+testOrg.KvK+"/CN="+testFQDNs[0],
		"-addext", "subjectAltName=DNS:"+testFQDNs[0]+",DNS:"+testFQDNs[1]).CombinedOutput()
	if err != nil {
		t.Skipf("this OpenSSL does not sign with SHA-1: %v %s", err, out)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "r.csr"))
	if got := keys(lintPEM(t, data, g4Input())); len(got) != 1 || got[0] != "error:csr.weak_hash" {
		t.Errorf("findings %v", got)
	}
}

func TestParseCSRSaysWhatItGot(t *testing.T) {
	good := makeCSR(t, testKey(), x509.CertificateRequest{Subject: goodSubject(), DNSNames: testFQDNs})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: mustPKCS8(t, testKey())})
	self := &x509.Certificate{SerialNumber: bigOne(), Subject: pkix.Name{CommonName: "x"}}
	certDER, _ := x509.CreateCertificate(rand.Reader, self, self, testKey().Public(), testKey())
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certDER})
	cases := map[string]struct {
		data []byte
		want string
	}{
		"empty":       {[]byte("  \n"), "csr.empty"},
		"garbage":     {[]byte("=1+1"), "csr.not_csr"},
		"private key": {append(keyPEM, good...), "csr.private_key"},
		"certificate": {certPEM, "csr.is_certificate"},
		"cert DER":    {certDER, "csr.is_certificate"},
		"two CSRs":    {append(append([]byte{}, good...), good...), "csr.several"},
		"too large":   {bytes.Repeat([]byte("A"), MaxCSRSize+1), "csr.too_large"},
		"other PEM":   {pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1}}), "csr.not_csr"},
	}
	for name, c := range cases {
		if _, err := ParseCSR(c.data); !i18n.Is(err, c.want) {
			t.Errorf("%s: %v, want %s", name, err, c.want)
		}
	}
	block, _ := pem.Decode(good)
	if _, err := ParseCSR(block.Bytes); err != nil {
		t.Errorf("DER: %v", err)
	}
	if _, err := ParseCSR(bytes.ReplaceAll(good, []byte("CERTIFICATE REQUEST"), []byte("NEW CERTIFICATE REQUEST"))); err != nil {
		t.Errorf("NEW CERTIFICATE REQUEST: %v", err)
	}
}

func mustPKCS8(t *testing.T, k any) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// FuzzParseCSR: any input gives a CSR or a user-facing error, never a
// panic; a parsed CSR lints without panicking.
func FuzzParseCSR(f *testing.F) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: goodSubject(), DNSNames: testFQDNs,
		IPAddresses: []net.IP{net.ParseIP("10.1.2.3")}, EmailAddresses: []string{"a@b.nl"}}, key)
	f.Add(der)
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
	f.Add([]byte("-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n"))
	f.Add([]byte{0x30, 0x82, 0xff, 0xff})
	f.Add([]byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\n-----END ENCRYPTED PRIVATE KEY-----"))
	o := testOrg
	f.Fuzz(func(t *testing.T, data []byte) {
		csr, err := ParseCSR(data)
		if err != nil {
			var ue *i18n.Error
			if !asI18n(err, &ue) {
				t.Fatalf("not a user-facing error: %v", err)
			}
			return
		}
		for _, p := range LintProfiles {
			for _, f := range Lint(csr, LintInput{Profile: p, Org: &o, FQDNs: testFQDNs, Previous: key.Public()}) {
				if f.Err == nil || strings.Contains(f.Text(i18n.NL), "%!") {
					t.Fatalf("finding %+v", f)
				}
			}
		}
	})
}

func bigOne() *big.Int { return big.NewInt(1) }

func asI18n(err error, target **i18n.Error) bool { return errors.As(err, target) }

// A DER request whose signature ends in a byte that looks like white space
// (about one in forty) is read whole, not cut short.
func TestParseCSRKeepsTrailingBytesOfDER(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5000; i++ {
		der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "zaken.voorbeeldstad.nl"}}, key)
		if err != nil {
			t.Fatal(err)
		}
		if len(bytes.TrimSpace(der)) == len(der) {
			continue
		}
		csr, err := ParseCSR(der)
		if err != nil {
			t.Fatalf("DER ending in %#x refused: %v", der[len(der)-1], err)
		}
		if err := csr.CheckSignature(); err != nil {
			t.Fatalf("DER ending in %#x: signature: %v", der[len(der)-1], err)
		}
		return
	}
	t.Fatal("no request ending in a white-space byte in 5000 tries")
}
