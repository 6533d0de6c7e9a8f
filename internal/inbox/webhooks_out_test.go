package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/sqlite"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

func TestCheckWebhookURL(t *testing.T) {
	allow := []string{"hooks.internal", "127.0.0.1"}
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"https://crm.example.com/hook?x=1", true},
		{"http://crm.example.com/hook", false},    // plain http to a host not allowed
		{"http://hooks.internal:8080/hook", true}, // allowed by the operator
		{"http://127.0.0.1:9000/", true},
		{"https://127.0.0.2/", false},
		{"https://10.0.0.5/", false},
		{"https://192.168.1.1/", false},
		{"https://169.254.169.254/latest/meta-data", false}, // cloud metadata
		{"https://[::1]/", false},
		{"https://[fe80::1]/", false},
		{"https://[::ffff:10.0.0.1]/", false},
		{"https://100.64.0.1/", false},
		{"https://localhost/", false},
		{"https://a.localhost/", false},
		{"https://user:pw@crm.example.com/", false},
		{"https://crm.example.com/#frag", false},
		{"ftp://crm.example.com/", false},
		{"/relative", false},
		{"https://" + string(make([]byte, 2100)), false},
	} {
		err := CheckWebhookURL(tc.url, allow)
		if (err == nil) != tc.ok {
			t.Errorf("CheckWebhookURL(%.60q) = %v, want ok=%v", tc.url, err, tc.ok)
		}
		if err != nil && switchboard.ErrorCode(err) != switchboard.EInvalid {
			t.Errorf("CheckWebhookURL(%.60q) code = %q, want invalid", tc.url, switchboard.ErrorCode(err))
		}
	}
}

