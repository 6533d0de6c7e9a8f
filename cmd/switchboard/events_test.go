package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/realtime"
)

type wsEvent struct {
	ID             int64           `json:"id"`
	Type           string          `json:"type"`
	ConversationID string          `json:"conversation_id"`
	Data           json.RawMessage `json:"data"`
}

// stream is a WebSocket subscription read into a channel.
type stream struct {
	t      *testing.T
	conn   *websocket.Conn
	events chan wsEvent
	err    error // why the stream ended; set before events is closed
}

func (a *testApp) subscribe(t *testing.T, c *client, lastID int64) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	url := "ws" + strings.TrimPrefix(a.URL, "http") + "/api/v1/events"
	if lastID > 0 {
		url += "?last_id=" + strconv.FormatInt(lastID, 10)
	}
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + c.token}}})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	s := &stream{t: t, conn: conn, events: make(chan wsEvent, 100)}
	go func() {
		defer close(s.events)
		for {
			_, b, err := conn.Read(ctx)
			if err != nil {
				s.err = err
				return
			}
			var e wsEvent
			if err := json.Unmarshal(b, &e); err != nil {
				t.Errorf("event %s: %v", b, err)
				return
			}
			s.events <- e
		}
	}()
	t.Cleanup(func() { cancel(); conn.CloseNow() })
	return s
}

// next waits for the next event.
func (s *stream) next() wsEvent {
	s.t.Helper()
	select {
	case e, ok := <-s.events:
		if !ok {
			s.t.Fatal("stream closed")
		}
		return e
	case <-time.After(5 * time.Second):
		s.t.Fatal("no event within 5s")
	}
	return wsEvent{}
}

// expect reads events until one of type typ about conversation id arrives,
// failing on any event about a conversation in forbidden.
func (s *stream) expect(typ, id string, forbidden ...string) wsEvent {
	s.t.Helper()
	for {
		e := s.next()
		for _, f := range forbidden {
			if e.ConversationID == f {
				s.t.Fatalf("received %s about forbidden conversation %s", e.Type, f)
			}
		}
		if e.Type == typ && e.ConversationID == id {
			return e
		}
	}
}

// quiet asserts that no event arrives for d.
func (s *stream) quiet(d time.Duration) {
	s.t.Helper()
	select {
	case e, ok := <-s.events:
		if ok {
			s.t.Fatalf("unexpected event %s about %s", e.Type, e.ConversationID)
		}
	case <-time.After(d):
	}
}

func TestEventsFilteredPerUser(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	operator, _ := app.createUser(admin, "otto", "operator")
	employee, emp := app.createUser(admin, "eva", "employee")
	ch := app.channel("Main")

	opStream := app.subscribe(t, operator, 0)
	empStream := app.subscribe(t, employee, 0)

	// A new customer: operators see it, the employee does not.
	conv := app.customerWrites(ch.ID, "4917600000001", "Clara Kundin", "Guten Tag")
	opStream.expect("message.created", conv.ID)
	empStream.quiet(300 * time.Millisecond)

	// Assigning the employee: they receive the assignment at once and the
	// conversation's events from then on.
	operator.must(200, "PUT", "/api/v1/conversations/"+conv.ID+"/assignees/"+emp.ID, nil, nil)
	e := empStream.expect("conversation.assigned", conv.ID)
	var data struct {
		UserID       string `json:"user_id"`
		Conversation struct {
			Contact struct{ Name string }
		}
	}
	if err := json.Unmarshal(e.Data, &data); err != nil || data.UserID != emp.ID || data.Conversation.Contact.Name != "Clara Kundin" {
		t.Fatalf("assigned event data = %s (%v)", e.Data, err)
	}
	opStream.expect("conversation.assigned", conv.ID)
	app.customerWrites(ch.ID, "4917600000001", "Clara Kundin", "Noch da?")
	m := empStream.expect("message.created", conv.ID)
	if !strings.Contains(string(m.Data), "Noch da?") {
		t.Fatalf("message event = %s", m.Data)
	}

	// A different customer stays invisible to the employee.
	other := app.customerWrites(ch.ID, "4917600000002", "Otto Other", "Hallo")
	opStream.expect("message.created", other.ID)

	// Unassigning: the employee is told, then sees nothing more.
	operator.must(200, "DELETE", "/api/v1/conversations/"+conv.ID+"/assignees/"+emp.ID, nil, nil)
	empStream.expect("conversation.unassigned", conv.ID, other.ID)
	app.customerWrites(ch.ID, "4917600000001", "Clara Kundin", "Hallo?")
	opStream.expect("message.created", conv.ID)
	empStream.quiet(300 * time.Millisecond)
	// And the REST API agrees.
	if got, _ := employee.do("GET", "/api/v1/conversations/"+conv.ID, nil); got != 404 {
		t.Fatalf("unassigned employee reads conversation = %d, want 404", got)
	}
}

