package app

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"path/filepath"
	"strings"
	"time"

	"pkiodesk/app/audit"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/store"
	"pkiodesk/app/trust"
)

// issuerCertificates gives the trust store the inventory's CA certificates,
// to build chains and find issuers with. They are intermediates only: a CA
// certificate in the inventory is never a trust anchor.
func issuerCertificates(st store.Store) func(ctx context.Context) ([]*x509.Certificate, error) {
	return func(ctx context.Context) ([]*x509.Certificate, error) {
		recs, err := st.Issuers(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]*x509.Certificate, 0, len(recs))
		for _, r := range recs {
			der, err := st.DER(ctx, r.SHA256)
			if err != nil {
				continue
			}
			if c, err := x509.ParseCertificate(der); err == nil {
				out = append(out, c)
			}
		}
		return out, nil
	}
}

// StatusText words a certificate's status as the overviews show it.
func (a *App) StatusText(c *cert.Certificate, l i18n.Lang) string {
	return a.statusText(c, a.Inventory.Now(), l)
}

// statusText words the Status column: revoked with the CA's date and
// reason, expired, valid, or, for a valid certificate whose revocation
// state is not known, "onbekend sinds …" (never "valid").
func (a *App) statusText(c *cert.Certificate, now time.Time, l i18n.Lang) string {
	switch c.Status(now) {
	case cert.StatusRevoked:
		switch {
		case c.RevokedAt.IsZero():
			return i18n.T(l, "status.revoked")
		case c.RevocationReason == "":
			return i18n.T(l, "trust.state.revoked_on", c.RevokedAt.Local().Format("2006-01-02"))
		}
		return i18n.T(l, "trust.state.revoked", c.RevokedAt.Local().Format("2006-01-02"), trust.ReasonText(l, c.RevocationReason))
	case cert.StatusExpired:
		return i18n.T(l, "status.expired")
	}
	switch st := a.Trust.Known(c.SHA256); st.State {
	case trust.StateUnknown, trust.StateUnchecked:
		return st.Text(l)
	}
	return i18n.T(l, "status.valid")
}

// RefreshRevocation checks every certificate of the inventory with its CA
// (CRL, else OCSP) and marks the ones the CA lists as Ingetrokken, with
// the CA's date and reason. Certificates already Ingetrokken are skipped.
// progress, when set, hears how far it is.
func (a *App) RefreshRevocation(ctx context.Context, progress func(done, total int)) (trust.RefreshReport, error) {
	targets, err := a.revocationTargets(ctx)
	if err != nil {
		return trust.RefreshReport{}, err
	}
	rep, err := a.Trust.Refresh(ctx, targets, trust.RefreshOptions{Progress: progress})
	if err != nil {
		return rep, err
	}
	return rep, a.markRevoked(ctx, rep.RevokedCerts)
}

// revocationTargets are the inventory's certificates not yet Ingetrokken.
func (a *App) revocationTargets(ctx context.Context) ([]trust.Target, error) {
	recs, err := a.Store.Certificates(ctx)
	if err != nil {
		return nil, err
	}
	targets := make([]trust.Target, 0, len(recs))
	for _, r := range recs {
		if r.Revoked {
			continue
		}
		der, err := a.Store.DER(ctx, r.SHA256)
		if err != nil {
			return nil, err
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			continue // stored from a parsed certificate; a damaged one is the store's to report
		}
		targets = append(targets, trust.Target{SHA256: r.SHA256, Cert: c})
	}
	return targets, nil
}

// markRevoked records in the inventory what the CAs said.
func (a *App) markRevoked(ctx context.Context, revoked []trust.RevokedCert) error {
	for _, r := range revoked {
		c, ok := a.Inventory.Get(r.SHA256)
		if !ok || c.Revoked {
			continue
		}
		// Journaled with the change: the CA's list made it Ingetrokken.
		err := a.Journal.Change(ctx, audit.Entry{Who: a.Actor(), Action: audit.Revoked, Object: audit.Cert(r.SHA256)}, func(ctx context.Context) error {
			return a.Inventory.MarkRevoked(ctx, r.SHA256, r.At, r.Reason.String())
		})
		if err != nil && !i18n.Is(err, "err.already_revoked") {
			return err
		}
	}
	// Revocations ordered here are done once the CA lists them.
	_, err := a.ConfirmRevocations(ctx)
	return err
}

