package app

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"path/filepath"
	"testing"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/inventory"
	"pkiodesk/internal/fixture"
)

// Downloaden "PEM met keten" builds the real G1 chain of RvIG's certificate
// from the imported PKIoverheid CAs.
func TestExportWithTheRealG1Chain(t *testing.T) {
	ctx := context.Background()
	a, err := Open(ctx, Config{DBPath: filepath.Join(t.TempDir(), "db"), Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	files, _ := filepath.Glob(filepath.Join(fixture.PKIoDir(t), "*.crt"))
	rep, err := a.Inventory.Import(ctx, inventory.ReadFiles(files), inventory.ImportOptions{})
	if err != nil || len(rep.Added) != 1 {
		t.Fatalf("import: %v %+v", err, rep.Rejected)
	}
	rvig := rep.Added[0].SHA256

	chainPEM, ext, err := a.ExportCertificate(ctx, rvig, ExportPEMChain)
	if err != nil || ext != "-chain.pem" {
		t.Fatal(err, ext)
	}
	var names []string
	for rest := chainPEM; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, c.Subject.CommonName)
	}
	want := []string{"lap.gbav.idm.diginetwerk.net", "QuoVadis PKIoverheid Private Services CA - G1", "Staat der Nederlanden Private Services CA - G1", "Staat der Nederlanden Private Root CA - G1"}
	if len(names) != len(want) {
		t.Fatalf("chain %v", names)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Errorf("chain[%d] = %q, want %q", i, names[i], want[i])
		}
	}
	der, ext, err := a.ExportCertificate(ctx, rvig, ExportDER)
	if err != nil || ext != ".cer" || cert.Fingerprint(der) != rvig {
		t.Errorf("DER export: %v %s", err, ext)
	}
	p, _, err := a.ExportCertificate(ctx, rvig, ExportPEM)
	if b, _ := pem.Decode(p); err != nil || b == nil || !bytes.Equal(b.Bytes, der) {
		t.Errorf("PEM export: %v", err)
	}
	if _, _, err := a.ExportCertificate(ctx, "0000", ExportPEM); err == nil {
		t.Error("export of an unknown certificate")
	}
}
