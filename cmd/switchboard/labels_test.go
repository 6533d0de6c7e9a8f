package main

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard"
)

// TestLabelsThroughAPI: labels are managed with labels.manage (403
// without, also for a custom role that lacks it; a custom role granted it
// may), limits answer 400 with their message, a label goes on and off a
// conversation by anyone who may work on it, with an audit entry and an
// activity line naming the label, and the list filters by it with counts
// that match.
func TestLabelsThroughAPI(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	emp, empUser := app.createUser(admin, "emil", "employee")
	var tagger struct{ ID string }
	admin.must(201, "POST", "/api/v1/roles", map[string]any{"name": "Taggers", "permissions": []string{"labels.manage"}}, &tagger)
	tag, _ := app.createUser(admin, "tina", tagger.ID)
	ch := app.channel("Berlin")
	mine := app.customerWrites(ch.ID, "4915100000401", "Mia Mine", "hello")
	other := app.customerWrites(ch.ID, "4915100000402", "Otto Other", "hi")
	admin.must(200, "PUT", "/api/v1/conversations/"+mine.ID+"/assignees/"+empUser.ID, nil, nil)

	for _, bad := range []struct {
		body map[string]any
		msg  string
	}{
		{map[string]any{"name": "", "color": "#aabbcc"}, switchboard.ErrLabelName.Message},
		{map[string]any{"name": strings.Repeat("x", 41), "color": "#aabbcc"}, switchboard.ErrLabelName.Message},
		{map[string]any{"name": "ok", "color": "blue"}, switchboard.ErrLabelColor.Message},
	} {
		got, body := admin.do("POST", "/api/v1/labels", bad.body)
		if got != 400 || !strings.Contains(string(body), bad.msg) {
			t.Errorf("POST /labels %v = %d %s, want 400 %q", bad.body, got, body, bad.msg)
		}
	}
	if got, _ := emp.do("POST", "/api/v1/labels", map[string]any{"name": "x", "color": "#aabbcc"}); got != 403 {
		t.Errorf("employee creating a label = %d, want 403", got)
	}
	var vip switchboard.Label
	tag.must(201, "POST", "/api/v1/labels", map[string]any{"name": "VIP", "color": "#AA0000"}, &vip)
	if vip.Color != "#aa0000" {
		t.Errorf("label = %+v", vip)
	}
	if got, _ := admin.do("POST", "/api/v1/labels", map[string]any{"name": "vip", "color": "#000000"}); got != 409 {
		t.Errorf("duplicate label = %d, want 409", got)
	}

	// The employee labels their conversation, not another one.
	var c switchboard.Conversation
	emp.must(200, "PUT", "/api/v1/conversations/"+mine.ID+"/labels/"+vip.ID, nil, &c)
	if len(c.Labels) != 1 || c.Labels[0].Name != "VIP" {
		t.Fatalf("labelled conversation = %+v", c.Labels)
	}
	if got, _ := emp.do("PUT", "/api/v1/conversations/"+other.ID+"/labels/"+vip.ID, nil); got != 404 {
		t.Errorf("employee labelling a foreign conversation = %d, want 404", got)
	}
	if got, _ := emp.do("PUT", "/api/v1/conversations/"+mine.ID+"/labels/0123456789abcdef0123456789abcdef", nil); got != 404 {
		t.Errorf("unknown label = %d, want 404", got)
	}
	var thread struct{ Entries []switchboard.ThreadEntry }
	emp.must(200, "GET", "/api/v1/conversations/"+mine.ID+"/messages", nil, &thread)
	found := false
	for _, e := range thread.Entries {
		if e.Activity != nil && e.Activity.Action == switchboard.ActivityLabelAdded && e.Activity.Value == "VIP" && e.AuthorID == empUser.ID {
			found = true
		}
	}
	if !found {
		t.Errorf("no activity line for the label: %+v", thread.Entries)
	}
	entries, _, err := app.Store.AuditEntries(context.Background(), auditFilter("conversation.label"))
	if err != nil || len(entries) != 1 || entries[0].Detail["label_id"] != vip.ID || entries[0].ObjectID != mine.ID {
		t.Fatalf("audit conversation.label = %+v, %v", entries, err)
	}

	var page struct {
		Items  []switchboard.Conversation
		Counts switchboard.ConversationCounts
	}
	admin.must(200, "GET", "/api/v1/conversations?label="+vip.ID+"&status=open", nil, &page)
	if len(page.Items) != 1 || page.Items[0].ID != mine.ID || page.Counts.All != 1 || page.Counts.Assigned != 1 || page.Counts.Open != 1 {
		t.Fatalf("label filter = %d items, counts %+v", len(page.Items), page.Counts)
	}
	admin.must(200, "GET", "/api/v1/conversations?sort=waiting&unread=true", nil, &page)
	if len(page.Items) != 2 || page.Items[0].ID != mine.ID {
		t.Fatalf("waiting, unread = %+v", page.Items)
	}
	for _, q := range []string{"sort=oldest", "unread=yes", "label=nope"} {
		if got, _ := admin.do("GET", "/api/v1/conversations?"+q, nil); got != 400 {
			t.Errorf("GET /conversations?%s = %d, want 400", q, got)
		}
	}

	// The conversations report breaks the range's conversations down by label.
	var rep struct {
		Labels []switchboard.ReportLabelCount
	}
	admin.must(200, "GET", "/api/v1/reports/conversations", nil, &rep)
	if len(rep.Labels) != 1 || rep.Labels[0].LabelID != vip.ID || rep.Labels[0].Opened != 1 || rep.Labels[0].OpenNow != 1 {
		t.Errorf("report labels = %+v", rep.Labels)
	}

	emp.must(200, "DELETE", "/api/v1/conversations/"+mine.ID+"/labels/"+vip.ID, nil, &c)
	if len(c.Labels) != 0 {
		t.Errorf("after unlabel = %+v", c.Labels)
	}
	if got, _ := emp.do("DELETE", "/api/v1/labels/"+vip.ID, nil); got != 403 {
		t.Errorf("employee deleting a label = %d, want 403", got)
	}
	admin.must(204, "DELETE", "/api/v1/labels/"+vip.ID, nil, nil)
}

