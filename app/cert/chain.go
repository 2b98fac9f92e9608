package cert

import "crypto/x509"

// BuildChain orders issuers above a leaf by following issuer names and
// checking each signature; it stops at a self-signed certificate or when no
// issuer is known.
func BuildChain(leaf *x509.Certificate, pool []*x509.Certificate) []*x509.Certificate {
	chain := []*x509.Certificate{leaf}
	for cur := leaf; len(chain) < 8; {
		if string(cur.RawIssuer) == string(cur.RawSubject) {
			break
		}
		var next *x509.Certificate
		for _, c := range pool {
			if string(c.RawSubject) == string(cur.RawIssuer) && cur.CheckSignatureFrom(c) == nil {
				next = c
				break
			}
		}
		if next == nil {
			break
		}
		chain = append(chain, next)
		cur = next
	}
	return chain
}
