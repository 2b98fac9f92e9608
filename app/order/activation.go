package order

import (
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"pkiodesk/app/cert"
	"pkiodesk/app/i18n"
	"pkiodesk/app/org"
)

// ActivationStatus is where an eSeal cloud certificate's activation is
// (seed 6.1).
type ActivationStatus string

const (
	ActivationStarted   ActivationStatus = "started"   // the requester started it; confirmation follows
	ActivationConfirmed ActivationStatus = "confirmed" // confirmed; the certificate is issued next
	ActivationFailed    ActivationStatus = "failed"    // confirmation failed or timed out
	ActivationActivated ActivationStatus = "ACTIVATED" // issued (the seed's own word)
)

// ActivationLock is how long the button stays disabled after a start: the
// seed's 5 minutes to confirm, after which a failed activation may be
// started again.
const ActivationLock = 5 * time.Minute

// Activation follows one eSeal cloud activation.
type Activation struct {
	Status      ActivationStatus `json:"status"`
	Invitation  string           `json:"invitation"`
	StartedAt   time.Time        `json:"started_at"`
	ConfirmedAt time.Time        `json:"confirmed_at,omitzero"`
	ActivatedAt time.Time        `json:"activated_at,omitzero"`
	// Confirmation is how the requester confirmed (method, certificate
	// and signature over the request).
	Confirmation *Confirmation `json:"confirmation,omitempty"`
	Failure      string        `json:"failure,omitempty"`
}

// ActivationRequest is what the requester confirms.
type ActivationRequest struct {
	OrderID    string    `json:"order_id"`
	Invitation string    `json:"invitation"`
	Requester  string    `json:"requester"`
	At         time.Time `json:"at"`
}

// Confirmation is the requester's proof of consent.
type Confirmation struct {
	Method      string `json:"method"` // "card"; a mobile connector would say "mobile"
	Certificate []byte `json:"certificate"`
	Signature   []byte `json:"signature"`
}

// ActivationConfirmer confirms an activation with the requester's own key.
// The seed confirms with the mobile certificate in the Ubiqu app, which
// pkiodesk cannot reach; CardConfirmer confirms with the card instead, and a
// mobile connector can implement this interface later.
type ActivationConfirmer interface {
	Confirm(ctx context.Context, req ActivationRequest) (Confirmation, error)
}

// CardConfirmer signs the activation request with the card's signature key.
type CardConfirmer struct {
	Key  crypto.Signer
	Cert *x509.Certificate
}

// Confirm signs the SHA-256 of the request's JSON and checks the signature.
func (c CardConfirmer) Confirm(ctx context.Context, req ActivationRequest) (Confirmation, error) {
	if err := ctx.Err(); err != nil {
		return Confirmation{}, i18n.E("err.context_canceled", err)
	}
	msg, err := json.Marshal(req)
	if err != nil {
		return Confirmation{}, err
	}
	digest := sha256.Sum256(msg)
	sig, err := c.Key.Sign(nil, digest[:], crypto.SHA256)
	if err != nil {
		return Confirmation{}, err
	}
	conf := Confirmation{Method: "card", Certificate: c.Cert.Raw, Signature: sig}
	if err := conf.Verify(req); err != nil {
		return Confirmation{}, err
	}
	return conf, nil
}

// Verify checks a confirmation's signature over the request.
func (c Confirmation) Verify(req ActivationRequest) error {
	x, err := x509.ParseCertificate(c.Certificate)
	if err != nil {
		return i18n.E("activation.confirmation_invalid", err)
	}
	msg, err := json.Marshal(req)
	if err != nil {
		return err
	}
	alg := x509.SHA256WithRSA
	if x.PublicKeyAlgorithm == x509.ECDSA {
		alg = x509.ECDSAWithSHA256
	}
	if err := x.CheckSignature(alg, msg, c.Signature); err != nil {
		return i18n.E("activation.confirmation_invalid", err)
	}
	return nil
}

// ActivationBlocked says why who cannot start the activation of r now, or
// nil. The button is shown disabled with this reason.
func ActivationBlocked(r *Record, who org.Person, now time.Time) error {
	if r.Order.Product != ProductESealCloud || r.Order.Kind == KindRevoke {
		return i18n.E("activation.not_cloud", nil)
	}
	if err := org.Check(who, org.ActivateESeal); err != nil {
		return err
	}
	if r.Order.Requester.ID != who.ID {
		return i18n.E("activation.only_requester", nil, r.Order.Requester.Name)
	}
	a := r.Life.Activation
	switch {
	case a != nil && a.Status == ActivationActivated:
		return i18n.E("activation.done", nil)
	case a != nil && a.Status == ActivationConfirmed:
		return i18n.E("activation.confirmed", nil)
	case r.Life.State != StateSubmitted:
		return i18n.E("activation.not_validated", nil)
	case a != nil && now.Before(a.StartedAt.Add(ActivationLock)):
		left := a.StartedAt.Add(ActivationLock).Sub(now)
		return i18n.E("activation.wait", nil, int(left.Minutes())+1)
	}
	return nil
}

