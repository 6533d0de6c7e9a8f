package worker_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/inbox"
	"github.com/switchboardhq/switchboard/internal/sqlite"
	"github.com/switchboardhq/switchboard/internal/storetest"
	"github.com/switchboardhq/switchboard/internal/whatsapp"
	"github.com/switchboardhq/switchboard/internal/worker"
)

// testClock is a clock the test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// hit is one request a receiver saw.
type hit struct {
	body                  string
	sig, delivery, evType string
}

type receiver struct {
	mu     sync.Mutex
	hits   []hit
	status func(n int) int // answer for the n-th request (1-based)
	srv    *httptest.Server
}

func newReceiver(t *testing.T, status func(n int) int) *receiver {
	r := &receiver{status: status}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.hits = append(r.hits, hit{string(b), req.Header.Get(switchboard.HeaderWebhookSignature),
			req.Header.Get(switchboard.HeaderWebhookDelivery), req.Header.Get(switchboard.HeaderWebhookEvent)})
		n := len(r.hits)
		r.mu.Unlock()
		w.WriteHeader(r.status(n))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) all() []hit {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hit(nil), r.hits...)
}

func mustSQLite(t *testing.T, path string, opts sqlite.Options) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func mustSub(t *testing.T, s switchboard.WebhookOutStore, url string, channels ...string) *switchboard.WebhookSubscription {
	t.Helper()
	w := &switchboard.WebhookSubscription{URL: url, Events: []string{"message.*", "conversation.*"}, Active: true,
		Secret: "whsec_test", AllChannels: len(channels) == 0, ChannelIDs: channels, CreatedBy: switchboard.NewID()}
	if err := s.CreateWebhookSubscription(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	return w
}

func hostOf(t *testing.T, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Hostname()
}

// TestWebhookSignedRetriedSameID: a failed attempt is retried after the
// back-off (controlled clock), with the same delivery id, a valid
// signature over timestamp and body, and the event type header; the log
// records status codes and attempts.
func TestWebhookSignedRetriedSameID(t *testing.T) {
	store := mustSQLite(t, filepath.Join(t.TempDir(), "t.db"), sqlite.Options{Master: storetest.MasterKey(t), Migrate: true})
	defer store.Close()
	rcv := newReceiver(t, func(n int) int {
		if n == 1 {
			return 500
		}
		return 204
	})
	sub := mustSub(t, store, rcv.srv.URL+"/hook")
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := &testClock{t: t0}
	payload := []byte(`{"id":0,"type":"message.created","at":"2026-03-01T12:00:00Z","data":{"text":"Hallo"}}`)
	d := &switchboard.WebhookDelivery{SubscriptionID: sub.ID, EventType: "message.created", Payload: payload, CreatedAt: t0}
	ctx := context.Background()
	if err := store.EnqueueWebhookDeliveries(ctx, []*switchboard.WebhookDelivery{d}); err != nil {
		t.Fatal(err)
	}
	ws := &worker.WebhookSender{Store: store, Clock: clock, AllowHosts: []string{hostOf(t, rcv.srv.URL)}, Jitter: func() float64 { return 0 }}

	if n, err := ws.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("first RunOnce = %d, %v", n, err)
	}
	got, _ := store.WebhookDelivery(ctx, d.ID)
	wantNext := t0.Add(switchboard.WebhookRetryDelay(1, 0))
	if got.State != switchboard.DeliveryPending || got.LastStatus != 500 || got.Attempts != 1 || !got.NextAttemptAt.Equal(wantNext) {
		t.Fatalf("after a 500: %+v, want pending, next %v", got, wantNext)
	}
	clock.Set(wantNext.Add(-time.Second))
	if n, _ := ws.RunOnce(ctx); n != 0 {
		t.Fatalf("retried %d before the back-off ended", n)
	}
	clock.Set(wantNext)
	if n, err := ws.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("second RunOnce = %d, %v", n, err)
	}
	got, _ = store.WebhookDelivery(ctx, d.ID)
	if got.State != switchboard.DeliveryDelivered || got.LastStatus != 204 || got.Attempts != 2 {
		t.Fatalf("after a 204: %+v", got)
	}
	hits := rcv.all()
	if len(hits) != 2 {
		t.Fatalf("%d requests, want 2", len(hits))
	}
	for i, h := range hits {
		at := []time.Time{t0, wantNext}[i]
		if h.delivery != d.ID || h.evType != "message.created" || h.body != string(payload) {
			t.Errorf("request %d = %+v", i, h)
		}
		if !switchboard.VerifyWebhook("whsec_test", h.sig, []byte(h.body), at, 5*time.Minute) {
			t.Errorf("request %d: signature %q does not verify", i, h.sig)
		}
		if switchboard.VerifyWebhook("whsec_other", h.sig, []byte(h.body), at, 5*time.Minute) ||
			switchboard.VerifyWebhook("whsec_test", h.sig, []byte(h.body+" "), at, 5*time.Minute) ||
			switchboard.VerifyWebhook("whsec_test", h.sig, []byte(h.body), at.Add(time.Hour), 5*time.Minute) {
			t.Errorf("request %d: a wrong secret, body or replay verified", i)
		}
	}
	// Redeliver: a new attempt with the same id.
	if err := store.RedeliverWebhook(ctx, d.ID, wantNext.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	clock.Set(wantNext.Add(time.Minute))
	if n, _ := ws.RunOnce(ctx); n != 1 {
		t.Fatalf("redelivery not attempted")
	}
	if hits := rcv.all(); len(hits) != 3 || hits[2].delivery != d.ID {
		t.Fatalf("redelivery = %+v", hits)
	}
}

