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
)

// Event is one change in the readers.
type Event struct {
	Kind   EventKind
	Reader string
	ATR    []byte
}

// pcscError maps PC/SC failures to the user's words.
func pcscError(err error) error {
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

// Watch reports reader and card changes to fn until ctx ends. It first
// reports every reader and every card already present, so a subscriber
// starts from the current state. fn runs on the watcher's goroutine.
func Watch(ctx context.Context, fn func(Event)) error {
	c, err := scard.EstablishContext()
	if err != nil {
		return pcscError(err)
	}
	defer c.Release()
	stop := context.AfterFunc(ctx, func() { c.Cancel() })
	defer stop()

	var states []scard.ReaderState
	for ctx.Err() == nil {
		names, err := c.ListReaders()
		if err != nil && !errors.Is(err, scard.ErrNoReadersAvailable) {
			if ctx.Err() != nil {
				break
			}
			return pcscError(err)
		}
		states = syncReaders(states, names, fn)
		if len(states) == 0 {
			select {
			case <-ctx.Done():
			case <-time.After(pollInterval):
			}
			continue
		}
		err = c.GetStatusChange(states, pollInterval)
		switch {
		case err == nil:
		case errors.Is(err, scard.ErrTimeout), errors.Is(err, scard.ErrUnknownReader), errors.Is(err, scard.ErrReaderUnavailable):
			continue
		case errors.Is(err, scard.ErrCancelled):
			return ctx.Err()
		default:
			return pcscError(err)
		}
		for i := range states {
			s := &states[i]
			// The high 16 bits are an event counter (pcsc-lite).
			now := s.EventState & 0xFFFF
			was := s.CurrentState & 0xFFFF
			if now&scard.StatePresent != 0 && was&scard.StatePresent == 0 {
				fn(Event{Kind: CardInserted, Reader: s.Reader, ATR: slices.Clone(s.Atr)})
			}
			if now&scard.StatePresent == 0 && was&scard.StatePresent != 0 {
				fn(Event{Kind: CardRemoved, Reader: s.Reader})
			}
			s.CurrentState = s.EventState &^ scard.StateChanged
		}
	}
	return ctx.Err()
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
