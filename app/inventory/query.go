package inventory

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

// Column is a sortable column of the overviews.
type Column string

const (
	ColKind      Column = "kind"
	ColProfile   Column = "profile" // PKIo G1, G4, public OV … (cert.Profile)
	ColCN        Column = "cn"
	ColOrg       Column = "o"
	ColOIN       Column = "oin"
	ColNames     Column = "sans" // FQDNs for servers, e-mail for the rest
	ColIssuer    Column = "issuer"
	ColSerial    Column = "serial"
	ColNotBefore Column = "notbefore"
	ColNotAfter  Column = "notafter"
	ColStatus    Column = "status"
	ColSHA256    Column = "sha256"
)

// Columns in the order the overviews and the CSV show them.
var Columns = []Column{ColKind, ColProfile, ColCN, ColOrg, ColOIN, ColNames, ColIssuer, ColSerial, ColNotBefore, ColNotAfter, ColStatus, ColSHA256}

// columnAliases lets users type the column names they see, Dutch or English.
var columnAliases = map[string]Column{
	"soort": ColKind, "type": ColProfile, "profiel": ColProfile, "commonname": ColCN, "common-name": ColCN, "naam": ColCN, "name": ColCN,
	"organisatie": ColOrg, "organisation": ColOrg, "organization": ColOrg, "fqdn": ColNames, "email": ColNames,
	"e-mail": ColNames, "uitgever": ColIssuer, "serienummer": ColSerial, "geldigvanaf": ColNotBefore,
	"verloopdatum": ColNotAfter, "expiry": ColNotAfter, "expires": ColNotAfter, "fingerprint": ColSHA256,
}

// ParseColumn reads a column name, Dutch or English.
func ParseColumn(s string) (Column, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, c := range Columns {
		if string(c) == s {
			return c, nil
		}
	}
	if c, ok := columnAliases[s]; ok {
		return c, nil
	}
	return "", i18n.E("err.unknown_column", nil, cert.Printable(s))
}

// StatusFilter selects rows by status; the zero value is the overviews'
// default, Geldig.
type StatusFilter string

const (
	FilterValid   StatusFilter = ""
	FilterExpired StatusFilter = "expired"
	FilterRevoked StatusFilter = "revoked"
	FilterAll     StatusFilter = "all"
)

// ParseStatusFilter reads valid|expired|revoked|all or the Dutch
// geldig|verlopen|ingetrokken|alle.
func ParseStatusFilter(s string) (StatusFilter, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "valid", "geldig":
		return FilterValid, nil
	case "expired", "verlopen":
		return FilterExpired, nil
	case "revoked", "ingetrokken":
		return FilterRevoked, nil
	case "all", "alle":
		return FilterAll, nil
	}
	return "", i18n.E("err.unknown_status", nil, cert.Printable(s))
}

func (f StatusFilter) match(st cert.Status) bool {
	switch f {
	case FilterAll:
		return true
	case FilterExpired:
		return st == cert.StatusExpired
	case FilterRevoked:
		return st == cert.StatusRevoked
	default:
		return st == cert.StatusValid
	}
}

// ParseKind reads server|personal|group|eseal|all (and the Dutch words);
// "all" returns the empty Kind.
func ParseKind(s string) (cert.Kind, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "all", "alle":
		return "", nil
	case "server", "servers", "servercertificaten":
		return cert.KindServer, nil
	case "personal", "persoonlijk", "persoonlijke":
		return cert.KindPersonal, nil
	case "group", "groep", "groeps":
		return cert.KindGroup, nil
	case "eseal", "e-seal":
		return cert.KindESeal, nil
	}
	return "", i18n.E("err.unknown_kind", nil, cert.Printable(s))
}

// Query describes one overview: which kind (empty: all), which status,
// a free text and the sort order.
type Query struct {
	Kind   cert.Kind
	Status StatusFilter
	Text   string
	Sort   Column
	Desc   bool
	// ExpiringDays > 0 keeps only the valid certificates that expire within
	// that many days, as Expiring does (the Start screen's tiles).
	ExpiringDays int
	// Only, when not nil, selects the certificates with these SHA-256s
	// (a report per person: "Er is een selectie toegepast").
	Only map[string]bool
}

