package cli

import (
	"context"
	"strconv"
	"strings"

	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/store"
)

func expiringCommand() command {
	return command{
		name:    "expiring",
		summary: [2]string{"geldige certificaten die binnenkort verlopen (exit 1 als er zijn, voor monitoring)", "valid certificates expiring soon (exit 1 when there are any, for monitoring)"},
		usage:   "--days N",
		setup: func(c *call) func(context.Context) int {
			days := c.fs.String("days", "30", t(c.lang, "aantal dagen vooruit (1 tot en met 36500)", "number of days ahead (1 to 36500)"))
			return func(ctx context.Context) int {
				n, err := strconv.Atoi(strings.TrimSpace(*days))
				// 0 days would look at nothing: a certificate that ends in an
				// hour is still valid now, and "geen" would be a lie.
				if err != nil || n < 1 || n > inventory.MaxDays {
					return c.fail(i18n.E("cli.days_range", nil, *days, inventory.MaxDays))
				}
				a, err := c.open(ctx, store.ReadOnly, true)
				if err != nil {
					return c.fail(err)
				}
				v := a.Inventory.Expiring(n)
				damage, damaged := a.Damage, a.Inventory.Damaged()
				a.Release()
				code := 0
				if len(v.Rows) == 0 {
					c.out("%s\n", i18n.T(c.lang, "expiring.nothing", i18n.T(c.lang, "n.days", n)))
				} else {
					c.printTable(v)
					c.out("%s\n", i18n.T(c.lang, "expiring.found", len(v.Rows), i18n.T(c.lang, "n.days", n)))
					code = 1
				}
				// Monitoring must not read "none" when records could not be read.
				if c.reportDamage(damage, damaged, len(v.Rows)) {
					code = 2
				}
				return code
			}
		},
	}
}
