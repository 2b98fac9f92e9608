package cli

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/files"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/pdfseal"
	"pkiodesk/smartcard"
)

// maxPDFSize bounds the PDFs seal and verify-pdf read.
const maxPDFSize = 64 << 20

func sealCommand() command {
	return command{
		name:    "seal",
		summary: [2]string{i18n.T(i18n.NL, "pdf.cli.seal_summary"), i18n.T(i18n.EN, "pdf.cli.seal_summary")},
		usage:   "IN.pdf (--out OUT.pdf | --in-place) (--module PAD [--token LABEL] [--serial S] [--slot N] [--key-label L] [--pin-fd N] | --key KEY.pem --cert CERT.pem [--chain CHAIN.pem])",
		setup: func(c *call) func(context.Context) int {
			tr := func(key string) string { return i18n.T(c.lang, key) }
			out := c.fs.String("out", "", tr("pdf.cli.flag_out"))
			inPlace := c.fs.Bool("in-place", false, tr("pdf.cli.flag_in_place"))
			f := addCardFlags(c)
			keyLabel := c.fs.String("key-label", "", tr("pdf.cli.flag_key_label"))
			keyFile := c.fs.String("key", "", tr("pdf.cli.flag_key"))
			certFile := c.fs.String("cert", "", tr("pdf.cli.flag_cert"))
			chainFile := c.fs.String("chain", "", tr("pdf.cli.flag_chain"))
			visible := c.fs.Bool("visible", true, tr("pdf.cli.flag_visible"))
			pss := c.fs.Bool("pss", false, tr("pdf.cli.flag_pss"))
			return func(ctx context.Context) int {
				if len(c.args) != 1 || *out == "" && !*inPlace {
					return c.fail(i18n.E("pdf.err.args_seal", nil))
				}
				inPath := c.args[0]
				target, err := sealTarget(inPath, *out, *inPlace)
				if err != nil {
					return c.fail(err)
				}
				// Never over the database, nor over what standard output
				// goes to: a PDF goes to a file of its own.
				if toStdout, err := c.checkOutput(target); err != nil {
					return c.fail(err)
				} else if toStdout {
					return c.fail(i18n.E("pdf.err.out_stdout", nil))
				}
				in, mode, err := readPDF(inPath)
				if err != nil {
					return c.fail(err)
				}
				var signer crypto.Signer
				var chain []*x509.Certificate
				if *keyFile != "" {
					var pssOnly bool
					if signer, chain, pssOnly, err = softwareKey(*keyFile, *certFile, *chainFile); err != nil {
						return c.fail(err)
					}
					*pss = *pss || pssOnly
				} else {
					m := smartcard.NewManager()
					s, err := c.login(ctx, m, f)
					if err != nil {
						return c.cardFail(err)
					}
					defer s.Close()
					tc, err := s.Pick(smartcard.UsageSignature)
					if *keyLabel != "" {
						tc, err = s.ByKeyLabel(*keyLabel)
					}
					if err != nil {
						return c.fail(err)
					}
					var extra []*x509.Certificate
					if *chainFile != "" {
						if extra, err = readCerts(*chainFile); err != nil {
							return c.fail(err)
						}
					}
					cs := s.Signer(tc, extra...)
					if s.NeedsPINPerSignature(tc) {
						fmt.Fprintln(c.env.Stderr, tr("pdf.cli.pin_per_signature"))
						cs = cs.WithPINPrompt(ctx, c.pinPrompt(f))
					}
					signer, chain = cs, cs.Chain
				}
				if _, isRSA := signer.Public().(*rsa.PublicKey); *pss && !isRSA {
					return c.fail(i18n.E("card.pss_rsa_only", nil, "EC"))
				}
				sealed, err := pdfseal.Seal(ctx, in, pdfseal.SealOptions{Signer: signer, Chain: chain, Time: c.env.Now(), Visible: *visible, RSAPSS: *pss, Reason: "pkiodesk"})
				if err != nil {
					return c.fail(err)
				}
				if err := writePDF(target, sealed, mode); err != nil {
					return c.fail(err)
				}
				c.out("%s\n", i18n.T(c.lang, "pdf.cli.sealed", target, cert.Printable(chain[0].Subject.CommonName)))
				return 0
			}
		},
	}
}