// ParseSort reads COLUMN or COLUMN:desc (COLUMN:asc also works).
func ParseSort(s string) (Column, bool, error) {
	if s == "" {
		return ColNotAfter, false, nil
	}
	name, dir, _ := strings.Cut(s, ":")
	col, err := ParseColumn(name)
	if err != nil {
		return "", false, err
	}
	switch strings.ToLower(dir) {
	case "", "asc", "op", "oplopend":
		return col, false, nil
	case "desc", "af", "aflopend":
		return col, true, nil
	}
	return "", false, i18n.E("err.unknown_column", nil, cert.Printable(s))
}

// View is the result of a query: rows in order, and the moment their status
// was judged. Rows are shared and must not be changed.
type View struct {
	Rows []*cert.Certificate
	Now  time.Time
	// statusText words the Status column (Service.SetStatusText).
	statusText StatusText
}

// Query filters and sorts the inventory.
func (s *Service) Query(q Query) View {
	now := s.now()
	text := strings.ToLower(strings.TrimSpace(q.Text))
	if q.Sort == "" {
		q.Sort = ColNotAfter
	}
	if q.ExpiringDays > 0 {
		q.Status = FilterValid
	}
	limit := now.Add(time.Duration(q.ExpiringDays) * 24 * time.Hour)
	keep := func(r *row) bool {
		return (q.Kind == "" || r.kind == q.Kind) &&
			(q.Only == nil || q.Only[r.cert.SHA256]) &&
			q.Status.match(r.status(now)) &&
			(q.ExpiringDays <= 0 || !r.cert.NotAfter.After(limit)) &&
			(text == "" || strings.Contains(r.search, text))
	}
	if q.Sort == ColStatus {
		// Status depends on the clock, so its order is not cached.
		s.mu.RLock()
		var rows []*cert.Certificate
		for i := range s.rows {
			if keep(&s.rows[i]) {
				rows = append(rows, s.rows[i].cert)
			}
		}
		s.mu.RUnlock()
		sortRows(rows, q.Sort, q.Desc, now)
		return View{Rows: rows, Now: now, statusText: s.statusText}
	}
	order := s.order(q.Sort, q.Desc)
	s.mu.RLock()
	defer s.mu.RUnlock()
	rows := make([]*cert.Certificate, 0, 256)
	for _, i := range order {
		if r := &s.rows[i]; keep(r) {
			rows = append(rows, r.cert)
		}
	}
	return View{Rows: rows, Now: now, statusText: s.statusText}
}

// sortOrder names a cached order: a column and a direction.
type sortOrder struct {
	col  Column
	desc bool
}

