package cli

import (
	"context"
	"fmt"

	"pkiodesk/app/i18n"
)

// runGroup runs a sub-verb of a verb with sub-verbs ("pkiodesk brp add"),
// parsing the sub-verb's own flags as Run does for a verb.
func runGroup(ctx context.Context, group command, args []string, env Env, lang i18n.Lang, globalDB *string) int {
	subs := group.group()
	if len(args) == 0 || args[0] == "help" || args[0] == "--help" || args[0] == "-h" {
		w := env.Stdout
		if len(args) == 0 {
			w = env.Stderr
		}
		usage := group.usage
		if lang == i18n.EN {
			usage = englishPlaceholders.Replace(usage)
		}
		fmt.Fprintf(w, "%s: pkiodesk %s %s\n%s\n\n%s\n", t(lang, "Gebruik", "Usage"), group.name, usage,
			t(lang, group.summary[0], group.summary[1]), t(lang, "Subcommando's:", "Subcommands:"))
		for _, sub := range subs {
			fmt.Fprintf(w, "  %-8s %s\n", sub.name, t(lang, sub.summary[0], sub.summary[1]))
		}
		fmt.Fprintf(w, "\n%s\n", fmt.Sprintf(t(lang, "'pkiodesk %s SUBCOMMANDO --help' toont de opties.", "'pkiodesk %s SUBCOMMAND --help' shows the options."), group.name))
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, sub := range subs {
		if sub.name != args[0] {
			continue
		}
		sub.name = group.name + " " + sub.name
		return runCommand(ctx, sub, args[1:], env, lang, globalDB)
	}
	fmt.Fprintf(env.Stderr, "pkiodesk %s: %s\n", group.name, i18n.T(lang, "cli.unknown_subcommand", args[0]))
	return 2
}
