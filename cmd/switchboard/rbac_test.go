package main

import (
	"slices"
	"testing"

	"github.com/switchboardhq/switchboard"
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
	erika := app.login("erika")
	var shared, erikas struct{ ID string }
	admin.must(201, "POST", "/api/v1/canned-replies", map[string]any{"scope": "shared", "shortcut": "hi", "text": "Hi {{customer.name}}"}, &shared)
	erika.must(201, "POST", "/api/v1/canned-replies", map[string]any{"scope": "personal", "shortcut": "mine", "text": "Erika's"}, &erikas)
	var tier struct{ ID string }
	admin.must(201, "POST", "/api/v1/contact-attributes", map[string]any{"name": "Tier", "type": "list", "options": []string{"Gold", "Silver"}}, &tier)
	const missing = "0123456789abcdef0123456789abcdef"
	var team struct{ ID string }
	admin.must(201, "POST", "/api/v1/teams", map[string]any{"name": "Desk", "member_ids": []string{otherUser.ID}}, &team)
	var label struct{ ID string }
	admin.must(201, "POST", "/api/v1/labels", map[string]any{"name": "VIP", "color": "#aa0000"}, &label)

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
		{"list teams", req{"GET", "/api/v1/teams", nil}, 200, 200, 403},
		{"create team", req{"POST", "/api/v1/teams", map[string]any{"name": "T-x"}}, 201, 403, 403},
		{"update team", req{"PUT", "/api/v1/teams/" + team.ID, map[string]any{"name": "Desk", "member_ids": []string{otherUser.ID}}}, 200, 403, 403},
		{"delete missing team", req{"DELETE", "/api/v1/teams/" + missing, nil}, 404, 403, 403},
		{"set own availability", req{"PUT", "/api/v1/me/availability", map[string]any{"availability": "away"}}, 200, 200, 200},
		{"team of assigned", req{"PUT", "/api/v1/conversations/" + mine.ID + "/team", map[string]any{"team_id": ""}}, 200, 200, 403},
		{"team of foreign", req{"PUT", "/api/v1/conversations/" + foreign.ID + "/team", map[string]any{"team_id": ""}}, 200, 200, 404},
		{"channel routing", req{"GET", "/api/v1/channels/" + ch.ID + "/routing", nil}, 200, 403, 403},
		{"change channel routing", req{"PUT", "/api/v1/channels/" + ch.ID + "/routing", map[string]any{"mode": "off", "team_ids": []string{}, "role_ids": []string{}, "capacity": 0, "reoffer_minutes": 0}}, 200, 403, 403},
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
		{"note in assigned", req{"POST", "/api/v1/conversations/" + mine.ID + "/notes", map[string]any{"text": "internal"}}, 201, 201, 201},
		{"note in foreign", req{"POST", "/api/v1/conversations/" + foreign.ID + "/notes", map[string]any{"text": "internal"}}, 201, 201, 404},
		{"mentionable in assigned", req{"GET", "/api/v1/conversations/" + mine.ID + "/mentionable", nil}, 200, 200, 200},
		{"mentionable in foreign", req{"GET", "/api/v1/conversations/" + foreign.ID + "/mentionable", nil}, 200, 200, 404},
		{"dismiss a mention one does not have", req{"DELETE", "/api/v1/conversations/" + mine.ID + "/mention", nil}, 404, 404, 404},
		{"dismiss in foreign", req{"DELETE", "/api/v1/conversations/" + foreign.ID + "/mention", nil}, 404, 404, 404},
		{"own mentions", req{"GET", "/api/v1/mentions", nil}, 200, 200, 200},
		{"read a mention one does not have", req{"POST", "/api/v1/conversations/" + mine.ID + "/mention/read", nil}, 404, 404, 404},
		{"read a mention in foreign", req{"POST", "/api/v1/conversations/" + foreign.ID + "/mention/read", nil}, 404, 404, 404},
		{"contact panel of assigned", req{"GET", "/api/v1/conversations/" + mine.ID + "/contact", nil}, 200, 200, 200},
		{"contact panel of foreign", req{"GET", "/api/v1/conversations/" + foreign.ID + "/contact", nil}, 200, 200, 404},
		{"contact panel of missing", req{"GET", "/api/v1/conversations/" + missing + "/contact", nil}, 404, 404, 404},
		{"contact note in assigned", req{"POST", "/api/v1/conversations/" + mine.ID + "/contact/notes", map[string]any{"text": "VIP"}}, 201, 201, 201},
		{"contact note in foreign", req{"POST", "/api/v1/conversations/" + foreign.ID + "/contact/notes", map[string]any{"text": "VIP"}}, 201, 201, 404},
		{"delete missing contact note", req{"DELETE", "/api/v1/conversations/" + mine.ID + "/contact/notes/" + missing, nil}, 404, 404, 404},
		{"set attributes in assigned", req{"PUT", "/api/v1/conversations/" + mine.ID + "/contact/attributes", map[string]any{"values": map[string]string{tier.ID: "Gold"}}}, 200, 200, 403},
		{"set attributes in foreign", req{"PUT", "/api/v1/conversations/" + foreign.ID + "/contact/attributes", map[string]any{"values": map[string]string{tier.ID: "Gold"}}}, 200, 200, 404},
		{"set an attribute to a non-option", req{"PUT", "/api/v1/conversations/" + mine.ID + "/contact/attributes", map[string]any{"values": map[string]string{tier.ID: "Bronze"}}}, 400, 400, 403},
		{"list attributes", req{"GET", "/api/v1/contact-attributes", nil}, 200, 200, 200},
		{"create attribute", req{"POST", "/api/v1/contact-attributes", map[string]any{"name": "x", "type": "colour"}}, 400, 403, 403},
		{"update attribute", req{"PUT", "/api/v1/contact-attributes/" + tier.ID, map[string]any{"name": "Tier", "options": []string{"Gold", "Silver"}}}, 200, 403, 403},
		{"delete missing attribute", req{"DELETE", "/api/v1/contact-attributes/" + missing, nil}, 404, 403, 403},
		{"list canned replies", req{"GET", "/api/v1/canned-replies?q=h", nil}, 200, 200, 200},
		{"create personal canned reply", req{"POST", "/api/v1/canned-replies", map[string]any{"scope": "personal", "shortcut": "mine", "text": "x"}}, 201, 201, 201},
		{"create shared canned reply", req{"POST", "/api/v1/canned-replies", map[string]any{"scope": "shared", "shortcut": "x", "text": "{{nope}}"}}, 400, 400, 403},
		{"get shared canned reply", req{"GET", "/api/v1/canned-replies/" + shared.ID, nil}, 200, 200, 200},
		{"update shared canned reply", req{"PUT", "/api/v1/canned-replies/" + shared.ID, map[string]any{"shortcut": "hi", "text": "Hello {{agent.name}}"}}, 200, 200, 403},
		{"delete shared canned reply unknown", req{"DELETE", "/api/v1/canned-replies/" + missing, nil}, 404, 404, 404},
		{"get another user's canned reply", req{"GET", "/api/v1/canned-replies/" + erikas.ID, nil}, 404, 404, 404},
		{"update another user's canned reply", req{"PUT", "/api/v1/canned-replies/" + erikas.ID, map[string]any{"shortcut": "x", "text": "x"}}, 404, 404, 404},
		{"delete another user's canned reply", req{"DELETE", "/api/v1/canned-replies/" + erikas.ID, nil}, 404, 404, 404},
		{"render in assigned", req{"GET", "/api/v1/conversations/" + mine.ID + "/canned-replies/" + shared.ID + "/render", nil}, 200, 200, 200},
		{"render in foreign", req{"GET", "/api/v1/conversations/" + foreign.ID + "/canned-replies/" + shared.ID + "/render", nil}, 200, 200, 404},
		{"render another user's reply", req{"GET", "/api/v1/conversations/" + mine.ID + "/canned-replies/" + erikas.ID + "/render", nil}, 404, 404, 404},
		{"draft in assigned", req{"PUT", "/api/v1/conversations/" + mine.ID + "/draft", map[string]any{"text": "draft"}}, 200, 200, 200},
		{"draft in foreign", req{"PUT", "/api/v1/conversations/" + foreign.ID + "/draft", map[string]any{"text": "draft"}}, 200, 200, 404},
		{"read draft in foreign", req{"GET", "/api/v1/conversations/" + foreign.ID + "/draft", nil}, 200, 200, 404},
		{"composer activity in assigned", req{"POST", "/api/v1/conversations/" + mine.ID + "/composer-activity", map[string]any{"kind": "reply"}}, 204, 204, 204},
		{"composer activity in foreign", req{"POST", "/api/v1/conversations/" + foreign.ID + "/composer-activity", map[string]any{"kind": "note"}}, 204, 204, 404},
		{"search messages", req{"GET", "/api/v1/search/messages?q=hello", nil}, 200, 200, 200},
		{"list labels", req{"GET", "/api/v1/labels", nil}, 200, 200, 200},
		{"create label", req{"POST", "/api/v1/labels", map[string]any{"name": "", "color": "#aa0000"}}, 400, 400, 403},
		{"update label", req{"PUT", "/api/v1/labels/" + label.ID, map[string]any{"name": "VIP", "color": "#bb0000"}}, 200, 200, 403},
		{"delete missing label", req{"DELETE", "/api/v1/labels/" + missing, nil}, 404, 404, 403},
		{"label assigned", req{"PUT", "/api/v1/conversations/" + mine.ID + "/labels/" + label.ID, nil}, 200, 200, 200},
		{"label foreign", req{"PUT", "/api/v1/conversations/" + foreign.ID + "/labels/" + label.ID, nil}, 200, 200, 404},
		{"unlabel foreign", req{"DELETE", "/api/v1/conversations/" + foreign.ID + "/labels/" + label.ID, nil}, 200, 200, 404},
		{"bulk label", req{"POST", "/api/v1/conversations/bulk", map[string]any{"ids": []string{foreign.ID}, "action": "label", "label_id": label.ID}}, 200, 200, 200},
		{"list own views", req{"GET", "/api/v1/me/views", nil}, 200, 200, 200},
		{"create view", req{"POST", "/api/v1/me/views", map[string]any{"name": "", "filter": map[string]any{}}}, 400, 400, 400},
		{"rename missing view", req{"PATCH", "/api/v1/me/views/" + missing, map[string]any{"name": "x"}}, 404, 404, 404},
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

// TestRBACChannelLimitedManagers: custom roles limited to one number that
// hold users.manage, roles.manage, channels.manage, audit.read or
// privacy.manage never reach beyond what they hold themselves (issue 14,
// High 1 and 2): no user or role with more permissions or more channels
// than the actor's, no edits of the actor's own role, no "all channels" by
// removing the last channel, and the last active administrator stays.
func TestRBACChannelLimitedManagers(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	var adminMe struct{ User struct{ ID string } }
	admin.must(200, "GET", "/api/v1/me", nil, &adminMe)
	chA, chB := app.channel("A"), app.channel("B")
	convA := app.customerWrites(chA.ID, "4915100000201", "Anna A", "hallo")

	newRole := func(name string, perms []string, channels ...string) string {
		var r struct{ ID string }
		body := map[string]any{"name": name, "permissions": perms, "channel_ids": channels}
		if len(channels) == 0 {
			body = map[string]any{"name": name, "permissions": perms, "all_channels": true}
		}
		admin.must(201, "POST", "/api/v1/roles", body, &r)
		return r.ID
	}
	deskA := newRole("Desk A", []string{"conversations.read_all", "conversations.reply"}, chA.ID)
	deskB := newRole("Desk B", []string{"conversations.read_all", "conversations.reply"}, chB.ID)
	usersB := newRole("Users B", []string{"users.manage", "users.read", "conversations.read_all", "conversations.reply"}, chB.ID)
	rolesB := newRole("Roles B", []string{"roles.manage", "conversations.reply"}, chB.ID)
	channelsB := newRole("Channels B", []string{"channels.manage"}, chB.ID)
	auditB := newRole("Audit B", []string{"audit.read"}, chB.ID)
	privacyB := newRole("Privacy B", []string{"privacy.manage", "conversations.read_all"}, chB.ID)
	// Super holds every permission of the catalogue on all channels, as the
	// administrator does.
	var every []string
	for _, p := range switchboard.Permissions() {
		every = append(every, string(p))
	}
	super := newRole("Super", every)

	um, _ := app.createUser(admin, "um-b", usersB)
	rm, _ := app.createUser(admin, "rm-b", rolesB)
	cm, _ := app.createUser(admin, "cm-b", channelsB)
	am, _ := app.createUser(admin, "am-b", auditB)
	pm, _ := app.createUser(admin, "pm-b", privacyB)
	_, deskBUser := app.createUser(admin, "desk-b", deskB)
	_, deskAUser := app.createUser(admin, "desk-a", deskA)
	var rmOwn struct{ ID string }
	rm.must(201, "POST", "/api/v1/roles", map[string]any{"name": "Reply B", "permissions": []string{"conversations.reply"}, "channel_ids": []string{chB.ID}}, &rmOwn)

	newUser := func(login, role string) map[string]string {
		return map[string]string{"login": login, "name": "N", "role_id": role, "password": testPassword}
	}
	cases := []struct {
		name   string
		c      *client
		method string
		path   string
		body   any
		want   int
	}{
		// users.manage limited to B.
		{"users.manage creates an admin", um, "POST", "/api/v1/users", newUser("evil-admin", "admin"), 403},
		{"users.manage creates an all-channel employee", um, "POST", "/api/v1/users", newUser("evil-emp", "employee"), 403},
		{"users.manage creates a user on another number", um, "POST", "/api/v1/users", newUser("evil-a", deskA), 403},
		{"users.manage creates a user with a broader role", um, "POST", "/api/v1/users", newUser("evil-rm", rolesB), 403},
		{"users.manage creates a user within its scope", um, "POST", "/api/v1/users", newUser("ok-b", deskB), 201},
		{"users.manage creates a user with its own role", um, "POST", "/api/v1/users", newUser("ok-um", usersB), 201},
		{"users.manage resets the admin's password", um, "PATCH", "/api/v1/users/" + adminMe.User.ID, map[string]string{"password": "another horse battery staple"}, 403},
		{"users.manage deactivates the admin", um, "PATCH", "/api/v1/users/" + adminMe.User.ID, map[string]any{"active": false}, 403},
		{"users.manage renames a user on another number", um, "PATCH", "/api/v1/users/" + deskAUser.ID, map[string]string{"name": "X"}, 403},
		{"users.manage promotes a user to admin", um, "PATCH", "/api/v1/users/" + deskBUser.ID, map[string]string{"role_id": "admin"}, 403},
		{"users.manage moves a user to another number", um, "PATCH", "/api/v1/users/" + deskBUser.ID, map[string]string{"role_id": deskA}, 403},
		{"users.manage renames a user within its scope", um, "PATCH", "/api/v1/users/" + deskBUser.ID, map[string]string{"name": "Bernd"}, 200},
		// roles.manage limited to B.
		{"roles.manage edits its own role", rm, "PATCH", "/api/v1/roles/" + rolesB, map[string]any{"permissions": []string{"roles.manage", "users.manage"}, "all_channels": true}, 403},
		{"roles.manage renames its own role", rm, "PATCH", "/api/v1/roles/" + rolesB, map[string]any{"description": "mine"}, 403},
		{"roles.manage creates a role with permissions it lacks", rm, "POST", "/api/v1/roles", map[string]any{"name": "R1", "permissions": []string{"privacy.manage"}, "channel_ids": []string{chB.ID}}, 403},
		{"roles.manage creates a role on another number", rm, "POST", "/api/v1/roles", map[string]any{"name": "R2", "permissions": []string{"conversations.reply"}, "channel_ids": []string{chA.ID}}, 403},
		{"roles.manage creates an all-channel role", rm, "POST", "/api/v1/roles", map[string]any{"name": "R3", "permissions": []string{"conversations.reply"}, "all_channels": true}, 403},
		{"roles.manage edits a broader role", rm, "PATCH", "/api/v1/roles/" + deskB, map[string]any{"description": "x"}, 403},
		{"roles.manage deletes a broader role", rm, "DELETE", "/api/v1/roles/" + super, nil, 403},
		{"roles.manage widens a role it may edit", rm, "PATCH", "/api/v1/roles/" + rmOwn.ID, map[string]any{"permissions": []string{"conversations.reply", "audit.read"}}, 403},
		{"removing the last channel is refused", rm, "PATCH", "/api/v1/roles/" + rmOwn.ID, map[string]any{"channel_ids": []string{}}, 400},
		{"roles.manage edits a role within its scope", rm, "PATCH", "/api/v1/roles/" + rmOwn.ID, map[string]any{"description": "ok"}, 200},
		// channels.manage, audit.read, privacy.manage limited to B.
		{"channels.manage adds a number outside its scope", cm, "POST", "/api/v1/channels", map[string]string{
			"name": "Mine", "phone_number_id": "123456789", "access_token": "token-123456", "app_secret": "secret-123456"}, 403},
		{"channels.manage reads another number", cm, "GET", "/api/v1/channels/" + chA.ID, nil, 404},
		{"channels.manage changes another number", cm, "PATCH", "/api/v1/channels/" + chA.ID, map[string]any{"name": "Mine"}, 404},
		{"audit.read reads the log", am, "GET", "/api/v1/audit", nil, 200},
		{"audit.read manages no users", am, "POST", "/api/v1/users", newUser("evil-am", auditB), 403},
		{"privacy.manage exports a contact on another number", pm, "GET", "/api/v1/contacts/" + convA.Contact.ID + "/export", nil, 404},
		{"privacy.manage erases a contact on another number", pm, "DELETE", "/api/v1/contacts/" + convA.Contact.ID, nil, 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.c.t = t
			got, body := tc.c.do(tc.method, tc.path, tc.body)
			if got != tc.want {
				t.Fatalf("%s %s = %d, want %d: %s", tc.method, tc.path, got, tc.want, body)
			}
			if got >= 400 {
				errorCode(t, body)
			}
		})
	}

	t.Run("the admin's password is unchanged", func(t *testing.T) {
		app.t = t
		app.login("admin")
	})

	t.Run("the last active administrator stays", func(t *testing.T) {
		sup, _ := app.createUser(admin, "super", super)
		sup.t = t
		for _, body := range []map[string]any{{"active": false}, {"role_id": "operator"}} {
			if got, b := sup.do("PATCH", "/api/v1/users/"+adminMe.User.ID, body); got != 409 {
				t.Errorf("PATCH %v on the last admin = %d, want 409: %s", body, got, b)
			}
		}
		_, second := app.createUser(admin, "second-admin", "admin")
		sup.must(200, "PATCH", "/api/v1/users/"+second.ID, map[string]any{"role_id": "operator"}, nil)
	})
}

