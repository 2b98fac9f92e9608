package cert

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"strings"
)

// policyKinds maps certificate policy OIDs to the overview they belong to.
// PKIoverheid (2.16.528.1.1003.1.2.x, from the PA's CP/CPS):
//
//	.2.x        Burger (citizen)                      -> personal
//	.3.x        Autonome apparaten                    -> group
//	.5.1-.5.3   Organisatie persoon                   -> personal
//	.5.4, .5.5  Organisatie services auth/conf        -> group
//	.5.6        Organisatie services server           -> server
//	.5.7        Organisatie services onweerlegbaarheid -> eSeal
//	.8.4, .8.5  Private services auth/conf            -> group
//	.8.6        Private services server               -> server
//
// and the ETSI/eIDAS policies (EN 319 411-2 QCP-n/-l, EN 319 411-1 OVCP)
// and the CA/Browser Forum's OV policy.
var policyKinds = map[string]Kind{
	"2.16.528.1.1003.1.2.5.1": KindPersonal,
	"2.16.528.1.1003.1.2.5.2": KindPersonal,
	"2.16.528.1.1003.1.2.5.3": KindPersonal,
	"2.16.528.1.1003.1.2.5.4": KindGroup,
	"2.16.528.1.1003.1.2.5.5": KindGroup,
	"2.16.528.1.1003.1.2.5.6": KindServer,
	"2.16.528.1.1003.1.2.5.7": KindESeal,
	"2.16.528.1.1003.1.2.8.4": KindGroup,
	"2.16.528.1.1003.1.2.8.5": KindGroup,
	"2.16.528.1.1003.1.2.8.6": KindServer,
	"0.4.0.194112.1.0":        KindPersonal, // QCP-n
	"0.4.0.194112.1.2":        KindPersonal, // QCP-n-qscd
	"0.4.0.194112.1.1":        KindESeal,    // QCP-l
	"0.4.0.194112.1.3":        KindESeal,    // QCP-l-qscd
	"0.4.0.2042.1.7":          KindServer,   // OVCP
	"2.23.140.1.2.2":          KindServer,   // CA/B Forum OV
}

var policyPrefixKinds = []struct {
	prefix string
	kind   Kind
}{
	{"2.16.528.1.1003.1.2.2.", KindPersonal},
	{"2.16.528.1.1003.1.2.3.", KindGroup},
}

var (
	oidQCStatements = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 3}
	qcTypeESign     = mustMarshalOID(asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6, 1})
	qcTypeESeal     = mustMarshalOID(asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6, 2})
	qcTypeWeb       = mustMarshalOID(asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6, 3})
)

func mustMarshalOID(oid asn1.ObjectIdentifier) []byte {
	b, err := asn1.Marshal(oid)
	if err != nil {
		panic(err)
	}
	return b
}

// Classify decides which overview a certificate belongs to. The order of the
// rules matters: an issuing CA is never the organisation's own certificate;
// an explicit PKIo or eIDAS policy says most; then the eIDAS QcType; then the
// certificate's shape (EKU and SANs for servers, a person's name for personal
// certificates, non-repudiation alone for a seal). What is left is a group
// (function or department) certificate.
func Classify(x *x509.Certificate) Kind {
	if x.BasicConstraintsValid && x.IsCA {
		return KindCA
	}
	policies := policyStrings(x)
	for _, p := range policies {
		if k, ok := policyKinds[p]; ok {
			return k
		}
	}
	for _, s := range policies {
		for _, pk := range policyPrefixKinds {
			if strings.HasPrefix(s, pk.prefix) {
				return pk.kind
			}
		}
	}
	for _, ext := range x.Extensions {
		if !ext.Id.Equal(oidQCStatements) {
			continue
		}
		switch {
		case bytes.Contains(ext.Value, qcTypeESeal):
			return KindESeal
		case bytes.Contains(ext.Value, qcTypeESign):
			return KindPersonal
		case bytes.Contains(ext.Value, qcTypeWeb):
			return KindServer
		}
	}
	for _, u := range x.ExtKeyUsage {
		if u == x509.ExtKeyUsageServerAuth {
			return KindServer
		}
	}
	if len(x.DNSNames) > 0 || len(x.IPAddresses) > 0 {
		return KindServer
	}
	if hasPersonName(x) {
		return KindPersonal
	}
	const sealOnly = x509.KeyUsageContentCommitment
	if x.KeyUsage == sealOnly && len(x.Subject.Organization) > 0 && len(x.EmailAddresses) == 0 {
		return KindESeal
	}
	return KindGroup
}

func hasPersonName(x *x509.Certificate) bool {
	for _, atv := range x.Subject.Names {
		if atv.Type.Equal(oidGivenName) || atv.Type.Equal(oidSurname) {
			return true
		}
	}
	return false
}

// policyStrings lists the certificate policies in dotted form. Policies holds
// every OID, also those with arcs too large for PolicyIdentifiers.
func policyStrings(x *x509.Certificate) []string {
	var out []string
	for _, p := range x.Policies {
		out = append(out, p.String())
	}
	if len(out) == 0 {
		for _, p := range x.PolicyIdentifiers {
			out = append(out, p.String())
		}
	}
	return out
}
