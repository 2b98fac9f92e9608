// Package audit is pkiodesk's journal: an append-only, hash-chained record
// of every action (logins, imports, exports, changes, refusals), written in
// the same database transaction as the change it records, verifiable and
// exportable for auditors (BIO, ENSIA).
//
// An entry has typed fields only, each checked against what it may hold (a
// fingerprint is 64 hex digits, a reason is a message key, ...): there is no
// free text in which a PIN, a key, an ID document or a client secret could
// end up.
package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"pkiodesk/app/i18n"
)

// Action is what was done.
type Action string

const (
	Login         Action = "login"          // success or refusal (with the reason)
	Logout        Action = "logout"         // the user logged out
	CardRemoved   Action = "card-removed"   // the session ended because the card left the reader
	SetUp         Action = "setup"          // the organisation and its first BV registered
	Import        Action = "import"         // certificates imported (Count: how many new)
	ExportCSV     Action = "export-csv"     // an overview exported as CSV (Count: rows)
	Download      Action = "download"       // one certificate downloaded
	SettingChange Action = "settings"       // a workstation setting changed
	BRPAdd        Action = "brp-add"        // afnemer added to the BRP register
	BRPChange     Action = "brp-change"     // afnemer changed
	BRPRemove     Action = "brp-remove"     // afnemer removed
	BRPExport     Action = "brp-export"     // gateway configuration exported
	Denied        Action = "denied"         // refused by the authorisation matrix (Object: the permission)
	JournalExport Action = "journal-export" // this journal exported (Count: entries)
	Checkpoint    Action = "checkpoint"     // the head signed with the login card
	// Later areas add theirs here (orders, change forms, people).
	OrderPlaced    Action = "order-placed"
	OrderSubmitted Action = "order-submitted"
	OrderIssued    Action = "order-issued"
	OrderRejected  Action = "order-rejected"
	OrderCancelled Action = "order-cancelled" // a placed order withdrawn before submission
	Revoked        Action = "revoked"
	ChangeForm     Action = "change-form"
	PersonChange   Action = "person-change"
	CertRemoved    Action = "cert-removed"
	CertAssigned   Action = "cert-assigned"
	// Organisatiegegevens (chapter 7): a change form kept pending (Object:
	// its number), confirmed into the register or cancelled; a
	// Certificaatbeheerder deactivated (Count: certificates handed over).
	ChangeConfirmed    Action = "change-confirmed"
	ChangeCancelled    Action = "change-cancelled"
	ManagerDeactivated Action = "manager-deactivated"
	// A signed change form that carries copies of ID documents opened in
	// the PDF viewer, saved, or sent to the printer (Object: its number;
	// Count: the ID copies in it; never their content or file names).
	ChangeDocOpened  Action = "change-pdf-opened"
	ChangeDocSaved   Action = "change-pdf-saved"
	ChangeDocPrinted Action = "change-pdf-printed"
)

// Actions lists every action, in the order the Logboek filter shows them.
var Actions = []Action{
	Login, Logout, CardRemoved, SetUp, Import, ExportCSV, Download, SettingChange,
	BRPAdd, BRPChange, BRPRemove, BRPExport, Denied, JournalExport, Checkpoint,
	OrderPlaced, OrderSubmitted, OrderIssued, OrderRejected, OrderCancelled, Revoked, ChangeForm, PersonChange, CertRemoved, CertAssigned,
	ChangeConfirmed, ChangeCancelled, ManagerDeactivated,
	ChangeDocOpened, ChangeDocSaved, ChangeDocPrinted,
}

// ObjectKind says what an entry's object identifies.
type ObjectKind string

