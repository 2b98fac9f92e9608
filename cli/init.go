package cli

import (
	"context"

	"pkiodesk/app/i18n"
	"pkiodesk/app/store"
)

func initCommand() command {
	return command{
		name:    "init",
		summary: [2]string{"maak een nieuwe, lege database (de enige opdracht die dat doet)", "make a new, empty database (the only command that does)"},
		usage:   "[--db PAD]",
		usageEN: "[--db PATH]",
		setup: func(c *call) func(context.Context) int {
			return func(ctx context.Context) int {
				a, err := c.open(ctx, store.CreateNew, false)
				if err != nil {
					return c.fail(err)
				}
				path := a.Store.Path()
				if err := a.Close(); err != nil {
					return c.fail(i18n.E("err.db_write", err))
				}
				c.out("%s\n", i18n.T(c.lang, "db.created", path))
				return 0
			}
		},
	}
}
