package brp

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"os"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

// ReadKeyFile reads a PEM private key (PKCS#8, PKCS#1 or EC) that must
// belong to the certificate. The file's bytes are wiped after parsing.
func ReadKeyFile(path string, leaf *x509.Certificate) (crypto.Signer, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, i18n.E("err.file_read", err)
	}
	if st.Size() > 1<<20 {
		return nil, i18n.E("brp.err.key_file", nil, cert.Printable(path))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, i18n.E("err.file_read", err)
	}
	defer wipe(data)
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, i18n.E("brp.err.key_file", nil, cert.Printable(path))
	}
	defer wipe(block.Bytes)
	var key any
	if key, err = x509.ParsePKCS8PrivateKey(block.Bytes); err != nil {
		if key, err = x509.ParsePKCS1PrivateKey(block.Bytes); err != nil {
			if key, err = x509.ParseECPrivateKey(block.Bytes); err != nil {
				return nil, i18n.E("brp.err.key_file", nil, cert.Printable(path))
			}
		}
	}
	signer, ok := key.(crypto.Signer)
	type equaler interface{ Equal(crypto.PublicKey) bool }
	if pub, isEq := leaf.PublicKey.(equaler); !ok || !isEq || !pub.Equal(signer.Public()) {
		return nil, i18n.E("brp.err.key_other_cert", nil, cert.Printable(path))
	}
	return signer, nil
}

// ClientChain is the chain a gateway presents for the report's
// certificate: leaf first, then its issuers, without the root.
func (c *Checker) ClientChain(ctx context.Context, rep Report) []*x509.Certificate {
	chain := rep.Chain
	if chain == nil && rep.Leaf != nil {
		chain = cert.BuildChain(rep.Leaf, c.issuers(ctx))
	}
	if n := len(chain); n > 1 && string(chain[n-1].RawIssuer) == string(chain[n-1].RawSubject) {
		chain = chain[:n-1]
	}
	return chain
}

// ServerRoots are the roots a connection test trusts for the server: the
// PKIoverheid roots of the chain validator and the extra CAs given. Nil
// (the system's roots) when there are none.
func (c *Checker) ServerRoots(extra []*x509.Certificate) *x509.CertPool {
	var all []*x509.Certificate
	if v, ok := c.Chain.(*X509Chain); ok {
		all = append(all, v.Roots...)
	}
	all = append(all, extra...)
	if len(all) == 0 {
		return nil
	}
	pool := x509.NewCertPool()
	for _, r := range all {
		pool.AddCert(r)
	}
	return pool
}
