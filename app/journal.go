package app

import (
	"context"
	"crypto"
	"crypto/x509"
	"io"
	"os"
	"os/user"
	"sync"

	"pkiodesk/app/audit"
	"pkiodesk/app/brp"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/org"
)

// session is who is logged in: the person and the login certificate. The
// window sets it at login; the CLI without a card leaves it empty and acts
// as "—" with the OS user name.
type session struct {
	mu     sync.Mutex
	person *org.Person
	login  *x509.Certificate
}

// Actor is who the journal names for the current action.
func (a *App) Actor() audit.Actor {
	a.sess.mu.Lock()
	defer a.sess.mu.Unlock()
	if a.sess.person == nil {
		return audit.Actor{OSUser: osUser()}
	}
	return audit.Actor{PersonID: a.sess.person.ID, CertSHA: cert.Fingerprint(a.sess.login.Raw)}
}

// osUser is the operating system's name for the user, cleaned to what a
// journal entry accepts.
func osUser() string {
	name := ""
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	if name == "" {
		name = os.Getenv("USER")
	}
	return audit.CleanOSUser(name)
}

func (a *App) setSession(p *org.Person, login *x509.Certificate) {
	a.sess.mu.Lock()
	a.sess.person, a.sess.login = p, login
	a.sess.mu.Unlock()
}

// LogIn identifies the holder of a checked login certificate (CheckLogin)
// and journals the login, or its refusal with the reason. From here on the
// journal names this person.
func (a *App) LogIn(ctx context.Context, check LoginCheck) (org.Person, error) {
	if check.cert == nil {
		return org.Person{}, i18n.E("id.not_registered", nil)
	}
	login := check.cert
	p, err := a.Identify(ctx, check)
	who := audit.Actor{CertSHA: cert.Fingerprint(login.Raw)}
	if err != nil {
		if jerr := a.Journal.Record(ctx, audit.Entry{Who: who, Action: audit.Login, Outcome: audit.Refused, Reason: audit.ReasonOf(err)}); jerr != nil {
			return org.Person{}, jerr
		}
		return org.Person{}, err
	}
	who.PersonID = p.ID
	if err := a.Journal.Record(ctx, audit.Entry{Who: who, Action: audit.Login, Object: audit.Person(p.ID)}); err != nil {
		return org.Person{}, err
	}
	a.setSession(&p, login)
	return p, nil
}

// LoginRefused journals a login that failed before the person was known
// (wrong PIN, blocked card, no login certificate). login may be nil. Only
// the message key of err is kept.
func (a *App) LoginRefused(ctx context.Context, login *x509.Certificate, err error) error {
	who := audit.Actor{OSUser: osUser()}
	if login != nil {
		who = audit.Actor{CertSHA: cert.Fingerprint(login.Raw)}
	}
	return a.Journal.Record(ctx, audit.Entry{Who: who, Action: audit.Login, Outcome: audit.Refused, Reason: audit.ReasonOf(err)})
}

// LogOut journals the logout and, with the login card's signer, signs the
// journal's head so that removing entries afterwards is seen. signer may
// be nil (no card at hand).
func (a *App) LogOut(ctx context.Context, signer crypto.Signer) error {
	return a.endSession(ctx, audit.Logout, signer)
}

// CardRemoved journals a session that ended because the card was pulled.
func (a *App) CardRemoved(ctx context.Context) error {
	return a.endSession(ctx, audit.CardRemoved, nil)
}

func (a *App) endSession(ctx context.Context, act audit.Action, signer crypto.Signer) error {
	who := a.Actor()
	a.sess.mu.Lock()
	login := a.sess.login
	a.sess.mu.Unlock()
	defer a.setSession(nil, nil)
	if who.PersonID == "" {
		return nil
	}
	if err := a.Journal.Record(ctx, audit.Entry{Who: who, Action: act, Object: audit.Person(who.PersonID)}); err != nil {
		return err
	}
	if signer != nil && login != nil {
		return a.Journal.SignHead(ctx, who, signer, login)
	}
	return nil
}

