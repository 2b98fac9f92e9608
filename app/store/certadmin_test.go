package store

import (
	"context"
	"testing"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

// Assignments are stored beside the records, survive a restart, refuse an
// unknown certificate, and go with the certificate when it is removed;
// an issuer cannot be removed as if it were the organisation's own.
func TestAssignmentsAndRemoval(t *testing.T) {
	ctx := context.Background()
	st, path := openTemp(t)
	// Keys are the DERs' fingerprints: the store checks a DER against its key.
	aa, cc := cert.Fingerprint([]byte{1}), cert.Fingerprint([]byte{2})
	own, ca := sample(aa, cert.KindServer), sample(cc, cert.KindCA)
	if _, _, err := st.AddCertificates(ctx, []Entry{{Cert: own, DER: []byte{1}}, {Cert: ca, DER: []byte{2}}}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetAssignment(ctx, "ff", Assignment{ContactID: "p"}); !i18n.Is(err, "err.cert_not_found") {
		t.Errorf("unknown certificate: %v", err)
	}
	if a, err := st.Assignment(ctx, aa); err != nil || a != (Assignment{}) {
		t.Errorf("before: %+v %v", a, err)
	}
	want := Assignment{ContactID: "p1", ManagerID: "p2"}
	if err := st.SetAssignment(ctx, aa, want); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err := OpenBolt(path, BoltOptions{Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if a, _ := st.Assignment(ctx, aa); a != want {
		t.Errorf("after reopening: %+v", a)
	}
	if _, err := st.RemoveCertificate(ctx, cc); !i18n.Is(err, "err.cert_not_found") {
		t.Errorf("removing an issuer: %v", err)
	}
	if c, err := st.RemoveCertificate(ctx, aa); err != nil || c.CommonName != own.CommonName {
		t.Fatalf("remove: %+v %v", c, err)
	}
	if a, _ := st.Assignment(ctx, aa); a != (Assignment{}) {
		t.Errorf("assignment outlived the certificate: %+v", a)
	}
	if _, err := st.DER(ctx, aa); !i18n.Is(err, "err.cert_not_found") {
		t.Errorf("DER outlived the certificate: %v", err)
	}
	if _, err := st.DER(ctx, cc); err != nil {
		t.Errorf("the issuer went too: %v", err)
	}
	if certs, _ := st.Certificates(ctx); len(certs) != 0 {
		t.Errorf("%d certificates left", len(certs))
	}
}
