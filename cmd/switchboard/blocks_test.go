package main

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/emulator"
	"github.com/switchboardhq/switchboard/internal/worker"
)

// TestBlockThroughEmulator blocks a customer through the emulator's Block
// Users API: sending is refused with 409 before Graph, the customer's
// messages no longer arrive; after unblocking, sending works again. Users
// without contacts.block are refused, and those who cannot see the
// conversation get 404.
func TestBlockThroughEmulator(t *testing.T) {
	app := startEmulated(t, nil)
	admin := app.setupAdmin()
	const wa = "4915123450021"
	app.customer(t, emulator.CustomerMessage{WaID: wa, Name: "Troll", Text: "spam spam"})
	conv := conversationOf(t, admin, wa)
	path := "/api/v1/conversations/" + conv.ID + "/block"

	emp, empUser := app.createUser(admin, "erika", "employee")
	if code, body := emp.do("PUT", path, nil); code != 404 {
		t.Fatalf("an employee who cannot see the conversation: %d %s", code, body)
	}
	admin.must(200, "PUT", "/api/v1/conversations/"+conv.ID+"/assignees/"+empUser.ID, nil, nil)
	if code, body := emp.do("PUT", path, nil); code != 403 {
		t.Fatalf("an employee without contacts.block: %d %s", code, body)
	}

	var got struct {
		Contact struct {
			Blocked   bool
			BlockedAt *time.Time `json:"blocked_at"`
			BlockedBy string     `json:"blocked_by"`
		}
	}
	admin.must(200, "PUT", path, nil, &got)
	if !got.Contact.Blocked || got.Contact.BlockedAt == nil || got.Contact.BlockedBy == "" {
		t.Fatalf("after blocking: %+v", got.Contact)
	}
	if !app.Emulator.Blocked(emulatorPhoneNumberID, wa) {
		t.Fatal("the emulator does not list the customer as blocked")
	}
	admin.must(200, "PUT", path, nil, nil) // again: no change
	before := app.Emulator.Stats().MessagesSent
	if code, body := admin.do("POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]string{"type": "text", "text": "go away"}); code != 409 || errorCode(t, body) != switchboard.EConflict {
		t.Fatalf("send to a blocked customer: %d %s", code, body)
	}
	if app.Emulator.Stats().MessagesSent != before {
		t.Fatal("the refused message reached Graph")
	}
	if _, err := app.Emulator.CustomerSend(context.Background(), emulator.CustomerMessage{WaID: wa, Text: "let me in"}); !errors.Is(err, emulator.ErrBlocked) {
		t.Fatalf("a blocked customer's message: %v", err)
	}

	got.Contact.Blocked, got.Contact.BlockedAt = false, nil
	admin.must(200, "DELETE", path, nil, &got)
	if got.Contact.Blocked || got.Contact.BlockedAt != nil {
		t.Fatalf("after unblocking: %+v", got.Contact)
	}
	admin.must(202, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]string{"type": "text", "text": "Welcome back"}, nil)
	app.phoneGot(t, wa, "the message after unblocking", func(m emulator.PhoneMessage) bool { return m.Text == "Welcome back" })

	for _, action := range []string{"contact.block", "contact.unblock"} {
		entries, _, err := app.Store.AuditEntries(context.Background(), auditFilter(action))
		if err != nil {
			t.Fatal(err)
		}
		ok := 0
		for _, e := range entries {
			if e.ObjectID == conv.Contact.ID && e.Outcome == switchboard.OutcomeSuccess {
				ok++
			}
		}
		if ok != 1 {
			t.Errorf("%d successful %s entries, want 1", ok, action)
		}
	}
}

// stepClock is the wall clock moved on by the test.
type stepClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().UTC().Add(c.offset)
}

func (c *stepClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// TestTypingThrottle checks that typing calls 10 s apart send WhatsApp one
// indicator and calls 26 s apart two, on the service's clock.
func TestTypingThrottle(t *testing.T) {
	clock := &stepClock{}
	app := startApp(t, map[string]string{"SWITCHBOARD_EMULATOR": "on"}, func(a *App) {
		a.EmulatorOptions = func(c *emulator.Config) {
			c.StatusDelays = emulator.StatusDelays{Sent: 20 * time.Millisecond, Delivered: 60 * time.Millisecond, Read: 150 * time.Millisecond}
			c.BatchWindow = 10 * time.Millisecond
		}
		// Installed while the app opens, before anything reads the clock.
		a.SenderOptions = func(*worker.Sender) { a.Service.Clock = clock }
	})
	admin := app.setupAdmin()
	const wa, other = "4915123450031", "4915123450032"
	app.customer(t, emulator.CustomerMessage{WaID: wa, Name: "Ada", Text: "Are you there?"})
	app.customer(t, emulator.CustomerMessage{WaID: other, Name: "Bo", Text: "Hello?"})
	conv, fence := conversationOf(t, admin, wa), conversationOf(t, admin, other)
	typing := func(id string) { admin.must(204, "POST", "/api/v1/conversations/"+id+"/typing", nil, nil) }
	count := func(w string) int { return len(app.Emulator.Typing(w)) }

	typing(conv.ID)
	eventually(t, "the first typing indicator", func() bool { return count(wa) == 1 })
	clock.Advance(10 * time.Second)
	typing(conv.ID) // within 25 s: accepted, not sent
	// Indicators go out in order: once the other conversation's arrives,
	// a second one for this conversation would have arrived before it.
	typing(fence.ID)
	eventually(t, "the fence's typing indicator", func() bool { return count(other) == 1 })
	if n := count(wa); n != 1 {
		t.Fatalf("two calls 10 s apart sent %d indicators, want 1", n)
	}
	clock.Advance(16 * time.Second) // 26 s after the first
	typing(conv.ID)
	eventually(t, "the second typing indicator", func() bool { return count(wa) == 2 })

	// Once the business has answered, typing sends nothing.
	admin.must(202, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]string{"type": "text", "text": "Yes!"}, nil)
	waitMessage(t, admin, conv.ID, "the answer sent", func(m apiMessage) bool { return m.Content.Text == "Yes!" && m.Status != "pending" })
	clock.Advance(30 * time.Second)
	typing(conv.ID)
	clock.Advance(30 * time.Second)
	typing(fence.ID)
	eventually(t, "the fence's second indicator", func() bool { return count(other) == 2 })
	if n := count(wa); n != 2 {
		t.Fatalf("typing after the business answered sent an indicator (%d)", n)
	}
	if code, _ := admin.do("POST", "/api/v1/conversations/"+switchboard.NewID()+"/typing", nil); code != 404 {
		t.Fatalf("typing in a missing conversation: %d", code)
	}
}
