package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/switchboardhq/switchboard"
)

// wsServer serves a hub over real HTTP the way internal/api will: the
// query names the user (standing in for the session) and the last id.
type wsServer struct {
	hub    *Hub
	srv    *httptest.Server
	served chan error // one value per finished Serve call
}

func newWSServer(t *testing.T, hopts Options, sopts ServeOptions) *wsServer {
	t.Helper()
	actors := map[string]*switchboard.Actor{
		"alice": actor("alice", switchboard.RoleOperator),
		"bob":   actor("bob", switchboard.RoleEmployee),
	}
	s := &wsServer{hub: newTestHub(t, hopts), served: make(chan error, 16)}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user := r.URL.Query().Get("user")
		a, ok := actors[user]
		if !ok {
			http.Error(w, "unknown user", http.StatusUnauthorized)
			return
		}
		last, _ := strconv.ParseInt(r.URL.Query().Get("last_id"), 10, 64)
		sub, err := s.hub.Subscribe(user, allowActor(a), last)
		if errors.Is(err, ErrTooManyForUser) || errors.Is(err, ErrTooManySubscribers) {
			_ = Refuse(w, r, err, sopts)
			return
		} else if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		s.served <- Serve(w, r, sub, sopts)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *wsServer) url(user string, lastID int64) string {
	return "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/?user=" + user + "&last_id=" + strconv.FormatInt(lastID, 10)
}

// dial connects as user; once it returns the server has subscribed, because
// Subscribe precedes the upgrade.
func (s *wsServer) dial(t *testing.T, user string, lastID int64) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.Dial(t.Context(), s.url(user, lastID), nil)
	if err != nil {
		t.Fatalf("dial as %s: %v", user, err)
	}
	t.Cleanup(func() { _ = c.CloseNow() })
	return c
}

// serveResult waits for the next Serve call to return.
func (s *wsServer) serveResult(t *testing.T) error {
	t.Helper()
	select {
	case err := <-s.served:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return within 10s")
	}
	return nil
}

// wireEvent is the JSON a browser receives.
type wireEvent struct {
	ID             int64           `json:"id"`
	Type           string          `json:"type"`
	At             time.Time       `json:"at"`
	ConversationID string          `json:"conversation_id"`
	Data           json.RawMessage `json:"data"`
}

func readEvent(t *testing.T, c *websocket.Conn) wireEvent {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	typ, b, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read event: %v", err)
	}
	if typ != websocket.MessageText {
		t.Fatalf("message type %v, want text", typ)
	}
	var e wireEvent
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return e
}

