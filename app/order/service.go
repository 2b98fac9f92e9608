package order

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"pkiodesk/app/audit"
	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/inventory"
	"pkiodesk/app/org"
	"pkiodesk/app/store"
	"pkiodesk/pdfseal"
)

// Store is what the order desk needs from storage; store.Bolt provides it.
type Store interface {
	CreateOrder(ctx context.Context, rec store.OrderRecord) error
	Order(ctx context.Context, id string) (store.OrderRecord, error)
	Orders(ctx context.Context) ([]store.OrderRecord, []error, error)
	ChangeOrder(ctx context.Context, id string, ch store.OrderChange) (store.OrderResult, error)
	DeleteOrder(ctx context.Context, id string) error
	Organisation(ctx context.Context) (org.Organisation, bool, error)
	People(ctx context.Context) ([]org.Person, error)
}

// Record is an order with its lifecycle as read from the store, its
// content hash checked.
type Record struct {
	Order Order
	Life  Lifecycle
	// Hash is the hex SHA-256 of the order's JSON (printed on its PDF).
	Hash string
	// Document is the signed PDF: the order as the CA receives it.
	Document []byte
}

// State is the order's current state.
func (r *Record) State() State { return r.Life.State }

// Service is the order desk. Every state change goes through move.
type Service struct {
	store   Store
	inv     *inventory.Service
	now     func() time.Time
	journal Journal
	actor   func() audit.Actor
	// trust is the trust store an imported certificate must chain to
	// before it is linked to an order (MatchImported); nil links none.
	trust SignerTrust
}

// WithTrust sets the trust store imported certificates are checked
// against before they are linked to their orders (app/trust.Service).
func (s *Service) WithTrust(t SignerTrust) *Service {
	s.trust = t
	return s
}

// Journal records an order's state changes in the audit journal, in the
// transaction of the change itself (app/audit provides it).
type Journal interface {
	Change(ctx context.Context, e audit.Entry, change func(context.Context) error) error
}

// WithJournal has every state change recorded, naming the actor.
func (s *Service) WithJournal(j Journal, actor func() audit.Actor) *Service {
	s.journal, s.actor = j, actor
	return s
}

// journalAction is the audit action of a step; "" records nothing (a draft
// cancelled, an activation's progress).
func journalAction(to State, k Kind, placed bool) audit.Action {
	switch to {
	case StateCancelled:
		if placed {
			return audit.OrderCancelled
		}
	case StatePlaced:
		return audit.OrderPlaced
	case StateSubmitted:
		return audit.OrderSubmitted
	case StateIssued:
		if k == KindRevoke {
			return audit.Revoked
		}
		return audit.OrderIssued
	case StateRejected:
		return audit.OrderRejected
	}
	return ""
}

// NewService opens the order desk on a store and the inventory.
func NewService(st Store, inv *inventory.Service, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: st, inv: inv, now: now}
}

// Now is the desk's clock.
func (s *Service) Now() time.Time { return s.now() }

// Inventory is the inventory the desk links certificates in.
func (s *Service) Inventory() *inventory.Service { return s.inv }

func encodeRecord(r *Record, placed bool) (store.OrderRecord, error) {
	content, err := json.Marshal(r.Order)
	if err != nil {
		return store.OrderRecord{}, err
	}
	life, err := json.Marshal(r.Life)
	if err != nil {
		return store.OrderRecord{}, err
	}
	return store.OrderRecord{ID: r.Order.ID, Content: content, Hash: store.ContentHash(content), Placed: placed, Document: r.Document, Lifecycle: life}, nil
}

// decode reads a stored order. The store checked the hash already; the
// content must also name the record it is stored under.
func decode(sr store.OrderRecord) (Record, error) {
	var r Record
	if err := json.Unmarshal(sr.Content, &r.Order); err != nil {
		return Record{}, i18n.E("order.damaged", err, cert.Printable(sr.ID))
	}
	if err := json.Unmarshal(sr.Lifecycle, &r.Life); err != nil {
		return Record{}, i18n.E("order.damaged", err, cert.Printable(sr.ID))
	}
	if r.Order.ID != sr.ID || !r.Life.State.Valid() || sr.Placed != (r.Life.State != StateDraft && !(r.Life.State == StateCancelled && len(sr.Document) == 0)) {
		return Record{}, i18n.E("order.damaged", fmt.Errorf("state %q, placed %v", r.Life.State, sr.Placed), cert.Printable(sr.ID))
	}
	if store.ContentHash(sr.Content) != sr.Hash {
		return Record{}, i18n.E("order.hash_mismatch", nil, cert.Printable(sr.ID))
	}
	if sr.Placed {
		if err := documentHolds(sr.Document, sr.Content, sr.Hash); err != nil {
			return Record{}, i18n.E("order.hash_mismatch", err, cert.Printable(sr.ID))
		}
	}
	r.Hash, r.Document = sr.Hash, sr.Document
	return r, nil
}

