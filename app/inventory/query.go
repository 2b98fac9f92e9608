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
	switch strings.ToLower(strings.TrimSpace(dir)) {
	case "", "asc", "op", "oplopend":
		return col, false, nil
	case "desc", "af", "aflopend":
		return col, true, nil
	}
	return "", false, i18n.E("err.unknown_direction", nil, cert.Printable(dir))
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
	s.ensureLoaded()
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
			(q.Only == nil || q.Only[r.key]) &&
			q.Status.match(r.status(now)) &&
			(q.ExpiringDays <= 0 || !r.notAfter().After(limit)) &&
			(text == "" || strings.Contains(r.search, text))
	}
	if q.Sort == ColStatus {
		// Status depends on the clock, so its order is not cached.
		s.mu.RLock()
		var matched []*row
		for _, r := range s.rows {
			if keep(r) {
				matched = append(matched, r)
			}
		}
		rows := s.certificates(matched)
		s.mu.RUnlock()
		sortRows(rows, q.Sort, q.Desc, now)
		return View{Rows: rows, Now: now, statusText: s.statusText}
	}
	if text != "" && !s.hasOrder(q.Sort, q.Desc) {
		// A text filter usually keeps few rows: sort those instead of
		// building the order of the whole inventory (a command line
		// `list --filter` runs one query and exits).
		s.mu.RLock()
		defer s.mu.RUnlock()
		var idx []int32
		for i, r := range s.rows {
			if keep(r) {
				idx = append(idx, int32(i))
			}
		}
		s.sortIndices(idx, q.Sort, q.Desc)
		matched := make([]*row, len(idx))
		for k, i := range idx {
			matched[k] = s.rows[i]
		}
		return View{Rows: s.certificates(matched), Now: now, statusText: s.statusText}
	}
	order := s.order(q.Sort, q.Desc)
	s.mu.RLock()
	defer s.mu.RUnlock()
	matched := make([]*row, 0, 256)
	for _, i := range order {
		if r := s.rows[i]; keep(r) {
			matched = append(matched, r)
		}
	}
	return View{Rows: s.certificates(matched), Now: now, statusText: s.statusText}
}

func (s *Service) hasOrder(col Column, desc bool) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, ok := s.orders[sortOrder{col, desc}]
	return ok
}

// sortIndices sorts row indices on col; ties go by expiry date, then
// Common Name, then fingerprint, always ascending (see order). The caller
// holds the lock.
func (s *Service) sortIndices(idx []int32, col Column, desc bool) {
	switch col {
	case ColCN, ColOrg, ColKind, ColSHA256, ColNotAfter, "":
	default:
		// The other columns need the whole records.
		rows := make([]*row, len(idx))
		for k, i := range idx {
			rows[k] = s.rows[i]
		}
		s.decode(rows)
	}
	keys := sortKeys(s.rows, idx, col)
	slices.SortFunc(idx, func(a, b int32) int {
		c := keys(a, b)
		if desc {
			c = -c
		}
		if c == 0 {
			c = breakRowTie(s.rows[a], s.rows[b])
		}
		return c
	})
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
	o = make([]int32, len(s.rows))
	for i := range o {
		o[i] = int32(i)
	}
	s.sortIndices(o, col, desc)
	if s.orders == nil {
		s.orders = make(map[sortOrder][]int32)
	}
	s.orders[key] = o
	return o
}

// breakTie orders certificates that are equal on the sorted column: by
// expiry date, then Common Name, then fingerprint.
func breakTie(a, b *cert.Certificate) int {
	if c := a.NotAfter.Compare(b.NotAfter); c != 0 {
		return c
	}
	if c := compareFold(a.CommonName, b.CommonName); c != 0 {
		return c
	}
	return strings.Compare(a.SHA256, b.SHA256)
}

// breakRowTie is breakTie on what every row holds without decoding. Each
// step runs only when the ones before are equal (cmp.Or would compute all
// of them, and a Common Name with non-ASCII letters costs allocations).
func breakRowTie(a, b *row) int {
	if c := cmp.Compare(a.notAfterSec, b.notAfterSec); c != 0 {
		return c
	}
	if c := cmp.Compare(a.notAfterNsec, b.notAfterNsec); c != 0 {
		return c
	}
	if c := compareFold(a.cn, b.cn); c != 0 {
		return c
	}
	return strings.Compare(a.key, b.key)
}

// sortKeys returns a comparison of two rows (by index) on col, for the rows
// in idx. Text columns compare a lower-cased copy made once, not per
// comparison; CN, organisation, expiry, kind and fingerprint need no
// decoding at all, the others rows that sortIndices decoded.
func sortKeys(rows []*row, idx []int32, col Column) func(a, b int32) int {
	text := func(get func(*row) string) func(a, b int32) int {
		if len(idx) == len(rows) {
			all := make([]string, len(rows))
			for i, r := range rows {
				all[i] = strings.ToLower(get(r))
			}
			return func(a, b int32) int { return strings.Compare(all[a], all[b]) }
		}
		keys := make(map[int32]string, len(idx))
		for _, i := range idx {
			keys[i] = strings.ToLower(get(rows[i]))
		}
		return func(a, b int32) int { return strings.Compare(keys[a], keys[b]) }
	}
	switch col {
	case ColCN:
		return text(func(r *row) string { return r.cn })
	case ColOrg:
		return text(func(r *row) string { return r.org })
	case ColNames:
		return text(func(r *row) string { return firstName(r.cert.Load()) })
	case ColIssuer:
		return text(func(r *row) string { return r.cert.Load().IssuerCN })
	case ColProfile:
		return text(func(r *row) string { return string(r.cert.Load().Profile()) })
	case ColKind:
		return func(a, b int32) int { return strings.Compare(string(rows[a].kind), string(rows[b].kind)) }
	case ColSHA256:
		return func(a, b int32) int { return strings.Compare(rows[a].key, rows[b].key) }
	case ColNotAfter, "":
		return func(a, b int32) int {
			ra, rb := rows[a], rows[b]
			return cmp.Or(cmp.Compare(ra.notAfterSec, rb.notAfterSec), cmp.Compare(ra.notAfterNsec, rb.notAfterNsec))
		}
	}
	cmpRows := compareFunc(col, time.Time{})
	return func(a, b int32) int { return cmpRows(rows[a].cert.Load(), rows[b].cert.Load()) }
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

// MaxDays is the furthest Expiring looks ahead: a hundred years.
const MaxDays = 36500

// Expiring returns the valid certificates that expire within the given
// number of days (0 to MaxDays), soonest first.
func (s *Service) Expiring(days int) View {
	s.ensureLoaded()
	now := s.now()
	// AddDate, not a Duration: days*24h overflows beyond 106,751 days.
	limit := now.AddDate(0, 0, min(max(days, 0), MaxDays))
	sec, nsec := limit.Unix(), int32(limit.Nanosecond())
	s.mu.RLock()
	var matched []*row
	for _, r := range s.rows {
		if r.status(now) == cert.StatusValid && (r.notAfterSec < sec || r.notAfterSec == sec && r.notAfterNsec <= nsec) {
			matched = append(matched, r)
		}
	}
	rows := s.certificates(matched)
	s.mu.RUnlock()
	sortRows(rows, ColNotAfter, false, now)
	return View{Rows: rows, Now: now, statusText: s.statusText}
}
