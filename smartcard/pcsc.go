package smartcard

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/ebfe/scard"

	"pkiodesk/app/i18n"
)

// Reader is a card reader and what is in it.
type Reader struct {
	Name        string
	CardPresent bool
	ATR         []byte
}

// EventKind is a change the watcher reports.
type EventKind string

const (
	ReaderAdded   EventKind = "reader-added"
	ReaderRemoved EventKind = "reader-removed"
	CardInserted  EventKind = "card-inserted"
	CardRemoved   EventKind = "card-removed"
	// WatchLost: the PC/SC service cannot be reached, so nothing that
	// happens in a reader is seen until WatchRestored. Err says why.
	WatchLost EventKind = "watch-lost"
	// WatchRestored: the watcher sees the readers, the first time or again
	// after WatchLost; the readers and cards follow as new.
	WatchRestored EventKind = "watch-restored"
)

// Event is one change in the readers.
type Event struct {
	Kind   EventKind
	Reader string
	ATR    []byte
	Err    error // with WatchLost
}

// pcscError maps PC/SC failures to the user's words.
func pcscError(err error) error {
	if e := platformPCSCError(err); e != nil {
		return e
	}
	if errors.Is(err, scard.ErrNoReadersAvailable) {
		return i18n.E("card.no_readers", nil)
	}
	return i18n.E("card.pcsc", err)
}

// ListReaders returns the readers and the cards in them.
func ListReaders() ([]Reader, error) {
	c, err := scard.EstablishContext()
	if err != nil {
		return nil, pcscError(err)
	}
	defer c.Release()
	names, err := c.ListReaders()
	if errors.Is(err, scard.ErrNoReadersAvailable) {
		return nil, nil
	}
	if err != nil {
		return nil, pcscError(err)
	}
	states := make([]scard.ReaderState, len(names))
	for i, n := range names {
		states[i] = scard.ReaderState{Reader: n, CurrentState: scard.StateUnaware}
	}
	if err := c.GetStatusChange(states, 0); err != nil && !errors.Is(err, scard.ErrTimeout) {
		return nil, pcscError(err)
	}
	out := make([]Reader, len(states))
	for i, s := range states {
		present := s.EventState&scard.StatePresent != 0
		out[i] = Reader{Name: s.Reader, CardPresent: present}
		if present {
			out[i].ATR = s.Atr
		}
	}
	return out, nil
}

// pollInterval bounds how long a reader plugged in or out goes unnoticed;
// card insertion and removal wake GetStatusChange at once.
const pollInterval = 300 * time.Millisecond

// Backoff between attempts to reach a PC/SC service that went away: quick
// at first (a restart takes a moment), then no busier than every few
// seconds.
const (
	firstRetry = 200 * time.Millisecond
	maxRetry   = 5 * time.Second
)

// Watch reports reader and card changes to fn until ctx ends; it returns
// only then. It first reports every reader and every card already present,
// so a subscriber starts from the current state.
//
// When the PC/SC service goes away (pcscd stopped, restarted, never
// started) Watch reports WatchLost, then every card it knew as removed and
// every reader as gone, and tries again with backoff; whenever the service
// answers (also the first time) it reports WatchRestored, then the readers
// and cards as new. fn runs on the watcher's goroutine.
func Watch(ctx context.Context, fn func(Event)) error {
	w := watcher{fn: fn}
	retry := firstRetry
	for ctx.Err() == nil {
		err := w.session(ctx)
		if ctx.Err() != nil {
			break
		}
		w.lost(err)
		if w.everWatched {
			retry = firstRetry
			w.everWatched = false
		}
		select {
		case <-ctx.Done():
		case <-time.After(retry):
		}
		retry = min(2*retry, maxRetry)
	}
	return ctx.Err()
}

// watcher is the state of one Watch.
type watcher struct {
	fn     func(Event)
	states []scard.ReaderState
	// watching: a PC/SC context works; lostSaid: WatchLost was reported
	// and not yet followed by WatchRestored.
	watching, lostSaid bool
	// everWatched: the last session reached the service, so the next
	// retry starts quick again.
	everWatched bool
}

