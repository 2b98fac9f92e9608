package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"pkiodesk/app"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
	"pkiodesk/smartcard"
)

func orgCommand() command {
	return command{
		name:    "org",
		summary: [2]string{"Organisatiegegevens: organisatie, facturatie en geregistreerde personen", "Organisation data: organisation, billing and registered people"},
		usage:   "show|people|changes|confirm|cancel [opties]",
		group: func() []command {
			return []command{orgShowCommand(), orgPeopleCommand(), orgChangesCommand(), takesArgs(orgCloseCommand(true), 1), takesArgs(orgCloseCommand(false), 1)}
		},
	}
}

func orgShowCommand() command {
	return command{
		name:    "show",
		summary: [2]string{"organisatie- en facturatiegegevens, personen per rol, wijzigingen in behandeling", "organisation and billing data, people per role, changes pending"},
		setup: func(c *call) func(context.Context) int {
			return func(ctx context.Context) int {
				a, err := c.openToRead(ctx)
				if err != nil {
					return c.fail(err)
				}
				defer a.Close()
				reg, err := a.Register(ctx)
				if err != nil {
					return c.fail(err)
				}
				c.printRegister(reg)
				return 0
			}
		},
	}
}

func (c *call) printRegister(reg app.Register) {
	o := reg.Organisation
	w := tabwriter.NewWriter(c.env.Stdout, 2, 4, 2, ' ', 0)
	field := func(label, v string) {
		// Addresses may have several lines; keep them under each other.
		for i, line := range strings.Split(v, "\n") {
			if i > 0 {
				label = ""
			}
			fmt.Fprintf(w, "  %s\t%s\n", label, cert.Printable(line))
		}
	}
	fmt.Fprintln(w, t(c.lang, "Organisatiegegevens", "Organisation data"))
	field(t(c.lang, "Organisatienaam", "Organisation name"), o.Name)
	field(t(c.lang, "Abonneenummer", "Subscriber number"), o.SubscriberNumber)
	field("OIN", o.OIN)
	field(t(c.lang, "KvK-nummer", "KvK number"), o.KvK)
	field(t(c.lang, "Bezoekadres", "Visiting address"), o.Address)
	field(t(c.lang, "Postadres", "Postal address"), o.PostalAddress)
	field(t(c.lang, "Telefoon", "Telephone"), o.Phone)
	field(t(c.lang, "E-mailadres", "E-mail address"), o.Email)
	if !o.CancelledAt.IsZero() {
		field(t(c.lang, "Abonnement opgezegd per", "Subscription cancelled as of"), o.CancelledAt.Local().Format("2006-01-02"))
	}
	fmt.Fprintln(w, t(c.lang, "Facturatiegegevens", "Billing data"))
	field(t(c.lang, "Factuuradres", "Billing address"), o.BillingAddress)
	field(t(c.lang, "Ter attentie van", "For the attention of"), o.BillingAttention)
	field(t(c.lang, "Referentie / kostenplaats", "Reference / cost centre"), o.BillingReference)
	field(t(c.lang, "E-mailadres voor facturen", "E-mail address for invoices"), o.BillingEmail)
	fmt.Fprintln(w, t(c.lang, "Geregistreerde personen", "Registered people"))
	for _, g := range org.Grouped(reg.People) {
		active := 0
		for _, p := range g.People {
			if p.Active {
				active++
			}
		}
		field(i18n.T(c.lang, "role."+string(g.Role)), fmt.Sprintf(t(c.lang, "%d actief, %d niet actief", "%d active, %d inactive"), active, len(g.People)-active))
	}
	if pending := reg.Pending(); len(pending) > 0 {
		fmt.Fprintln(w, t(c.lang, "Wijzigingen in behandeling (van kracht na bevestiging door de CA)", "Changes pending (take effect when the CA confirms them)"))
		for _, ch := range pending {
			field(ch.Number, fmt.Sprintf("%s · %s %s", changeSections(c.lang, ch), t(c.lang, "ondertekend door", "signed by"), cert.Printable(ch.By.Name)))
		}
	}
	w.Flush()
}

