package cli

import (
	"context"
	"fmt"
	"os"
	"sort"
	"text/tabwriter"

	"golang.org/x/term"

	"pkiodesk/app"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/store"
	"pkiodesk/app/trust"
)

func revocationCommand() command {
	return command{
		name:    "revocation",
		summary: [2]string{"intrekking controleren bij de CA's (refresh) of tonen wat bekend is (status)", "check revocation with the CAs (refresh) or show what is known (status)"},
		usage:   "refresh [--timeout 20s] | status [--all]",
		setup: func(c *call) func(context.Context) int {
			timeout := c.fs.Duration("timeout", trust.DefaultTimeout, t(c.lang, "maximale duur van één verzoek aan een CA", "longest time one request to a CA may take"))
			all := c.fs.Bool("all", false, t(c.lang, "status: ook verlopen en ingetrokken certificaten", "status: also expired and revoked certificates"))
			return func(ctx context.Context) int {
				if len(c.args) != 1 || (c.args[0] != "refresh" && c.args[0] != "status") {
					return c.fail(fmt.Errorf("%s", t(c.lang, "gebruik: pkiodesk revocation refresh|status", "usage: pkiodesk revocation refresh|status")))
				}
				if *timeout <= 0 {
					return c.fail(fmt.Errorf("--timeout: %s", t(c.lang, "moet positief zijn", "must be positive")))
				}
				// Never a new database: a mistyped --db is an error, not
				// "0 certificaten". The status only reads.
				access := store.OpenExisting
				if c.args[0] == "status" {
					access = store.ReadOnly
				}
				a, err := c.openWith(ctx, app.Config{Access: access, HTTP: trust.NewHTTPClient(*timeout)})
				if err != nil {
					return c.fail(err)
				}
				defer a.Close()
				if c.args[0] == "status" {
					return c.revocationStatus(a, *all)
				}
				return c.revocationRefresh(ctx, a)
			}
		},
	}
}

// revocationRefresh asks the CAs about every certificate and says what
// changed. Exit 1 when the state of any certificate is unknown, so that
// monitoring never reads "unknown" as "fine".
func (c *call) revocationRefresh(ctx context.Context, a *app.App) int {
	var progress func(done, total int)
	if f, ok := c.env.Stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		progress = func(done, total int) {
			fmt.Fprintf(c.env.Stderr, "\r%s", i18n.T(c.lang, "rev.progress", done, total))
			if done == total {
				fmt.Fprintln(c.env.Stderr)
			}
		}
	}
	rep, err := a.RefreshRevocation(ctx, progress)
	if err != nil {
		return c.fail(err)
	}
	tw := tabwriter.NewWriter(c.env.Stdout, 2, 4, 2, ' ', 0)
	for _, r := range rep.RevokedCerts {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", i18n.T(c.lang, "status.revoked"), c.certName(a, r.SHA256),
			i18n.T(c.lang, "trust.state.revoked", r.At.Local().Format("2006-01-02"), trust.ReasonText(c.lang, r.Reason.String())))
	}
	shas := make([]string, 0, len(rep.Problems))
	for sha := range rep.Problems {
		shas = append(shas, sha)
	}
	sort.Strings(shas)
	for _, sha := range shas {
		st := a.Trust.Known(sha)
		fmt.Fprintf(tw, "%s\t%s\t%s\n", st.Text(c.lang), c.certName(a, sha), cert.Printable(i18n.Localize(c.lang, rep.Problems[sha])))
	}
	tw.Flush()
	c.out("%s\n", i18n.T(c.lang, "rev.summary", rep.Total, rep.Good, rep.Revoked, rep.Unknown, rep.NoSource))
	if rep.Unknown > 0 {
		fmt.Fprintf(c.env.Stderr, "pkiodesk: %s\n", i18n.T(c.lang, "rev.unknown_exit", rep.Unknown))
		return 1
	}
	return 0
}

// revocationStatus lists what is known, without asking anyone. Exit 1
// when a valid certificate's state is unknown or unchecked.
func (c *call) revocationStatus(a *app.App, all bool) int {
	q := inventory.Query{Status: inventory.FilterValid, Sort: inventory.ColCN}
	if all {
		q.Status = inventory.FilterAll
	}
	v := a.Inventory.Query(q)
	tw := tabwriter.NewWriter(c.env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", i18n.T(c.lang, "col.cn"), i18n.T(c.lang, "col.status"), t(c.lang, "Intrekking", "Revocation"), t(c.lang, "Bron, actueel tot", "Source, current until"))
	unknown := 0
	for _, r := range v.Rows {
		st := a.Trust.Known(r.SHA256)
		if r.Status(v.Now) == cert.StatusValid && (st.State == trust.StateUnknown || st.State == trust.StateUnchecked) {
			unknown++
		}
		source := st.Source
		if !st.NextUpdate.IsZero() {
			source += ", " + st.NextUpdate.Local().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", cert.Printable(r.CommonName), cert.Printable(inventory.Cell(r, inventory.ColStatus, v, c.lang)), st.Text(c.lang), cert.Printable(source))
	}
	tw.Flush()
	c.out("%s\n", i18n.T(c.lang, "list.count", len(v.Rows)))
	if unknown > 0 {
		fmt.Fprintf(c.env.Stderr, "pkiodesk: %s\n", i18n.T(c.lang, "rev.unknown_exit", unknown))
		return 1
	}
	return 0
}

func (c *call) certName(a *app.App, sha string) string {
	if r, ok := a.Inventory.Get(sha); ok {
		return cert.Printable(r.CommonName)
	}
	return sha[:min(16, len(sha))]
}
