package main

import (
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard"
)

// TestHandoffRulesAPI sets a channel's hand-off rules through the API: a
// new channel starts with the default, bad input gets a clear 400 and
// changes nothing, a partial change keeps the other rule, and the hours
// cannot be removed while the business-hours rule needs them.
func TestHandoffRulesAPI(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	var created switchboard.Channel
	admin.must(201, "POST", "/api/v1/channels", map[string]any{"name": "Regeln", "phone_number_id": "5550001",
		"access_token": "token-123456", "app_secret": "secret-123456"}, &created)
	if created.HandoffRules != switchboard.DefaultHandoffRules {
		t.Fatalf("new channel's rules %+v, want %+v", created.HandoffRules, switchboard.DefaultHandoffRules)
	}
	path := "/api/v1/channels/" + created.ID
	week := `[[{"open":"09:00","close":"17:00"}],[],[],[],[],[],[]]`
	for bad, want := range map[string]string{
		`{"handoff_rules": {"business_hours": true}}`:  "needs the channel's business hours",
		`{"handoff_rules": {"bot_failures": 11}}`:      "0 (off) or 1 to 10",
		`{"handoff_rules": {"bot_failures": -1}}`:      "0 (off) or 1 to 10",
		`{"handoff_rules": {"after_hours": true}}`:     "",
		`{"handoff_rules": {"bot_failures": "three"}}`: "",
	} {
		code, body := admin.do("PATCH", path, bad)
		if code != 400 || errorCode(t, body) != switchboard.EInvalid || !strings.Contains(string(body), want) {
			t.Errorf("PATCH %s = %d %s, want 400 saying %q", bad, code, body, want)
		}
	}
	var got switchboard.Channel
	admin.must(200, "PATCH", path, `{"business_hours": {"time_zone": "Europe/Berlin", "week": `+week+`, "holidays": []}, "handoff_rules": {"business_hours": true}}`, &got)
	if want := (switchboard.HandoffRules{BusinessHours: true, BotFailures: 1}); got.HandoffRules != want {
		t.Fatalf("rules after PATCH %+v, want %+v", got.HandoffRules, want)
	}
	admin.must(200, "PATCH", path, `{"handoff_rules": {"bot_failures": 3}}`, &got)
	if want := (switchboard.HandoffRules{BusinessHours: true, BotFailures: 3}); got.HandoffRules != want {
		t.Fatalf("rules after a partial PATCH %+v, want %+v", got.HandoffRules, want)
	}
	code, body := admin.do("PATCH", path, `{"business_hours": null}`)
	if code != 400 || !strings.Contains(string(body), "turn the rule off") {
		t.Fatalf("removing the hours the rule needs = %d %s", code, body)
	}
	admin.must(200, "PATCH", path, `{"business_hours": null, "handoff_rules": {"business_hours": false}}`, &got)
	if got.BusinessHours != nil || got.HandoffRules != (switchboard.HandoffRules{BotFailures: 3}) {
		t.Fatalf("after removing rule and hours: %+v %+v", got.BusinessHours, got.HandoffRules)
	}
}
