package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"
	"strings"

	"golang.org/x/term"

	"pkiodesk/app"
	"pkiodesk/app/cert"
	"pkiodesk/app/files"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/store"
)

// importMemoryLimit is the heap size the collector aims below during an
// import (a soft limit: it is exceeded rather than stop). Measured on the
// 100,000-certificate import (docs/BENCHMARKS.md): at 200 MiB the runtime
// kept handing pages back to the system and faulting them in again (a
// tenth of the time in madvise and page faults; 4.6 s, 225 MB resident);
// at 240 MiB 3.8 s and about 267 MB, within the 300 MB goal.
const importMemoryLimit = 240 << 20

func importCommand() command {
	return command{
		name:    "import",
		summary: [2]string{"certificaten importeren (PEM, DER, PKCS#7, PKCS#12; bestanden of mappen) en CRL's", "import certificates (PEM, DER, PKCS#7, PKCS#12; files or folders) and CRLs"},
		usage:   "[--p12-password-file BESTAND] [--foreign skip|keep] BESTAND|MAP...",
		usageEN: "[--p12-password-file FILE] [--foreign skip|keep] FILE|FOLDER...",
		setup: func(c *call) func(context.Context) int {
			pwFile := c.fs.String("p12-password-file", "", t(c.lang, "bestand met het PKCS#12-wachtwoord", "file holding the PKCS#12 password"))
			foreign := c.fs.String("foreign", "skip", t(c.lang, "certificaten van een andere organisatie: skip (overslaan) of keep (toch bewaren)", "certificates of another organisation: skip or keep"))
			return func(ctx context.Context) int {
				if len(c.args) == 0 {
					return c.fail(i18n.E("cli.no_files", nil))
				}
				if err := c.refuseEmpty("p12-password-file", "foreign"); err != nil {
					return c.fail(err)
				}
				keepForeign, err := parseForeign(*foreign)
				if err != nil {
					return c.fail(err)
				}
				opt := inventory.ImportOptions{Compact: true}
				if *pwFile != "" {
					pw, err := readSecret(ctx, *pwFile)
					if err != nil {
						return c.fail(err)
					}
					opt.P12Password = pw
				}
				// An import of any size stays in bounded memory by design;
				// the limit makes the collector keep a large import's heap
				// near what is live instead of letting it double.
				defer debug.SetMemoryLimit(debug.SetMemoryLimit(importMemoryLimit))
				inputs, skipped := inventory.ExpandPaths(c.args, []string{".crl"})
				a, err := c.open(ctx, store.OpenExisting, false)
				if err != nil {
					return c.fail(err)
				}
				own, err := a.ImportOptions(ctx, keepForeign)
				if err != nil {
					a.Close()
					return c.fail(err)
				}
				opt.Owner, opt.KeepForeign = own.Owner, own.KeepForeign
				rep, err := a.Import(ctx, inputs, opt)
				if err != nil {
					a.Close()
					return c.fail(err)
				}
				if *pwFile == "" && ctx.Err() == nil && needsPassword(rep) {
					if pw, ok := c.promptPassword(); ok {
						retry := retryInputs(inputs, rep)
						opt.P12Password = pw
						rep2, err := a.Import(ctx, retry, opt)
						if err != nil {
							a.Close()
							return c.fail(err)
						}
						rep = mergeRetry(rep, rep2)
					}
				}
				// Stored: a signal from here on ends nothing half-way; what
				// follows is quick, and the report must say what landed.
				c.landed = true
				ctx = context.WithoutCancel(ctx)
				// CRL files (for a workstation without a route to the CA) go
				// to the trust store: the certificate import names them.
				rep, crls, err := importCRLs(ctx, a, rep)
				if err != nil {
					a.Close()
					return c.fail(err)
				}
				matches, linkErr := a.LinkImported(ctx, rep)
				// Stored: release the database before the report, whose
				// reader may be slow or gone.
				a.Close()
				rep.Skipped = skipped
				c.printReport(rep, *pwFile)
				crlRejected := c.printCRLs(crls)
				for _, m := range matches {
					c.out("%s\n", m.Text(c.lang))
				}
				if linkErr != nil {
					return c.fail(linkErr)
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

// importCRLs takes the files the certificate import found to hold only a
// CRL out of its report and imports them into the trust store.
func importCRLs(ctx context.Context, a *app.App, rep inventory.Report) (inventory.Report, []app.CRLImport, error) {
	var crls []inventory.Input
	kept := rep.Rejected[:0]
	for _, r := range rep.Rejected {
		if !i18n.Is(r.Err, "err.only_crl") {
			kept = append(kept, r)
			continue
		}
		data, err := inventory.ReadFile(r.Source, cert.MaxFileSize)
		crls = append(crls, inventory.Input{Name: r.Source, Data: data, Err: err})
	}
	if len(crls) == 0 {
		return rep, nil, nil
	}
	rep.Rejected = kept
	rep.Counts.Rejected = len(kept)
	_, done, err := a.ImportCRLs(ctx, crls)
	return rep, done, err
}

// readSecret reads a password from a file or a pipe (`<(pass show x)`),
// at most 4 KiB; the first line counts. Ctrl-C ends a wait for a writer.
func readSecret(ctx context.Context, path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", i18n.E("err.file_read", err)
	}
	if !fi.Mode().IsRegular() && fi.Mode()&fs.ModeNamedPipe == 0 {
		return "", i18n.E("err.file_read", files.NotRegular(path, fi.Mode()))
	}
	type result struct {
		line string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		// A FIFO (a shell's <(…)) is opened waiting for its writer: opened
		// at once, it reads as empty until the writer comes. Ctrl-C ends
		// the wait below.
		flags := os.O_RDONLY
		if fi.Mode().IsRegular() {
			flags |= files.NoWait
		}
		f, err := os.OpenFile(path, flags, 0)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer f.Close()
		line, err := bufio.NewReader(io.LimitReader(f, 4096)).ReadString('\n')
		if err == io.EOF {
			err = nil
		}
		done <- result{strings.TrimRight(line, "\r\n"), err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return "", i18n.E("err.file_read", r.err)
		}
		if r.line == "" {
			return "", i18n.E("cli.password_file_empty", nil, path)
		}
		return r.line, nil
	case <-ctx.Done():
		return "", i18n.E("err.context_canceled", ctx.Err())
	}
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
	first.Lines = append(first.Lines, retry.Lines...)
	first.Notices = append(first.Notices, retry.Notices...)
	first.Foreign = append(first.Foreign, retry.Foreign...)
	first.Counts.Added += retry.Counts.Added
	first.Counts.Issuers += retry.Counts.Issuers
	first.Counts.Duplicates += retry.Counts.Duplicates
	first.Counts.Rejected = len(first.Rejected)
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

func (c *call) printReport(rep inventory.Report, pwFile string) {
	w := bufio.NewWriterSize(c.env.Stdout, 64<<10)
	defer w.Flush()
	line := func(label, text string) { fmt.Fprintf(w, "%s  %s\n", label, text) }
	for _, outcome := range []inventory.Outcome{inventory.OutcomeAdded, inventory.OutcomeIssuer, inventory.OutcomeDuplicate} {
		for _, x := range rep.Lines {
			if x.Outcome != outcome {
				continue
			}
			switch outcome {
			case inventory.OutcomeAdded:
				line(i18n.T(c.lang, "import.added"), i18n.T(c.lang, "kind."+string(x.Kind))+"  "+cert.Printable(x.Name)+" ("+cert.Printable(x.Source)+")")
			case inventory.OutcomeIssuer:
				fmt.Fprintf(w, "%s\n", i18n.T(c.lang, "window.stored_as_issuer", cert.Printable(x.Name)))
			default:
				line(i18n.T(c.lang, "import.dup"), cert.Printable(x.Name))
			}
		}
	}
	for _, n := range rep.Notices {
		line(i18n.T(c.lang, "import.notice"), cert.Printable(n.Source)+": "+i18n.Localize(c.lang, n.Note))
	}
	for _, s := range rep.Skipped {
		line(i18n.T(c.lang, "import.skipped"), cert.Printable(s.Path)+": "+i18n.Localize(c.lang, s.Reason))
	}
	if len(rep.Foreign) > 0 {
		w.Flush()
		printForeign(c, rep)
	}
	for _, r := range rep.Rejected {
		err := r.Err
		if i18n.Is(err, "err.p12_password") {
			// Say what the user can do here, not what the window would.
			if pwFile != "" {
				err = i18n.E("err.p12_password_file", nil, pwFile)
			} else {
				err = i18n.E("err.p12_password_needed", nil)
			}
		}
		line(i18n.T(c.lang, "import.rejected"), cert.Printable(r.Source)+": "+i18n.Localize(c.lang, err))
	}
	fmt.Fprintf(w, "%s\n", i18n.T(c.lang, "import.totals", rep.Counts.Added, rep.Counts.Duplicates, rep.Counts.Rejected, i18n.T(c.lang, "n.issuers", rep.Counts.Issuers)))
}