// TestRBACChannelLimitedReaders: channel limits apply to users.read, role
// listing and audit.read (issue 14, Low 15). A reader limited to number B
// lists users and roles that work on B (including roles for all
// channels), never those only of number A (404 when fetched); an auditor
// limited to B sees their own actions and entries about B's
// conversations, channel and B-only users and roles, nothing about A, and
// cannot verify the chain, which spans every channel.
func TestRBACChannelLimitedReaders(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	chA, chB := app.channel("A"), app.channel("B")
	convA := app.customerWrites(chA.ID, "4915100000301", "Anna A", "hallo")
	convB := app.customerWrites(chB.ID, "4915100000302", "Bert B", "hallo")
	newRole := func(name string, perms []string, channel string) string {
		var r struct{ ID string }
		admin.must(201, "POST", "/api/v1/roles", map[string]any{"name": name, "permissions": perms, "channel_ids": []string{channel}}, &r)
		return r.ID
	}
	deskA := newRole("Desk A", []string{"conversations.read_all", "conversations.reply"}, chA.ID)
	deskB := newRole("Desk B", []string{"conversations.read_all", "conversations.reply"}, chB.ID)
	readerB := newRole("Reader B", []string{"users.read", "conversations.read_all"}, chB.ID)
	auditB := newRole("Audit B", []string{"audit.read"}, chB.ID)
	_, deskAUser := app.createUser(admin, "desk-a", deskA)
	_, deskBUser := app.createUser(admin, "desk-b", deskB)
	reader, readerUser := app.createUser(admin, "reader-b", readerB)
	auditor, auditorUser := app.createUser(admin, "audit-b", auditB)
	admin.must(200, "PUT", "/api/v1/conversations/"+convA.ID+"/assignees/"+deskAUser.ID, nil, nil)
	admin.must(200, "PUT", "/api/v1/conversations/"+convB.ID+"/assignees/"+deskBUser.ID, nil, nil)

	ids := func(c *client, path string) map[string]bool {
		var p struct{ Items []struct{ ID string } }
		c.must(200, "GET", path, nil, &p)
		m := map[string]bool{}
		for _, it := range p.Items {
			m[it.ID] = true
		}
		return m
	}
	t.Run("users.read", func(t *testing.T) {
		reader.t = t
		users := ids(reader, "/api/v1/users?limit=200")
		if users[deskAUser.ID] || !users[deskBUser.ID] || !users[readerUser.ID] {
			t.Errorf("users a reader of B lists: %v; want desk-b and themselves, not desk-a", users)
		}
		if code, _ := reader.do("GET", "/api/v1/users/"+deskAUser.ID, nil); code != 404 {
			t.Errorf("GET a user of A: %d, want 404", code)
		}
		reader.must(200, "GET", "/api/v1/users/"+deskBUser.ID, nil, nil)
	})
	t.Run("roles", func(t *testing.T) {
		reader.t = t
		roles := ids(reader, "/api/v1/roles")
		if roles[deskA] || !roles[deskB] || !roles[readerB] || !roles["employee"] {
			t.Errorf("roles a reader of B lists: %v; want Desk B, their own and the all-channel roles, not Desk A", roles)
		}
		if code, _ := reader.do("GET", "/api/v1/roles/"+deskA, nil); code != 404 {
			t.Errorf("GET role Desk A: %d, want 404", code)
		}
	})
	t.Run("audit.read", func(t *testing.T) {
		auditor.t = t
		// Full access first: the entries exist.
		var all, mine struct {
			Items []switchboard.AuditEntry
		}
		admin.must(200, "GET", "/api/v1/audit?limit=200", nil, &all)
		auditor.must(200, "GET", "/api/v1/audit?limit=200", nil, &mine)
		has := func(entries []switchboard.AuditEntry, action, object string) bool {
			return slices.ContainsFunc(entries, func(e switchboard.AuditEntry) bool { return e.Action == action && e.ObjectID == object })
		}
		for _, want := range []struct{ action, object string }{
			{"conversation.assign", convA.ID}, {"conversation.assign", convB.ID},
			{"user.create", deskAUser.ID}, {"user.create", deskBUser.ID}, {"role.create", deskA}, {"role.create", deskB},
		} {
			if !has(all.Items, want.action, want.object) {
				t.Fatalf("the administrator does not see %s %s", want.action, want.object)
			}
		}
		for _, e := range mine.Items {
			if e.ActorID == auditorUser.ID {
				continue
			}
			if e.ObjectID == convA.ID || e.ObjectID == deskAUser.ID || e.ObjectID == deskA || e.ObjectID == chA.ID {
				t.Errorf("the auditor of B sees an entry about A: %+v", e)
			}
			if e.ObjectType == "session" || (e.ObjectType == "user" && e.ObjectID != deskBUser.ID && e.ObjectID != readerUser.ID && e.ObjectID != auditorUser.ID) {
				t.Errorf("the auditor of B sees an entry about a user outside B: %+v", e)
			}
		}
		for _, want := range []struct{ action, object string }{
			{"conversation.assign", convB.ID}, {"user.create", deskBUser.ID}, {"role.create", deskB}, {"session.login", auditorUser.ID},
		} {
			if !has(mine.Items, want.action, want.object) {
				t.Errorf("the auditor of B does not see %s %s", want.action, want.object)
			}
		}
		if code, body := auditor.do("POST", "/api/v1/audit/verify", nil); code != 403 {
			t.Errorf("a channel-limited auditor verifies the chain: %d %s, want 403", code, body)
		}
		admin.must(200, "POST", "/api/v1/audit/verify", nil, nil)
	})
}

