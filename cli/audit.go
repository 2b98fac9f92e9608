package cli

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"pkiodesk/app"
	"pkiodesk/app/audit"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/store"
)

func auditCommand() command {
	return command{
		name:    "audit",
		summary: [2]string{"logboek: controleren, tonen en exporteren", "audit journal: verify, list and export"},
		usage:   "verify|list|export [opties]",
		group: func() []command {
			return []command{auditVerifyCommand(), auditListCommand(), auditExportCommand()}
		},
	}
}

func auditVerifyCommand() command {
	return command{
		name:    "verify",
		summary: [2]string{"controleer de hashketen en het controlepunt; exit 1 bij een gebroken keten", "check the hash chain and the checkpoint; exit 1 on a broken chain"},
		setup: func(c *call) func(context.Context) int {
			return func(ctx context.Context) int {
				a, err := c.openToRead(ctx)
				if err != nil {
					return c.fail(err)
				}
				defer a.Close()
				rep, err := a.VerifyJournal(ctx)
				if err != nil {
					c.damageSaid = store.IsDamaged(err)
					return c.fail(err)
				}
				if !rep.OK() {
					fmt.Fprintf(c.env.Stderr, "pkiodesk: %s\n", i18n.Localize(c.lang, rep.Problem.Err()))
					return 1
				}
				c.out("%s\n", i18n.T(c.lang, "audit.verify_ok", rep.Entries, rep.Head.Seq))
				if rep.Signed != nil {
					c.out("%s\n", i18n.T(c.lang, "audit.signed_by", rep.Signed.Seq, rep.SignedBy))
				}
				if rep.Checkpoint == nil && rep.Entries > 0 {
					fmt.Fprintf(c.env.Stderr, "%s\n", i18n.T(c.lang, "audit.no_checkpoint", audit.HeadPath(a.Store.Path())))
				}
				return 0
			}
		},
	}
}

// filterFlags are the selection flags of list and export.
type filterFlags struct{ person, action, from, to *string }

func addFilterFlags(c *call) filterFlags {
	return filterFlags{
		person: c.fs.String("person", "", t(c.lang, "alleen deze persoon (ID; — voor de CLI zonder kaart)", "only this person (ID; — for the CLI without a card)")),
		action: c.fs.String("action", "", t(c.lang, "alleen deze actie (login, import, export-csv, ...)", "only this action (login, import, export-csv, ...)")),
		from:   c.fs.String("from", "", t(c.lang, "vanaf deze dag (JJJJ-MM-DD)", "from this day (YYYY-MM-DD)")),
		to:     c.fs.String("to", "", t(c.lang, "tot en met deze dag (JJJJ-MM-DD)", "up to and including this day (YYYY-MM-DD)")),
	}
}

func (f filterFlags) filter() (audit.Filter, error) {
	out := audit.Filter{Person: *f.person, Action: audit.Action(*f.action)}
	if out.Action != "" && !audit.KnownAction(out.Action) {
		return out, i18n.E("audit.err.action", nil, cert.Printable(*f.action))
	}
	day := func(s string) (time.Time, error) {
		d, err := time.ParseInLocation("2006-01-02", s, time.Local)
		if err != nil {
			return d, i18n.E("audit.err.date", nil, cert.Printable(s))
		}
		return d, nil
	}
	var err error
	if *f.from != "" {
		if out.From, err = day(*f.from); err != nil {
			return out, err
		}
	}
	if *f.to != "" {
		if out.To, err = day(*f.to); err != nil {
			return out, err
		}
		out.To = out.To.AddDate(0, 0, 1)
	}
	return out, nil
}

func auditListCommand() command {
	return command{
		name:    "list",
		summary: [2]string{"toon het logboek", "show the journal"},
		usage:   "[--person ID] [--action A] [--from DAG] [--to DAG]",
		setup: func(c *call) func(context.Context) int {
			ff := addFilterFlags(c)
			return func(ctx context.Context) int {
				if err := c.refuseEmpty("person", "action", "from", "to"); err != nil {
					return c.fail(err)
				}
				f, err := ff.filter()
				if err != nil {
					return c.fail(err)
				}
				a, err := c.openToRead(ctx)
				if err != nil {
					return c.fail(err)
				}
				defer a.Close()
				entries, err := a.Journal.List(ctx, f)
				if err != nil {
					return c.fail(err)
				}
				tw := tabwriter.NewWriter(c.env.Stdout, 2, 4, 2, ' ', 0)
				for _, col := range []string{"seq", "time", "person", "os_user", "action", "object", "outcome", "reason", "count"} {
					fmt.Fprint(tw, i18n.T(c.lang, "audit.col."+col), "\t")
				}
				fmt.Fprintln(tw)
				for i := range entries {
					cells := audit.Cells(&entries[i], c.lang)
					// seq time person os_user action object outcome reason count
					for _, k := range []int{0, 1, 2, 4, 5, 6, 7, 8, 9} {
						fmt.Fprint(tw, cert.Printable(cells[k]), "\t")
					}
					fmt.Fprintln(tw)
				}
				tw.Flush()
				return 0
			}
		},
	}
}

func auditExportCommand() command {
	return command{
		name:    "export",
		summary: [2]string{"exporteer het logboek als CSV (- = standaarduitvoer)", "export the journal as CSV (- = standard output)"},
		usage:   "[--from DAG] [--to DAG] [--person ID] [--action A] --csv BESTAND",
		setup: func(c *call) func(context.Context) int {
			ff := addFilterFlags(c)
			csvFile := c.fs.String("csv", "", t(c.lang, "CSV-bestand (- = standaarduitvoer)", "CSV file (- = standard output)"))
			return func(ctx context.Context) int {
				if *csvFile == "" {
					return c.fail(fmt.Errorf("%s", t(c.lang, "geef --csv BESTAND", "give --csv FILE")))
				}
				if err := c.refuseEmpty("person", "action", "from", "to"); err != nil {
					return c.fail(err)
				}
				f, err := ff.filter()
				if err != nil {
					return c.fail(err)
				}
				a, err := c.openApp(ctx)
				if err != nil {
					return c.fail(err)
				}
				defer a.Close()
				n, toStdout, err := exportJournal(ctx, c, a, f, *csvFile)
				if err != nil {
					return c.fail(err)
				}
				if !toStdout {
					c.out("%s\n", i18n.T(c.lang, "audit.csv_saved", n, *csvFile))
				}
				return 0
			}
		},
	}
}

func exportJournal(ctx context.Context, c *call, a *app.App, f audit.Filter, path string) (n int, toStdout bool, err error) {
	opt := inventory.CSVOptions{Lang: c.lang}
	toStdout, err = c.writeOutput(path, func(w io.Writer) error {
		var err error
		n, err = a.ExportJournal(ctx, w, f, opt)
		return err
	})
	if err != nil {
		return 0, false, i18n.E("err.file_write", err, path)
	}
	return n, toStdout, nil
}
