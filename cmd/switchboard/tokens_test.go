package main

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboardhq/switchboard"
)

type tokenResp struct {
	Token struct {
		ID         string    `json:"id"`
		Name       string    `json:"name"`
		Scopes     []string  `json:"scopes"`
		LastUsedAt time.Time `json:"last_used_at"`
		LastUsedIP string    `json:"last_used_ip"`
		RevokedAt  time.Time `json:"revoked_at"`
	} `json:"token"`
	Secret string `json:"secret"`
}

type tokenList struct {
	Items []struct {
		ID         string    `json:"id"`
		Name       string    `json:"name"`
		LastUsedAt time.Time `json:"last_used_at"`
		LastUsedIP string    `json:"last_used_ip"`
		RevokedAt  time.Time `json:"revoked_at"`
	} `json:"items"`
}

// newPAT creates a personal access token as c and returns a client that
// uses it and the token's id.
func (a *testApp) newPAT(c *client, name string, scopes ...string) (*client, string) {
	a.t.Helper()
	var tr tokenResp
	c.must(201, "POST", "/api/v1/me/tokens", map[string]any{"name": name, "scopes": scopes}, &tr)
	return a.client(tr.Secret), tr.Token.ID
}

func myPermissions(t *testing.T, c *client) []string {
	t.Helper()
	var me struct {
		Role struct {
			Permissions []string `json:"permissions"`
		} `json:"role"`
	}
	c.must(200, "GET", "/api/v1/me", nil, &me)
	return me.Role.Permissions
}

// TestPersonalAccessToken: a token is shown once, acts as its owner
// narrowed to its scopes, records its last use, is audited by id, cannot
// mint tokens, and stops at once when revoked.
func TestPersonalAccessToken(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	ch := app.channel("Main")
	conv := app.customerWrites(ch.ID, "4915100000301", "Tara Token", "hello")

	var tr tokenResp
	admin.must(201, "POST", "/api/v1/me/tokens", map[string]any{
		"name": "CI export", "scopes": []string{"conversations.read_all", "conversations.assign"},
	}, &tr)
	if !strings.HasPrefix(tr.Secret, switchboard.APITokenPrefix) || len(tr.Secret) < 40 {
		t.Fatalf("secret = %q, want a long sbt_ token", tr.Secret)
	}
	tok := app.client(tr.Secret)
	if got := myPermissions(t, tok); !slices.Equal(got, []string{"conversations.read_all", "conversations.assign"}) {
		t.Errorf("token's permissions = %v, want its scopes", got)
	}
	tok.must(200, "GET", "/api/v1/conversations/"+conv.ID, nil, nil)
	// Not in the scopes although the owner may: refused.
	if got, body := tok.do("POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]string{"type": "text", "text": "hi"}); got != 403 {
		t.Errorf("reply without the reply scope = %d, want 403: %s", got, body)
	}
	if got, _ := tok.do("GET", "/api/v1/audit", nil); got != 403 {
		t.Errorf("audit without the audit scope = %d, want 403", got)
	}
	// A token cannot issue tokens or service accounts.
	if got, body := tok.do("POST", "/api/v1/me/tokens", map[string]any{"name": "child", "scopes": []string{"conversations.read_all"}}); got != 403 {
		t.Errorf("token minting a token = %d, want 403: %s", got, body)
	}
	// Nor sign its owner out everywhere or change their password.
	if got, _ := tok.do("DELETE", "/api/v1/sessions", nil); got != 403 {
		t.Errorf("token signing its owner out everywhere = %d, want 403", got)
	}
	if got, _ := tok.do("POST", "/api/v1/me/password", map[string]string{"current_password": testPassword, "new_password": testPassword + "-new"}); got != 403 {
		t.Errorf("token changing its owner's password = %d, want 403", got)
	}
	var me struct{ User struct{ ID string } }
	admin.must(200, "GET", "/api/v1/me", nil, &me)
	tok.must(200, "PUT", "/api/v1/conversations/"+conv.ID+"/assignees/"+me.User.ID, nil, nil)

	// The secret is never listed; last use is.
	code, body := admin.do("GET", "/api/v1/me/tokens", nil)
	if code != 200 || strings.Contains(string(body), tr.Secret) || strings.Contains(string(body), "hash") {
		t.Fatalf("list = %d %s: must not hold the secret or its hash", code, body)
	}
	var list tokenList
	admin.must(200, "GET", "/api/v1/me/tokens", nil, &list)
	if len(list.Items) != 1 || list.Items[0].LastUsedAt.IsZero() || list.Items[0].LastUsedIP != "127.0.0.1" {
		t.Errorf("list = %+v, want one token used from 127.0.0.1", list.Items)
	}

	// Every action is audited with the token's id.
	entries, _, err := app.Service.Store.AuditEntries(context.Background(), auditFilter("conversation.assign"))
	must(t, err)
	if len(entries) != 1 || entries[0].Detail["token_id"] != tr.Token.ID || entries[0].ActorID != me.User.ID {
		t.Errorf("assign audit = %+v, want the admin acting with token %s", entries, tr.Token.ID)
	}

	admin.must(204, "DELETE", "/api/v1/me/tokens/"+tr.Token.ID, nil, nil)
	if got, body := tok.do("GET", "/api/v1/me", nil); got != 401 {
		t.Fatalf("revoked token = %d, want 401: %s", got, body)
	}
	admin.must(200, "GET", "/api/v1/me/tokens", nil, &list)
	if len(list.Items) != 1 || list.Items[0].RevokedAt.IsZero() {
		t.Errorf("after revocation the list = %+v, want it marked revoked", list.Items)
	}
	// Unknown and foreign tokens look alike.
	other, _ := app.createUser(admin, "olga", "operator")
	_, otherID := app.newPAT(other, "theirs", "conversations.reply")
	for _, id := range []string{otherID, "0123456789abcdef0123456789abcdef", "nope"} {
		if got, _ := admin.do("DELETE", "/api/v1/me/tokens/"+id, nil); got != 404 {
			t.Errorf("revoke %s = %d, want 404", id, got)
		}
	}
}

