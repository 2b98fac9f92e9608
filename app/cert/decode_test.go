package cert

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/smallstep/pkcs7"
	"software.sslmate.com/src/go-pkcs12"

	"pkiodesk/app/i18n"
	"pkiodesk/internal/fixture"
)

func realPEMs(t testing.TB) [][]byte {
	t.Helper()
	dir := fixture.PKIoDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.crt"))
	if err != nil || len(files) == 0 {
		fixture.Missing(t, "no .crt in %s", dir)
	}
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func derOf(t testing.TB, p []byte) []byte {
	t.Helper()
	b, _ := pem.Decode(p)
	if b == nil {
		t.Fatal("fixture is not PEM")
	}
	return b.Bytes
}

func TestDecodeFormats(t *testing.T) {
	pems := realPEMs(t)
	bundle := bytes.Join(pems, []byte("\n"))
	var parsed []*x509.Certificate
	for _, p := range pems {
		c, err := x509.ParseCertificate(derOf(t, p))
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, c)
	}
	p7, err := pkcs7.DegenerateCertificate(concatDER(parsed))
	if err != nil {
		t.Fatal(err)
	}
	p12, err := pkcs12.Modern.EncodeTrustStore(parsed, "geheim")
	if err != nil {
		t.Fatal(err)
	}
	p7pem := pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: p7})
	keyAndCert := append([]byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), pems[0]...)

	tests := []struct {
		name     string
		data     []byte
		password string
		want     int
	}{
		{"one PEM", pems[0], "", 1},
		{"PEM bundle", bundle, "", len(pems)},
		{"DER", derOf(t, pems[0]), "", 1},
		{"PKCS#7 DER", p7, "", len(pems)},
		{"PKCS#7 in PEM", p7pem, "", len(pems)},
		{"PKCS#12 trust store", p12, "geheim", len(pems)},
		{"key then certificate", keyAndCert, "", 1},
		{"CRLF line ends", bytes.ReplaceAll(pems[0], []byte("\n"), []byte("\r\n")), "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Decode(tt.data, tt.password)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if len(d.Certs) != tt.want || len(d.Problems) != 0 {
				t.Errorf("got %d certificates, problems %v; want %d", len(d.Certs), d.Problems, tt.want)
			}
		})
	}
	if _, err := Decode(p12, "fout"); !i18n.Is(err, "err.p12_password") {
		t.Errorf("wrong PKCS#12 password: %v", err)
	}
}

func concatDER(cs []*x509.Certificate) []byte {
	var b []byte
	for _, c := range cs {
		b = append(b, c.Raw...)
	}
	return b
}

func TestDecodeBadInput(t *testing.T) {
	good := realPEMs(t)[0]
	truncated := good[:len(good)/2]
	damagedBody := bytes.Replace(good, []byte("MII"), []byte("!!!"), 1)
	tests := []struct {
		name string
		data []byte
		key  string
	}{
		{"empty", nil, "err.file_empty"},
		{"whitespace", []byte(" \n\t"), "err.file_empty"},
		{"garbage", []byte("dit is geen certificaat"), "err.not_certificate"},
		{"truncated PEM", truncated, "err.pem_malformed"},
		{"truncated DER", derOf(t, good)[:300], "err.not_certificate"},
		{"damaged base64", damagedBody, "err.pem_malformed"},
		{"oversized", make([]byte, MaxFileSize+1), "err.file_too_large"},
		{"PEM of another type", []byte("-----BEGIN FOO\u202e-----\nAAAA\n-----END FOO\u202e-----\n"), "err.pem_block_type"},
		{"CERTIFICATE block with junk", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{0x30, 0x03, 1, 2, 3}}), "err.pem_block"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.data, "")
			if err == nil {
				t.Fatal("Decode accepted bad input")
			}
			if !i18n.Is(err, tt.key) {
				t.Errorf("error %q does not carry %s", err, tt.key)
			}
			nl := i18n.Localize(i18n.NL, err)
			if nl == "" || strings.Contains(nl, "\u202e") {
				t.Errorf("Dutch message %q is empty or carries a direction override", nl)
			}
		})
	}
}

func TestDecodeBundleKeepsGoodBlocks(t *testing.T) {
	pems := realPEMs(t)
	bad := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("kapot")})
	data := bytes.Join([][]byte{pems[0], bad, pems[1]}, nil)
	d, err := Decode(data, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Certs) != 2 || len(d.Problems) != 1 || !i18n.Is(d.Problems[0], "err.pem_block") {
		t.Fatalf("got %d certs, problems %v", len(d.Certs), d.Problems)
	}
	if msg := i18n.Localize(i18n.NL, d.Problems[0]); !strings.Contains(msg, "PEM-blok 2") {
		t.Errorf("problem does not name the block: %q", msg)
	}
}

