package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"unicode"

	"golang.org/x/term"

	"pkiodesk/app"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/store"
	"pkiodesk/app/trust"
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
	module, token, serial *string
	slot                  *string
	pinFD                 *int
}

func addCardFlags(c *call) cardFlags {
	return cardFlags{
		module: c.fs.String("module", "", t(c.lang, "pad van de PKCS#11-module (standaard: de eerste met een token)", "path of the PKCS#11 module (default: the first with a token)")),
		token:  c.fs.String("token", "", t(c.lang, "label van het token (standaard: het enige)", "label of the token (default: the only one)")),
		serial: c.fs.String("serial", "", t(c.lang, "serienummer van het token (als twee tokens één label hebben)", "serial number of the token (when two tokens share a label)")),
		slot:   c.fs.String("slot", "", t(c.lang, "PKCS#11-slot van het token (als twee tokens één label hebben)", "PKCS#11 slot of the token (when two tokens share a label)")),
		pinFD:  c.fs.Int("pin-fd", -1, t(c.lang, "lees de PIN van deze bestandsdescriptor, één PIN per regel (voor scripts)", "read the PIN from this file descriptor, one PIN per line (for scripts)")),
	}
}

// selector turns --token, --serial and --slot into a token choice.
func (f cardFlags) selector() (smartcard.TokenSelector, error) {
	sel := smartcard.TokenSelector{Label: *f.token, Serial: *f.serial}
	if *f.slot != "" {
		n, err := strconv.ParseUint(*f.slot, 10, 64)
		if err != nil {
			return sel, fmt.Errorf("--slot %q: %w", *f.slot, strconv.ErrSyntax)
		}
		slot := uint(n)
		sel.Slot = &slot
	}
	return sel, nil
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
		if cand.Missing {
			continue
		}
		if ts, err := m.Tokens(cand.Path); err == nil && len(ts) > 0 {
			return cand.Path, nil
		}
	}
	return "", i18n.E("card.no_token", nil)
}

// login picks the token and logs in through the PIN guard; the prompt
// shows the token's state first and never runs for a locked token.
func (c *call) login(ctx context.Context, m *smartcard.Manager, f cardFlags) (*smartcard.Session, error) {
	module, err := c.pickModule(ctx, m, f)
	if err != nil {
		return nil, err
	}
	sel, err := f.selector()
	if err != nil {
		return nil, err
	}
	tok, err := m.Select(module, sel)
	if err != nil {
		return nil, err
	}
	return m.LoginToken(ctx, tok, c.pinPrompt(f))
}

// pinPrompt is the CLI's side of the PIN guard: it says what the token
// says (a warning before the prompt, "type on the reader" for a PIN pad,
// both when both hold), then reads the PIN from --pin-fd or the terminal.
func (c *call) pinPrompt(f cardFlags) smartcard.PINPrompt {
	return func(ctx context.Context, req smartcard.PINRequest) ([]byte, error) {
		tok := req.Token
		fmt.Fprintf(c.env.Stderr, "%s %s (%s): %s\n", t(c.lang, "Token", "Token"), cert.Printable(tok.Label), cert.Printable(tok.Model), tok.PIN.Text(c.lang))
		if tok.PIN.PINPad {
			// C_Login waits for the reader's keys; nothing is read here.
			fmt.Fprintf(c.env.Stderr, "%s …\n", sentence(i18n.T(c.lang, "card.state_pinpad")))
			return nil, nil
		}
		limit := 1024
		if tok.MaxPIN > 0 && int(tok.MaxPIN) < limit {
			limit = int(tok.MaxPIN)
		}
		return c.readPIN(ctx, f, limit)
	}
}

// sentence starts a message with a capital, as a line of its own.
func sentence(s string) string {
	r := []rune(s)
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	return string(r)
}

// readPIN reads one PIN: a line from --pin-fd, or from the terminal
// without echo. A PIN longer than limit is refused without keeping it.
func (c *call) readPIN(ctx context.Context, f cardFlags, limit int) ([]byte, error) {
	if *f.pinFD >= 0 {
		return c.readPINFromFD(ctx, *f.pinFD, limit)
	}
	in, ok := c.env.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return nil, i18n.E("card.no_terminal", nil)
	}
	return readPINFromTerminal(ctx, in, c.env.Stderr, limit)
}