// TestTokenScopesWithinRole: scopes wider than the owner's role are
// refused, and a role downgrade or deactivation narrows or ends the token
// at once.
func TestTokenScopesWithinRole(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	operator, opUser := app.createUser(admin, "olga", "operator")
	ch := app.channel("Main")
	foreign := app.customerWrites(ch.ID, "4915100000302", "Fritz", "hi")

	if got, body := operator.do("POST", "/api/v1/me/tokens", map[string]any{"name": "x", "scopes": []string{"users.manage"}}); got != 403 {
		t.Errorf("scope beyond the role = %d, want 403: %s", got, body)
	}
	for name, body := range map[string]map[string]any{
		"no scopes":     {"name": "x", "scopes": []string{}},
		"unknown scope": {"name": "x", "scopes": []string{"root"}},
		"no name":       {"name": "", "scopes": []string{"conversations.reply"}},
		"past expiry":   {"name": "x", "scopes": []string{"conversations.reply"}, "expires_at": "2001-01-01T00:00:00Z"},
		"far expiry":    {"name": "x", "scopes": []string{"conversations.reply"}, "expires_at": "2999-01-01T00:00:00Z"},
	} {
		if got, resp := operator.do("POST", "/api/v1/me/tokens", body); got != 400 {
			t.Errorf("%s = %d, want 400: %s", name, got, resp)
		}
	}
	tok, _ := app.newPAT(operator, "reader", "conversations.read_all", "conversations.reply")
	tok.must(200, "GET", "/api/v1/conversations/"+foreign.ID, nil, nil)

	// Down to employee: read_all is gone from the role, so from the token.
	admin.must(200, "PATCH", "/api/v1/users/"+opUser.ID, map[string]string{"role_id": "employee"}, nil)
	if got := myPermissions(t, tok); !slices.Equal(got, []string{"conversations.reply"}) {
		t.Errorf("after the downgrade the token has %v, want [conversations.reply]", got)
	}
	if got, _ := tok.do("GET", "/api/v1/conversations/"+foreign.ID, nil); got != 404 {
		t.Errorf("foreign conversation after the downgrade = %d, want 404", got)
	}
	admin.must(200, "PATCH", "/api/v1/users/"+opUser.ID, map[string]any{"active": false}, nil)
	if got, _ := tok.do("GET", "/api/v1/me", nil); got != 401 {
		t.Errorf("token of a deactivated user = %d, want 401", got)
	}
}

// TestTokenRateLimit: past its rate a token gets 429 with Retry-After;
// another token of the same user is not affected.
func TestTokenRateLimit(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	var tr tokenResp
	// One request a minute: the bucket holds one, and refills only after
	// a minute, so the second request is limited at any machine speed.
	admin.must(201, "POST", "/api/v1/me/tokens", map[string]any{"name": "slow", "scopes": []string{"users.read"}, "rate_per_minute": 1}, &tr)
	slow := app.client(tr.Secret)
	fast, _ := app.newPAT(admin, "fast", "users.read")
	slow.must(200, "GET", "/api/v1/users", nil, nil)

	req, _ := http.NewRequest("GET", app.URL+"/api/v1/users", nil)
	req.Header.Set("Authorization", "Bearer "+tr.Secret)
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != 429 {
		t.Fatalf("second request = %d, want 429", resp.StatusCode)
	}
	if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || secs < 1 || secs > 60 {
		t.Errorf("Retry-After = %q, want 1..60 seconds", resp.Header.Get("Retry-After"))
	}
	for range 3 {
		fast.must(200, "GET", "/api/v1/users", nil, nil)
	}
	if got, body := admin.do("POST", "/api/v1/me/tokens", map[string]any{"name": "x", "scopes": []string{"users.read"}, "rate_per_minute": 1e6}); got != 400 {
		t.Errorf("rate over the maximum = %d, want 400: %s", got, body)
	}
}

