package cli

import (
	"bufio"
	"context"
	"fmt"
	"os"

	"golang.org/x/term"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/store"
	"pkiodesk/smartcard"
)

func tokensCommand() command {
	return command{
		name:    "tokens",
		summary: [2]string{"diagnose van kaartlezers, kaarten en middleware (zonder persoonsgegevens, voor de servicedesk)", "diagnosis of card readers, cards and middleware (no personal data, for the service desk)"},
		setup: func(c *call) func(context.Context) int {
			module := c.fs.String("module", "", t(c.lang, "extra PKCS#11-module om te onderzoeken", "extra PKCS#11 module to examine"))
			return func(ctx context.Context) int {
				configured := c.configuredModules(ctx)
				if *module != "" {
					configured = append([]string{*module}, configured...)
				}
				rep := smartcard.NewManager().Doctor(smartcard.DiscoverOptions{Configured: configured})
				c.out("%s", rep.Text(c.lang))
				return 0
			}
		},
	}
}

// cardFlags are the flags that pick a token and its PIN.
type cardFlags struct {
	module, token *string
	pinFD         *int
}

func addCardFlags(c *call) cardFlags {
	return cardFlags{
		module: c.fs.String("module", "", t(c.lang, "pad van de PKCS#11-module (standaard: de eerste met een token)", "path of the PKCS#11 module (default: the first with a token)")),
		token:  c.fs.String("token", "", t(c.lang, "label van het token (standaard: het enige)", "label of the token (default: the only one)")),
		pinFD:  c.fs.Int("pin-fd", -1, t(c.lang, "lees de PIN van deze bestandsdescriptor (voor scripts)", "read the PIN from this file descriptor (for scripts)")),
	}
}

// configuredModules returns the modules kept in the settings, when a
// database exists (a command that only reads must not create one).
func (c *call) configuredModules(ctx context.Context) []string {
	path, err := store.ResolvePath(*c.db, c.env.Getenv)
	if err != nil {
		return nil
	}
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	a, err := c.openApp(ctx)
	if err != nil {
		return nil
	}
	defer a.Close()
	s, _ := a.Settings(ctx)
	return s.ModulePaths
}

// pickModule returns the chosen module, or the first module (configured
// ones first) that holds a token.
func (c *call) pickModule(ctx context.Context, m *smartcard.Manager, f cardFlags) (string, error) {
	if *f.module != "" {
		return *f.module, nil
	}
	for _, cand := range smartcard.DiscoverModules(smartcard.DiscoverOptions{Configured: c.configuredModules(ctx)}) {
		if ts, err := m.Tokens(cand.Path); err == nil && len(ts) > 0 {
			return cand.Path, nil
		}
	}
	return "", i18n.E("card.no_token", nil)
}

// readPIN reads the PIN from --pin-fd or, without echo, from the terminal.
func (c *call) readPIN(f cardFlags) ([]byte, error) {
	if *f.pinFD >= 0 {
		if c.pinLines == nil {
			file := c.env.ExtraFiles(*f.pinFD)
			if file == nil {
				return nil, fmt.Errorf("--pin-fd %d: %s", *f.pinFD, t(c.lang, "geen open bestand", "not an open file"))
			}
			// One line per PIN: a key that needs the PIN per signature
			// reads the next line.
			c.pinLines = bufio.NewReader(file)
		}
		line, err := c.pinLines.ReadBytes('\n')
		if err != nil && len(line) == 0 {
			return nil, i18n.E("card.pin_empty", nil)
		}
		for len(line) > 0 && (line[len(line)-1] == '\n' || line[len(line)-1] == '\r') {
			line = line[:len(line)-1]
		}
		return line, nil
	}
	in, ok := c.env.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return nil, fmt.Errorf("%s", t(c.lang, "geen terminal voor de PIN: gebruik --pin-fd", "no terminal for the PIN: use --pin-fd"))
	}
	fmt.Fprint(c.env.Stderr, "PIN: ")
	pin, err := term.ReadPassword(int(in.Fd()))
	fmt.Fprintln(c.env.Stderr)
	return pin, err
}

// login reads the token state, shows it, reads the PIN and logs in.
func (c *call) login(ctx context.Context, m *smartcard.Manager, f cardFlags) (*smartcard.Session, error) {
	module, err := c.pickModule(ctx, m, f)
	if err != nil {
		return nil, err
	}
	tok, err := m.Token(module, *f.token)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(c.env.Stderr, "%s %s (%s): %s\n", t(c.lang, "Token", "Token"), cert.Printable(tok.Label), cert.Printable(tok.Model), i18n.T(c.lang, tok.PIN.Message()))
	if tok.PIN.Locked {
		return nil, i18n.E("card.pin_locked", nil)
	}
	pin, err := c.readPIN(f)
	if err != nil {
		return nil, err
	}
	return m.LoginToken(ctx, tok, pin)
}

func loginTestCommand() command {
	return command{
		name:    "login-test",
		summary: [2]string{"log in op de kaart en toon wie is ingelogd", "log in to the card and show who is logged in"},
		usage:   "[--module PAD] [--token LABEL] [--pin-fd N]",
		setup: func(c *call) func(context.Context) int {
			f := addCardFlags(c)
			return func(ctx context.Context) int {
				m := smartcard.NewManager()
				s, err := c.login(ctx, m, f)
				if err != nil {
					return c.fail(err)
				}
				defer s.Close()
				auth, err := s.Pick(smartcard.UsageAuthentication)
				if err != nil {
					return c.fail(err)
				}
				rec := cert.FromX509(auth.Cert)
				c.out("%s: %s\n", t(c.lang, "Ingelogd als", "Logged in as"), cert.Printable(auth.Cert.Subject.String()))
				c.out("  %s: %s\n  serialNumber: %s\n  SHA-256: %s\n", t(c.lang, "Uitgever", "Issuer"), cert.Printable(rec.IssuerCN), cert.Printable(rec.OIN), rec.SHA256)
				if path, err := store.ResolvePath(*c.db, c.env.Getenv); err == nil {
					if _, err := os.Stat(path); err == nil {
						a, err := c.openApp(ctx)
						if err != nil {
							return c.fail(err)
						}
						defer a.Close()
						p, err := a.Identify(ctx, auth.Cert)
						if err != nil {
							c.out("  %s\n", i18n.Localize(c.lang, err))
						} else {
							c.out("  %s: %s (%s)\n", t(c.lang, "Geregistreerd als", "Registered as"), cert.Printable(p.Name), i18n.T(c.lang, "role."+string(p.Role)))
						}
					}
				}
				for _, tc := range s.Certificates() {
					c.out("  - %s: %s\n", tc.Usage, cert.Printable(tc.Cert.Subject.CommonName))
				}
				return 0
			}
		},
	}
}
