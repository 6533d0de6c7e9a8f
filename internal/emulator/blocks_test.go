package emulator

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestBlockUsers(t *testing.T) {
	clock := newFakeClock()
	en := newEnv(t, withClock(clock))
	const wa = "4915112340001"
	block := func(method, user string) graphResp {
		return en.do(method, "/v27.0/"+testPNID+"/block_users", testToken,
			strings.NewReader(`{"messaging_product":"whatsapp","block_users":[{"user":"`+user+`"}]}`), "application/json")
	}
	// Only a user who wrote in the last 24 hours can be blocked.
	r := block(http.MethodPost, "+"+wa)
	if r.status != 200 || !strings.Contains(string(r.body), `"failed_users"`) || !strings.Contains(string(r.body), `131047`) {
		t.Fatalf("block before any message: %d %s", r.status, r.body)
	}
	en.customer(CustomerMessage{WaID: wa, Text: "hello"})
	r = block(http.MethodPost, "+"+wa)
	if r.status != 200 || !strings.Contains(string(r.body), `"added_users":[{"input":"+`+wa+`","wa_id":"`+wa+`"}]`) {
		t.Fatalf("block: %d %s", r.status, r.body)
	}
	if !en.e.Blocked(testPNID, wa) {
		t.Fatal("not blocked")
	}
	// Sends fail, the customer's messages are not delivered.
	s := en.send(`{"messaging_product":"whatsapp","to":"` + wa + `","type":"text","text":{"body":"hi"}}`)
	if code, _ := s.errCode(t); s.status != 400 || code != 131026 {
		t.Fatalf("send to a blocked user: %d %s", s.status, s.body)
	}
	if _, err := en.e.CustomerSend(context.Background(), CustomerMessage{WaID: wa, Text: "let me in"}); !errors.Is(err, ErrBlocked) {
		t.Fatalf("customer send while blocked: %v", err)
	}
	// Unblocking works after the window too.
	clock.Advance(25 * time.Hour)
	r = block(http.MethodDelete, wa)
	if r.status != 200 || !strings.Contains(string(r.body), `"removed_users":[{"input":"`+wa+`","wa_id":"`+wa+`"}]`) {
		t.Fatalf("unblock: %d %s", r.status, r.body)
	}
	en.customer(CustomerMessage{WaID: wa, Text: "back"})
	if s := en.send(`{"messaging_product":"whatsapp","to":"` + wa + `","type":"text","text":{"body":"hi"}}`); s.status != 200 {
		t.Fatalf("send after unblock: %d %s", s.status, s.body)
	}
	if r := en.do(http.MethodPost, "/v27.0/"+testPNID+"/block_users", testToken, strings.NewReader(`{"messaging_product":"whatsapp"}`), "application/json"); r.status != 400 {
		t.Fatalf("no users: %d %s", r.status, r.body)
	}
}

func TestTypingIndicator(t *testing.T) {
	clock := newFakeClock()
	en := newEnv(t, withClock(clock))
	const wa = "4915112340002"
	in := en.customer(CustomerMessage{WaID: wa, Text: "hello"})
	typing := func() bool {
		for _, c := range en.e.Customers() {
			if c.WaID == wa {
				return c.Typing
			}
		}
		return false
	}
	r := en.send(`{"messaging_product":"whatsapp","status":"read","message_id":"` + in + `","typing_indicator":{"type":"text"}}`)
	if r.status != 200 || len(en.e.Typing(wa)) != 1 || !typing() {
		t.Fatalf("typing: %d %s, recorded %d, shown %v", r.status, r.body, len(en.e.Typing(wa)), typing())
	}
	clock.Advance(25 * time.Second)
	if typing() {
		t.Fatal("typing shown after 25 s")
	}
	en.send(`{"messaging_product":"whatsapp","status":"read","message_id":"` + in + `","typing_indicator":{"type":"text"}}`)
	clock.Advance(time.Second)
	en.send(`{"messaging_product":"whatsapp","to":"` + wa + `","type":"text","text":{"body":"answer"}}`)
	if typing() {
		t.Fatal("typing shown after the reply")
	}
	if r := en.send(`{"messaging_product":"whatsapp","status":"read","message_id":"` + in + `","typing_indicator":{"type":"audio"}}`); r.status != 400 {
		t.Fatalf("typing type audio: %d %s", r.status, r.body)
	}
}