const (
	NoObject      ObjectKind = ""
	CertObject    ObjectKind = "certificate"  // SHA-256 fingerprint
	OrderObject   ObjectKind = "order"        // order number
	AfnemerObject ObjectKind = "afnemer"      // BRP AfnemerID
	PersonObject  ObjectKind = "person"       // registered person's ID
	SettingObject ObjectKind = "setting"      // name of a setting
	Permission    ObjectKind = "permission"   // a permission of the authorisation matrix
	OrgObject     ObjectKind = "organisation" // the subscriber (no ID)
	JournalObject ObjectKind = "journal"      // the journal itself (ID: head number)
	ChangeObject  ObjectKind = "change"       // a change form's number
)

// Object is what an action was done to.
type Object struct {
	Kind ObjectKind `json:"kind,omitempty"`
	ID   string     `json:"id,omitempty"`
}

// Outcome says how the action ended.
type Outcome string

const (
	OK      Outcome = "ok"
	Refused Outcome = "refused" // refused by a rule: wrong card, not allowed, invalid input
	Failed  Outcome = "failed"  // could not be done: database, file, network
)

// Actor is who acted: the person and the login certificate, or, on the
// command line without a card, nobody ("—") and the OS user name.
type Actor struct {
	PersonID string `json:"person,omitempty"`
	CertSHA  string `json:"cert,omitempty"`
	OSUser   string `json:"os_user,omitempty"`
}

// Name is how the journal shows the person: the ID, or "—".
func (a Actor) Name() string {
	if a.PersonID == "" {
		return "—"
	}
	return a.PersonID
}

// Entry is one line of the journal. Seq, Time, Prev and Hash are set by the
// journal when the entry is written.
type Entry struct {
	V       int       `json:"v"`
	Seq     uint64    `json:"seq"`
	Time    time.Time `json:"time"`
	Who     Actor     `json:"who"`
	Action  Action    `json:"action"`
	Object  Object    `json:"object"`
	Outcome Outcome   `json:"outcome"`
	// Reason is the message key of a refusal or failure (never its
	// arguments, which may carry input).
	Reason string `json:"reason,omitempty"`
	// Count is how many things the action touched (certificates imported,
	// rows exported).
	Count int `json:"count,omitempty"`
	// Prev is the SHA-256 of the previous entry (hex), empty for the first.
	Prev string `json:"prev"`
	// Hash is the SHA-256 of this entry encoded with Hash empty.
	Hash string `json:"hash"`
}

const entryVersion = 1

