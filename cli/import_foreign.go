package cli

import (
	"strings"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
)

// parseForeign reads --foreign: skip (the default) or keep.
func parseForeign(s string) (keep bool, err error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "skip", "overslaan":
		return false, nil
	case "keep", "bewaren":
		return true, nil
	}
	return false, i18n.E("cli.foreign_value", nil, cert.Printable(s))
}

// printForeign names the certificates of another organisation, and what
// happened to them.
func printForeign(c *call, rep inventory.Report) {
	skipped := 0
	for _, f := range rep.Foreign {
		key := "cli.foreign_kept"
		if !f.Kept {
			key = "cli.foreign_skipped"
			skipped++
		}
		c.out("%s\n", i18n.T(c.lang, key, cert.Printable(f.Entry.Cert.CommonName), i18n.Localize(c.lang, f.Reason)))
	}
	if skipped > 0 {
		c.out("%s\n", i18n.N(c.lang, "cli.foreign_hint", skipped, skipped))
	}
}
