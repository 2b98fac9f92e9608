package cli

import (
	"context"
	"crypto/x509"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/store"
	"pkiodesk/app/trust"
	"pkiodesk/pdfseal"
)

func trustCommand() command {
	return command{
		name:    "trust",
		summary: [2]string{"vertrouwde CA-certificaten: tonen (list), toevoegen (add) of verwijderen (remove)", "trusted CA certificates: show (list), add or remove"},
		usage:   "list | add FILE... | remove SHA256",
		setup: func(c *call) func(context.Context) int {
			return func(ctx context.Context) int {
				if len(c.args) == 0 {
					return c.fail(fmt.Errorf("%s", t(c.lang, "gebruik: pkiodesk trust list|add|remove", "usage: pkiodesk trust list|add|remove")))
				}
				verb, rest := c.args[0], c.args[1:]
				switch {
				case verb == "list" && len(rest) == 0:
				case verb == "add" && len(rest) > 0:
				case verb == "remove" && len(rest) == 1:
				default:
					return c.fail(fmt.Errorf("%s", t(c.lang, "gebruik: pkiodesk trust list | add BESTAND... | remove SHA256", "usage: pkiodesk trust list | add FILE... | remove SHA256")))
				}
				open := c.openApp
				if verb == "list" {
					open = c.openToRead
				}
				a, err := open(ctx)
				if err != nil {
					return c.fail(err)
				}
				defer a.Close()
				switch verb {
				case "add":
					code := 0
					for _, in := range inventory.ReadFiles(rest) {
						if in.Err != nil {
							c.out("%s  %s: %s\n", i18n.T(c.lang, "import.rejected"), cert.Printable(in.Name), i18n.Localize(c.lang, in.Err))
							code = 1
							continue
						}
						anchor, err := a.AddTrustAnchor(ctx, in.Data)
						if err != nil {
							c.out("%s  %s: %s\n", i18n.T(c.lang, "import.rejected"), cert.Printable(in.Name), i18n.Localize(c.lang, err))
							code = 1
							continue
						}
						c.out("%s\n", i18n.T(c.lang, "trust.anchor_added", cert.Printable(anchor.Cert.Subject.CommonName), anchor.SHA256))
					}
					c.out("%s\n", i18n.T(c.lang, "trust.anchor_check_fingerprint"))
					return code
				case "remove":
					for _, an := range a.Trust.Anchors() {
						if an.SHA256 == rest[0] {
							if err := a.RemoveTrustAnchor(ctx, rest[0]); err != nil {
								return c.fail(err)
							}
							c.out("%s\n", i18n.T(c.lang, "trust.anchor_removed", cert.Printable(an.Cert.Subject.CommonName)))
							return 0
						}
					}
					return c.fail(i18n.E("err.cert_not_found", nil, cert.Printable(rest[0])))
				}
				tw := tabwriter.NewWriter(c.env.Stdout, 2, 4, 2, ' ', 0)
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", i18n.T(c.lang, "col.cn"), t(c.lang, "Rol", "Role"), t(c.lang, "Herkomst", "Origin"), i18n.T(c.lang, "col.notafter"), "SHA-256")
				for _, an := range a.Trust.Anchors() {
					role := "trust.role.intermediate"
					if an.Anchor {
						role = "trust.role.anchor"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", cert.Printable(an.Cert.Subject.CommonName), i18n.T(c.lang, role),
						i18n.T(c.lang, "trust.source."+string(an.Source)), an.Cert.NotAfter.Format("2006-01-02"), an.SHA256)
				}
				tw.Flush()
				return 0
			}
		},
	}
}

// trustStore is the database's trust store when there is a database, else
// one with the bundled PKIoverheid anchors only (a command that only reads
// must not create a database).
//
// When the database cannot be opened (the window holds it, it is damaged
// or newer), the bundled anchors decide, and stderr says why: verifying a
// PDF does not depend on the database, and fewer anchors fail closed.
func (c *call) trustStore(ctx context.Context) (*trust.Service, func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, i18n.E("err.context_canceled", err)
	}
	if path, err := store.ResolvePath(*c.db, c.env.Getenv); err == nil {
		if _, err := os.Stat(path); err == nil {
			// Writable: what the CAs answer about revocation is kept.
			a, err := c.openApp(ctx)
			if err == nil {
				return a.Trust, func() { a.Close() }, nil
			}
			if ctx.Err() != nil {
				return nil, nil, i18n.E("err.context_canceled", err)
			}
			fmt.Fprintf(c.env.Stderr, "pkiodesk: %s\n", i18n.Localize(c.lang, i18n.E("trust.bundled_only", err)))
		}
	}
	tr, err := trust.Open(ctx, trust.Ephemeral(), trust.Options{Now: c.env.Now})
	return tr, func() {}, err
}

// addRevocation adds to each signature what is known of its signer's
// revocation now (from the cache, else asked for at most a few seconds): a
// revoked signer is a problem that fails the verification, any other state
// a note.
func (c *call) addRevocation(ctx context.Context, ts *trust.Service, rep *pdfseal.Report) {
	for i := range rep.Signatures {
		s := &rep.Signatures[i]
		if s.Signer == nil {
			continue
		}
		var issuers []*x509.Certificate
		for _, ch := range s.Chains {
			issuers = append(issuers, ch[1:]...)
		}
		issuers = append(issuers, s.Certificates...)
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		st := ts.Check(rctx, s.Signer, issuers...)
		cancel()
		if st.State == trust.StateRevoked {
			s.Problems = append(s.Problems, pdfseal.Problem{Code: "signer_revoked", Args: []any{st.Text(c.lang)}})
			continue
		}
		s.Notes = append(s.Notes, pdfseal.Problem{Code: "signer_revocation", Args: []any{st.Text(c.lang)}})
	}
}
