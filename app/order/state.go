package order

import (
	"fmt"
	"strings"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
)

// State is where an order is in its lifecycle (ARCHITECTURE.md).
type State string

const (
	StateDraft     State = "draft"     // editable, saved as it is typed
	StatePlaced    State = "placed"    // signed; immutable from here on
	StateSubmitted State = "submitted" // handed to the submitter (outbox)
	StateIssued    State = "issued"    // certificate imported and matched; for a revocation: confirmed
	StateRejected  State = "rejected"  // the CA refused it
	StateCancelled State = "cancelled" // withdrawn before the CA acted
)

// States lists every state in lifecycle order.
var States = []State{StateDraft, StatePlaced, StateSubmitted, StateIssued, StateRejected, StateCancelled}

// transitions is the state machine: from each state, where an order may go.
var transitions = map[State][]State{
	StateDraft:  {StatePlaced, StateCancelled},
	StatePlaced: {StateSubmitted, StateCancelled},
	// A submitted order is with the CA: the seed knows no withdrawing it
	// from pkiodesk. What the CA decides is recorded: issued, or rejected
	// (Reject).
	StateSubmitted: {StateIssued, StateRejected},
}

// CanMove reports whether the state machine allows from → to.
func CanMove(from, to State) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Final reports whether nothing more happens to an order in state s.
func (s State) Final() bool { return len(transitions[s]) == 0 }

// Valid reports whether s is a known state.
func (s State) Valid() bool {
	for _, k := range States {
		if k == s {
			return true
		}
	}
	return false
}

// ParseState reads a state as a user types it, Dutch or English.
func ParseState(s string) (State, error) {
	for _, k := range States {
		if s == string(k) || s == i18n.T(i18n.NL, "order.state."+string(k)) {
			return k, nil
		}
	}
	return "", i18n.E("order.state_unknown", nil, s)
}

// Event is one step in an order's history.
type Event struct {
	At    time.Time `json:"at"`
	State State     `json:"state"`
	By    string    `json:"by,omitempty"` // person ID, empty for the system
	// Note is someone's own words (the CA's reason for a rejection), or
	// the plain text an earlier version stored.
	Note string `json:"note,omitempty"`
	// NoteKey and NoteArgs are what pkiodesk says about the step: a
	// message key ("order.note.…") rendered in the reader's language.
	NoteKey  string   `json:"note_key,omitempty"`
	NoteArgs []string `json:"note_args,omitempty"`
}

// notePrefix is the only family of keys a stored event may name: the
// database is not trusted to pick any message.
const notePrefix = "order.note."

// legacyNotes are the plain notes earlier versions stored, by the key
// that says the same (a submission stored the submitter's Go type name).
var legacyNotes = map[string]string{
	fmt.Sprintf("%T", Outbox{}): "order.note.outbox_legacy",
	"revocation confirmed":      "order.note.revocation_confirmed",
	"activation started":        "order.note.activation_started",
	"activation confirmed":      "order.note.activation_confirmed",
	"activation failed":         "order.note.activation_failed",
}

// NoteText is the event's note in language l ("" when it has none).
func (e Event) NoteText(l i18n.Lang) string {
	if e.NoteKey != "" {
		if !strings.HasPrefix(e.NoteKey, notePrefix) || i18n.T(i18n.NL, e.NoteKey) == e.NoteKey {
			return cert.Printable(e.NoteKey + " " + strings.Join(e.NoteArgs, " "))
		}
		args := make([]any, len(e.NoteArgs))
		for i, a := range e.NoteArgs {
			args[i] = cert.PrintableMax(a, 500)
		}
		return i18n.T(l, e.NoteKey, args...)
	}
	if key, ok := legacyNotes[e.Note]; ok {
		return i18n.T(l, key)
	}
	if sha, ok := strings.CutPrefix(e.Note, "certificate "); ok && len(sha) == 16 && strings.Trim(sha, "0123456789abcdef") == "" {
		return i18n.T(l, "order.note.certificate", sha)
	}
	return cert.PrintableMax(e.Note, 500)
}

// Lifecycle is what changes about an order after it is made. It is stored
// beside the order's content, never inside it: the content is what was
// signed.
type Lifecycle struct {
	State   State   `json:"state"`
	History []Event `json:"history"`
	// Step is the wizard step a draft was left at.
	Step int `json:"step,omitempty"`
	// SubmittedTo says where the submitter put the order (outbox path).
	SubmittedTo string `json:"submitted_to,omitempty"`
	// IssuedCertificate is the SHA-256 of the certificate matched to the
	// order (for a revocation: the certificate confirmed revoked).
	IssuedCertificate string `json:"issued_certificate,omitempty"`
	// Activation follows an eSeal cloud certificate's activation (seed 6.1).
	Activation *Activation `json:"activation,omitempty"`
}
