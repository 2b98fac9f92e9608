package cli

import (
	"context"
	"fmt"

	"pkiodesk/app"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/store"
)

func dbCommand() command {
	return command{
		name:    "db",
		summary: [2]string{"controleer de database (check) of maak een reservekopie (backup BESTAND)", "check the database (check) or make a backup (backup FILE)"},
		usage:   "check | backup BESTAND",
		usageEN: "check | backup FILE",
		setup: func(c *call) func(context.Context) int {
			return func(ctx context.Context) int {
				switch {
				case len(c.args) == 1 && c.args[0] == "check":
					return c.dbCheck(ctx)
				case len(c.args) == 2 && c.args[0] == "backup":
					return c.dbBackup(ctx, c.args[1])
				case len(c.args) == 1 && c.args[0] == "backup":
					return c.fail(i18n.E("err.backup_path_empty", nil))
				case len(c.args) == 0:
					return c.fail(i18n.E("cli.db_what", nil))
				case len(c.args) > 1 && c.args[0] == "check":
					return c.fail(i18n.E("cli.unexpected_argument", nil, c.args[1]))
				}
				return c.fail(i18n.E("cli.db_what", nil))
			}
		},
	}
}

// dbCheck reads every page and record; exit 0 when all is well, 1 when
// damage was found.
func (c *call) dbCheck(ctx context.Context) int {
	c.damageSaid = true // the report is about the damage
	a, err := c.open(ctx, store.ReadOnly, false)
	if err != nil && !store.IsDamaged(err) {
		return c.fail(err)
	}
	var rep store.CheckReport
	if a != nil {
		rep, err = a.Store.Check(ctx)
		a.Close()
	} else {
		rep, err = store.CheckFile(ctx, c.dbPath())
	}
	if err != nil {
		return c.fail(err)
	}
	l := c.lang
	c.out("%s\n", i18n.T(l, "check.file", rep.Path, rep.Size, rep.Pages, rep.PageSize, rep.Schema))
	c.out("%s\n", i18n.T(l, "check.meta", okText(l, rep.MetaOK[0]), okText(l, rep.MetaOK[1])))
	c.out("%s\n", i18n.T(l, "check.records", rep.Certificates, rep.Issuers, rep.DERs, rep.People))
	if rep.Pending > 0 {
		c.out("%s\n", i18n.T(l, "check.pending", rep.Pending))
	}
	for _, p := range rep.Structure {
		c.out("  %s\n", i18n.Localize(l, p))
	}
	for _, d := range rep.Damaged {
		c.out("  %s\n", i18n.Localize(l, i18n.E("err.record_damaged", d.Err, d.Label())))
	}
	for _, k := range rep.MissingDER {
		c.out("  %s\n", i18n.T(l, "check.missing_der", cert.Printable(k)))
	}
	if rep.OK() {
		c.out("%s\n", i18n.T(l, "check.ok"))
		return 0
	}
	c.out("%s\n", i18n.T(l, "check.damaged"))
	fmt.Fprintf(c.env.Stderr, "%s\n", i18n.Localize(l, app.RestoreHint(c.dbPath())))
	return 1
}

func okText(l i18n.Lang, ok bool) string {
	if ok {
		return i18n.T(l, "check.meta_ok")
	}
	return i18n.T(l, "check.meta_bad")
}

func (c *call) dbBackup(ctx context.Context, target string) int {
	if toStdout, err := c.checkOutput(target); err != nil {
		return c.fail(i18n.E("err.backup_write", err, target))
	} else if toStdout {
		return c.fail(i18n.E("cli.backup_stdout", nil))
	}
	c.damageSaid = true // a copy of what can be read is what a damaged file needs
	a, err := c.open(ctx, store.ReadOnly, false)
	if err != nil {
		return c.fail(err)
	}
	defer a.Close()
	if err := a.Store.Backup(ctx, target); err != nil {
		return c.fail(err)
	}
	c.landed = true // whole and checked: a signal from here on changes nothing
	c.out("%s\n", i18n.T(c.lang, "db.backup_written", target))
	if a.Damage != nil {
		c.warn(i18n.E("db.backup_of_damaged", nil))
		return 1
	}
	return 0
}
