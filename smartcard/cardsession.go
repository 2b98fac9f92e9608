package smartcard

import (
	"context"
	"strings"
	"sync"

	"pkiodesk/app/i18n"
)

// State is where the card session stands.
type State string

const (
	LoggedOut   State = "logged-out"
	CardPresent State = "card-present"
	LoggedIn    State = "logged-in"
)

// CardSession is the login state machine: logged out -> card present ->
// logged in -> (card removed) -> logged out. Removing the card closes the
// token session and tells every subscriber; a new card allows a new login
// without restarting.
type CardSession struct {
	m *Manager

	mu      sync.Mutex
	state   State
	reader  string          // reader of the card the session follows; "" for a token without PC/SC
	present map[string]bool // readers that hold a card
	session *Session
	gen     uint64 // bumped on every removal, so a login racing it is undone
	subs    map[int]chan State
	nextSub int
}

// NewCardSession starts logged out.
func NewCardSession(m *Manager) *CardSession {
	return &CardSession{m: m, state: LoggedOut, present: map[string]bool{}, subs: map[int]chan State{}}
}

// State returns the current state and the logged-in session, if any.
func (cs *CardSession) State() (State, *Session) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.state, cs.session
}

// Subscribe returns a channel that receives every new state. Slow
// subscribers miss intermediate states but always get the latest.
func (cs *CardSession) Subscribe() (<-chan State, func()) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	ch := make(chan State, 1)
	id := cs.nextSub
	cs.nextSub++
	cs.subs[id] = ch
	return ch, func() {
		cs.mu.Lock()
		defer cs.mu.Unlock()
		delete(cs.subs, id)
	}
}

// setLocked changes state; cs.mu must be held.
func (cs *CardSession) setLocked(s State) {
	cs.state = s
	for _, ch := range cs.subs {
		select {
		case <-ch: // drop the stale one
		default:
		}
		ch <- s
	}
}

// HandleEvent applies a reader event.
func (cs *CardSession) HandleEvent(e Event) {
	cs.mu.Lock()
	switch e.Kind {
	case CardInserted:
		cs.present[e.Reader] = true
		if cs.state == LoggedOut {
			cs.reader = e.Reader
			cs.setLocked(CardPresent)
		}
	case CardRemoved, ReaderRemoved:
		delete(cs.present, e.Reader)
		if cs.state != LoggedOut && e.Reader == cs.reader {
			cs.gen++
			// Close before telling anyone: a caller that hears "logged
			// out" must find every signer dead.
			if cs.session != nil {
				cs.session.Close()
				cs.session = nil
			}
			cs.reader = ""
			cs.setLocked(LoggedOut)
		}
	}
	cs.mu.Unlock()
}

// LoginToken logs in to the chosen token with the PIN unless a session is
// already open. The PIN is wiped. A card removed while the login runs
// undoes it.
func (cs *CardSession) LoginToken(ctx context.Context, tok TokenInfo, pin []byte) (*Session, error) {
	cs.mu.Lock()
	if cs.state == LoggedIn {
		cs.mu.Unlock()
		wipe(pin)
		return cs.session, nil
	}
	gen := cs.gen
	cs.mu.Unlock()

	s, err := cs.m.LoginToken(ctx, tok, pin)
	if err != nil {
		return nil, err
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.gen != gen {
		s.Close()
		return nil, i18n.E("card.removed", nil)
	}
	cs.session = s
	// Follow the reader that holds the token logged in to, which need not
	// be the first card inserted (a laptop's own reader and a USB token).
	if r := readerOfSlot(s.Token().SlotName, cs.present); r != "" {
		cs.reader = r
	}
	cs.setLocked(LoggedIn)
	return s, nil
}

// readerOfSlot finds the PC/SC reader behind a PKCS#11 slot. PC/SC-based
// middleware (OpenSC, SafeSign, SafeNet) names a slot after its reader;
// PKCS#11 cuts the description at 64 bytes, so a long reader name only
// starts with it. Of several matches the longest wins; no match is "".
func readerOfSlot(slot string, readers map[string]bool) string {
	slot = strings.TrimSpace(slot)
	if slot == "" {
		return ""
	}
	best := ""
	for r := range readers {
		match := r == slot || strings.Contains(slot, r) || (len(slot) >= 32 && strings.HasPrefix(r, slot))
		if match && len(r) > len(best) {
			best = r
		}
	}
	return best
}

// Logout ends the token session (seed chapter 8); the card may stay.
func (cs *CardSession) Logout() {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.session != nil {
		cs.session.Close()
		cs.session = nil
	}
	next := LoggedOut
	if cs.reader != "" {
		next = CardPresent
	}
	cs.setLocked(next)
}

// Run watches the readers until ctx ends, driving the state machine.
func (cs *CardSession) Run(ctx context.Context) error {
	return Watch(ctx, cs.HandleEvent)
}
