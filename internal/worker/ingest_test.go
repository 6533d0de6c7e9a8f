package worker_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/inbox"
	"github.com/switchboardhq/switchboard/internal/loadgen"
	"github.com/switchboardhq/switchboard/internal/seal"
	"github.com/switchboardhq/switchboard/internal/sqlite"
	"github.com/switchboardhq/switchboard/internal/storetest"
	"github.com/switchboardhq/switchboard/internal/whatsapp"
	"github.com/switchboardhq/switchboard/internal/worker"
)

const (
	testPhone  = "106540352242922"
	testSecret = "ingest-test-secret"
)

// recorder is an event publisher that keeps what it is told.
type recorder struct {
	mu     sync.Mutex
	events []switchboard.Event
}

func (r *recorder) Publish(_ context.Context, e switchboard.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) count(typ string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if e.Type == typ {
			n++
		}
	}
	return n
}

// waitCount waits until at least n events of typ were published (the
// worker publishes after the batch commits, so after the queue drained)
// and returns how many there are then.
func (r *recorder) waitCount(t *testing.T, typ string, n int) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if got := r.count(typ); got >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// countingQueue counts the events the poller claims.
type countingQueue struct {
	switchboard.WebhookQueue
	claimed atomic.Int64
}

func (q *countingQueue) ClaimWebhooks(ctx context.Context, n int, maxBytes int64, lease time.Duration, now time.Time) ([]*switchboard.WebhookEvent, error) {
	evs, err := q.WebhookQueue.ClaimWebhooks(ctx, n, maxBytes, lease, now)
	q.claimed.Add(int64(len(evs)))
	return evs, err
}

