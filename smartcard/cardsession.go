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
//
// A session is only trusted while the watcher can see the readers. When
// the PC/SC service goes away (WatchLost), a session on a card in a reader
// or on a removable token ends at once, with reason card.watch_lost: a
// card pulled meanwhile could not be seen, and the card's middleware needs
// the same service anyway. A software token (a fixed slot with no reader
// behind it, such as the demo's SoftHSM) cannot be pulled and keeps its
// session. While the watcher is blind, a login to a removable token is
// refused (card.watch_needed); Watching says so for the login screen.
type CardSession struct {
	m *Manager

	mu       sync.Mutex
	state    State
	reader   string          // reader of the card the session follows; "" for a token without PC/SC
	present  map[string]bool // readers that hold a card
	session  *Session
	gen      uint64 // bumped on every removal, so a login racing it is undone
	watching bool   // the watcher sees the readers now
	watchErr error  // why not, after WatchLost
	reason   string // i18n key: why the last session ended
	subs     map[int]chan State
	nextSub  int
}

// NewCardSession starts logged out, not yet watching: Run starts the
// watcher.
func NewCardSession(m *Manager) *CardSession {
	return &CardSession{m: m, state: LoggedOut, present: map[string]bool{}, subs: map[int]chan State{}}
}

// State returns the current state and the logged-in session, if any.
func (cs *CardSession) State() (State, *Session) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.state, cs.session
}

// Watching reports whether card removal is being watched now, and if not,
// why (nil before the watcher first tried).
func (cs *CardSession) Watching() (bool, error) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.watching, cs.watchErr
}

// EndReason is the i18n key of why the last session ended: card.removed
// or card.watch_lost.
func (cs *CardSession) EndReason() string {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.reason == "" {
		return "card.removed"
	}
	return cs.reason
}

// Subscribe returns a channel that receives every new state. Slow
// subscribers miss intermediate states but always get the latest. A change
// in Watching is sent as the current state again.
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

// endLocked closes the session for a reason; cs.mu must be held. Close
// comes before telling anyone: a caller that hears "logged out" must find
// every signer dead.
func (cs *CardSession) endLocked(reason string) {
	cs.gen++
	if cs.session != nil {
		cs.session.Close()
		cs.session = nil
	}
	cs.reason = reason
	cs.reader = ""
	cs.setLocked(LoggedOut)
}

// needsWatchLocked reports whether the session (or the one about to be
// made for tok) depends on the watcher; cs.mu must be held.
func (cs *CardSession) needsWatchLocked(tok TokenInfo) bool {
	return cs.reader != "" || tok.Removable
}

// HandleEvent applies a reader event.
func (cs *CardSession) HandleEvent(e Event) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
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
			cs.endLocked("card.removed")
		}
	case WatchLost:
		cs.watching, cs.watchErr = false, e.Err
		if cs.state == LoggedIn && cs.session != nil && cs.needsWatchLocked(cs.session.Token()) {
			cs.endLocked("card.watch_lost")
			return
		}
		cs.setLocked(cs.state) // the login screen shows the watcher is blind
	case WatchRestored:
		cs.watching, cs.watchErr = true, nil
		cs.setLocked(cs.state)
	}
}

// LoginToken logs in to the chosen token through the PIN guard unless a
// session is already open. A card removed while the login runs undoes it;
// a removable token while card removal cannot be watched is refused.
func (cs *CardSession) LoginToken(ctx context.Context, tok TokenInfo, prompt PINPrompt) (*Session, error) {
	cs.mu.Lock()
	if cs.state == LoggedIn {
		cs.mu.Unlock()
		return cs.session, nil
	}
	if !cs.watching && cs.watchErr != nil && cs.needsWatchLocked(tok) {
		cs.mu.Unlock()
		return nil, i18n.E("card.watch_needed", nil)
	}
	gen := cs.gen
	cs.mu.Unlock()

	s, err := cs.m.LoginToken(ctx, tok, prompt)
	if err != nil {
		return nil, err
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.gen != gen {
		s.Close()
		return nil, i18n.E(cs.reason, nil)
	}
	if !cs.watching && cs.watchErr != nil && cs.needsWatchLocked(s.Token()) {
		s.Close()
		return nil, i18n.E("card.watch_needed", nil)
	}
	cs.session = s
	cs.reason = ""
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

// Run watches the readers until ctx ends, driving the state machine. It
// outlives the PC/SC service going away and coming back (see Watch).
func (cs *CardSession) Run(ctx context.Context) error {
	return Watch(ctx, cs.HandleEvent)
}
