package main

import (
	"testing"
)

// TestRBACMatrix checks every built-in role against every endpoint,
// including foreign objects, which must answer 404 exactly like missing
// ones.
func TestRBACMatrix(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	operator, opUser := app.createUser(admin, "olga", "operator")
	employee, empUser := app.createUser(admin, "emil", "employee")
	_, otherUser := app.createUser(admin, "erika", "employee")

	ch := app.channel("Berlin")
	mine := app.customerWrites(ch.ID, "4915100000001", "Mia Mine", "hello")
	foreign := app.customerWrites(ch.ID, "4915100000002", "Fritz Foreign", "hi")
	admin.must(200, "PUT", "/api/v1/conversations/"+mine.ID+"/assignees/"+empUser.ID, nil, nil)

	var role struct{ ID string }
	admin.must(201, "POST", "/api/v1/roles", map[string]any{"name": "Temp", "permissions": []string{"users.read"}}, &role)
	const missing = "0123456789abcdef0123456789abcdef"

	type req struct {
		method, path string
		body         any
	}
	cases := []struct {
		name                string
		r                   req
		admin, oper, employ int
	}{
		{"me", req{"GET", "/api/v1/me", nil}, 200, 200, 200},
		{"permissions", req{"GET", "/api/v1/permissions", nil}, 200, 200, 200},
		{"list users", req{"GET", "/api/v1/users", nil}, 200, 200, 403},
		{"get other user", req{"GET", "/api/v1/users/" + otherUser.ID, nil}, 200, 200, 404},
		{"get self", req{"GET", "/api/v1/users/" + empUser.ID, nil}, 200, 200, 200},
		{"get missing user", req{"GET", "/api/v1/users/" + missing, nil}, 404, 404, 404},
		{"create user", req{"POST", "/api/v1/users", map[string]string{"login": "x-new", "name": "X", "role_id": "employee", "password": testPassword}}, 201, 403, 403},
		{"update user", req{"PATCH", "/api/v1/users/" + otherUser.ID, map[string]string{"name": "Erika E."}}, 200, 403, 404},
		{"list roles", req{"GET", "/api/v1/roles", nil}, 200, 200, 403},
		{"get own role", req{"GET", "/api/v1/roles/employee", nil}, 200, 200, 200},
		{"get other role", req{"GET", "/api/v1/roles/admin", nil}, 200, 200, 404},
		{"create role", req{"POST", "/api/v1/roles", map[string]any{"name": "R-x", "permissions": []string{}}}, 201, 403, 403},
		{"update role", req{"PATCH", "/api/v1/roles/" + role.ID, map[string]any{"description": "d"}}, 200, 403, 403},
		{"list conversations", req{"GET", "/api/v1/conversations", nil}, 200, 200, 200},
		{"get assigned conversation", req{"GET", "/api/v1/conversations/" + mine.ID, nil}, 200, 200, 200},
		{"get foreign conversation", req{"GET", "/api/v1/conversations/" + foreign.ID, nil}, 200, 200, 404},
		{"get missing conversation", req{"GET", "/api/v1/conversations/" + missing, nil}, 404, 404, 404},
		{"messages of assigned", req{"GET", "/api/v1/conversations/" + mine.ID + "/messages", nil}, 200, 200, 200},
		{"messages of foreign", req{"GET", "/api/v1/conversations/" + foreign.ID + "/messages", nil}, 200, 200, 404},
		{"reply in assigned", req{"POST", "/api/v1/conversations/" + mine.ID + "/messages", map[string]string{"type": "text", "text": "hi"}}, 202, 202, 202},
		{"reply in foreign", req{"POST", "/api/v1/conversations/" + foreign.ID + "/messages", map[string]string{"type": "text", "text": "hi"}}, 202, 202, 404},
		{"close assigned", req{"PATCH", "/api/v1/conversations/" + mine.ID, map[string]string{"status": "open"}}, 200, 200, 403},
		{"close foreign", req{"PATCH", "/api/v1/conversations/" + foreign.ID, map[string]string{"status": "open"}}, 200, 200, 404},
		{"assign in assigned", req{"PUT", "/api/v1/conversations/" + mine.ID + "/assignees/" + opUser.ID, nil}, 200, 200, 403},
		{"assign in foreign", req{"PUT", "/api/v1/conversations/" + foreign.ID + "/assignees/" + otherUser.ID, nil}, 200, 200, 404},
		{"unassign in foreign", req{"DELETE", "/api/v1/conversations/" + foreign.ID + "/assignees/" + otherUser.ID, nil}, 200, 404, 404},
		{"audit", req{"GET", "/api/v1/audit", nil}, 200, 403, 403},
		{"audit verify", req{"POST", "/api/v1/audit/verify", nil}, 200, 403, 403},
		{"unknown endpoint", req{"GET", "/api/v1/nope", nil}, 404, 404, 404},
	}
	clients := []struct {
		name string
		c    *client
	}{{"admin", admin}, {"operator", operator}, {"employee", employee}}
	for _, tc := range cases {
		for i, cl := range clients {
			want := []int{tc.admin, tc.oper, tc.employ}[i]
			t.Run(tc.name+"/"+cl.name, func(t *testing.T) {
				cl.c.t = t
				got, body := cl.c.do(tc.r.method, tc.r.path, tc.r.body)
				if got != want {
					t.Fatalf("%s %s as %s = %d, want %d: %s", tc.r.method, tc.r.path, cl.name, got, want, body)
				}
				if got >= 400 {
					errorCode(t, body)
				}
			})
		}
	}

	t.Run("unauthenticated", func(t *testing.T) {
		anon := app.client("")
		for _, tc := range cases {
			if tc.name == "unknown endpoint" {
				continue
			}
			got, body := anon.do(tc.r.method, tc.r.path, tc.r.body)
			if got != 401 {
				t.Errorf("%s %s without session = %d, want 401: %s", tc.r.method, tc.r.path, got, body)
			}
		}
	})
}

