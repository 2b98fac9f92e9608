package softhsm

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"

	"pkiodesk/internal/testpki"
)

// demoChainFile keeps the CA certificates that issued the demo card, so
// that the demo can trust them (only the demo: they are throw-away CAs).
const demoChainFile = "demo-ca.pem"

// DemoChain returns the CA certificates (issuing CA, root) of the demo
// card made in dir by DemoCard.
func DemoChain(dir string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(filepath.Join(dir, demoChainFile))
	if err != nil {
		return nil, err
	}
	var out []*x509.Certificate
	for {
		var b *pem.Block
		if b, data = pem.Decode(data); b == nil {
			break
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("demo card: no CA certificates in " + demoChainFile)
	}
	return out, nil
}

func writeDemoChain(dir string, pki *testpki.PKI) error {
	var data []byte
	for _, c := range []*x509.Certificate{pki.Issuer, pki.Root} {
		data = append(data, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return os.WriteFile(filepath.Join(dir, demoChainFile), data, 0o600)
}
