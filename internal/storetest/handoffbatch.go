package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// testHandoffInBatch pins the hand-off rules inside the ingest batch: a
// batch that names its channels' bot settings (InboundBatch.Handoff)
// commits, with its messages and in their transaction, what the rules
// decide: the conversation's hand-off state, an activity line and a
// handoff.to_* event record per change of handler, and a handoff.bot_turn
// record per message that is the bot's turn. The batch's write keeps the
// compare-and-set of SetHandoff: a failure counted from the state before
// the batch is refused. A channel the batch does not name is not touched
// by the rules.
func testHandoffInBatch(t *testing.T, open Opener) {
	s := open(t)
	bot := &switchboard.ServiceAccount{User: &switchboard.User{Login: "batchbot", Name: "Batch Bot", RoleID: switchboard.RoleEmployee, Active: true},
		Bot: true, CreatedBy: switchboard.NewID()}
	must(t, s.CreateServiceAccount(ctx(), bot))
	ch := mustChannel(t, s)
	other := mustChannel(t, s)
	id := bot.User.ID
	for _, c := range []*switchboard.Channel{ch, other} {
		_, err := s.UpdateChannel(ctx(), c.ID, switchboard.ChannelUpdate{BotAgentID: &id})
		must(t, err)
	}
	set := map[string]switchboard.ChannelHandoff{ch.ID: {BotAgentID: id, Rules: switchboard.DefaultHandoffRules}}

	// A asks for a person in its second message; B only greets; C writes
	// on a channel the batch does not name.
	a1 := inbound(ch.ID, "4915100000001", "Anna", "Hallo", T0)
	a2 := inbound(ch.ID, "4915100000001", "Anna", "Ich möchte mit einem Menschen sprechen, bitte einen Mitarbeiter", T0.Add(time.Second))
	b1 := inbound(ch.ID, "4915100000002", "Bernd", "Hallo", T0.Add(2*time.Second))
	c1 := inbound(other.ID, "4915100000003", "Clara", "human please", T0.Add(3*time.Second))
	r, err := s.ReceiveBatch(ctx(), switchboard.InboundBatch{Messages: []switchboard.InboundMessage{a1, a2, b1, c1}, Handoff: set})
	must(t, err)
	convA, convB, convC := r.Received[0].Conversation, r.Received[2].Conversation, r.Received[3].Conversation
	if convA.Handler != switchboard.HandlerHuman || convA.Handoff == nil || convA.Handoff.Reason != switchboard.ReasonCustomerAsked {
		t.Fatalf("batch result A = %q %+v, want human customer_asked", convA.Handler, convA.Handoff)
	}
	if convB.Handler != switchboard.HandlerBot || convB.Handoff == nil || convB.Handoff.Reason != switchboard.ReasonOpened {
		t.Fatalf("batch result B = %q %+v, want bot opened", convB.Handler, convB.Handoff)
	}
	if convC.Handler != switchboard.HandlerHuman || convC.Handoff != nil {
		t.Fatalf("batch result C = %q %+v, want untouched", convC.Handler, convC.Handoff)
	}
	if len(r.Handoffs) != 2 || r.Handoffs[0].ConversationID != convA.ID || r.Handoffs[1].ConversationID != convB.ID {
		t.Fatalf("batch handoffs = %+v, want A and B", r.Handoffs)
	}
	ha, hb := r.Handoffs[0], r.Handoffs[1]
	if len(ha.Changes) != 2 || ha.Changes[0].State.Handler != switchboard.HandlerBot || ha.Changes[1].State.Handler != switchboard.HandlerHuman ||
		len(ha.Turns) != 1 || ha.Turns[0].ID != r.Received[0].Message.ID {
		t.Fatalf("A's hand-off = %+v, want to the bot, its turn on the greeting, to people", ha)
	}
	if len(hb.Changes) != 1 || len(hb.Turns) != 1 || hb.Turns[0].ID != r.Received[2].Message.ID {
		t.Fatalf("B's hand-off = %+v, want to the bot and one turn", hb)
	}

	// All of it is stored once ReceiveBatch returns: no later write.
	stored := func(conv string) *switchboard.Conversation {
		t.Helper()
		c, err := s.Conversation(ctx(), conv, "")
		must(t, err)
		return c
	}
	if c := stored(convA.ID); c.Handler != switchboard.HandlerHuman || c.Handoff == nil || c.Handoff.Reason != switchboard.ReasonCustomerAsked ||
		c.Handoff.By != "" || c.Handoff.BotFailures != 0 {
		t.Fatalf("stored A = %q %+v", c.Handler, c.Handoff)
	}
	if c := stored(convB.ID); c.Handler != switchboard.HandlerBot || c.Handoff == nil || c.Handoff.Reason != switchboard.ReasonOpened {
		t.Fatalf("stored B = %q %+v", c.Handler, c.Handoff)
	}
	if c := stored(convC.ID); c.Handler != switchboard.HandlerHuman || c.Handoff != nil {
		t.Fatalf("stored C = %q %+v", c.Handler, c.Handoff)
	}
	lines := func(conv string) []string {
		t.Helper()
		es, err := s.ThreadEntries(ctx(), conv, time.Time{}, "")
		must(t, err)
		var out []string
		for _, e := range es {
			if e.Kind == switchboard.ActivityEntry && e.Activity != nil && e.Activity.Action == switchboard.ActivityHandoff {
				out = append(out, e.Activity.Value+"/"+e.Activity.Detail)
			}
		}
		return out
	}
	if got, want := lines(convA.ID), []string{"bot/opened", "human/customer_asked"}; !slices.Equal(got, want) {
		t.Fatalf("A's activity lines = %v, want %v", got, want)
	}
	if got, want := lines(convB.ID), []string{"bot/opened"}; !slices.Equal(got, want) {
		t.Fatalf("B's activity lines = %v, want %v", got, want)
	}
	if got := lines(convC.ID); len(got) != 0 {
		t.Fatalf("C's activity lines = %v, want none", got)
	}
	records := func() map[string][]string {
		t.Helper()
		rs, err := s.PendingEvents(ctx(), 1000)
		must(t, err)
		out := map[string][]string{}
		for _, rec := range rs {
			switch rec.Type {
			case switchboard.EventHandoffToBot, switchboard.EventHandoffToHuman:
				out[rec.ConversationID] = append(out[rec.ConversationID], rec.Type)
			case switchboard.EventBotTurn:
				out[rec.ConversationID] = append(out[rec.ConversationID], rec.Type+":"+rec.SubjectID)
			}
		}
		return out
	}
	got := records()
	if want := []string{switchboard.EventHandoffToBot, switchboard.EventHandoffToHuman,
		switchboard.EventBotTurn + ":" + r.Received[0].Message.ID}; !slices.Equal(got[convA.ID], want) {
		t.Fatalf("A's records = %v, want %v", got[convA.ID], want)
	}
	if want := []string{switchboard.EventHandoffToBot, switchboard.EventBotTurn + ":" + r.Received[2].Message.ID}; !slices.Equal(got[convB.ID], want) {
		t.Fatalf("B's records = %v, want %v", got[convB.ID], want)
	}
	if len(got[convC.ID]) != 0 {
		t.Fatalf("C's records = %v, want none", got[convC.ID])
	}

	// A failure of the bot in B counted meanwhile; then B's customer asks
	// for a person. The batch reads the count as stored, hands B to people
	// and starts the count again, so a failure counted from the state read
	// before the batch conflicts instead of overwriting the hand-off.
	before := stored(convB.ID).HandoffState()
	failed := before
	failed.BotFailures = 1
	_, err = s.SetHandoff(ctx(), convB.ID, &before, failed)
	must(t, err)
	r, err = s.ReceiveBatch(ctx(), switchboard.InboundBatch{Messages: []switchboard.InboundMessage{
		inbound(ch.ID, "4915100000002", "Bernd", "operator please", T0.Add(time.Minute))}, Handoff: set})
	must(t, err)
	if c := r.Received[0].Conversation; c.ID != convB.ID || c.Handler != switchboard.HandlerHuman || c.Handoff.Reason != switchboard.ReasonCustomerAsked {
		t.Fatalf("B after asking = %q %+v", c.Handler, c.Handoff)
	}
	stale := failed
	stale.BotFailures = 2
	_, err = s.SetHandoff(ctx(), convB.ID, &failed, stale)
	wantCode(t, err, switchboard.EConflict)
	if c := stored(convB.ID); c.Handler != switchboard.HandlerHuman || c.Handoff.BotFailures != 0 || c.Handoff.Reason != switchboard.ReasonCustomerAsked {
		t.Fatalf("stored B after the stale failure = %q %+v", c.Handler, c.Handoff)
	}
	if got := records()[convB.ID]; len(got) != 3 || got[2] != switchboard.EventHandoffToHuman {
		t.Fatalf("B's records after asking = %v", got)
	}

	// A redelivered batch is all duplicates: the rules see no message.
	r, err = s.ReceiveBatch(ctx(), switchboard.InboundBatch{Messages: []switchboard.InboundMessage{a1, a2}, Handoff: set})
	must(t, err)
	if len(r.Handoffs) != 0 || !r.Received[0].Duplicate {
		t.Fatalf("redelivery = %+v", r.Handoffs)
	}
	if got := lines(convA.ID); len(got) != 2 {
		t.Fatalf("A's activity lines after the redelivery = %v", got)
	}
}
