package trust

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"strings"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/store"
)

const (
	// MaxCRLSize bounds a CRL, fetched or imported. PKIoverheid's CRLs are
	// far smaller; a larger answer is not a CRL we want in memory.
	MaxCRLSize = 32 << 20
	// clockSkew is how far a CA's clock may run ahead of ours.
	clockSkew = 5 * time.Minute
	// lifetimeWithoutNextUpdate is how long a CRL without nextUpdate counts
	// as current. PKIoverheid reissues CRLs at least every 48 hours.
	lifetimeWithoutNextUpdate = 24 * time.Hour
)

var oidDeltaCRLIndicator = asn1.ObjectIdentifier{2, 5, 29, 27}

// ParseCRL reads a CRL, DER or PEM ("X509 CRL"). It does not check who
// signed it; see verifyCRL.
func ParseCRL(data []byte) (*x509.RevocationList, error) {
	if b, _ := pem.Decode(data); b != nil {
		if b.Type != "X509 CRL" {
			return nil, i18n.E("trust.crl_invalid", nil)
		}
		data = b.Bytes
	}
	rl, err := x509.ParseRevocationList(data)
	if err != nil {
		return nil, i18n.E("trust.crl_invalid", err)
	}
	return rl, nil
}

// LooksLikeCRL tells a CRL file from a certificate file, for the import.
func LooksLikeCRL(data []byte) bool {
	if b, _ := pem.Decode(bytes.TrimLeft(data, "\ufeff \t\r\n")); b != nil {
		return b.Type == "X509 CRL"
	}
	_, err := x509.ParseRevocationList(data)
	return err == nil
}

// verifyCRL checks that issuer signed the CRL and that it is a complete CRL
// pkiodesk can use: issued under the issuer's name and key, not a delta,
// not from the future.
func verifyCRL(rl *x509.RevocationList, issuer *x509.Certificate, now time.Time) error {
	if !bytes.Equal(rl.RawIssuer, issuer.RawSubject) {
		return i18n.E("trust.problem.wrong_issuer", nil, name(issuer))
	}
	if len(rl.AuthorityKeyId) > 0 && len(issuer.SubjectKeyId) > 0 && !bytes.Equal(rl.AuthorityKeyId, issuer.SubjectKeyId) {
		return i18n.E("trust.problem.wrong_issuer", nil, name(issuer))
	}
	if err := rl.CheckSignatureFrom(issuer); err != nil {
		return i18n.E("trust.problem.bad_signature", err, name(issuer))
	}
	for _, e := range rl.Extensions {
		if e.Id.Equal(oidDeltaCRLIndicator) {
			return i18n.E("trust.problem.delta", nil, name(issuer))
		}
	}
	if rl.ThisUpdate.After(now.Add(clockSkew)) {
		return i18n.E("trust.problem.not_yet", nil, rl.ThisUpdate.UTC().Format(time.RFC3339))
	}
	return nil
}

// crlNextUpdate is when a CRL stops being current.
func crlNextUpdate(rl *x509.RevocationList) time.Time {
	if rl.NextUpdate.IsZero() {
		return rl.ThisUpdate.Add(lifetimeWithoutNextUpdate)
	}
	return rl.NextUpdate
}

// verifiedCRL is a CRL whose signature was checked, indexed by serial.
type verifiedCRL struct {
	list      *x509.RevocationList
	issuerSHA string
	source    string // URL, or "import:NAME"
	fetchedAt time.Time
	der       []byte
	revoked   map[string]x509.RevocationListEntry
}

func newVerifiedCRL(rl *x509.RevocationList, issuerSHA, source string, fetchedAt time.Time) *verifiedCRL {
	v := &verifiedCRL{list: rl, issuerSHA: issuerSHA, source: source, fetchedAt: fetchedAt, der: rl.Raw,
		revoked: make(map[string]x509.RevocationListEntry, len(rl.RevokedCertificateEntries))}
	for _, e := range rl.RevokedCertificateEntries {
		if e.SerialNumber != nil {
			v.revoked[serialKey(e.SerialNumber)] = e
		}
	}
	return v
}

func serialKey(n *big.Int) string { return n.Text(16) }

// lookup returns the CRL's entry for a serial number.
func (v *verifiedCRL) lookup(serial *big.Int) (x509.RevocationListEntry, bool) {
	e, ok := v.revoked[serialKey(serial)]
	return e, ok
}

func (v *verifiedCRL) fresh(now time.Time) bool { return now.Before(crlNextUpdate(v.list)) }

// cachedCRL is the stored form of a verified CRL.
type cachedCRL struct {
	Source     string    `json:"source"`
	Issuer     string    `json:"issuer"`
	FetchedAt  time.Time `json:"fetched"`
	ThisUpdate time.Time `json:"this_update"`
	NextUpdate time.Time `json:"next_update"`
	DER        []byte    `json:"der"`
}

func crlKeyOf(issuerSHA, source string) string { return issuerSHA + "|" + source }

