package cert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"testing"
	"time"

	"pkiodesk/internal/fixture"
)

func issue(t testing.TB, tmpl *x509.Certificate) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if tmpl.SerialNumber == nil {
		tmpl.SerialNumber = big.NewInt(42)
	}
	if tmpl.NotAfter.IsZero() {
		tmpl.NotBefore = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		tmpl.NotAfter = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func oid(s ...int) asn1.ObjectIdentifier { return asn1.ObjectIdentifier(s) }

func pol(ids ...asn1.ObjectIdentifier) []x509.OID {
	var out []x509.OID
	for _, id := range ids {
		o, err := x509.OIDFromInts(toUint64(id))
		if err != nil {
			panic(err)
		}
		out = append(out, o)
	}
	return out
}

func toUint64(id asn1.ObjectIdentifier) []uint64 {
	out := make([]uint64, len(id))
	for i, v := range id {
		out[i] = uint64(v)
	}
	return out
}

var (
	pkio = func(tail ...int) asn1.ObjectIdentifier {
		return append(oid(2, 16, 528, 1, 1003, 1, 2), tail...)
	}
	qcStatementsESeal = func() pkix.Extension {
		// QCStatements { QCStatement { id-etsi-qcs-QcType, { id-etsi-qct-eseal } } }
		inner, _ := asn1.Marshal([]asn1.ObjectIdentifier{oid(0, 4, 0, 1862, 1, 6, 2)})
		stmt, _ := asn1.Marshal(struct {
			ID   asn1.ObjectIdentifier
			Info asn1.RawValue
		}{oid(0, 4, 0, 1862, 1, 6), asn1.RawValue{FullBytes: inner}})
		seq, _ := asn1.Marshal([]asn1.RawValue{{FullBytes: stmt}})
		return pkix.Extension{Id: oid(1, 3, 6, 1, 5, 5, 7, 1, 3), Value: seq}
	}
)

func TestClassify(t *testing.T) {
	person := []pkix.AttributeTypeAndValue{{Type: oidGivenName, Value: "Anouk"}, {Type: oidSurname, Value: "Visser"}}
	tests := []struct {
		name string
		tmpl x509.Certificate
		want Kind
	}{
		{"CA by basic constraints beats a server policy", x509.Certificate{IsCA: true, BasicConstraintsValid: true, Policies: pol(pkio(8, 6))}, KindCA},
		{"PKIo private services server .8.6", x509.Certificate{Policies: pol(pkio(8, 6))}, KindServer},
		{"PKIo organisation services server .5.6", x509.Certificate{Policies: pol(pkio(5, 6))}, KindServer},
		{"PKIo private services authenticity .8.4 is group even with clientAuth", x509.Certificate{Policies: pol(pkio(8, 4)), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, EmailAddresses: []string{"team@x.nl"}}, KindGroup},
		{"PKIo services confidentiality .5.5", x509.Certificate{Policies: pol(pkio(5, 5))}, KindGroup},
		{"PKIo organisation person authenticity .5.1", x509.Certificate{Policies: pol(pkio(5, 1))}, KindPersonal},
		{"PKIo organisation person non-repudiation .5.2", x509.Certificate{Policies: pol(pkio(5, 2))}, KindPersonal},
		{"PKIo services non-repudiation .5.7 is a seal", x509.Certificate{Policies: pol(pkio(5, 7))}, KindESeal},
		{"PKIo citizen domain prefix .2.x", x509.Certificate{Policies: pol(pkio(2, 1))}, KindPersonal},
		{"PKIo autonomous devices prefix .3.x", x509.Certificate{Policies: pol(pkio(3, 1))}, KindGroup},
		{"eIDAS QCP-l-qscd is a seal", x509.Certificate{Policies: pol(oid(0, 4, 0, 194112, 1, 3))}, KindESeal},
		{"eIDAS QCP-n-qscd is personal", x509.Certificate{Policies: pol(oid(0, 4, 0, 194112, 1, 2))}, KindPersonal},
		{"CA/B OV is server", x509.Certificate{Policies: pol(oid(2, 23, 140, 1, 2, 2))}, KindServer},
		{"QcType eseal without policy", x509.Certificate{ExtraExtensions: []pkix.Extension{qcStatementsESeal()}}, KindESeal},
		{"unknown policy, serverAuth EKU", x509.Certificate{Policies: pol(pkio(44, 15, 35, 11)), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, KindServer},
		{"DNS SAN only", x509.Certificate{DNSNames: []string{"api.example.nl"}}, KindServer},
		{"person name without policy", x509.Certificate{Subject: pkix.Name{ExtraNames: person}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, KindPersonal},
		{"non-repudiation only with O is a seal", x509.Certificate{Subject: pkix.Name{Organization: []string{"Gemeente"}}, KeyUsage: x509.KeyUsageContentCommitment}, KindESeal},
		{"non-repudiation with e-mail is not a seal", x509.Certificate{Subject: pkix.Name{Organization: []string{"Gemeente"}}, KeyUsage: x509.KeyUsageContentCommitment, EmailAddresses: []string{"a@b.nl"}}, KindGroup},
		{"nothing known: group", x509.Certificate{ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, KindGroup},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := tt.tmpl
			if got := Classify(issue(t, &tmpl)); got != tt.want {
				t.Errorf("Classify = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStatus(t *testing.T) {
	na := time.Date(2026, 5, 13, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		c    Certificate
		now  time.Time
		want Status
	}{
		{"before expiry", Certificate{NotAfter: na}, na.Add(-time.Second), StatusValid},
		{"at the last second still valid", Certificate{NotAfter: na}, na, StatusValid},
		{"after expiry", Certificate{NotAfter: na}, na.Add(time.Second), StatusExpired},
		{"not yet valid counts as valid", Certificate{NotBefore: na, NotAfter: na.AddDate(1, 0, 0)}, na.AddDate(0, 0, -1), StatusValid},
		{"revoked beats valid", Certificate{NotAfter: na, Revoked: true}, na.AddDate(0, 0, -1), StatusRevoked},
		{"revoked beats expired", Certificate{NotAfter: na, Revoked: true}, na.AddDate(1, 0, 0), StatusRevoked},
	}
	for _, tt := range tests {
		if got := tt.c.Status(tt.now); got != tt.want {
			t.Errorf("%s: Status = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestValidateOIN(t *testing.T) {
	good := []string{"00000001822100824000", "00000001002220647000", "00000003273436790000", "00000004ABC123456000", "00000099123456789000"}
	for _, o := range good {
		if err := ValidateOIN(o); err != nil {
			t.Errorf("ValidateOIN(%q) = %v, want nil", o, err)
		}
	}
	bad := []string{"", "0000000182210082400", "000000018221008240000", "00000005822100824000", "00000001822100824001", "00000001822100824\x00000", "00000001abc100824000"}
	for _, o := range bad {
		if err := ValidateOIN(o); err == nil {
			t.Errorf("ValidateOIN(%q) = nil, want an error", o)
		}
	}
	if k := OINKind("00000001822100824000"); k != "RSIN" {
		t.Errorf("OINKind = %q, want RSIN", k)
	}
}

// The real PKIoverheid certificates must come out with the right kind, names
// and status: the CAs as issuers, RvIG's gateway as an expired server.
func TestRealPKIoCertificates(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		file, cn, oin, orgID string
		kind                 Kind
		status               Status
		keyBits              int
		profile              Profile
	}{
		{"RvIG_lap.gbav.idm.diginetwerk.net.crt", "lap.gbav.idm.diginetwerk.net", "00000001822100824000", "", KindServer, StatusExpired, 0, ProfilePKIoPrivateG1},
		{"KPN_-_G4_PKIo_Priv_G-TLS_SYS_-_2025.crt", "KPN - G4 PKIo Priv G-TLS SYS - 2025", "", "NTRNL-27124701", KindCA, StatusValid, 0, ProfilePKIoG4},
		{"KPN_PKIoverheid_Private_Services_CA_-_G1.crt", "KPN PKIoverheid Private Services CA - G1", "", "", KindCA, StatusValid, 0, ProfilePKIoPrivateG1},
		{"QuoVadis_PKIoverheid_Private_Services_CA_-_G1.crt", "QuoVadis PKIoverheid Private Services CA - G1", "", "NTRNL-30237459", KindCA, StatusValid, 0, ProfilePKIoPrivateG1},
		{"Staat_der_Nederlanden_-_G4_Intm_Priv_G-TLS_SYS_-_2024.crt", "Staat der Nederlanden - G4 Intm Priv G-TLS SYS - 2024", "", "", KindCA, StatusValid, 0, ProfilePKIoG4},
		{"Staat_der_Nederlanden_-_G4_Root_Priv_G-TLS_-_2024.crt", "Staat der Nederlanden - G4 Root Priv G-TLS - 2024", "", "", KindCA, StatusValid, 0, ProfileUnknown},
		{"Staat_der_Nederlanden_Private_Root_CA_-_G1.crt", "Staat der Nederlanden Private Root CA - G1", "", "", KindCA, StatusValid, 0, ProfileUnknown},
		{"Staat_der_Nederlanden_Private_Services_CA_-_G1.crt", "Staat der Nederlanden Private Services CA - G1", "", "", KindCA, StatusValid, 0, ProfilePKIoPrivateG1},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			d, err := Decode(fixture.ReadPKIo(t, tt.file), "")
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Certs) != 1 || len(d.Problems) != 0 {
				t.Fatalf("got %d certs, problems %v", len(d.Certs), d.Problems)
			}
			c := FromX509(d.Certs[0])
			if c.Kind != tt.kind || c.CommonName != tt.cn || c.OIN != tt.oin || c.OrganizationIdentifier != tt.orgID {
				t.Errorf("got kind %q cn %q oin %q orgID %q", c.Kind, c.CommonName, c.OIN, c.OrganizationIdentifier)
			}
			if s := c.Status(now); s != tt.status {
				t.Errorf("status %q, want %q", s, tt.status)
			}
			if p := c.Profile(); p != tt.profile {
				t.Errorf("profile %q, want %q", p, tt.profile)
			}
			if c.KeyType != "RSA" || c.KeyBits < 2048 {
				t.Errorf("key %s %d", c.KeyType, c.KeyBits)
			}
		})
	}
	d, err := Decode(fixture.ReadPKIo(t, "RvIG_lap.gbav.idm.diginetwerk.net.crt"), "")
	if err != nil {
		t.Fatal(err)
	}
	c := FromX509(d.Certs[0])
	if err := ValidateOIN(c.OIN); err != nil {
		t.Errorf("RvIG OIN: %v", err)
	}
	if c.Organization != "Rijksdienst voor Identiteitsgegevens (RvIG)" || len(c.DNSNames) != 1 ||
		len(c.Policies) != 1 || c.Policies[0] != "2.16.528.1.1003.1.2.8.6" ||
		c.NotAfter.Format("2006-01-02") != "2026-05-13" || c.IssuerCN != "QuoVadis PKIoverheid Private Services CA - G1" {
		t.Errorf("RvIG record: %+v", c)
	}
	if len(c.ExtKeyUsage) != 2 || len(c.KeyUsage) != 2 {
		t.Errorf("RvIG usages: %v %v", c.KeyUsage, c.ExtKeyUsage)
	}
}

func TestProfileOf(t *testing.T) {
	for _, tt := range []struct {
		policies []string
		issuer   string
		want     Profile
	}{
		{nil, "", ProfileUnknown},
		{[]string{"2.16.528.1.1003.1.2.8.6"}, "", ProfilePKIoPrivateG1},
		// G4 certificates carry ETSI NCP policies beside the PKIo one.
		{[]string{"0.4.0.2042.1.1", "0.4.0.2042.1.2", "2.16.528.1.1003.1.2.44.15.35.11"}, "", ProfilePKIoG4},
		{[]string{"2.16.528.1.1003.1.2.41.1.2"}, "", ProfilePKIoG4Trial},
		{[]string{"2.16.528.1.1003.1.2.5.6"}, "", ProfilePKIoOrganisatie},
		{[]string{"2.16.528.1.1003.1.2.2.1"}, "", ProfilePKIoBurger},
		{[]string{"2.16.528.1.1003.1.2.3.1"}, "", ProfilePKIoAutonomous},
		{[]string{"0.4.0.194112.1.3"}, "", ProfileQualified},
		{[]string{"2.23.140.1.2.2"}, "CN=GeoTrust TLS RSA CA G1,O=DigiCert Inc,C=US", ProfilePublicOV},
		{[]string{"2.23.140.1.2.2"}, "CN=certSIGN Web CA,O=CERTSIGN SA,C=RO", ProfileCertSIGNOV},
		// An arc of the PKIo tree we do not know is no profile, and a
		// look-alike prefix is not PKIo.
		{[]string{"2.16.528.1.1003.1.2.99.1"}, "", ProfileUnknown},
		{[]string{"2.16.528.1.1003.1.20.8.6"}, "", ProfileUnknown},
	} {
		c := Certificate{Policies: tt.policies, Issuer: tt.issuer}
		if got := c.Profile(); got != tt.want {
			t.Errorf("%v (%s): %q, want %q", tt.policies, tt.issuer, got, tt.want)
		}
	}
}