type fixture struct {
	store *sqlite.DB
	path  string
	svc   *inbox.Service
	ch    *switchboard.Channel
	rec   *recorder
	queue *countingQueue
	w     *worker.Ingest
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	store, err := sqlite.Open(context.Background(), path, sqlite.Options{Master: storetest.MasterKey(t), Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	ch := &switchboard.Channel{Name: "Main", PhoneNumberID: testPhone, AccessToken: "t", AppSecret: testSecret, VerifyToken: "v"}
	if err := store.CreateChannel(context.Background(), ch); err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: store, path: path, ch: ch, rec: &recorder{}, queue: &countingQueue{WebhookQueue: store}}
	f.svc = inbox.New(store, f.rec, nil)
	f.w = &worker.Ingest{Queue: f.queue, Channels: store, Receiver: f.svc.System(), Health: store, Poll: 20 * time.Millisecond}
	return f
}

// body is a webhook with one text message from customer n.
func body(n int, wamid string) []byte {
	return loadgen.Body(testPhone, fmt.Sprintf("4915100%06d", n), fmt.Sprintf("Kunde %d", n), wamid, "Hallo "+wamid, time.Unix(1767340800, 0))
}

func (f *fixture) accept(t *testing.T, b []byte) {
	t.Helper()
	if err := f.svc.System().AcceptWebhook(context.Background(), b, whatsapp.Sign([]byte(testSecret), b)); err != nil {
		t.Fatalf("AcceptWebhook: %v", err)
	}
}

// run starts the worker; the returned function stops it and waits.
func (f *fixture) run(t *testing.T) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.w.Run(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
}

// inbound counts the stored inbound messages by wamid.
func (f *fixture) inbound(t *testing.T) map[string]int {
	t.Helper()
	seen := map[string]int{}
	convs, _, err := f.store.Conversations(context.Background(), switchboard.ConversationFilter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range convs {
		msgs, _, err := f.store.Messages(context.Background(), c.ID, switchboard.MessagePage{Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			seen[m.WAMessageID]++
		}
	}
	return seen
}

func (f *fixture) waitDrained(t *testing.T) {
	t.Helper()
	f.waitDrainedWithin(t, 10*time.Second)
}

// waitDrainedWithin waits for the queue to empty, failing after d.
func (f *fixture) waitDrainedWithin(t *testing.T, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		n, err := f.store.WebhookQueueDepth(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("webhook queue depth %d after %v", n, d)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func wantOnce(t *testing.T, seen map[string]int, wamids []string) {
	t.Helper()
	for _, id := range wamids {
		if seen[id] != 1 {
			t.Errorf("message %s stored %d times, want once", id, seen[id])
		}
	}
	if len(seen) != len(wamids) {
		t.Errorf("%d messages stored, want %d", len(seen), len(wamids))
	}
}

// TestIngestHandoff checks the normal path: accepted webhooks reach the
// worker in memory, are applied in batches without a claim, and their
// events are published, each conversation once per batch.
func TestIngestHandoff(t *testing.T) {
	f := newFixture(t)
	stop := f.run(t)
	f.accept(t, body(0, "wamid.first"))
	f.waitDrained(t)
	claimedBefore := f.queue.claimed.Load()

	wamids := []string{"wamid.first"}
	var wg sync.WaitGroup
	for i := range 200 {
		id := fmt.Sprintf("wamid.h%d", i)
		wamids = append(wamids, id)
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.accept(t, body(i%20, id))
		}()
	}
	wg.Wait()
	f.waitDrained(t)
	stop()

	if n := f.queue.claimed.Load() - claimedBefore; n != 0 {
		t.Errorf("the poller claimed %d handed-over events", n)
	}
	wantOnce(t, f.inbound(t), wamids)
	if got := f.rec.count(switchboard.EventMessageCreated); got != len(wamids) {
		t.Errorf("%d message.created events, want %d", got, len(wamids))
	}
	if got := f.rec.count(switchboard.EventConversationCreated); got != 20 {
		t.Errorf("%d conversation.created events, want 20", got)
	}
	h, err := f.store.ChannelHealth(context.Background(), f.ch.ID)
	if err != nil {
		t.Fatal(err)
	}
	if h.LastWebhookAt.IsZero() {
		t.Error("channel health has no last webhook time")
	}
}

// TestIngestRecoversAfterCrash checks that events a dead process had
// accepted (queued leased to itself) are claimed once their lease has run
// out, and applied exactly once even when Meta delivered them again.
func TestIngestRecoversAfterCrash(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := time.Now().UTC()
	var wamids []string
	for i := range 5 {
		id := fmt.Sprintf("wamid.c%d", i)
		wamids = append(wamids, id)
		if _, err := f.store.EnqueueLeasedWebhook(ctx, f.ch.ID, body(i, id), now, now.Add(15*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	// Meta redelivers one of them to the new process.
	if err := f.store.EnqueueWebhook(ctx, f.ch.ID, body(0, "wamid.c0"), now); err != nil {
		t.Fatal(err)
	}
	f.w.Now = func() time.Time { return now }
	if n, err := f.w.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("RunOnce while leased = %d, %v; want only the redelivery", n, err)
	}
	f.w.Now = func() time.Time { return now.Add(16 * time.Second) }
	if n, err := f.w.RunOnce(ctx); err != nil || n != 5 {
		t.Fatalf("RunOnce after the lease = %d, %v; want 5", n, err)
	}
	f.waitDrained(t)
	wantOnce(t, f.inbound(t), wamids)
}

// phones routes a phone number id to a channel id that does not exist, as
// if the channel had been deleted.
type phones struct {
	worker.ChannelLister
	ghost string
}

func (p phones) Channels(ctx context.Context) ([]*switchboard.Channel, error) {
	all, err := p.ChannelLister.Channels(ctx)
	return append(all, &switchboard.Channel{ID: switchboard.NewID(), PhoneNumberID: p.ghost}), err
}

// TestIngestBadEventDoesNotHoldBackOthers checks that when a batch fails,
// its events are applied one by one: the bad one stays queued, the others
// are stored.
func TestIngestBadEventDoesNotHoldBackOthers(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.w.Channels = phones{ChannelLister: f.store, ghost: "999"}
	for i, b := range [][]byte{
		body(1, "wamid.good1"),
		loadgen.Body("999", "4915100000009", "Geist", "wamid.bad", "?", time.Now()),
		body(2, "wamid.good2"),
	} {
		if err := f.store.EnqueueWebhook(ctx, f.ch.ID, b, time.Now()); err != nil {
			t.Fatal(i, err)
		}
	}
	if n, err := f.w.RunOnce(ctx); err != nil || n != 3 {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	wantOnce(t, f.inbound(t), []string{"wamid.good1", "wamid.good2"})
	if d, err := f.store.WebhookQueueDepth(ctx); err != nil || d != 1 {
		t.Errorf("queue depth = %d, %v; want the bad event left", d, err)
	}
}

// TestIngestDrainsOnShutdown checks that webhooks handed over when the
// worker is stopped are still applied, not left waiting for their lease.
func TestIngestDrainsOnShutdown(t *testing.T) {
	f := newFixture(t)
	f.w.Gather = time.Hour // nothing is applied until Run stops
	f.w.Workers = 1
	stop := f.run(t)
	time.Sleep(50 * time.Millisecond) // Run hands over from its start
	var wamids []string
	for i := range 10 {
		id := fmt.Sprintf("wamid.d%d", i)
		wamids = append(wamids, id)
		f.accept(t, body(i, id))
	}
	stop()
	if n := f.queue.claimed.Load(); n != 0 {
		t.Errorf("the poller claimed %d events; want all handed over", n)
	}
	f.waitDrained(t)
	wantOnce(t, f.inbound(t), wamids)
}

// usernameBody is a webhook with one text message from a customer who
// shares only a username: from_user_id and contacts[].user_id, no phone
// number, unless waID is set.
func usernameBody(wamid, waID string) []byte {
	from, contactWa := "", ""
	if waID != "" {
		from, contactWa = `"from":"`+waID+`",`, `"wa_id":"`+waID+`",`
	}
	return []byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
		"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"` + testPhone + `"},
		"contacts":[{"profile":{"name":"Mira Okafor","username":"@mira.okafor"},` + contactWa + `"user_id":"US.13491208655302741918"}],
		"messages":[{` + from + `"from_user_id":"US.13491208655302741918","id":"` + wamid + `","timestamp":"1767340800","type":"text","text":{"body":"Hi"}}]}}]}]}`)
}

// TestIngestUsernameOnlyCustomer checks the data-loss fix: a message from
// a customer known only by BSUID and username is stored (it used to be
// skipped as "without a sender"), and the same customer's later message
// with a phone number lands in the same conversation, as do a
// user_changed_user_id system message and what comes from the new BSUID.
func TestIngestUsernameOnlyCustomer(t *testing.T) {
	f := newFixture(t)
	stop := f.run(t)
	f.accept(t, usernameBody("wamid.u1", ""))
	f.waitDrained(t)
	f.accept(t, usernameBody("wamid.u2", "2348031234567"))
	f.waitDrained(t)
	// Then the BSUID changes: a system message without contacts[].
	f.accept(t, []byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
		"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"`+testPhone+`"},
		"messages":[{"from_user_id":"US.13491208655302741918","id":"wamid.u3","timestamp":"1767340900","type":"system",
			"system":{"body":"User Mira Okafor changed their user id","user_id":"US.80011120938467201234","type":"user_changed_user_id"}}]}}]}]}`))
	f.waitDrained(t)
	f.accept(t, []byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
		"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"`+testPhone+`"},
		"contacts":[{"profile":{"name":"Mira Okafor","username":"@mira.okafor"},"user_id":"US.80011120938467201234"}],
		"messages":[{"from_user_id":"US.80011120938467201234","id":"wamid.u4","timestamp":"1767341000","type":"text","text":{"body":"still me"}}]}}]}]}`))
	f.waitDrained(t)
	stop()

	wantOnce(t, f.inbound(t), []string{"wamid.u1", "wamid.u2", "wamid.u3", "wamid.u4"})
	convs, _, err := f.store.Conversations(context.Background(), switchboard.ConversationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(convs) != 1 {
		t.Fatalf("%d conversations, want 1", len(convs))
	}
	ct := convs[0].Contact
	if ct.UserID != "US.80011120938467201234" || ct.Username != "@mira.okafor" || ct.WaID != "2348031234567" || ct.Name != "Mira Okafor" {
		t.Errorf("contact = %+v", ct)
	}
}

// TestIngestDeadLetters checks that content which cannot be applied is
// never dropped silently: a message without any sender becomes a dead
// letter with the reason, while the rest of its webhook is applied; a
// replay applies the event again without storing anything twice.
func TestIngestDeadLetters(t *testing.T) {
	f := newFixture(t)
	stop := f.run(t)
	b := []byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
		"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"` + testPhone + `"},
		"contacts":[{"profile":{"name":"Anna"},"wa_id":"4915100000001"}],
		"messages":[
			{"from":"4915100000001","id":"wamid.ok","timestamp":"1767340800","type":"text","text":{"body":"kept"}},
			{"id":"wamid.nobody","timestamp":"1767340801","type":"text","text":{"body":"who?"}}]}}]}]}`)
	f.accept(t, b)
	f.waitDrained(t)

	wantOnce(t, f.inbound(t), []string{"wamid.ok"})
	dead, err := f.store.DeadLetters(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(dead) != 1 || dead[0].ChannelID != f.ch.ID || dead[0].Reason != "message without a sender (neither from nor from_user_id)" {
		t.Fatalf("dead letters = %+v", dead)
	}
	if err := f.store.ReplayDeadLetter(context.Background(), dead[0].ID); err != nil {
		t.Fatal(err)
	}
	f.w.Notify()
	deadline := time.Now().Add(10 * time.Second)
	for {
		again, err := f.store.DeadLetters(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(again) == 1 && again[0].ID == dead[0].ID && again[0].Attempts == 1 {
			break // claimed once by the poller and kept again
		}
		if time.Now().After(deadline) {
			t.Fatalf("replayed event not processed: %+v", again)
		}
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	wantOnce(t, f.inbound(t), []string{"wamid.ok"})
}

// countingReceiver records how many messages and statuses each
// transaction applied.
type countingReceiver struct {
	worker.Receiver
	mu    sync.Mutex
	sizes []int
	// eventsAt are the indexes of the transactions that deleted queue rows.
	eventsAt []int
}

func (r *countingReceiver) ReceiveBatch(ctx context.Context, b switchboard.InboundBatch) (*switchboard.BatchResult, error) {
	r.mu.Lock()
	if len(b.Events) > 0 {
		r.eventsAt = append(r.eventsAt, len(r.sizes))
	}
	r.sizes = append(r.sizes, len(b.Messages)+len(b.Statuses))
	r.mu.Unlock()
	return r.Receiver.ReceiveBatch(ctx, b)
}

// TestIngestOversizedWebhookIsBounded: a signed webhook with 40 new
// contacts, each with a 16-word name of long words (security review
// finding 9), is applied in transactions of at most MaxItems messages; the
// queue row goes with the last; every contact stores a bounded number of
// search terms and a bounded name. Work is counted, not timed.
func TestIngestOversizedWebhookIsBounded(t *testing.T) {
	f := newFixture(t)
	rec := &countingReceiver{Receiver: f.svc.System()}
	f.w.Receiver = rec
	f.w.MaxItems = 10
	const n = 40
	word := strings.Repeat("x", 30)
	type m = map[string]any
	var contacts, msgs []m
	for i := range n {
		waID := fmt.Sprintf("4917%09d", i)
		var name []string
		for w := range 16 {
			name = append(name, fmt.Sprintf("%c%s%d", 'a'+w, word, i))
		}
		longName := strings.Join(name, " ") + strings.Repeat("y", 2000)
		contacts = append(contacts, m{"profile": m{"name": longName}, "wa_id": waID})
		id := fmt.Sprintf("wamid.big%03d", i)
		msgs = append(msgs, m{"from": waID, "id": id, "timestamp": "1767340800", "type": "text", "text": m{"body": "hi"}})
	}
	b, err := json.Marshal(m{"object": "whatsapp_business_account", "entry": []m{{"id": "1", "changes": []m{{"field": "messages",
		"value": m{"messaging_product": "whatsapp", "metadata": m{"phone_number_id": testPhone}, "contacts": contacts, "messages": msgs}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(b) <= inbox.MaxHandoffBody || len(b) > whatsapp.MaxNotificationSize {
		t.Fatalf("test webhook of %d bytes is not oversized", len(b))
	}
	stop := f.run(t)
	f.accept(t, b)
	// Long names make each contact slow to index under the race detector
	// on a loaded machine: wait for the last effect, generously.
	f.waitDrainedWithin(t, 2*time.Minute)
	stop()

	raw, err := sql.Open("sqlite", f.path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var stored, convsN int
	if err := raw.QueryRow(`SELECT (SELECT COUNT(*) FROM messages), (SELECT COUNT(*) FROM conversations)`).Scan(&stored, &convsN); err != nil {
		t.Fatal(err)
	}
	if stored != n || convsN != n {
		t.Errorf("%d messages in %d conversations stored, want %d in %d", stored, convsN, n, n)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	total := 0
	for _, s := range rec.sizes {
		if s > 10 {
			t.Errorf("a transaction applied %d messages, want at most MaxItems = 10", s)
		}
		total += s
	}
	if total != n || len(rec.sizes) != n/10 {
		t.Errorf("%d transactions applying %d messages, want %d applying %d", len(rec.sizes), total, n/10, n)
	}
	if len(rec.eventsAt) != 1 || rec.eventsAt[0] != len(rec.sizes)-1 {
		t.Errorf("queue row deleted in transactions %v of %d, want only the last", rec.eventsAt, len(rec.sizes))
	}
	if got := f.queue.claimed.Load(); got != 1 {
		t.Errorf("the oversized webhook was claimed %d times, want once (through the queue, not the in-memory handoff)", got)
	}

	// Bounded index rows and names per contact.
	var maxTerms, contactsN int
	if err := raw.QueryRow(`SELECT COUNT(*), MAX(c) FROM (SELECT contact, COUNT(*) AS c FROM contact_terms GROUP BY contact)`).Scan(&contactsN, &maxTerms); err != nil {
		t.Fatal(err)
	}
	// The 4- to 6-digit substrings of a 13-digit number, 10+9+8, plus the
	// name cap.
	if limit := seal.MaxNameTerms + 27; contactsN != n || maxTerms > limit {
		t.Errorf("%d contacts with up to %d search terms each, want %d with at most %d", contactsN, maxTerms, n, limit)
	}
	convs, _, err := f.store.Conversations(context.Background(), switchboard.ConversationFilter{Limit: 1})
	if err != nil || len(convs) != 1 {
		t.Fatal(err)
	}
	if got := len([]rune(convs[0].Contact.Name)); got != inbox.MaxProfileName {
		t.Errorf("stored name of %d characters, want %d", got, inbox.MaxProfileName)
	}
}
