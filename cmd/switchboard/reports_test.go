package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

type convReport struct {
	From, To, TZ string
	Periods      []struct{ Period string }
	Total        struct{ Opened, Resolved, Reopened int }
}

type agentsReport struct {
	Agents []struct {
		UserID          string `json:"user_id"`
		Name            string
		Resolved        int
		SessionsStarted int `json:"sessions_started"`
	}
}

// TestReportsAPI: reports.read gates the reports, limited to the role's
// channels; an employee gets only their own statistics; bad ranges get a
// clear 400; CSV downloads are audited as report.export.
func TestReportsAPI(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	berlin, hamburg := app.channel("Berlin"), app.channel("Hamburg")
	inBerlin := app.customerWrites(berlin.ID, "4915100000201", "Bea Berlin", "moin")
	inHamburg := app.customerWrites(hamburg.ID, "4915100000202", "Hein Hamburg", "moin")
	// Hamburg's conversation went to a bot and the customer asked for a
	// person, as the service records it.
	for _, st := range []switchboard.HandoffState{{Handler: switchboard.HandlerBot, Reason: switchboard.ReasonOpened},
		{Handler: switchboard.HandlerHuman, Reason: switchboard.ReasonCustomerAsked}} {
		st.At = time.Now()
		if _, err := app.Store.SetHandoff(context.Background(), inHamburg.ID, nil, st); err != nil {
			t.Fatal(err)
		}
	}
	admin.must(200, "PATCH", "/api/v1/conversations/"+inBerlin.ID, map[string]string{"status": "resolved"}, nil)

	// Yesterday and today in UTC hold everything written above, even across
	// midnight.
	now := time.Now().UTC()
	q := "?tz=UTC&from=" + now.AddDate(0, 0, -1).Format("2006-01-02") + "&to=" + now.Format("2006-01-02")

	var rep convReport
	admin.must(200, "GET", "/api/v1/reports/conversations"+q, nil, &rep)
	if rep.Total.Opened != 2 || rep.Total.Resolved != 1 || len(rep.Periods) != 2 || rep.TZ != "UTC" {
		t.Fatalf("admin's report = %+v, want 2 opened, 1 resolved over 2 days", rep)
	}
	// Without tz the installation's zone (Europe/Berlin by default) counts.
	admin.must(200, "GET", "/api/v1/reports/conversations", nil, &rep)
	if rep.TZ != "Europe/Berlin" || len(rep.Periods) != 30 {
		t.Errorf("default report: tz %q, %d periods; want Europe/Berlin and the last 30 days", rep.TZ, len(rep.Periods))
	}

	var bots struct {
		Total struct {
			ToBot     int            `json:"to_bot"`
			HandedOff int            `json:"handed_off"`
			Reasons   map[string]int `json:"reasons"`
		}
	}
	admin.must(200, "GET", "/api/v1/reports/bots"+q, nil, &bots)
	if bots.Total.ToBot != 1 || bots.Total.HandedOff != 1 || bots.Total.Reasons["customer_asked"] != 1 {
		t.Errorf("bots report = %+v, want one conversation to the bot, handed off as the customer asked", bots.Total)
	}
	operator, _ := app.createUser(admin, "olga", "operator")
	operator.must(200, "GET", "/api/v1/reports/messages"+q, nil, nil)

	var role struct{ ID string }
	admin.must(201, "POST", "/api/v1/roles", map[string]any{
		"name": "Berlin lead", "permissions": []string{"reports.read"}, "channel_ids": []string{berlin.ID},
	}, &role)
	lead, _ := app.createUser(admin, "lead", role.ID)
	lead.must(200, "GET", "/api/v1/reports/conversations"+q, nil, &rep)
	if rep.Total.Opened != 1 || rep.Total.Resolved != 1 {
		t.Errorf("Berlin lead's report = %+v, want only Berlin's conversation", rep.Total)
	}
	if got, body := lead.do("GET", "/api/v1/reports/conversations"+q+"&channel="+hamburg.ID, nil); got != 404 || errorCode(t, body) != "not_found" {
		t.Errorf("another channel's report = %d %s, want 404", got, body)
	}

	emp, empUser := app.createUser(admin, "emil", "employee")
	for _, path := range []string{"/api/v1/reports/conversations", "/api/v1/reports/messages", "/api/v1/reports/costs", "/api/v1/reports/bots"} {
		if got, body := emp.do("GET", path+q, nil); got != 403 {
			t.Errorf("employee GET %s = %d %s, want 403", path, got, body)
		}
	}
	var agents agentsReport
	emp.must(200, "GET", "/api/v1/reports/agents"+q, nil, &agents)
	if len(agents.Agents) != 1 || agents.Agents[0].UserID != empUser.ID || agents.Agents[0].SessionsStarted != 1 {
		t.Errorf("employee's agents report = %+v, want only their own row with their sign-in", agents.Agents)
	}
	admin.must(200, "GET", "/api/v1/reports/agents"+q, nil, &agents)
	if len(agents.Agents) != 4 {
		t.Errorf("admin's agents report has %d rows, want all 4 users", len(agents.Agents))
	}
	for _, a := range agents.Agents {
		if a.Name == "Ada Admin" && a.Resolved != 1 {
			t.Errorf("admin resolved %d, want 1", a.Resolved)
		}
	}

	for _, tc := range []struct{ query, want string }{
		{"?from=2026-03-10&to=2026-03-01", "from must not be after to"},
		{"?from=2025-01-01&to=2026-03-01", "at most 400 days"},
		{"?tz=Mars/Olympus", "tz must be an IANA time zone"},
		{"?interval=hour", "interval must be day, week or month"},
		{"?format=xml", "format must be json or csv"},
	} {
		got, body := admin.do("GET", "/api/v1/reports/conversations"+tc.query, nil)
		var e struct {
			Error struct{ Code, Message string }
		}
		_ = json.Unmarshal(body, &e)
		if got != 400 || e.Error.Code != "invalid" || !strings.Contains(e.Error.Message, tc.want) {
			t.Errorf("%s = %d %s, want 400 invalid %q", tc.query, got, body, tc.want)
		}
	}

	// CSV by ?format=csv and by Accept; each export is audited.
	for _, tc := range []struct {
		path, accept, header string
	}{
		{"/api/v1/reports/conversations" + q + "&format=csv", "", "period,opened,resolved"},
		{"/api/v1/reports/agents" + q, "text/csv", "user_id,name,active"},
		{"/api/v1/reports/messages" + q + "&format=csv", "", "period,direction,type"},
		{"/api/v1/reports/costs" + q + "&format=csv", "", "period,channel_id,billable"},
		{"/api/v1/reports/bots" + q + "&format=csv", "", "period,channel_id,to,reason,handoffs"},
	} {
		req, _ := http.NewRequest("GET", app.URL+tc.path, nil)
		req.Header.Set("Authorization", "Bearer "+admin.token)
		if tc.accept != "" {
			req.Header.Set("Accept", tc.accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(resp.Body).ReadAll()
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") || len(rows) < 1 ||
			(len(rows) < 2 && !strings.Contains(tc.path, "/costs")) ||
			!strings.HasPrefix(strings.Join(rows[0], ","), tc.header) {
			t.Errorf("GET %s: %d %s %v %v", tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), rows, err)
		}
	}
	entries, _, err := app.Store.AuditEntries(context.Background(), auditFilter("report.export"))
	if err != nil || len(entries) != 5 {
		t.Fatalf("report.export entries = %d (%v), want 5", len(entries), err)
	}
	if e := entries[0]; e.ActorLogin != "admin" || e.ObjectType != "report" || e.Detail["tz"] != "UTC" || e.Detail["to"] != now.Format("2006-01-02") {
		t.Errorf("export audit entry = %+v", e)
	}
}
