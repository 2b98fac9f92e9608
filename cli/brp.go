package cli

import (
	"bufio"
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"pkiodesk/app"
	"pkiodesk/app/brp"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/smartcard"
)

func brpCommand() command {
	return command{
		name:    "brp",
		summary: [2]string{"BRP-aansluitingen: afnemers, hun PKIo-certificaat controleren, gateway-export en verbindingstest", "BRP connections: afnemers, checking their PKIo certificate, gateway export and connection test"},
		usage:   "add|list|check|export|test|remove [opties]",
		group: func() []command {
			return []command{brpAddCommand(), brpListCommand(), takesArgs(brpCheckCommand(), 1), takesArgs(brpExportCommand(), 1), takesArgs(brpTestCommand(), 1), takesArgs(brpRemoveCommand(), 1)}
		},
	}
}

// openBRP opens the core and its afnemer register.
func (c *call) openBRP(ctx context.Context) (*app.App, *brp.Register, error) {
	return c.openBRPWith(ctx, c.openApp)
}

// openBRPWith opens them with open (openToRead for a verb that only reads).
func (c *call) openBRPWith(ctx context.Context, open func(context.Context) (*app.App, error)) (*app.App, *brp.Register, error) {
	a, err := open(ctx)
	if err != nil {
		return nil, nil, err
	}
	reg, err := a.BRPRegister()
	if err != nil {
		a.Close()
		return nil, nil, err
	}
	return a, reg, nil
}