// TestWebhookAuthorisation: a channel-limited administrator sees and
// manages only subscriptions within their channels; others look missing
// (uniform 404); people without channels.manage are refused; empty
// channels means the creator's own channels; actions are audited.
func TestWebhookAuthorisation(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "test.db"), sqlite.Options{Master: storetest.MasterKey(t), Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	s := New(store, nil, nil)
	mkChannel := func(phone string) *switchboard.Channel {
		ch := &switchboard.Channel{Name: phone, PhoneNumberID: phone, AccessToken: "t", AppSecret: "s", VerifyToken: "v"}
		if err := store.CreateChannel(ctx, ch); err != nil {
			t.Fatal(err)
		}
		return ch
	}
	ch1, ch2 := mkChannel("100001"), mkChannel("100002")
	actor := func(role *switchboard.Role) *switchboard.Actor {
		return &switchboard.Actor{User: &switchboard.User{ID: switchboard.NewID(), Login: "u", Active: true}, Role: role}
	}
	admin := actor(&switchboard.Role{Permissions: switchboard.Permissions(), AllChannels: true})
	limited := actor(&switchboard.Role{Permissions: switchboard.Permissions(), ChannelIDs: []string{ch1.ID}})
	operator := actor(&switchboard.Role{Permissions: []switchboard.Permission{switchboard.PermConversationsReadAll}, AllChannels: true})
	str := func(v string) *string { return &v }
	list := func(v ...string) *[]string { return &v }

	onCh2, err := s.CreateWebhook(ctx, admin, WebhookInput{URL: str("https://crm.example.com/a"), Events: list("message.created"), ChannelIDs: list(ch2.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if len(onCh2.Secret) < 40 || onCh2.WebhookSubscription.Secret != onCh2.Secret {
		t.Fatalf("secret %q", onCh2.Secret)
	}
	all, err := s.CreateWebhook(ctx, admin, WebhookInput{URL: str("https://crm.example.com/all"), Events: list("assignment.*")})
	if err != nil || !all.AllChannels {
		t.Fatalf("all channels = %+v, %v", all, err)
	}
	mine, err := s.CreateWebhook(ctx, limited, WebhookInput{URL: str("https://crm.example.com/b"), Events: list("conversation.*")})
	if err != nil || mine.AllChannels || !slices.Equal(mine.ChannelIDs, []string{ch1.ID}) {
		t.Fatalf("limited admin's default channels = %+v, %v", mine, err)
	}

	got, err := s.WebhookSubscriptions(ctx, limited)
	if err != nil || len(got) != 1 || got[0].ID != mine.ID {
		t.Fatalf("limited admin lists %v, %v; want only their own", got, err)
	}
	if got, _ := s.WebhookSubscriptions(ctx, admin); len(got) != 3 {
		t.Fatalf("admin lists %d, want 3", len(got))
	}
	for _, id := range []string{onCh2.ID, all.ID, switchboard.NewID(), "not-an-id"} {
		_, e1 := s.WebhookSubscription(ctx, limited, id)
		_, e2 := s.UpdateWebhook(ctx, limited, id, WebhookInput{Description: str("x")})
		e3 := s.DeleteWebhook(ctx, limited, id)
		_, e4 := s.RotateWebhookSecret(ctx, limited, id)
		_, e5 := s.WebhookDeliveries(ctx, limited, id, 10)
		_, e6 := s.Redeliver(ctx, limited, id, switchboard.NewID())
		for i, err := range []error{e1, e2, e3, e4, e5, e6} {
			if switchboard.ErrorCode(err) != switchboard.ENotFound || switchboard.ErrorMessage(err) != "Webhook not found." {
				t.Errorf("limited admin, subscription %s, call %d: %v; want the uniform 404", id, i+1, err)
			}
		}
	}
	// Widening one's own subscription to a channel outside the role.
	if _, err := s.UpdateWebhook(ctx, limited, mine.ID, WebhookInput{ChannelIDs: list(ch2.ID)}); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Errorf("limited admin widened to ch2: %v", err)
	}
	if _, err := s.CreateWebhook(ctx, limited, WebhookInput{URL: str("https://x.example"), Events: list("message.created"), ChannelIDs: list(ch2.ID)}); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Errorf("limited admin created on ch2: %v", err)
	}
	if _, err := s.WebhookSubscriptions(ctx, operator); switchboard.ErrorCode(err) != switchboard.EForbidden {
		t.Errorf("operator list: %v", err)
	}
	if _, err := s.CreateWebhook(ctx, operator, WebhookInput{URL: str("https://x.example"), Events: list("message.created")}); switchboard.ErrorCode(err) != switchboard.EForbidden {
		t.Errorf("operator create: %v", err)
	}
	if _, err := s.WebhookSubscription(ctx, operator, mine.ID); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Errorf("operator get: %v", err)
	}
	// Invalid input.
	for _, in := range []WebhookInput{
		{URL: str("http://crm.example.com"), Events: list("message.created")},
		{URL: str("https://crm.example.com"), Events: list("message.exploded")},
		{URL: str("https://crm.example.com"), Events: list()},
		{Events: list("message.created")},
	} {
		if _, err := s.CreateWebhook(ctx, admin, in); switchboard.ErrorCode(err) != switchboard.EInvalid {
			t.Errorf("CreateWebhook(%+v) = %v; want invalid", in, err)
		}
	}
	// Rotation changes the secret; the limited admin can manage their own.
	rot, err := s.RotateWebhookSecret(ctx, limited, mine.ID)
	if err != nil || rot.Secret == mine.Secret {
		t.Fatalf("rotate = %v, %v", rot, err)
	}
	if stored, _ := store.WebhookSubscription(ctx, mine.ID); stored.Secret != rot.Secret {
		t.Error("rotated secret not stored")
	}
	if err := s.DeleteWebhook(ctx, limited, mine.ID); err != nil {
		t.Fatal(err)
	}
	entries, _, err := store.AuditEntries(ctx, switchboard.AuditFilter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]int{}
	for _, e := range entries {
		actions[e.Action]++
	}
	if actions["webhook.create"] < 3 || actions["webhook.rotate_secret"] != 1 || actions["webhook.delete"] != 1 {
		t.Errorf("audit actions = %v", actions)
	}
}