// sealTarget decides where the sealed PDF goes: never over the input
// unless asked, and only into a folder that exists.
func sealTarget(in, out string, inPlace bool) (string, error) {
	if inPlace && out == "" {
		out = in
	}
	same := out == in
	if a, err := filepath.Abs(in); err == nil {
		if b, err := filepath.Abs(out); err == nil && a == b {
			same = true
		}
	}
	si, err1 := os.Stat(in)
	so, err2 := os.Stat(out)
	if err1 == nil && err2 == nil && os.SameFile(si, so) {
		same = true
	}
	if same != inPlace {
		if inPlace {
			return "", i18n.E("pdf.err.args_seal", nil)
		}
		return "", i18n.E("pdf.err.out_is_in", nil)
	}
	dir := filepath.Dir(out)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return "", i18n.E("pdf.err.out_dir", nil, dir)
	}
	// Checked before anything is signed (a card asks for its PIN): a
	// FIFO, a device, a folder or a link to nothing is never replaced.
	if _, _, err := files.OutputTarget(out); err != nil {
		return "", err
	}
	return out, nil
}

// readPDF reads a PDF of at most maxPDFSize bytes, with its file mode.
func readPDF(path string) ([]byte, fs.FileMode, error) {
	// A regular file only: a FIFO would wait for a writer, a folder or a
	// device is named for what it is.
	f, st, err := files.OpenRegular(path)
	if err != nil {
		return nil, 0, i18n.E("pdf.err.read", unwrapPath(err), path)
	}
	defer f.Close()
	if st.Size() > maxPDFSize {
		return nil, 0, i18n.E("pdf.err.too_large", nil, maxPDFSize>>20)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxPDFSize+1))
	if err != nil {
		return nil, 0, i18n.E("pdf.err.read", unwrapPath(err), path)
	}
	if len(data) > maxPDFSize {
		return nil, 0, i18n.E("pdf.err.too_large", nil, maxPDFSize>>20)
	}
	return data, st.Mode().Perm(), nil
}

