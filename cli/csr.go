package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/order"
	"pkiodesk/app/org"
	"pkiodesk/app/store"
)

// stringList is a flag that may be given more than once.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }
func (l *stringList) collects()      {}
func (l *stringList) Set(v string) error {
	*l = append(*l, order.SplitFQDNs(v)...)
	return nil
}

func csrCommand() command {
	return command{
		name:    "csr",
		summary: [2]string{"controleer een CSR tegen de bestelling en het profiel (csr lint)", "check a CSR against the order and the profile (csr lint)"},
		usage:   "lint FILE.csr [--fqdn F ...] [--profile P] [--org NAAM --oin OIN --kvk KVK]",
		setup: func(c *call) func(context.Context) int {
			var fqdns stringList
			c.fs.Var(&fqdns, "fqdn", t(c.lang, "aangevraagde FQDN (herhaal voor meer)", "requested FQDN (repeat for more)"))
			profile := c.fs.String("profile", string(order.LintPKIoG4), t(c.lang, "profiel: ", "profile: ")+profileNames())
			orgName := c.fs.String("org", "", t(c.lang, "organisatienaam (standaard: uit de database)", "organisation name (default: from the database)"))
			oin := c.fs.String("oin", "", t(c.lang, "OIN (standaard: uit de database)", "OIN (default: from the database)"))
			kvk := c.fs.String("kvk", "", t(c.lang, "KvK-nummer (standaard: uit de database)", "KvK number (default: from the database)"))
			return func(ctx context.Context) int {
				if len(c.args) != 2 || c.args[0] != "lint" {
					return c.fail(fmt.Errorf("%s", t(c.lang, "gebruik: pkiodesk csr lint FILE.csr", "usage: pkiodesk csr lint FILE.csr")))
				}
				prof, err := order.ParseLintProfile(*profile)
				if err != nil {
					return c.fail(err)
				}
				data, err := inventory.ReadFile(c.args[1], order.MaxCSRSize)
				if err != nil {
					return c.fail(err)
				}
				csr, err := order.ParseCSR(data)
				if err != nil {
					return c.fail(err)
				}
				in := order.LintInput{Profile: prof}
				if len(fqdns) > 0 {
					for _, f := range fqdns {
						if err := order.ValidateFQDN(strings.TrimPrefix(strings.ToLower(f), "*."), order.ProductPKIoPrivate); err != nil {
							return c.fail(err)
						}
					}
					in.FQDNs = fqdns
				}
				// Any of --org, --oin, --kvk checks the subject: what is not
				// given comes from the database, or stays empty and fails.
				if o, ok := c.organisation(ctx); ok || *orgName != "" || *oin != "" || *kvk != "" {
					if *orgName != "" {
						o.Name = *orgName
					}
					if *oin != "" {
						o.OIN = *oin
					}
					if *kvk != "" {
						o.KvK = *kvk
					}
					in.Org = &o
				}
				findings := order.Lint(csr, in)
				errs := 0
				for _, f := range findings {
					c.out("%s\n", f.Text(c.lang))
					if f.Severity == order.SeverityError {
						errs++
					}
				}
				if len(findings) == 0 {
					c.out("%s\n", i18n.T(c.lang, "csr.ok"))
				} else {
					c.out("%s\n", i18n.T(c.lang, "csr.summary", errs, len(findings)-errs))
				}
				if errs > 0 {
					return 1
				}
				return 0
			}
		},
	}
}

func profileNames() string {
	var names []string
	for _, p := range order.LintProfiles {
		names = append(names, string(p))
	}
	return strings.Join(names, ", ")
}

// organisation reads the subscriber from the database, when one exists (a
// command that only reads must not create one).
func (c *call) organisation(ctx context.Context) (org.Organisation, bool) {
	path, err := store.ResolvePath(*c.db, c.env.Getenv)
	if err != nil {
		return org.Organisation{}, false
	}
	if _, err := os.Stat(path); err != nil {
		return org.Organisation{}, false
	}
	a, err := c.openApp(ctx)
	if err != nil {
		return org.Organisation{}, false
	}
	defer a.Close()
	o, found, err := a.Store.Organisation(ctx)
	return o, err == nil && found
}