// TestWebhookPublisherMatches: the publisher queues a delivery per
// subscription that wants the event type on the event's channel.
func TestWebhookPublisherMatches(t *testing.T) {
	w := &switchboard.WebhookSubscription{Active: true, ChannelIDs: []string{"c1"}, Events: []string{"assignment.*", "message.created"}}
	for _, tc := range []struct {
		typ, ch string
		want    bool
	}{
		{switchboard.EventMessageCreated, "c1", true},
		{switchboard.EventMessageCreated, "c2", false},
		{switchboard.EventMessageUpdated, "c1", false},
		{switchboard.EventConversationAssigned, "c1", true},
		{switchboard.EventConversationUnassigned, "c1", true},
		{switchboard.EventConversationUpdated, "c1", false},
		{switchboard.EventResync, "c1", false},
	} {
		if got := w.Wants(tc.typ, tc.ch); got != tc.want {
			t.Errorf("Wants(%s, %s) = %v", tc.typ, tc.ch, got)
		}
	}
	if !w.WantsType(switchboard.EventConversationAssigned) || w.WantsType(switchboard.EventMessageUpdated) {
		t.Error("WantsType does not follow the event patterns")
	}
	w.Active = false
	if w.WantsType(switchboard.EventMessageCreated) {
		t.Error("an inactive subscription wants a type")
	}
	if w.Wants(switchboard.EventMessageCreated, "c1") {
		t.Error("an inactive subscription wants events")
	}
}

