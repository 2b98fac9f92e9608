package smartcard

import (
	"context"
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
	reader  string // reader of the present card; "" for a token without PC/SC
	session *Session
	gen     uint64 // bumped on every removal, so a login racing it is undone
	subs    map[int]chan State
	nextSub int
}

// NewCardSession starts logged out.
func NewCardSession(m *Manager) *CardSession {
	return &CardSession{m: m, state: LoggedOut, subs: map[int]chan State{}}
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
		if cs.state == LoggedOut {
			cs.reader = e.Reader
			cs.setLocked(CardPresent)
		}
	case CardRemoved, ReaderRemoved:
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

// Login logs in with the PIN unless a session is already open. The PIN is
// wiped. A card removed while the login runs undoes it.
func (cs *CardSession) Login(ctx context.Context, module, label string, pin []byte) (*Session, error) {
	cs.mu.Lock()
	if cs.state == LoggedIn {
		cs.mu.Unlock()
		wipe(pin)
		return cs.session, nil
	}
	gen := cs.gen
	cs.mu.Unlock()

	s, err := cs.m.Login(ctx, module, label, pin)
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
	cs.setLocked(LoggedIn)
	return s, nil
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