// TestWebhookRetryScheduleGivesUp: a receiver that always fails is retried
// with growing pauses (never longer than an hour) for at least 24 hours,
// then the delivery is failed and no longer claimed.
func TestWebhookRetryScheduleGivesUp(t *testing.T) {
	store := mustSQLite(t, filepath.Join(t.TempDir(), "t.db"), sqlite.Options{Master: storetest.MasterKey(t), Migrate: true})
	defer store.Close()
	rcv := newReceiver(t, func(int) int { return 503 })
	sub := mustSub(t, store, rcv.srv.URL)
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := &testClock{t: t0}
	ctx := context.Background()
	d := &switchboard.WebhookDelivery{SubscriptionID: sub.ID, EventType: "conversation.updated", Payload: []byte(`{}`), CreatedAt: t0}
	if err := store.EnqueueWebhookDeliveries(ctx, []*switchboard.WebhookDelivery{d}); err != nil {
		t.Fatal(err)
	}
	ws := &worker.WebhookSender{Store: store, Clock: clock, AllowHosts: []string{hostOf(t, rcv.srv.URL)}, Jitter: func() float64 { return 0.999 }}
	var prevGap time.Duration
	var last time.Time
	for i := 0; ; i++ {
		if i > 200 {
			t.Fatal("never gave up")
		}
		if n, err := ws.RunOnce(ctx); err != nil || n != 1 {
			t.Fatalf("attempt %d: RunOnce = %d, %v", i+1, n, err)
		}
		got, _ := store.WebhookDelivery(ctx, d.ID)
		last = clock.Now()
		if got.State == switchboard.DeliveryFailed {
			if last.Sub(t0) < 24*time.Hour {
				t.Fatalf("gave up after %v, want at least 24 h", last.Sub(t0))
			}
			if got.Attempts < 10 || got.LastStatus != 503 || !strings.Contains(got.LastError, "503") {
				t.Fatalf("failed delivery = %+v", got)
			}
			break
		}
		gap := got.NextAttemptAt.Sub(last)
		if gap > time.Hour || gap < prevGap {
			t.Fatalf("attempt %d: pause %v after %v; want growing, at most 1 h", i+1, gap, prevGap)
		}
		prevGap = gap
		clock.Set(got.NextAttemptAt)
	}
	clock.Set(last.Add(48 * time.Hour))
	if n, _ := ws.RunOnce(ctx); n != 0 {
		t.Fatal("a failed delivery was claimed again")
	}
}

// TestWebhookSSRFRefusedAtDial: a URL whose name resolves to loopback is
// refused at dial time unless the host is allowed; nothing reaches the
// receiver and the log says why.
func TestWebhookSSRFRefusedAtDial(t *testing.T) {
	store := mustSQLite(t, filepath.Join(t.TempDir(), "t.db"), sqlite.Options{Master: storetest.MasterKey(t), Migrate: true})
	defer store.Close()
	var hits atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	ctx := context.Background()
	for raw, want := range map[string]string{
		"https://localhost:" + u.Port() + "/hook": "address not allowed", // a name resolving to 127.0.0.1
		"https://127.0.0.1:" + u.Port() + "/hook": "address not allowed",
		"https://[::1]:" + u.Port() + "/hook":     "address not allowed",
		"http://localhost:" + u.Port() + "/hook":  "must use https", // plain http to a host not allowed
	} {
		sub := mustSub(t, store, raw)
		d := &switchboard.WebhookDelivery{SubscriptionID: sub.ID, EventType: "message.created", Payload: []byte(`{}`)}
		if err := store.EnqueueWebhookDeliveries(ctx, []*switchboard.WebhookDelivery{d}); err != nil {
			t.Fatal(err)
		}
		ws := &worker.WebhookSender{Store: store}
		if n, err := ws.RunOnce(ctx); err != nil || n != 1 {
			t.Fatalf("%s: RunOnce = %d, %v", raw, n, err)
		}
		got, _ := store.WebhookDelivery(ctx, d.ID)
		if got.State != switchboard.DeliveryPending || got.LastStatus != 0 || !strings.Contains(got.LastError, want) {
			t.Errorf("%s: delivery = %+v; want refused", raw, got)
		}
	}
	if hits.Load() != 0 {
		t.Errorf("the receiver got %d requests", hits.Load())
	}
	// The guard's error is the Graph client's.
	if _, err := whatsapp.NewGuardedTransport().DialContext(ctx, "tcp", "127.0.0.1:"+u.Port()); !errors.Is(err, whatsapp.ErrForbiddenAddress) {
		t.Errorf("guarded dial = %v", err)
	}
}

