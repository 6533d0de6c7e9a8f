package main

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/emulator"
)

// bearer adds an Authorization header to every request of the MCP client.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// mcpConnect connects the SDK's MCP client to the app's /mcp over real
// HTTP with token.
func (a *testApp) mcpConnect(t *testing.T, token string) (*mcp.ClientSession, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	c := mcp.NewClient(&mcp.Implementation{Name: "switchboard-test", Version: "1"}, nil)
	tr := &mcp.StreamableClientTransport{
		Endpoint:             a.URL + "/mcp",
		HTTPClient:           &http.Client{Timeout: 20 * time.Second, Transport: bearer{token: token, next: http.DefaultTransport}},
		DisableStandaloneSSE: true,
		MaxRetries:           -1,
	}
	s, err := c.Connect(ctx, tr, nil)
	if err == nil {
		t.Cleanup(func() { s.Close() })
	}
	return s, err
}

func callTool(t *testing.T, s *mcp.ClientSession, name string, args any, out any) *mcp.CallToolResult {
	t.Helper()
	res, err := s.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if out != nil && !res.IsError {
		b, _ := json.Marshal(res.StructuredContent)
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s: decode %s: %v", name, b, err)
		}
	}
	return res
}

func toolText(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, " ")
}

// TestMCPServer drives /mcp with the official SDK's client over HTTP: the
// tools list, search, read, reply and assign through the service layer
// with the token's scopes, the history resource reads, every call is
// audited with the token id, and a token without the reply scope, a
// foreign conversation, a session token and a revoked token are refused.
func TestMCPServer(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	operator, opUser := app.createUser(admin, "olga", "operator")
	ch := app.channel("Main")
	conv := app.customerWrites(ch.ID, "4915100000501", "Mara MCP", "where is my parcel?")
	other := app.customerWrites(ch.ID, "4915100000502", "Otto Other", "hi")

	var tr tokenResp
	admin.must(201, "POST", "/api/v1/me/tokens", map[string]any{"name": "assistant", "scopes": []string{
		"conversations.read_all", "conversations.reply", "conversations.assign", "users.read",
	}}, &tr)
	s, err := app.mcpConnect(t, tr.Secret)
	if err != nil {
		t.Fatal(err)
	}
	tools, err := s.ListTools(context.Background(), nil)
	must(t, err)
	var names []string
	for _, tl := range tools.Tools {
		names = append(names, tl.Name)
	}
	slices.Sort(names)
	if want := []string{"add_note", "assign", "hand_off", "list_conversations", "list_templates", "list_users", "read_conversation", "reply", "report_failure", "search_conversations", "search_messages", "send_template", "suggest_reply"}; !slices.Equal(names, want) {
		t.Errorf("tools = %v, want %v", names, want)
	}

	var list struct {
		Conversations []switchboard.Conversation `json:"conversations"`
	}
	callTool(t, s, "list_conversations", map[string]any{}, &list)
	if len(list.Conversations) != 2 {
		t.Errorf("list_conversations = %d conversations, want 2", len(list.Conversations))
	}
	callTool(t, s, "search_conversations", map[string]any{"query": "Mara"}, &list)
	if len(list.Conversations) != 1 || list.Conversations[0].ID != conv.ID {
		t.Errorf("search_conversations(Mara) = %+v, want only %s", list.Conversations, conv.ID)
	}
	var read struct {
		Conversation switchboard.Conversation `json:"conversation"`
		Messages     []switchboard.Message    `json:"messages"`
	}
	callTool(t, s, "read_conversation", map[string]any{"conversation_id": conv.ID}, &read)
	if read.Conversation.ID != conv.ID || len(read.Messages) != 1 || read.Messages[0].Content.Text != "where is my parcel?" {
		t.Errorf("read_conversation = %+v", read)
	}
	var reply struct{ Message switchboard.Message }
	res := callTool(t, s, "reply", map[string]any{"conversation_id": conv.ID, "text": "It arrives tomorrow."}, &reply)
	if res.IsError || reply.Message.Status != switchboard.MessagePending || reply.Message.Direction != switchboard.DirectionOut {
		t.Fatalf("reply = %s / %+v", toolText(res), reply.Message)
	}
	res = callTool(t, s, "assign", map[string]any{"conversation_id": conv.ID, "user_id": opUser.ID}, nil)
	if res.IsError {
		t.Fatalf("assign: %s", toolText(res))
	}
	var users struct{ Users []switchboard.User }
	callTool(t, s, "list_users", map[string]any{"query": "olga"}, &users)
	if len(users.Users) != 1 || users.Users[0].ID != opUser.ID {
		t.Errorf("list_users = %+v", users.Users)
	}

	// A private note, mentioning the operator, found by message search
	// beside the customer's own words; neither tool reaches WhatsApp.
	var note struct{ Note switchboard.ThreadEntry }
	res = callTool(t, s, "add_note", map[string]any{"conversation_id": conv.ID, "text": "Paket liegt beim Nachbarn", "mentions": []string{opUser.ID}}, &note)
	if res.IsError || note.Note.Kind != switchboard.NoteEntry || note.Note.Text != "Paket liegt beim Nachbarn" || !slices.Equal(note.Note.Mentions, []string{opUser.ID}) {
		t.Fatalf("add_note = %s / %+v", toolText(res), note.Note)
	}
	if res = callTool(t, s, "add_note", map[string]any{"conversation_id": conv.ID, "text": "  "}, nil); !res.IsError {
		t.Error("add_note with an empty text succeeded")
	}
	var found struct {
		Results []switchboard.SearchResult `json:"results"`
	}
	callTool(t, s, "search_messages", map[string]any{"query": "paket"}, &found)
	if len(found.Results) != 1 || found.Results[0].Kind != switchboard.HitNote || found.Results[0].ConversationID != conv.ID {
		t.Errorf("search_messages(paket) = %+v, want the note", found.Results)
	}
	callTool(t, s, "search_messages", map[string]any{"query": "parcel"}, &found)
	if len(found.Results) != 1 || found.Results[0].Kind != switchboard.HitMessage || found.Results[0].ConversationID != conv.ID {
		t.Errorf("search_messages(parcel) = %+v, want the customer's message", found.Results)
	}
	callTool(t, s, "search_messages", map[string]any{"query": "hi"}, &found)
	if len(found.Results) != 1 || found.Results[0].ConversationID != other.ID {
		t.Errorf("search_messages(hi) = %+v, want Otto's message", found.Results)
	}

	// The history resource holds the reply just sent.
	rr, err := s.ReadResource(context.Background(), &mcp.ReadResourceParams{URI: "switchboard://conversations/" + conv.ID + "/history"})
	must(t, err)
	if len(rr.Contents) != 1 || !strings.Contains(rr.Contents[0].Text, "It arrives tomorrow.") || !strings.Contains(rr.Contents[0].Text, "where is my parcel?") {
		t.Errorf("history resource = %+v", rr.Contents)
	}
	if _, err := s.ReadResource(context.Background(), &mcp.ReadResourceParams{URI: "switchboard://conversations/0123456789abcdef0123456789abcdef/history"}); err == nil {
		t.Error("history of a missing conversation: no error")
	}

	// Audited like REST, with the token's id.
	for _, action := range []string{"message.send", "conversation.assign", "conversation.read"} {
		entries, _, err := app.Service.Store.AuditEntries(context.Background(), auditFilter(action))
		must(t, err)
		if !slices.ContainsFunc(entries, func(e *switchboard.AuditEntry) bool { return e.Detail["token_id"] == tr.Token.ID }) {
			t.Errorf("no %s audit entry with token_id %s: %+v", action, tr.Token.ID, entries)
		}
	}

	// A token without the reply scope: the tool reports forbidden, nothing is sent.
	readOnly, _ := app.newPAT(admin, "read-only", "conversations.read_all")
	ro, err := app.mcpConnect(t, readOnly.token)
	must(t, err)
	res = callTool(t, ro, "reply", map[string]any{"conversation_id": other.ID, "text": "should not go out"}, nil)
	if !res.IsError || !strings.Contains(toolText(res), "forbidden") {
		t.Errorf("reply without the scope = %v %q, want a forbidden tool error", res.IsError, toolText(res))
	}
	var msgs struct{ Items []switchboard.Message }
	admin.must(200, "GET", "/api/v1/conversations/"+other.ID+"/messages", nil, &msgs)
	if len(msgs.Items) != 1 {
		t.Errorf("other conversation has %d messages after a refused reply, want 1", len(msgs.Items))
	}
	// An operator's token without read_all sees only what it is assigned.
	opTok, _ := app.newPAT(operator, "op", "conversations.reply")
	op, err := app.mcpConnect(t, opTok.token)
	must(t, err)
	res = callTool(t, op, "read_conversation", map[string]any{"conversation_id": other.ID}, nil)
	if !res.IsError || !strings.Contains(toolText(res), "not_found") {
		t.Errorf("foreign conversation = %v %q, want not_found", res.IsError, toolText(res))
	}
	callTool(t, op, "read_conversation", map[string]any{"conversation_id": conv.ID}, &read)
	if read.Conversation.ID != conv.ID {
		t.Errorf("assigned conversation not readable: %+v", read)
	}
	// Its searches find nothing in conversations it may not see.
	callTool(t, op, "search_messages", map[string]any{"query": "hi"}, &found)
	if len(found.Results) != 0 {
		t.Errorf("operator token's search_messages(hi) = %+v, want nothing of the foreign conversation", found.Results)
	}

	// A session token is not an API token.
	if _, err := app.mcpConnect(t, admin.token); err == nil {
		t.Error("MCP with a session token connected")
	}
	// Revoked: the open session stops at once, and cannot reconnect.
	admin.must(204, "DELETE", "/api/v1/me/tokens/"+tr.Token.ID, nil, nil)
	if _, err := s.CallTool(context.Background(), &mcp.CallToolParams{Name: "list_conversations", Arguments: map[string]any{}}); err == nil {
		t.Error("tool call with a revoked token succeeded")
	}
	if _, err := app.mcpConnect(t, tr.Secret); err == nil {
		t.Error("MCP with a revoked token connected")
	}
	req, _ := http.NewRequest("POST", app.URL+"/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
	req.Header.Set("Authorization", "Bearer "+tr.Secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("raw POST with a revoked token = %d (WWW-Authenticate %q), want 401 with a challenge", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
}

// TestMCPRateLimit: MCP calls spend the token's rate like REST calls.
func TestMCPRateLimit(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	var tr tokenResp
	admin.must(201, "POST", "/api/v1/me/tokens", map[string]any{"name": "slow", "scopes": []string{"users.read"}, "rate_per_minute": 1}, &tr)
	post := func() *http.Request {
		req, _ := http.NewRequest("POST", app.URL+"/mcp", strings.NewReader(`{}`))
		req.Header.Set("Authorization", "Bearer "+tr.Secret)
		return req
	}
	resp, err := http.DefaultClient.Do(post())
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode == 429 {
		t.Fatal("first request limited")
	}
	if _, err := app.mcpConnect(t, tr.Secret); err == nil {
		t.Error("connect past the rate: no error")
	}
	resp, err = http.DefaultClient.Do(post())
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("past the rate = %d (Retry-After %q), want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

// TestMCPBotSendsTemplate drives the template tools with the SDK's client
// as the channel's bot, on a service-account token: once the customer's
// 24-hour window closed, reply is refused with window_closed and
// send_template reaches the phone (the emulator accepts it as Meta
// would); the rules are the people's: an unknown or unapproved template,
// a missing parameter and a marketing template to a customer who stopped
// marketing messages are refused before anything is sent, and the bot may
// not send once people handle the conversation.
func TestMCPBotSendsTemplate(t *testing.T) {
	s := setupBot(t, nil)
	app, admin := s.app, s.admin
	const wa = "4917011116666"
	app.customer(t, emulator.CustomerMessage{WaID: wa, Name: "Tina Template", Text: "Hallo", Timestamp: time.Now().Add(-30 * time.Hour)})
	conv := conversationOf(t, admin, wa)
	eventually(t, "the conversation with the bot", func() bool {
		var c botConversation
		admin.must(200, "GET", "/api/v1/conversations/"+conv.ID, nil, &c)
		return c.Handler == "bot"
	})
	admin.must(200, "POST", "/api/v1/channels/"+conv.ChannelID+"/templates/sync", nil, nil)
	sess, err := app.mcpConnect(t, s.secret)
	must(t, err)

	res := callTool(t, sess, "reply", map[string]any{"conversation_id": conv.ID, "text": "Hallo zurück"}, nil)
	if !res.IsError || !strings.Contains(toolText(res), "window_closed") {
		t.Fatalf("reply with the window closed = %v %q, want window_closed", res.IsError, toolText(res))
	}
	var tpls struct {
		Templates []struct{ Name, Language, Category string }
	}
	callTool(t, sess, "list_templates", map[string]any{"conversation_id": conv.ID}, &tpls)
	if !slices.ContainsFunc(tpls.Templates, func(x struct{ Name, Language, Category string }) bool {
		return x.Name == "order_update" && x.Language == "de"
	}) || slices.ContainsFunc(tpls.Templates, func(x struct{ Name, Language, Category string }) bool { return x.Name == "summer_sale" }) {
		t.Fatalf("list_templates = %+v; want order_update/de and no rejected template", tpls.Templates)
	}
	before := len(app.Emulator.Phone(wa))
	for _, bad := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"name": "summer_sale", "language": "de", "parameters": map[string]string{"body.1": "30"}}, "not approved"},
		{map[string]any{"name": "no_such", "language": "de"}, "No approved template"},
		{map[string]any{"name": "order_update", "language": "de", "parameters": map[string]string{"body.1": "Tina"}}, "body.2"},
	} {
		bad.args["conversation_id"] = conv.ID
		res := callTool(t, sess, "send_template", bad.args, nil)
		if !res.IsError || !strings.Contains(toolText(res), bad.want) {
			t.Errorf("send_template %v = %v %q, want an error saying %q", bad.args, res.IsError, toolText(res), bad.want)
		}
	}
	var sent struct{ Message switchboard.Message }
	res = callTool(t, sess, "send_template", map[string]any{"conversation_id": conv.ID, "name": "order_update", "language": "de",
		"parameters": map[string]string{"body.1": "Tina", "body.2": "4711"}, "idempotency_key": "tpl-1"}, &sent)
	if res.IsError || sent.Message.Type != switchboard.TypeTemplate || sent.Message.Author != switchboard.AuthorBot {
		t.Fatalf("send_template = %q / %+v", toolText(res), sent.Message)
	}
	m := app.phoneGot(t, wa, "the bot's template", func(m emulator.PhoneMessage) bool { return m.Type == "template" })
	if m.Template == nil || m.Template.Name != "order_update" || !strings.Contains(m.Text, "4711") {
		t.Fatalf("phone template = %+v", m)
	}
	// A retry with the same key sends nothing new.
	var again struct{ Message switchboard.Message }
	callTool(t, sess, "send_template", map[string]any{"conversation_id": conv.ID, "name": "order_update", "language": "de",
		"parameters": map[string]string{"body.1": "Tina", "body.2": "4711"}, "idempotency_key": "tpl-1"}, &again)
	if again.Message.ID != sent.Message.ID {
		t.Errorf("the retry sent message %s, want %s again", again.Message.ID, sent.Message.ID)
	}

	// Marketing opt-out applies to the bot too.
	ctx := context.Background()
	must(t, app.Emulator.SetMarketingPreference(ctx, wa, true))
	eventually(t, "the stop to be recorded", func() bool {
		var p struct{ Marketing *struct{ Stopped bool } }
		admin.must(200, "GET", "/api/v1/contacts/"+conv.Contact.ID, nil, &p)
		return p.Marketing != nil && p.Marketing.Stopped
	})
	res = callTool(t, sess, "send_template", map[string]any{"conversation_id": conv.ID, "name": "welcome_image", "language": "de",
		"parameters": map[string]string{"header": "https://example.com/w.jpg"}}, nil)
	if !res.IsError || !strings.Contains(toolText(res), "stopped marketing") {
		t.Errorf("marketing template after the stop = %v %q", res.IsError, toolText(res))
	}

	// The bot reports a failure of its own: at the channel's default limit
	// of 1 people take over, and the bot may not send any more.
	var failed struct{ Conversation botConversation }
	res = callTool(t, sess, "report_failure", map[string]any{"conversation_id": conv.ID}, &failed)
	if res.IsError || failed.Conversation.Handler != "human" || failed.Conversation.Handoff == nil || failed.Conversation.Handoff.Reason != "bot_failed" {
		t.Fatalf("report_failure = %q / %+v", toolText(res), failed.Conversation)
	}
	res = callTool(t, sess, "send_template", map[string]any{"conversation_id": conv.ID, "name": "order_update", "language": "de",
		"parameters": map[string]string{"body.1": "Tina", "body.2": "4712"}}, nil)
	if !res.IsError || !strings.Contains(toolText(res), "forbidden") {
		t.Errorf("template after the hand-off = %v %q, want forbidden", res.IsError, toolText(res))
	}
	if got := len(app.Emulator.Phone(wa)) - before; got != 1 {
		t.Errorf("the phone got %d new business messages, want exactly the one template", got)
	}
}