func TestPrintable(t *testing.T) {
	got := Printable("a\x1b[31mb\u202ec" + strings.Repeat("x", 200))
	if strings.ContainsAny(got, "\x1b\u202e") || len([]rune(got)) != 81 {
		t.Errorf("Printable = %q", got)
	}
}

func FuzzDecode(f *testing.F) {
	for _, p := range realPEMs(f) {
		f.Add(p)
		f.Add(derOf(f, p))
	}
	f.Add([]byte("-----BEGIN PKCS7-----\nMAA=\n-----END PKCS7-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Decode(data, "")
		if err != nil {
			if len(d.Certs) != 0 {
				t.Fatal("error with certificates")
			}
			return
		}
		for _, c := range d.Certs {
			r := FromX509(c)
			if len(r.SHA256) != 64 {
				t.Fatalf("fingerprint %q", r.SHA256)
			}
			_ = ValidateOIN(r.OIN)
		}
	})
}

func FuzzValidateOIN(f *testing.F) {
	f.Add("00000001822100824000")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateOIN(s) == nil && len(s) != 20 {
			t.Fatalf("accepted %q", s)
		}
	})
}

func TestDNParts(t *testing.T) {
	for _, c := range []struct {
		dn   string
		want []string
	}{
		{"", nil},
		{"CN=a", []string{"CN=a"}},
		{`SERIALNUMBER=00000001822100824000,CN=x.rvig.nl,O=Rijksdienst\, voor Identiteitsgegevens,C=NL`,
			[]string{"SERIALNUMBER=00000001822100824000", "CN=x.rvig.nl", `O=Rijksdienst\, voor Identiteitsgegevens`, "C=NL"}},
		{`CN=a+SERIALNUMBER=1,O=b\\,C=NL`, []string{"CN=a", "SERIALNUMBER=1", `O=b\\`, "C=NL"}},
	} {
		if got := DNParts(c.dn); !slices.Equal(got, c.want) {
			t.Errorf("DNParts(%q) = %q, want %q", c.dn, got, c.want)
		}
	}
}

func TestPrintableMaxKeepsLongValues(t *testing.T) {
	long := strings.Repeat("a", 300)
	if got := PrintableMax(long, 1000); got != long {
		t.Errorf("cut a 300-rune value: %d runes", len([]rune(got)))
	}
	if got := []rune(PrintableMax(long, 100)); len(got) != 101 || got[100] != '…' {
		t.Errorf("limit not applied: %d runes", len(got))
	}
}

// FuzzDNParts: splitting never loses or invents bytes; only separators go.
func FuzzDNParts(f *testing.F) {
	f.Add(`CN=a,O=b\,c+SERIALNUMBER=1`)
	f.Add(`\`)
	f.Add(`,,`)
	f.Fuzz(func(t *testing.T, dn string) {
		parts := DNParts(dn)
		for _, p := range parts {
			ReadableDNPart(p) // must not panic on any input
		}
		if dn == "" {
			if parts != nil {
				t.Fatalf("parts of empty DN: %q", parts)
			}
			return
		}
		n := len(parts) - 1
		for _, p := range parts {
			n += len(p)
		}
		if n != len(dn) {
			t.Fatalf("DNParts(%q) = %q: %d bytes, want %d", dn, parts, n, len(dn))
		}
	})
}

func TestReadableDNPart(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"CN=a", "CN=a"},
		{"2.5.4.97=#130e4e54524e4c2d3132333435363738", "organizationIdentifier=NTRNL-12345678"},
		{"2.5.4.42=#0c054a6f7269cb", "2.5.4.42=#0c054a6f7269cb"}, // not valid UTF-8 for its length: left alone
		{"2.5.4.42=#0c044a6f7269", "GN=Jori"},
		{"1.2.3.4=#0c0178", "1.2.3.4=x"},
		{"2.5.4.97=#zz", "2.5.4.97=#zz"},
		{"2.5.4.97=#300302010a", "2.5.4.97=#300302010a"}, // a SEQUENCE, not a string
		{"O=#nothex", "O=#nothex"},
	} {
		if got := ReadableDNPart(c.in); got != c.want {
			t.Errorf("ReadableDNPart(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// The real KPN G4 CA carries organizationIdentifier, which crypto/x509
	// prints as hex.
	d, err := Decode(fixture.ReadPKIo(t, "KPN_-_G4_PKIo_Priv_G-TLS_SYS_-_2025.crt"), "")
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, p := range DNParts(FromX509(d.Certs[0]).Subject) {
		parts = append(parts, ReadableDNPart(p))
	}
	if !slices.Contains(parts, "organizationIdentifier=NTRNL-27124701") {
		t.Errorf("KPN G4 subject: %q", parts)
	}
}