// TestWebhookEventsFromTheLog: a message stored by the ingest and the
// actions on its conversation reach a subscription through the event log,
// each event exactly once (none appended again after the commit), in the
// REST JSON with the record's position as id; a second fan-out finds
// nothing left.
func TestWebhookEventsFromTheLog(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	pub := &WebhookPublisher{Store: f.store, Render: f.svc.RenderEvent, Logger: failOnWarning(t)}
	f.svc.Events = pub
	sub := &switchboard.WebhookSubscription{URL: "https://crm.example/hook", AllChannels: true, Active: true, Secret: "whsec_log",
		Events: []string{"conversation.*", "message.*", "handoff.*"}, CreatedBy: switchboard.NewID()}
	if err := f.store.CreateWebhookSubscription(ctx, sub); err != nil {
		t.Fatal(err)
	}
	admin := f.actor(t, "admin", switchboard.RoleAdmin)
	op := f.actor(t, "op", switchboard.RoleOperator)
	c := f.receive(t, "4915550001", "hello", time.Now())
	if _, err := f.svc.Assign(ctx, admin, c.ID, op.User.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Assign(ctx, admin, c.ID, op.User.ID); err != nil { // a no-op
		t.Fatal(err)
	}
	if _, err := f.svc.SetStatus(ctx, admin, c.ID, switchboard.StatusResolved); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Unassign(ctx, admin, c.ID, op.User.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := pub.FanOut(ctx, 100); err != nil || n == 0 {
		t.Fatalf("FanOut = %d, %v", n, err)
	}
	if n, err := pub.FanOut(ctx, 100); err != nil || n != 0 {
		t.Fatalf("second FanOut = %d, %v; want nothing left", n, err)
	}
	ds, err := f.store.WebhookDeliveries(ctx, sub.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, d := range ds {
		got[d.EventType]++
		var e struct {
			ID             int64  `json:"id"`
			Type           string `json:"type"`
			ConversationID string `json:"conversation_id"`
			Data           struct {
				ID     string `json:"id"`
				UserID string `json:"user_id"`
			} `json:"data"`
		}
		if err := json.Unmarshal(d.Payload, &e); err != nil {
			t.Fatal(err)
		}
		if e.ID <= 0 || e.Type != d.EventType || e.ConversationID != c.ID {
			t.Errorf("payload of %s = %s", d.EventType, d.Payload)
		}
		if strings.HasPrefix(d.EventType, "conversation.") && strings.HasSuffix(d.EventType, "assigned") && e.Data.UserID != op.User.ID {
			t.Errorf("assignment payload names %q, want %q", e.Data.UserID, op.User.ID)
		}
	}
	want := map[string]int{
		switchboard.EventConversationCreated: 1, switchboard.EventMessageCreated: 1,
		switchboard.EventConversationAssigned: 1, switchboard.EventConversationUnassigned: 1,
		switchboard.EventConversationUpdated: 1, // the close
	}
	for typ, n := range want {
		if got[typ] != n {
			t.Errorf("%d %s deliveries, want %d (all: %v)", got[typ], typ, n, got)
		}
	}
}

// TestFanOutDropsARecordThatCannotBeRendered: a record whose rendering
// fails holds up no later one for good: the records before it go out at
// once, it is tried again on the next passes, and after
// maxRenderFailures it is dropped and the rest go out.
func TestFanOutDropsARecordThatCannotBeRendered(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sub := &switchboard.WebhookSubscription{URL: "https://crm.example/hook", AllChannels: true, Active: true, Secret: "whsec_p",
		Events: []string{"message.created"}, CreatedBy: switchboard.NewID()}
	if err := f.store.CreateWebhookSubscription(ctx, sub); err != nil {
		t.Fatal(err)
	}
	for i, text := range []string{"one", "two", "three"} {
		f.receive(t, "491555000"+string(rune('1'+i)), text, time.Now())
	}
	rs, err := f.store.PendingEvents(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []int64
	for _, r := range rs {
		if r.Type == switchboard.EventMessageCreated {
			msgs = append(msgs, r.Position)
		}
	}
	poison := msgs[1]
	pub := &WebhookPublisher{Store: f.store, Render: func(ctx context.Context, r *switchboard.EventRecord) (*switchboard.Event, error) {
		if r.Position == poison {
			return nil, errors.New("cannot open")
		}
		return f.svc.RenderEvent(ctx, r)
	}}
	delivered := func() int {
		ds, err := f.store.WebhookDeliveries(ctx, sub.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		return len(ds)
	}
	for pass := 1; pass < maxRenderFailures; pass++ {
		_, _ = pub.FanOut(ctx, 100)
		if got := delivered(); got != 1 {
			t.Fatalf("pass %d: %d deliveries, want the one before the failing record", pass, got)
		}
	}
	if _, err := pub.FanOut(ctx, 100); err != nil {
		t.Fatal(err)
	}
	if got := delivered(); got != 2 {
		t.Fatalf("%d deliveries after the failing record was dropped, want 2", got)
	}
	if left, _ := f.store.PendingEvents(ctx, 100); len(left) != 0 {
		t.Fatalf("%d records left pending", len(left))
	}
}

// TestWebhookEventsOfLaterChangesFromTheLog: the changes that used to be
// appended to the event log after their commit record their events in
// their own transaction: a send's outcome and a single delivery status
// (message.updated), a media download given up, a requeued send, the
// unassignments and the renamed assignee of a user's update, and the
// welcome message. Each record is in the log as soon as the store write
// returns, before anything is published (a kill then loses none), and
// each event reaches the subscription exactly once.
func TestWebhookEventsOfLaterChangesFromTheLog(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	pub := &WebhookPublisher{Store: f.store, Render: f.svc.RenderEvent, Logger: failOnWarning(t)}
	f.svc.Events = pub
	sys := f.svc.System()
	sub := &switchboard.WebhookSubscription{URL: "https://crm.example/hook", AllChannels: true, Active: true, Secret: "whsec_later",
		Events: []string{"conversation.*", "message.*", "handoff.*"}, CreatedBy: switchboard.NewID()}
	if err := f.store.CreateWebhookSubscription(ctx, sub); err != nil {
		t.Fatal(err)
	}
	admin := f.actor(t, "admin", switchboard.RoleAdmin)
	op := f.actor(t, "op", switchboard.RoleOperator)
	c := f.receive(t, "4915550001", "hello", time.Now())
	// pending counts the records of typ not yet fanned out.
	pending := func(typ, subject string) int {
		t.Helper()
		rs, err := f.store.PendingEvents(ctx, 1000)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range rs {
			if r.Type == typ && (subject == "" || r.SubjectID == subject) {
				n++
			}
		}
		return n
	}
	mustResult := func(r *switchboard.StatusResult, err error) *switchboard.StatusResult {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	// A send's outcome, learnt from the Cloud API's answer.
	sent, err := f.svc.Send(ctx, admin, c.ID, Outgoing{Type: switchboard.TypeText, Text: "Hi"})
	if err != nil {
		t.Fatal(err)
	}
	r := mustResult(f.store.MarkSent(ctx, sent.ID, "wamid.out1", time.Now()))
	if n := pending(switchboard.EventMessageUpdated, sent.ID); n != 1 {
		t.Fatalf("after MarkSent: %d message.updated records, want 1 before anything is published", n)
	}
	sys.Published(ctx, r)
	// A repeat changes nothing and records nothing.
	sys.Published(ctx, mustResult(f.store.MarkSent(ctx, sent.ID, "wamid.out1", time.Now())))
	// A single delivery status, outside an ingest batch.
	if _, err := sys.ApplyStatus(ctx, switchboard.StatusUpdate{ChannelID: f.channel.ID, WAMessageID: "wamid.out1",
		Status: switchboard.MessageDelivered, Timestamp: time.Now()}); err != nil {
		t.Fatal(err)
	}
	failed, err := f.svc.Send(ctx, admin, c.ID, Outgoing{Type: switchboard.TypeText, Text: "Again"})
	if err != nil {
		t.Fatal(err)
	}
	sys.Published(ctx, mustResult(f.store.MarkSendFailed(ctx, failed.ID, switchboard.MessageError{Code: 131026, Title: "Undeliverable"}, time.Now())))
	unknown, err := f.svc.Send(ctx, admin, c.ID, Outgoing{Type: switchboard.TypeText, Text: "Maybe"})
	if err != nil {
		t.Fatal(err)
	}
	sys.Published(ctx, mustResult(f.store.MarkSendUnknown(ctx, unknown.ID, time.Now())))
	if _, err := f.svc.RetryUnknown(ctx, admin, unknown.ID); err != nil {
		t.Fatal(err)
	}
	// A media download given up.
	mr, err := f.store.ReceiveMessage(ctx, switchboard.InboundMessage{ChannelID: f.channel.ID, WaID: "4915550001",
		Message: &switchboard.Message{Type: switchboard.TypeImage, WAMessageID: "wamid.img", Timestamp: time.Now(),
			Content: switchboard.MessageContent{Media: &switchboard.Media{WAMediaID: "media-1", MIMEType: "image/jpeg"}}}})
	if err != nil {
		t.Fatal(err)
	}
	r = mustResult(f.store.FailMediaDownload(ctx, mr.Message.ID, 3, time.Now(), true, switchboard.MediaExpired))
	if n := pending(switchboard.EventMessageUpdated, mr.Message.ID); n != 1 {
		t.Fatalf("after FailMediaDownload: %d message.updated records, want 1", n)
	}
	sys.Published(ctx, r)

	// A user's update: a renamed assignee's conversation is updated, a
	// deactivated one's unassigned.
	if _, err := f.svc.Assign(ctx, admin, c.ID, op.User.ID); err != nil {
		t.Fatal(err)
	}
	name := "Olga"
	if _, err := f.svc.UpdateUser(ctx, admin, op.User.ID, UserPatch{Name: &name}); err != nil {
		t.Fatal(err)
	}
	off := false
	if _, err := f.svc.UpdateUser(ctx, admin, op.User.ID, UserPatch{Active: &off, UnassignAll: true}); err != nil {
		t.Fatal(err)
	}
	// A kill between the deactivation and its unassignments leaves the
	// user assigned: asking again unassigns.
	if _, _, err := f.store.AddAssignee(ctx, c.ID, op.User.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.UpdateUser(ctx, admin, op.User.ID, UserPatch{Active: &off, UnassignAll: true}); err != nil {
		t.Fatal(err)
	}
	if cv, err := f.store.Conversation(ctx, c.ID, ""); err != nil || len(cv.AssigneeIDs()) != 0 {
		t.Fatalf("after asking again: assignees %v, %v", cv.AssigneeIDs(), err)
	}

	if n, err := pub.FanOut(ctx, 1000); err != nil || n == 0 {
		t.Fatalf("FanOut = %d, %v", n, err)
	}
	ds, err := f.store.WebhookDeliveries(ctx, sub.ID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, d := range ds {
		var e struct {
			Data struct {
				ID string `json:"id"`
			} `json:"data"`
		}
		if err := json.Unmarshal(d.Payload, &e); err != nil {
			t.Fatal(err)
		}
		key := d.EventType
		if d.EventType == switchboard.EventMessageUpdated {
			key += " " + e.Data.ID
		}
		got[key]++
	}
	want := map[string]int{
		switchboard.EventConversationCreated: 1,
		switchboard.EventMessageCreated:      5, // hello, three replies, the image
		// three replies, the image's arrival, the rename (the assignee
		// shows), and nothing for the deactivation, which unassigns
		switchboard.EventConversationUpdated:                  5,
		switchboard.EventMessageUpdated + " " + sent.ID:       2, // sent, delivered
		switchboard.EventMessageUpdated + " " + failed.ID:     1,
		switchboard.EventMessageUpdated + " " + unknown.ID:    2, // unknown, requeued
		switchboard.EventMessageUpdated + " " + mr.Message.ID: 1,
		switchboard.EventConversationAssigned:                 1,
		switchboard.EventConversationUnassigned:               2, // the deactivation, and asking again
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%d %s deliveries, want %d", got[k], k, n)
		}
	}
	if len(got) != len(want) {
		t.Errorf("deliveries %v, want %v", got, want)
	}
}

// TestBotTurnsFromTheLog: the bot's turns are recorded in the write that
// confirms the bot still handles the conversation, before ReceiveBatch
// returns (a kill after it loses none): two in a new conversation, one in
// a conversation the bot already has (no hand-off to write otherwise),
// none after the customer asked for a person, none for a message the
// business wrote in the WhatsApp Business app; and none when a person
// took the conversation over between the rules and the record. Each event
// is delivered once.
func TestBotTurnsFromTheLog(t *testing.T) {
	ctx := context.Background()
	f := withHasher(newFixture(t))
	pub := &WebhookPublisher{Store: f.store, Render: f.svc.RenderEvent, Logger: failOnWarning(t)}
	f.svc.Events = pub
	sys := f.svc.System()
	sub := &switchboard.WebhookSubscription{URL: "https://crm.example/hook", AllChannels: true, Active: true, Secret: "whsec_turns",
		Events: []string{"message.created", "handoff.*"}, CreatedBy: switchboard.NewID()}
	if err := f.store.CreateWebhookSubscription(ctx, sub); err != nil {
		t.Fatal(err)
	}
	admin := f.actor(t, "admin", switchboard.RoleAdmin)
	sa, err := f.svc.CreateServiceAccount(ctx, admin, NewServiceAccount{Login: "helpbot", Name: "Help Bot", RoleID: switchboard.RoleOperator, Bot: true})
	if err != nil {
		t.Fatal(err)
	}
	bid := sa.User.ID
	if _, err := f.svc.UpdateChannel(ctx, admin, f.channel.ID, ChannelInput{BotAgentID: &bid}); err != nil {
		t.Fatal(err)
	}
	msg := func(waID, text string) switchboard.InboundMessage {
		return switchboard.InboundMessage{ChannelID: f.channel.ID, WaID: waID,
			Message: &switchboard.Message{Type: switchboard.TypeText, Content: switchboard.MessageContent{Text: text}, WAMessageID: "wamid." + waID + text, Timestamp: f.svc.now()}}
	}
	turns := func() int {
		t.Helper()
		rs, err := f.store.PendingEvents(ctx, 1000)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range rs {
			if r.Type == switchboard.EventBotTurn {
				n++
			}
		}
		return n
	}
	const waID = "4915112345678"
	r, err := sys.ReceiveBatch(ctx, switchboard.InboundBatch{Messages: []switchboard.InboundMessage{msg(waID, "hello"), msg(waID, "order?")}})
	if err != nil {
		t.Fatal(err)
	}
	if n := turns(); n != 2 {
		t.Fatalf("%d bot.turn records after the batch returned, want 2", n)
	}
	if _, _, err := sys.Receive(ctx, msg(waID, "still there?")); err != nil {
		t.Fatal(err)
	}
	if n := turns(); n != 3 {
		t.Fatalf("%d bot.turn records after a message to the bot, want 3", n)
	}
	echo := msg(waID, "we answer from the app")
	echo.Message.Author = switchboard.AuthorBusinessApp
	if _, err := sys.ReceiveBatch(ctx, switchboard.InboundBatch{Messages: []switchboard.InboundMessage{echo, msg(waID, "Ich möchte einen Mitarbeiter")}}); err != nil {
		t.Fatal(err)
	}
	if n := turns(); n != 3 {
		t.Fatalf("%d bot.turn records after the customer asked for a person, want still 3", n)
	}

	// A person took a second conversation over after the rules left it
	// with the bot: the customer's next message is no turn.
	r2, err := sys.ReceiveBatch(ctx, switchboard.InboundBatch{Messages: []switchboard.InboundMessage{msg("4915187654321", "hi")}})
	if err != nil {
		t.Fatal(err)
	}
	c2, err := f.store.Conversation(ctx, r2.Received[0].Conversation.ID, "")
	if err != nil || c2.Handler != switchboard.HandlerBot {
		t.Fatalf("second conversation = %+v, %v", c2, err)
	}
	from := c2.HandoffState()
	if _, err := f.store.SetHandoff(ctx, c2.ID, &from, switchboard.HandoffState{Handler: switchboard.HandlerHuman, At: f.svc.now(),
		By: admin.User.ID, Reason: switchboard.ReasonTakenOver}); err != nil {
		t.Fatal(err)
	}
	before := turns()
	if _, _, err := sys.Receive(ctx, msg("4915187654321", "hello again")); err != nil {
		t.Fatal(err)
	}
	if turns() != before {
		t.Fatal("turn recorded after a person took over")
	}

	if _, err := pub.FanOut(ctx, 1000); err != nil {
		t.Fatal(err)
	}
	ds, err := f.store.WebhookDeliveries(ctx, sub.ID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, d := range ds {
		got[d.EventType]++
	}
	want := map[string]int{
		switchboard.EventBotTurn: 4, // three in the first conversation, one in the second
		// hello, order?, still there?, the app's message, the request,
		// hi and hello again
		switchboard.EventMessageCreated: 7,
		switchboard.EventHandoffToBot:   2, // both conversations opened
		switchboard.EventHandoffToHuman: 1, // the request; the operator's was a store write of the test
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%d %s deliveries, want %d", got[k], k, n)
		}
	}
	if len(got) != len(want) {
		t.Errorf("deliveries %v, want %v", got, want)
	}
	_ = r
}

// failOnWarning is a logger that fails t on a warning or an error, such
// as an event published without its record in the event log.
func failOnWarning(t *testing.T) *slog.Logger {
	return slog.New(warnHandler{t})
}

type warnHandler struct{ t *testing.T }

func (h warnHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (h warnHandler) Handle(_ context.Context, r slog.Record) error {
	h.t.Errorf("logged: %s", r.Message)
	return nil
}
func (h warnHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h warnHandler) WithGroup(string) slog.Handler      { return h }

// TestWelcomeMessageEventsFromTheLog: the welcome message sent to a
// customer who opens the chat records its message.created and
// conversation.updated with the message; each is delivered once.
func TestWelcomeMessageEventsFromTheLog(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	pub := &WebhookPublisher{Store: f.store, Render: f.svc.RenderEvent, Logger: failOnWarning(t)}
	f.svc.Events = pub
	sub := &switchboard.WebhookSubscription{URL: "https://crm.example/hook", AllChannels: true, Active: true, Secret: "whsec_welcome",
		Events: []string{"conversation.*", "message.*"}, CreatedBy: switchboard.NewID()}
	if err := f.store.CreateWebhookSubscription(ctx, sub); err != nil {
		t.Fatal(err)
	}
	welcome := "Welcome to Berlin!"
	if _, err := f.store.UpdateChannel(ctx, f.channel.ID, switchboard.ChannelUpdate{WelcomeMessage: &welcome}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.System().ReceiveBatch(ctx, switchboard.InboundBatch{Messages: []switchboard.InboundMessage{{
		ChannelID: f.channel.ID, WaID: "4915550009",
		Message: &switchboard.Message{Type: switchboard.TypeRequestWelcome, WAMessageID: "wamid.welcome", Timestamp: f.svc.now()}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := pub.FanOut(ctx, 100); err != nil {
		t.Fatal(err)
	}
	ds, err := f.store.WebhookDeliveries(ctx, sub.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, d := range ds {
		got[d.EventType]++
	}
	// The request and the welcome; the conversation created, then
	// updated by the welcome.
	want := map[string]int{switchboard.EventMessageCreated: 2, switchboard.EventConversationCreated: 1, switchboard.EventConversationUpdated: 1}
	if len(got) != len(want) || got[switchboard.EventMessageCreated] != 2 || got[switchboard.EventConversationCreated] != 1 ||
		got[switchboard.EventConversationUpdated] != 1 {
		t.Fatalf("deliveries %v, want %v", got, want)
	}
}
