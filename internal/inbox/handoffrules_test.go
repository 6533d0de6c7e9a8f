package inbox_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/inbox"
	"github.com/switchboardhq/switchboard/internal/password"
	"github.com/switchboardhq/switchboard/internal/postgres"
	"github.com/switchboardhq/switchboard/internal/sqlite"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

// openBackend opens a fresh store on backend ("sqlite", or "postgres" in
// a schema of its own in SWITCHBOARD_TEST_POSTGRES_URL's database, which
// must be reachable) with clock.
func openBackend(t *testing.T, backend string, clock switchboard.Clock) switchboard.Store {
	t.Helper()
	ctx := context.Background()
	switch backend {
	case "sqlite":
		db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"), sqlite.Options{Master: storetest.MasterKey(t), Migrate: true, Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	url := os.Getenv("SWITCHBOARD_TEST_POSTGRES_URL")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("PostgreSQL at %s is unreachable: %v; start it or set SWITCHBOARD_TEST_POSTGRES_URL", url, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "sbinbox_" + hex.EncodeToString(b)
	db, err := postgres.Open(ctx, url, postgres.Options{Master: storetest.MasterKey(t), Migrate: true, Schema: schema, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		if _, err := conn.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		conn.Close(context.Background())
	})
	return db
}

// eventLog keeps the types of the published events.
type eventLog struct {
	mu    sync.Mutex
	types []string
}

func (l *eventLog) Publish(_ context.Context, e switchboard.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.types = append(l.types, e.Type)
}

// take returns the event types since the last call.
func (l *eventLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.types
	l.types = nil
	return out
}

// TestHandoffRules runs the channel's hand-off rules through the service
// on both stores: validated and audited rules, the business-hours rule at
// opening and on a customer message, an operator's hand-back respected,
// and the bot's failures (a refused message, a discarded suggestion)
// counted to the channel's limit and reset on hand-back.
func TestHandoffRules(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) { testHandoffRules(t, backend) })
	}
}

