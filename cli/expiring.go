package cli

import (
	"context"
	"strconv"

	"pkiodesk/app/i18n"
)

func expiringCommand() command {
	return command{
		name:    "expiring",
		summary: [2]string{"geldige certificaten die binnenkort verlopen (exit 1 als er zijn, voor monitoring)", "valid certificates expiring soon (exit 1 when there are any, for monitoring)"},
		usage:   "--days N",
		setup: func(c *call) func(context.Context) int {
			days := c.fs.String("days", "30", t(c.lang, "aantal dagen vooruit", "number of days ahead"))
			return func(ctx context.Context) int {
				n, err := strconv.Atoi(*days)
				if err != nil || n < 0 {
					return c.fail(i18n.E("err.days_invalid", nil))
				}
				a, err := c.openApp(ctx)
				if err != nil {
					return c.fail(err)
				}
				defer a.Close()
				v := a.Inventory.Expiring(n)
				if len(v.Rows) == 0 {
					c.out("%s\n", i18n.T(c.lang, "expiring.none", n))
					return 0
				}
				c.printTable(v)
				c.out("%s\n", i18n.T(c.lang, "expiring.some", len(v.Rows), n))
				return 1
			}
		},
	}
}