// TestWebhookDurableAcrossRestart: a queued delivery and one whose worker
// died mid-attempt (lease held, no result) both survive closing and
// reopening the store, and are delivered after the restart.
func TestWebhookDurableAcrossRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.db")
	mk := storetest.MasterKey(t)
	opts := sqlite.Options{Master: mk, Migrate: true}
	store := mustSQLite(t, path, opts)
	rcv := newReceiver(t, func(int) int { return 200 })
	sub := mustSub(t, store, rcv.srv.URL)
	ctx := context.Background()
	t0 := time.Now().UTC()
	a := &switchboard.WebhookDelivery{SubscriptionID: sub.ID, EventType: "message.created", Payload: []byte(`{"a":1}`), CreatedAt: t0}
	b := &switchboard.WebhookDelivery{SubscriptionID: sub.ID, EventType: "message.created", Payload: []byte(`{"b":1}`), CreatedAt: t0.Add(time.Millisecond)}
	if err := store.EnqueueWebhookDeliveries(ctx, []*switchboard.WebhookDelivery{a, b}); err != nil {
		t.Fatal(err)
	}
	// A worker claims a and dies before recording a result.
	if c, err := store.ClaimWebhookDeliveries(ctx, 1, 0, time.Minute, t0.Add(time.Second)); err != nil || len(c) != 1 || c[0].ID != a.ID {
		t.Fatalf("claim = %v, %v", c, err)
	}
	store.Close()

	store = mustSQLite(t, path, opts)
	defer store.Close()
	clock := &testClock{t: t0.Add(2 * time.Minute)} // a's lease has run out
	ws := &worker.WebhookSender{Store: store, Clock: clock, AllowHosts: []string{hostOf(t, rcv.srv.URL)}}
	if n, err := ws.RunOnce(ctx); err != nil || n != 2 {
		t.Fatalf("after restart RunOnce = %d, %v; want both", n, err)
	}
	seen := map[string]bool{}
	for _, h := range rcv.all() {
		seen[h.delivery] = true
	}
	if !seen[a.ID] || !seen[b.ID] {
		t.Fatalf("delivered %v; want %s and %s", seen, a.ID, b.ID)
	}
	got, _ := store.WebhookDelivery(ctx, a.ID)
	if got.Attempts != 2 || got.State != switchboard.DeliveryDelivered {
		t.Errorf("a after restart = %+v; want delivered on attempt 2", got)
	}
}

// TestWebhookSlowReceiverDoesNotSlowIngest: with a receiver that holds
// every request until the test releases it, ingest still stores every
// message with its event records, and the fan-out queues every delivery; the receiver has seen at most as
// many requests as the sender has workers. Proven by counting.
func TestWebhookSlowReceiverDoesNotSlowIngest(t *testing.T) {
	f := newFixture(t)
	release := make(chan struct{})
	var inFlight atomic.Int32
	var delivered atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inFlight.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		delivered.Add(1)
	}))
	defer srv.Close()
	sub := mustSub(t, f.store, srv.URL, f.ch.ID)
	ws := &worker.WebhookSender{Store: f.store, Workers: 1, Poll: 10 * time.Millisecond, AllowHosts: []string{hostOf(t, srv.URL)}}
	// The fan-out runs below, when the test says so: the ingest only
	// writes the event log.
	pub := &inbox.WebhookPublisher{Next: f.rec, Store: f.store, Delivered: ws, Render: f.svc.RenderEvent}
	f.svc.Events = pub
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ws.Run(ctx) }()
	stop := f.run(t)

	const n = 40
	for i := range n {
		f.accept(t, body(i, "wamid.slow"+string(rune('a'+i%26))+strings.Repeat("x", i)))
	}
	f.waitDrained(t)
	stop()
	if got := f.rec.count(switchboard.EventMessageCreated); got != n {
		t.Fatalf("%d message.created events, want %d", got, n)
	}
	for {
		k, err := pub.FanOut(context.Background(), 7)
		if err != nil {
			t.Fatal(err)
		}
		if k == 0 {
			break
		}
	}
	log, err := f.store.WebhookDeliveries(context.Background(), sub.ID, 200)
	if err != nil {
		t.Fatal(err)
	}
	// n message.created and n conversation.created deliveries are queued.
	if len(log) != 2*n {
		t.Fatalf("%d deliveries queued, want %d", len(log), 2*n)
	}
	if got := inFlight.Load(); got > 1 || delivered.Load() != 0 {
		t.Fatalf("receiver saw %d requests (%d answered) while ingest ran; want at most 1 held", got, delivered.Load())
	}
	close(release)
	deadline := time.Now().Add(30 * time.Second)
	for delivered.Load() < 2*n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d delivered after release", delivered.Load(), 2*n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
}
