package screens

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
)

// showSetup is the first login on an empty database: the card holder
// registers the organisation and themself as Bevoegd Vertegenwoordiger.
// Typed values live in a draft, so pulling the card loses nothing.
func (u *ui) showSetup() {
	d := u.draft("setup")
	entry := func(key, placeholder string) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(placeholder)
		e.SetText(d[key])
		e.OnChanged = func(s string) { d[key] = s }
		return e
	}
	if d["name"] == "" && u.loginCert != nil {
		d["name"] = u.loginCert.Subject.CommonName
		if len(u.loginCert.EmailAddresses) > 0 {
			d["email"] = u.loginCert.EmailAddresses[0]
		}
	}
	orgName := entry("org", "Gemeente …")
	subscriber := entry("subscriber", "100234")
	oin := entry("oin", "00000001…000")
	kvk := entry("kvk", "12345678")
	name := entry("name", "")
	email := entry("email", "")
	problem := widget.NewLabel("")
	problem.Importance = widget.DangerImportance
	problem.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		widget.NewFormItem(u.tr("Organisatienaam", "Organisation name"), orgName),
		widget.NewFormItem(u.tr("Abonneenummer", "Subscriber number"), subscriber),
		widget.NewFormItem("OIN", oin),
		widget.NewFormItem(u.tr("KvK-nummer", "KvK number"), kvk),
		widget.NewFormItem(u.tr("Uw naam", "Your name"), name),
		widget.NewFormItem(u.tr("Uw e-mailadres", "Your e-mail address"), email),
	)
	form.SubmitText = u.tr("Registreren als Bevoegd Vertegenwoordiger", "Register as authorised representative")
	form.OnSubmit = func() {
		o := org.Organisation{Name: orgName.Text, SubscriberNumber: subscriber.Text, OIN: oin.Text, KvK: kvk.Text}
		p, err := u.core.SetUp(context.Background(), o, name.Text, email.Text, u.loginCheck)
		if err != nil {
			problem.SetText(i18n.Localize(u.lang, err))
			return
		}
		delete(u.drafts, "setup")
		u.person = p
		u.showHome()
	}
	intro := widget.NewLabel(u.tr(
		"Deze database is nog leeg. Registreer uw organisatie als abonnee en uzelf als Bevoegd Vertegenwoordiger; uw inlogcertificaat wordt aan uw registratie gekoppeld.",
		"This database is still empty. Register your organisation as subscriber and yourself as authorised representative; your login certificate is linked to your registration."))
	intro.Wrapping = fyne.TextWrapWord
	title := widget.NewLabelWithStyle(u.tr("Organisatie inrichten", "Set up organisation"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	u.win.SetContent(container.NewCenter(container.NewGridWrap(fyne.NewSize(640, 520),
		container.NewVBox(title, intro, form, problem))))
	// The title last: whoever waits for it finds the screen it names.
	u.setTitle(u.tr("Organisatie inrichten", "Set up organisation"))
}