// unwrapPath drops the path from an *fs.PathError: the message names it.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// writePDF writes all of a PDF or nothing (files.WriteReplacing: a
// temporary file in the same folder, synced, renamed over the target; a
// symbolic link is followed and stays). A new file gets the input's mode.
func writePDF(path string, data []byte, mode fs.FileMode) error {
	err := files.WriteReplacing(path, mode|0o600, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	if err != nil {
		return i18n.E("pdf.err.write", unwrapPath(err), path)
	}
	return nil
}

func verifyPDFCommand() command {
	return command{
		name:    "verify-pdf",
		summary: [2]string{i18n.T(i18n.NL, "pdf.cli.verify_summary"), i18n.T(i18n.EN, "pdf.cli.verify_summary")},
		usage:   "FILE.pdf [--roots ROOTS.pem] [--intermediates CAS.pem]",
		setup: func(c *call) func(context.Context) int {
			tr := func(key string, args ...any) string { return i18n.T(c.lang, key, args...) }
			rootsFile := c.fs.String("roots", "", tr("pdf.cli.flag_roots"))
			interFile := c.fs.String("intermediates", "", tr("pdf.cli.flag_intermediate"))
			return func(ctx context.Context) int {
				if len(c.args) != 1 {
					return c.fail(i18n.E("pdf.err.args_verify", nil))
				}
				data, _, err := readPDF(c.args[0])
				if err != nil {
					return c.fail(err)
				}
				opt := pdfseal.VerifyOptions{Now: c.env.Now}
				// The trust store decides by default; --roots overrides it.
				ts, closeTrust, err := c.trustStore(ctx)
				if err != nil {
					return c.fail(err)
				}
				defer closeTrust()
				if opt.Roots, opt.Intermediates, err = ts.Pools(ctx); err != nil {
					return c.fail(err)
				}
				if *rootsFile != "" {
					if opt.Roots, err = certPool(*rootsFile); err != nil {
						return c.fail(err)
					}
				}
				if *interFile != "" {
					extra, err := readCerts(*interFile)
					if err != nil {
						return c.fail(err)
					}
					for _, x := range extra {
						opt.Intermediates.AddCert(x)
					}
				}
				rep, err := pdfseal.Verify(ctx, data, opt)
				if errors.Is(err, pdfseal.ErrNoSignatures) {
					c.out("%s\n", tr("pdf.cli.no_signatures"))
					return 1
				}
				if err != nil {
					return c.fail(err)
				}
				c.addRevocation(ctx, ts, &rep)
				printReport(c, rep)
				if rep.OK() {
					c.out("%s\n", tr("pdf.cli.result_ok"))
					return 0
				}
				c.out("%s\n", tr("pdf.cli.result_bad"))
				return 1
			}
		},
	}
}

func printReport(c *call, rep pdfseal.Report) {
	tr := func(key string, args ...any) string { return i18n.T(c.lang, key, args...) }
	yes := func(b bool) string { return i18n.T(c.lang, map[bool]string{true: "word.yes", false: "word.no"}[b]) }
	for i, s := range rep.Signatures {
		who := "?"
		if s.Signer != nil {
			who = cert.Printable(s.Signer.Subject.String())
		}
		c.out("%s\n", tr("pdf.cli.signature", i+1, who))
		c.out("  %s: %s\n", tr("pdf.cli.field"), cert.Printable(s.Field))
		typ := cert.Printable(s.SubFilter)
		if s.Digest != 0 {
			typ += " (" + s.Digest.String() + ")"
		}
		c.out("  %s: %s\n", tr("pdf.cli.type"), typ)
		if s.Revision >= 0 {
			c.out("  %s: %s\n", tr("pdf.cli.revision"), tr("pdf.cli.revision_of", s.Revision+1, rep.Revisions))
		}
		if !s.ClaimedTime.IsZero() {
			c.out("  %s: %s\n", tr("pdf.cli.claimed_time"), s.ClaimedTime.Format(time.RFC3339))
		}
		c.out("  %s: %s (%s)\n", tr("pdf.cli.checked_at"), s.ValidationTime.Format(time.RFC3339), tr("pdf.cli.time_now"))
		c.out("  %s: %s\n", tr("pdf.cli.intact"), yes(s.Intact))
		c.out("  %s: %s\n", tr("pdf.cli.covers"), yes(s.CoversWholeDocument))
		if s.Certification > 0 {
			c.out("  %s: %s\n", tr("pdf.cli.certification"), tr(fmt.Sprintf("pdf.cli.mdp%d", s.Certification)))
		}
		if s.Trusted != nil {
			c.out("  %s: %s\n", tr("pdf.cli.trusted"), yes(*s.Trusted))
		} else {
			c.out("  %s: %s\n", tr("pdf.cli.trusted"), tr("pdf.cli.trust_unchecked"))
		}
		for _, p := range s.Problems {
			c.out("  ! %s\n", cert.PrintableMax(p.Text(c.lang), 300))
		}
		for _, p := range s.Notes {
			if p.Code != "validated_now" { // shown as "Checked at" above
				c.out("  i %s\n", cert.PrintableMax(p.Text(c.lang), 300))
			}
		}
	}
	if len(rep.Problems) > 0 {
		c.out("%s\n", tr("pdf.cli.document"))
		for _, p := range rep.Problems {
			c.out("  ! %s\n", cert.PrintableMax(p.Text(c.lang), 300))
		}
	}
}

func certPool(path string) (*x509.CertPool, error) {
	certs, err := readCerts(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool, nil
}

func readCerts(path string) ([]*x509.Certificate, error) {
	data, err := inventory.ReadFile(path, cert.MaxFileSize)
	if err != nil {
		return nil, err
	}
	d, err := cert.Decode(data, "")
	if err != nil {
		return nil, err
	}
	return d.Certs, nil
}

var oidRSASSAPSS = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}

// parsePrivateKey reads PKCS#8 (also an RSA key marked RSASSA-PSS only,
// which crypto/x509 does not read; pssOnly says so), PKCS#1 and SEC 1 EC
// keys.
func parsePrivateKey(der []byte) (key any, pssOnly bool, err error) {
	if key, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return key, false, nil
	}
	var p8 struct {
		Version    int
		Algorithm  pkix.AlgorithmIdentifier
		PrivateKey []byte
		Attributes asn1.RawValue `asn1:"optional,tag:0"`
		PublicKey  asn1.RawValue `asn1:"optional,tag:1"`
	}
	if rest, err := asn1.Unmarshal(der, &p8); err == nil && len(rest) == 0 && p8.Algorithm.Algorithm.Equal(oidRSASSAPSS) {
		key, err := x509.ParsePKCS1PrivateKey(p8.PrivateKey)
		return key, true, err
	}
	if key, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return key, false, nil
	}
	key, err = x509.ParseECPrivateKey(der)
	return key, false, err
}

// softwareKey reads a private key, its certificate and the issuers. The
// sealer checks that the certificate belongs to the key.
func softwareKey(keyFile, certFile, chainFile string) (crypto.Signer, []*x509.Certificate, bool, error) {
	data, err := inventory.ReadFile(keyFile, 1<<20)
	if err != nil {
		return nil, nil, false, err
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, nil, false, i18n.E("pdf.err.key_no_pem", nil, keyFile)
	}
	key, pssOnly, err := parsePrivateKey(block.Bytes)
	if err != nil {
		return nil, nil, false, i18n.E("pdf.err.key_read", errors.New(cert.Printable(block.Type)), keyFile)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, nil, false, i18n.E("pdf.err.key_cannot_sign", nil, keyFile)
	}
	if certFile == "" {
		return nil, nil, false, i18n.E("pdf.err.cert_required", nil)
	}
	chain, err := readCerts(certFile)
	if err != nil {
		return nil, nil, false, err
	}
	if chainFile != "" {
		more, err := readCerts(chainFile)
		if err != nil {
			return nil, nil, false, err
		}
		chain = append(chain, more...)
	}
	return signer, chain, pssOnly, nil
}
