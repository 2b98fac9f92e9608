package screens

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/order"
)

// activation is the eSeal cloud activation screen (seed 6.1): per
// validated eSeal cloud order the invitation code and the button
// "Activeren eSeal cloud certificaat", shown disabled with the reason when
// the user may not use it now. MijnCertificaten confirms with the mobile
// certificate; pkiodesk confirms with the card and says so.
type activation struct {
	u       *ui
	list    *fyne.Container
	buttons map[string]*widget.Button
	codes   map[string]*widget.Entry
	status  map[string]*widget.Label
	timer   *time.Timer
}

func (u *ui) showActivation() {
	u.open(place{id: "activation", section: sectionESeal, title: func() string { return u.tr("Activatie eSeal cloud", "eSeal cloud activation") },
		show: func() { u.activationScreen() }})
}

func (u *ui) activationScreen() *activation {
	a := &activation{u: u, list: container.NewVBox()}
	mobile := note(i18n.T(u.lang, "activation.card_instead_of_mobile"))
	mobile.Importance = widget.WarningImportance
	intro := note(u.tr("Nadat de CA de aanvraag van een eSeal cloud certificaat heeft gevalideerd, activeert de aanvrager het. U kunt pas activeren als u daarvoor een uitnodiging per e-mail hebt ontvangen: vul de code uit die e-mail in. Na een start is de knop 5 minuten niet te gebruiken; mislukt de activatie, dan kunt u het daarna opnieuw proberen. Na uitgifte wordt de status ACTIVATED; de volgende dag verdwijnt het certificaat uit dit overzicht.",
		"Once the CA has validated the request for an eSeal cloud certificate, the requester activates it. You can activate only once you have received an invitation by e-mail: enter the code from that e-mail. After a start the button cannot be used for 5 minutes; if the activation fails, you can try again afterwards. After issuance the status becomes ACTIVATED; the next day the certificate leaves this overview."))
	back := widget.NewButton(u.tr("Terug naar eSeal certificaten", "Back to eSeal certificates"), func() { u.showOverview(cert.KindESeal) })
	top := container.NewVBox(heading(u.tr("Activatie eSeal cloud certificaat", "eSeal cloud certificate activation")), intro, mobile)
	u.shell(u.tr("Activatie eSeal cloud", "eSeal cloud activation"), sectionESeal, container.NewBorder(top, container.NewHBox(back), nil, nil, container.NewVScroll(a.list)))
	a.refresh()
	u.win.Content().Refresh() // wrapped lines know their width only now
	u.activation = a
	return a
}

