// Package demo makes synthetic but real X.509 certificates of every kind, for
// the demo database, tests and benchmarks. They are signed by a demo CA that
// says so in its name; nothing here is PKIoverheid data.
package demo

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	cryptorand "crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"time"

	"pkiodesk/app/cert"
)

// Organisation is the demo subscriber.
const (
	OrgName = "Gemeente Voorbeeldstad"
	// OIN uses the 00000099 prefix the OIN register reserves for tests.
	OIN    = "00000099123456789000"
	KvK    = "NTRNL-12345678"
	Domain = "voorbeeldstad.nl"
)

var (
	oidPolicyServer   = mustOID(2, 16, 528, 1, 1003, 1, 2, 8, 6)
	oidPolicyServerG4 = mustOID(2, 16, 528, 1, 1003, 1, 2, 44, 15, 35, 11) // KPN's G4 G-TLS SYS CA's (shared/testdata/pkio)
	oidPolicyGroup    = mustOID(2, 16, 528, 1, 1003, 1, 2, 8, 4)
	oidPolicyPersonal = mustOID(2, 16, 528, 1, 1003, 1, 2, 5, 1)
	oidPolicySeal     = mustOID(0, 4, 0, 194112, 1, 3)
	oidOrgIdentifier  = asn1.ObjectIdentifier{2, 5, 4, 97}
	oidGivenName      = asn1.ObjectIdentifier{2, 5, 4, 42}
	oidSurname        = asn1.ObjectIdentifier{2, 5, 4, 4}
)

// Generator issues demo certificates. Names and dates come from a seeded
// random source, so the same seed gives the same inventory.
type Generator struct {
	now    time.Time
	rnd    *rand.Rand
	caCert *x509.Certificate
	caKey  crypto.Signer
	// leafKey is shared by all leaves: generating an RSA key per certificate
	// would make 100,000 certificates take minutes, and the key is not what
	// the inventory is about.
	leafKey crypto.PublicKey
	serial  int64
}

