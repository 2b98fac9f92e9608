package app

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"strings"
	"time"

	"pkiodesk/app/audit"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
	"pkiodesk/app/trust"
)

// LoginRevocationTimeout bounds the revocation check of a login when the
// cache holds no current answer; after it the login goes on with a warning.
const LoginRevocationTimeout = 8 * time.Second

// LoginCheck is what a login proved: the token holds the certificate's
// key, the certificate chains to the trust store, and what is known of its
// revocation. Only CheckLogin makes one, so a person is identified only by
// a certificate that passed.
type LoginCheck struct {
	cert  *x509.Certificate
	chain trust.Chain
	rev   trust.Status
}

// Certificate is the login certificate.
func (l LoginCheck) Certificate() *x509.Certificate { return l.cert }

// Chain is its validated chain.
func (l LoginCheck) Chain() trust.Chain { return l.chain }

// Revocation is what was known of its revocation at login.
func (l LoginCheck) Revocation() trust.Status { return l.rev }

// Warning is the visible warning of a login whose revocation state is not
// known (the CA could not be asked, or says nothing); nil when it is known
// not to be revoked.
func (l LoginCheck) Warning() error {
	switch l.rev.State {
	case trust.StateGood, trust.StateRevoked:
		return nil
	case trust.StateNoSource:
		return i18n.E("id.revocation_no_source", nil)
	}
	since := l.rev.UnknownSince
	if since.IsZero() {
		since = time.Now()
	}
	return i18n.E("id.revocation_unknown", l.rev.Problem, since.Local().Format("2006-01-02 15:04"))
}

// CheckLogin decides whether a login certificate may log in, after the PIN:
//  1. the token proves it holds the key: it signs a fresh random challenge,
//     which must verify with the certificate's public key;
//  2. the certificate chains to the trust store for client authentication;
//  3. it is not revoked: its CA is asked now, for at most
//     LoginRevocationTimeout; when it cannot be, the last answer counts
//     until its next update. Unknown is allowed, with LoginCheck.Warning.
//
// Each refusal has its own message. extra may hold CA certificates the
// token carries.
func (a *App) CheckLogin(ctx context.Context, login *x509.Certificate, key crypto.Signer, extra ...*x509.Certificate) (LoginCheck, error) {
	return CheckLoginWith(ctx, a.Trust, login, key, extra...)
}

// CheckLoginWith is CheckLogin against a given trust store (a command
// without a database checks against the bundled anchors).
func CheckLoginWith(ctx context.Context, tr *trust.Service, login *x509.Certificate, key crypto.Signer, extra ...*x509.Certificate) (LoginCheck, error) {
	if err := ProveKey(key, login); err != nil {
		return LoginCheck{}, err
	}
	chain := tr.Validate(ctx, login, trust.ValidateOptions{Usage: trust.UsageClientAuth, Extra: extra})
	if !chain.Trusted {
		return LoginCheck{}, i18n.E("id.untrusted", chain.Err)
	}
	rctx, cancel := context.WithTimeout(ctx, LoginRevocationTimeout)
	defer cancel()
	rev := tr.CheckNow(rctx, login, chain.Certs[1:]...)
	if rev.State == trust.StateRevoked {
		// The reason is the cause, so that it is worded in the reader's language.
		return LoginCheck{}, i18n.E("id.revoked", i18n.E("trust.reason."+rev.Reason.String(), nil), rev.RevokedAt.Local().Format("2006-01-02"))
	}
	return LoginCheck{cert: login, chain: chain, rev: rev}, nil
}

// ProveKey lets key sign a fresh random challenge and verifies the
// signature with the certificate's public key: proof that whoever is at
// the keyboard holds the certificate's private key, not just a copy of the
// certificate.
func ProveKey(key crypto.Signer, c *x509.Certificate) error {
	challenge := make([]byte, 32)
	if _, err := rand.Read(challenge); err != nil {
		return i18n.E("id.key_proof_failed", err)
	}
	msg := append([]byte("pkiodesk login challenge\x00"), challenge...)
	digest := sha256.Sum256(msg)
	var ok bool
	switch pub := c.PublicKey.(type) {
	case *rsa.PublicKey:
		sig, err := key.Sign(rand.Reader, digest[:], crypto.SHA256)
		if err != nil {
			return i18n.E("id.key_proof_failed", err)
		}
		ok = rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig) == nil
	case *ecdsa.PublicKey:
		sig, err := key.Sign(rand.Reader, digest[:], crypto.SHA256)
		if err != nil {
			return i18n.E("id.key_proof_failed", err)
		}
		ok = ecdsa.VerifyASN1(pub, digest[:], sig)
	case ed25519.PublicKey:
		sig, err := key.Sign(rand.Reader, msg, crypto.Hash(0))
		if err != nil {
			return i18n.E("id.key_proof_failed", err)
		}
		ok = ed25519.Verify(pub, msg, sig)
	default:
		return i18n.E("id.key_type", nil)
	}
	if !ok {
		return i18n.E("id.key_mismatch", nil)
	}
	return nil
}

