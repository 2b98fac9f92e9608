package app

import (
	"crypto/x509"
	"fmt"
	"strings"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
	"pkiodesk/pdfseal"
)

// changeDocument is what the signed PDF of a change shows: each chosen
// section with the data as it becomes (and as it was), who signs, and that
// the change takes effect when the CA confirms it. A new Bevoegd
// Vertegenwoordiger's form is the printable one with both signature
// blocks (manual 7.2, scenario 1).
//
// hash is the SHA-256 of the attached change JSON: a reader checks the
// page names it (OpenChangeDocument).
func changeDocument(ch org.Change, reg org.Snapshot, login *x509.Certificate, hash string, l i18n.Lang) pdfseal.Document {
	t := func(key string, args ...any) string { return i18n.T(l, key, args...) }
	o := reg.Organisation
	doc := pdfseal.Document{
		Kind: pdfseal.ChangeForm, Lang: string(l), Number: ch.Number, Created: ch.Created,
		Organisation: o.Name, Subscriber: o.SubscriberNumber, OIN: o.OIN,
	}
	if ch.Has(org.SectionBV) {
		doc.Kind = pdfseal.BVForm
	}
	if login != nil {
		doc.Login = pdfseal.LoginCertificate{Subject: login.Subject.String(), Issuer: login.Issuer.String(),
			Serial: strings.ToUpper(login.SerialNumber.Text(16)), SHA256: cert.Fingerprint(login.Raw)}
	}
	var sections []string
	for _, s := range ch.Sections {
		sections = append(sections, t("section."+string(s)))
	}
	doc.Sections = append(doc.Sections, pdfseal.Section{Heading: t("doc.change"), Fields: []pdfseal.Field{
		{Label: t("doc.sections"), Value: strings.Join(sections, ", ")},
		{Label: t("doc.signed_by"), Value: ch.By.Name + " (" + t("role."+string(ch.By.Role)) + ")"},
		{Label: t("doc.effect"), Value: t("doc.effect_text")},
		{Label: t("doc.change_hash"), Value: hash[:32] + "\n" + hash[32:]},
	}})
	// before/after: a changed value shows what it was.
	changed := func(label, was, now string) pdfseal.Field {
		if was == now {
			return pdfseal.Field{Label: label, Value: now}
		}
		if was == "" {
			was = "—"
		}
		return pdfseal.Field{Label: label, Value: now + "\n" + t("doc.was", strings.ReplaceAll(was, "\n", ", "))}
	}
	if ch.Has(org.SectionOrganisation) && ch.Organisation != nil {
		n := ch.Organisation
		doc.Sections = append(doc.Sections, pdfseal.Section{Heading: t("section.organisatie"), Fields: []pdfseal.Field{
			changed(t("doc.org_name"), o.Name, n.Name), changed("OIN", o.OIN, n.OIN), changed(t("doc.kvk"), o.KvK, n.KvK),
			changed(t("doc.address"), o.Address, n.Address), changed(t("doc.postal_address"), o.PostalAddress, n.PostalAddress),
			changed(t("doc.phone"), o.Phone, n.Phone), changed(t("doc.email"), o.Email, n.Email),
		}})
	}
	if ch.Has(org.SectionBilling) && ch.Organisation != nil {
		n := ch.Organisation
		doc.Sections = append(doc.Sections, pdfseal.Section{Heading: t("section.facturatie"), Fields: []pdfseal.Field{
			changed(t("doc.billing_address"), o.BillingAddress, n.BillingAddress), changed(t("doc.attention"), o.BillingAttention, n.BillingAttention),
			changed(t("doc.reference"), o.BillingReference, n.BillingReference), changed(t("doc.billing_email"), o.BillingEmail, n.BillingEmail),
		}})
	}
	for _, cc := range ch.Contacts {
		p := cc.Person
		was, _ := org.FindPerson(reg.People, p.ID)
		var s pdfseal.Section
		switch cc.Action {
		case org.ContactAdd:
			s = pdfseal.Section{Heading: t("doc.contact_add", p.Name), Fields: []pdfseal.Field{
				{Label: t("doc.name"), Value: p.Name}, {Label: t("doc.email"), Value: p.Email}, {Label: t("doc.phone"), Value: p.Phone},
				{Label: t("doc.function"), Value: p.Function}, {Label: t("doc.rights"), Value: t("role." + string(p.Role))},
			}}
			if cc.IDCopy != nil {
				s.Fields = append(s.Fields, pdfseal.Field{Label: t("doc.id_copy"), Value: t("doc.id_copy_text", cc.IDCopy.FileName, cc.IDCopy.MediaType, sizeText(cc.IDCopy.Size), cc.IDCopy.SHA256)})
			}
		case org.ContactUpdate:
			s = pdfseal.Section{Heading: t("doc.contact_update", was.Name), Fields: []pdfseal.Field{
				changed(t("doc.name"), was.Name, p.Name), changed(t("doc.email"), was.Email, p.Email), changed(t("doc.phone"), was.Phone, p.Phone),
				changed(t("doc.function"), was.Function, p.Function), changed(t("doc.rights"), t("role."+string(was.Role)), t("role."+string(p.Role))),
			}}
		case org.ContactDeactivate:
			s = pdfseal.Section{Heading: t("doc.contact_deactivate", was.Name), Fields: []pdfseal.Field{
				{Label: t("doc.name"), Value: was.Name}, {Label: t("doc.email"), Value: was.Email}, {Label: t("doc.rights"), Value: t("role." + string(was.Role))},
			}}
		}
		doc.Sections = append(doc.Sections, s)
	}
	if nb := ch.NewBV; nb != nil {
		person := func(p org.Person) []pdfseal.Field {
			return []pdfseal.Field{{Label: t("doc.name"), Value: p.Name}, {Label: t("doc.email"), Value: p.Email}, {Label: t("doc.phone"), Value: p.Phone}, {Label: t("doc.function"), Value: p.Function}}
		}
		after := t("doc.bv_current_inactive")
		if nb.CurrentStaysAs != "" {
			after = t("doc.bv_current_stays", t("role."+string(nb.CurrentStaysAs)))
		}
		doc.Sections = append(doc.Sections,
			pdfseal.Section{Heading: t("doc.bv_current"), Fields: person(nb.Current)},
			pdfseal.Section{Heading: t("doc.bv_new"), Fields: person(nb.Person)},
			pdfseal.Section{Heading: t("doc.bv_instructions"), Fields: []pdfseal.Field{
				{Label: t("doc.bv_after"), Value: after},
				{Label: t("doc.bv_how"), Value: t("doc.bv_how_text")},
			}})
		doc.Signatories = []string{t("doc.bv_current") + ": " + nb.Current.Name, t("doc.bv_new") + ": " + nb.Person.Name}
	}
	if c := ch.Cancellation; c != nil {
		reason := c.Reason
		if reason == "" {
			reason = "—"
		}
		doc.Sections = append(doc.Sections, pdfseal.Section{Heading: t("section.opzeggen"), Fields: []pdfseal.Field{
			{Label: t("doc.reason"), Value: reason},
			{Label: t("doc.stops"), Value: strings.Join(c.Stops, "\n")},
		}})
	}
	return doc
}

func sizeText(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