var (
	hexSHA   = regexp.MustCompile(`^[0-9a-f]{64}$`)
	personID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	orderNo  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$`)
	afnemer  = regexp.MustCompile(`^[0-9]{6}$`)
	numberID = regexp.MustCompile(`^[0-9]{1,20}$`)
	msgKey   = regexp.MustCompile(`^[a-z0-9_]+(\.[a-z0-9_-]+)+$`) // "org.denied.change-bv"
)

// settingNames are the settings an entry may name.
var settingNames = map[string]bool{"language": true, "module-paths": true, "outbox": true}

// errInvalid is the cause of every refused entry; the message names the field.
var errInvalid = errors.New("audit entry field refused")

func invalid(field string) error { return i18n.E("audit.err.field", errInvalid, field) }

// Validate refuses an entry whose fields hold anything but what they are for.
func (e *Entry) Validate() error {
	if e.Who.PersonID != "" && !personID.MatchString(e.Who.PersonID) {
		return invalid("person")
	}
	if e.Who.CertSHA != "" && !hexSHA.MatchString(e.Who.CertSHA) {
		return invalid("cert")
	}
	if e.Who.OSUser != "" && !validOSUser(e.Who.OSUser) {
		return invalid("os_user")
	}
	if !knownAction(e.Action) {
		return invalid("action")
	}
	if err := e.Object.validate(); err != nil {
		return err
	}
	switch e.Outcome {
	case OK, Refused, Failed:
	default:
		return invalid("outcome")
	}
	if e.Reason != "" && (!msgKey.MatchString(e.Reason) || len(e.Reason) > 64 || i18n.T(i18n.EN, e.Reason) == e.Reason) {
		return invalid("reason")
	}
	if e.Count < 0 {
		return invalid("count")
	}
	if e.Prev != "" && !hexSHA.MatchString(e.Prev) {
		return invalid("prev")
	}
	return nil
}

// KnownAction reports whether a is one of Actions.
func KnownAction(a Action) bool { return knownAction(a) }

func knownAction(a Action) bool {
	for _, k := range Actions {
		if a == k {
			return true
		}
	}
	return false
}

func (o Object) validate() error {
	ok := false
	switch o.Kind {
	case NoObject, OrgObject:
		ok = o.ID == ""
	case CertObject:
		ok = hexSHA.MatchString(o.ID)
	case OrderObject, ChangeObject:
		ok = orderNo.MatchString(o.ID)
	case AfnemerObject:
		ok = afnemer.MatchString(o.ID)
	case PersonObject:
		ok = personID.MatchString(o.ID)
	case SettingObject:
		ok = settingNames[o.ID]
	case Permission:
		ok = personID.MatchString(o.ID)
	case JournalObject:
		ok = o.ID == "" || numberID.MatchString(o.ID)
	}
	if !ok {
		return invalid("object")
	}
	return nil
}

// validOSUser accepts what operating systems allow in a login name (also
// DOMAIN\user and user@domain), at most 64 characters, no control characters.
func validOSUser(s string) bool {
	if len(s) > 64 || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(`._-\@ $`, r) {
			return false
		}
	}
	return true
}

// Valid says whether an entry may carry this object.
func (o Object) Valid() error { return o.validate() }

// CleanOSUser makes an OS login name fit an entry: characters an entry
// refuses become '_', and it is cut at 64 characters.
func CleanOSUser(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= 60 {
			break
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(`._-\@ $`, r) {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}

// Cert names a certificate by its fingerprint (any case).
func Cert(sha256 string) Object { return Object{Kind: CertObject, ID: strings.ToLower(sha256)} }

// Order names an order by its number.
func Order(number string) Object { return Object{Kind: OrderObject, ID: number} }

// ChangeNumber names a change form by its number.
func ChangeNumber(number string) Object { return Object{Kind: ChangeObject, ID: number} }

// Afnemer names a BRP afnemer by its AfnemerID.
func Afnemer(id string) Object { return Object{Kind: AfnemerObject, ID: id} }

// Person names a registered person.
func Person(id string) Object { return Object{Kind: PersonObject, ID: id} }

// Setting names a workstation setting.
func Setting(name string) Object { return Object{Kind: SettingObject, ID: name} }

// Perm names a permission of the authorisation matrix.
func Perm(p string) Object { return Object{Kind: Permission, ID: p} }

// ReasonOf is the message key of the first user-facing error in err's
// chain, the only part of an error the journal keeps.
func ReasonOf(err error) string {
	var ue *i18n.Error
	if errors.As(err, &ue) && msgKey.MatchString(ue.Key) && len(ue.Key) <= 64 {
		return ue.Key
	}
	return ""
}

// encode writes the entry with its hash: SHA-256 over the encoding with an
// empty Hash field.
func (e *Entry) seal() ([]byte, error) {
	e.V = entryVersion
	e.Hash = ""
	body, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	e.Hash = hex.EncodeToString(sum[:])
	return json.Marshal(e)
}

// errDecode marks a stored value that is not an entry this build reads.
var errDecode = errors.New("not a journal entry")

// decode reads a stored entry strictly and checks its own hash.
func decode(v []byte) (Entry, bool, error) {
	var e Entry
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil || dec.More() {
		return Entry{}, false, errDecode
	}
	if e.V != entryVersion {
		return Entry{}, false, errDecode
	}
	if err := e.Validate(); err != nil {
		return e, false, err
	}
	want := e.Hash
	check := e
	if _, err := check.seal(); err != nil {
		return e, false, err
	}
	return e, check.Hash == want, nil
}
