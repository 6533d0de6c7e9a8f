package storetest

import (
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// testHandoff pins the hand-off store: a channel's bot agent and a service
// account's bot flag round-trip, a conversation starts with people, its
// handler and sealed hand-off note are set only from the expected handler
// and read back by every conversation read, the state written again as
// read carries the event records staged on it and changes nothing (how
// the bot's turns are recorded), and suggestions round-trip
// sealed, list newest first, are decided once, and go with their
// conversation when its contact is erased.
func testHandoff(t *testing.T, open Opener) {
	s := open(t)
	bot := &switchboard.ServiceAccount{User: &switchboard.User{Login: "helpbot", Name: "Help Bot", RoleID: switchboard.RoleEmployee, Active: true},
		Bot: true, CreatedBy: switchboard.NewID()}
	must(t, s.CreateServiceAccount(ctx(), bot))
	sa, err := s.ServiceAccount(ctx(), bot.User.ID)
	must(t, err)
	if !sa.Bot {
		t.Fatal("service account lost its bot flag")
	}
	plain := &switchboard.ServiceAccount{User: &switchboard.User{Login: "crm", Name: "CRM", RoleID: switchboard.RoleEmployee, Active: true}}
	must(t, s.CreateServiceAccount(ctx(), plain))
	if sa, err := s.ServiceAccount(ctx(), plain.User.ID); err != nil || sa.Bot {
		t.Fatalf("plain service account = %+v, %v", sa, err)
	}

	ch := mustChannel(t, s)
	if ch.BotAgentID != "" {
		t.Fatalf("new channel has bot agent %q", ch.BotAgentID)
	}
	id := bot.User.ID
	got, err := s.UpdateChannel(ctx(), ch.ID, switchboard.ChannelUpdate{BotAgentID: &id})
	must(t, err)
	if got.BotAgentID != id {
		t.Fatalf("UpdateChannel bot agent = %q", got.BotAgentID)
	}
	if got, err = s.Channel(ctx(), ch.ID); err != nil || got.BotAgentID != id {
		t.Fatalf("Channel bot agent = %+v, %v", got, err)
	}
	// The hand-off rules round-trip and stay when other fields change.
	rules := switchboard.HandoffRules{BusinessHours: true, BotFailures: 3}
	if got, err = s.UpdateChannel(ctx(), ch.ID, switchboard.ChannelUpdate{HandoffRules: &rules}); err != nil || got.HandoffRules != rules {
		t.Fatalf("UpdateChannel handoff rules = %+v, %v", got, err)
	}
	name := "Renamed"
	_, err = s.UpdateChannel(ctx(), ch.ID, switchboard.ChannelUpdate{Name: &name})
	must(t, err)
	if all, err := s.Channels(ctx()); err != nil || len(all) != 1 || all[0].HandoffRules != rules {
		t.Fatalf("Channels handoff rules = %+v, %v", all, err)
	}
	withRules := &switchboard.Channel{Name: "Rules", PhoneNumberID: "4711000", AccessToken: "token-123456", AppSecret: "secret-123456",
		VerifyToken: "verify-123456", HandoffRules: switchboard.HandoffRules{BotFailures: 2}}
	must(t, s.CreateChannel(ctx(), withRules))
	if got, err := s.ChannelByPhoneNumberID(ctx(), "4711000"); err != nil || got.HandoffRules != withRules.HandoffRules {
		t.Fatalf("created channel handoff rules = %+v, %v", got, err)
	}

	conv := mustReceive(t, s, inbound(ch.ID, "4915112345678", "Jürgen", "hello", T0)).Conversation
	c, err := s.Conversation(ctx(), conv.ID, "")
	must(t, err)
	if c.Handler != switchboard.HandlerHuman || c.Handoff != nil {
		t.Fatalf("new conversation handler %q handoff %+v", c.Handler, c.Handoff)
	}
	at := T0.Add(time.Minute)
	toBot := switchboard.HandoffState{Handler: switchboard.HandlerBot, Reason: switchboard.ReasonOpened, At: at}
	c, err = s.SetHandoff(ctx(), conv.ID, &switchboard.HandoffState{Handler: switchboard.HandlerHuman}, toBot)
	must(t, err)
	if c.Handler != switchboard.HandlerBot || c.Handoff == nil || c.Handoff.Reason != switchboard.ReasonOpened || !c.Handoff.At.Equal(at) {
		t.Fatalf("SetHandoff to bot = %+v %+v", c.Handler, c.Handoff)
	}
	// A stale expectation changes nothing.
	_, err = s.SetHandoff(ctx(), conv.ID, &switchboard.HandoffState{Handler: switchboard.HandlerHuman}, switchboard.HandoffState{Handler: switchboard.HandlerHuman})
	wantCode(t, err, switchboard.EConflict)
	_, err = s.SetHandoff(ctx(), switchboard.NewID(), nil, toBot)
	wantCode(t, err, switchboard.ENotFound)
	_, err = s.SetHandoff(ctx(), conv.ID, nil, switchboard.HandoffState{Handler: "robot"})
	wantCode(t, err, switchboard.EInvalid)

	// The bot's failures are kept with the handler.
	failed := toBot
	failed.BotFailures = 2
	c, err = s.SetHandoff(ctx(), conv.ID, &switchboard.HandoffState{Handler: switchboard.HandlerBot}, failed)
	must(t, err)
	if c.Handoff == nil || c.Handoff.BotFailures != 2 || c.Handler != switchboard.HandlerBot {
		t.Fatalf("SetHandoff bot failures = %+v %+v", c.Handler, c.Handoff)
	}
	// A count read before another failure was stored is stale: the
	// second writer must read again, so neither failure is lost.
	stale := failed
	stale.BotFailures = 1
	_, err = s.SetHandoff(ctx(), conv.ID, &switchboard.HandoffState{Handler: switchboard.HandlerBot, BotFailures: 0}, stale)
	wantCode(t, err, switchboard.EConflict)
	if c, err = s.Conversation(ctx(), conv.ID, ""); err != nil || c.Handoff == nil || c.Handoff.BotFailures != 2 {
		t.Fatalf("Conversation bot failures = %+v, %v", c, err)
	}

	// Writing the state as read again confirms it (the bot's turns are
	// recorded so): the records staged on it are written, the
	// conversation stays as it was; a stale confirmation writes nothing.
	asRead := c.HandoffState()
	countTurns := func() int {
		n := 0
		for _, r := range mustPending(t, s) {
			if r.Type == switchboard.EventBotTurn && r.ConversationID == conv.ID {
				n++
			}
		}
		return n
	}
	turn := switchboard.NewEventRecord(switchboard.EventBotTurn, at, conv.ID, ch.ID, switchboard.NewID())
	staleTurn := switchboard.WithEvents(ctx(), switchboard.NewEventRecord(switchboard.EventBotTurn, at, conv.ID, ch.ID, switchboard.NewID()))
	_, err = s.SetHandoff(staleTurn, conv.ID, &switchboard.HandoffState{Handler: switchboard.HandlerBot, BotFailures: 1}, asRead)
	wantCode(t, err, switchboard.EConflict)
	if n := countTurns(); n != 0 || switchboard.EventLogged(staleTurn, switchboard.EventBotTurn, conv.ID) {
		t.Fatalf("a stale confirmation wrote %d records", n)
	}
	tctx := switchboard.WithEvents(ctx(), turn)
	confirmed, err := s.SetHandoff(tctx, conv.ID, &asRead, asRead)
	must(t, err)
	if confirmed.Handler != c.Handler || confirmed.Handoff == nil || *confirmed.Handoff != *c.Handoff {
		t.Fatalf("confirmed conversation = %+v %+v, want %+v %+v", confirmed.Handler, confirmed.Handoff, c.Handler, c.Handoff)
	}
	if n := countTurns(); n != 1 || !switchboard.EventLogged(tctx, switchboard.EventBotTurn, conv.ID) || turn.Position <= 0 {
		t.Fatalf("confirmation wrote %d records, %+v", n, turn)
	}

	toHuman := switchboard.HandoffState{Handler: switchboard.HandlerHuman, Reason: "refund",
		Summary: "Jürgen wants his money back for order 4711.", At: at.Add(time.Minute), By: id}
	_, err = s.SetHandoff(ctx(), conv.ID, &switchboard.HandoffState{Handler: switchboard.HandlerBot, BotFailures: 2}, toHuman)
	must(t, err)
	list, _, err := s.Conversations(ctx(), switchboard.ConversationFilter{})
	must(t, err)
	if len(list) != 1 || list[0].Handler != switchboard.HandlerHuman || list[0].Handoff == nil ||
		*list[0].Handoff != (switchboard.HandoffState{Reason: "refund", Summary: toHuman.Summary, At: toHuman.At, By: id}) {
		t.Fatalf("listed conversation handoff = %+v", list[0].Handoff)
	}
	if _, l, err := s.ContactConversations(ctx(), conv.Contact.ID); err != nil || len(l) != 1 || l[0].Handoff == nil || l[0].Handoff.Summary != toHuman.Summary {
		t.Fatalf("ContactConversations = %+v, %v", l, err)
	}

	// Suggestions.
	s1 := &switchboard.Suggestion{ConversationID: conv.ID, AuthorID: id, Text: "Your refund is on its way.", Rationale: "order 4711 is refundable", CreatedAt: T0.Add(3 * time.Minute)}
	must(t, s.CreateSuggestion(ctx(), s1))
	if s1.ID == "" || s1.State != switchboard.SuggestionPending || s1.UpdatedAt.IsZero() {
		t.Fatalf("CreateSuggestion = %+v", s1)
	}
	s2 := &switchboard.Suggestion{ConversationID: conv.ID, AuthorID: id, Text: "Anything else?", CreatedAt: T0.Add(4 * time.Minute)}
	must(t, s.CreateSuggestion(ctx(), s2))
	wantCode(t, s.CreateSuggestion(ctx(), &switchboard.Suggestion{ConversationID: switchboard.NewID(), Text: "x"}), switchboard.ENotFound)

	sg, err := s.Suggestion(ctx(), s1.ID)
	must(t, err)
	if sg.Text != s1.Text || sg.Rationale != s1.Rationale || sg.AuthorID != id || !sg.CreatedAt.Equal(s1.CreatedAt) || sg.CreatedAt.Location() != time.UTC {
		t.Fatalf("Suggestion = %+v", sg)
	}
	_, err = s.Suggestion(ctx(), switchboard.NewID())
	wantCode(t, err, switchboard.ENotFound)
	all, err := s.Suggestions(ctx(), conv.ID, false, 0)
	must(t, err)
	if len(all) != 2 || all[0].ID != s2.ID || all[1].ID != s1.ID {
		t.Fatalf("Suggestions = %+v; want newest first", all)
	}

	dec := switchboard.SuggestionDecision{State: switchboard.SuggestionSent, By: "op", MessageID: "m1", At: T0.Add(5 * time.Minute)}
	sent, err := s.DecideSuggestion(ctx(), s1.ID, dec)
	must(t, err)
	if sent.State != switchboard.SuggestionSent || sent.DecidedBy != "op" || sent.MessageID != "m1" || !sent.UpdatedAt.Equal(dec.At) || sent.Text != s1.Text {
		t.Fatalf("DecideSuggestion = %+v", sent)
	}
	_, err = s.DecideSuggestion(ctx(), s1.ID, switchboard.SuggestionDecision{State: switchboard.SuggestionDiscarded, By: "op2"})
	wantCode(t, err, switchboard.EConflict)
	_, err = s.DecideSuggestion(ctx(), s2.ID, switchboard.SuggestionDecision{State: switchboard.SuggestionPending})
	wantCode(t, err, switchboard.EInvalid)
	_, err = s.DecideSuggestion(ctx(), switchboard.NewID(), switchboard.SuggestionDecision{State: switchboard.SuggestionDiscarded})
	wantCode(t, err, switchboard.ENotFound)
	pending, err := s.Suggestions(ctx(), conv.ID, true, 10)
	must(t, err)
	if len(pending) != 1 || pending[0].ID != s2.ID {
		t.Fatalf("pending Suggestions = %+v", pending)
	}

	// Erasing the contact takes the suggestions with the conversation.
	_, err = s.EraseContact(ctx(), switchboard.Erasure{ContactID: conv.Contact.ID, ErasedAt: T0.Add(time.Hour)})
	must(t, err)
	_, err = s.Suggestion(ctx(), s2.ID)
	wantCode(t, err, switchboard.ENotFound)

	// Retention deletes suggestions older than its cutoff, even in a
	// conversation that stays.
	fresh := mustReceive(t, s, inbound(ch.ID, "4917000000001", "Lena", "new", T0.Add(48*time.Hour))).Conversation
	old := &switchboard.Suggestion{ConversationID: fresh.ID, AuthorID: id, Text: "old draft", CreatedAt: T0}
	must(t, s.CreateSuggestion(ctx(), old))
	_, err = s.DeleteExpired(ctx(), ch.ID, T0.Add(24*time.Hour), 100)
	must(t, err)
	_, err = s.Suggestion(ctx(), old.ID)
	wantCode(t, err, switchboard.ENotFound)
	if _, err := s.Conversation(ctx(), fresh.ID, ""); err != nil {
		t.Fatalf("the newer conversation went too: %v", err)
	}
}