// NewGenerator makes a demo CA and a leaf key.
func NewGenerator(seed uint64, now time.Time) (*Generator, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), cryptorand.Reader)
	if err != nil {
		return nil, fmt.Errorf("demo CA key: %w", err)
	}
	leaf, err := rsa.GenerateKey(cryptorand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("demo leaf key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{Country: []string{"NL"}, Organization: []string{"pkiodesk demo"}, CommonName: "pkiodesk Demo CA - niet vertrouwen"},
		NotBefore:             now.AddDate(-5, 0, 0),
		NotAfter:              now.AddDate(10, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(cryptorand.Reader, tmpl, tmpl, caKey.Public(), caKey)
	if err != nil {
		return nil, fmt.Errorf("demo CA certificate: %w", err)
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("demo CA certificate: %w", err)
	}
	return &Generator{
		now: now, rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		caCert: ca, caKey: caKey, leafKey: leaf.Public(), serial: 1000,
	}, nil
}

// CA returns the demo CA certificate.
func (g *Generator) CA() *x509.Certificate { return g.caCert }

var (
	givenNames = []string{"Jan", "Anouk", "Pieter", "Fatima", "Sanne", "Mohamed", "Eline", "Daan", "Zoë", "Thijs", "Noëlle", "Bram", "Iris", "Kees", "Loïs", "Ruud"}
	surnames   = []string{"de Vries", "Jansen", "Bakker", "El Amrani", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "van Dijk", "Brouwer", "Yılmaz", "Dekker", "van Leeuwen"}
	services   = []string{"api", "brp", "portaal", "mail", "sftp", "gateway", "digikoppeling", "zaken", "belastingen", "vergunningen", "parkeren", "burgerzaken", "intranet", "kcc"}
	envs       = []string{"", "test.", "acc.", "prod.", "dmz."}
	groups     = []string{"Afdeling Burgerzaken", "Team Vergunningen", "Servicedesk ICT", "Klantcontactcentrum", "Afdeling Belastingen", "Team Informatiebeveiliging", "Archief", "Sociaal Domein"}
)

// Next issues one certificate of the given kind. Its validity is spread so
// that an inventory has valid, expired and soon-expiring certificates.
func (g *Generator) Next(kind cert.Kind) ([]byte, error) {
	g.serial++
	t := &x509.Certificate{
		SerialNumber: new(big.Int).SetUint64(uint64(g.serial)<<32 | uint64(g.rnd.Uint32())),
		Subject: pkix.Name{
			Country:      []string{"NL"},
			Organization: []string{OrgName},
			SerialNumber: OIN,
		},
	}
	// Start between 3 years ago and 1 month ago; most live 397 days (G4).
	start := g.now.Add(-time.Duration(30+g.rnd.IntN(3*365)) * 24 * time.Hour)
	t.NotBefore = start.Truncate(time.Hour)
	t.NotAfter = t.NotBefore.Add(397 * 24 * time.Hour)
	switch kind {
	case cert.KindServer:
		host := envs[g.rnd.IntN(len(envs))] + services[g.rnd.IntN(len(services))] + fmt.Sprintf("%d.", g.serial%97) + Domain
		t.Subject.CommonName = host
		t.DNSNames = []string{host}
		if g.rnd.IntN(3) == 0 {
			t.DNSNames = append(t.DNSNames, "www."+host)
		}
		t.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
		t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
		t.Policies = []x509.OID{oidPolicyServer}
		// G4 exists since 2025; half of the newer server certificates
		// are G4 (with the organizationIdentifier G4 requires), so the
		// demo shows what still has to move off G1 before it ends.
		if t.NotBefore.Year() >= 2025 && g.serial%2 == 0 {
			t.Policies = []x509.OID{oidPolicyServerG4}
			t.Subject.ExtraNames = []pkix.AttributeTypeAndValue{{Type: oidOrgIdentifier, Value: KvK}}
		}
	case cert.KindPersonal:
		given, sur := givenNames[g.rnd.IntN(len(givenNames))], surnames[g.rnd.IntN(len(surnames))]
		t.Subject.CommonName = given + " " + sur
		t.Subject.ExtraNames = []pkix.AttributeTypeAndValue{
			{Type: oidGivenName, Value: given}, {Type: oidSurname, Value: sur},
		}
		t.EmailAddresses = []string{fmt.Sprintf("%s.%s%d@%s", strings.ToLower(given[:1]), mailLocal(sur), g.serial%50, Domain)}
		t.KeyUsage = x509.KeyUsageDigitalSignature
		t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection}
		t.Policies = []x509.OID{oidPolicyPersonal}
		t.NotAfter = t.NotBefore.AddDate(3, 0, 0) // cards live three years
	case cert.KindGroup:
		name := groups[g.rnd.IntN(len(groups))]
		t.Subject.CommonName = name
		t.EmailAddresses = []string{mailLocal(name) + "@" + Domain}
		t.KeyUsage = x509.KeyUsageDigitalSignature
		t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection}
		t.Policies = []x509.OID{oidPolicyGroup}
		t.NotAfter = t.NotBefore.AddDate(3, 0, 0)
	case cert.KindESeal:
		t.Subject.CommonName = fmt.Sprintf("%s eSeal %d", OrgName, g.serial%20)
		t.Subject.ExtraNames = []pkix.AttributeTypeAndValue{{Type: oidOrgIdentifier, Value: KvK}}
		t.KeyUsage = x509.KeyUsageContentCommitment
		t.Policies = []x509.OID{oidPolicySeal}
	default:
		return nil, fmt.Errorf("demo: cannot issue kind %q", kind)
	}
	der, err := x509.CreateCertificate(cryptorand.Reader, t, g.caCert, g.leafKey, g.caKey)
	if err != nil {
		return nil, fmt.Errorf("demo %s certificate: %w", kind, err)
	}
	return der, nil
}

// NextMixed issues a certificate of a kind chosen in the proportions of a
// municipality's inventory: mostly personal cards, then servers.
func (g *Generator) NextMixed() ([]byte, error) {
	kinds := []cert.Kind{cert.KindPersonal, cert.KindPersonal, cert.KindServer, cert.KindServer, cert.KindGroup, cert.KindESeal}
	return g.Next(kinds[g.rnd.IntN(len(kinds))])
}

func mailLocal(s string) string {
	r := strings.NewReplacer(" ", "", "ë", "e", "ï", "i", "ö", "o", "ı", "i", "é", "e")
	return strings.ToLower(r.Replace(s))
}

func mustOID(arcs ...uint64) x509.OID {
	o, err := x509.OIDFromInts(arcs)
	if err != nil {
		panic(err)
	}
	return o
}