// refresh redraws the rows, and again when the first lock ends.
func (a *activation) refresh() {
	u := a.u
	if a.timer != nil {
		a.timer.Stop()
	}
	a.buttons, a.codes, a.status = map[string]*widget.Button{}, map[string]*widget.Entry{}, map[string]*widget.Label{}
	a.list.RemoveAll()
	all, _, err := u.core.Orders.List(context.Background())
	if err != nil {
		a.list.Add(note(sentence(i18n.Localize(u.lang, err))))
		return
	}
	now := u.core.Orders.Now()
	rows := order.ActivationPending(all, now)
	if len(rows) == 0 {
		a.list.Add(note(u.tr("Er is geen eSeal cloud certificaat gereed voor activatie.", "No eSeal cloud certificate is ready for activation.")))
	}
	var nextUnlock time.Duration
	for _, r := range rows {
		r := r
		id := r.Order.ID
		state := i18n.T(u.lang, "activation.status.")
		if act := r.Life.Activation; act != nil {
			state = i18n.T(u.lang, "activation.status."+string(act.Status))
			if d := act.StartedAt.Add(order.ActivationLock).Sub(now); d > 0 && (nextUnlock == 0 || d < nextUnlock) {
				nextUnlock = d
			}
		}
		code := widget.NewEntry()
		code.SetPlaceHolder(u.tr("code uit de uitnodiging", "code from the invitation"))
		code.Validator = func(s string) error {
			if err := order.ValidateInvitation(s); err != nil {
				return errorText(u, err)
			}
			return nil
		}
		button := widget.NewButton(u.tr("Activeren eSeal cloud certificaat", "Activate eSeal cloud certificate"), func() { a.start(id) })
		button.Importance = widget.HighImportance
		status := note("")
		if err := order.ActivationBlocked(&r, u.person, now); err != nil {
			button.Disable()
			code.Disable()
			status.SetText(sentence(i18n.Localize(u.lang, err)))
			status.Importance = widget.WarningImportance
		}
		if act := r.Life.Activation; act != nil && act.Status == order.ActivationFailed {
			why := sentence(i18n.T(u.lang, "activation.failed_because", act.FailureText(u.lang)))
			status.SetText(strings.TrimSpace(why + " " + status.Text))
			status.Importance = widget.DangerImportance
		}
		a.buttons[id], a.codes[id], a.status[id] = button, code, status
		code.OnChanged = func(string) {
			if !button.Disabled() {
				status.SetText("")
			}
		}
		form := widget.NewForm(
			widget.NewFormItem(u.tr("Bestelling", "Order"), widget.NewLabel(id)),
			widget.NewFormItem(u.tr("Organisatienaam", "Organisation name"), widget.NewLabel(cert.Printable(order.Subject(&r.Order)))),
			widget.NewFormItem(u.tr("Aanvrager", "Requester"), widget.NewLabel(cert.Printable(r.Order.Requester.Name))),
			widget.NewFormItem(u.tr("Status", "Status"), widget.NewLabel(state)),
			widget.NewFormItem(u.tr("Code uit de uitnodiging", "Invitation code"), code),
		)
		a.list.Add(widget.NewCard("", "", container.NewVBox(form, button, status)))
	}
	if nextUnlock > 0 {
		a.timer = time.AfterFunc(nextUnlock+time.Second, func() {
			fyne.Do(func() {
				if u.activation == a {
					a.refresh()
				}
			})
		})
	}
}

// start begins the activation and has the requester confirm it with the
// card's signature key.
func (a *activation) start(id string) {
	u := a.u
	button, code, status := a.buttons[id], a.codes[id], a.status[id]
	if err := order.ValidateInvitation(code.Text); err != nil {
		status.Importance = widget.DangerImportance
		status.SetText(sentence(i18n.Localize(u.lang, err)))
		return
	}
	signing, err := u.cardSigning()
	if err != nil {
		status.Importance = widget.DangerImportance
		status.SetText(sentence(i18n.Localize(u.lang, err)))
		return
	}
	key := signing.Signer.Key
	if u.session.NeedsPINPerSignature(signing.tc) {
		key = u.session.Signer(signing.tc).WithPINPrompt(context.Background(), u.askPIN)
	}
	confirmer := order.CardConfirmer{Key: key, Cert: signing.Signer.Chain[0]}
	button.Disable()
	status.Importance = widget.MediumImportance
	status.SetText(u.tr("De activatie is gestart. Bevestig met de PIN van uw kaart.", "The activation has started. Confirm with your card's PIN."))
	who, invitation := u.person, code.Text
	go func() {
		_, err := u.core.Orders.StartActivation(context.Background(), id, invitation, who, confirmer)
		fyne.Do(func() {
			if u.activation != a {
				return
			}
			a.refresh()
			if err != nil {
				if s := a.status[id]; s != nil {
					s.Importance = widget.DangerImportance
					s.SetText(sentence(i18n.Localize(u.lang, err)))
				}
			}
		})
	}()
}

// errorText is an error as a field validator shows it.
func errorText(u *ui, err error) error { return validationError(sentence(i18n.Localize(u.lang, err))) }

type validationError string

func (e validationError) Error() string { return string(e) }