// readPINFromFD reads the next line of --pin-fd, a byte at a time: a
// buffered reader would keep PINs, and read ahead into the next one.
func (c *call) readPINFromFD(ctx context.Context, fd, limit int) ([]byte, error) {
	if c.pinFile == nil {
		file := c.env.ExtraFiles(fd)
		if file == nil {
			return nil, i18n.E("card.pin_fd_closed", nil, fd, fd)
		}
		if _, err := file.Stat(); err != nil {
			return nil, i18n.E("card.pin_fd_closed", nil, fd, fd)
		}
		c.pinFile = file
	}
	pin, _, err := readLine(ctx, c.pinFile, limit, nil)
	switch {
	case err != nil && i18n.Is(err, "card.pin_cancelled"), err != nil && i18n.Is(err, "card.pin_too_long"):
		return nil, err
	case err != nil && !errors.Is(err, io.EOF):
		return nil, i18n.E("card.pin_fd_read", err, fd)
	case len(pin) == 0:
		return nil, i18n.E("card.pin_fd_empty", nil, fd)
	}
	return pin, nil
}

// readPINFromTerminal reads a PIN in raw mode: no echo, and Ctrl-C, Ctrl-D
// or Escape stop at once (in cooked mode Ctrl-C would wait for Enter).
// The terminal is restored on every path.
func readPINFromTerminal(ctx context.Context, in *os.File, out io.Writer, limit int) ([]byte, error) {
	fd := int(in.Fd())
	old, err := term.MakeRaw(fd)
	if err != nil {
		return nil, i18n.E("card.no_terminal", err)
	}
	defer term.Restore(fd, old)
	fmt.Fprint(out, "PIN: ")
	defer fmt.Fprint(out, "\r\n")
	pin, _, err := readLine(ctx, in, limit, terminalKeys)
	return pin, err
}

// terminalKeys edits a line typed in raw mode: it returns what to do with
// one byte.
func terminalKeys(b byte) keyAction {
	switch b {
	case 0x03, 0x04, 0x1b: // Ctrl-C, Ctrl-D, Escape
		return keyCancel
	case 0x7f, 0x08:
		return keyErase
	case 0x15: // Ctrl-U
		return keyKill
	}
	if b < 0x20 && b != '\r' && b != '\n' {
		return keyIgnore
	}
	return keyKeep
}

type keyAction int

const (
	keyKeep keyAction = iota
	keyCancel
	keyErase
	keyKill
	keyIgnore
)

// readLine reads up to a newline into a buffer that never grows (growing
// would leave copies of the PIN behind) and is wiped on every failure.
// ended reports end of input before a newline. ctx ends the wait at once.
func readLine(ctx context.Context, r io.Reader, limit int, keys func(byte) keyAction) (pin []byte, ended bool, err error) {
	buf := make([]byte, 0, limit)
	type result struct {
		b   byte
		err error
	}
	// One byte at a time, each read only when the last was handled: no
	// byte of the next line (the next PIN) is taken ahead of time.
	results := make(chan result, 1)
	readOne := func() {
		go func() {
			var one [1]byte
			n, err := r.Read(one[:])
			if n == 1 {
				results <- result{b: one[0]}
				one[0] = 0
				return
			}
			if err == nil {
				err = io.ErrNoProgress
			}
			results <- result{err: err}
		}()
	}
	tooLong := false
	for {
		readOne()
		var res result
		select {
		case <-ctx.Done():
			wipeAll(buf)
			return nil, false, i18n.E("card.pin_cancelled", ctx.Err())
		case res = <-results:
		}
		if res.err != nil {
			if errors.Is(res.err, io.EOF) && !tooLong {
				return buf, true, io.EOF
			}
			wipeAll(buf)
			if tooLong {
				return nil, true, i18n.E("card.pin_too_long", nil, limit)
			}
			return nil, true, res.err
		}
		b := res.b
		action := keyKeep
		if keys != nil {
			action = keys(b)
		}
		switch {
		case action == keyCancel:
			wipeAll(buf)
			return nil, false, i18n.E("card.pin_cancelled", smartcard.ErrPINCancelled)
		case b == '\n' || b == '\r':
			if tooLong {
				wipeAll(buf)
				return nil, false, i18n.E("card.pin_too_long", nil, limit)
			}
			return buf, false, nil
		case action == keyErase:
			if len(buf) > 0 {
				buf[len(buf)-1] = 0
				buf = buf[:len(buf)-1]
			}
		case action == keyKill:
			wipeAll(buf)
			buf = buf[:0]
		case action == keyIgnore:
		case len(buf) < limit:
			buf = append(buf, b)
		default:
			tooLong = true
		}
	}
}

// wipeAll zeroes a PIN buffer up to its capacity: erased keys lie beyond
// its length.
func wipeAll(b []byte) {
	b = b[:cap(b)]
	for i := range b {
		b[i] = 0
	}
}

