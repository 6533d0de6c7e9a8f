package inbox

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/password"
)

// withHasher gives f's service a fast password hasher (service accounts
// get a random password).
func withHasher(f *fixture) *fixture {
	f.svc.Passwords, _ = password.NewHasher(password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 2)
	return f
}

// recorder keeps the published events.
type recorder struct {
	mu     sync.Mutex
	events []switchboard.Event
}

func (r *recorder) Publish(_ context.Context, e switchboard.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

// take returns the types of the events since the last call.
func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		out = append(out, e.Type)
	}
	r.events = nil
	return out
}

func wantErrCode(t *testing.T, err error, code string) {
	t.Helper()
	if switchboard.ErrorCode(err) != code {
		t.Fatalf("error %v, want %s", err, code)
	}
}

func TestHandoffFlow(t *testing.T) {
	ctx := context.Background()
	f := withHasher(newFixture(t))
	rec := &recorder{}
	f.svc.Events = rec
	admin := f.actor(t, "admin", switchboard.RoleAdmin)
	op := f.actor(t, "olga", switchboard.RoleOperator)

	plain, err := f.svc.CreateServiceAccount(ctx, admin, NewServiceAccount{Login: "crm", Name: "CRM", RoleID: switchboard.RoleOperator})
	if err != nil {
		t.Fatal(err)
	}
	sa, err := f.svc.CreateServiceAccount(ctx, admin, NewServiceAccount{Login: "helpbot", Name: "Help Bot", RoleID: switchboard.RoleOperator, Bot: true})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := f.store.Role(ctx, switchboard.RoleOperator)
	bot := &switchboard.Actor{User: sa.User, Role: r, TokenID: "tok"}
	other := &switchboard.Actor{User: plain.User, Role: r, TokenID: "tok2"}

	// Only a bot service account may be a bot agent.
	pid := plain.User.ID
	_, err = f.svc.UpdateChannel(ctx, admin, f.channel.ID, ChannelInput{BotAgentID: &pid})
	wantErrCode(t, err, switchboard.EInvalid)
	bid := sa.User.ID
	if _, err := f.svc.UpdateChannel(ctx, admin, f.channel.ID, ChannelInput{BotAgentID: &bid}); err != nil {
		t.Fatal(err)
	}

	// A new conversation on the bot's channel starts with the bot, whose
	// turn it is.
	now := f.svc.now()
	in := func(text string, at time.Time) switchboard.InboundMessage {
		return switchboard.InboundMessage{ChannelID: f.channel.ID, WaID: "4915112345678", ProfileName: "Jürgen",
			Message: &switchboard.Message{Type: switchboard.TypeText, Content: switchboard.MessageContent{Text: text},
				WAMessageID: "wamid." + text, Timestamp: at}}
	}
	m, _, err := f.svc.System().Receive(ctx, in("where is my order?", now.Add(-time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.take(); !slices.Contains(got, switchboard.EventHandoffToBot) || !slices.Contains(got, switchboard.EventBotTurn) {
		t.Fatalf("events %v; want handoff.to_bot and handoff.bot_turn", got)
	}
	convID := m.ConversationID
	c, err := f.svc.Conversation(ctx, op, convID)
	if err != nil || c.Handler != switchboard.HandlerBot || c.Handoff.Reason != switchboard.ReasonOpened {
		t.Fatalf("conversation %+v, %v", c, err)
	}

	// The bot answers; another service account is no bot here.
	if _, err := f.svc.Send(ctx, bot, convID, Outgoing{Type: switchboard.TypeText, Text: "It ships tomorrow."}); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Suggest(ctx, other, convID, "x", "")
	wantErrCode(t, err, switchboard.EForbidden)
	if c, err := f.svc.HandOff(ctx, other, convID, switchboard.HandlerBot, "", ""); err != nil || c.Handler != switchboard.HandlerBot {
		t.Fatalf("hand back to the bot that has it: %+v, %v", c, err) // a no-op
	}
	rec.take()

	// The customer asks for a person: the rule hands off, no bot turn.
	if _, _, err := f.svc.System().Receive(ctx, in("I want to talk to a human", now)); err != nil {
		t.Fatal(err)
	}
	got := rec.take()
	if !slices.Contains(got, switchboard.EventHandoffToHuman) || slices.Contains(got, switchboard.EventBotTurn) {
		t.Fatalf("events %v; want handoff.to_human and no bot turn", got)
	}
	c, _ = f.svc.Conversation(ctx, op, convID)
	if c.Handler != switchboard.HandlerHuman || c.Handoff.Reason != switchboard.ReasonCustomerAsked {
		t.Fatalf("after the rule: %s %+v", c.Handler, c.Handoff)
	}
	// The bot may no longer send or hand off, but may suggest.
	_, err = f.svc.Send(ctx, bot, convID, Outgoing{Type: switchboard.TypeText, Text: "Still me."})
	wantErrCode(t, err, switchboard.EForbidden)
	_, err = f.svc.HandOff(ctx, bot, convID, switchboard.HandlerHuman, "x", "")
	wantErrCode(t, err, switchboard.EForbidden)
	sg, err := f.svc.Suggest(ctx, bot, convID, "  Your order ships tomorrow.  ", "tracking says so")
	if err != nil || sg.Text != "Your order ships tomorrow." || sg.State != switchboard.SuggestionPending {
		t.Fatalf("Suggest = %+v, %v", sg, err)
	}
	if got := rec.take(); !slices.Equal(got, []string{switchboard.EventSuggestionCreate}) {
		t.Fatalf("events %v", got)
	}

	// The operator hands back; the bot hands off with a summary.
	if c, err = f.svc.HandOff(ctx, op, convID, switchboard.HandlerBot, "", ""); err != nil || c.Handler != switchboard.HandlerBot {
		t.Fatalf("hand back: %+v, %v", c, err)
	}
	_, err = f.svc.HandOff(ctx, bot, convID, switchboard.HandlerHuman, "", "")
	wantErrCode(t, err, switchboard.EInvalid)
	c, err = f.svc.HandOff(ctx, bot, convID, switchboard.HandlerHuman, "refund", "Wants a refund for order 4711.")
	if err != nil || c.Handler != switchboard.HandlerHuman || c.Handoff.Summary != "Wants a refund for order 4711." || c.Handoff.By != bot.User.ID {
		t.Fatalf("bot hand-off: %+v, %v", c, err)
	}
	_, err = f.svc.HandOff(ctx, op, convID, "robot", "", "")
	wantErrCode(t, err, switchboard.EInvalid)

	// The operator hands back, then sends the suggestion edited: a
	// person's reply, so people handle it again.
	if _, err = f.svc.HandOff(ctx, op, convID, switchboard.HandlerBot, "", ""); err != nil {
		t.Fatal(err)
	}
	rec.take()
	edited := "Your order ships tomorrow, Jürgen."
	msg, done, err := f.svc.SendSuggestion(ctx, op, convID, sg.ID, &edited)
	if err != nil || msg.Content.Text != edited || done.State != switchboard.SuggestionSent || done.MessageID != msg.ID || done.DecidedBy != op.User.ID {
		t.Fatalf("SendSuggestion = %+v %+v, %v", msg, done, err)
	}
	got = rec.take()
	if !slices.Contains(got, switchboard.EventHandoffToHuman) || !slices.Contains(got, switchboard.EventSuggestionUpdate) {
		t.Fatalf("events %v", got)
	}
	c, _ = f.svc.Conversation(ctx, op, convID)
	if c.Handler != switchboard.HandlerHuman || c.Handoff.Reason != switchboard.ReasonPersonReplied {
		t.Fatalf("after the reply: %s %+v", c.Handler, c.Handoff)
	}
	_, _, err = f.svc.SendSuggestion(ctx, op, convID, sg.ID, nil)
	wantErrCode(t, err, switchboard.EConflict)
	_, _, err = f.svc.SendSuggestion(ctx, op, convID, switchboard.NewID(), nil)
	wantErrCode(t, err, switchboard.ENotFound)

	// Discard; a suggestion of another conversation is not found.
	sg2, err := f.svc.Suggest(ctx, bot, convID, "Anything else?", "")
	if err != nil {
		t.Fatal(err)
	}
	otherConv := f.receive(t, "4917000000000", "hi", now)
	_, err = f.svc.DiscardSuggestion(ctx, op, otherConv.ID, sg2.ID)
	wantErrCode(t, err, switchboard.ENotFound)
	if d, err := f.svc.DiscardSuggestion(ctx, op, convID, sg2.ID); err != nil || d.State != switchboard.SuggestionDiscarded {
		t.Fatalf("discard = %+v, %v", d, err)
	}
	list, err := f.svc.Suggestions(ctx, op, convID, true)
	if err != nil || len(list) != 0 {
		t.Fatalf("pending = %+v, %v", list, err)
	}

	// Authorship.
	msgs, _, err := f.svc.Messages(ctx, op, convID, switchboard.MessagePage{})
	if err != nil {
		t.Fatal(err)
	}
	var authors []switchboard.MessageAuthor
	for _, m := range msgs {
		authors = append(authors, m.Author)
	}
	want := []switchboard.MessageAuthor{switchboard.AuthorUser, switchboard.AuthorBot, switchboard.AuthorCustomer, switchboard.AuthorCustomer}
	if !slices.Equal(authors, want) {
		t.Fatalf("authors %v, want %v", authors, want)
	}
}

func TestAssignHandsToPeople(t *testing.T) {
	ctx := context.Background()
	f := withHasher(newFixture(t))
	admin := f.actor(t, "admin", switchboard.RoleAdmin)
	op := f.actor(t, "olga", switchboard.RoleOperator)
	sa, err := f.svc.CreateServiceAccount(ctx, admin, NewServiceAccount{Login: "helpbot", Name: "Help Bot", RoleID: switchboard.RoleOperator, Bot: true})
	if err != nil {
		t.Fatal(err)
	}
	bid := sa.User.ID
	if _, err := f.svc.UpdateChannel(ctx, admin, f.channel.ID, ChannelInput{BotAgentID: &bid}); err != nil {
		t.Fatal(err)
	}
	m, _, err := f.svc.System().Receive(ctx, switchboard.InboundMessage{ChannelID: f.channel.ID, WaID: "4915112345678",
		Message: &switchboard.Message{Type: switchboard.TypeText, Content: switchboard.MessageContent{Text: "hi"}, WAMessageID: "wamid.1", Timestamp: f.svc.now()}})
	if err != nil {
		t.Fatal(err)
	}
	// Assigning the bot itself keeps the bot.
	c, err := f.svc.Assign(ctx, op, m.ConversationID, sa.User.ID)
	if err != nil || c.Handler != switchboard.HandlerBot {
		t.Fatalf("assign bot: %+v, %v", c, err)
	}
	c, err = f.svc.Assign(ctx, op, m.ConversationID, op.User.ID)
	if err != nil || c.Handler != switchboard.HandlerHuman || c.Handoff.Reason != switchboard.ReasonAssigned {
		t.Fatalf("assign person: %+v, %v", c, err)
	}
	// Without a bot agent, nothing can be handed back.
	empty := ""
	if _, err := f.svc.UpdateChannel(ctx, admin, f.channel.ID, ChannelInput{BotAgentID: &empty}); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.HandOff(ctx, op, m.ConversationID, switchboard.HandlerBot, "", "")
	wantErrCode(t, err, switchboard.EUnprocessable)
}

func TestReceiveBatchHandoff(t *testing.T) {
	ctx := context.Background()
	f := withHasher(newFixture(t))
	rec := &recorder{}
	f.svc.Events = rec
	admin := f.actor(t, "admin", switchboard.RoleAdmin)
	sa, err := f.svc.CreateServiceAccount(ctx, admin, NewServiceAccount{Login: "helpbot", Name: "Help Bot", RoleID: switchboard.RoleOperator, Bot: true})
	if err != nil {
		t.Fatal(err)
	}
	bid := sa.User.ID
	if _, err := f.svc.UpdateChannel(ctx, admin, f.channel.ID, ChannelInput{BotAgentID: &bid}); err != nil {
		t.Fatal(err)
	}
	msg := func(text string) switchboard.InboundMessage {
		return switchboard.InboundMessage{ChannelID: f.channel.ID, WaID: "4915112345678",
			Message: &switchboard.Message{Type: switchboard.TypeText, Content: switchboard.MessageContent{Text: text}, WAMessageID: "wamid." + text, Timestamp: f.svc.now()}}
	}
	r, err := f.svc.System().ReceiveBatch(ctx, switchboard.InboundBatch{Messages: []switchboard.InboundMessage{msg("hello"), msg("order?")}})
	if err != nil {
		t.Fatal(err)
	}
	got := rec.take()
	turns := 0
	for _, typ := range got {
		if typ == switchboard.EventBotTurn {
			turns++
		}
	}
	if turns != 2 || !slices.Contains(got, switchboard.EventHandoffToBot) {
		t.Fatalf("events %v; want handoff.to_bot and two bot turns", got)
	}
	if _, err := f.svc.System().ReceiveBatch(ctx, switchboard.InboundBatch{Messages: []switchboard.InboundMessage{msg("Ich möchte einen Mitarbeiter")}}); err != nil {
		t.Fatal(err)
	}
	c, err := f.store.Conversation(ctx, r.Received[0].Conversation.ID, "")
	if err != nil || c.Handler != switchboard.HandlerHuman || c.Handoff.Reason != switchboard.ReasonCustomerAsked {
		t.Fatalf("after asking for a person: %+v, %v", c, err)
	}
	if got := rec.take(); slices.Contains(got, switchboard.EventBotTurn) {
		t.Fatalf("bot turn after the hand-off: %v", got)
	}
}

func TestFailedBotMessageHandsToPeople(t *testing.T) {
	ctx := context.Background()
	f := withHasher(newFixture(t))
	admin := f.actor(t, "admin", switchboard.RoleAdmin)
	sa, err := f.svc.CreateServiceAccount(ctx, admin, NewServiceAccount{Login: "helpbot", Name: "Help Bot", RoleID: switchboard.RoleOperator, Bot: true})
	if err != nil {
		t.Fatal(err)
	}
	// The fixture's channel comes from the store, without the service's
	// default rules: set the default, the first failure hands off.
	bid, one := sa.User.ID, 1
	if _, err := f.svc.UpdateChannel(ctx, admin, f.channel.ID, ChannelInput{BotAgentID: &bid, HandoffRules: &HandoffRulesInput{BotFailures: &one}}); err != nil {
		t.Fatal(err)
	}
	r, _ := f.store.Role(ctx, switchboard.RoleOperator)
	bot := &switchboard.Actor{User: sa.User, Role: r, TokenID: "tok"}
	in, _, err := f.svc.System().Receive(ctx, switchboard.InboundMessage{ChannelID: f.channel.ID, WaID: "4915112345678",
		Message: &switchboard.Message{Type: switchboard.TypeText, Content: switchboard.MessageContent{Text: "hi"}, WAMessageID: "wamid.1", Timestamp: f.svc.now()}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := f.svc.Send(ctx, bot, in.ConversationID, Outgoing{Type: switchboard.TypeText, Text: "Hello!"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.System().ApplyStatus(ctx, switchboard.StatusUpdate{ChannelID: f.channel.ID, MessageID: m.ID, Status: switchboard.MessageFailed,
		Timestamp: f.svc.now(), Error: &switchboard.MessageError{Code: 131026, Title: "Message undeliverable"}}); err != nil {
		t.Fatal(err)
	}
	c, err := f.store.Conversation(ctx, in.ConversationID, "")
	if err != nil || c.Handler != switchboard.HandlerHuman || c.Handoff.Reason != switchboard.ReasonBotFailed {
		t.Fatalf("after the bot's failed message: %+v, %v", c, err)
	}
}

// TestBotFailuresFromAStaleReadAllCount: two failures counted from the
// same read of a conversation (as two requests at the same moment would)
// are both counted: the store refuses the second write, whose count is
// stale, and the service reads the conversation again.
func TestBotFailuresFromAStaleReadAllCount(t *testing.T) {
	ctx := context.Background()
	f := withHasher(newFixture(t))
	admin := f.actor(t, "admin", switchboard.RoleAdmin)
	sa, err := f.svc.CreateServiceAccount(ctx, admin, NewServiceAccount{Login: "helpbot", Name: "Help Bot", RoleID: switchboard.RoleOperator, Bot: true})
	if err != nil {
		t.Fatal(err)
	}
	bid, three := sa.User.ID, 3
	if _, err := f.svc.UpdateChannel(ctx, admin, f.channel.ID, ChannelInput{BotAgentID: &bid, HandoffRules: &HandoffRulesInput{BotFailures: &three}}); err != nil {
		t.Fatal(err)
	}
	in, _, err := f.svc.System().Receive(ctx, switchboard.InboundMessage{ChannelID: f.channel.ID, WaID: "4915112345678",
		Message: &switchboard.Message{Type: switchboard.TypeText, Content: switchboard.MessageContent{Text: "hi"}, WAMessageID: "wamid.1", Timestamp: f.svc.now()}})
	if err != nil {
		t.Fatal(err)
	}
	stale, err := f.store.Conversation(ctx, in.ConversationID, "")
	if err != nil || stale.Handler != switchboard.HandlerBot {
		t.Fatalf("new conversation on the bot's channel: %+v, %v", stale, err)
	}
	f.svc.botFailed(ctx, stale)
	f.svc.botFailed(ctx, stale)
	c, err := f.store.Conversation(ctx, in.ConversationID, "")
	if err != nil || c.Handler != switchboard.HandlerBot || c.HandoffState().BotFailures != 2 {
		t.Fatalf("after two failures from one read: handler %q failures %d, %v; want bot, 2", c.Handler, c.HandoffState().BotFailures, err)
	}
	f.svc.botFailed(ctx, stale) // the third reaches the rule's limit
	if c, err = f.store.Conversation(ctx, in.ConversationID, ""); err != nil || c.Handler != switchboard.HandlerHuman || c.Handoff.Reason != switchboard.ReasonBotFailed {
		t.Fatalf("after the third failure: %+v, %v", c, err)
	}
}