// lost reports the service gone: once per outage, with every card and
// reader it knew removed, since nothing about them can be known now.
func (w *watcher) lost(err error) {
	w.watching = false
	if !w.lostSaid {
		w.lostSaid = true
		w.fn(Event{Kind: WatchLost, Err: pcscError(err)})
	}
	w.states = syncReaders(w.states, nil, w.fn)
}

// session watches on one PC/SC context until it fails or ctx ends.
func (w *watcher) session(ctx context.Context) error {
	c, err := scard.EstablishContext()
	if err != nil {
		return err
	}
	defer c.Release()
	stop := context.AfterFunc(ctx, func() { c.Cancel() })
	defer stop()
	for ctx.Err() == nil {
		names, err := c.ListReaders()
		if err != nil && !errors.Is(err, scard.ErrNoReadersAvailable) {
			return err
		}
		if !w.watching {
			w.watching, w.everWatched, w.lostSaid = true, true, false
			w.fn(Event{Kind: WatchRestored})
		}
		w.states = syncReaders(w.states, names, w.fn)
		if len(w.states) == 0 {
			select {
			case <-ctx.Done():
			case <-time.After(pollInterval):
			}
			continue
		}
		err = c.GetStatusChange(w.states, pollInterval)
		switch {
		case err == nil:
		case errors.Is(err, scard.ErrTimeout), errors.Is(err, scard.ErrUnknownReader), errors.Is(err, scard.ErrReaderUnavailable):
			continue
		case errors.Is(err, scard.ErrCancelled) && ctx.Err() != nil:
			return nil
		default:
			return err
		}
		for i := range w.states {
			s := &w.states[i]
			for _, e := range cardEvents(s.Reader, s.CurrentState, s.EventState) {
				if e.Kind == CardInserted {
					e.ATR = slices.Clone(s.Atr)
				}
				w.fn(e)
			}
			// Keep the event counter (high 16 bits) in what we tell
			// pcsc-lite we saw: a card pulled and put back between two
			// calls then still wakes the next call.
			s.CurrentState = s.EventState &^ scard.StateChanged
		}
	}
	return nil
}

// cardEvents compares what the watcher saw with what PC/SC reports now.
// pcsc-lite counts card events per reader in the high 16 bits: present
// before and now with another count means the card was pulled and put
// back (perhaps another card) between two looks, which is a removal too.
func cardEvents(reader string, was, now scard.StateFlag) []Event {
	wasPresent := was&scard.StatePresent != 0
	nowPresent := now&scard.StatePresent != 0
	wasCount, nowCount := uint32(was)>>16, uint32(now)>>16
	switch {
	case wasPresent && !nowPresent:
		return []Event{{Kind: CardRemoved, Reader: reader}}
	case !wasPresent && nowPresent:
		return []Event{{Kind: CardInserted, Reader: reader}}
	case wasPresent && nowPresent && nowCount != wasCount:
		return []Event{{Kind: CardRemoved, Reader: reader}, {Kind: CardInserted, Reader: reader}}
	}
	return nil
}

// syncReaders adds states for new readers and drops the ones unplugged,
// reporting both (a card in an unplugged reader is removed with it).
func syncReaders(states []scard.ReaderState, names []string, fn func(Event)) []scard.ReaderState {
	kept := states[:0]
	for _, s := range states {
		if slices.Contains(names, s.Reader) {
			kept = append(kept, s)
			continue
		}
		if s.CurrentState&scard.StatePresent != 0 {
			fn(Event{Kind: CardRemoved, Reader: s.Reader})
		}
		fn(Event{Kind: ReaderRemoved, Reader: s.Reader})
	}
	for _, n := range names {
		if !slices.ContainsFunc(kept, func(s scard.ReaderState) bool { return s.Reader == n }) {
			fn(Event{Kind: ReaderAdded, Reader: n})
			kept = append(kept, scard.ReaderState{Reader: n, CurrentState: scard.StateUnaware})
		}
	}
	return kept
}
