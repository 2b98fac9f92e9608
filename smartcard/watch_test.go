package smartcard

import (
	"context"
	"testing"
	"time"

	"github.com/ebfe/scard"

	"pkiodesk/app/i18n"
	"pkiodesk/internal/fixture"
)

// events collects what a watcher reports.
func watchEvents(t *testing.T, ctx context.Context, fn func(Event)) (<-chan Event, <-chan error) {
	t.Helper()
	events := make(chan Event, 64)
	done := make(chan error, 1)
	go func() {
		done <- Watch(ctx, func(e Event) {
			if fn != nil {
				fn(e)
			}
			events <- e
		})
	}()
	return events, done
}

// The card watcher against a pcscd that goes away and comes back (stopped
// as a service manager does, and killed): it reports the loss, takes every
// card it knew for removed, reconnects with backoff, and sees cards again.
// Watch returns only when its context ends.
func TestWatchSurvivesPCSCDRestart(t *testing.T) {
	p := needPCSCD(t)
	vc := fixture.NewVirtualCard(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events, done := watchEvents(t, ctx, nil)
	waitFor(t, events, WatchRestored, 3*time.Second)
	waitFor(t, events, ReaderAdded, 3*time.Second)
	vc.Insert()
	waitFor(t, events, CardInserted, 3*time.Second)

	for _, stop := range []struct {
		name string
		f    func()
	}{{"SIGTERM", p.Stop}, {"SIGKILL", p.Kill}} {
		stop.f()
		lost := waitFor(t, events, WatchLost, 3*time.Second)
		if !i18n.Is(lost.Err, "card.pcsc") {
			t.Errorf("%s: loss reported as %v", stop.name, lost.Err)
		}
		waitFor(t, events, CardRemoved, time.Second)
		select {
		case err := <-done:
			t.Fatalf("%s: Watch returned: %v", stop.name, err)
		case <-time.After(700 * time.Millisecond): // a few retries
		}
		if err := p.Start(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, events, WatchRestored, 10*time.Second)
		waitFor(t, events, ReaderAdded, 3*time.Second)
		vc.Remove() // vicc lost its reader with pcscd
		vc.Insert()
		waitFor(t, events, CardInserted, 3*time.Second)
	}
	vc.Remove()
	waitFor(t, events, CardRemoved, 3*time.Second)
	// Without a pcscd, cancelling still stops Watch in its backoff.
	p.Stop()
	waitFor(t, events, WatchLost, 3*time.Second)
	cancel()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Watch did not stop when its context ended")
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
}

// A card pulled and put back while the watcher was busy (here: blocked in
// its callback) is still seen as a removal, through pcsc-lite's event
// counter in the high bits of the reader state.
func TestWatchSeesAFastRemoveAndInsert(t *testing.T) {
	needPCSCD(t)
	vc := fixture.NewVirtualCard(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	release := make(chan struct{})
	blocked := false
	events, _ := watchEvents(t, ctx, func(e Event) {
		if e.Kind == CardInserted && !blocked {
			blocked = true
			<-release
		}
	})
	waitFor(t, events, ReaderAdded, 3*time.Second)
	vc.Insert()
	// The watcher is now stuck in its callback for this insertion.
	cardIn := func(want bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if rs, err := ListReaders(); err == nil {
				for _, r := range rs {
					if r.Name == "Virtual PCD 00 00" && r.CardPresent == want {
						return
					}
				}
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("pcscd never saw card present = %v", want)
	}
	cardIn(true)
	vc.Remove()
	cardIn(false)
	vc.Insert()
	cardIn(true)
	close(release)
	waitFor(t, events, CardInserted, time.Second) // the first, released
	waitFor(t, events, CardRemoved, 2*time.Second)
	waitFor(t, events, CardInserted, 2*time.Second)
}

// A session on a card in a reader ends when pcscd goes away: a card pulled
// meanwhile could not be seen. The reason is said; logging in again works
// once pcscd is back.
func TestCardSessionEndsWhenPCSCDGoesAway(t *testing.T) {
	c := needCard(t)
	p := needPCSCD(t)
	vc := fixture.NewVirtualCard(t)
	cs := NewCardSession(NewManager())
	states, unsub := cs.Subscribe()
	defer unsub()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go cs.Run(ctx)
	wait := func(want State) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case s := <-states:
				if s == want {
					return
				}
			case <-deadline:
				got, _ := cs.State()
				t.Fatalf("state %s, want %s", got, want)
			}
		}
	}
	vc.Insert()
	wait(CardPresent)
	tok, err := cs.m.Token(c.Module, "PKIo kaart")
	if err != nil {
		t.Fatal(err)
	}
	s, err := cs.LoginToken(context.Background(), tok, typed(testPIN, nil))
	if err != nil {
		t.Fatal(err)
	}
	p.Stop()
	wait(LoggedOut)
	if !s.Closed() || cs.EndReason() != "card.watch_lost" {
		t.Errorf("closed %v, reason %s", s.Closed(), cs.EndReason())
	}
	if watching, why := cs.Watching(); watching || !i18n.Is(why, "card.pcsc") {
		t.Errorf("watching %v: %v", watching, why)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	vc.Remove()
	vc.Insert()
	wait(CardPresent)
	if watching, _ := cs.Watching(); !watching {
		t.Error("not watching after pcscd came back")
	}
	s, err = cs.LoginToken(context.Background(), tok, typed(testPIN, nil))
	if err != nil {
		t.Fatalf("login after pcscd came back: %v", err)
	}
	vc.Remove()
	wait(LoggedOut)
	if !s.Closed() || cs.EndReason() != "card.removed" {
		t.Errorf("closed %v, reason %s", s.Closed(), cs.EndReason())
	}
}

// The reader-state comparison, including the event counter.
func TestCardEvents(t *testing.T) {
	present := scard.StatePresent
	for _, c := range []struct {
		name     string
		was, now scard.StateFlag
		want     []EventKind
	}{
		{"first look, card in", scard.StateUnaware, present | 1<<16, []EventKind{CardInserted}},
		{"inserted", scard.StateEmpty | 2<<16, present | 3<<16, []EventKind{CardInserted}},
		{"removed", present | 3<<16, scard.StateEmpty | 4<<16, []EventKind{CardRemoved}},
		{"pulled and put back", present | 3<<16, present | 5<<16, []EventKind{CardRemoved, CardInserted}},
		{"present at pcscd start, swapped", present, present | 2<<16, []EventKind{CardRemoved, CardInserted}},
		{"nothing happened", present | 3<<16, present | 3<<16, nil},
		{"in and out while away", scard.StateEmpty | 3<<16, scard.StateEmpty | 5<<16, nil},
	} {
		var got []EventKind
		for _, e := range cardEvents("R", c.was, c.now) {
			got = append(got, e.Kind)
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
			}
		}
	}
}
