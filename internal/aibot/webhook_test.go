package aibot

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestWebhookReceiver posts deliveries to the receiver over HTTP: a signed
// one is handled once however often it is delivered; a wrong, stale or
// missing signature is refused with 401 and handled never.
func TestWebhookReceiver(t *testing.T) {
	cfg := validConfig()
	cfg.WebhookAddr, cfg.WebhookSecret = "127.0.0.1:0", "whsec-test"
	b, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu  sync.Mutex
		got []event
	)
	srv := httptest.NewServer(b.webhookHandler(func(e event) { mu.Lock(); got = append(got, e); mu.Unlock() }))
	defer srv.Close()
	post := func(delivery, sig, body string) int {
		req, _ := http.NewRequest("POST", srv.URL+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Switchboard-Delivery", delivery)
		req.Header.Set("X-Switchboard-Signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	body := `{"id":0,"type":"handoff.bot_turn","conversation_id":"c1","data":{}}`
	now := time.Now().Unix()
	if code := post("d1", sign("whsec-test", now, []byte(body)), body); code != 204 {
		t.Fatalf("signed delivery = %d, want 204", code)
	}
	if code := post("d1", sign("whsec-test", now, []byte(body)), body); code != 204 {
		t.Fatalf("repeated delivery = %d, want 204", code)
	}
	for name, sig := range map[string]string{
		"wrong secret": sign("other", now, []byte(body)),
		"stale":        sign("whsec-test", now-int64(SignatureTolerance/time.Second)-60, []byte(body)),
		"none":         "",
	} {
		if code := post("d-"+name, sig, body); code != 401 {
			t.Errorf("%s: %d, want 401", name, code)
		}
	}
	if code := post("", sign("whsec-test", now, []byte(body)), body); code != 400 {
		t.Errorf("no delivery id: %d, want 400", code)
	}
	resp, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 {
		t.Errorf("GET = %d, want 405", resp.StatusCode)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0].Type != "handoff.bot_turn" || got[0].ConversationID != "c1" {
		t.Errorf("handled %+v, want the one delivery once", got)
	}
}