// TestBulkActions: each conversation of a bulk action is authorised on
// its own; the answer lists every id with ok or the error the single
// action gives (not_found for one the actor may not see, exactly like a
// missing one), and the allowed ones change.
func TestBulkActions(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	emp, empUser := app.createUser(admin, "emil", "employee")
	op, _ := app.createUser(admin, "olga", "operator")
	ch := app.channel("Berlin")
	mine := app.customerWrites(ch.ID, "4915100000501", "Mia Mine", "hello")
	foreign := app.customerWrites(ch.ID, "4915100000502", "Fritz Foreign", "hi")
	admin.must(200, "PUT", "/api/v1/conversations/"+mine.ID+"/assignees/"+empUser.ID, nil, nil)
	var vip switchboard.Label
	admin.must(201, "POST", "/api/v1/labels", map[string]any{"name": "VIP", "color": "#aa0000"}, &vip)
	const missing = "0123456789abcdef0123456789abcdef"

	type result struct {
		ID    string
		OK    bool
		Error *struct{ Code, Message string }
	}
	var out struct {
		Results []result
		Failed  int
	}
	emp.must(200, "POST", "/api/v1/conversations/bulk", map[string]any{
		"ids": []string{mine.ID, foreign.ID, missing, mine.ID}, "action": "label", "label_id": vip.ID}, &out)
	if len(out.Results) != 3 || out.Failed != 2 || !out.Results[0].OK ||
		out.Results[1].Error == nil || out.Results[1].Error.Code != "not_found" ||
		out.Results[2].Error == nil || out.Results[2].Error.Code != "not_found" ||
		out.Results[1].Error.Message != out.Results[2].Error.Message {
		t.Fatalf("bulk label = %+v", out)
	}
	// An employee may not close: forbidden, per conversation.
	emp.must(200, "POST", "/api/v1/conversations/bulk", map[string]any{"ids": []string{mine.ID}, "action": "status", "status": "closed"}, &out)
	if out.Failed != 1 || out.Results[0].Error.Code != "forbidden" {
		t.Fatalf("bulk close by employee = %+v", out)
	}
	op.must(200, "POST", "/api/v1/conversations/bulk", map[string]any{"ids": []string{mine.ID, foreign.ID}, "action": "status", "status": "closed"}, &out)
	if out.Failed != 0 {
		t.Fatalf("bulk close by operator = %+v", out)
	}
	op.must(200, "POST", "/api/v1/conversations/bulk", map[string]any{"ids": []string{foreign.ID}, "action": "assign", "user_id": empUser.ID}, &out)
	var page struct{ Items []switchboard.Conversation }
	emp.must(200, "GET", "/api/v1/conversations?status=closed&label="+vip.ID, nil, &page)
	if ids := convIDsOf(page.Items); !slices.Equal(ids, []string{mine.ID}) {
		t.Fatalf("employee's closed VIP conversations = %v", ids)
	}
	for _, bad := range []map[string]any{
		{"ids": []string{}, "action": "label", "label_id": vip.ID},
		{"ids": []string{mine.ID}, "action": "explode"},
		{"ids": []string{mine.ID}, "action": "assign"},
		{"ids": []string{mine.ID}, "action": "status", "status": "gone"},
		{"ids": make([]string, 101), "action": "label", "label_id": vip.ID},
	} {
		if got, body := op.do("POST", "/api/v1/conversations/bulk", bad); got != 400 {
			t.Errorf("bulk %v = %d %s, want 400", bad["action"], got, body)
		}
	}
}