// ValidateInvitation checks the code from the invitation e-mail: without
// it an activation cannot start (seed 6.1).
func ValidateInvitation(code string) error {
	code = strings.TrimSpace(code)
	if code == "" {
		return i18n.E("activation.no_invitation", nil)
	}
	if len(code) < 6 || len(code) > 64 {
		return i18n.E("activation.invitation_invalid", nil)
	}
	for _, c := range code {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-') {
			return i18n.E("activation.invitation_invalid", nil)
		}
	}
	return nil
}

// StartActivation starts the activation of an eSeal cloud certificate and
// has the requester confirm it. The start is stored first, so the button
// stays disabled for ActivationLock even when the confirmation fails or
// the program stops; a failure is stored too.
func (s *Service) StartActivation(ctx context.Context, id, invitation string, who org.Person, confirmer ActivationConfirmer) (Record, error) {
	invitation = strings.TrimSpace(invitation)
	if err := ValidateInvitation(invitation); err != nil {
		return Record{}, err
	}
	who, err := s.registered(ctx, who)
	if err != nil {
		return Record{}, err
	}
	now := s.now().UTC()
	started, err := s.move(ctx, id, step{by: who.ID, noteKey: "order.note.activation_started", edit: func(r *Record) error {
		if err := ActivationBlocked(r, who, now); err != nil {
			return err
		}
		r.Life.Activation = &Activation{Status: ActivationStarted, Invitation: invitation, StartedAt: now}
		return nil
	}})
	if err != nil {
		return Record{}, err
	}
	req := ActivationRequest{OrderID: id, Invitation: invitation, Requester: started.Order.Requester.ID, At: now}
	conf, cerr := confirmer.Confirm(ctx, req)
	done, err := s.move(ctx, id, step{by: who.ID, noteKey: map[bool]string{true: "order.note.activation_confirmed", false: "order.note.activation_failed"}[cerr == nil], edit: func(r *Record) error {
		a := r.Life.Activation
		if a == nil || a.Status != ActivationStarted || !a.StartedAt.Equal(now) {
			return errors.New("activation changed meanwhile")
		}
		if cerr != nil {
			a.Status, a.Failure = ActivationFailed, failureKey(cerr)
			return nil
		}
		a.Status, a.ConfirmedAt, a.Confirmation = ActivationConfirmed, s.now().UTC(), &conf
		return nil
	}})
	if err != nil {
		return Record{}, err
	}
	if cerr != nil {
		// Stored as failed (the button unlocks after ActivationLock); the
		// caller shows why.
		return done, i18n.E("activation.confirm_failed", cerr)
	}
	return done, nil
}

// failureKey is what a failed activation stores: the message key of the
// cause, rendered in the reader's language when shown (FailureText).
func failureKey(err error) string {
	var ue *i18n.Error
	if errors.As(err, &ue) {
		return ue.Key
	}
	return "activation.confirm_failed"
}

// FailureText is why the activation failed, in language l.
func (a *Activation) FailureText(l i18n.Lang) string {
	if a == nil || a.Failure == "" {
		return ""
	}
	if strings.Contains(a.Failure, " ") { // stored as text by an older version
		return cert.Printable(a.Failure)
	}
	return i18n.T(l, a.Failure)
}

// ActivationPending lists the eSeal cloud orders the activation screen
// shows: validated ones awaiting activation, and activated ones until the
// end of the day they were activated (seed 6.1: hidden from the next day).
func ActivationPending(records []Record, now time.Time) []Record {
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	var out []Record
	for _, r := range records {
		if r.Order.Product != ProductESealCloud || r.Order.Kind == KindRevoke {
			continue
		}
		a := r.Life.Activation
		switch {
		case a != nil && a.Status == ActivationActivated:
			if !a.ActivatedAt.In(now.Location()).Before(today) {
				out = append(out, r)
			}
		case r.Life.State == StateSubmitted:
			out = append(out, r)
		}
	}
	return out
}