// changeSections names a change's sections.
func changeSections(l i18n.Lang, ch org.Change) string {
	var out []string
	for _, s := range ch.Sections {
		out = append(out, i18n.T(l, "section."+string(s)))
	}
	return strings.Join(out, ", ")
}

func orgPeopleCommand() command {
	return command{
		name:    "people",
		summary: [2]string{"geregistreerde personen (standaard alleen actieve)", "registered people (active ones by default)"},
		usage:   "[--role bv|contactpersoon|contactpersoon-alle|contactpersoon-basis|certificaatbeheerder] [--inactive]",
		setup: func(c *call) func(context.Context) int {
			role := c.fs.String("role", "", t(c.lang, "alleen deze rol: bv, contactpersoon, contactpersoon-alle, contactpersoon-basis, certificaatbeheerder", "only this role: bv, contactpersoon, contactpersoon-alle, contactpersoon-basis, certificaatbeheerder"))
			inactive := c.fs.Bool("inactive", false, t(c.lang, "toon ook niet-actieve personen", "also show inactive people"))
			return func(ctx context.Context) int {
				roles, err := org.ParseRoles(*role)
				if err != nil {
					return c.fail(err)
				}
				a, err := c.openToRead(ctx)
				if err != nil {
					return c.fail(err)
				}
				defer a.Close()
				reg, err := a.Register(ctx)
				if err != nil {
					return c.fail(err)
				}
				w := tabwriter.NewWriter(c.env.Stdout, 2, 4, 2, ' ', 0)
				fmt.Fprintf(w, "ID\t%s\t%s\t%s\t%s\t%s\t%s\n", t(c.lang, "Naam", "Name"), t(c.lang, "E-mailadres", "E-mail address"),
					t(c.lang, "Telefoon", "Telephone"), t(c.lang, "Rol", "Role"), t(c.lang, "Status", "Status"), t(c.lang, "In behandeling", "Pending"))
				n := 0
				for _, g := range org.Grouped(reg.People) {
					if !roles[g.Role] {
						continue
					}
					for _, p := range g.People {
						if !p.Active && !*inactive {
							continue
						}
						n++
						state := t(c.lang, "actief", "active")
						if !p.Active {
							state = t(c.lang, "niet actief", "inactive")
						}
						var pending []string
						for _, ch := range reg.PendingFor(p.ID) {
							pending = append(pending, ch.Number)
						}
						fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", cert.Printable(p.ID), cert.Printable(p.Name), cert.Printable(p.Email), cert.Printable(p.Phone),
							i18n.T(c.lang, "role."+string(p.Role)), state, strings.Join(pending, ", "))
					}
				}
				w.Flush()
				c.out("%s\n", i18n.T(c.lang, "n.people", n))
				return 0
			}
		},
	}
}

func orgChangesCommand() command {
	return command{
		name:    "changes",
		summary: [2]string{"wijzigingsformulieren: in behandeling, bevestigd, ingetrokken", "change forms: pending, confirmed, cancelled"},
		usage:   "[--pending]",
		setup: func(c *call) func(context.Context) int {
			pendingOnly := c.fs.Bool("pending", false, t(c.lang, "alleen wijzigingen in behandeling", "only changes pending"))
			return func(ctx context.Context) int {
				a, err := c.openToRead(ctx)
				if err != nil {
					return c.fail(err)
				}
				defer a.Close()
				reg, err := a.Register(ctx)
				if err != nil {
					return c.fail(err)
				}
				w := tabwriter.NewWriter(c.env.Stdout, 2, 4, 2, ' ', 0)
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", t(c.lang, "Nummer", "Number"), t(c.lang, "Status", "State"), t(c.lang, "Ondertekend", "Signed"),
					t(c.lang, "Door", "By"), t(c.lang, "Rubrieken", "Sections"), t(c.lang, "Afgesloten", "Closed"))
				n := 0
				for _, ch := range reg.Changes {
					if *pendingOnly && ch.State != org.ChangePending {
						continue
					}
					n++
					closed := ""
					if !ch.Closed.IsZero() {
						closed = ch.Closed.Local().Format("2006-01-02") + " " + cert.Printable(ch.ClosedBy)
						if ch.Note != "" {
							closed += ": " + cert.Printable(ch.Note)
						}
					}
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", cert.Printable(ch.Number), i18n.T(c.lang, "change.state."+string(ch.State)),
						ch.Created.Local().Format("2006-01-02 15:04"), cert.Printable(ch.By.Name), changeSections(c.lang, ch), closed)
				}
				w.Flush()
				c.out("%s\n", i18n.T(c.lang, "n.changes", n))
				return 0
			}
		},
	}
}

