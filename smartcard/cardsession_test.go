package smartcard

import (
	"context"
	"testing"

	"pkiodesk/app/i18n"
)

func TestReaderOfSlot(t *testing.T) {
	readers := map[string]bool{
		"Virtual PCD 00 00":        true,
		"Virtual PCD 00 01":        true,
		"Alcor Micro AU9540 00 00": true,
		"Gemalto USB Shell Token V2 (ABCDEF0123) 01 00 with a name longer than sixty-four bytes": true,
	}
	for _, c := range []struct{ slot, want string }{
		{"Virtual PCD 00 01", "Virtual PCD 00 01"},                         // OpenSC: the reader's name
		{"Alcor Micro AU9540 00 00          ", "Alcor Micro AU9540 00 00"}, // space-padded PKCS#11 field
		{"Gemalto USB Shell Token V2 (ABCDEF0123) 01 00 with a name longe", "Gemalto USB Shell Token V2 (ABCDEF0123) 01 00 with a name longer than sixty-four bytes"},
		{"SoftHSM slot ID 0x1a2b", ""}, // no reader behind it
		{"", ""},
		{"Virtual", ""}, // a short cut-off name is too vague to trust
	} {
		if got := readerOfSlot(c.slot, readers); got != c.want {
			t.Errorf("readerOfSlot(%q) = %q, want %q", c.slot, got, c.want)
		}
	}
}

// With two cards present, the session follows the reader of the token that
// was logged in to, not the card inserted first: pulling the other card
// keeps the session, pulling this one ends it. The login is real
// (SoftHSM); the reader events carry the names a PC/SC middleware would
// give, here the SoftHSM slot's own description.
func TestCardSessionFollowsTheLoggedInToken(t *testing.T) {
	c := needCard(t)
	m := NewManager()
	tok, err := m.Token(c.Module, "PKIo kaart")
	if err != nil {
		t.Fatal(err)
	}
	laptop, usb := "Alcor Micro AU9540 00 00", tok.SlotName
	cs := NewCardSession(m)
	cs.HandleEvent(Event{Kind: CardInserted, Reader: laptop})
	cs.HandleEvent(Event{Kind: CardInserted, Reader: usb})
	s, err := cs.LoginToken(context.Background(), tok, typed(testPIN, nil))
	if err != nil {
		t.Fatal(err)
	}
	cs.HandleEvent(Event{Kind: CardRemoved, Reader: laptop})
	if state, _ := cs.State(); state != LoggedIn || s.Closed() {
		t.Fatalf("pulling the other card ended the session: %s", state)
	}
	cs.HandleEvent(Event{Kind: CardRemoved, Reader: usb})
	if state, _ := cs.State(); state != LoggedOut || !s.Closed() {
		t.Fatalf("pulling the logged-in token left the session: %s, closed %v", state, s.Closed())
	}
}

// A software token (a fixed slot, no reader behind it) cannot be pulled:
// the watcher losing PC/SC leaves its session alone, and says so. A
// session that follows a reader ends (the watcher tests show it with a
// real pcscd going away).
func TestSoftwareTokenSessionOutlivesABlindWatcher(t *testing.T) {
	c := needCard(t)
	m := NewManager()
	tok, err := m.Token(c.Module, "PKIo kaart")
	if err != nil {
		t.Fatal(err)
	}
	if tok.Removable {
		t.Fatal("the test SoftHSM token claims a removable slot")
	}
	cs := NewCardSession(m)
	cs.HandleEvent(Event{Kind: WatchLost, Err: pcscError(nil)})
	s, err := cs.LoginToken(context.Background(), tok, typed(testPIN, nil))
	if err != nil {
		t.Fatalf("software token while PC/SC is away: %v", err)
	}
	defer s.Close()
	cs.HandleEvent(Event{Kind: WatchLost, Err: pcscError(nil)})
	if state, _ := cs.State(); state != LoggedIn || s.Closed() {
		t.Errorf("software token session ended: %s", state)
	}
	if watching, why := cs.Watching(); watching || why == nil {
		t.Errorf("watching %v (%v) after WatchLost", watching, why)
	}
	// A removable token is refused while removal cannot be watched.
	removable := tok
	removable.Removable = true
	cs.Logout()
	if _, err := cs.LoginToken(context.Background(), removable, typed(testPIN, nil)); !i18n.Is(err, "card.watch_needed") {
		t.Errorf("removable token while blind: %v", err)
	}
}