func TestEventsReplayAfterReconnect(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	ch := app.channel("Main")
	s := app.subscribe(t, admin, 0)
	c := app.customerWrites(ch.ID, "4917600000009", "Rita", "eins")
	first := s.expect("message.created", c.ID)
	s.conn.Close(websocket.StatusNormalClosure, "")

	app.customerWrites(ch.ID, "4917600000009", "Rita", "zwei")
	app.customerWrites(ch.ID, "4917600000009", "Rita", "drei")

	again := app.subscribe(t, admin, first.ID)
	var texts []string
	for len(texts) < 2 {
		e := again.next()
		if e.ID <= first.ID {
			t.Fatalf("replayed event %d at or before last id %d", e.ID, first.ID)
		}
		if e.Type == "message.created" {
			var m struct{ Content struct{ Text string } }
			_ = json.Unmarshal(e.Data, &m)
			texts = append(texts, m.Content.Text)
		}
	}
	if texts[0] != "zwei" || texts[1] != "drei" {
		t.Fatalf("replayed %v, want [zwei drei]", texts)
	}

	// A last id from before this process started asks for a resync.
	stale := app.subscribe(t, admin, 1)
	if e := stale.next(); e.Type != "resync" {
		t.Fatalf("stale last_id gave %s, want resync", e.Type)
	}
}

// Two instances on one PostgreSQL database serve one stream: a change
// made through one reaches a WebSocket of the other, and a client that
// reconnects to the other instance with its last id misses nothing.
func TestEventsAcrossInstances(t *testing.T) {
	pgURL, _ := testPostgresSchema(t)
	a := startApp(t, map[string]string{"SWITCHBOARD_DATABASE_URL": pgURL})
	if a.Relay == nil {
		t.Fatal("on PostgreSQL the events go through the database by default")
	}
	b := startApp(t, map[string]string{"SWITCHBOARD_DATABASE_URL": pgURL,
		"SWITCHBOARD_MASTER_KEY_FILE": a.Config.MasterKeyFile, "SWITCHBOARD_AUDIT_KEY_FILE": a.Config.AuditKeyFile})
	// The second instance to start made the setup link that counts.
	onB := b.setupAdmin()
	admin := a.client(onB.token)
	ch := a.channel("Main")

	sb := b.subscribe(t, onB, 0)
	c := a.customerWrites(ch.ID, "4917600000019", "Rita", "eins")
	first := sb.expect("message.created", c.ID)
	if !strings.Contains(string(first.Data), "eins") {
		t.Fatalf("message event on the other instance = %s", first.Data)
	}
	sb.conn.Close(websocket.StatusNormalClosure, "")

	// Changes through both instances while the client is away.
	a.customerWrites(ch.ID, "4917600000019", "Rita", "zwei")
	onB.must(200, "PATCH", "/api/v1/conversations/"+c.ID, map[string]any{"status": "resolved"}, nil)
	a.customerWrites(ch.ID, "4917600000019", "Rita", "drei")

	// Back on the first instance, with the id the second one gave.
	again := a.subscribe(t, admin, first.ID)
	var seen []string
	last := first.ID
	for len(seen) < 3 {
		e := again.next()
		if e.ID <= last {
			t.Fatalf("event %d at or before %d", e.ID, last)
		}
		last = e.ID
		switch e.Type {
		case "message.created":
			var m struct{ Content struct{ Text string } }
			_ = json.Unmarshal(e.Data, &m)
			seen = append(seen, m.Content.Text)
		case "conversation.updated":
			var cv struct{ Status string }
			_ = json.Unmarshal(e.Data, &cv)
			if cv.Status == "resolved" {
				seen = append(seen, "resolved")
			}
		}
	}
	if strings.Join(seen, " ") != "zwei resolved drei" {
		t.Fatalf("replayed %v, want [zwei resolved drei]", seen)
	}
}

