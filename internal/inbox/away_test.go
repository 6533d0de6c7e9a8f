package inbox_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/inbox"
)

// TestAwayMessage runs the channel's away message through the service on
// both stores with a controlled clock: validated and audited; sent, by
// the system, to a customer who writes outside the business hours, once
// per conversation (not again for a second message, a redelivery or after
// a restart); not inside the hours, and not once the text is cleared.
func TestAwayMessage(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) { testAwayMessage(t, backend) })
	}
}

func testAwayMessage(t *testing.T, backend string) {
	ctx := context.Background()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	clock := &testClock{now: time.Date(2026, 12, 5, 22, 0, 0, 0, berlin)} // a Saturday night
	store := openBackend(t, backend, clock)
	newService := func() *inbox.Service {
		svc := inbox.New(store, nil, nil)
		svc.Clock = clock
		return svc
	}
	svc := newService()
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

	// Validation and permission.
	long := strings.Repeat("x", inbox.MaxAwayMessage+1)
	_, err := svc.UpdateChannel(ctx, admin, ch.ID, inbox.ChannelInput{AwayMessage: &long})
	wantCode(t, err, switchboard.EInvalid)
	away := "  We are closed; we answer on Monday from 9:00.  "
	_, err = svc.UpdateChannel(ctx, op, ch.ID, inbox.ChannelInput{AwayMessage: &away})
	wantCode(t, err, switchboard.EForbidden)
	hours := &switchboard.BusinessHours{TimeZone: "Europe/Berlin"}
	for d := 0; d < 5; d++ {
		hours.Week[d] = []switchboard.BusinessInterval{{Open: "09:00", Close: "17:00"}}
	}
	v, err := svc.UpdateChannel(ctx, admin, ch.ID, inbox.ChannelInput{AwayMessage: &away,
		BusinessHours: switchboard.OptionalBusinessHours{Set: true, Hours: hours}})
	if err != nil {
		t.Fatal(err)
	}
	const text = "We are closed; we answer on Monday from 9:00."
	if v.AwayMessage != text {
		t.Fatalf("away message %q, want %q", v.AwayMessage, text)
	}
	entries, _, err := store.AuditEntries(ctx, switchboard.AuditFilter{Action: "channel.update"})
	if err != nil {
		t.Fatal(err)
	}
	audited := false
	for _, e := range entries {
		audited = audited || (e.Outcome == switchboard.OutcomeSuccess && e.Detail["away_message"] == "set")
	}
	if !audited {
		t.Fatalf("no audit entry with the away message in %+v", entries)
	}

	n := 0
	receive := func(svc *inbox.Service, waID, wamid string) *switchboard.Conversation {
		t.Helper()
		n++
		r, err := svc.System().ReceiveBatch(ctx, switchboard.InboundBatch{Messages: []switchboard.InboundMessage{{
			ChannelID: ch.ID, WaID: waID,
			Message: &switchboard.Message{Type: switchboard.TypeText, Content: switchboard.MessageContent{Text: "Hallo"},
				WAMessageID: wamid, Timestamp: clock.Now()}}}})
		if err != nil {
			t.Fatal(err)
		}
		return r.Received[0].Conversation
	}
	aways := func(conv *switchboard.Conversation) int {
		t.Helper()
		ms, _, err := store.Messages(ctx, conv.ID, switchboard.MessagePage{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		k := 0
		for _, m := range ms {
			if m.Direction != switchboard.DirectionOut {
				continue
			}
			if m.Content.Text != text || m.SenderID != "" || m.Author != switchboard.AuthorSystem || m.Status != switchboard.MessagePending {
				t.Fatalf("outbound message %+v, want the pending away message from the system", m)
			}
			k++
		}
		return k
	}

	// Outside the hours: sent once per conversation.
	conv := receive(svc, "4915550001", "wamid.a1")
	if k := aways(conv); k != 1 {
		t.Fatalf("%d away messages after the first message at night, want 1", k)
	}
	clock.Add(time.Minute)
	receive(svc, "4915550001", "wamid.a2")
	receive(svc, "4915550001", "wamid.a1") // a redelivery
	clock.Add(time.Hour)
	receive(newService(), "4915550001", "wamid.a3") // after a restart
	if k := aways(conv); k != 1 {
		t.Fatalf("%d away messages after more messages, a redelivery and a restart, want 1", k)
	}

	// Inside the hours: none.
	clock.now = time.Date(2026, 12, 9, 10, 0, 0, 0, berlin) // a Wednesday morning
	if k := aways(receive(svc, "4915550002", "wamid.b1")); k != 0 {
		t.Fatalf("%d away messages inside the business hours, want 0", k)
	}

	// Without a text: none.
	clock.now = time.Date(2026, 12, 9, 20, 0, 0, 0, berlin) // Wednesday evening
	empty := ""
	if _, err := svc.UpdateChannel(ctx, admin, ch.ID, inbox.ChannelInput{AwayMessage: &empty}); err != nil {
		t.Fatal(err)
	}
	if k := aways(receive(svc, "4915550003", "wamid.c1")); k != 0 {
		t.Fatalf("%d away messages without a text, want 0", k)
	}
	_ = n
}
