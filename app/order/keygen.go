package order

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"github.com/youmark/pkcs8"

	"pkiodesk/app/files"
	"pkiodesk/app/i18n"
)

// KeyRequest says what a new key and its CSR are for: the subject follows
// the organisation and the profile, the SANs are the ordered FQDNs.
type KeyRequest struct {
	Profile LintProfile
	Bits    int // RSA key size; 0 means DefaultBits
	Org     OrgSnapshot
	FQDNs   []string
}

// DefaultBits is the RSA size pkiodesk proposes: allowed by every profile,
// G4 trial included.
const DefaultBits = 3072

// MinPassphrase is the shortest passphrase for a software key file.
const MinPassphrase = 12

func (k KeyRequest) bits() int {
	if k.Bits == 0 {
		return DefaultBits
	}
	return k.Bits
}

// check refuses a key size the profile does not allow.
func (k KeyRequest) check() error {
	r, ok := rules[k.Profile]
	if !ok {
		r = rules[LintPKIoG4]
	}
	if !slices.Contains(r.rsaBits, k.bits()) {
		return i18n.E("keygen.bits", nil, k.bits(), joinInts(r.rsaBits))
	}
	if len(k.FQDNs) == 0 {
		return i18n.E("order.field.fqdns_empty", nil)
	}
	return nil
}

// subject is what the CA expects: C=NL, O, the OIN as serialNumber for
// PKIoverheid, organizationIdentifier NTRNL-<KvK> for G4, and the first
// FQDN as Common Name.
func (k KeyRequest) subject() pkix.Name {
	n := pkix.Name{Country: []string{"NL"}, Organization: []string{k.Org.Name}, CommonName: k.FQDNs[0]}
	r := rules[k.Profile]
	if r.pkio {
		n.SerialNumber = k.Org.OIN
	}
	if r.g4 {
		n.ExtraNames = []pkix.AttributeTypeAndValue{{Type: oidOrganizationIdentifier, Value: "NTRNL-" + k.Org.KvK}}
	}
	return n
}

// CSRFor makes the CSR for a key: a software key or one on a token.
func CSRFor(k KeyRequest, key crypto.Signer) ([]byte, error) {
	if err := k.check(); err != nil {
		return nil, err
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: k.subject(), DNSNames: k.FQDNs, SignatureAlgorithm: x509.SHA256WithRSA,
	}, key)
	if err != nil {
		return nil, i18n.E("keygen.failed", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), nil
}

// SoftwareKey makes an RSA key and its CSR, the key encrypted as PKCS#8
// with AES-256-CBC under a key derived with PBKDF2-HMAC-SHA256, the
// encryption done by github.com/youmark/pkcs8.
func SoftwareKey(k KeyRequest, passphrase []byte) (keyPEM, csrPEM []byte, err error) {
	if err := k.check(); err != nil {
		return nil, nil, err
	}
	if len([]rune(string(passphrase))) < MinPassphrase {
		return nil, nil, i18n.E("keygen.passphrase_short", nil, MinPassphrase)
	}
	key, err := rsa.GenerateKey(rand.Reader, k.bits())
	if err != nil {
		return nil, nil, i18n.E("keygen.failed", err)
	}
	csrPEM, err = CSRFor(k, key)
	if err != nil {
		return nil, nil, err
	}
	der, err := pkcs8.MarshalPrivateKey(key, passphrase, &pkcs8.Opts{
		Cipher:  pkcs8.AES256CBC,
		KDFOpts: pkcs8.PBKDF2Opts{SaltSize: 16, IterationCount: 210_000, HMACHash: crypto.SHA256},
	})
	if err != nil {
		return nil, nil, i18n.E("keygen.failed", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: der}), csrPEM, nil
}

// WriteNewFile writes data to a file that must not exist yet (mode 0600),
// through files.WriteNew: an existing key is never overwritten and a power
// cut leaves no half file.
func WriteNewFile(path string, data []byte) error {
	err := files.WriteNew(path, 0o600, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrExist):
		return i18n.E("keygen.file_exists", nil, path)
	default:
		return i18n.E("keygen.write_failed", err)
	}
}

