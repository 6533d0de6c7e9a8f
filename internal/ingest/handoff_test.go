package ingest_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/ingest"
)

// TestPlanHandoffs: the planner feeds each conversation's new messages to
// the hand-off state machine, in batch order, on the channels the batch
// names: an opened conversation goes to the bot, a customer asking for a
// person takes it to people, each customer message the bot is left with
// is its turn (a message the business sent is none), a channel without a
// bot takes back a reopened conversation the bot had, and a channel the
// batch does not name is not touched.
func TestPlanHandoffs(t *testing.T) {
	bot := switchboard.ChannelHandoff{BotAgentID: "bot", Rules: switchboard.DefaultHandoffRules}
	text := func(s string) func(*ingest.Message) {
		return func(m *ingest.Message) { m.In.Message.Content.Text = s }
	}
	fromApp := func(m *ingest.Message) { m.In.Message.Author = switchboard.AuthorBusinessApp }
	plan := func(set map[string]switchboard.ChannelHandoff, convs []*ingest.Conversation, contacts []*ingest.Contact, msgs ...ingest.Message) *ingest.Plan {
		st := ingest.Stored{Contacts: contacts, Conversations: map[string]*ingest.Conversation{}}
		for _, cv := range convs {
			st.Conversations[cv.ContactID] = cv
		}
		n := 0
		return ingest.Build(ingest.Input{Messages: msgs, Stored: st, Now: now, Handoff: set,
			NewID: func() string { n++; return fmt.Sprintf("id%d", n) }})
	}
	summary := func(h *ingest.Handoff) (changes, turns []string) {
		for _, c := range h.Changes {
			changes = append(changes, string(c.State.Handler)+"/"+c.State.Reason)
			if c.Entry == nil || c.Entry.Activity.Value != string(c.State.Handler) || !c.Entry.CreatedAt.After(now.Add(-1)) {
				t.Errorf("change %+v has activity line %+v", c.State, c.Entry)
			}
		}
		for _, m := range h.Turns {
			turns = append(turns, m.Content.Text)
		}
		return changes, turns
	}

	// A new customer greets, then asks for a person; the app's reply in
	// between is no turn.
	p := plan(map[string]switchboard.ChannelHandoff{"ch": bot}, nil, nil,
		msg("49151", "", "Anna", "w1", t0, text("Hallo")),
		msg("49151", "", "Anna", "w2", t0, text("Wir melden uns"), fromApp),
		msg("49151", "", "Anna", "w3", t0, text("Ich will einen Menschen, einen echten Mitarbeiter")),
		msg("49151", "", "Anna", "w4", t0, text("Hallo?")))
	if len(p.Handoffs) != 1 || !p.Handoffs[0].Set {
		t.Fatalf("handoffs = %+v", p.Handoffs)
	}
	h := p.Handoffs[0]
	changes, turns := summary(h)
	if want := []string{"bot/opened", "human/customer_asked"}; !slices.Equal(changes, want) {
		t.Errorf("changes = %v, want %v", changes, want)
	}
	if want := []string{"Hallo"}; !slices.Equal(turns, want) {
		t.Errorf("turns = %v, want %v", turns, want)
	}
	if h.To.Handler != switchboard.HandlerHuman || h.To.Reason != switchboard.ReasonCustomerAsked || !h.To.At.Equal(now) ||
		h.Changes[1].Entry.CreatedAt.Compare(h.Changes[0].Entry.CreatedAt) <= 0 {
		t.Errorf("to = %+v, lines at %v", h.To, []any{h.Changes[0].Entry.CreatedAt, h.Changes[1].Entry.CreatedAt})
	}

	// The bot keeps a conversation it handles: every message is a turn and
	// the state is not written again.
	ct, cv := stored("c1", "49152", "", "Bernd", switchboard.StatusOpen)
	cv.Handoff = switchboard.HandoffState{Handler: switchboard.HandlerBot, At: t0, By: "admin", BotFailures: 1}
	p = plan(map[string]switchboard.ChannelHandoff{"ch": bot}, []*ingest.Conversation{cv}, []*ingest.Contact{ct},
		msg("49152", "", "Bernd", "w5", t0, text("Wo ist mein Paket?")), msg("49152", "", "Bernd", "w6", t0, text("Danke")))
	if len(p.Handoffs) != 1 || p.Handoffs[0].Set || len(p.Handoffs[0].Changes) != 0 {
		t.Fatalf("bot keeps: handoffs = %+v", p.Handoffs)
	}
	if _, turns := summary(p.Handoffs[0]); len(turns) != 2 {
		t.Errorf("bot keeps: turns = %v", turns)
	}

	// A closed conversation the bot had reopens on a channel whose bot
	// was removed: people get it, and nothing is the bot's turn.
	ct, cv = stored("c2", "49153", "", "Clara", switchboard.StatusResolved)
	cv.Handoff = switchboard.HandoffState{Handler: switchboard.HandlerBot, At: t0}
	p = plan(map[string]switchboard.ChannelHandoff{"ch": {}}, []*ingest.Conversation{cv}, []*ingest.Contact{ct},
		msg("49153", "", "Clara", "w7", t0, text("Hallo")))
	if len(p.Handoffs) != 1 {
		t.Fatalf("no bot: handoffs = %+v", p.Handoffs)
	}
	if changes, turns := summary(p.Handoffs[0]); !slices.Equal(changes, []string{"human/opened"}) || len(turns) != 0 {
		t.Errorf("no bot: changes %v turns %v", changes, turns)
	}

	// Not named: untouched, and the conversation's handler stays as stored.
	ct, cv = stored("c3", "49154", "", "Dora", switchboard.StatusOpen)
	cv.Handoff = switchboard.HandoffState{Handler: switchboard.HandlerBot, At: t0}
	p = plan(nil, []*ingest.Conversation{cv}, []*ingest.Contact{ct}, msg("49154", "", "Dora", "w8", t0, text("human")))
	if len(p.Handoffs) != 0 || p.Conversations[0].Conversation().Handler != switchboard.HandlerBot {
		t.Fatalf("not named: handoffs = %+v", p.Handoffs)
	}
}