// TestServiceAccounts: an administrator creates a bot with a role, issues
// it tokens within that role and revokes them; the account has no
// password; people without users.manage cannot see or manage accounts.
func TestServiceAccounts(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	operator, _ := app.createUser(admin, "olga", "operator")
	ch := app.channel("Main")
	conv := app.customerWrites(ch.ID, "4915100000303", "Bo Bot", "hi")

	var sa struct {
		User        switchboard.User `json:"user"`
		Description string           `json:"description"`
	}
	admin.must(201, "POST", "/api/v1/service-accounts", map[string]string{
		"login": "faq-bot", "name": "FAQ bot", "role_id": "operator", "description": "answers the FAQ",
	}, &sa)
	if sa.User.Login != "faq-bot" || sa.User.RoleID != "operator" || !sa.User.Active || sa.Description != "answers the FAQ" {
		t.Fatalf("service account = %+v", sa)
	}
	var list struct {
		Items []struct{ User switchboard.User }
	}
	admin.must(200, "GET", "/api/v1/service-accounts", nil, &list)
	if len(list.Items) != 1 || list.Items[0].User.ID != sa.User.ID {
		t.Errorf("list = %+v", list.Items)
	}
	base := "/api/v1/service-accounts/" + sa.User.ID + "/tokens"
	if got, body := admin.do("POST", base, map[string]any{"name": "x", "scopes": []string{"users.manage"}}); got != 403 {
		t.Errorf("scope beyond the account's role = %d, want 403: %s", got, body)
	}
	var tr tokenResp
	admin.must(201, "POST", base, map[string]any{"name": "prod", "scopes": []string{"conversations.read_all", "conversations.reply"}}, &tr)
	bot := app.client(tr.Secret)
	bot.must(200, "GET", "/api/v1/conversations/"+conv.ID, nil, nil)
	bot.must(202, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]string{"type": "text", "text": "Our hours are 9 to 5."}, nil)
	var tl tokenList
	admin.must(200, "GET", base, nil, &tl)
	if len(tl.Items) != 1 || tl.Items[0].ID != tr.Token.ID {
		t.Errorf("account tokens = %+v", tl.Items)
	}

	// No password, no sign-in, and nobody may set one.
	if got, _ := app.client("").do("POST", "/api/v1/session", map[string]string{"login": "faq-bot", "password": testPassword}); got != 401 {
		t.Errorf("service account sign-in = %d, want 401", got)
	}
	if got, body := admin.do("PATCH", "/api/v1/users/"+sa.User.ID, map[string]string{"password": testPassword + "x"}); got != 400 {
		t.Errorf("password for a service account = %d, want 400: %s", got, body)
	}

	// An operator may not manage service accounts.
	for _, r := range []struct{ method, path string }{
		{"GET", "/api/v1/service-accounts"}, {"GET", base}, {"POST", base}, {"DELETE", base + "/" + tr.Token.ID},
	} {
		if got, _ := operator.do(r.method, r.path, map[string]any{"name": "x", "scopes": []string{"conversations.reply"}}); got != 403 {
			t.Errorf("operator %s %s = %d, want 403", r.method, r.path, got)
		}
	}
	if got, _ := operator.do("POST", "/api/v1/service-accounts", map[string]string{"login": "b2", "name": "B", "role_id": "employee"}); got != 403 {
		t.Errorf("operator creating a service account = %d, want 403", got)
	}

	admin.must(204, "DELETE", base+"/"+tr.Token.ID, nil, nil)
	if got, _ := bot.do("GET", "/api/v1/conversations", nil); got != 401 {
		t.Errorf("revoked bot token = %d, want 401", got)
	}
	if got, _ := admin.do("DELETE", "/api/v1/service-accounts/0123456789abcdef0123456789abcdef/tokens/"+tr.Token.ID, nil); got != 404 {
		t.Errorf("revoke under an unknown account = %d, want 404", got)
	}
}

// TestTokenRevocationEndsSocket: a WebSocket opened with a token closes
// when the token is revoked.
func TestTokenRevocationEndsSocket(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	tok, id := app.newPAT(admin, "socket", "conversations.read_all")
	s := app.subscribe(t, tok, 0)
	ch := app.channel("Main")
	conv := app.customerWrites(ch.ID, "4915100000304", "Wes Socket", "hallo")
	s.expect("message.created", conv.ID)
	admin.must(204, "DELETE", "/api/v1/me/tokens/"+id, nil, nil)
	for {
		select {
		case _, ok := <-s.events:
			if ok {
				continue // events published before the revocation
			}
		case <-time.After(15 * time.Second):
			t.Fatal("socket still open 15 s after the token was revoked")
		}
		break
	}
	if got := websocket.CloseStatus(s.err); got != websocket.StatusPolicyViolation {
		t.Errorf("socket closed with %v (%v), want %v", got, s.err, websocket.StatusPolicyViolation)
	}
	_, resp, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(app.URL, "http")+"/api/v1/events",
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + tok.token}}})
	if err == nil || resp == nil || resp.StatusCode != 401 {
		t.Errorf("reconnect with the revoked token: %v, want 401", err)
	}
}