// putCRL stores a CRL unless a newer one from the same source is stored.
func putCRL(tx store.RecordTx, v *verifiedCRL) error {
	key := crlKeyOf(v.issuerSHA, v.source)
	if old := tx.Get(key); old != nil {
		var c cachedCRL
		if json.Unmarshal(old, &c) == nil && c.ThisUpdate.After(v.list.ThisUpdate) {
			return nil
		}
	}
	val, err := json.Marshal(cachedCRL{Source: v.source, Issuer: v.issuerSHA, FetchedAt: v.fetchedAt, ThisUpdate: v.list.ThisUpdate, NextUpdate: crlNextUpdate(v.list), DER: v.der})
	if err != nil {
		return err
	}
	return tx.Put(key, val)
}

// cachedCRLs reads the stored CRLs of these issuers and checks each again
// against its issuer: a damaged or planted record is ignored.
func (s *Service) cachedCRLs(ctx context.Context, issuers map[string]*x509.Certificate, now time.Time) (map[string][]*verifiedCRL, error) {
	out := map[string][]*verifiedCRL{}
	err := s.db.ViewRecords(ctx, collCRLs, func(tx store.RecordTx) error {
		return tx.ForEach(func(k string, v []byte) error {
			sha, _, _ := strings.Cut(k, "|")
			issuer, ok := issuers[sha]
			if !ok {
				return nil
			}
			var cc cachedCRL
			if json.Unmarshal(v, &cc) != nil {
				return nil
			}
			rl, err := x509.ParseRevocationList(cc.DER)
			if err != nil || verifyCRL(rl, issuer, now) != nil {
				return nil
			}
			out[sha] = append(out[sha], newVerifiedCRL(rl, sha, cc.Source, cc.FetchedAt))
			return nil
		})
	})
	return out, err
}

// fetchCRL gets a CRL over the network and verifies it.
func (s *Service) fetchCRL(ctx context.Context, url string, issuer *x509.Certificate, issuerSHA string, now time.Time) (*verifiedCRL, error) {
	data, err := s.http.Get(ctx, url, MaxCRLSize)
	if err != nil {
		return nil, err
	}
	rl, err := ParseCRL(data)
	if err != nil {
		return nil, i18n.E("trust.problem.garbage", err, url)
	}
	if err := verifyCRL(rl, issuer, now); err != nil {
		return nil, err
	}
	return newVerifiedCRL(rl, issuerSHA, url, now), nil
}

// CRLInfo describes a CRL that was imported by hand.
type CRLInfo struct {
	Issuer     *x509.Certificate
	ThisUpdate time.Time
	NextUpdate time.Time
	Entries    int
	// Stale: its next update has passed; it still tells what was revoked,
	// but not that anything else is not.
	Stale bool
	// Older: a newer CRL of this issuer was already stored; this one was
	// checked but not kept.
	Older bool
}

// ImportCRL checks a CRL file (for a workstation without a route to the
// CA) and keeps it: it must be signed by a CA certificate the trust store
// or the inventory knows. Apply it with an offline Refresh.
func (s *Service) ImportCRL(ctx context.Context, fileName string, data []byte) (CRLInfo, error) {
	if len(data) > MaxCRLSize {
		return CRLInfo{}, i18n.E("err.file_too_large", nil, MaxCRLSize>>20)
	}
	rl, err := ParseCRL(data)
	if err != nil {
		return CRLInfo{}, err
	}
	m, err := s.material(ctx, nil)
	if err != nil {
		return CRLInfo{}, err
	}
	now := s.now()
	var issuer *x509.Certificate
	var firstErr error
	for _, c := range m.all {
		if !bytes.Equal(c.RawSubject, rl.RawIssuer) {
			continue
		}
		err := verifyCRL(rl, c, now)
		if err == nil {
			issuer = c
			break
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	switch {
	case issuer == nil && firstErr != nil:
		return CRLInfo{}, i18n.E("trust.crl_refused", firstErr)
	case issuer == nil:
		return CRLInfo{}, i18n.E("trust.crl_unknown_issuer", nil, cert.Printable(rl.Issuer.String()))
	}
	sha := cert.Fingerprint(issuer.Raw)
	v := newVerifiedCRL(rl, sha, "import:"+strings.TrimSpace(fileName), now)
	info := CRLInfo{Issuer: issuer, ThisUpdate: rl.ThisUpdate, NextUpdate: crlNextUpdate(rl), Entries: len(v.revoked), Stale: !v.fresh(now)}
	err = s.db.UpdateRecords(ctx, collCRLs, func(tx store.RecordTx) error {
		// Any stored CRL of this issuer that is newer wins.
		if err := tx.ForEach(func(k string, val []byte) error {
			var cc cachedCRL
			if strings.HasPrefix(k, sha+"|") && json.Unmarshal(val, &cc) == nil && cc.ThisUpdate.After(rl.ThisUpdate) {
				info.Older = true
			}
			return nil
		}); err != nil || info.Older {
			return err
		}
		return putCRL(tx, v)
	})
	return info, err
}
