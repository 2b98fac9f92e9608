package cli

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"pkiodesk/app"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/order"
	"pkiodesk/app/store"
	"pkiodesk/app/trust"
)

func orderCommand() command {
	return command{
		name: "order",
		summary: [2]string{"bestellingen tonen: order list [--state S], order show ID|FILE.pdf; een afwijzing van de CA vastleggen: order reject ID --reason TEKST",
			"show orders: order list [--state S], order show ID|FILE.pdf; record the CA's rejection: order reject ID --reason TEXT"},
		usage: "list [--state S] | show ID|FILE.pdf [--roots ROOTS.pem] | reject ID --reason TEXT [--module PAD] [--token LABEL] [--pin-fd N]",
		setup: func(c *call) func(context.Context) int {
			state := c.fs.String("state", "", t(c.lang, "alleen bestellingen met deze status (concept, geplaatst, ingediend, uitgegeven, afgewezen, geannuleerd)", "only orders in this state (draft, placed, submitted, issued, rejected, cancelled)"))
			rootsFile := c.fs.String("roots", "", t(c.lang, "vertrouwde rootcertificaten voor de handtekening (PEM)", "trusted root certificates for the signature (PEM)"))
			reason := c.fs.String("reason", "", t(c.lang, "reject: de reden die de CA opgaf", "reject: the reason the CA stated"))
			f := addCardFlags(c)
			return func(ctx context.Context) int {
				if err := c.refuseEmpty("state", "roots", "reason"); err != nil {
					return c.fail(err)
				}
				switch {
				case len(c.args) == 1 && c.args[0] == "list":
					return c.orderList(ctx, *state)
				case len(c.args) == 2 && c.args[0] == "show":
					return c.orderShow(ctx, c.args[1], *rootsFile)
				case len(c.args) == 2 && c.args[0] == "reject":
					return c.orderReject(ctx, c.args[1], *reason, f)
				}
				return c.fail(fmt.Errorf("%s", t(c.lang, "gebruik: pkiodesk order list [--state S] | order show ID|FILE.pdf | order reject ID --reason TEKST",
					"usage: pkiodesk order list [--state S] | order show ID|FILE.pdf | order reject ID --reason TEXT")))
			}
		},
	}
}

func (c *call) orderList(ctx context.Context, state string) int {
	var want order.State
	if state != "" {
		s, err := order.ParseState(strings.ToLower(state))
		if err != nil {
			return c.fail(err)
		}
		want = s
	}
	a, err := c.openToRead(ctx)
	if err != nil {
		return c.fail(err)
	}
	defer a.Close()
	records, damaged, err := a.Orders.List(ctx)
	if err != nil {
		return c.fail(err)
	}
	w := tabwriter.NewWriter(c.env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t(c.lang, "Nummer", "Number"), t(c.lang, "Status", "State"), t(c.lang, "Soort", "Kind"),
		t(c.lang, "Product", "Product"), t(c.lang, "Aangemaakt", "Created"), t(c.lang, "Aanvrager", "Requester"), t(c.lang, "Betreft", "Concerns"))
	n := 0
	for _, r := range records {
		if want != "" && r.State() != want {
			continue
		}
		n++
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", cert.Printable(r.Order.ID), i18n.T(c.lang, "order.state."+string(r.State())),
			i18n.T(c.lang, "order.kind."+string(r.Order.Kind)), i18n.T(c.lang, "order.product."+string(r.Order.Product)),
			r.Order.Created.Local().Format("2006-01-02 15:04"), cert.Printable(r.Order.Requester.Name), cert.Printable(order.Subject(&r.Order)))
	}
	w.Flush()
	c.out("%s\n", i18n.T(c.lang, "n.orders", n))
	for _, d := range damaged {
		fmt.Fprintf(c.env.Stderr, "pkiodesk: %s\n", i18n.Localize(c.lang, d))
	}
	if len(damaged) > 0 {
		return 1
	}
	return 0
}

// orderShow prints an order from the database, or from its signed PDF
// after verifying it. A PDF that does not verify prints nothing of its
// content and exits 1.
func (c *call) orderShow(ctx context.Context, arg, rootsFile string) int {
	if strings.HasSuffix(strings.ToLower(arg), ".pdf") || fileExists(arg) {
		return c.orderShowPDF(ctx, arg, rootsFile)
	}
	a, err := c.openToRead(ctx)
	if err != nil {
		return c.fail(err)
	}
	defer a.Close()
	r, err := a.Orders.Get(ctx, arg)
	if err != nil {
		return c.fail(err)
	}
	code := 0
	if len(r.Document) > 0 {
		// A placed order is shown with its seal checked as `order show
		// FILE.pdf` checks it.
		opt, err := c.readOptions(ctx, a, rootsFile)
		if err != nil {
			return c.fail(err)
		}
		signed, err := order.ReadSigned(ctx, r.Document, opt)
		switch {
		case err != nil:
			fmt.Fprintf(c.env.Stderr, "pkiodesk: %s\n", i18n.Localize(c.lang, err))
			code = 1
		case signed.Hash != r.Hash:
			fmt.Fprintf(c.env.Stderr, "pkiodesk: %s\n", i18n.T(c.lang, "order.show_stored_differs", cert.Printable(r.Order.ID)))
			return 1
		default:
			c.out("%s: %s (%s)\n", t(c.lang, "Handtekening in orde, ondertekend door", "Signature valid, signed by"),
				cert.Printable(signed.Signer.Subject.CommonName), signed.SignedAt.Local().Format("2006-01-02 15:04:05"))
		}
	}
	c.printOrder(&r.Order, r.Hash)
	c.out("\n%s: %s\n", t(c.lang, "Status", "State"), i18n.T(c.lang, "order.state."+string(r.State())))
	for _, e := range r.Life.History {
		line := e.At.Local().Format("2006-01-02 15:04:05") + "  " + i18n.T(c.lang, "order.state."+string(e.State))
		if n := e.NoteText(c.lang); n != "" {
			line += " (" + n + ")"
		}
		c.out("  %s\n", line)
	}
	if r.Life.SubmittedTo != "" {
		c.out("%s: %s\n", t(c.lang, "Ingediend in", "Submitted to"), cert.Printable(r.Life.SubmittedTo))
	}
	if r.Life.IssuedCertificate != "" {
		c.out("%s: %s\n", t(c.lang, "Certificaat", "Certificate"), r.Life.IssuedCertificate)
	}
	return code
}

