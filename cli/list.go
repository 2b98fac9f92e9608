package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
)

func listCommand() command {
	return command{
		name:    "list",
		summary: [2]string{"overzicht van certificaten, of exporteer het als .csv", "overview of certificates, or export it as .csv"},
		usage:   "[--kind server|personal|group|eseal|all] [--status geldig|verlopen|ingetrokken|alle] [--filter TEKST] [--sort KOLOM[:desc]] [--csv BESTAND]",
		setup: func(c *call) func(context.Context) int {
			kind := c.fs.String("kind", "all", "server|personal|group|eseal|all")
			status := c.fs.String("status", "valid", "valid|expired|revoked|all "+t(c.lang, "of", "or")+" geldig|verlopen|ingetrokken|alle")
			filter := c.fs.String("filter", "", t(c.lang, "tekst in FQDN, Common Name, e-mail of organisatie", "text in FQDN, Common Name, e-mail or organisation"))
			sortBy := c.fs.String("sort", "notafter", t(c.lang, "kolom, met :desc voor aflopend: ", "column, with :desc for descending: ")+columnNames())
			csvFile := c.fs.String("csv", "", t(c.lang, "schrijf het overzicht als .csv naar dit bestand", "write the overview as .csv to this file"))
			sep := c.fs.String("csv-separator", ";", t(c.lang, "scheidingsteken in de .csv", "separator in the .csv"))
			return func(ctx context.Context) int {
				q, err := buildQuery(*kind, *status, *filter, *sortBy)
				if err != nil {
					return c.fail(err)
				}
				if len(c.args) > 0 {
					return c.fail(fmt.Errorf("%s %q", t(c.lang, "onverwacht argument", "unexpected argument"), c.args[0]))
				}
				a, err := c.openApp(ctx)
				if err != nil {
					return c.fail(err)
				}
				defer a.Close()
				v := a.Inventory.Query(q)
				if *csvFile != "" {
					if len(*sep) != 1 {
						return c.fail(fmt.Errorf("%s", t(c.lang, "scheidingsteken moet één teken zijn", "separator must be one character")))
					}
					err := writeFileAtomic(*csvFile, func(w io.Writer) error {
						return a.ExportCSV(ctx, w, v, inventory.CSVOptions{Lang: c.lang, Separator: rune((*sep)[0])})
					})
					if err != nil {
						return c.fail(err)
					}
					c.out("%s\n", i18n.T(c.lang, "list.csv_saved", len(v.Rows), *csvFile))
					return 0
				}
				c.printTable(v)
				c.out("%s\n", i18n.T(c.lang, "list.count", len(v.Rows)))
				return 0
			}
		},
	}
}

func columnNames() string {
	s := ""
	for i, col := range inventory.Columns {
		if i > 0 {
			s += ", "
		}
		s += string(col)
	}
	return s
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
	tw := tabwriter.NewWriter(c.env.Stdout, 2, 4, 2, ' ', 0)
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

// writeFileAtomic writes through a temporary file and renames it, so an
// interrupted export never leaves half a file under the chosen name.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".pkiodesk-*.tmp")
	if err != nil {
		return i18n.E("err.csv_write", err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return i18n.E("err.csv_write", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return i18n.E("err.csv_write", err)
	}
	return nil
}
