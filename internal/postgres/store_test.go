package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/postgres"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

var t0 = time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)

func mustChannel(tb testing.TB, db *postgres.DB) *switchboard.Channel {
	tb.Helper()
	ch := &switchboard.Channel{Name: "Main", PhoneNumberID: "pn" + randomHex(4), AccessToken: "t", AppSecret: "s", VerifyToken: "v"}
	if err := db.CreateChannel(context.Background(), ch); err != nil {
		tb.Fatal(err)
	}
	return ch
}

func text(channelID, waID, name, wamid, body string, ts time.Time) switchboard.InboundMessage {
	return switchboard.InboundMessage{ChannelID: channelID, WaID: waID, ProfileName: name,
		Message: &switchboard.Message{Type: switchboard.TypeText, WAMessageID: wamid, Timestamp: ts,
			Content: switchboard.MessageContent{Text: body}}}
}

func TestReceiveMessage_Semantics(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	ch := mustChannel(t, db)

	r1, err := db.ReceiveMessage(ctx, text(ch.ID, "4915100000001", "Ada", "wamid.a", "first", t0.Add(2*time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	if !r1.NewConversation || r1.Duplicate || r1.Message.Status != switchboard.MessageReceived {
		t.Fatalf("first receive: %+v", r1)
	}
	// An older message delivered late moves neither the preview nor the
	// window nor the list order.
	r2, err := db.ReceiveMessage(ctx, text(ch.ID, "4915100000001", "", "wamid.b", "older", t0))
	if err != nil {
		t.Fatal(err)
	}
	c := r2.Conversation
	if r2.NewConversation || c.ID != r1.Conversation.ID || c.LastMessage.Text != "first" ||
		!c.LastInboundAt.Equal(t0.Add(2*time.Minute)) || !c.UpdatedAt.Equal(t0.Add(2*time.Minute)) || c.UnreadCount != 2 {
		t.Fatalf("out-of-order receive: %+v", c)
	}
	if c.Contact.Name != "Ada" {
		t.Fatalf("empty profile name changed the name to %q", c.Contact.Name)
	}

	// A duplicate changes nothing and returns the stored message.
	dup, err := db.ReceiveMessage(ctx, text(ch.ID, "4915100000001", "Eve", "wamid.a", "again", t0.Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	if !dup.Duplicate || dup.Message.ID != r1.Message.ID || dup.Message.Content.Text != "first" || dup.Conversation.Contact.Name != "Ada" {
		t.Fatalf("duplicate: %+v %+v", dup, dup.Message)
	}

	// Replies and reactions resolve to our ids.
	in := text(ch.ID, "4915100000001", "Ada L", "wamid.c", "re", t0.Add(3*time.Minute))
	in.ReplyToWAID = "wamid.a"
	r3, err := db.ReceiveMessage(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if r3.Message.ReplyToID != r1.Message.ID || r3.Conversation.Contact.Name != "Ada L" {
		t.Fatalf("reply: %+v / %+v", r3.Message, r3.Conversation.Contact)
	}
	react := switchboard.InboundMessage{ChannelID: ch.ID, WaID: "4915100000001", ReactionToWAID: "wamid.c",
		Message: &switchboard.Message{Type: switchboard.TypeReaction, WAMessageID: "wamid.d", Timestamp: t0.Add(4 * time.Minute),
			Content: switchboard.MessageContent{Reaction: &switchboard.Reaction{Emoji: "👍"}}}}
	r4, err := db.ReceiveMessage(ctx, react)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Message(ctx, r4.Message.ID); got.Content.Reaction == nil || got.Content.Reaction.MessageID != r3.Message.ID {
		t.Fatalf("reaction: %+v", got.Content.Reaction)
	}

	// Search finds the new name, not the old one only.
	for q, want := range map[string]int{"ada l": 1, "ada": 1, "zed": 0, "0151 0000": 1} {
		convs, _, err := db.Conversations(ctx, switchboard.ConversationFilter{Query: q})
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		if len(convs) != want {
			t.Fatalf("search %q found %d, want %d", q, len(convs), want)
		}
	}

	// Close, then a new message reopens the same conversation.
	if _, err := db.SetConversationStatus(ctx, c.ID, switchboard.StatusResolved, t0.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	r5, err := db.ReceiveMessage(ctx, text(ch.ID, "4915100000001", "", "wamid.e", "back", t0.Add(10*time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	if r5.Conversation.ID != c.ID || r5.Conversation.Status != switchboard.StatusOpen || !r5.NewConversation {
		t.Fatalf("reopen: %+v", r5.Conversation)
	}

	// Paging through history.
	var all []*switchboard.Message
	var cursor string
	for {
		page, next, err := db.Messages(ctx, c.ID, switchboard.MessagePage{Before: cursor, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if next == "" {
			break
		}
		cursor = next
	}
	if len(all) != 5 || all[0].Content.Text != "back" || all[4].Content.Text != "older" {
		t.Fatalf("history has %d messages", len(all))
	}
}

func TestReceiveMessage_Concurrent(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	ch := mustChannel(t, db)

	// Many deliveries for few contacts, each wamid twice, all at once.
	const contacts, perContact = 3, 10
	var wg sync.WaitGroup
	errs := make(chan error, contacts*perContact*2)
	for c := range contacts {
		for i := range perContact {
			for range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					waID := fmt.Sprintf("49151000000%02d", c)
					_, err := db.ReceiveMessage(ctx, text(ch.ID, waID, fmt.Sprintf("C%d", c), fmt.Sprintf("wamid.%d.%d", c, i), "x", t0.Add(time.Duration(i)*time.Second)))
					errs <- err
				}()
			}
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	convs, _, err := db.Conversations(ctx, switchboard.ConversationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(convs) != contacts {
		t.Fatalf("got %d conversations, want %d", len(convs), contacts)
	}
	for _, c := range convs {
		if c.UnreadCount != perContact {
			t.Fatalf("conversation of %s has %d inbound messages, want %d", c.Contact.WaID, c.UnreadCount, perContact)
		}
	}
}

func TestAudit_ConcurrentAppends(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := &switchboard.AuditEntry{Action: "test.append", ActorLogin: "bot", Outcome: switchboard.OutcomeSuccess,
				Detail: map[string]string{"i": fmt.Sprint(i)}}
			if err := db.AppendAudit(ctx, e); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	v, err := switchboard.VerifyAuditChain(ctx, db, storetest.AuditKey)
	if n, brk := v.Checked, v.Break; err != nil || brk != nil || n != 40 {
		t.Fatalf("VerifyAuditChain = %d, %+v, %v", n, brk, err)
	}
}

// TestColdKeyCache reads sealed data with a cold key cache through a pool of
// one connection: loading a data key while that connection is busy with the
// query (or transaction) that needs it must not wait for the pool.
func TestColdKeyCache(t *testing.T) {
	ctx := context.Background()
	mk := testMasterKey(t)
	db, schema := mustOpenSchema(t, mk, nil)
	ch := mustChannel(t, db)
	for i := range 3 {
		if _, err := db.ReceiveMessage(ctx, text(ch.ID, fmt.Sprintf("49151000000%02d", i), "K", fmt.Sprint("w", i), "x", t0)); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	url := testURL()
	if strings.Contains(url, "?") {
		url += "&pool_max_conns=1"
	} else {
		url += "?pool_max_conns=1"
	}
	cold, err := postgres.Open(ctx, url, postgres.Options{Master: mk, Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer cold.Close()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	convs, _, err := cold.Conversations(ctx, switchboard.ConversationFilter{})
	if err != nil || len(convs) != 3 {
		t.Fatalf("Conversations with a cold key cache = %d, %v", len(convs), err)
	}

	cold2, err := postgres.Open(ctx, url, postgres.Options{Master: mk, Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer cold2.Close()
	if _, err := cold2.ReceiveMessage(ctx, text(ch.ID, "4915100000001", "New name", "w9", "y", t0.Add(time.Minute))); err != nil {
		t.Fatalf("ReceiveMessage with a cold key cache: %v", err)
	}
}

// TestAssignmentsDoNotDeadlockOnCounters: assigning one conversation and
// unassigning another of the same channel at the same moment move a
// conversation between the same two counter buckets in opposite
// directions; the counter triggers lock both buckets in one order, so
// neither transaction is aborted as a deadlock.
func TestAssignmentsDoNotDeadlockOnCounters(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	ch := mustChannel(t, db)
	u := &switchboard.User{Login: "olga", Name: "Olga", RoleID: switchboard.RoleOperator, Active: true, PasswordHash: "$argon2id$v=19$x"}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	const workers, rounds = 4, 40
	convs := make([]string, workers)
	for i := range convs {
		r, err := db.ReceiveMessage(ctx, text(ch.ID, fmt.Sprintf("4915100009%03d", i), "C", fmt.Sprintf("wamid.dl.%d", i), "x", t0))
		if err != nil {
			t.Fatal(err)
		}
		convs[i] = r.Conversation.ID
		if i%2 == 1 { // half start assigned, so the workers move in both directions at once
			if _, _, err := db.AddAssignee(ctx, convs[i], u.ID, t0); err != nil {
				t.Fatal(err)
			}
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds*2)
	for i, id := range convs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				steps := []func() error{
					func() error { _, _, err := db.AddAssignee(ctx, id, u.ID, t0); return err },
					func() error { _, _, err := db.RemoveAssignee(ctx, id, u.ID, t0); return err },
				}
				if i%2 == 1 {
					steps[0], steps[1] = steps[1], steps[0]
				}
				for _, step := range steps {
					errs <- step()
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a concurrent assignment failed: %v", err)
		}
	}
}