func (c *call) orderShowPDF(ctx context.Context, path, rootsFile string) int {
	data, err := inventory.ReadFile(path, 64<<20)
	if err != nil {
		return c.fail(err)
	}
	// The trust store decides whose signature counts (the database's, else
	// the bundled PKIoverheid anchors); --roots overrides it. When this
	// database holds the organisation, the signer must be its registered
	// requester, and a stored copy of the order must be the same.
	var a *app.App
	if dbPath, err := store.ResolvePath(*c.db, c.env.Getenv); err == nil && fileExists(dbPath) {
		if a, err = c.openApp(ctx); err != nil {
			return c.fail(err)
		}
		defer a.Close()
	}
	opt, err := c.readOptions(ctx, a, rootsFile)
	if err != nil {
		return c.fail(err)
	}
	signed, err := order.ReadSigned(ctx, data, opt)
	if err != nil {
		fmt.Fprintf(c.env.Stderr, "pkiodesk: %s: %s\n", cert.Printable(path), i18n.Localize(c.lang, err))
		return 1
	}
	c.out("%s: %s (%s)\n", t(c.lang, "Handtekening in orde, ondertekend door", "Signature valid, signed by"),
		cert.Printable(signed.Signer.Subject.CommonName), signed.SignedAt.Local().Format("2006-01-02 15:04:05"))
	c.printOrder(&signed.Order, signed.Hash)
	if a != nil {
		if stored, err := a.Orders.Get(ctx, signed.Order.ID); err == nil {
			if stored.Hash != signed.Hash {
				fmt.Fprintf(c.env.Stderr, "pkiodesk: %s\n", i18n.T(c.lang, "order.show_stored_differs", cert.Printable(signed.Order.ID)))
				return 1
			}
			c.out("%s: %s\n", t(c.lang, "Opgeslagen bestelling, status", "Stored order, state"), i18n.T(c.lang, "order.state."+string(stored.State())))
		} else if !i18n.Is(err, "order.not_found") {
			fmt.Fprintf(c.env.Stderr, "pkiodesk: %s\n", i18n.Localize(c.lang, err))
			return 1
		}
	}
	return 0
}

// readOptions are what an order's PDF is checked against: the trust store
// of a (or the bundled anchors without a database), or the --roots file;
// and a's registered people when it holds an organisation.
func (c *call) readOptions(ctx context.Context, a *app.App, rootsFile string) (order.ReadOptions, error) {
	var opt order.ReadOptions
	if a != nil {
		var err error
		if opt, err = a.OrderReadOptions(ctx); err != nil {
			return opt, err
		}
	} else {
		tr, err := trust.Open(ctx, trust.Ephemeral(), trust.Options{Now: c.env.Now})
		if err != nil {
			return opt, err
		}
		opt.Trust = tr
	}
	if rootsFile != "" {
		roots, err := certPool(rootsFile)
		if err != nil {
			return opt, err
		}
		opt.Trust = order.PoolTrust{Roots: roots}
	}
	return opt, nil
}

// printOrder prints what the order's PDF shows, section by section.
func (c *call) printOrder(o *order.Order, hash string) {
	d := order.Document(o, hash, nil, c.lang)
	c.out("%s %s\n", t(c.lang, "Bestelling", "Order"), cert.Printable(o.ID))
	for _, s := range d.Sections {
		c.out("[%s]\n", s.Heading)
		for _, f := range s.Fields {
			c.out("  %s: %s\n", f.Label, cert.PrintableMax(order.OneLine(f.Value), 2000))
		}
	}
}

func fileExists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// linkImported links what an import added to its orders and says so.
func (c *call) linkImported(ctx context.Context, a *app.App, rep inventory.Report) error {
	matches, err := a.LinkImported(ctx, rep)
	for _, m := range matches {
		c.out("%s\n", m.Text(c.lang))
	}
	return err
}

func (c *call) setOutbox(ctx context.Context, a *app.App, dir string) error {
	switch dir {
	case "":
		return nil
	case "standaard", "default":
		dir = ""
	}
	return a.SetOutboxDir(ctx, dir)
}

func (c *call) printOutbox(ctx context.Context, a *app.App) {
	if b, err := a.Outbox(ctx); err == nil {
		c.out("%s: %s\n", t(c.lang, "Uitgaande map", "Outbox folder"), b.Dir)
	}
}