func testHandoffRules(t *testing.T, backend string) {
	ctx := context.Background()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	clock := &testClock{now: time.Date(2026, 12, 2, 8, 0, 0, 0, berlin)} // a Wednesday, before opening
	store := openBackend(t, backend, clock)
	svc := inbox.New(store, nil, nil)
	svc.Clock = clock
	svc.Passwords, _ = password.NewHasher(password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 2)
	events := &eventLog{}
	svc.Events = events
	ch := &switchboard.Channel{Name: "Berlin", PhoneNumberID: "100001", AccessToken: "token", AppSecret: "secret", VerifyToken: "verify"}
	if err := store.CreateChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}
	actor := func(login, roleID string) *switchboard.Actor {
		u := &switchboard.User{Login: login, Name: login, RoleID: roleID, Active: true, PasswordHash: "$argon2id$v=19$x"}
		if err := store.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		r, _ := store.Role(ctx, roleID)
		return &switchboard.Actor{User: u, Role: r}
	}
	admin, op := actor("admin", switchboard.RoleAdmin), actor("olga", switchboard.RoleOperator)
	sa, err := svc.CreateServiceAccount(ctx, admin, inbox.NewServiceAccount{Login: "helpbot", Name: "Help Bot", RoleID: switchboard.RoleOperator, Bot: true})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := store.Role(ctx, switchboard.RoleOperator)
	bot := &switchboard.Actor{User: sa.User, Role: r, TokenID: "tok"}

	// Validation: the business-hours rule needs hours; bounds on failures.
	yes, no, eleven, two := true, false, switchboard.MaxHandoffBotFailures+1, 2
	bid := sa.User.ID
	_, err = svc.UpdateChannel(ctx, admin, ch.ID, inbox.ChannelInput{BotAgentID: &bid, HandoffRules: &inbox.HandoffRulesInput{BusinessHours: &yes}})
	wantCode(t, err, switchboard.EInvalid)
	_, err = svc.UpdateChannel(ctx, admin, ch.ID, inbox.ChannelInput{HandoffRules: &inbox.HandoffRulesInput{BotFailures: &eleven}})
	wantCode(t, err, switchboard.EInvalid)
	_, err = svc.UpdateChannel(ctx, op, ch.ID, inbox.ChannelInput{HandoffRules: &inbox.HandoffRulesInput{BotFailures: &two}})
	wantCode(t, err, switchboard.EForbidden)
	hours := &switchboard.BusinessHours{TimeZone: "Europe/Berlin"}
	for d := 0; d < 5; d++ {
		hours.Week[d] = []switchboard.BusinessInterval{{Open: "09:00", Close: "17:00"}}
	}
	v, err := svc.UpdateChannel(ctx, admin, ch.ID, inbox.ChannelInput{BotAgentID: &bid,
		BusinessHours: switchboard.OptionalBusinessHours{Set: true, Hours: hours},
		HandoffRules:  &inbox.HandoffRulesInput{BusinessHours: &yes, BotFailures: &two}})
	if err != nil {
		t.Fatal(err)
	}
	if want := (switchboard.HandoffRules{BusinessHours: true, BotFailures: 2}); v.HandoffRules != want {
		t.Fatalf("rules %+v, want %+v", v.HandoffRules, want)
	}
	// The hours cannot go while the rule needs them.
	_, err = svc.UpdateChannel(ctx, admin, ch.ID, inbox.ChannelInput{BusinessHours: switchboard.OptionalBusinessHours{Set: true}})
	wantCode(t, err, switchboard.EInvalid)
	entries, _, err := store.AuditEntries(ctx, switchboard.AuditFilter{Action: "channel.update"})
	if err != nil {
		t.Fatal(err)
	}
	audited := false
	for _, e := range entries {
		audited = audited || (e.Outcome == switchboard.OutcomeSuccess && e.Detail["handoff_business_hours"] == "true" && e.Detail["handoff_bot_failures"] == "2")
	}
	if !audited {
		t.Fatalf("no audit entry with the rules in %+v", entries)
	}

	in := func(waID, text string) *switchboard.Conversation {
		t.Helper()
		m, _, err := svc.System().Receive(ctx, switchboard.InboundMessage{ChannelID: ch.ID, WaID: waID, ProfileName: "Kundin",
			Message: &switchboard.Message{Type: switchboard.TypeText, Content: switchboard.MessageContent{Text: text},
				WAMessageID: "wamid." + waID + text, Timestamp: clock.Now()}})
		if err != nil {
			t.Fatal(err)
		}
		c, err := store.Conversation(ctx, m.ConversationID, "")
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	wantState := func(c *switchboard.Conversation, handler switchboard.Handler, reason string, failures int) {
		t.Helper()
		if c.Handler != handler || c.Handoff == nil || c.Handoff.Reason != reason || c.Handoff.BotFailures != failures {
			t.Fatalf("conversation %s %+v; want %s, %q, %d failures", c.Handler, c.Handoff, handler, reason, failures)
		}
	}

	// Before opening the bot answers.
	events.take()
	c := in("4915100000001", "where is my order?")
	wantState(c, switchboard.HandlerBot, switchboard.ReasonOpened, 0)
	if got := events.take(); !slices.Contains(got, switchboard.EventBotTurn) {
		t.Fatalf("events %v; want the bot's turn", got)
	}

	// At 09:30 the customer's next message goes to people.
	clock.Add(90 * time.Minute)
	c = in("4915100000001", "hello?")
	wantState(c, switchboard.HandlerHuman, switchboard.ReasonBusinessHours, 0)
	if got := events.take(); !slices.Contains(got, switchboard.EventHandoffToHuman) || slices.Contains(got, switchboard.EventBotTurn) {
		t.Fatalf("events %v; want handoff.to_human and no bot turn", got)
	}
	// A conversation that opens during business hours never goes to the bot.
	fresh := in("4915100000002", "good morning")
	wantState(fresh, switchboard.HandlerHuman, switchboard.ReasonBusinessHours, 0)
	if got := events.take(); slices.Contains(got, switchboard.EventHandoffToBot) || slices.Contains(got, switchboard.EventBotTurn) {
		t.Fatalf("events %v; the bot was involved", got)
	}

	// An operator hands back on purpose: the rule respects it.
	if _, err := svc.HandOff(ctx, op, c.ID, switchboard.HandlerBot, "", ""); err != nil {
		t.Fatal(err)
	}
	c = in("4915100000001", "thanks, I'll wait for the bot")
	wantState(c, switchboard.HandlerBot, switchboard.ReasonHandedBack, 0)

	// The bot fails: WhatsApp refuses its message (1 of 2) ...
	m, err := svc.Send(ctx, bot, c.ID, outgoingText("Your order ships tomorrow."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.System().ApplyStatus(ctx, switchboard.StatusUpdate{ChannelID: ch.ID, MessageID: m.ID, Status: switchboard.MessageFailed,
		Timestamp: clock.Now(), Error: &switchboard.MessageError{Code: 131026, Title: "Message undeliverable"}}); err != nil {
		t.Fatal(err)
	}
	c, _ = store.Conversation(ctx, c.ID, "")
	wantState(c, switchboard.HandlerBot, switchboard.ReasonHandedBack, 1)
	// ... the bot withdrawing its own draft is no failure ...
	sg, err := svc.Suggest(ctx, bot, c.ID, "Maybe this?", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DiscardSuggestion(ctx, bot, c.ID, sg.ID); err != nil {
		t.Fatal(err)
	}
	c, _ = store.Conversation(ctx, c.ID, "")
	wantState(c, switchboard.HandlerBot, switchboard.ReasonHandedBack, 1)
	// ... and a person discards its suggestion (2 of 2): people take over.
	if sg, err = svc.Suggest(ctx, bot, c.ID, "Try turning it off and on.", ""); err != nil {
		t.Fatal(err)
	}
	events.take()
	if _, err := svc.DiscardSuggestion(ctx, op, c.ID, sg.ID); err != nil {
		t.Fatal(err)
	}
	c, _ = store.Conversation(ctx, c.ID, "")
	wantState(c, switchboard.HandlerHuman, switchboard.ReasonBotFailed, 0)
	if got := events.take(); !slices.Contains(got, switchboard.EventHandoffToHuman) {
		t.Fatalf("events %v; want handoff.to_human", got)
	}

	// The hand-back starts the count again; 0 turns the rule off.
	zero := 0
	if _, err := svc.UpdateChannel(ctx, admin, ch.ID, inbox.ChannelInput{HandoffRules: &inbox.HandoffRulesInput{BotFailures: &zero, BusinessHours: &no}}); err != nil {
		t.Fatal(err)
	}
	if c, err = svc.HandOff(ctx, op, c.ID, switchboard.HandlerBot, "", ""); err != nil {
		t.Fatal(err)
	}
	wantState(c, switchboard.HandlerBot, switchboard.ReasonHandedBack, 0)
	for i := 0; i < 3; i++ {
		if sg, err = svc.Suggest(ctx, bot, c.ID, "Draft", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.DiscardSuggestion(ctx, op, c.ID, sg.ID); err != nil {
			t.Fatal(err)
		}
	}
	c, _ = store.Conversation(ctx, c.ID, "")
	wantState(c, switchboard.HandlerBot, switchboard.ReasonHandedBack, 3)

	// The bot reports failures of its own: counted like the others, and
	// only by the bot while it handles the conversation.
	if _, err := svc.UpdateChannel(ctx, admin, ch.ID, inbox.ChannelInput{HandoffRules: &inbox.HandoffRulesInput{BotFailures: &two}}); err != nil {
		t.Fatal(err)
	}
	_, err = svc.ReportBotFailure(ctx, op, c.ID)
	wantCode(t, err, switchboard.EForbidden)
	if c, err = svc.HandOff(ctx, op, c.ID, switchboard.HandlerHuman, "", ""); err != nil {
		t.Fatal(err)
	}
	if c, err = svc.HandOff(ctx, op, c.ID, switchboard.HandlerBot, "", ""); err != nil {
		t.Fatal(err)
	}
	if c, err = svc.ReportBotFailure(ctx, bot, c.ID); err != nil {
		t.Fatal(err)
	}
	wantState(c, switchboard.HandlerBot, switchboard.ReasonHandedBack, 1)
	if c, err = svc.ReportBotFailure(ctx, bot, c.ID); err != nil {
		t.Fatal(err)
	}
	wantState(c, switchboard.HandlerHuman, switchboard.ReasonBotFailed, 0)
	_, err = svc.ReportBotFailure(ctx, bot, c.ID)
	wantCode(t, err, switchboard.EForbidden)
	reports, _, err := store.AuditEntries(ctx, switchboard.AuditFilter{Action: "conversation.bot_failure"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(reports, func(e *switchboard.AuditEntry) bool {
		return e.Outcome == switchboard.OutcomeSuccess && e.Detail["failures"] == "2" && e.Detail["handed_off"] == "true"
	}) {
		t.Fatalf("no audit entry for the failure that handed off: %+v", reports)
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if switchboard.ErrorCode(err) != code {
		t.Fatalf("error %v, want %s", err, code)
	}
}

func outgoingText(text string) inbox.Outgoing {
	return inbox.Outgoing{Type: switchboard.TypeText, Text: text}
}
