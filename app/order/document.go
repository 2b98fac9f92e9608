package order

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/pdfseal"
)

// Document is an order as its PDF shows it: the order's data, the content
// hash, the login certificate (seed 3.2) and, attached, the order's JSON
// (content, byte for byte what the hash is over) and its CSR.
func Document(o *Order, hash string, content []byte, lang i18n.Lang) pdfseal.Document {
	T := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	kind := pdfseal.OrderNew
	switch o.Kind {
	case KindRenew:
		kind = pdfseal.OrderRenew
	case KindRevoke:
		kind = pdfseal.OrderRevoke
	}
	order := []pdfseal.Field{
		{Label: T("doc.label.kind"), Value: T("order.kind." + string(o.Kind))},
		{Label: T("doc.label.product"), Value: T("order.product." + string(o.Product))},
		{Label: T("doc.label.requester"), Value: personLine(lang, o.Requester)},
		{Label: T("doc.label.hash"), Value: twoLines(hash)},
	}
	sections := []pdfseal.Section{{Heading: T("doc.heading_order"), Fields: order}}
	if o.Manager != nil {
		fields := []pdfseal.Field{{Label: T("doc.label.name"), Value: o.Manager.Name}, {Label: T("doc.label.email"), Value: o.Manager.Email},
			{Label: T("doc.label.phone"), Value: o.Manager.Phone}}
		if o.Manager.New {
			fields = append(fields, pdfseal.Field{Label: T("doc.label.registration"), Value: T("doc.manager_new")})
		}
		sections = append(sections, pdfseal.Section{Heading: T("role.certificaatbeheerder"), Fields: fields})
	}
	var certFields []pdfseal.Field
	add := func(label, value string) {
		certFields = append(certFields, pdfseal.Field{Label: T(label), Value: value})
	}
	switch {
	case o.Revoke != nil:
		r := o.Revoke
		add("doc.label.subject", readableDN(r.Subject))
		add("doc.label.serial", r.Serial)
		add("doc.label.issuer", readableDN(r.Issuer))
		add("doc.label.sha256", twoLines(r.Certificate))
		add("doc.label.reason", T("order.reason."+r.Reason.Name()))
		if r.Explanation != "" {
			add("doc.label.explanation", r.Explanation)
		}
	case o.Server != nil:
		add("doc.label.service_name", o.Server.ServiceName)
		add("doc.label.fqdns", strings.Join(o.Server.FQDNs, "\n"))
		add("doc.label.csr", csrSummary(lang, o.Server.CSR))
	case o.Personal != nil:
		add("doc.label.holder", o.Personal.Name)
		add("doc.label.email", o.Personal.Email)
		add("doc.label.phone", o.Personal.Phone)
		add("doc.label.carrier", T("order.carrier."+string(o.Personal.Carrier)))
	case o.Group != nil:
		add("doc.label.group_name", o.Group.GroupName)
		add("doc.label.mailbox", o.Group.Mailbox)
	case o.ESeal != nil:
		add("doc.label.eseal_name", o.ESeal.OrganisationName)
		add("doc.label.carrier", T("order.carrier."+string(o.ESeal.Carrier)))
	}
	if o.Renews != "" {
		add("doc.label.renews", twoLines(o.Renews))
	}
	sections = append(sections, pdfseal.Section{Heading: T("doc.heading_certificate"), Fields: certFields})

	attachments := []pdfseal.Attachment{{Name: AttachmentOrder, Description: T("doc.attachment_order"), Data: content}}
	if o.Server != nil && o.Kind != KindRevoke && o.Server.CSR != "" {
		attachments = append(attachments, pdfseal.Attachment{Name: AttachmentCSR, Description: T("doc.attachment_csr"), Data: []byte(o.Server.CSR)})
	}
	d := pdfseal.Document{
		Kind: kind, Lang: string(lang), Number: o.ID, Created: o.PlacedAt, Organisation: o.Organisation.Name,
		Subscriber: o.Organisation.SubscriberNumber, OIN: o.Organisation.OIN, Sections: sections, Attachments: attachments,
	}
	if o.Login != nil {
		d.Login = pdfseal.LoginCertificate{Subject: readableDN(o.Login.Subject), Issuer: readableDN(o.Login.Issuer), Serial: o.Login.Serial, SHA256: twoLines(o.Login.SHA256)}
	}
	return d
}

func personLine(lang i18n.Lang, p PersonRef) string {
	s := p.Name
	if p.Role != "" {
		s += " (" + i18n.T(lang, "role."+string(p.Role)) + ")"
	}
	if p.Email != "" {
		s += "\n" + p.Email
	}
	return s
}

// csrSummary names the CSR's key and fingerprint on the page; the CSR
// itself is attached.
func csrSummary(lang i18n.Lang, csrPEM string) string {
	csr, err := ParseCSR([]byte(csrPEM))
	if err != nil {
		return i18n.Localize(lang, err)
	}
	sum := sha256.Sum256(csr.RawSubjectPublicKeyInfo)
	return fmt.Sprintf("%s\n%s\n%s:\n%s", readableDN(csr.Subject.String()), KeyDescription(csr.PublicKey), i18n.T(lang, "doc.label.key_sha256"), twoLines(hex.EncodeToString(sum[:])))
}

// twoLines prints a SHA-256 in two halves, so that it is never broken at a
// random place on the page.
func twoLines(h string) string {
	if len(h) != 64 {
		return h
	}
	return h[:32] + "\n" + h[32:]
}

// readableDN names the attributes crypto/x509 prints as hex
// (organizationIdentifier, GN, SN).
func readableDN(dn string) string {
	parts := cert.DNParts(dn)
	for i, p := range parts {
		parts[i] = cert.ReadableDNPart(p)
	}
	return strings.Join(parts, ", ")
}

// KeyDescription names a public key's type and size ("RSA 3072").
func KeyDescription(pub any) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", pub)
}

// OneLine joins a value the PDF shows on several lines: the halves of a
// SHA-256 without a space, other lines with one.
func OneLine(v string) string {
	lines := strings.Split(v, "\n")
	out := lines[0]
	for i := 1; i < len(lines); i++ {
		prev := lines[i-1]
		if len(prev) == 32 && len(lines[i]) == 32 && isHex(prev) && isHex(lines[i]) {
			out += lines[i]
		} else {
			out += " " + lines[i]
		}
	}
	return out
}

func isHex(s string) bool {
	return strings.Trim(s, "0123456789abcdef") == ""
}

// Subject is what an order is about, in a few words: the service and its
// first FQDN, the holder, the group, the eSeal's organisation, or the
// certificate revoked.
func Subject(o *Order) string {
	switch {
	case o.Revoke != nil:
		for _, p := range cert.DNParts(o.Revoke.Subject) {
			if cn, ok := strings.CutPrefix(p, "CN="); ok {
				return cn
			}
		}
		return o.Revoke.Subject
	case o.Server != nil:
		s := o.Server.ServiceName
		if len(o.Server.FQDNs) > 0 {
			s += " (" + o.Server.FQDNs[0] + ")"
		}
		return s
	case o.Personal != nil:
		return o.Personal.Name
	case o.Group != nil:
		return o.Group.GroupName
	case o.ESeal != nil:
		return o.ESeal.OrganisationName
	}
	return ""
}