// CertificateTrust validates a stored certificate's chain now and returns
// what is known of its revocation, for the detail screen.
func (a *App) CertificateTrust(ctx context.Context, sha256 string) (trust.Chain, trust.Status, error) {
	der, err := a.Inventory.DER(ctx, sha256)
	if err != nil {
		return trust.Chain{}, trust.Status{}, err
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return trust.Chain{}, trust.Status{}, i18n.E("err.x509_invalid", err)
	}
	st := a.Trust.Known(sha256)
	if rec, ok := a.Inventory.Get(sha256); ok && rec.Revoked && st.State != trust.StateRevoked {
		// Marked in pkiodesk (a revocation order), not (yet) by a CA list.
		st = trust.Status{State: trust.StateRevoked, RevokedAt: rec.RevokedAt, Reason: trust.ParseReason(rec.RevocationReason)}
	}
	return a.Trust.Validate(ctx, c, trust.ValidateOptions{}), st, nil
}

// CRLImport is the outcome of importing one CRL file.
type CRLImport struct {
	Name string
	Info trust.CRLInfo
	Err  error
}

// ImportCRLs takes the CRL files out of an import (by content, or by the
// .crl extension), checks and keeps them, and applies them to the
// inventory: certificates they list become Ingetrokken. The other inputs
// are returned for the certificate import.
func (a *App) ImportCRLs(ctx context.Context, inputs []inventory.Input) (rest []inventory.Input, done []CRLImport, err error) {
	applied := false
	for _, in := range inputs {
		isCRL := in.Err == nil && trust.LooksLikeCRL(in.Data)
		if !isCRL && !strings.EqualFold(filepath.Ext(in.Name), ".crl") {
			rest = append(rest, in)
			continue
		}
		if in.Err != nil {
			done = append(done, CRLImport{Name: in.Name, Err: in.Err})
			continue
		}
		info, err := a.Trust.ImportCRL(ctx, filepath.Base(in.Name), in.Data)
		done = append(done, CRLImport{Name: in.Name, Info: info, Err: err})
		applied = applied || err == nil && !info.Older
	}
	if !applied {
		return rest, done, nil
	}
	targets, err := a.revocationTargets(ctx)
	if err != nil {
		return rest, done, err
	}
	rep, err := a.Trust.Refresh(ctx, targets, trust.RefreshOptions{Offline: true})
	if err != nil {
		return rest, done, err
	}
	return rest, done, a.markRevoked(ctx, rep.RevokedCerts)
}

// CRLImportText words the outcome of one CRL import, for the CLI and the window.
func CRLImportText(c CRLImport, l i18n.Lang) string {
	if c.Err != nil {
		return i18n.T(l, "import.rejected") + ": " + i18n.Localize(l, c.Err)
	}
	msg := i18n.T(l, "trust.crl_imported", cert.Printable(c.Info.Issuer.Subject.CommonName), c.Info.Entries,
		c.Info.ThisUpdate.Local().Format("2006-01-02 15:04"), c.Info.NextUpdate.Local().Format("2006-01-02 15:04"))
	if c.Info.Stale {
		msg += "; " + i18n.T(l, "trust.crl_stale")
	}
	if c.Info.Older {
		msg += "; " + i18n.T(l, "trust.crl_older")
	}
	return msg
}

// AddTrustAnchor trusts a CA certificate an administrator chose (see
// trust.Service.AddAnchor) and journals it, in one transaction, as a
// settings change naming the certificate.
func (a *App) AddTrustAnchor(ctx context.Context, data []byte) (trust.Anchor, error) {
	var anchor trust.Anchor
	err := a.Journal.Change(ctx, audit.Entry{Who: a.Actor(), Action: audit.SettingChange, Object: anchorObject(data)}, func(ctx context.Context) error {
		var err error
		anchor, err = a.Trust.AddAnchor(ctx, data)
		return err
	})
	return anchor, err
}

// RemoveTrustAnchor stops trusting an administrator's CA and journals it.
func (a *App) RemoveTrustAnchor(ctx context.Context, sha256 string) error {
	obj := audit.Cert(sha256)
	if obj.Valid() != nil {
		obj = audit.Object{}
	}
	return a.Journal.Change(ctx, audit.Entry{Who: a.Actor(), Action: audit.SettingChange, Object: obj}, func(ctx context.Context) error {
		return a.Trust.RemoveAnchor(ctx, sha256)
	})
}

// anchorObject names the certificate of an anchor file in the journal, or
// nothing when the file is no certificate (the refusal says why).
func anchorObject(data []byte) audit.Object {
	if b, _ := pem.Decode(data); b != nil {
		data = b.Bytes
	}
	if c, err := x509.ParseCertificate(data); err == nil {
		return audit.Cert(cert.Fingerprint(c.Raw))
	}
	return audit.Object{}
}
