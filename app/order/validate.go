package order

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

// Field names a form field; the screens validate each as it is typed with
// ValidateField, and placing checks them all with Problems.
type Field string

const (
	FieldProduct     Field = "product"
	FieldManager     Field = "manager"
	FieldServiceName Field = "service_name"
	FieldFQDNs       Field = "fqdns"
	FieldCSR         Field = "csr"
	FieldHolderName  Field = "holder_name"
	FieldEmail       Field = "email"
	FieldPhone       Field = "phone"
	FieldCarrier     Field = "carrier"
	FieldGroupName   Field = "group_name"
	FieldMailbox     Field = "mailbox"
	FieldESealName   Field = "eseal_name"
	FieldReason      Field = "reason"
	FieldExplanation Field = "explanation"
	FieldPersonName  Field = "person_name" // a new Certificaatbeheerder
)

// Problem is one field that is not right yet.
type Problem struct {
	Field Field
	Err   error
}

const (
	maxText = 64
	maxName = 100
)

// ValidateField checks one value as the user types it. FQDNs are one per
// line (or separated by commas or spaces).
func ValidateField(f Field, value string, p Product) error {
	v := strings.TrimSpace(value)
	switch f {
	case FieldServiceName:
		return checkText(v, maxText, "order.field.service_name")
	case FieldFQDNs:
		names := SplitFQDNs(value)
		if len(names) == 0 {
			return i18n.E("order.field.fqdns_empty", nil)
		}
		if p != ProductCertSIGNOV && len(names) > 100 {
			return i18n.E("order.field.fqdns_too_many", nil, len(names))
		}
		seen := map[string]bool{}
		for _, n := range names {
			if err := ValidateFQDN(n, p); err != nil {
				return err
			}
			if seen[n] {
				return i18n.E("order.field.fqdn_twice", nil, n)
			}
			seen[n] = true
		}
		return nil
	case FieldHolderName, FieldPersonName:
		return checkText(v, maxName, "order.field.name")
	case FieldGroupName:
		return checkText(v, maxText, "order.field.group_name")
	case FieldESealName:
		return checkText(v, maxText, "order.field.eseal_name")
	case FieldEmail, FieldMailbox:
		return ValidateEmail(v)
	case FieldPhone:
		return ValidatePhone(v)
	case FieldExplanation:
		if utf8.RuneCountInString(v) > 500 {
			return i18n.E("order.field.too_long", nil, 500)
		}
		return checkPrintable(v)
	}
	return nil
}

func checkText(v string, limit int, emptyKey string) error {
	if v == "" {
		return i18n.E(emptyKey, nil)
	}
	if utf8.RuneCountInString(v) > limit {
		return i18n.E("order.field.too_long", nil, limit)
	}
	return checkPrintable(v)
}

func checkPrintable(v string) error {
	if !utf8.ValidString(v) {
		return i18n.E("order.field.unprintable", nil)
	}
	for _, r := range v {
		if !unicode.IsPrint(r) {
			return i18n.E("order.field.unprintable", nil)
		}
	}
	return nil
}

// SplitFQDNs reads the FQDN field: names separated by lines, commas or
// spaces, lower-cased, empty ones dropped.
func SplitFQDNs(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || unicode.IsSpace(r) }) {
		out = append(out, strings.ToLower(f))
	}
	return out
}

// ValidateFQDN checks a fully qualified domain name for a server
// certificate: letters, digits and hyphens in labels of at most 63, at
// least two labels, no IP address. A leading "*." wildcard is only for
// certSIGN OV: PKIoverheid G4 TLS allows none.
func ValidateFQDN(name string, p Product) error {
	shown := cert.Printable(name)
	if name == "" {
		return i18n.E("order.field.fqdns_empty", nil)
	}
	if len(name) > 253 {
		return i18n.E("order.field.fqdn_long", nil, shown)
	}
	rest := name
	if strings.HasPrefix(name, "*.") {
		if p != ProductCertSIGNOV {
			return i18n.E("order.field.fqdn_wildcard", nil, shown)
		}
		rest = name[2:]
	}
	labels := strings.Split(rest, ".")
	if len(labels) < 2 {
		return i18n.E("order.field.fqdn_not_qualified", nil, shown)
	}
	allDigits := true
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return i18n.E("order.field.fqdn_label", nil, shown)
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return i18n.E("order.field.fqdn_hyphen", nil, shown)
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			switch {
			case c >= 'a' && c <= 'z', c == '-':
				allDigits = false
			case c >= '0' && c <= '9':
			default:
				return i18n.E("order.field.fqdn_char", nil, shown)
			}
		}
	}
	if allDigits {
		return i18n.E("order.field.fqdn_ip", nil, shown)
	}
	return nil
}