// TestRBACTokensNarrowerThanOwner runs the matrix for API tokens whose
// scopes are narrower than their owner's role: each token may do only
// what its scopes and its owner's role both grant, and objects outside
// that are 404 exactly as for a person without the permission.
func TestRBACTokensNarrowerThanOwner(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	operator, opUser := app.createUser(admin, "olga", "operator")
	_, empUser := app.createUser(admin, "emil", "employee")
	ch := app.channel("Berlin")
	assigned := app.customerWrites(ch.ID, "4915100000401", "Anna Assigned", "hello")
	foreign := app.customerWrites(ch.ID, "4915100000402", "Fritz Foreign", "hi")
	admin.must(200, "PUT", "/api/v1/conversations/"+assigned.ID+"/assignees/"+opUser.ID, nil, nil)

	// An administrator's read-only token, an operator's reply-only token
	// (the operator sees everything; the token only what it is assigned),
	// and an administrator's user-directory token.
	adminRead, _ := app.newPAT(admin, "reader", "conversations.read_all")
	opReply, _ := app.newPAT(operator, "replier", "conversations.reply")
	adminUsers, _ := app.newPAT(admin, "directory", "users.read")

	type req struct {
		method, path string
		body         any
	}
	text := map[string]string{"type": "text", "text": "hi"}
	cases := []struct {
		name                         string
		r                            req
		adminRead, opReply, adminDir int
	}{
		{"me", req{"GET", "/api/v1/me", nil}, 200, 200, 200},
		{"list users", req{"GET", "/api/v1/users", nil}, 403, 403, 200},
		{"get other user", req{"GET", "/api/v1/users/" + empUser.ID, nil}, 404, 404, 200},
		{"create user", req{"POST", "/api/v1/users", map[string]string{"login": "x-new", "name": "X", "role_id": "employee", "password": testPassword}}, 403, 403, 403},
		{"create role", req{"POST", "/api/v1/roles", map[string]any{"name": "R-x", "permissions": []string{}}}, 403, 403, 403},
		{"list conversations", req{"GET", "/api/v1/conversations", nil}, 200, 200, 200},
		{"get assigned conversation", req{"GET", "/api/v1/conversations/" + assigned.ID, nil}, 200, 200, 404},
		{"get foreign conversation", req{"GET", "/api/v1/conversations/" + foreign.ID, nil}, 200, 404, 404},
		{"reply in assigned", req{"POST", "/api/v1/conversations/" + assigned.ID + "/messages", text}, 403, 202, 404},
		{"reply in foreign", req{"POST", "/api/v1/conversations/" + foreign.ID + "/messages", text}, 403, 404, 404},
		{"close assigned", req{"PATCH", "/api/v1/conversations/" + assigned.ID, map[string]string{"status": "open"}}, 403, 403, 404},
		{"assign in foreign", req{"PUT", "/api/v1/conversations/" + foreign.ID + "/assignees/" + empUser.ID, nil}, 403, 404, 404},
		{"audit", req{"GET", "/api/v1/audit", nil}, 403, 403, 403},
		{"list service accounts", req{"GET", "/api/v1/service-accounts", nil}, 403, 403, 403},
		{"mint a token", req{"POST", "/api/v1/me/tokens", map[string]any{"name": "child", "scopes": []string{"conversations.reply"}}}, 403, 403, 403},
	}
	clients := []struct {
		name string
		c    *client
	}{{"admin read-only token", adminRead}, {"operator reply-only token", opReply}, {"admin users.read token", adminUsers}}
	for _, tc := range cases {
		for i, cl := range clients {
			want := []int{tc.adminRead, tc.opReply, tc.adminDir}[i]
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
	// The owners themselves still may: the tokens are narrower, not the roles.
	admin.must(200, "GET", "/api/v1/audit", nil, nil)
	operator.must(200, "GET", "/api/v1/conversations/"+foreign.ID, nil, nil)
}

// TestRBACMentionGrantsRead: a note's mention lets an employee who is not
// assigned read the conversation (one, list, history, media of it) but not
// act on it (reply, close, assign: 403, as they know it exists), and write
// notes in it; a user whose role does not allow the channel cannot be
// mentioned; dismissing the mention, or closing the conversation, takes the
// access away again (404, like a missing conversation).
func TestRBACMentionGrantsRead(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	operator, _ := app.createUser(admin, "olga", "operator")
	employee, empUser := app.createUser(admin, "emil", "employee")
	bystander, _ := app.createUser(admin, "erika", "employee")
	berlin, hamburg := app.channel("Berlin"), app.channel("Hamburg")
	var role struct{ ID string }
	admin.must(201, "POST", "/api/v1/roles", map[string]any{"name": "Hamburg desk",
		"permissions": []string{"conversations.reply"}, "channel_ids": []string{hamburg.ID}}, &role)
	_, hamUser := app.createUser(admin, "hein", role.ID)
	conv := app.customerWrites(berlin.ID, "4915100000201", "Mia Mention", "hello")
	path := "/api/v1/conversations/" + conv.ID

	employee.must(404, "GET", path, nil, nil)
	var who struct{ Items []struct{ ID string } }
	operator.must(200, "GET", path+"/mentionable?q=he", nil, &who)
	if len(who.Items) != 0 {
		t.Fatalf("mentionable ?q=he = %+v: the Hamburg-only user may not be offered in Berlin", who.Items)
	}
	operator.must(400, "POST", path+"/notes", map[string]any{"text": "@hein", "mentions": []string{hamUser.ID}}, nil)
	operator.must(201, "POST", path+"/notes", map[string]any{"text": "@emil please look", "mentions": []string{empUser.ID}}, nil)

	for _, r := range []struct{ method, path string }{{"GET", path}, {"GET", path + "/messages"}, {"GET", path + "/mentionable"}} {
		if got, body := employee.do(r.method, r.path, nil); got != 200 {
			t.Errorf("mentioned: %s %s = %d, want 200: %s", r.method, r.path, got, body)
		}
		if got, _ := bystander.do(r.method, r.path, nil); got != 404 {
			t.Errorf("not mentioned: %s %s = %d, want 404", r.method, r.path, got)
		}
	}
	var list struct{ Items []struct{ ID string } }
	employee.must(200, "GET", "/api/v1/conversations", nil, &list)
	if len(list.Items) != 1 || list.Items[0].ID != conv.ID {
		t.Fatalf("mentioned employee's list = %+v", list.Items)
	}
	var mentions struct {
		Items []struct {
			ConversationID string `json:"conversation_id"`
		}
	}
	employee.must(200, "GET", "/api/v1/mentions", nil, &mentions)
	if len(mentions.Items) != 1 || mentions.Items[0].ConversationID != conv.ID {
		t.Fatalf("mentions = %+v", mentions.Items)
	}
	for _, r := range []struct {
		method, path string
		body         any
	}{
		{"POST", path + "/messages", map[string]string{"type": "text", "text": "hi"}},
		{"PATCH", path, map[string]string{"status": "closed"}},
		{"PUT", path + "/assignees/" + empUser.ID, nil},
	} {
		if got, body := employee.do(r.method, r.path, r.body); got != 403 {
			t.Errorf("mentioned: %s %s = %d, want 403: %s", r.method, r.path, got, body)
		}
	}
	employee.must(201, "POST", path+"/notes", map[string]any{"text": "on it"}, nil)

	employee.must(204, "DELETE", path+"/mention", nil, nil)
	employee.must(404, "GET", path, nil, nil)
	employee.must(404, "DELETE", path+"/mention", nil, nil)

	// Closing the conversation ends a mention too.
	operator.must(201, "POST", path+"/notes", map[string]any{"text": "@emil again", "mentions": []string{empUser.ID}}, nil)
	employee.must(200, "GET", path, nil, nil)
	operator.must(200, "PATCH", path, map[string]string{"status": "closed"}, nil)
	employee.must(404, "GET", path, nil, nil)
}