func TestEventsRefuseForeignOrigin(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	_, resp, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(app.URL, "http")+"/api/v1/events",
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + admin.token}, "Origin": {"https://evil.example"}}})
	if err == nil {
		t.Fatal("cross-origin WebSocket accepted")
	}
	if resp == nil || resp.StatusCode != 403 {
		t.Fatalf("cross-origin handshake: %v", err)
	}
}

// TestGracefulShutdownClosesSockets: on shutdown open WebSockets are closed
// with "going away" and Run returns.
func TestGracefulShutdownClosesSockets(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	s := app.subscribe(t, admin, 0)
	app.stop()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-s.events:
			if ok {
				continue
			}
			if websocket.CloseStatus(s.err) != websocket.StatusGoingAway {
				t.Fatalf("socket closed with %v, want going away", s.err)
			}
			return
		case <-deadline:
			t.Fatal("socket still open after shutdown began")
		}
	}
}

// TestEventsConversationDeletedOnErasure: users who may see an erased
// contact's conversation are told it is gone; others hear nothing.
func TestEventsConversationDeletedOnErasure(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	employee, emp := app.createUser(admin, "eva", "employee")
	bystander, _ := app.createUser(admin, "ben", "employee")
	ch := app.channel("Main")
	conv := app.customerWrites(ch.ID, "4917600000011", "Erika Erased", "Bitte löschen")
	admin.must(200, "PUT", "/api/v1/conversations/"+conv.ID+"/assignees/"+emp.ID, nil, nil)

	empStream := app.subscribe(t, employee, 0)
	benStream := app.subscribe(t, bystander, 0)
	admin.must(200, "DELETE", "/api/v1/contacts/"+conv.Contact.ID, nil, nil)
	e := empStream.expect("conversation.deleted", conv.ID)
	var data switchboard.DeletedConversation
	if err := json.Unmarshal(e.Data, &data); err != nil || data.ID != conv.ID || data.ContactID != conv.Contact.ID || data.Reason != "erased" {
		t.Fatalf("deleted event data = %s (%v)", e.Data, err)
	}
	if strings.Contains(string(e.Data), "Erika") || strings.Contains(string(e.Data), "4917600000011") {
		t.Fatalf("the event carries the erased contact's data: %s", e.Data)
	}
	benStream.quiet(300 * time.Millisecond)
}

// TestEventsCapPerUser: one user's WebSockets are capped; the one over the
// cap is closed at once with 1013 and a reason (issue 14, Low 12).
func TestEventsCapPerUser(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	for range realtime.DefaultMaxPerUser {
		app.subscribe(t, admin, 0)
	}
	over := app.subscribe(t, admin, 0)
	for range over.events {
	}
	var ce websocket.CloseError
	if !errors.As(over.err, &ce) || ce.Code != websocket.StatusTryAgainLater || !strings.Contains(ce.Reason, "too many connections") {
		t.Fatalf("socket over the cap ended with %v, want 1013 too many connections", over.err)
	}
}

// TestLogoutEndsTheSessionsSockets checks the shared revalidation: two
// sockets of one session (two tabs) both end with 1008 once the session is
// logged out, while a socket of the same user's other session stays.
func TestLogoutEndsTheSessionsSockets(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	other := app.login("admin")
	ch := app.channel("Main")
	tab1, tab2, kept := app.subscribe(t, admin, 0), app.subscribe(t, admin, 0), app.subscribe(t, other, 0)
	admin.must(204, "DELETE", "/api/v1/session", nil, nil)
	for i, s := range []*stream{tab1, tab2} {
		select {
		case e, ok := <-s.events:
			if ok {
				t.Fatalf("tab %d: unexpected event %s", i+1, e.Type)
			}
		case <-time.After(15 * time.Second):
			t.Fatalf("tab %d still open 15 s after logout", i+1)
		}
		if got := websocket.CloseStatus(s.err); got != websocket.StatusPolicyViolation {
			t.Errorf("tab %d closed with %v (%v), want %v", i+1, got, s.err, websocket.StatusPolicyViolation)
		}
	}
	// The other session's socket still receives events.
	conv := app.customerWrites(ch.ID, "4917600000009", "Anna", "hallo")
	kept.expect("message.created", conv.ID)
}
