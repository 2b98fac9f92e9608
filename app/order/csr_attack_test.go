package order

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"slices"
	"testing"
)

func hasError(fs []Finding, key string) bool {
	return slices.ContainsFunc(fs, func(f Finding) bool { return f.Severity == SeverityError && f.Err.Key == key })
}

// A single-valued subject attribute given twice passes one reader's check
// and shows another value to the next: it is an error, and every value is
// checked.
func TestLintRefusesRepeatedSubjectAttributes(t *testing.T) {
	cases := map[string][]pkix.AttributeTypeAndValue{
		"serialNumber":           {{Type: oidSerialNumber, Value: "99999999999999999999"}, {Type: oidSerialNumber, Value: testOrg.OIN}},
		"organizationIdentifier": {{Type: oidOrganizationIdentifier, Value: "NTRNL-" + testOrg.KvK}, {Type: oidOrganizationIdentifier, Value: "NTRNL-99999999"}},
		"CN":                     {{Type: oidCommonName, Value: "evil.example.com"}, {Type: oidCommonName, Value: testFQDNs[0]}},
	}
	for name, extra := range cases {
		subj := pkix.Name{Country: []string{"NL"}, Organization: []string{testOrg.Name}}
		if name != "serialNumber" {
			subj.SerialNumber = testOrg.OIN
		}
		if name != "organizationIdentifier" {
			extra = append(extra, pkix.AttributeTypeAndValue{Type: oidOrganizationIdentifier, Value: "NTRNL-" + testOrg.KvK})
		}
		if name != "CN" {
			subj.CommonName = testFQDNs[0]
		}
		subj.ExtraNames = extra
		fs := lintPEM(t, makeCSR(t, testKey(), x509.CertificateRequest{Subject: subj, DNSNames: testFQDNs}), g4Input())
		if !hasError(fs, "csr.attr_repeated") {
			t.Errorf("%s twice: %v", name, keys(fs))
		}
		wrong := map[string]string{"serialNumber": "csr.oin_wrong", "organizationIdentifier": "csr.orgid_wrong", "CN": "csr.cn_not_san"}[name]
		if !hasError(fs, wrong) {
			t.Errorf("%s: the other value is not checked: %v", name, keys(fs))
		}
	}
	if fs := lintPEM(t, makeCSR(t, testKey(), x509.CertificateRequest{Subject: goodSubject(), DNSNames: testFQDNs}), g4Input()); HasErrors(fs) {
		t.Errorf("good CSR: %v", keys(fs))
	}
}

// A dNSName must be a host name: no IP address, no single label, no
// underscore, even when the order lists the same names.
func TestLintRefusesNamesThatAreNoHostNames(t *testing.T) {
	for _, bad := range []string{"10.0.0.1", "intranet", "under_score.voorbeeldstad.nl", "zaken.voorbeeldstad.nl."} {
		names := []string{"zaken.voorbeeldstad.nl", bad}
		subj := goodSubject()
		in := g4Input()
		in.FQDNs = names
		fs := lintPEM(t, makeCSR(t, testKey(), x509.CertificateRequest{Subject: subj, DNSNames: names}), in)
		if !HasErrors(fs) {
			t.Errorf("%q passes", bad)
		}
	}
}

// The same RSA modulus with another exponent is the same private key: not
// a new key for a renewal. And PKIoverheid wants exponent 65537.
func TestLintSameModulusIsSameKey(t *testing.T) {
	old := testKey()
	one := big.NewInt(1)
	p, q := old.Primes[0], old.Primes[1]
	phi := new(big.Int).Mul(new(big.Int).Sub(p, one), new(big.Int).Sub(q, one))
	var nk *rsa.PrivateKey
	for _, e := range []int{65539, 65543, 65551, 65557} {
		if d := new(big.Int).ModInverse(big.NewInt(int64(e)), phi); d != nil {
			nk = &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: old.N, E: e}, D: d, Primes: []*big.Int{p, q}}
			break
		}
	}
	if nk == nil || nk.Validate() != nil {
		t.Fatal("no other exponent")
	}
	nk.Precompute()
	in := g4Input()
	in.Previous = &old.PublicKey
	fs := lintPEM(t, makeCSR(t, nk, x509.CertificateRequest{Subject: goodSubject(), DNSNames: testFQDNs}), in)
	if !hasError(fs, "csr.same_key") || !hasError(fs, "csr.rsa_exponent") {
		t.Errorf("same modulus: %v", keys(fs))
	}
	fresh, _ := rsa.GenerateKey(rand.Reader, 2048)
	fs = lintPEM(t, makeCSR(t, fresh, x509.CertificateRequest{Subject: goodSubject(), DNSNames: testFQDNs}), in)
	if hasError(fs, "csr.same_key") {
		t.Errorf("new key: %v", keys(fs))
	}
}