// ValidateEmail checks a plain e-mail address (no display name).
func ValidateEmail(v string) error {
	if v == "" {
		return i18n.E("order.field.email_empty", nil)
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || a.Name != "" || !strings.Contains(v[strings.LastIndexByte(v, '@')+1:], ".") {
		return i18n.E("order.field.email_invalid", nil, cert.Printable(v))
	}
	return nil
}

// ValidatePhone checks a telephone number: digits with optional +, spaces
// and hyphens, 10 to 15 digits.
func ValidatePhone(v string) error {
	if v == "" {
		return i18n.E("order.field.phone_empty", nil)
	}
	digits := 0
	for i, r := range v {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == ' ', r == '-':
		default:
			return i18n.E("order.field.phone_invalid", nil)
		}
	}
	if digits < 10 || digits > 15 {
		return i18n.E("order.field.phone_invalid", nil)
	}
	return nil
}

// Problems lists every field of an order that is not right, in form
// order. An order with problems cannot be placed. CSR findings are
// separate (Lint).
func Problems(o *Order) []Problem {
	var out []Problem
	add := func(f Field, err error) {
		if err != nil {
			out = append(out, Problem{f, err})
		}
	}
	if !o.Product.Valid() {
		add(FieldProduct, i18n.E("order.field.product", nil))
		return out
	}
	if o.Kind == KindRevoke {
		if o.Revoke == nil || o.Revoke.Certificate == "" {
			add(FieldReason, i18n.E("order.revoke_no_certificate", nil))
			return out
		}
		if !o.Revoke.Reason.Allowed() {
			add(FieldReason, i18n.E("order.field.reason", nil))
		}
		add(FieldExplanation, ValidateField(FieldExplanation, o.Revoke.Explanation, o.Product))
		return out
	}
	if o.Product.NeedsManager() {
		switch {
		case o.Manager == nil:
			add(FieldManager, i18n.E("order.field.manager", nil))
		case o.Manager.New:
			add(FieldPersonName, ValidateField(FieldPersonName, o.Manager.Name, o.Product))
			add(FieldEmail, ValidateEmail(o.Manager.Email))
			add(FieldPhone, ValidatePhone(o.Manager.Phone))
		}
	}
	switch o.CertKind() {
	case cert.KindServer:
		d := o.Server
		if d == nil {
			d = &ServerDetails{}
		}
		add(FieldServiceName, ValidateField(FieldServiceName, d.ServiceName, o.Product))
		add(FieldFQDNs, ValidateField(FieldFQDNs, strings.Join(d.FQDNs, "\n"), o.Product))
		if strings.TrimSpace(d.CSR) == "" {
			add(FieldCSR, i18n.E("order.field.csr_empty", nil))
		}
	case cert.KindPersonal:
		d := o.Personal
		if d == nil {
			d = &PersonalDetails{}
		}
		add(FieldHolderName, ValidateField(FieldHolderName, d.Name, o.Product))
		add(FieldEmail, ValidateEmail(strings.TrimSpace(d.Email)))
		add(FieldPhone, ValidatePhone(strings.TrimSpace(d.Phone)))
		want := []Carrier{CarrierSmartcard, CarrierUSBToken}
		if o.Product == ProductPersonalMobile {
			want = []Carrier{CarrierMobile}
		}
		if !containsCarrier(want, d.Carrier) {
			add(FieldCarrier, i18n.E("order.field.carrier", nil))
		}
	case cert.KindGroup:
		d := o.Group
		if d == nil {
			d = &GroupDetails{}
		}
		add(FieldGroupName, ValidateField(FieldGroupName, d.GroupName, o.Product))
		add(FieldMailbox, ValidateEmail(strings.TrimSpace(d.Mailbox)))
	case cert.KindESeal:
		d := o.ESeal
		if d == nil {
			d = &ESealDetails{}
		}
		add(FieldESealName, ValidateField(FieldESealName, d.OrganisationName, o.Product))
		want := CarrierToken
		if o.Product == ProductESealCloud {
			want = CarrierCloud
		}
		if d.Carrier != want {
			add(FieldCarrier, i18n.E("order.field.carrier", nil))
		}
	}
	return out
}

func containsCarrier(list []Carrier, c Carrier) bool {
	for _, x := range list {
		if x == c {
			return true
		}
	}
	return false
}
