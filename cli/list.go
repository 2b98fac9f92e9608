package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"text/tabwriter"

	"pkiodesk/app"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/store"
)

func listCommand() command {
	return command{
		name:    "list",
		summary: [2]string{"overzicht van certificaten, of exporteer het als .csv", "overview of certificates, or export it as .csv"},
		usage:   "[--kind server|personal|group|eseal|all] [--status geldig|verlopen|ingetrokken|alle] [--filter TEKST] [--sort KOLOM[:desc]] [--csv BESTAND|-]",
		usageEN: "[--kind server|personal|group|eseal|all] [--status valid|expired|revoked|all] [--filter TEXT] [--sort COLUMN[:desc]] [--csv FILE|-]",
		setup: func(c *call) func(context.Context) int {
			kind := c.fs.String("kind", "all", "server|personal|group|eseal|all")
			status := c.fs.String("status", "valid", "valid|expired|revoked|all "+t(c.lang, "of", "or")+" geldig|verlopen|ingetrokken|alle")
			filter := c.fs.String("filter", "", t(c.lang, "tekst in FQDN, Common Name, e-mail of organisatie", "text in FQDN, Common Name, e-mail or organisation"))
			sortBy := c.fs.String("sort", "notafter", t(c.lang, "kolom, met :desc voor aflopend: ", "column, with :desc for descending: ")+columnNames())
			csvFile := c.fs.String("csv", "", t(c.lang, "schrijf het overzicht als .csv naar dit bestand (- is de standaarduitvoer); een symbolische link wordt gevolgd", "write the overview as .csv to this file (- is standard output); a symbolic link is followed"))
			sep := c.fs.String("csv-separator", ";", t(c.lang, "scheidingsteken in de .csv", "separator in the .csv"))
			return func(ctx context.Context) int {
				if err := c.refuseEmpty("kind", "status", "sort", "csv"); err != nil {
					return c.fail(err)
				}
				q, err := buildQuery(*kind, *status, *filter, *sortBy)
				if err != nil {
					return c.fail(err)
				}
				if r := []rune(*sep); len(r) != 1 || !inventory.IsSeparator(r[0]) {
					return c.fail(i18n.E("cli.separator", nil))
				}
				if *csvFile != "" {
					// Refuse a device, a FIFO or the database itself before
					// the database is even opened.
					if _, err := c.checkOutput(*csvFile); err != nil {
						return c.fail(i18n.E("err.csv_write", err))
					}
				}
				// Listing reads only; a CSV export is journalled, so it needs
				// a database it may write to.
				access := store.ReadOnly
				if *csvFile != "" {
					access = store.OpenExisting
				}
				a, err := c.open(ctx, access, true)
				if err != nil && *csvFile != "" && errors.Is(err, fs.ErrPermission) {
					return c.fail(i18n.E("cli.export_needs_write", err))
				}
				if err != nil {
					return c.fail(err)
				}
				v := a.Inventory.Query(q)
				damage := a.Damage
				damaged := a.Inventory.Damaged()
				code := 0
				if *csvFile != "" {
					opt := inventory.CSVOptions{Lang: c.lang, Separator: []rune(*sep)[0]}
					write := func(w io.Writer) error { return a.ExportCSV(ctx, w, v, opt) }
					var toStdout bool
					if toStdout, err = c.writeOutput(*csvFile, write); err == nil && !toStdout {
						c.out("%s\n", i18n.T(c.lang, "list.csv_saved", len(v.Rows), *csvFile))
					}
					a.Close()
					if err != nil && !i18n.Is(err, "err.csv_write") {
						err = i18n.E("err.csv_write", err)
					}
					if err != nil {
						return c.fail(err)
					}
				} else {
					// The rows are in memory: release the database before
					// writing, which may wait on a slow reader.
					a.Release()
					c.printTable(v)
					c.out("%s\n", i18n.T(c.lang, "list.count", len(v.Rows)))
				}
				if c.reportDamage(damage, damaged, len(v.Rows)) {
					code = 2
				}
				return code
			}
		},
	}
}

// reportDamage tells on stderr what could not be read; true when anything
// was left out, so that the command does not end as if all was well.
func (c *call) reportDamage(damage error, damaged []store.Damage, shown int) bool {
	c.damageSaid = true // said here, not again by runCommand
	if len(damaged) > 0 {
		c.warn(store.DamagedRecords(damaged))
	}
	if damage != nil {
		c.warn(damage)
		fmt.Fprintf(c.env.Stderr, "%s\n", i18n.T(c.lang, "db.readable", shown))
		fmt.Fprintf(c.env.Stderr, "%s\n", i18n.Localize(c.lang, app.RestoreHint(c.dbPath())))
	}
	return damage != nil || len(damaged) > 0
}

func columnNames() string {
	names := make([]string, len(inventory.Columns))
	for i, col := range inventory.Columns {
		names[i] = string(col)
	}
	return strings.Join(names, ", ")
}

func buildQuery(kind, status, filter, sortBy string) (inventory.Query, error) {
	k, err := inventory.ParseKind(kind)
	if err != nil {
		return inventory.Query{}, err
	}
	st, err := inventory.ParseStatusFilter(status)
	if err != nil {
		return inventory.Query{}, err
	}
	col, desc, err := inventory.ParseSort(sortBy)
	if err != nil {
		return inventory.Query{}, err
	}
	return inventory.Query{Kind: k, Status: st, Text: filter, Sort: col, Desc: desc}, nil
}

var tableColumns = []inventory.Column{inventory.ColKind, inventory.ColProfile, inventory.ColCN, inventory.ColOIN, inventory.ColNotAfter, inventory.ColStatus, inventory.ColSHA256}

func (c *call) printTable(v inventory.View) {
	bw := bufio.NewWriterSize(c.env.Stdout, 64<<10)
	defer bw.Flush()
	tw := tabwriter.NewWriter(bw, 2, 4, 2, ' ', 0)
	for i, col := range tableColumns {
		if i > 0 {
			fmt.Fprint(tw, "\t")
		}
		fmt.Fprint(tw, i18n.T(c.lang, "col."+string(col)))
	}
	fmt.Fprintln(tw)
	for _, r := range v.Rows {
		for i, col := range tableColumns {
			if i > 0 {
				fmt.Fprint(tw, "\t")
			}
			// Hostile subject names must not steer the terminal.
			fmt.Fprint(tw, cert.Printable(inventory.Cell(r, col, v, c.lang)))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}
