package app

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"strings"

	"pkiodesk/app/audit"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
)

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

// Identify returns the registered person a login certificate belongs to,
// or the error of the manual's chapter 9.
func (a *App) Identify(ctx context.Context, login *x509.Certificate) (org.Person, error) {
	people, err := a.Store.People(ctx)
	if err != nil {
		return org.Person{}, err
	}
	return org.Identify(people, login)
}

// SetUp registers the organisation and the card holder as its Bevoegd
// Vertegenwoordiger, with the login certificate, in one transaction.
func (a *App) SetUp(ctx context.Context, o org.Organisation, name, email string, login *x509.Certificate) (org.Person, error) {
	o.Name, o.OIN, o.KvK, o.SubscriberNumber = strings.TrimSpace(o.Name), strings.TrimSpace(o.OIN), strings.TrimSpace(o.KvK), strings.TrimSpace(o.SubscriberNumber)
	if err := o.Validate(); err != nil {
		return org.Person{}, err
	}
	if strings.TrimSpace(name) == "" {
		return org.Person{}, i18n.E("org.person_name", nil)
	}
	p := org.Person{
		ID: newID(), Name: strings.TrimSpace(name), Email: strings.TrimSpace(email), Role: org.BevoegdVertegenwoordiger, Active: true,
		CertFingerprints: []string{cert.Fingerprint(login.Raw)}, SubjectSerial: login.Subject.SerialNumber,
	}
	who := audit.Actor{PersonID: p.ID, CertSHA: cert.Fingerprint(login.Raw)}
	err := a.Journal.Change(ctx, audit.Entry{Who: who, Action: audit.SetUp, Object: audit.Person(p.ID)}, func(ctx context.Context) error {
		return a.Store.SetUp(ctx, o, p)
	})
	if err != nil {
		return org.Person{}, err
	}
	a.setSession(&p, login)
	return p, nil
}

func newID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