// splitList reads "a,b" and repeated flags alike.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) collects()      {}
func (l *listFlag) Set(v string) error {
	for p := range strings.SplitSeq(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

func brpAddCommand() command {
	return command{
		name:    "add",
		summary: [2]string{"voeg een afnemer toe aan het register (of wijzig met --replace)", "add an afnemer to the register (or change one with --replace)"},
		usage:   "--afnemer ID --name NAAM --oin OIN [--gemeentecode C] --host H[,H] [--endpoint brp,brp-berichten] [--cert SHA256] [--key PKCS11-URI|BESTAND] [--client-id ID [--secret-fd N|--ask-secret]] [--berichtenbox NR] [--tap NAAM]",
		setup: func(c *call) func(context.Context) int {
			var a brp.Afnemer
			var hosts, endpoints listFlag
			c.fs.StringVar(&a.ID, "afnemer", "", t(c.lang, "AfnemerID (6 cijfers, het autorisatiebesluitnummer)", "AfnemerID (6 digits, the authorisation decision number)"))
			c.fs.StringVar(&a.Name, "name", "", t(c.lang, "naam van de afnemer", "name of the afnemer"))
			c.fs.StringVar(&a.OIN, "oin", "", t(c.lang, "OIN van de afnemer (20 tekens)", "OIN of the afnemer (20 characters)"))
			c.fs.StringVar(&a.Gemeentecode, "gemeentecode", "", t(c.lang, "gemeentecode (4 cijfers)", "municipality code (4 digits)"))
			c.fs.StringVar(&a.Berichtenbox, "berichtenbox", "", t(c.lang, "berichtenboxnummer", "berichtenboxnummer"))
			c.fs.Var(&hosts, "host", t(c.lang, "hostnaam van de API-gateway (meerdere: komma's of herhalen)", "host name of the API gateway (several: commas or repeat)"))
			c.fs.Var(&endpoints, "endpoint", t(c.lang, "endpoints: brp, brp-berichten, brp-lap, brp-berichten-lap (standaard brp)", "endpoints: brp, brp-berichten, brp-lap, brp-berichten-lap (default brp)"))
			certRef := c.fs.String("cert", "", t(c.lang, "SHA-256 (of de eerste 8+ tekens) van het servercertificaat in de inventaris", "SHA-256 (or its first 8+ characters) of the server certificate in the inventory"))
			c.fs.StringVar(&a.Key, "key", "", t(c.lang, "waar de sleutel staat: pkcs11:token=...;object=... of een sleutelbestand", "where the key is: pkcs11:token=...;object=... or a key file"))
			c.fs.StringVar(&a.ClientID, "client-id", "", t(c.lang, "OAuth client id", "OAuth client id"))
			c.fs.StringVar(&a.TAP, "tap", "", t(c.lang, "technische aansluitpartij die voor deze afnemer optreedt", "technical connecting party acting for this afnemer"))
			secretFD := c.fs.Int("secret-fd", -1, t(c.lang, "lees het client secret van deze bestandsdescriptor en bewaar het in de sleutelbos", "read the client secret from this file descriptor and keep it in the keyring"))
			askSecret := c.fs.Bool("ask-secret", false, t(c.lang, "vraag het client secret (zonder echo) en bewaar het in de sleutelbos", "ask for the client secret (no echo) and keep it in the keyring"))
			replace := c.fs.Bool("replace", false, t(c.lang, "vervang een afnemer met dezelfde AfnemerID", "replace an afnemer with the same AfnemerID"))
			return func(ctx context.Context) int {
				a.Hosts = hosts
				for _, e := range endpoints {
					a.Endpoints = append(a.Endpoints, brp.Endpoint(e))
				}
				if len(a.Endpoints) == 0 {
					a.Endpoints = []brp.Endpoint{brp.EndpointBRP}
				}
				core, reg, err := c.openBRP(ctx)
				if err != nil {
					return c.fail(err)
				}
				defer core.Close()
				if *certRef != "" {
					if a.CertSHA256, err = findCertificate(ctx, core, *certRef); err != nil {
						return c.fail(err)
					}
				}
				a.Secret = brp.SecretAsk
				if err := a.Validate(); err != nil {
					return c.fail(err)
				}
				if !*replace {
					if _, err := reg.Get(ctx, a.ID); err == nil {
						return c.fail(i18n.E("brp.err.exists", nil, a.ID))
					}
				}
				if *secretFD >= 0 || *askSecret {
					secret, err := c.readSecret(*secretFD)
					if err != nil {
						return c.fail(err)
					}
					err = brp.Secrets{Store: brp.Keyring{}}.Save(ctx, &a, secret)
					wipeBytes(secret)
					if err != nil {
						fmt.Fprintf(c.env.Stderr, "pkiodesk: %s\n", i18n.Localize(c.lang, err))
					}
				}
				put := reg.Add
				if *replace {
					put = reg.Put
				}
				saved, err := put(ctx, a)
				if err != nil {
					return c.fail(err)
				}
				c.out("%s\n", fmt.Sprintf(t(c.lang, "Afnemer %s (%s) opgeslagen; scope %s.", "Afnemer %s (%s) saved; scope %s."), saved.ID, cert.Printable(saved.Name), saved.Scope()))
				all, err := reg.List(ctx)
				if err == nil {
					for _, o := range brp.SharingCertificate(all, saved, saved.CertSHA256) {
						c.out("%s\n", fmt.Sprintf(t(c.lang, "Let op: afnemer %s gebruikt hetzelfde certificaat; RvIG eist een eigen certificaat per afnemer.", "Note: afnemer %s uses the same certificate; RvIG requires a certificate of its own per afnemer."), o.ID))
					}
				}
				return 0
			}
		},
	}
}

// findCertificate resolves a full SHA-256 or a unique prefix of one.
func findCertificate(ctx context.Context, core *app.App, ref string) (string, error) {
	ref = strings.ToLower(strings.TrimSpace(ref))
	if len(ref) == 64 {
		if _, err := core.Store.DER(ctx, ref); err != nil {
			return "", err
		}
		return ref, nil
	}
	if len(ref) < 8 {
		return "", i18n.E("brp.err.cert_sha256", nil, cert.Printable(ref))
	}
	certs, err := core.Store.Certificates(ctx)
	if err != nil {
		return "", err
	}
	var found []string
	for _, c := range certs {
		if strings.HasPrefix(c.SHA256, ref) {
			found = append(found, c.SHA256)
		}
	}
	switch len(found) {
	case 0:
		return "", i18n.E("err.cert_not_found", nil, cert.Printable(ref))
	case 1:
		return found[0], nil
	default:
		return "", i18n.E("brp.err.cert_ambiguous", nil, cert.Printable(ref), len(found))
	}
}

// readSecret reads the client secret from a file descriptor (one line) or,
// without echo, from the terminal.
func (c *call) readSecret(fd int) ([]byte, error) {
	if fd >= 0 {
		file := c.env.ExtraFiles(fd)
		if file == nil {
			return nil, fmt.Errorf("--secret-fd %d: %s", fd, t(c.lang, "geen open bestand", "not an open file"))
		}
		line, err := bufio.NewReader(file).ReadBytes('\n')
		if err != nil && len(line) == 0 {
			return nil, i18n.E("brp.secret.empty", nil)
		}
		line = []byte(strings.TrimRight(string(line), "\r\n"))
		if len(line) == 0 {
			return nil, i18n.E("brp.secret.empty", nil)
		}
		return line, nil
	}
	in, ok := c.env.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return nil, fmt.Errorf("%s", t(c.lang, "geen terminal voor het client secret: gebruik --secret-fd", "no terminal for the client secret: use --secret-fd"))
	}
	fmt.Fprint(c.env.Stderr, "Client secret: ")
	secret, err := term.ReadPassword(int(in.Fd()))
	fmt.Fprintln(c.env.Stderr)
	if err == nil && len(secret) == 0 {
		return nil, i18n.E("brp.secret.empty", nil)
	}
	return secret, err
}

func wipeBytes(b []byte) {
	for i := range b {
		b[i] = 0
	}
}

func brpListCommand() command {
	return command{
		name:    "list",
		summary: [2]string{"toon het afnemerregister", "show the afnemer register"},
		setup: func(c *call) func(context.Context) int {
			return func(ctx context.Context) int {
				core, reg, err := c.openBRPWith(ctx, c.openToRead)
				if err != nil {
					return c.fail(err)
				}
				defer core.Close()
				all, err := reg.List(ctx)
				if err != nil {
					return c.fail(err)
				}
				w := tabwriter.NewWriter(c.env.Stdout, 0, 0, 2, ' ', 0)
				fmt.Fprintln(w, t(c.lang, "AfnemerID\tNaam\tOIN\tGemeente\tHostnamen\tCertificaat\tGeldig tot\tSecret", "AfnemerID\tName\tOIN\tMunicipality\tHost names\tCertificate\tValid until\tSecret"))
				for _, a := range all {
					cn, until := "-", "-"
					if rec, ok := core.Inventory.Get(a.CertSHA256); ok {
						cn, until = cert.Printable(rec.CommonName), rec.NotAfter.Format("2006-01-02")
					}
					secret := t(c.lang, "vragen", "ask")
					if a.Secret == brp.SecretKeyring {
						secret = t(c.lang, "sleutelbos", "keyring")
					}
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, cert.Printable(a.Name), a.OIN, orDash(a.Gemeentecode), strings.Join(a.Hosts, ","), cn, until, secret)
				}
				w.Flush()
				c.out("%s\n", i18n.T(c.lang, "n.afnemers", len(all)))
				return 0
			}
		},
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// statusLabel is the fixed-width label of a check line.
func statusLabel(l i18n.Lang, s brp.Status) string {
	labels := [...]string{"[OK]    ", "[LET OP]", "[FOUT]  "}
	if l == i18n.EN {
		labels = [...]string{"[OK]  ", "[WARN]", "[FAIL]"}
	}
	return labels[s]
}

// selectAfnemers returns the afnemer named in the arguments, or all.
func (c *call) selectAfnemers(ctx context.Context, reg *brp.Register) ([]brp.Afnemer, []brp.Afnemer, error) {
	all, err := reg.List(ctx)
	if err != nil {
		return nil, nil, err
	}
	switch len(c.args) {
	case 0:
		return all, all, nil
	case 1:
		a, err := reg.Get(ctx, c.args[0])
		if err != nil {
			return nil, nil, err
		}
		return []brp.Afnemer{a}, all, nil
	default:
		return nil, nil, fmt.Errorf("%s", t(c.lang, "geef hoogstens één AfnemerID", "give at most one AfnemerID"))
	}
}

func brpCheckCommand() command {
	return command{
		name:    "check",
		summary: [2]string{"controleer het PKIo-certificaat van elke afnemer vóór RvIG dat doet (exit 1 bij een fout)", "check each afnemer's PKIo certificate before RvIG does (exit 1 on a failure)"},
		usage:   "[AFNEMERID] [--offline]",
		setup: func(c *call) func(context.Context) int {
			offline := c.fs.Bool("offline", false, t(c.lang, "vraag geen intrekkingsstatus op (CRL/OCSP)", "do not fetch revocation status (CRL/OCSP)"))
			return func(ctx context.Context) int {
				core, reg, err := c.openBRP(ctx)
				if err != nil {
					return c.fail(err)
				}
				defer core.Close()
				chosen, all, err := c.selectAfnemers(ctx, reg)
				if err != nil {
					return c.fail(err)
				}
				checker, err := core.BRPChecker(ctx, *offline)
				if err != nil {
					return c.fail(err)
				}
				failed, warned := 0, 0
				for _, a := range chosen {
					rep := checker.Check(ctx, a, all)
					c.out("%s %s — %s (OIN %s)\n", t(c.lang, "Afnemer", "Afnemer"), a.ID, cert.Printable(a.Name), a.OIN)
					for _, r := range rep.Results {
						c.out("  %s %s: %s\n", statusLabel(c.lang, r.Status), r.Name(c.lang), r.Reason(c.lang))
					}
					switch rep.Worst() {
					case brp.Fail:
						failed++
					case brp.Warn:
						warned++
					}
				}
				c.out("%s: %s\n", i18n.T(c.lang, "n.afnemers", len(chosen)), fmt.Sprintf(t(c.lang, "%d in orde, %d met waarschuwingen, %d met fouten", "%d ok, %d with warnings, %d failing"),
					len(chosen)-failed-warned, warned, failed))
				if failed > 0 {
					return 1
				}
				return 0
			}
		},
	}
}

func brpExportCommand() command {
	return command{
		name:    "export",
		summary: [2]string{"gateway-configuratie (scope, claims, verwijzingen naar certificaat en sleutel) als JSON of YAML, met de keten als PEM", "gateway configuration (scope, claims, references to certificate and key) as JSON or YAML, with the chain as PEM"},
		usage:   "[AFNEMERID] --format json|yaml [--out MAP]",
		setup: func(c *call) func(context.Context) int {
			format := c.fs.String("format", "json", "json|yaml")
			outDir := c.fs.String("out", "", t(c.lang, "schrijf de configuratie en de PEM-ketens naar deze map (anders: configuratie naar stdout)", "write the configuration and the PEM chains to this folder (else: configuration to stdout)"))
			return func(ctx context.Context) int {
				if *format != "json" && *format != "yaml" {
					return c.fail(i18n.E("brp.err.format", nil, cert.Printable(*format)))
				}
				core, reg, err := c.openBRP(ctx)
				if err != nil {
					return c.fail(err)
				}
				defer core.Close()
				chosen, _, err := c.selectAfnemers(ctx, reg)
				if err != nil {
					return c.fail(err)
				}
				checker, err := core.BRPChecker(ctx, true)
				if err != nil {
					return c.fail(err)
				}
				ex, err := brp.BuildExport(ctx, chosen, checker)
				if err != nil {
					return c.fail(err)
				}
				if *outDir != "" {
					written, err := ex.Write(*outDir, *format, app.OwnFiles(core.Store.Path())...)
					for _, path := range written {
						c.out("%s %s\n", t(c.lang, "Geschreven:", "Written:"), path)
					}
					if err != nil {
						return c.fail(err)
					}
					return 0
				}
				data, err := ex.Config.JSON()
				if *format == "yaml" {
					data, err = ex.Config.YAML()
				}
				if err != nil {
					return c.fail(err)
				}
				c.env.Stdout.Write(data)
				return 0
			}
		},
	}
}

func brpRemoveCommand() command {
	return command{
		name:    "remove",
		summary: [2]string{"haal een afnemer uit het register (en zijn secret uit de sleutelbos)", "remove an afnemer from the register (and its secret from the keyring)"},
		usage:   "AFNEMERID",
		setup: func(c *call) func(context.Context) int {
			return func(ctx context.Context) int {
				if len(c.args) != 1 {
					return c.fail(fmt.Errorf("%s", t(c.lang, "geef één AfnemerID", "give one AfnemerID")))
				}
				core, reg, err := c.openBRP(ctx)
				if err != nil {
					return c.fail(err)
				}
				defer core.Close()
				a, err := reg.Get(ctx, c.args[0])
				if err != nil {
					return c.fail(err)
				}
				if err := reg.Remove(ctx, a.ID); err != nil {
					return c.fail(err)
				}
				kctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				defer cancel()
				if err := (brp.Secrets{Store: brp.Keyring{}}).Forget(kctx, a); err != nil {
					fmt.Fprintf(c.env.Stderr, "pkiodesk: %s\n", i18n.Localize(c.lang, err))
				}
				c.out("%s\n", fmt.Sprintf(t(c.lang, "Afnemer %s verwijderd.", "Afnemer %s removed."), a.ID))
				return 0
			}
		},
	}
}

func brpTestCommand() command {
	return command{
		name:    "test",
		summary: [2]string{"test de verbinding: mTLS-handshake met de sleutel van het certificaat, daarna desgewenst een OAuth-token", "test the connection: mTLS handshake with the certificate's key, then optionally an OAuth token"},
		usage:   "AFNEMERID --url URL [--token-url URL] [--module PAD --token LABEL --pin-fd N | --key SLEUTEL.pem] [--server-ca CA.pem] [--secret-fd N]",
		setup: func(c *call) func(context.Context) int {
			url := c.fs.String("url", "", t(c.lang, "BRP-endpoint, bijvoorbeeld https://apigw.npr.idm.diginetwerk.net/lap/api/brp/personen", "BRP endpoint, for example https://apigw.npr.idm.diginetwerk.net/lap/api/brp/personen"))
			tokenURL := c.fs.String("token-url", "", t(c.lang, "token-endpoint; zonder deze optie alleen de handshake. Test: ", "token endpoint; without this option only the handshake. Test: ")+brp.TokenURLTest)
			f := addCardFlags(c)
			keyFile := c.fs.String("key", "", t(c.lang, "softwaresleutel (PEM) in plaats van het token", "software key (PEM) instead of the token"))
			serverCA := c.fs.String("server-ca", "", t(c.lang, "CA-certificaten (PEM) die het servercertificaat mogen uitgeven, naast de PKIoverheid-roots", "CA certificates (PEM) that may issue the server certificate, besides the PKIoverheid roots"))
			secretFD := c.fs.Int("secret-fd", -1, t(c.lang, "lees het client secret van deze bestandsdescriptor", "read the client secret from this file descriptor"))
			timeout := c.fs.Duration("timeout", 15*time.Second, t(c.lang, "tijd per stap", "time per step"))
			return func(ctx context.Context) int {
				if len(c.args) != 1 || *url == "" {
					return c.fail(fmt.Errorf("%s", t(c.lang, "geef één AfnemerID en --url", "give one AfnemerID and --url")))
				}
				core, reg, err := c.openBRP(ctx)
				if err != nil {
					return c.fail(err)
				}
				defer core.Close()
				a, err := reg.Get(ctx, c.args[0])
				if err != nil {
					return c.fail(err)
				}
				checker, err := core.BRPChecker(ctx, true)
				if err != nil {
					return c.fail(err)
				}
				rep := checker.Check(ctx, a, nil)
				if rep.Leaf == nil {
					r := rep.Results[0]
					return c.fail(fmt.Errorf("%s", r.Reason(c.lang)))
				}
				chain := checker.ClientChain(ctx, rep)

				ref := brp.KeyRef{}
				if a.Key != "" {
					ref, _ = brp.ParseKeyRef(a.Key)
				}
				if *keyFile != "" {
					ref = brp.KeyRef{File: *keyFile}
				}
				var signer crypto.Signer
				if ref.File != "" {
					if signer, err = brp.ReadKeyFile(ref.File, rep.Leaf); err != nil {
						return c.fail(err)
					}
				} else {
					if *f.module == "" {
						*f.module = ref.Module
					}
					if *f.token == "" {
						*f.token = ref.Token
					}
					m := smartcard.NewManager()
					s, err := c.login(ctx, m, f)
					if err != nil {
						return c.fail(err)
					}
					defer s.Close()
					tc, err := tokenCertificateFor(s, rep.Leaf, ref.Object)
					if err != nil {
						return c.fail(err)
					}
					signer = s.Signer(tc, chain[1:]...)
				}

				var extraCAs []*x509.Certificate
				if *serverCA != "" {
					if extraCAs, err = readCerts(*serverCA); err != nil {
						return c.fail(err)
					}
				}
				roots := checker.ServerRoots(extraCAs)
				secrets := brp.Secrets{Store: brp.Keyring{}, Ask: func(context.Context, brp.Afnemer) ([]byte, error) { return c.readSecret(*secretFD) }}
				if *secretFD >= 0 {
					secrets.Store = nil
				}
				res := brp.TestConnection(ctx, a, brp.TestOptions{
					URL: *url, TokenURL: *tokenURL, Signer: signer, Chain: chain, ServerRoots: roots, Timeout: *timeout,
					Secret: func(ctx context.Context) ([]byte, error) { return secrets.Secret(ctx, a) },
					Progress: func(s brp.Step) {
						if !s.Done {
							fmt.Fprintf(c.env.Stderr, "… %s\n", s.Name(c.lang))
							return
						}
						c.out("  %s %s: %s\n", statusLabel(c.lang, s.Status), s.Name(c.lang), s.Reason(c.lang))
					},
				})
				if tok := res.Token; tok != nil {
					c.out("  Scope: %s\n", tok.Scope)
					if !tok.ClaimsReadable {
						c.out("  %s\n", t(c.lang, "Claims: het token is geen leesbaar JWT", "Claims: the token is not a readable JWT"))
					}
					for _, cl := range tok.Claims {
						c.out("  Claim %s = %s\n", cl.Name, cl.Value)
					}
				}
				if !res.OK() {
					c.out("%s\n", t(c.lang, "Resultaat: verbinding NIET in orde", "Result: connection NOT ok"))
					return 1
				}
				c.out("%s\n", t(c.lang, "Resultaat: verbinding in orde", "Result: connection ok"))
				return 0
			}
		},
	}
}

// tokenCertificateFor finds the afnemer's certificate on the token: the key
// label of the reference when given, else the certificate itself.
func tokenCertificateFor(s *smartcard.Session, leaf *x509.Certificate, keyLabel string) (smartcard.TokenCertificate, error) {
	if keyLabel != "" {
		tc, err := s.ByKeyLabel(keyLabel)
		if err != nil {
			return tc, err
		}
		if !tc.Cert.Equal(leaf) {
			return tc, i18n.E("brp.err.key_other_cert", nil, cert.Printable(keyLabel))
		}
		return tc, nil
	}
	for _, tc := range s.Certificates() {
		if tc.Cert.Equal(leaf) {
			return tc, nil
		}
	}
	return smartcard.TokenCertificate{}, i18n.E("brp.err.cert_not_on_token", nil, cert.Printable(leaf.Subject.CommonName))
}