func convIDsOf(cs []switchboard.Conversation) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

// TestSavedViewsThroughAPI: a user's views are theirs alone (another
// user's is 404), names are unique per user, a view saves the filter
// values it is given and they are checked like a list request's.
func TestSavedViewsThroughAPI(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	emp, _ := app.createUser(admin, "emil", "employee")
	var v switchboard.SavedView
	admin.must(201, "POST", "/api/v1/me/views", map[string]any{"name": "Waiting VIPs",
		"filter": map[string]any{"status": "open", "unread": true, "sort": "waiting"}}, &v)
	if v.Name != "Waiting VIPs" || !v.Filter.Unread || v.Filter.Sort != switchboard.SortWaiting {
		t.Fatalf("view = %+v", v)
	}
	if got, _ := admin.do("POST", "/api/v1/me/views", map[string]any{"name": "waiting vips", "filter": map[string]any{}}); got != 409 {
		t.Errorf("duplicate view = %d, want 409", got)
	}
	for _, bad := range []map[string]any{
		{"name": "x", "filter": map[string]any{"sort": "oldest"}},
		{"name": "x", "filter": map[string]any{"label_id": "nope"}},
		{"name": "", "filter": map[string]any{}},
	} {
		if got, _ := admin.do("POST", "/api/v1/me/views", bad); got != 400 {
			t.Errorf("view %v = %d, want 400", bad, got)
		}
	}
	if got, _ := emp.do("PATCH", "/api/v1/me/views/"+v.ID, map[string]any{"name": "mine now"}); got != 404 {
		t.Errorf("another user's view = %d, want 404", got)
	}
	admin.must(200, "PATCH", "/api/v1/me/views/"+v.ID, map[string]any{"name": "Renamed"}, &v)
	if v.Name != "Renamed" || v.Filter.Sort != switchboard.SortWaiting {
		t.Errorf("renamed view = %+v", v)
	}
	var list struct{ Items []json.RawMessage }
	emp.must(200, "GET", "/api/v1/me/views", nil, &list)
	if len(list.Items) != 0 {
		t.Errorf("employee sees %d views", len(list.Items))
	}
	admin.must(204, "DELETE", "/api/v1/me/views/"+v.ID, nil, nil)
}
