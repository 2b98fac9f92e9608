package cli

import (
	"context"
	"strings"

	"pkiodesk/app/store"
)

func settingsCommand() command {
	return command{
		name:    "settings",
		summary: [2]string{"toon of wijzig de instellingen (eigen PKCS#11-modules, taal, uitgaande map)", "show or change the settings (own PKCS#11 modules, language, outbox folder)"},
		usage:   "[--add-module PAD] [--remove-module PAD] [--lang nl|en|auto] [--outbox MAP]",
		usageEN: "[--add-module PATH] [--remove-module PATH] [--lang nl|en|auto] [--outbox FOLDER]",
		setup: func(c *call) func(context.Context) int {
			add := c.fs.String("add-module", "", t(c.lang, "onthoud deze PKCS#11-module", "remember this PKCS#11 module"))
			remove := c.fs.String("remove-module", "", t(c.lang, "vergeet deze PKCS#11-module", "forget this PKCS#11 module"))
			lang := c.fs.String("lang", "", t(c.lang, "taal van pkiodesk: nl, en of auto (volgt de locale)", "pkiodesk's language: nl, en or auto (follows the locale)"))
			outbox := c.fs.String("outbox", "", t(c.lang, "uitgaande map voor geplaatste bestellingen (volledig pad; 'standaard' voor de map naast de database)", "outbox folder for placed orders (full path; 'default' for the folder beside the database)"))
			return func(ctx context.Context) int {
				if err := c.refuseEmpty("add-module", "remove-module", "lang", "outbox"); err != nil {
					return c.fail(err)
				}
				access := store.ReadOnly
				if c.set["add-module"] || c.set["remove-module"] || c.set["lang"] || c.set["outbox"] {
					access = store.OpenExisting
				}
				a, err := c.open(ctx, access, false)
				if err != nil {
					return c.fail(err)
				}
				defer a.Close()
				if *add != "" {
					if err := a.AddModulePath(ctx, *add); err != nil {
						return c.fail(err)
					}
				}
				if *remove != "" {
					if err := a.RemoveModulePath(ctx, *remove); err != nil {
						return c.fail(err)
					}
				}
				if *lang != "" {
					l := strings.ToLower(*lang)
					if l == "auto" {
						l = ""
					}
					if err := a.SetLanguage(ctx, l); err != nil {
						return c.fail(err)
					}
					// The new choice applies at once, to this output too.
					c.lang = a.Language(ctx, c.env.Getenv)
				}
				if err := c.setOutbox(ctx, a, *outbox); err != nil {
					return c.fail(err)
				}
				s, err := a.Settings(ctx)
				if err != nil {
					return c.fail(err)
				}
				language := s.Language
				if language == "" {
					language = "auto"
				}
				c.out("%s: %s\n", t(c.lang, "Taal", "Language"), language)
				c.out("%s:\n", t(c.lang, "Eigen PKCS#11-modules", "Own PKCS#11 modules"))
				for _, m := range s.ModulePaths {
					c.out("  %s\n", m)
				}
				c.printOutbox(ctx, a)
				return 0
			}
		},
	}
}