// readData reads n events and returns their data, which the scenarios set
// to a JSON string.
func readData(t *testing.T, c *websocket.Conn, n int) []string {
	t.Helper()
	var out []string
	for range n {
		var s string
		if err := json.Unmarshal(readEvent(t, c).Data, &s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// readClose reads until the server closes the connection and returns the
// close status.
func readClose(t *testing.T, c *websocket.Conn) websocket.StatusCode {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	for {
		_, _, err := c.Read(ctx)
		if err != nil {
			return websocket.CloseStatus(err)
		}
	}
}

func TestServeDeliversPermittedEvents(t *testing.T) {
	s := newWSServer(t, Options{}, ServeOptions{})
	alice := s.dial(t, "alice", 0)
	bob := s.dial(t, "bob", 0)

	for _, e := range visibilityScenario() {
		s.hub.Publish(t.Context(), e)
	}

	if got, want := readData(t, alice, 7), []string{"1", "2", "3", "4", "5", "6", "7"}; !equal(got, want) {
		t.Errorf("operator received %v, want %v", got, want)
	}
	// Event 7 arriving right after 4 proves bob received nothing in between.
	if got, want := readData(t, bob, 4), []string{"2", "3", "4", "7"}; !equal(got, want) {
		t.Errorf("employee received %v, want %v", got, want)
	}
}

func TestServeWireFormat(t *testing.T) {
	s := newWSServer(t, Options{}, ServeOptions{})
	c := s.dial(t, "alice", 0)
	s.hub.Publish(t.Context(), switchboard.Event{
		Type: switchboard.EventMessageCreated, ConversationID: "c1", ChannelID: "ch1",
		Assignees: []string{"bob"}, Also: []string{"carol"},
		Data: &switchboard.Message{ID: "m1", Type: switchboard.TypeText},
	})

	_, b, err := c.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	for _, k := range []string{"id", "type", "at", "conversation_id", "data"} {
		if _, ok := got[k]; !ok {
			t.Errorf("message %s lacks %q", b, k)
		}
	}
	if len(got) != 5 {
		t.Errorf("message has keys %v; routing fields must not be sent", keys)
	}
	if want := strconv.FormatInt(t0.UnixMicro(), 10); string(got["id"]) != want {
		t.Errorf("id = %s, want %s", got["id"], want)
	}
	if string(got["at"]) != `"2026-03-01T09:00:00Z"` {
		t.Errorf("at = %s", got["at"])
	}
}

func TestServeReplayAfterReconnect(t *testing.T) {
	s := newWSServer(t, Options{}, ServeOptions{})
	scenario := visibilityScenario()

	bob := s.dial(t, "bob", 0)
	s.hub.Publish(t.Context(), scenario[0])
	s.hub.Publish(t.Context(), scenario[1])
	seen := readEvent(t, bob) // event 2; event 1 is not bob's
	if err := bob.Close(websocket.StatusNormalClosure, ""); err != nil {
		t.Fatalf("client close: %v", err)
	}
	if err := s.serveResult(t); err != nil {
		t.Errorf("Serve after a normal client close = %v, want nil", err)
	}

	for _, e := range scenario[2:6] { // 3..6 while bob is offline
		s.hub.Publish(t.Context(), e)
	}
	bob = s.dial(t, "bob", seen.ID)
	s.hub.Publish(t.Context(), scenario[6])

	// Event 3 came while bob was assigned, but he is not any more: the
	// replay follows his current visibility.
	if got, want := readData(t, bob, 2), []string{"4", "7"}; !equal(got, want) {
		t.Errorf("after reconnect bob received %v, want %v", got, want)
	}
}

func TestServeResync(t *testing.T) {
	s := newWSServer(t, Options{History: 2}, ServeOptions{})
	for range 5 {
		s.hub.Publish(t.Context(), msg("c1"))
	}
	latest := s.hub.Stats().LatestID

	for _, tt := range []struct {
		name   string
		lastID int64
	}{
		{"too old", latest - 4},
		{"future", latest + 1000},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := s.dial(t, "alice", tt.lastID)
			e := readEvent(t, c)
			if e.Type != switchboard.EventResync || e.ID != latest {
				t.Errorf("first event = %s %d, want resync %d", e.Type, e.ID, latest)
			}
		})
	}
}

func TestServeSlowConsumer(t *testing.T) {
	s := newWSServer(t, Options{QueueSize: 8}, ServeOptions{WriteTimeout: 3 * time.Second})
	c := s.dial(t, "alice", 0) // not read while publishing

	// Large events fill the socket buffers quickly, so Serve stalls in a
	// write and the queue fills behind it.
	big := strings.Repeat("x", 16<<10)
	start := time.Now()
	for range 10000 {
		s.hub.Publish(t.Context(), switchboard.Event{Type: switchboard.EventMessageCreated, ConversationID: "c1", Data: big})
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("publishing 10k events took %v with a stalled client", d)
	}
	if got := s.hub.Stats(); got.DroppedSlow != 1 || got.Subscribers != 0 {
		t.Fatalf("Stats() = %+v, want the one subscriber dropped", got)
	}

	// The client wakes up: after what was already in flight it learns why
	// it was dropped, and reconnects with its last id.
	if got := readClose(t, c); got != websocket.StatusTryAgainLater {
		t.Errorf("closed with %v, want %v", got, websocket.StatusTryAgainLater)
	}
	if err := s.serveResult(t); !errors.Is(err, ErrSlowConsumer) {
		t.Errorf("Serve = %v, want ErrSlowConsumer", err)
	}
}

func TestServeDisconnectUser(t *testing.T) {
	s := newWSServer(t, Options{}, ServeOptions{})
	a1, a2 := s.dial(t, "alice", 0), s.dial(t, "alice", 0)
	bob := s.dial(t, "bob", 0)

	s.hub.DisconnectUser("alice")
	for _, c := range []*websocket.Conn{a1, a2} {
		if got := readClose(t, c); got != websocket.StatusPolicyViolation {
			t.Errorf("alice's socket closed with %v, want %v", got, websocket.StatusPolicyViolation)
		}
	}
	for range 2 {
		if err := s.serveResult(t); !errors.Is(err, ErrRevoked) {
			t.Errorf("Serve = %v, want ErrRevoked", err)
		}
	}

	s.hub.Publish(t.Context(), msg("c1", "bob"))
	if e := readEvent(t, bob); e.ConversationID != "c1" {
		t.Errorf("bob received %+v, want c1", e)
	}
}

func TestServeRevalidate(t *testing.T) {
	const interval = 100 * time.Millisecond
	var revoked atomic.Bool
	s := newWSServer(t, Options{}, ServeOptions{
		RevalidateInterval: interval,
		Revalidate: func(ctx context.Context) error {
			if revoked.Load() {
				return errors.New("session deleted")
			}
			return nil
		},
	})
	c := s.dial(t, "alice", 0)
	s.hub.Publish(t.Context(), msg("c1"))
	readEvent(t, c)

	start := time.Now()
	revoked.Store(true)
	if got := readClose(t, c); got != websocket.StatusPolicyViolation {
		t.Fatalf("closed with %v, want %v", got, websocket.StatusPolicyViolation)
	}
	// One interval plus scheduling slack under the race detector.
	if d := time.Since(start); d > interval+500*time.Millisecond {
		t.Errorf("socket closed %v after revocation, want within about %v", d, interval)
	}
	if err := s.serveResult(t); err == nil || !strings.Contains(err.Error(), "session deleted") {
		t.Errorf("Serve = %v, want the revalidation error", err)
	}
}

func TestServeOrigin(t *testing.T) {
	s := newWSServer(t, Options{}, ServeOptions{OriginPatterns: []string{"app.example.com"}})

	for _, tt := range []struct {
		origin     string
		wantStatus int
	}{
		{"https://evil.example", http.StatusForbidden},
		{"https://app.example.com.evil.example", http.StatusForbidden},
		{"https://app.example.com", http.StatusSwitchingProtocols},
		{s.srv.URL, http.StatusSwitchingProtocols}, // same origin
	} {
		t.Run(tt.origin, func(t *testing.T) {
			c, resp, err := websocket.Dial(t.Context(), s.url("alice", 0), &websocket.DialOptions{
				HTTPHeader: http.Header{"Origin": {tt.origin}},
			})
			if resp == nil {
				t.Fatalf("no response: %v", err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d (err %v)", resp.StatusCode, tt.wantStatus, err)
			}
			if err == nil {
				_ = c.Close(websocket.StatusNormalClosure, "")
			}
			got := s.serveResult(t)
			if tt.wantStatus == http.StatusForbidden && got == nil {
				t.Error("Serve returned nil for a refused origin")
			}
		})
	}
}

func TestServeHubClose(t *testing.T) {
	s := newWSServer(t, Options{}, ServeOptions{})
	c := s.dial(t, "alice", 0)

	shutdown := make(chan error, 1)
	go func() { shutdown <- s.hub.Shutdown(t.Context()) }()

	if got := readClose(t, c); got != websocket.StatusGoingAway {
		t.Errorf("closed with %v, want %v", got, websocket.StatusGoingAway)
	}
	if err := s.serveResult(t); !errors.Is(err, ErrHubClosed) {
		t.Errorf("Serve = %v, want ErrHubClosed", err)
	}
	if err := <-shutdown; err != nil {
		t.Errorf("Shutdown = %v, want nil once the socket closed", err)
	}
}

func TestServeClientMessages(t *testing.T) {
	s := newWSServer(t, Options{}, ServeOptions{})

	t.Run("small messages are ignored", func(t *testing.T) {
		c := s.dial(t, "alice", 0)
		if err := c.Write(t.Context(), websocket.MessageText, []byte(`{"hello":1}`)); err != nil {
			t.Fatal(err)
		}
		s.hub.Publish(t.Context(), msg("c1"))
		if e := readEvent(t, c); e.ConversationID != "c1" {
			t.Errorf("received %+v, want c1", e)
		}
		_ = c.Close(websocket.StatusNormalClosure, "")
		if err := s.serveResult(t); err != nil {
			t.Errorf("Serve = %v, want nil", err)
		}
	})
	t.Run("oversized messages end the socket", func(t *testing.T) {
		c := s.dial(t, "alice", 0)
		_ = c.Write(t.Context(), websocket.MessageBinary, make([]byte, 2*maxClientMessage))
		if got := readClose(t, c); got != websocket.StatusMessageTooBig {
			t.Errorf("closed with %v, want %v", got, websocket.StatusMessageTooBig)
		}
		if err := s.serveResult(t); err == nil {
			t.Error("Serve = nil, want the read error")
		}
	})
}

func TestServePingsDetectDeadPeer(t *testing.T) {
	s := newWSServer(t, Options{}, ServeOptions{PingInterval: 20 * time.Millisecond, WriteTimeout: 100 * time.Millisecond})
	// A client that never reads never answers pings.
	s.dial(t, "alice", 0)
	err := s.serveResult(t)
	if err == nil || !strings.Contains(err.Error(), "ping") {
		t.Errorf("Serve = %v, want a ping failure", err)
	}
}

func TestCloseStatus(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want websocket.StatusCode
	}{
		{ErrSlowConsumer, websocket.StatusTryAgainLater},
		{ErrRevoked, websocket.StatusPolicyViolation},
		{ErrHubClosed, websocket.StatusGoingAway},
		{ErrClosed, websocket.StatusNormalClosure},
	} {
		code, reason := closeStatus(tt.err)
		if code != tt.want {
			t.Errorf("closeStatus(%v) = %v, want %v", tt.err, code, tt.want)
		}
		if len(reason) > 123 {
			t.Errorf("closeStatus(%v) reason is %d bytes, more than a close frame holds", tt.err, len(reason))
		}
	}
}

// TestServeSharedRevalidator checks sockets whose sessions are checked on
// one shared timer: a failed check closes only its own socket with 1008,
// and the others keep receiving events.
func TestServeSharedRevalidator(t *testing.T) {
	hub := newTestHub(t, Options{})
	shared := &Revalidator{Interval: 20 * time.Millisecond}
	var revoked sync.Map // user → true once their session is gone
	var checked sync.Map // user → *atomic.Int64 checks run
	served := make(chan error, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user := r.URL.Query().Get("user")
		sub, err := hub.Subscribe(user, func(*switchboard.Event) bool { return true }, 0)
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		n, _ := checked.LoadOrStore(user, new(atomic.Int64))
		served <- Serve(w, r, sub, ServeOptions{Revalidator: shared, Revalidate: func(ctx context.Context) error {
			n.(*atomic.Int64).Add(1)
			if _, gone := revoked.Load(user); gone {
				return errors.New("session deleted")
			}
			return nil
		}})
	}))
	t.Cleanup(srv.Close)
	dial := func(user string) *websocket.Conn {
		c, _, err := websocket.Dial(t.Context(), "ws"+strings.TrimPrefix(srv.URL, "http")+"/?user="+user, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.CloseNow() })
		return c
	}
	alice, bob := dial("alice"), dial("bob")
	hub.Publish(t.Context(), msg("c1"))
	readEvent(t, alice)
	readEvent(t, bob)

	revoked.Store("bob", true)
	if got := readClose(t, bob); got != websocket.StatusPolicyViolation {
		t.Fatalf("bob's socket closed with %v, want %v", got, websocket.StatusPolicyViolation)
	}
	select {
	case err := <-served:
		if err == nil || !strings.Contains(err.Error(), "session deleted") {
			t.Errorf("Serve = %v, want the revalidation error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
	// Alice's check keeps running on the same timer and her socket stays.
	n, _ := checked.Load("alice")
	for before := n.(*atomic.Int64).Load(); n.(*atomic.Int64).Load() <= before; {
		time.Sleep(5 * time.Millisecond)
	}
	hub.Publish(t.Context(), msg("c2"))
	if e := readEvent(t, alice); e.ConversationID != "c2" {
		t.Errorf("alice got %+v, want the event about c2", e)
	}
	shared.mu.Lock()
	left, running := len(shared.checks), shared.running
	shared.mu.Unlock()
	if left != 1 || !running {
		t.Errorf("shared revalidator has %d checks (running %v), want alice's only", left, running)
	}
}
