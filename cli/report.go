package cli

import (
	"context"
	"fmt"
	"io"

	"pkiodesk/app"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
)

func reportCommand() command {
	return command{
		name:    "report",
		summary: [2]string{"rapportage per persoon: aangevraagde of beheerde certificaten, of als .csv", "report per person: requested or managed certificates, or as .csv"},
		usage:   "--person ID|E-MAIL [--kind server|personal|group|eseal|all] [--status geldig|verlopen|ingetrokken|alle] [--csv BESTAND]",
		setup: func(c *call) func(context.Context) int {
			person := c.fs.String("person", "", t(c.lang, "ID (zie pkiodesk org people) of e-mailadres van de persoon", "ID (see pkiodesk org people) or e-mail address of the person"))
			kind := c.fs.String("kind", "all", t(c.lang, "alleen deze soort certificaten", "only this kind of certificates"))
			status := c.fs.String("status", "all", "valid|expired|revoked|all "+t(c.lang, "of", "or")+" geldig|verlopen|ingetrokken|alle")
			sortBy := c.fs.String("sort", "notafter", t(c.lang, "kolom, met :desc voor aflopend: ", "column, with :desc for descending: ")+columnNames())
			csvFile := c.fs.String("csv", "", t(c.lang, "schrijf de rapportage als .csv naar dit bestand", "write the report as .csv to this file"))
			return func(ctx context.Context) int {
				if *person == "" {
					return c.fail(fmt.Errorf("%s", t(c.lang, "geef de persoon op met --person ID (zie pkiodesk org people)", "name the person with --person ID (see pkiodesk org people)")))
				}
				q, err := buildQuery(*kind, *status, "", *sortBy)
				if err != nil {
					return c.fail(err)
				}
				// Reading only; a CSV export is journalled, so it writes.
				open := c.openToRead
				if *csvFile != "" {
					open = c.openApp
				}
				a, err := open(ctx)
				if err != nil {
					return c.fail(err)
				}
				defer a.Close()
				p, err := a.FindPerson(ctx, *person)
				if err != nil {
					return c.fail(err)
				}
				// Every report the person's role has, of the kind asked for,
				// one after the other, as the window's buttons.
				var all inventory.View
				var parts []app.ReportView
				for _, r := range app.PersonReports(p.Role) {
					if q.Kind != "" && r.Kind != q.Kind {
						continue
					}
					rv, err := a.Report(ctx, p.ID, r, q)
					if err != nil {
						return c.fail(err)
					}
					parts = append(parts, rv)
					all.Rows, all.Now = append(all.Rows, rv.View.Rows...), rv.View.Now
				}
				if len(parts) == 0 {
					return c.fail(i18n.E("report.none_of_kind", nil, p.Name))
				}
				banner := parts[0].Banner(c.lang)
				if *csvFile != "" {
					toStdout, err := c.writeOutput(*csvFile, func(w io.Writer) error {
						return a.ExportCSV(ctx, w, all, inventory.CSVOptions{Lang: c.lang})
					})
					if err != nil {
						return c.fail(i18n.E("err.file_write", err, *csvFile))
					}
					if !toStdout {
						c.out("%s\n%s\n", banner, i18n.T(c.lang, "list.csv_saved", len(all.Rows), *csvFile))
					}
					return 0
				}
				c.out("%s\n", banner)
				for _, rv := range parts {
					c.out("\n%s (%s)\n", rv.Report.Title(c.lang), app.CertCount(c.lang, len(rv.View.Rows)))
					if len(rv.View.Rows) > 0 {
						c.printTable(rv.View)
					}
				}
				return 0
			}
		},
	}
}
