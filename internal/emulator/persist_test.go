package emulator

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStateSurvivesRestart (issue 13): with a StateFile, a customer who
// wrote before a restart is known after it, with their name and service
// window, so a free-text reply is sent instead of failing with 131047; a
// customer whose window had closed still gets 131047.
func TestStateSurvivesRestart(t *testing.T) {
	file := filepath.Join(t.TempDir(), "emulator-state.json")
	clock := newFakeClock()
	first := newEnv(t, chain(withClock(clock), func(c *Config) { c.StateFile = file }))
	first.customer(CustomerMessage{WaID: "4915112340001", Name: "Vor Neustart", Text: "Hallo vor dem Neustart"})
	first.customer(CustomerMessage{WaID: "4915112340002", Name: "Lange Her", Text: "alt", Timestamp: clock.Now().Add(-25 * time.Hour)})
	first.stop()
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("no state file after Close: %v", err)
	}

	clock.Advance(time.Hour)
	second := newEnv(t, chain(withClock(clock), func(c *Config) { c.StateFile = file }))
	byWaID := map[string]Customer{}
	for _, c := range second.e.Customers() {
		byWaID[c.WaID] = c
	}
	if c := byWaID["4915112340001"]; c.Name != "Vor Neustart" || !c.WindowOpen {
		t.Fatalf("customer after restart = %+v, want Vor Neustart with an open window", c)
	}
	if c, ok := byWaID["4915112340002"]; !ok || c.WindowOpen {
		t.Fatalf("old customer after restart = %+v (known %v), want a closed window", c, ok)
	}
	if got := second.e.UserIDOf("4915112340001"); got != bsuidFor("4915112340001") {
		t.Errorf("user id after restart = %q", got)
	}

	reply := wamidOf(t, second.send(`{"messaging_product":"whatsapp","to":"4915112340001","type":"text","text":{"body":"Antwort nach dem Neustart"}}`))
	late := wamidOf(t, second.send(`{"messaging_product":"whatsapp","to":"4915112340002","type":"text","text":{"body":"Zu spät"}}`))
	clock.Advance(time.Second)
	waitFor(t, "statuses", func() bool {
		all := second.rc.statuses(t)
		return len(statusesFor(all, reply)) >= 1 && len(statusesFor(all, late)) >= 1
	})
	all := second.rc.statuses(t)
	if s := statusesFor(all, reply)[0]; s.Status != "sent" {
		t.Fatalf("reply after restart: %+v, want sent", s)
	}
	if s := statusesFor(all, late)[0]; s.Status != "failed" || len(s.Errors) != 1 || s.Errors[0].Code != 131047 {
		t.Fatalf("reply outside the window: %+v, want failed with 131047", s)
	}
}

// TestStateFileRefusedWhenUnreadable: a corrupt state file stops New with
// an error naming the file, rather than silently forgetting everyone.
func TestStateFileRefusedWhenUnreadable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "emulator-state.json")
	if err := os.WriteFile(file, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := New(Config{PhoneNumbers: []Number{{PhoneNumberID: testPNID, DisplayPhoneNumber: testDisp, WABAID: testWABA}},
		AccessToken: testToken, AppSecret: testSecret, StateFile: file})
	if err == nil {
		t.Fatal("New accepted a corrupt state file")
	}
}

// TestBlocklistSurvivesRestart: a block made through the Block Users API
// is in the state file, so a restarted emulator still refuses the sends.
func TestBlocklistSurvivesRestart(t *testing.T) {
	file := filepath.Join(t.TempDir(), "emulator-state.json")
	clock := newFakeClock()
	first := newEnv(t, chain(withClock(clock), func(c *Config) { c.StateFile = file }))
	first.customer(CustomerMessage{WaID: "4915112340003", Name: "Gesperrt", Text: "spam"})
	r := first.do(http.MethodPost, "/v27.0/"+testPNID+"/block_users", testToken,
		strings.NewReader(`{"messaging_product":"whatsapp","block_users":[{"user":"4915112340003"}]}`), "application/json")
	if r.status != 200 {
		t.Fatalf("block: %d %s", r.status, r.body)
	}
	first.stop()
	second := newEnv(t, chain(withClock(clock), func(c *Config) { c.StateFile = file }))
	if !second.e.Blocked(testPNID, "4915112340003") {
		t.Fatal("the block was lost in the restart")
	}
}
