package screens

import (
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app/brp"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
)

// brpScreen is "BRP-aansluitingen": the afnemer register, the checklist
// of each afnemer's certificate with its reasons, the gateway export and
// the connection test. The checks and the test live in app/brp.
type brpScreen struct {
	u        *ui
	reg      *brp.Register
	checker  *brp.Checker
	afnemers []brp.Afnemer
	reports  map[string]brp.Report
	selected string

	list   *widget.List
	detail *fyne.Container
	// checklist holds the rows of the shown checklist (for tests).
	checklist []*widget.Label
}

func (u *ui) showBRP() {
	u.open(place{id: "brp", section: sectionBRP, title: func() string { return u.tr("BRP-aansluitingen", "BRP connections") }, show: u.drawBRP})
}

func (u *ui) drawBRP() {
	s := &brpScreen{u: u, reports: map[string]brp.Report{}}
	u.shell(u.tr("BRP-aansluitingen", "BRP connections"), sectionBRP, s.build())
}

func (s *brpScreen) build() fyne.CanvasObject {
	u := s.u
	ctx := context.Background()
	var err error
	if s.reg, err = u.core.BRPRegister(); err == nil {
		s.checker, err = u.core.BRPCheckerCached(ctx) // revocation from the refresh's cache: never waits for a CA
	}
	title := widget.NewLabelWithStyle(u.tr("BRP-aansluitingen", "BRP connections"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	intro := widget.NewLabel(u.tr(
		"Elke afnemer sluit zijn API-gateway met een eigen PKIo-certificaat met zijn OIN aan op de BRP API's. pkiodesk controleert wat RvIG controleert: geldigheid, hostnaam, OIN en intrekking.",
		"Each afnemer connects its API gateway to the BRP APIs with a PKIo certificate of its own that carries its OIN. pkiodesk checks what RvIG checks: validity, host name, OIN and revocation."))
	intro.Wrapping = fyne.TextWrapWord
	if err != nil {
		return container.NewVBox(title, widget.NewLabel(sentence(i18n.Localize(u.lang, err))))
	}
	s.list = widget.NewList(
		func() int { return len(s.afnemers) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, widget.NewIcon(theme.ConfirmIcon()), nil, l)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			a := s.afnemers[i]
			row := o.(*fyne.Container)
			label, icon := row.Objects[0].(*widget.Label), row.Objects[1].(*widget.Icon)
			summary := ""
			if rep, ok := s.reports[a.ID]; ok {
				icon.SetResource(statusIcon(rep.Worst()))
				summary = s.summary(rep)
			} else {
				icon.SetResource(theme.ViewRefreshIcon())
			}
			label.SetText(fmt.Sprintf("%s  %s — %s", a.ID, cert.Printable(a.Name), summary))
		})
	s.list.OnSelected = func(i widget.ListItemID) {
		s.selected = s.afnemers[i].ID
		s.showDetail()
	}
	add := widget.NewButtonWithIcon(u.tr("Afnemer toevoegen", "Add afnemer"), theme.ContentAddIcon(), func() { s.addDialog(brp.Afnemer{}, "") })
	export := widget.NewButtonWithIcon(u.tr("Exporteren voor de gateway", "Export for the gateway"), theme.DocumentSaveIcon(), s.exportDialog)
	recheck := widget.NewButtonWithIcon(u.tr("Alles controleren", "Check all"), theme.ViewRefreshIcon(), s.reload)
	s.detail = container.NewVBox(widget.NewLabel(u.tr("Kies een afnemer om zijn controle te zien.", "Choose an afnemer to see its checks.")))
	s.reload()
	split := container.NewHSplit(s.list, container.NewVScroll(s.detail))
	split.Offset = 0.4
	top := container.NewVBox(title, intro, container.NewHBox(add, recheck, export))
	return container.NewBorder(top, nil, nil, nil, split)
}

// reload reads the register and checks every afnemer. Checks may fetch
// CRLs, so they run off the UI thread.
func (s *brpScreen) reload() {
	ctx := context.Background()
	all, err := s.reg.List(ctx)
	if err != nil {
		dialog.ShowError(fmt.Errorf("%s", i18n.Localize(s.u.lang, err)), s.u.win)
		return
	}
	s.afnemers = all
	s.list.Refresh()
	reports := s.checker.CheckAll(ctx, all)
	s.reports = map[string]brp.Report{}
	for _, r := range reports {
		s.reports[r.Afnemer.ID] = r
	}
	s.list.Refresh()
	if s.selected != "" {
		s.showDetail()
	}
}

// summary counts a report's failures and warnings for the register.
func (s *brpScreen) summary(rep brp.Report) string {
	var fails, warns int
	for _, r := range rep.Results {
		switch r.Status {
		case brp.Fail:
			fails++
		case brp.Warn:
			warns++
		}
	}
	if fails+warns == 0 {
		return s.u.tr("in orde", "ok")
	}
	count := func(n int, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %s", n, many)
	}
	return count(fails, s.u.tr("fout", "failure"), s.u.tr("fouten", "failures")) + ", " + count(warns, s.u.tr("waarschuwing", "warning"), s.u.tr("waarschuwingen", "warnings"))
}

// selectIndex selects an afnemer in the list (for tests and after adding).
func (s *brpScreen) selectIndex(i int) { s.list.Select(i) }

func statusIcon(st brp.Status) fyne.Resource {
	switch st {
	case brp.Pass:
		return theme.NewSuccessThemedResource(theme.ConfirmIcon())
	case brp.Warn:
		return theme.NewWarningThemedResource(theme.WarningIcon())
	default:
		return theme.NewErrorThemedResource(theme.ErrorIcon())
	}
}

func statusImportance(st brp.Status) widget.Importance {
	switch st {
	case brp.Pass:
		return widget.SuccessImportance
	case brp.Warn:
		return widget.WarningImportance
	default:
		return widget.DangerImportance
	}
}

func (s *brpScreen) current() (brp.Afnemer, brp.Report, bool) {
	for _, a := range s.afnemers {
		if a.ID == s.selected {
			return a, s.reports[a.ID], true
		}
	}
	return brp.Afnemer{}, brp.Report{}, false
}

// showDetail shows the selected afnemer and its checklist.
func (s *brpScreen) showDetail() {
	u := s.u
	a, rep, ok := s.current()
	if !ok {
		return
	}
	certText := u.tr("geen certificaat gekozen", "no certificate chosen")
	if c, found := u.core.Inventory.Get(a.CertSHA256); found {
		certText = fmt.Sprintf("%s — %s %s — SHA-256 %s…", cert.Printable(c.CommonName), u.tr("geldig tot", "valid until"), c.NotAfter.Format("2006-01-02"), a.CertSHA256[:16])
	}
	endpoints := make([]string, len(a.Endpoints))
	for i, e := range a.Endpoints {
		endpoints[i] = string(e)
	}
	secret := u.tr("elke keer vragen", "ask each time")
	if a.Secret == brp.SecretKeyring {
		secret = u.tr("in de sleutelbos van het besturingssysteem", "in the operating system's keyring")
	}
	value := func(v string) *widget.Label {
		l := widget.NewLabel(orDash(v))
		l.Wrapping = fyne.TextWrapBreak
		return l
	}
	form := widget.NewForm(
		widget.NewFormItem("OIN", value(a.OIN)),
		widget.NewFormItem(u.tr("Gemeentecode", "Municipality code"), value(a.Gemeentecode)),
		widget.NewFormItem("Scope", value(a.Scope())),
		widget.NewFormItem(u.tr("Endpoints", "Endpoints"), value(strings.Join(endpoints, ", "))),
		widget.NewFormItem(u.tr("Hostnamen", "Host names"), value(strings.Join(a.Hosts, ", "))),
		widget.NewFormItem(u.tr("Certificaat", "Certificate"), value(certText)),
		widget.NewFormItem(u.tr("Sleutel", "Key"), value(a.Key)),
		widget.NewFormItem("Client id", value(a.ClientID)),
		widget.NewFormItem("Client secret", value(secret)),
		widget.NewFormItem(u.tr("Berichtenboxnummer", "Berichtenboxnummer"), value(a.Berichtenbox)),
		widget.NewFormItem(u.tr("Aansluitpartij", "Connecting party"), value(a.TAP)),
	)
	head := widget.NewLabelWithStyle(fmt.Sprintf("%s — %s", a.ID, cert.Printable(a.Name)), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	checks := container.NewVBox(widget.NewLabelWithStyle(u.tr("Controle vóór RvIG", "Checks before RvIG's"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	s.checklist = nil
	for _, r := range rep.Results {
		name := widget.NewLabelWithStyle(r.Name(u.lang), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		reason := widget.NewLabel(i18n.T(u.lang, r.Status.Key()) + ": " + r.Reason(u.lang))
		reason.Wrapping = fyne.TextWrapWord
		reason.Importance = statusImportance(r.Status)
		s.checklist = append(s.checklist, reason)
		// The icon and the name stay at the top of a reason of several lines.
		checks.Add(container.NewBorder(nil, nil, container.NewVBox(container.NewHBox(widget.NewIcon(statusIcon(r.Status)), name)), nil, reason))
	}
	test := widget.NewButtonWithIcon(u.tr("Verbinding testen", "Test connection"), theme.MediaPlayIcon(), func() { s.testDialog(a) })
	edit := widget.NewButtonWithIcon(u.tr("Wijzigen", "Change"), theme.DocumentCreateIcon(), func() { s.addDialog(a, "") })
	remove := widget.NewButtonWithIcon(u.tr("Verwijderen", "Remove"), theme.DeleteIcon(), func() {
		dialog.ShowConfirm(u.tr("Afnemer verwijderen", "Remove afnemer"), fmt.Sprintf(u.tr("Afnemer %s uit het register verwijderen?", "Remove afnemer %s from the register?"), a.ID), func(ok bool) {
			if !ok {
				return
			}
			if err := s.reg.Remove(context.Background(), a.ID); err != nil {
				dialog.ShowError(fmt.Errorf("%s", i18n.Localize(u.lang, err)), u.win)
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = brp.Secrets{Store: brp.Keyring{}}.Forget(ctx, a)
			s.selected = ""
			s.list.UnselectAll()
			s.detail.Objects = []fyne.CanvasObject{widget.NewLabel(u.tr("Kies een afnemer om zijn controle te zien.", "Choose an afnemer to see its checks."))}
			s.reload()
		}, u.win)
	})
	s.detail.Objects = []fyne.CanvasObject{head, checks, container.NewHBox(test, edit, remove), widget.NewSeparator(), form}
	s.detail.Refresh()
}

// addDialog asks for an afnemer (new, or a change of a). A refused entry
// reopens the form with what was typed and the reason.
func (s *brpScreen) addDialog(a brp.Afnemer, problem string) {
	u := s.u
	editing := a.ID != "" && problem == ""
	id, name, oin := widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	id.SetText(a.ID)
	name.SetText(a.Name)
	oin.SetText(a.OIN)
	gemeente, box, hosts := widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	gemeente.SetText(a.Gemeentecode)
	box.SetText(a.Berichtenbox)
	hosts.SetText(strings.Join(a.Hosts, ", "))
	hosts.SetPlaceHolder("gateway.gemeente.nl")
	var eps []string
	for _, e := range brp.Endpoints() {
		eps = append(eps, string(e))
	}
	endpoints := widget.NewCheckGroup(eps, nil)
	endpoints.Horizontal = true
	for _, e := range a.Endpoints {
		endpoints.Selected = append(endpoints.Selected, string(e))
	}
	if len(a.Endpoints) == 0 {
		endpoints.Selected = []string{string(brp.EndpointBRP)}
	}
	servers := u.core.Inventory.Query(inventory.Query{Kind: cert.KindServer, Status: inventory.FilterAll, Sort: inventory.ColCN}).Rows
	options := []string{u.tr("(geen)", "(none)")}
	shas := []string{""}
	selected := options[0]
	for _, c := range servers {
		label := fmt.Sprintf("%s — %s %s — %s", cert.Printable(c.CommonName), u.tr("tot", "until"), c.NotAfter.Format("2006-01-02"), c.SHA256[:8])
		options = append(options, label)
		shas = append(shas, c.SHA256)
		if c.SHA256 == a.CertSHA256 {
			selected = label
		}
	}
	certSelect := u.newSelect(options, nil)
	certSelect.SetSelected(selected)
	key, client, tap := widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	key.SetText(a.Key)
	key.SetPlaceHolder("pkcs11:token=...;object=...  " + u.tr("of een sleutelbestand", "or a key file"))
	client.SetText(a.ClientID)
	tap.SetText(a.TAP)
	secret := widget.NewPasswordEntry()
	secret.SetPlaceHolder(u.tr("wordt in de sleutelbos bewaard, nooit in de database", "kept in the keyring, never in the database"))
	items := []*widget.FormItem{
		widget.NewFormItem(u.tr("AfnemerID", "AfnemerID"), id),
		widget.NewFormItem(u.tr("Naam", "Name"), name),
		widget.NewFormItem("OIN", oin),
		widget.NewFormItem(u.tr("Gemeentecode", "Municipality code"), gemeente),
		widget.NewFormItem(u.tr("Endpoints", "Endpoints"), endpoints),
		widget.NewFormItem(u.tr("Hostnamen gateway", "Gateway host names"), hosts),
		widget.NewFormItem(u.tr("Certificaat", "Certificate"), certSelect),
		widget.NewFormItem(u.tr("Sleutel", "Key"), key),
		widget.NewFormItem("Client id", client),
		widget.NewFormItem("Client secret", secret),
		widget.NewFormItem(u.tr("Berichtenboxnummer", "Berichtenboxnummer"), box),
		widget.NewFormItem(u.tr("Aansluitpartij (TAP)", "Connecting party (TAP)"), tap),
	}
	if problem != "" {
		p := widget.NewLabel(problem)
		p.Importance = widget.DangerImportance
		p.Wrapping = fyne.TextWrapWord
		items = append([]*widget.FormItem{widget.NewFormItem("", p)}, items...)
	}
	if editing {
		id.Disable()
	}
	title := u.tr("Afnemer toevoegen", "Add afnemer")
	if editing {
		title = u.tr("Afnemer wijzigen", "Change afnemer")
	}
	d := dialog.NewForm(title, u.tr("Opslaan", "Save"), u.tr("Annuleren", "Cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		n := brp.Afnemer{ID: strings.TrimSpace(id.Text), Name: strings.TrimSpace(name.Text), OIN: strings.TrimSpace(oin.Text),
			Gemeentecode: strings.TrimSpace(gemeente.Text), Berichtenbox: strings.TrimSpace(box.Text), Key: strings.TrimSpace(key.Text),
			ClientID: strings.TrimSpace(client.Text), TAP: strings.TrimSpace(tap.Text), Secret: a.Secret}
		if n.Secret == "" {
			n.Secret = brp.SecretAsk
		}
		for _, e := range endpoints.Selected {
			n.Endpoints = append(n.Endpoints, brp.Endpoint(e))
		}
		for h := range strings.SplitSeq(hosts.Text, ",") {
			if h = strings.TrimSpace(h); h != "" {
				n.Hosts = append(n.Hosts, h)
			}
		}
		for i, o := range options {
			if o == certSelect.Selected {
				n.CertSHA256 = shas[i]
			}
		}
		s.save(n, []byte(secret.Text), editing)
	}, u.win)
	d.Resize(fyne.NewSize(720, 600))
	d.Show()
}

// save validates and stores an afnemer, its secret in the keyring.
func (s *brpScreen) save(n brp.Afnemer, secret []byte, replace bool) {
	u := s.u
	ctx := context.Background()
	if err := n.Validate(); err != nil {
		s.addDialog(n, sentence(i18n.Localize(u.lang, err)))
		return
	}
	if !replace {
		if _, err := s.reg.Get(ctx, n.ID); err == nil {
			s.addDialog(n, sentence(i18n.T(u.lang, "brp.err.exists", n.ID)))
			return
		}
	}
	var notice string
	if len(secret) > 0 {
		kctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		if err := (brp.Secrets{Store: brp.Keyring{}}).Save(kctx, &n, secret); err != nil {
			notice = sentence(i18n.Localize(u.lang, err))
		}
		cancel()
		for i := range secret {
			secret[i] = 0
		}
	}
	put := s.reg.Add
	if replace {
		put = s.reg.Put
	}
	if _, err := put(ctx, n); err != nil {
		s.addDialog(n, sentence(i18n.Localize(u.lang, err)))
		return
	}
	s.selected = n.ID
	s.reload()
	for i, a := range s.afnemers {
		if a.ID == n.ID {
			s.selectIndex(i)
		}
	}
	if notice != "" {
		dialog.ShowInformation("Client secret", notice, u.win)
	}
}

// exportDialog writes the gateway configuration and the PEM chains of
// every afnemer to a chosen folder.
func (s *brpScreen) exportDialog() {
	u := s.u
	format := widget.NewRadioGroup([]string{"JSON", "YAML"}, nil)
	format.SetSelected("JSON")
	content := container.NewVBox(widget.NewLabel(u.tr(
		"Per afnemer: scope, claims, verwijzingen naar certificaat en sleutel, en de keten als PEM. Nooit het client secret.",
		"Per afnemer: scope, claims, references to certificate and key, and the chain as PEM. Never the client secret.")), format)
	dialog.ShowCustomConfirm(u.tr("Exporteren voor de gateway", "Export for the gateway"), u.tr("Kies map…", "Choose folder…"), u.tr("Annuleren", "Cancel"), content, func(ok bool) {
		if !ok {
			return
		}
		dialog.ShowFolderOpen(func(dir fyne.ListableURI, err error) {
			if err != nil || dir == nil {
				return
			}
			ctx := context.Background()
			ex, err := brp.BuildExport(ctx, s.afnemers, s.checker)
			var written []string
			if err == nil {
				written, err = ex.Write(dir.Path(), strings.ToLower(format.Selected), u.ownFiles()...)
			}
			if err != nil {
				dialog.ShowError(fmt.Errorf("%s", i18n.Localize(u.lang, err)), u.win)
				return
			}
			dialog.ShowInformation(u.tr("Exporteren", "Export"), u.tr("Geschreven:", "Written:")+"\n"+strings.Join(written, "\n"), u.win)
		}, u.win)
	}, u.win)
}

// testDialog runs the connection test with progress: the key from a key
// file, or from the token the user is logged in with.
func (s *brpScreen) testDialog(a brp.Afnemer) {
	u := s.u
	urlEntry, tokenEntry := widget.NewEntry(), widget.NewEntry()
	urlEntry.SetText("https://apigw.npr.idm.diginetwerk.net/lap/api/brp/personen")
	tokenEntry.SetPlaceHolder(brp.TokenURLTest + " " + u.tr("(leeg: alleen de handshake)", "(empty: handshake only)"))
	keyEntry := widget.NewEntry()
	if ref, err := brp.ParseKeyRef(a.Key); err == nil && !ref.OnToken() {
		keyEntry.SetText(ref.File)
	}
	keyEntry.SetPlaceHolder(u.tr("sleutelbestand (leeg: het token waarmee u bent ingelogd)", "key file (empty: the token you are logged in with)"))
	serverCA := widget.NewEntry()
	serverCA.SetPlaceHolder(u.tr("CA van de server (PEM), naast de PKIoverheid-roots", "server's CA (PEM), besides the PKIoverheid roots"))
	secret := widget.NewPasswordEntry()
	secret.SetPlaceHolder(u.tr("leeg: uit de sleutelbos", "empty: from the keyring"))
	dialog.ShowForm(fmt.Sprintf(u.tr("Verbinding testen — afnemer %s", "Test connection — afnemer %s"), a.ID), u.tr("Testen", "Test"), u.tr("Annuleren", "Cancel"),
		[]*widget.FormItem{
			widget.NewFormItem("URL", urlEntry),
			widget.NewFormItem(u.tr("Token-URL", "Token URL"), tokenEntry),
			widget.NewFormItem(u.tr("Sleutel", "Key"), keyEntry),
			widget.NewFormItem(u.tr("Server-CA", "Server CA"), serverCA),
			widget.NewFormItem("Client secret", secret),
		}, func(ok bool) {
			if ok {
				s.runTest(a, brpTestInput{url: urlEntry.Text, tokenURL: tokenEntry.Text, keyFile: keyEntry.Text, serverCA: serverCA.Text, secret: []byte(secret.Text)})
			}
		}, u.win)
}

type brpTestInput struct {
	url, tokenURL, keyFile, serverCA string
	secret                           []byte
}

// runTest shows a step per row and runs the test off the UI thread.
func (s *brpScreen) runTest(a brp.Afnemer, in brpTestInput) *brpTestView {
	u := s.u
	v := newBRPTestView(u)
	d := dialog.NewCustom(fmt.Sprintf(u.tr("Verbindingstest — afnemer %s", "Connection test — afnemer %s"), a.ID), u.tr("Sluiten", "Close"), v.box, u.win)
	d.Resize(fyne.NewSize(760, 420))
	d.Show()
	opt, err := s.testOptions(a, in)
	if err != nil {
		v.finish(brp.TestResult{}, sentence(i18n.Localize(u.lang, err)))
		return v
	}
	opt.Progress = func(st brp.Step) { fyne.Do(func() { v.step(st) }) }
	go func() {
		res := brp.TestConnection(context.Background(), a, opt)
		for i := range in.secret {
			in.secret[i] = 0
		}
		fyne.Do(func() { v.finish(res, "") })
	}()
	return v
}

// testOptions gathers key, chain, server roots and the secret.
func (s *brpScreen) testOptions(a brp.Afnemer, in brpTestInput) (brp.TestOptions, error) {
	u := s.u
	ctx := context.Background()
	rep := s.checker.Check(ctx, a, nil)
	if rep.Leaf == nil {
		return brp.TestOptions{}, fmt.Errorf("%s", rep.Results[0].Reason(u.lang))
	}
	chain := s.checker.ClientChain(ctx, rep)
	var signer crypto.Signer
	if in.keyFile != "" {
		k, err := brp.ReadKeyFile(in.keyFile, rep.Leaf)
		if err != nil {
			return brp.TestOptions{}, err
		}
		signer = k
	} else {
		if u.session == nil {
			return brp.TestOptions{}, i18n.E("brp.test.no_key", nil)
		}
		found := false
		for _, tc := range u.session.Certificates() {
			if tc.Cert.Equal(rep.Leaf) {
				signer, found = u.session.Signer(tc, chain[1:]...), true
			}
		}
		if !found {
			return brp.TestOptions{}, i18n.E("brp.err.cert_not_on_token", nil, cert.Printable(rep.Leaf.Subject.CommonName))
		}
	}
	var extraCAs []*x509.Certificate
	if in.serverCA != "" {
		data, err := inventory.ReadFile(in.serverCA, cert.MaxFileSize)
		if err != nil {
			return brp.TestOptions{}, err
		}
		d, err := cert.Decode(data, "")
		if err != nil {
			return brp.TestOptions{}, err
		}
		extraCAs = d.Certs
	}
	roots := s.checker.ServerRoots(extraCAs)
	typed := in.secret
	secrets := brp.Secrets{Store: brp.Keyring{}, Ask: func(context.Context, brp.Afnemer) ([]byte, error) {
		return append([]byte(nil), typed...), nil
	}}
	if len(typed) > 0 {
		secrets.Store = nil
	}
	return brp.TestOptions{
		URL: strings.TrimSpace(in.url), TokenURL: strings.TrimSpace(in.tokenURL), Signer: signer, Chain: chain, ServerRoots: roots,
		Secret: func(ctx context.Context) ([]byte, error) { return secrets.Secret(ctx, a) },
	}, nil
}

// brpTestView is the connection test's progress: one row per step.
type brpTestView struct {
	u        *ui
	box      *fyne.Container
	progress *widget.ProgressBarInfinite
	rows     map[brp.StepID]*widget.Label
	icons    map[brp.StepID]*widget.Icon
	result   *widget.Label
	done     chan struct{}
}

func newBRPTestView(u *ui) *brpTestView {
	v := &brpTestView{u: u, progress: widget.NewProgressBarInfinite(), rows: map[brp.StepID]*widget.Label{}, icons: map[brp.StepID]*widget.Icon{},
		result: widget.NewLabel(""), done: make(chan struct{})}
	v.box = container.NewVBox(v.progress)
	for _, id := range []brp.StepID{brp.StepConnect, brp.StepHandshake, brp.StepAccepted, brp.StepToken} {
		name := widget.NewLabelWithStyle(brp.Step{ID: id}.Name(u.lang), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		reason := widget.NewLabel("")
		reason.Wrapping = fyne.TextWrapWord
		icon := widget.NewIcon(theme.MoreHorizontalIcon())
		v.rows[id], v.icons[id] = reason, icon
		v.box.Add(container.NewBorder(nil, nil, container.NewHBox(icon, name), nil, reason))
	}
	v.result.Wrapping = fyne.TextWrapWord
	v.box.Add(v.result)
	return v
}

func (v *brpTestView) step(s brp.Step) {
	if !s.Done {
		v.icons[s.ID].SetResource(theme.ViewRefreshIcon())
		v.rows[s.ID].SetText(v.u.tr("bezig…", "running…"))
		return
	}
	v.icons[s.ID].SetResource(statusIcon(s.Status))
	v.rows[s.ID].Importance = statusImportance(s.Status)
	v.rows[s.ID].SetText(s.Reason(v.u.lang))
}

func (v *brpTestView) finish(res brp.TestResult, problem string) {
	v.progress.Stop()
	v.progress.Hide()
	var lines []string
	switch {
	case problem != "":
		lines = append(lines, problem)
		v.result.Importance = widget.DangerImportance
	case res.OK():
		lines = append(lines, v.u.tr("Resultaat: verbinding in orde.", "Result: connection ok."))
		v.result.Importance = widget.SuccessImportance
	default:
		lines = append(lines, v.u.tr("Resultaat: verbinding niet in orde.", "Result: connection not ok."))
		v.result.Importance = widget.DangerImportance
	}
	if tok := res.Token; tok != nil {
		lines = append(lines, "Scope: "+tok.Scope)
		for _, c := range tok.Claims {
			lines = append(lines, "Claim "+c.Name+" = "+c.Value)
		}
	}
	v.result.SetText(strings.Join(lines, "\n"))
	close(v.done)
}