// orgCloseCommand records the CA's confirmation of a change (confirm) or
// withdraws it (cancel). Both change the register, so the card holder logs
// in first and the matrix decides, as in the window.
func orgCloseCommand(confirm bool) command {
	name, summary, noteFlag := "cancel", [2]string{"wijziging intrekken (of: door KPN afgewezen)", "withdraw a change (or: refused by KPN)"}, "reason"
	if confirm {
		name, summary, noteFlag = "confirm", [2]string{"bevestiging door KPN vastleggen: de wijziging komt in de registratie", "record KPN's confirmation: the change enters the register"}, "reference"
	}
	return command{
		name:    name,
		summary: summary,
		usage:   "NUMMER [--" + noteFlag + " TEKST] [--module PAD] [--token LABEL] [--pin-fd N]",
		setup: func(c *call) func(context.Context) int {
			note := c.fs.String(noteFlag, "", t(c.lang, "kenmerk van KPN, of de reden", "KPN's reference, or the reason"))
			f := addCardFlags(c)
			return func(ctx context.Context) int {
				if len(c.args) != 1 {
					return c.fail(fmt.Errorf("%s", t(c.lang, "geef het nummer van de wijziging (zie pkiodesk org changes)", "give the change's number (see pkiodesk org changes)")))
				}
				a, who, s, err := c.cardHolder(ctx, f)
				if err != nil {
					return c.fail(err)
				}
				defer s.Close()
				defer a.Close()
				var ch org.Change
				if confirm {
					ch, err = a.ConfirmChange(ctx, who, c.args[0], *note)
				} else {
					ch, err = a.CancelChange(ctx, who, c.args[0], *note)
				}
				if err != nil && ch.Number == "" {
					return c.fail(err)
				}
				c.out("%s %s: %s\n", t(c.lang, "Wijziging", "Change"), cert.Printable(ch.Number), i18n.T(c.lang, "change.state."+string(ch.State)))
				if err != nil {
					return c.fail(err)
				}
				return 0
			}
		},
	}
}

// cardHolder logs in to the card and identifies the holder in the
// register (journalled), as the window's login does.
func (c *call) cardHolder(ctx context.Context, f cardFlags) (*app.App, org.Person, *smartcard.Session, error) {
	m := smartcard.NewManager()
	s, err := c.login(ctx, m, f)
	if err != nil {
		return nil, org.Person{}, nil, err
	}
	auth, err := s.Pick(smartcard.UsageAuthentication)
	if err != nil {
		s.Close()
		return nil, org.Person{}, nil, err
	}
	a, err := c.openApp(ctx)
	if err != nil {
		s.Close()
		return nil, org.Person{}, nil, err
	}
	check, err := a.CheckLogin(ctx, auth.Cert, s.Signer(auth))
	if err != nil {
		_ = a.LoginRefused(ctx, auth.Cert, err)
		a.Close()
		s.Close()
		return nil, org.Person{}, nil, err
	}
	who, err := a.LogIn(ctx, check)
	if err != nil {
		a.Close()
		s.Close()
		return nil, org.Person{}, nil, err
	}
	return a, who, s, nil
}
