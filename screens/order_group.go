package screens

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"pkiodesk/app/order"
)

// The group certificate wizard (seed 5): a Certificaatbeheerder, the group
// name and the group's mailbox.

func (w *wizard) groupStep() wizardStep {
	u := w.u
	return wizardStep{key: "certificaat", title: u.tr("Groepscertificaat", "Group certificate"), build: w.groupPage, check: func() error {
		for _, p := range order.Problems(&w.rec.Order) {
			if p.Field == order.FieldGroupName || p.Field == order.FieldMailbox {
				return p.Err
			}
		}
		return nil
	}}
}

func (w *wizard) groupPage() fyne.CanvasObject {
	u := w.u
	o := &w.rec.Order
	if o.Group == nil {
		o.Group = &order.GroupDetails{}
	}
	d := o.Group
	name := w.entry(order.FieldGroupName, d.GroupName, func(s string) { d.GroupName = s })
	mailbox := w.entry(order.FieldMailbox, d.Mailbox, func(s string) { d.Mailbox = s })
	mailboxItem := widget.NewFormItem(u.tr("Mailbox van de groep", "The group's mailbox"), mailbox)
	mailboxItem.HintText = u.tr("Bijvoorbeeld servicedesk@gemeente.nl", "For example servicedesk@gemeente.nl")
	form := widget.NewForm(widget.NewFormItem(u.tr("Groepsnaam", "Group name"), name), mailboxItem)
	return container.NewVBox(heading(u.tr("Groepscertificaat", "Group certificate")), form)
}
