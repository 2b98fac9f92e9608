package cli

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/pdfseal"
	"pkiodesk/smartcard"
)

func sealCommand() command {
	return command{
		name:    "seal",
		summary: [2]string{"verzegel een PDF met de kaart of een softwaresleutel (PAdES)", "seal a PDF with the card or a software key (PAdES)"},
		usage:   "IN.pdf --out OUT.pdf (--module PAD --token LABEL [--key-label L] [--pin-fd N] | --key KEY.pem --cert CERT.pem [--chain CHAIN.pem])",
		setup: func(c *call) func(context.Context) int {
			out := c.fs.String("out", "", t(c.lang, "verzegelde PDF", "sealed PDF"))
			f := addCardFlags(c)
			keyLabel := c.fs.String("key-label", "", t(c.lang, "label van de sleutel op de kaart (standaard: de handtekeningsleutel)", "label of the key on the card (default: the signature key)"))
			keyFile := c.fs.String("key", "", t(c.lang, "privésleutel (PEM)", "private key (PEM)"))
			certFile := c.fs.String("cert", "", t(c.lang, "certificaat bij de sleutel (PEM)", "certificate of the key (PEM)"))
			chainFile := c.fs.String("chain", "", t(c.lang, "uitgevende CA-certificaten (PEM)", "issuing CA certificates (PEM)"))
			visible := c.fs.Bool("visible", true, t(c.lang, "zichtbaar zegel op de laatste pagina", "visible stamp on the last page"))
			pss := c.fs.Bool("pss", false, t(c.lang, "RSA-PSS in plaats van PKCS#1 v1.5", "RSA-PSS instead of PKCS#1 v1.5"))
			return func(ctx context.Context) int {
				if len(c.args) != 1 || *out == "" {
					return c.fail(fmt.Errorf("%s", t(c.lang, "geef één PDF en --out", "give one PDF and --out")))
				}
				in, err := inventory.ReadFile(c.args[0], 64<<20)
				if err != nil {
					return c.fail(err)
				}
				var signer crypto.Signer
				var chain []*x509.Certificate
				if *keyFile != "" {
					if signer, chain, err = softwareKey(*keyFile, *certFile, *chainFile); err != nil {
						return c.fail(err)
					}
				} else {
					m := smartcard.NewManager()
					s, err := c.login(ctx, m, f)
					if err != nil {
						return c.fail(err)
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
						fmt.Fprintln(c.env.Stderr, t(c.lang, "Deze sleutel vraagt de PIN bij elke handtekening.", "This key asks for the PIN for every signature."))
						cs = cs.WithPINPrompt(func() ([]byte, error) { return c.readPIN(f) })
					}
					signer, chain = cs, cs.Chain
				}
				sealed, err := pdfseal.Seal(in, pdfseal.SealOptions{Signer: signer, Chain: chain, Time: c.env.Now(), Visible: *visible, RSAPSS: *pss, Reason: "pkiodesk"})
				if err != nil {
					return c.fail(err)
				}
				if err := writeFileAtomic(*out, func(w io.Writer) error { _, err := w.Write(sealed); return err }); err != nil {
					return c.fail(err)
				}
				c.out("%s %s (%s)\n", t(c.lang, "Verzegeld:", "Sealed:"), *out, cert.Printable(chain[0].Subject.CommonName))
				return 0
			}
		},
	}
}

func verifyPDFCommand() command {
	return command{
		name:    "verify-pdf",
		summary: [2]string{"controleer de zegels en handtekeningen van een PDF", "check the seals and signatures of a PDF"},
		usage:   "FILE.pdf [--roots ROOTS.pem]",
		setup: func(c *call) func(context.Context) int {
			rootsFile := c.fs.String("roots", "", t(c.lang, "vertrouwde rootcertificaten (PEM)", "trusted root certificates (PEM)"))
			return func(ctx context.Context) int {
				if len(c.args) != 1 {
					return c.fail(fmt.Errorf("%s", t(c.lang, "geef één PDF", "give one PDF")))
				}
				data, err := inventory.ReadFile(c.args[0], 64<<20)
				if err != nil {
					return c.fail(err)
				}
				var roots *x509.CertPool
				if *rootsFile != "" {
					certs, err := readCerts(*rootsFile)
					if err != nil {
						return c.fail(err)
					}
					roots = x509.NewCertPool()
					for _, r := range certs {
						roots.AddCert(r)
					}
				}
				rep, err := pdfseal.Verify(data, roots)
				if errors.Is(err, pdfseal.ErrNoSignatures) {
					c.out("%s\n", t(c.lang, "Deze PDF heeft geen handtekeningen.", "This PDF has no signatures."))
					return 1
				}
				if err != nil {
					return c.fail(err)
				}
				yes := func(b bool) string { return i18n.T(c.lang, map[bool]string{true: "word.yes", false: "word.no"}[b]) }
				for i, s := range rep.Signatures {
					who := "?"
					if s.Signer != nil {
						who = cert.Printable(s.Signer.Subject.String())
					}
					c.out("%s %d: %s\n", t(c.lang, "Handtekening", "Signature"), i+1, who)
					c.out("  %s: %s\n", t(c.lang, "Tijd", "Time"), s.Time.Format(time.RFC3339))
					c.out("  %s: %s\n", t(c.lang, "Type", "Type"), cert.Printable(s.SubFilter))
					c.out("  %s: %s\n", t(c.lang, "Intact", "Intact"), yes(s.Intact))
					c.out("  %s: %s\n", t(c.lang, "Dekt het hele document", "Covers the whole document"), yes(s.CoversWholeDocument))
					if s.Trusted != nil {
						c.out("  %s: %s\n", t(c.lang, "Vertrouwd", "Trusted"), yes(*s.Trusted))
					}
					for _, p := range s.Problems {
						c.out("  ! %s\n", cert.Printable(p))
					}
				}
				if rep.OK() {
					c.out("%s\n", t(c.lang, "Resultaat: in orde", "Result: ok"))
					return 0
				}
				c.out("%s\n", t(c.lang, "Resultaat: NIET in orde", "Result: NOT ok"))
				return 1
			}
		},
	}
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

func softwareKey(keyFile, certFile, chainFile string) (crypto.Signer, []*x509.Certificate, error) {
	data, err := inventory.ReadFile(keyFile, 1<<20)
	if err != nil {
		return nil, nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, nil, fmt.Errorf("%s: no PEM private key", keyFile)
	}
	var key any
	if key, err = x509.ParsePKCS8PrivateKey(block.Bytes); err != nil {
		if key, err = x509.ParsePKCS1PrivateKey(block.Bytes); err != nil {
			if key, err = x509.ParseECPrivateKey(block.Bytes); err != nil {
				return nil, nil, fmt.Errorf("%s: unreadable private key", keyFile)
			}
		}
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, nil, fmt.Errorf("%s: key cannot sign", keyFile)
	}
	if certFile == "" {
		return nil, nil, errors.New("--cert is required with --key")
	}
	chain, err := readCerts(certFile)
	if err != nil {
		return nil, nil, err
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	if pub, ok := chain[0].PublicKey.(equaler); !ok || !pub.Equal(signer.Public()) {
		return nil, nil, fmt.Errorf("%s does not belong to %s", certFile, keyFile)
	}
	if chainFile != "" {
		more, err := readCerts(chainFile)
		if err != nil {
			return nil, nil, err
		}
		chain = append(chain, more...)
	}
	return signer, chain, nil
}