// OpenSSLArgs is the `openssl req` command that makes the same key and CSR
// on the server itself (the key stays there, encrypted).
func OpenSSLArgs(k KeyRequest, keyFile, csrFile string) []string {
	subj := ""
	for _, rdn := range subjectParts(k) {
		subj += "/" + rdn[0] + "=" + escapeOpenSSL(rdn[1])
	}
	sans := make([]string, len(k.FQDNs))
	for i, f := range k.FQDNs {
		sans[i] = "DNS:" + f
	}
	return []string{"openssl", "req", "-new", "-newkey", fmt.Sprintf("rsa:%d", k.bits()), "-sha256",
		"-keyout", keyFile, "-out", csrFile, "-subj", subj, "-addext", "subjectAltName=" + strings.Join(sans, ",")}
}

// OpenSSLCommand is OpenSSLArgs quoted for a POSIX shell.
func OpenSSLCommand(k KeyRequest, keyFile, csrFile string) string {
	args := OpenSSLArgs(k, keyFile, csrFile)
	for i, a := range args {
		args[i] = shellQuote(a)
	}
	return strings.Join(args, " ")
}

// subjectParts lists the subject in the order it is written, with the
// attribute names OpenSSL and certreq both know.
func subjectParts(k KeyRequest) [][2]string {
	s := k.subject()
	out := [][2]string{{"C", "NL"}, {"O", k.Org.Name}}
	if s.SerialNumber != "" {
		out = append(out, [2]string{"serialNumber", s.SerialNumber})
	}
	if len(s.ExtraNames) > 0 {
		out = append(out, [2]string{"organizationIdentifier", s.ExtraNames[0].Value.(string)})
	}
	return append(out, [2]string{"CN", s.CommonName})
}

// escapeOpenSSL escapes what ends or splits a value in -subj.
func escapeOpenSSL(v string) string {
	r := strings.NewReplacer(`\`, `\\`, `/`, `\/`, `+`, `\+`, `=`, `\=`)
	return r.Replace(v)
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/=,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// CertreqINF is the policy file for Windows `certreq -new` that makes the
// key in the machine's key store and the same CSR.
func CertreqINF(k KeyRequest) string {
	var subj []string
	names := map[string]string{"C": "C", "O": "O", "serialNumber": "SERIALNUMBER", "organizationIdentifier": "OID.2.5.4.97", "CN": "CN"}
	parts := subjectParts(k)
	for i := len(parts) - 1; i >= 0; i-- { // certreq writes the most specific first
		subj = append(subj, names[parts[i][0]]+"="+quoteX500(parts[i][1]))
	}
	var b strings.Builder
	b.WriteString("; certreq -new request.inf request.csr\r\n")
	b.WriteString("[Version]\r\nSignature=\"$Windows NT$\"\r\n\r\n[NewRequest]\r\n")
	fmt.Fprintf(&b, "Subject = \"%s\"\r\n", strings.ReplaceAll(strings.Join(subj, ", "), `"`, `""`))
	fmt.Fprintf(&b, "KeyAlgorithm = RSA\r\nKeyLength = %d\r\nHashAlgorithm = SHA256\r\nKeySpec = 1\r\nKeyUsage = 0xa0\r\n", k.bits())
	b.WriteString("Exportable = FALSE\r\nMachineKeySet = TRUE\r\nSMIME = FALSE\r\nRequestType = PKCS10\r\n")
	b.WriteString("ProviderName = \"Microsoft Software Key Storage Provider\"\r\n\r\n[Extensions]\r\n2.5.29.17 = \"{text}\"\r\n")
	for _, f := range k.FQDNs {
		fmt.Fprintf(&b, "_continue_ = \"dns=%s&\"\r\n", f)
	}
	return b.String()
}

// quoteX500 quotes a value that holds a separator.
func quoteX500(v string) string {
	if strings.ContainsAny(v, `,+="<>#;`) || strings.TrimSpace(v) != v {
		return `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
	}
	return v
}