// Authorise asks the one authorisation matrix whether the logged-in person
// may do something, and journals a refusal.
func (a *App) Authorise(ctx context.Context, perm org.Permission) error {
	a.sess.mu.Lock()
	var role org.Role
	if a.sess.person != nil {
		role = a.sess.person.Role
	}
	a.sess.mu.Unlock()
	if org.Allowed(role, perm) {
		return nil
	}
	refusal := i18n.E("auth.denied", nil)
	if err := a.Journal.Record(ctx, audit.Entry{Who: a.Actor(), Action: audit.Denied, Object: audit.Perm(string(perm)), Outcome: audit.Refused, Reason: "auth.denied"}); err != nil {
		return err
	}
	return refusal
}

// Import imports certificates and journals the import in the same
// transaction (Count: the files offered).
func (a *App) Import(ctx context.Context, inputs []inventory.Input, opt inventory.ImportOptions) (inventory.Report, error) {
	var rep inventory.Report
	err := a.Journal.Change(ctx, audit.Entry{Who: a.Actor(), Action: audit.Import, Count: len(inputs)}, func(ctx context.Context) error {
		var err error
		rep, err = a.Inventory.Import(ctx, inputs, opt)
		return err
	})
	return rep, err
}

// ExportCSV writes an overview as CSV and journals it with the number of
// rows.
func (a *App) ExportCSV(ctx context.Context, w io.Writer, v inventory.View, opt inventory.CSVOptions) error {
	err := inventory.WriteCSV(w, v, opt)
	e := audit.Entry{Who: a.Actor(), Action: audit.ExportCSV, Count: len(v.Rows)}
	if err != nil {
		e.Outcome, e.Reason = audit.Failed, audit.ReasonOf(err)
	}
	if jerr := a.Journal.Record(ctx, e); jerr != nil && err == nil {
		return jerr
	}
	return err
}

// recordBRP journals a change to the BRP register in its transaction.
func (a *App) recordBRP(ctx context.Context, op brp.Op, id string, change func(context.Context) error) error {
	act := map[brp.Op]audit.Action{brp.OpAdd: audit.BRPAdd, brp.OpChange: audit.BRPChange, brp.OpRemove: audit.BRPRemove}[op]
	obj := audit.Afnemer(id)
	if audit.Afnemer(id).Valid() != nil {
		obj = audit.Object{}
	}
	return a.Journal.Change(ctx, audit.Entry{Who: a.Actor(), Action: act, Object: obj}, change)
}

// ExportJournal writes the journal entries the filter selects as CSV, with
// the overviews' CSV safety, and journals the export.
func (a *App) ExportJournal(ctx context.Context, w io.Writer, f audit.Filter, opt inventory.CSVOptions) (int, error) {
	entries, err := a.Journal.List(ctx, f)
	if err != nil {
		return 0, err
	}
	if err := audit.WriteCSV(w, entries, opt); err != nil {
		return 0, err
	}
	return len(entries), a.Journal.Record(ctx, audit.Entry{Who: a.Actor(), Action: audit.JournalExport, Count: len(entries)})
}

// VerifyJournal checks the chain and the checkpoint, and that a signed
// checkpoint was signed with the login certificate of a registered person.
func (a *App) VerifyJournal(ctx context.Context) (*audit.Report, error) {
	if a.Damage != nil {
		// Entries a damaged file no longer gives are not entries someone
		// removed: the answer is the damage.
		return nil, a.Damage
	}
	rep, err := a.Journal.Verify(ctx)
	if err != nil || rep.SignedBy == "" {
		return rep, err
	}
	people, err := a.Store.People(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range people {
		for _, fp := range p.CertFingerprints {
			if fp == rep.SignedBy {
				return rep, nil
			}
		}
	}
	if rep.Problem == nil {
		rep.Problem = &audit.Problem{Seq: rep.Signed.Seq, Fault: audit.BadSigned}
	}
	return rep, nil
}
