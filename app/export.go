package app

import (
	"context"
	"crypto/x509"
	"encoding/pem"

	"pkiodesk/app/audit"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

// ExportFormat is how a certificate is downloaded.
type ExportFormat string

const (
	ExportPEM      ExportFormat = "pem"
	ExportDER      ExportFormat = "der"
	ExportPEMChain ExportFormat = "pem-chain" // the certificate and its known issuers
)

// ExportCertificate encodes a stored certificate for Downloaden, and names
// the file extension that goes with the format.
func (a *App) ExportCertificate(ctx context.Context, sha256 string, f ExportFormat) ([]byte, string, error) {
	data, ext, err := a.exportCertificate(ctx, sha256, f)
	e := audit.Entry{Who: a.Actor(), Action: audit.Download, Object: audit.Cert(sha256)}
	if e.Object.Valid() != nil {
		e.Object = audit.Object{}
	}
	if err != nil {
		e.Outcome, e.Reason = audit.Failed, audit.ReasonOf(err)
	}
	if jerr := a.Journal.Record(ctx, e); jerr != nil && err == nil {
		return nil, "", jerr
	}
	return data, ext, err
}

func (a *App) exportCertificate(ctx context.Context, sha256 string, f ExportFormat) ([]byte, string, error) {
	der, err := a.Inventory.DER(ctx, sha256)
	if err != nil {
		return nil, "", err
	}
	switch f {
	case ExportDER:
		return der, ".cer", nil
	case ExportPEM:
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), ".pem", nil
	case ExportPEMChain:
		leaf, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, "", i18n.E("err.x509_invalid", err)
		}
		issuers, err := a.Store.Issuers(ctx)
		if err != nil {
			return nil, "", err
		}
		var pool []*x509.Certificate
		for _, is := range issuers {
			if d, err := a.Store.DER(ctx, is.SHA256); err == nil {
				if c, err := x509.ParseCertificate(d); err == nil {
					pool = append(pool, c)
				}
			}
		}
		var out []byte
		for _, c := range cert.BuildChain(leaf, pool) {
			out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
		}
		return out, "-chain.pem", nil
	}
	return nil, "", i18n.E("err.unknown_column", nil, string(f))
}