// TestRoleLimitedToChannels: a custom role that sees all conversations, but
// only on one channel, gets 404 for the other channel's conversations.
func TestRoleLimitedToChannels(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	berlin, hamburg := app.channel("Berlin"), app.channel("Hamburg")
	inBerlin := app.customerWrites(berlin.ID, "4915100000101", "Bea Berlin", "moin")
	inHamburg := app.customerWrites(hamburg.ID, "4915100000102", "Hein Hamburg", "moin")

	var role struct{ ID string }
	admin.must(201, "POST", "/api/v1/roles", map[string]any{
		"name": "Berlin desk", "permissions": []string{"conversations.read_all", "conversations.reply", "conversations.assign"},
		"channel_ids": []string{berlin.ID},
	}, &role)
	desk, _ := app.createUser(admin, "desk", role.ID)
	_, emp := app.createUser(admin, "hamburger", "employee")

	var page struct{ Items []struct{ ID string } }
	desk.must(200, "GET", "/api/v1/conversations", nil, &page)
	if len(page.Items) != 1 || page.Items[0].ID != inBerlin.ID {
		t.Fatalf("channel-scoped list = %+v", page.Items)
	}
	desk.must(200, "GET", "/api/v1/conversations/"+inBerlin.ID, nil, nil)
	for _, req := range []struct{ method, path string }{
		{"GET", "/api/v1/conversations/" + inHamburg.ID},
		{"GET", "/api/v1/conversations/" + inHamburg.ID + "/messages"},
		{"PUT", "/api/v1/conversations/" + inHamburg.ID + "/assignees/" + emp.ID},
		{"GET", "/api/v1/channels/" + hamburg.ID},
	} {
		if got, body := desk.do(req.method, req.path, nil); got != 404 {
			t.Errorf("%s %s = %d, want 404: %s", req.method, req.path, got, body)
		}
	}
	// Assignees must be allowed on the channel: the Hamburg-only employee
	// role is unrestricted, so assigning works; a Berlin-limited user cannot
	// be assigned in Hamburg.
	deskUser := struct{ ID string }{}
	desk.must(200, "GET", "/api/v1/me", nil, &struct {
		User *struct{ ID string }
	}{User: &deskUser})
	if got, body := admin.do("PUT", "/api/v1/conversations/"+inHamburg.ID+"/assignees/"+deskUser.ID, nil); got != 400 {
		t.Fatalf("assigning a user whose role excludes the channel = %d %s", got, body)
	}
}
