package aibot

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/realtime"
)

// TestEventStreamReconnects runs the bot's event intake against the real
// realtime hub over a WebSocket: it sends the token, receives events,
// reconnects after the server closed the socket with the id of the last
// event it saw and so receives what was published meanwhile exactly once,
// and ends with errTokenRefused when reconnecting is refused with 401.
func TestEventStreamReconnects(t *testing.T) {
	hub := realtime.NewHub(realtime.Options{})
	defer hub.Close()
	var refuse atomic.Bool
	connects := make(chan int64, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/events" {
			http.NotFound(w, r)
			return
		}
		if refuse.Load() || r.Header.Get("Authorization") != "Bearer sbt_x" {
			http.Error(w, `{"error":{"code":"unauthorized"}}`, http.StatusUnauthorized)
			return
		}
		var last int64
		if v := r.URL.Query().Get("last_id"); v != "" {
			last, _ = strconv.ParseInt(v, 10, 64)
		}
		sub, err := hub.Subscribe("bot", func(*switchboard.Event) bool { return true }, last)
		if err != nil {
			t.Error(err)
			return
		}
		connects <- last
		_ = realtime.Serve(w, r, sub, realtime.ServeOptions{})
	}))
	defer srv.Close()

	cfg := validConfig()
	cfg.SwitchboardURL = srv.URL
	b, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan event, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- b.streamEvents(ctx, func(e event) { got <- e }) }()

	wait := func(what string) event {
		t.Helper()
		select {
		case e := <-got:
			return e
		case <-time.After(10 * time.Second):
			t.Fatalf("no event: %s", what)
		}
		return event{}
	}
	waitConnect := func() int64 {
		t.Helper()
		select {
		case id := <-connects:
			return id
		case <-time.After(10 * time.Second):
			t.Fatal("no connection")
		}
		return 0
	}

	if id := waitConnect(); id != 0 {
		t.Fatalf("first connection with last_id %d", id)
	}
	hub.Publish(ctx, switchboard.Event{Type: "handoff.bot_turn", ConversationID: "c1"})
	first := wait("the first event")
	if first.Type != "handoff.bot_turn" || first.ConversationID != "c1" || first.ID == 0 {
		t.Fatalf("first event = %+v", first)
	}

	// The server drops the socket; an event published meanwhile arrives
	// after the reconnect, which resumes after the first event.
	hub.DisconnectUser("bot")
	hub.Publish(ctx, switchboard.Event{Type: "handoff.bot_turn", ConversationID: "c2"})
	if id := waitConnect(); id != first.ID {
		t.Errorf("reconnected with last_id %d, want %d", id, first.ID)
	}
	if second := wait("the event published while disconnected"); second.ConversationID != "c2" || second.ID <= first.ID {
		t.Errorf("second event = %+v", second)
	}
	select {
	case e := <-got:
		t.Errorf("an event twice: %+v", e)
	default:
	}

	// A token refused on reconnecting ends the stream.
	refuse.Store(true)
	hub.DisconnectUser("bot")
	select {
	case err := <-done:
		if !errors.Is(err, errTokenRefused) {
			t.Errorf("stream ended with %v, want errTokenRefused", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the stream did not end after 401")
	}
}