// order returns the row indices sorted on col, building and caching it on
// first use. Ties go by expiry date, then Common Name, then fingerprint,
// always ascending: equal values show in the same, useful order every time,
// whichever way the column is sorted.
func (s *Service) order(col Column, desc bool) []int32 {
	key := sortOrder{col, desc}
	s.mu.RLock()
	o, ok := s.orders[key]
	s.mu.RUnlock()
	if ok {
		return o
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.orders[key]; ok {
		return o
	}
	keys := sortKeys(s.rows, col)
	o = make([]int32, len(s.rows))
	for i := range o {
		o[i] = int32(i)
	}
	slices.SortFunc(o, func(a, b int32) int {
		c := keys(int(a), int(b))
		if desc {
			c = -c
		}
		if c == 0 {
			c = breakTie(s.rows[a].cert, s.rows[b].cert)
		}
		return c
	})
	if s.orders == nil {
		s.orders = make(map[sortOrder][]int32)
	}
	s.orders[key] = o
	return o
}

// breakTie orders certificates that are equal on the sorted column: by
// expiry date, then Common Name, then fingerprint.
func breakTie(a, b *cert.Certificate) int {
	return cmp.Or(a.NotAfter.Compare(b.NotAfter), compareFold(a.CommonName, b.CommonName), strings.Compare(a.SHA256, b.SHA256))
}

// sortKeys returns a comparison of two rows on col. Text columns compare a
// lower-cased copy made once, not per comparison.
func sortKeys(rows []row, col Column) func(a, b int) int {
	text := func(get func(*cert.Certificate) string) func(a, b int) int {
		keys := make([]string, len(rows))
		for i := range rows {
			keys[i] = strings.ToLower(get(rows[i].cert))
		}
		return func(a, b int) int { return strings.Compare(keys[a], keys[b]) }
	}
	switch col {
	case ColCN:
		return text(func(c *cert.Certificate) string { return c.CommonName })
	case ColOrg:
		return text(func(c *cert.Certificate) string { return c.Organization })
	case ColNames:
		return text(firstName)
	case ColIssuer:
		return text(func(c *cert.Certificate) string { return c.IssuerCN })
	case ColProfile:
		return text(func(c *cert.Certificate) string { return string(c.Profile()) })
	}
	cmpRows := compareFunc(col, time.Time{})
	return func(a, b int) int { return cmpRows(rows[a].cert, rows[b].cert) }
}

// sortRows sorts on one column; ties go as in order.
func sortRows(rows []*cert.Certificate, col Column, desc bool, now time.Time) {
	if col == "" {
		col = ColNotAfter
	}
	less := compareFunc(col, now)
	slices.SortFunc(rows, func(a, b *cert.Certificate) int {
		c := less(a, b)
		if desc {
			c = -c
		}
		if c == 0 {
			c = breakTie(a, b)
		}
		return c
	})
}

var statusOrder = map[cert.Status]int{cert.StatusValid: 0, cert.StatusExpired: 1, cert.StatusRevoked: 2}

func compareFunc(col Column, now time.Time) func(a, b *cert.Certificate) int {
	switch col {
	case ColKind:
		return func(a, b *cert.Certificate) int { return strings.Compare(string(a.Kind), string(b.Kind)) }
	case ColProfile:
		return func(a, b *cert.Certificate) int { return strings.Compare(string(a.Profile()), string(b.Profile())) }
	case ColCN:
		return func(a, b *cert.Certificate) int { return compareFold(a.CommonName, b.CommonName) }
	case ColOrg:
		return func(a, b *cert.Certificate) int { return compareFold(a.Organization, b.Organization) }
	case ColOIN:
		return func(a, b *cert.Certificate) int { return strings.Compare(a.OIN, b.OIN) }
	case ColNames:
		return func(a, b *cert.Certificate) int { return compareFold(firstName(a), firstName(b)) }
	case ColIssuer:
		return func(a, b *cert.Certificate) int { return compareFold(a.IssuerCN, b.IssuerCN) }
	case ColSerial:
		return func(a, b *cert.Certificate) int {
			return cmp.Or(cmp.Compare(len(a.Serial), len(b.Serial)), strings.Compare(a.Serial, b.Serial))
		}
	case ColNotBefore:
		return func(a, b *cert.Certificate) int { return a.NotBefore.Compare(b.NotBefore) }
	case ColStatus:
		return func(a, b *cert.Certificate) int {
			return cmp.Compare(statusOrder[a.Status(now)], statusOrder[b.Status(now)])
		}
	case ColSHA256:
		return func(a, b *cert.Certificate) int { return strings.Compare(a.SHA256, b.SHA256) }
	default:
		return func(a, b *cert.Certificate) int { return a.NotAfter.Compare(b.NotAfter) }
	}
}

// compareFold compares case-insensitively without allocating for ASCII.
func compareFold(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := a[i], b[i]
		if ca >= 0x80 || cb >= 0x80 {
			return strings.Compare(strings.ToLower(a[i:]), strings.ToLower(b[i:]))
		}
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return cmp.Compare(ca, cb)
		}
	}
	return cmp.Compare(len(a), len(b))
}

// Names is what the overviews show in the names column: the FQDNs of a
// server certificate, the e-mail addresses of the others.
func Names(c *cert.Certificate) string {
	if c.Kind == cert.KindServer {
		return strings.Join(c.DNSNames, ", ")
	}
	return strings.Join(c.Emails, ", ")
}

func firstName(c *cert.Certificate) string {
	list := c.Emails
	if c.Kind == cert.KindServer {
		list = c.DNSNames
	}
	if len(list) == 0 {
		return ""
	}
	return list[0]
}

// Expiring returns the valid certificates that expire within the given
// number of days, soonest first.
func (s *Service) Expiring(days int) View {
	now := s.now()
	limit := now.Add(time.Duration(days) * 24 * time.Hour)
	s.mu.RLock()
	var rows []*cert.Certificate
	for i := range s.rows {
		r := &s.rows[i]
		if r.status(now) == cert.StatusValid && !r.cert.NotAfter.After(limit) {
			rows = append(rows, r.cert)
		}
	}
	s.mu.RUnlock()
	sortRows(rows, ColNotAfter, false, now)
	return View{Rows: rows, Now: now, statusText: s.statusText}
}
