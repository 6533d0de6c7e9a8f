package main

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/switchboardhq/switchboard"
)

// TestAssignOnlyWhoCanReply (issue 13, item 4): only active users whose
// role may reply on the conversation's channel can be assigned; the others
// are refused with 400 and are not offered by the assignable list. A
// deactivated assignee stays listed with a marker, and a conversation
// whose only assignees are deactivated counts as unassigned.
func TestAssignOnlyWhoCanReply(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	berlin, hamburg := app.channel("Berlin"), app.channel("Hamburg")
	conv := app.customerWrites(berlin.ID, "4915100000301", "Rita Reply", "hallo")

	var readers, hamburgDesk struct{ ID string }
	admin.must(201, "POST", "/api/v1/roles", map[string]any{
		"name": "Readers", "permissions": []string{"conversations.read_all"}, "all_channels": true,
	}, &readers)
	admin.must(201, "POST", "/api/v1/roles", map[string]any{
		"name": "Hamburg desk", "permissions": []string{"conversations.read_all", "conversations.reply"},
		"channel_ids": []string{hamburg.ID},
	}, &hamburgDesk)
	_, reader := app.createUser(admin, "reader", readers.ID)
	_, desk := app.createUser(admin, "hdesk", hamburgDesk.ID)
	empClient, emp := app.createUser(admin, "emp", "employee")
	_, gone := app.createUser(admin, "gone", "employee")
	op, _ := app.createUser(admin, "op", "operator")
	admin.must(200, "PATCH", "/api/v1/users/"+gone.ID, map[string]any{"active": false}, nil)

	for _, u := range []*switchboard.User{reader, desk, gone} {
		if got, body := op.do("PUT", "/api/v1/conversations/"+conv.ID+"/assignees/"+u.ID, nil); got != 400 {
			t.Errorf("assigning %s = %d %s, want 400", u.Login, got, body)
		}
	}
	var list struct{ Items []switchboard.User }
	op.must(200, "GET", "/api/v1/conversations/"+conv.ID+"/assignable", nil, &list)
	var logins []string
	for _, u := range list.Items {
		logins = append(logins, u.Login)
	}
	slices.Sort(logins)
	if want := []string{"admin", "emp", "op"}; !slices.Equal(logins, want) {
		t.Fatalf("assignable = %v, want %v", logins, want)
	}
	op.must(200, "GET", "/api/v1/conversations/"+conv.ID+"/assignable?q=em", nil, &list)
	if len(list.Items) != 1 || list.Items[0].Login != "emp" {
		t.Fatalf("assignable?q=em = %+v", list.Items)
	}
	// Who may not assign gets 403 on a conversation they see, 404 on one
	// they do not.
	if got, _ := empClient.do("GET", "/api/v1/conversations/"+conv.ID+"/assignable", nil); got != 404 {
		t.Errorf("employee on a foreign conversation = %d, want 404", got)
	}
	op.must(200, "PUT", "/api/v1/conversations/"+conv.ID+"/assignees/"+emp.ID, nil, nil)
	if got, _ := empClient.do("GET", "/api/v1/conversations/"+conv.ID+"/assignable", nil); got != 403 {
		t.Errorf("employee without conversations.assign = %d, want 403", got)
	}

	// Deactivating the only assignee: marked, and unassigned again.
	admin.must(200, "PATCH", "/api/v1/users/"+emp.ID, map[string]any{"active": false}, nil)
	var c switchboard.Conversation
	op.must(200, "GET", "/api/v1/conversations/"+conv.ID, nil, &c)
	if len(c.Assignees) != 1 || !c.Assignees[0].Deactivated {
		t.Fatalf("assignees after deactivation = %+v", c.Assignees)
	}
	var page struct {
		Items  []json.RawMessage
		Counts switchboard.ConversationCounts
	}
	op.must(200, "GET", "/api/v1/conversations?assignment=unassigned&counts=true", nil, &page)
	if len(page.Items) != 1 || page.Counts.Unassigned != 1 || page.Counts.Assigned != 0 {
		t.Fatalf("unassigned list %d items, counts %+v; want the conversation", len(page.Items), page.Counts)
	}
}
