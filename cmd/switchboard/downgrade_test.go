package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// openEvents opens c's event socket and returns its frames and the error
// that ended it.
func openEvents(t *testing.T, app *testApp, c *client) (<-chan string, <-chan error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(app.URL, "http")+"/api/v1/events",
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + c.token}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	frames, closed := make(chan string, 100), make(chan error, 1)
	go func() {
		for {
			_, b, err := conn.Read(ctx)
			if err != nil {
				closed <- err
				return
			}
			frames <- string(b)
		}
	}()
	return frames, closed
}

func wantRevoked(t *testing.T, closed <-chan error, what string) {
	t.Helper()
	select {
	case err := <-closed:
		if websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
			t.Fatalf("%s: socket closed with %v, want policy violation", what, err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: socket still open", what)
	}
}

// TestRoleDowngradeEndsSockets: narrowing a role (a channel or permission
// taken away) ends the sockets of its holders at once, and so does giving
// a user another role; a change that takes nothing away (a new
// description) keeps them (issue 14, Low 20). The session stays valid.
func TestRoleDowngradeEndsSockets(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	chA, chB := app.channel("A"), app.channel("B")
	var role struct{ ID string }
	admin.must(201, "POST", "/api/v1/roles", map[string]any{"name": "Desk AB",
		"permissions": []string{"conversations.read_all", "conversations.reply"}, "channel_ids": []string{chA.ID, chB.ID}}, &role)
	desk, _ := app.createUser(admin, "desk-ab", role.ID)
	_, other := app.createUser(admin, "desk-two", role.ID)
	two := app.login("desk-two")

	frames, closed := openEvents(t, app, desk)
	// Nothing taken away: the socket stays and still gets events of A.
	admin.must(200, "PATCH", "/api/v1/roles/"+role.ID, map[string]any{"description": "both numbers"}, nil)
	conv := app.customerWrites(chA.ID, "4915100000401", "Anna A", "noch da?")
	for got := false; !got; {
		select {
		case f := <-frames:
			got = strings.Contains(f, conv.ID)
		case err := <-closed:
			t.Fatalf("socket closed by a change that narrowed nothing: %v", err)
		case <-time.After(10 * time.Second):
			t.Fatal("no event for A after the description change")
		}
	}

	// Number A taken away: the socket ends at once, the session stays.
	twoClosed := func() <-chan error { _, c := openEvents(t, app, two); return c }()
	admin.must(200, "PATCH", "/api/v1/roles/"+role.ID, map[string]any{"channel_ids": []string{chB.ID}}, nil)
	wantRevoked(t, closed, "role narrowed")
	wantRevoked(t, twoClosed, "role narrowed, second holder")
	desk.must(200, "GET", "/api/v1/me", nil, nil)

	// Another role for a user: their socket ends.
	_, closed = openEvents(t, app, two)
	admin.must(200, "PATCH", "/api/v1/users/"+other.ID, map[string]string{"role_id": "employee"}, nil)
	wantRevoked(t, closed, "role changed")
	two.must(200, "GET", "/api/v1/me", nil, nil)
}