// documentHolds checks a placed order's stored content against its signed
// document: the order attached to the PDF must be the content byte for
// byte, and hash to the stored hash. Someone who rewrites the content (and
// its hash) in the database file cannot rewrite the signed PDF to match.
// This is the cheap check every read does (the attachment is parsed, the
// seal is not verified); Submit, `order show` and the confirmation page
// verify the seal and the signer as well (ReadSigned).
func documentHolds(pdf, content []byte, hash string) error {
	as, err := pdfseal.Attachments(context.Background(), pdf)
	if err != nil {
		return err
	}
	n := 0
	var attached []byte
	for _, a := range as {
		if a.Name == AttachmentOrder {
			n++
			attached = a.Data
		}
	}
	switch {
	case n != 1:
		return fmt.Errorf("the signed document holds %d orders", n)
	case !bytes.Equal(attached, content) || store.ContentHash(attached) != hash:
		return errors.New("the signed document holds another order")
	}
	return nil
}

// Get reads one order.
func (s *Service) Get(ctx context.Context, id string) (Record, error) {
	sr, err := s.store.Order(ctx, id)
	if err != nil {
		return Record{}, err
	}
	return decode(sr)
}

// List returns the orders, newest first, and the damaged ones by name
// (each a *store.DamagedOrder: its key and why it failed its check).
func (s *Service) List(ctx context.Context) ([]Record, []error, error) {
	srs, damaged, err := s.store.Orders(ctx)
	if err != nil {
		return nil, nil, err
	}
	out := make([]Record, 0, len(srs))
	for _, sr := range srs {
		r, err := decode(sr)
		if err != nil {
			damaged = append(damaged, &store.DamagedOrder{ID: sr.ID, Err: err})
			continue
		}
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, b Record) int { return b.Order.Created.Compare(a.Order.Created) })
	return out, damaged, nil
}

// newID makes an order number: product family, date and a random part,
// safe as a file name.
func newID(p Product, now time.Time) string {
	b := make([]byte, 4)
	rand.Read(b)
	prefix := "PKIO"
	switch p.CertKind() {
	case cert.KindPersonal:
		prefix = "PERS"
	case cert.KindGroup:
		prefix = "GRP"
	case cert.KindESeal:
		prefix = "SEAL"
	}
	if p == ProductCertSIGNOV {
		prefix = "CSGN"
	}
	return fmt.Sprintf("%s-%s-%s", prefix, now.UTC().Format("20060102"), strings.ToUpper(hex.EncodeToString(b)))
}

// step is one state change and what goes with it.
type step struct {
	to State // empty: the state stays, the lifecycle changes (and is logged)
	by string
	// note is someone's own words; noteKey and noteArgs what pkiodesk
	// says about the step (rendered in the reader's language).
	note     string
	noteKey  string
	noteArgs []string
	// edit changes the record before it is written (the content only while
	// it is a draft: the store refuses it after placing).
	edit func(*Record) error
	// placing marks the record placed (with its signed document).
	placing bool
	// cert and certChange change a certificate record in the same
	// transaction; people registers people in it.
	cert       string
	certChange func(*cert.Certificate) error
	assignment *store.Assignment
	people     []org.Person
}

// move is the one function through which an order changes state: it
// checks the state machine, records the event and writes the order, and
// whatever belongs to the step, in one transaction. (The audit journal's
// entry belongs here.)
func (s *Service) move(ctx context.Context, id string, st step) (Record, error) {
	at := s.now().UTC()
	var out Record
	change := func(ctx context.Context) (store.OrderResult, error) {
		return s.store.ChangeOrder(ctx, id, s.orderChange(id, st, at, &out))
	}
	var res store.OrderResult
	var err error
	var kind Kind
	placed := false
	if s.journal != nil && st.to != "" {
		if r, gerr := s.Get(ctx, id); gerr == nil {
			kind, placed = r.Order.Kind, len(r.Document) > 0
		}
	}
	if a := journalAction(st.to, kind, placed); s.journal != nil && a != "" {
		err = s.journal.Change(ctx, audit.Entry{Who: s.actor(), Action: a, Object: audit.Order(id)}, func(ctx context.Context) error {
			var cerr error
			res, cerr = change(ctx)
			return cerr
		})
	} else {
		res, err = change(ctx)
	}
	if err != nil {
		return Record{}, err
	}
	if res.Certificate != nil && s.inv != nil {
		s.inv.Replace(*res.Certificate)
	}
	return out, nil
}

// orderChange is the store change of one step.
func (s *Service) orderChange(id string, st step, at time.Time, out *Record) store.OrderChange {
	return store.OrderChange{
		Order: func(sr *store.OrderRecord) error {
			r, err := decode(*sr)
			if err != nil {
				return err
			}
			to := st.to
			if to == "" {
				to = r.Life.State // a change within the state (activation)
			} else if !CanMove(r.Life.State, to) {
				return i18n.E("order.transition", nil, cert.Printable(id), stateWord(r.Life.State), stateWord(to))
			}
			if st.edit != nil {
				if err := st.edit(&r); err != nil {
					return err
				}
			}
			r.Life.State = to
			r.Life.History = append(r.Life.History, Event{At: at, State: to, By: st.by, Note: st.note, NoteKey: st.noteKey, NoteArgs: st.noteArgs})
			enc, err := encodeRecord(&r, sr.Placed || st.placing)
			if err != nil {
				return err
			}
			*sr = enc
			*out = r
			out.Hash = enc.Hash
			return nil
		},
		Certificate: st.cert, ChangeCertificate: st.certChange, Assignment: st.assignment, People: st.people,
	}
}

// stateWord is a state as the messages name it (the key, rendered by i18n
// in the reader's language).
func stateWord(st State) i18n.Word { return i18n.Word("order.state." + string(st)) }
