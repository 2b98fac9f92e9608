package order

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"pkiodesk/app/i18n"
)

// The state machine, cell by cell: draft → placed → submitted → issued, or
// rejected / cancelled; nothing leaves a final state.
func TestStateMachine(t *testing.T) {
	allowed := map[[2]State]bool{
		{StateDraft, StatePlaced}: true, {StateDraft, StateCancelled}: true,
		{StatePlaced, StateSubmitted}: true, {StatePlaced, StateCancelled}: true,
		{StateSubmitted, StateIssued}: true, {StateSubmitted, StateRejected}: true,
	}
	for _, from := range States {
		for _, to := range States {
			if got := CanMove(from, to); got != allowed[[2]State{from, to}] {
				t.Errorf("%s → %s: %v", from, to, got)
			}
		}
	}
	for _, s := range []State{StateIssued, StateRejected, StateCancelled} {
		if !s.Final() {
			t.Errorf("%s is not final", s)
		}
	}
	if st, err := ParseState("ingediend"); err != nil || st != StateSubmitted {
		t.Errorf("ParseState(ingediend) = %s, %v", st, err)
	}
	if _, err := ParseState("verzonden"); !i18n.Is(err, "order.state_unknown") {
		t.Errorf("unknown state: %v", err)
	}
}

// move refuses what the machine does not allow, and leaves the order and
// its history as they were.
func TestMoveFollowsTheStateMachine(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	r, err := d.NewDraft(ctx, ProductPKIoPrivate, d.cpAll)
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []State{StateSubmitted, StateIssued, StateRejected, StateDraft} {
		_, err := d.move(ctx, r.Order.ID, step{to: to})
		if !i18n.Is(err, "order.transition") {
			t.Errorf("draft → %s: %v", to, err)
		}
	}
	if got := i18n.Localize(i18n.NL, mustErr(d.move(ctx, r.Order.ID, step{to: StateIssued}))); !strings.Contains(got, "is concept en kan niet uitgegeven worden") {
		t.Errorf("message %q", got)
	}
	// Placing without a document is refused by the store itself.
	if _, err := d.move(ctx, r.Order.ID, step{to: StatePlaced, placing: true}); !i18n.Is(err, "order.placed_without_document") {
		t.Errorf("placed without document: %v", err)
	}
	got, err := d.Get(ctx, r.Order.ID)
	if err != nil || got.State() != StateDraft || len(got.Life.History) != 1 {
		t.Fatalf("after refusals: %v %+v", err, got.Life)
	}
	cancelled, err := d.Cancel(ctx, r.Order.ID, d.cpAll)
	if err != nil || cancelled.State() != StateCancelled || len(cancelled.Life.History) != 2 || cancelled.Life.History[1].By != d.cpAll.ID {
		t.Fatalf("cancel: %v %+v", err, cancelled.Life)
	}
	if _, err := d.Cancel(ctx, r.Order.ID, d.cpAll); !i18n.Is(err, "order.transition") {
		t.Errorf("cancel twice: %v", err)
	}
}

func mustErr(_ Record, err error) error { return err }

// A draft is saved as it is typed and is there after a restart; a pulled
// card does not touch the database at all.
func TestDraftSurvivesARestart(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	r, err := d.NewDraft(ctx, ProductPKIoPrivate, d.cpBas)
	if err != nil {
		t.Fatal(err)
	}
	o := r.Order
	o.Server.ServiceName = "Zaaksysteem"
	o.Server.FQDNs = []string{"zaken.voorbeeldstad.nl"}
	if _, err := d.SaveDraft(ctx, o, 2, d.cpBas); err != nil {
		t.Fatal(err)
	}
	d.restart(t)
	drafts, err := d.Drafts(ctx, d.cpBas)
	if err != nil || len(drafts) != 1 {
		t.Fatalf("%v %d drafts", err, len(drafts))
	}
	got := drafts[0]
	if got.Order.Server.ServiceName != "Zaaksysteem" || got.Life.Step != 2 || got.Order.Server.FQDNs[0] != "zaken.voorbeeldstad.nl" {
		t.Errorf("after restart: %+v step %d", got.Order.Server, got.Life.Step)
	}
	if others, _ := d.Drafts(ctx, d.cpAll); len(others) != 0 {
		t.Errorf("someone else's drafts: %d", len(others))
	}
}

// What the form shows read-only cannot be changed by saving a draft, and
// only its maker saves it.
func TestSaveDraftKeepsFixedFields(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	r, err := d.NewDraft(ctx, ProductGroup, d.cpAll)
	if err != nil {
		t.Fatal(err)
	}
	edits := map[string]func(o *Order){
		"organisation": func(o *Order) { o.Organisation.OIN = "00000001000000001000" },
		"requester":    func(o *Order) { o.Requester.Name = "Iemand Anders" },
		"kind":         func(o *Order) { o.Kind = KindRevoke },
		"created":      func(o *Order) { o.Created = o.Created.Add(1) },
		"placed":       func(o *Order) { o.PlacedAt = d.clock.Now() },
		"other kind":   func(o *Order) { o.Product = ProductPKIoPrivate },
	}
	for name, edit := range edits {
		o := r.Order
		edit(&o)
		if _, err := d.SaveDraft(ctx, o, 0, d.cpAll); !i18n.Is(err, "order.fixed_fields") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := d.SaveDraft(ctx, r.Order, 0, d.cpBas); !i18n.Is(err, "order.not_yours") {
		t.Errorf("someone else saves: %v", err)
	}
}

// Every text key the order desk uses exists in Dutch and English.
func TestEveryOrderTextExists(t *testing.T) {
	key := regexp.MustCompile(`"((?:order|csr|doc|outbox|match|activation|keygen|revocation|org\.denied)\.[a-zA-Z0-9_.-]+)"`)
	var files []string
	for _, pattern := range []string{"*.go", "../signeddoc/*.go", "../store/orders.go"} {
		m, _ := filepath.Glob(pattern)
		files = append(files, m...)
	}
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range key.FindAllStringSubmatch(string(src), -1) {
			k := m[1]
			if strings.HasSuffix(k, ".") {
				continue // a prefix completed at run time
			}
			seen++
			if i18n.T(i18n.NL, k) == k || i18n.T(i18n.EN, k) == k {
				t.Errorf("%s: text %s is missing", f, k)
			}
		}
	}
	if seen < 50 {
		t.Errorf("only %d keys found: the pattern is broken", seen)
	}
}
