package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"

	"pkiodesk/app"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
)

func importCommand() command {
	return command{
		name:    "import",
		summary: [2]string{"certificaten importeren (PEM, DER, PKCS#7, PKCS#12) en CRL's", "import certificates (PEM, DER, PKCS#7, PKCS#12) and CRLs"},
		usage:   "[--p12-password-file F] [--foreign skip|keep] FILE...",
		setup: func(c *call) func(context.Context) int {
			pwFile := c.fs.String("p12-password-file", "", t(c.lang, "bestand met het PKIoverheid PKCS#12-wachtwoord", "file holding the PKCS#12 password"))
			foreign := c.fs.String("foreign", "skip", t(c.lang, "certificaten van een andere organisatie: skip (overslaan) of keep (toch bewaren)", "certificates of another organisation: skip or keep"))
			return func(ctx context.Context) int {
				if len(c.args) == 0 {
					return c.fail(fmt.Errorf("%s", t(c.lang, "geen bestanden opgegeven", "no files given")))
				}
				keepForeign, err := parseForeign(*foreign)
				if err != nil {
					return c.fail(err)
				}
				var opt inventory.ImportOptions
				if *pwFile != "" {
					pw, err := os.ReadFile(*pwFile)
					if err != nil {
						return c.fail(i18n.E("err.file_read", err))
					}
					opt.P12Password = strings.TrimRight(string(pw), "\r\n")
				}
				a, err := c.openApp(ctx)
				if err != nil {
					return c.fail(err)
				}
				defer a.Close()
				own, err := a.ImportOptions(ctx, keepForeign)
				if err != nil {
					return c.fail(err)
				}
				opt.Owner, opt.KeepForeign = own.Owner, own.KeepForeign
				inputs := inventory.ReadFiles(c.args)
				// CRL files (for a workstation without a route to the CA)
				// go to the trust store; the rest is certificates.
				inputs, crls, err := a.ImportCRLs(ctx, inputs)
				if err != nil {
					return c.fail(err)
				}
				crlRejected := c.printCRLs(crls)
				if len(inputs) == 0 {
					return crlRejected
				}
				rep, err := a.Import(ctx, inputs, opt)
				if err != nil {
					return c.fail(err)
				}
				if *pwFile == "" && needsPassword(rep) {
					if pw, ok := c.promptPassword(); ok {
						retry := retryInputs(inputs, rep)
						opt.P12Password = pw
						rep2, err := a.Import(ctx, retry, opt)
						if err != nil {
							return c.fail(err)
						}
						rep = mergeRetry(rep, rep2)
					}
				}
				c.printReport(rep)
				if err := c.linkImported(ctx, a, rep); err != nil {
					return c.fail(err)
				}
				if len(rep.Rejected) > 0 {
					return 1
				}
				return crlRejected
			}
		},
	}
}

// printCRLs reports the CRL files of an import; 1 when one was refused.
func (c *call) printCRLs(crls []app.CRLImport) int {
	code, ok := 0, 0
	for _, cr := range crls {
		c.out("%s: %s\n", cert.Printable(cr.Name), app.CRLImportText(cr, c.lang))
		if cr.Err != nil {
			code = 1
		} else {
			ok++
		}
	}
	if len(crls) > 0 {
		c.out("%s\n", i18n.T(c.lang, "trust.crl_summary", ok, len(crls)-ok))
	}
	return code
}

func needsPassword(rep inventory.Report) bool {
	for _, r := range rep.Rejected {
		if i18n.Is(r.Err, "err.p12_password") {
			return true
		}
	}
	return false
}

func retryInputs(inputs []inventory.Input, rep inventory.Report) []inventory.Input {
	var out []inventory.Input
	for _, r := range rep.Rejected {
		if !i18n.Is(r.Err, "err.p12_password") {
			continue
		}
		for _, in := range inputs {
			if in.Name == r.Source {
				out = append(out, in)
			}
		}
	}
	return out
}

func mergeRetry(first, retry inventory.Report) inventory.Report {
	var rejected []inventory.Rejection
	for _, r := range first.Rejected {
		if !i18n.Is(r.Err, "err.p12_password") {
			rejected = append(rejected, r)
		}
	}
	first.Rejected = append(rejected, retry.Rejected...)
	first.Added = append(first.Added, retry.Added...)
	first.Issuers = append(first.Issuers, retry.Issuers...)
	first.Duplicates = append(first.Duplicates, retry.Duplicates...)
	first.Foreign = append(first.Foreign, retry.Foreign...)
	return first
}

// promptPassword asks for a PKCS#12 password on the terminal, without echo.
func (c *call) promptPassword() (string, bool) {
	f, ok := c.env.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", false
	}
	fmt.Fprint(c.env.Stderr, t(c.lang, "PKCS#12-wachtwoord: ", "PKCS#12 password: "))
	pw, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(c.env.Stderr)
	if err != nil {
		return "", false
	}
	return string(pw), true
}

func (c *call) printReport(rep inventory.Report) {
	for _, x := range rep.Added {
		c.out("%s  %s  %s (%s)\n", i18n.T(c.lang, "import.added"), i18n.T(c.lang, "kind."+string(x.Kind)), cert.Printable(x.CommonName), cert.Printable(x.Source))
	}
	for _, x := range rep.Issuers {
		c.out("%s\n", i18n.T(c.lang, "window.stored_as_issuer", cert.Printable(x.CommonName)))
	}
	printForeign(c, rep)
	for _, x := range rep.Duplicates {
		c.out("%s  %s\n", i18n.T(c.lang, "import.dup"), cert.Printable(x.CommonName))
	}
	for _, r := range rep.Rejected {
		c.out("%s  %s: %s\n", i18n.T(c.lang, "import.rejected"), cert.Printable(r.Source), i18n.Localize(c.lang, r.Err))
	}
	c.out("%s\n", i18n.T(c.lang, "import.summary", len(rep.Added), len(rep.Duplicates), len(rep.Rejected), len(rep.Issuers)))
}
