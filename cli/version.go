package cli

import (
	"context"
	"runtime"

	"pkiodesk/app"
)

func versionCommand() command {
	return command{
		name:    "version",
		summary: [2]string{"toon de versie", "show the version"},
		setup: func(c *call) func(context.Context) int {
			return func(context.Context) int {
				c.out("pkiodesk %s (%s, %s/%s)\n", app.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
				return 0
			}
		},
	}
}
