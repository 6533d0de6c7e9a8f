package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/reports"
)

// TestBusinessHoursAPI sets, checks and removes a channel's business hours
// through the API: bad input gets a clear 400 and changes nothing, the
// change is audited, and the conversations report measures within them.
func TestBusinessHoursAPI(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	ch := app.channel("Büro")
	path := "/api/v1/channels/" + ch.ID
	week := `[[{"open":"09:00","close":"17:00"}],[{"open":"09:00","close":"17:00"}],[{"open":"09:00","close":"17:00"}],[{"open":"09:00","close":"17:00"}],[{"open":"09:00","close":"17:00"}],[],[]]`

	for bad, want := range map[string]string{
		`{"business_hours": {"time_zone": "Mars/Base", "week": ` + week + `, "holidays": []}}`:                                               "Unknown time zone",
		`{"business_hours": {"time_zone": "Europe/Berlin", "week": [[{"open":"17:00","close":"09:00"}],[],[],[],[],[],[]], "holidays": []}}`: "closes before it opens",
		`{"business_hours": {"time_zone": "Europe/Berlin", "week": ` + week + `, "holidays": ["Heiligabend"]}}`:                              "2026-12-24",
		`{"business_hours": {"time_zone": "Europe/Berlin", "week": ` + week + `, "lunch": true}}`:                                            "business_hours must be an object",
		`{"business_hours": {"time_zone": "Europe/Berlin", "week": [[],[],[],[],[],[],[],[]]}}`:                                              "business_hours must be an object",
		`{"business_hours": "9 to 5"}`: "business_hours must be an object",
		`{"business_hours": {"time_zone": "Europe/Berlin", "week": [[],[],[],[],[],[],[]], "holidays": []}}`: "at least one opening interval",
	} {
		code, body := admin.do("PATCH", path, bad)
		if code != 400 || errorCode(t, body) != switchboard.EInvalid || !strings.Contains(string(body), want) {
			t.Errorf("PATCH %s = %d %s, want 400 saying %q", bad, code, body, want)
		}
	}
	var got switchboard.Channel
	admin.must(200, "GET", path, nil, &got)
	if got.BusinessHours != nil {
		t.Fatalf("refused changes stored business hours %+v", got.BusinessHours)
	}

	admin.must(200, "PATCH", path, `{"business_hours": {"time_zone": "Europe/Berlin", "week": `+week+`, "holidays": ["2026-12-26", "2026-12-25"]}}`, &got)
	if b := got.BusinessHours; b == nil || b.TimeZone != "Europe/Berlin" || len(b.Week[0]) != 1 || len(b.Week[5]) != 0 ||
		strings.Join(b.Holidays, ",") != "2026-12-25,2026-12-26" {
		t.Fatalf("business hours after PATCH: %+v", got.BusinessHours)
	}
	// Another change keeps them; null removes them.
	admin.must(200, "PATCH", path, map[string]any{"name": "Büro Mitte"}, &got)
	if got.BusinessHours == nil {
		t.Fatal("renaming the channel dropped its business hours")
	}
	entries, _, err := app.Store.AuditEntries(context.Background(), switchboard.AuditFilter{Action: "channel.update", Limit: 10})
	must(t, err)
	if len(entries) < 2 || entries[1].Detail["business_hours"] != "changed" {
		t.Errorf("audit of the business-hours change: %+v", entries)
	}

	// A customer wrote an hour ago and is answered now: the report has
	// both times, the business one no longer than the other.
	now := time.Now().UTC()
	conv := app.customerWroteAt(ch.ID, "4915100000301", "Bea Büro", "Hallo", now.Add(-time.Hour))
	admin.must(202, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]any{"type": "text", "text": "Guten Tag"}, nil)
	var rep reports.ConversationsReport
	admin.must(200, "GET", "/api/v1/reports/conversations?tz=UTC&from="+now.AddDate(0, 0, -1).Format("2006-01-02")+"&to="+now.Format("2006-01-02"), nil, &rep)
	if tot := rep.Total; tot.FirstResponse.Count != 1 || tot.FirstResponseBusiness.Count != 1 || tot.Backlog != 1 ||
		*tot.FirstResponse.MedianSeconds < 3600 || *tot.FirstResponseBusiness.MedianSeconds > *tot.FirstResponse.MedianSeconds {
		t.Errorf("report total = %+v, want one first response measured both ways and a backlog of 1", rep.Total)
	}

	admin.must(200, "PATCH", path, `{"business_hours": null}`, &got)
	if got.BusinessHours != nil {
		t.Fatalf("null left business hours %+v", got.BusinessHours)
	}
	admin.must(200, "GET", path, nil, &got)
	if got.BusinessHours != nil {
		t.Fatal("removed business hours came back")
	}
}