// cardFail prints a card error; a PIN prompt the user cancelled exits
// with 130, as an interrupted command does.
func (c *call) cardFail(err error) int {
	code := c.fail(err)
	if i18n.Is(err, "card.pin_cancelled") {
		return 130
	}
	return code
}

func loginTestCommand() command {
	return command{
		name:    "login-test",
		summary: [2]string{"log in op de kaart en toon wie is ingelogd", "log in to the card and show who is logged in"},
		usage:   "[--module PAD] [--token LABEL] [--serial S] [--slot N] [--pin-fd N]",
		setup: func(c *call) func(context.Context) int {
			f := addCardFlags(c)
			return func(ctx context.Context) int {
				m := smartcard.NewManager()
				s, err := c.login(ctx, m, f)
				if err != nil {
					c.journalLoginRefused(ctx, err)
					return c.cardFail(err)
				}
				defer s.Close()
				auth, err := s.Pick(smartcard.UsageAuthentication)
				if err != nil {
					return c.fail(err)
				}
				rec := cert.FromX509(auth.Cert)
				c.out("%s: %s\n", t(c.lang, "Ingelogd als", "Logged in as"), cert.Printable(auth.Cert.Subject.String()))
				c.out("  %s: %s\n  serialNumber: %s\n  SHA-256: %s\n", t(c.lang, "Uitgever", "Issuer"), cert.Printable(rec.IssuerCN), cert.Printable(rec.OIN), rec.SHA256)
				code := c.checkLogin(ctx, s, auth)
				for _, tc := range s.Certificates() {
					c.out("  - %s: %s\n", tc.Usage, cert.Printable(tc.Cert.Subject.CommonName))
				}
				return code
			}
		},
	}
}

// journalLoginRefused records a failed card login in the journal of the
// database, when there is one.
func (c *call) journalLoginRefused(ctx context.Context, cause error) {
	path, err := store.ResolvePath(*c.db, c.env.Getenv)
	if err != nil {
		return
	}
	if _, err := os.Stat(path); err != nil {
		return
	}
	if a, err := c.openApp(ctx); err == nil {
		_ = a.LoginRefused(ctx, nil, cause)
		a.Close()
	}
}

// checkLogin runs the login checks on the card's authentication
// certificate as the window does (the card signs a challenge, chain,
// revocation) and, with a database, says who it identifies. 1 when the
// login would be refused.
func (c *call) checkLogin(ctx context.Context, s *smartcard.Session, auth smartcard.TokenCertificate) int {
	var a *app.App
	if path, err := store.ResolvePath(*c.db, c.env.Getenv); err == nil {
		if _, err := os.Stat(path); err == nil {
			if a, err = c.openApp(ctx); err != nil {
				return c.fail(err)
			}
			defer a.Close()
		}
	}
	var check app.LoginCheck
	var err error
	if a != nil {
		if check, err = a.CheckLogin(ctx, auth.Cert, s.Signer(auth)); err != nil {
			_ = a.LoginRefused(ctx, auth.Cert, err)
		}
	} else {
		// Without a database: the bundled PKIoverheid anchors only.
		tr, terr := trust.Open(ctx, trust.Ephemeral(), trust.Options{Now: c.env.Now})
		if terr != nil {
			return c.fail(terr)
		}
		check, err = app.CheckLoginWith(ctx, tr, auth.Cert, s.Signer(auth))
	}
	if err != nil {
		c.out("  %s\n", i18n.Localize(c.lang, err))
		return 1
	}
	c.out("  %s: %s\n", t(c.lang, "Sleutel", "Key"), t(c.lang, "bewezen (de kaart ondertekende een controlevraag)", "proven (the card signed a challenge)"))
	c.out("  %s: %s\n", t(c.lang, "Vertrouwen", "Trust"), check.Chain().Text(c.lang))
	c.out("  %s: %s\n", t(c.lang, "Intrekking", "Revocation"), check.Revocation().Text(c.lang))
	if w := check.Warning(); w != nil {
		c.out("  ! %s\n", i18n.Localize(c.lang, w))
	}
	if a == nil {
		return 0
	}
	p, err := a.LogIn(ctx, check)
	if err != nil {
		c.out("  %s\n", i18n.Localize(c.lang, err))
		return 0
	}
	c.out("  %s: %s (%s)\n", t(c.lang, "Geregistreerd als", "Registered as"), cert.Printable(p.Name), i18n.T(c.lang, "role."+string(p.Role)))
	return 0
}