// NeedsSetup reports whether the database has no organisation yet: the
// first login then registers it.
func (a *App) NeedsSetup(ctx context.Context) (bool, error) {
	_, found, err := a.Store.Organisation(ctx)
	return !found, err
}

// Organisation returns the subscriber.
func (a *App) Organisation(ctx context.Context) (org.Organisation, error) {
	o, _, err := a.Store.Organisation(ctx)
	return o, err
}

// Identify returns the registered person a checked login belongs to: by
// the certificate's fingerprint, or by its issuer and subject serialNumber;
// otherwise the error of the manual's chapter 9.
func (a *App) Identify(ctx context.Context, login LoginCheck) (org.Person, error) {
	if login.cert == nil {
		return org.Person{}, i18n.E("id.not_registered", nil)
	}
	people, err := a.Store.People(ctx)
	if err != nil {
		return org.Person{}, err
	}
	p, err := org.Identify(people, login.cert, login.chain.Issuer())
	if err != nil {
		return p, err
	}
	o, _, err := a.Store.Organisation(ctx)
	return org.InOrganisation(p, o), err
}

// Reread returns the logged-in person as the register has them now, in
// the organisation's state (InOrganisation, as Identify does at login):
// after a change confirmed or withdrawn, or a manager deactivated, the
// window's buttons follow the new role, activity or cancellation.
func (a *App) Reread(ctx context.Context, who org.Person) (org.Person, error) {
	people, err := a.Store.People(ctx)
	if err != nil {
		return who, err
	}
	p, ok := org.FindPerson(people, who.ID)
	if !ok {
		// Gone from the register: nothing is allowed any more.
		who.Active = false
		return who, i18n.E("org.person.unknown", nil)
	}
	o, _, err := a.Store.Organisation(ctx)
	if err != nil {
		return who, err
	}
	return org.InOrganisation(p, o), nil
}

// SetUp registers the organisation and the card holder as its Bevoegd
// Vertegenwoordiger, with the checked login certificate, in one transaction.
func (a *App) SetUp(ctx context.Context, o org.Organisation, name, email string, login LoginCheck) (org.Person, error) {
	o.Name, o.OIN, o.KvK, o.SubscriberNumber = strings.TrimSpace(o.Name), strings.TrimSpace(o.OIN), strings.TrimSpace(o.KvK), strings.TrimSpace(o.SubscriberNumber)
	if err := o.Validate(); err != nil {
		return org.Person{}, err
	}
	if strings.TrimSpace(name) == "" {
		return org.Person{}, i18n.E("org.person_name", nil)
	}
	if login.cert == nil {
		return org.Person{}, i18n.E("card.not_logged_in", nil)
	}
	p := org.Person{
		ID: newID(), Name: strings.TrimSpace(name), Email: strings.TrimSpace(email), Role: org.BevoegdVertegenwoordiger, Active: true,
		CertFingerprints: []string{cert.Fingerprint(login.cert.Raw)}, SubjectSerial: login.cert.Subject.SerialNumber,
	}
	if is := login.chain.Issuer(); is != nil {
		p.Issuer, p.IssuerKey = is.Subject.String(), org.IssuerKeyID(is)
	}
	who := audit.Actor{PersonID: p.ID, CertSHA: cert.Fingerprint(login.cert.Raw)}
	err := a.Journal.Change(ctx, audit.Entry{Who: who, Action: audit.SetUp, Object: audit.Person(p.ID)}, func(ctx context.Context) error {
		return a.Store.SetUp(ctx, o, p)
	})
	if err != nil {
		return org.Person{}, err
	}
	a.setSession(&p, login.cert)
	return p, nil
}

func newID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
