package main

import (
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard"
)

// TestHandoffAPI drives bot agents, hand-off and suggestions over HTTP
// against the OpenAPI contract: a bot service account becomes a channel's
// bot agent, new conversations start with it, it answers, suggests and
// hands off with a summary; an operator sends a suggestion edited, hands
// back and takes over; the bot cannot send once people handle the
// conversation; every answer and event matches the document; and the MCP
// tools hand_off and suggest_reply go through the same rules.
func TestHandoffAPI(t *testing.T) {
	k := loadContract(t)
	app := startApp(t, nil)
	adminC := app.setupAdmin()
	admin := k.wrap(adminC)
	operatorC, _ := app.createUser(adminC, "olga", "operator")
	operator := k.wrap(operatorC)
	ch := app.channel("Main")
	events := k.subscribe(t, app, operatorC)

	var plain, sa struct {
		User switchboard.User `json:"user"`
		Bot  bool             `json:"bot"`
	}
	admin.call(201, "POST", "/api/v1/service-accounts", map[string]any{"login": "crm", "name": "CRM", "role_id": "operator"}, &plain)
	admin.call(201, "POST", "/api/v1/service-accounts", map[string]any{"login": "helpbot", "name": "Help Bot", "role_id": "operator", "bot": true}, &sa)
	if !sa.Bot || plain.Bot {
		t.Fatalf("bot flags: %v %v", sa.Bot, plain.Bot)
	}
	admin.call(400, "PATCH", "/api/v1/channels/"+ch.ID, map[string]any{"bot_agent_id": plain.User.ID}, nil)
	var chOut struct {
		BotAgentID string `json:"bot_agent_id"`
	}
	admin.call(200, "PATCH", "/api/v1/channels/"+ch.ID, map[string]any{"bot_agent_id": sa.User.ID}, &chOut)
	if chOut.BotAgentID != sa.User.ID {
		t.Fatalf("bot_agent_id = %q", chOut.BotAgentID)
	}
	var tr tokenResp
	admin.call(201, "POST", "/api/v1/service-accounts/"+sa.User.ID+"/tokens", map[string]any{"name": "ai",
		"scopes": []string{"conversations.read_all", "conversations.reply"}}, &tr)
	bot := k.wrap(app.client(tr.Secret))

	conv := app.customerWrites(ch.ID, "4915100000601", "Hanna Handoff", "Where is my parcel?")
	var c struct {
		Handler string `json:"handler"`
		Handoff *struct {
			Reason, Summary, By string
		} `json:"handoff"`
	}
	bot.call(200, "GET", "/api/v1/conversations/"+conv.ID, nil, &c)
	if c.Handler != "bot" {
		t.Fatalf("new conversation handler %q, want bot", c.Handler)
	}
	base := "/api/v1/conversations/" + conv.ID
	bot.call(202, "POST", base+"/messages", map[string]string{"type": "text", "text": "Let me check."}, nil)
	var sg struct{ ID, Text, State string }
	bot.call(201, "POST", base+"/suggestions", map[string]string{"text": "It arrives tomorrow.", "rationale": "tracking: out for delivery"}, &sg)
	operator.call(403, "POST", base+"/suggestions", map[string]string{"text": "people do not suggest"}, nil)
	bot.call(400, "POST", base+"/suggestions", map[string]string{"text": "  "}, nil)
	bot.call(400, "POST", base+"/handoff", map[string]string{"to": "human"}, nil) // no reason
	bot.call(200, "POST", base+"/handoff", map[string]string{"to": "human", "reason": "parcel lost", "summary": "Parcel 4711 is overdue; customer is worried."}, &c)
	if c.Handler != "human" || c.Handoff == nil || c.Handoff.Reason != "parcel lost" || c.Handoff.By != sa.User.ID {
		t.Fatalf("after the bot's hand-off: %+v %+v", c.Handler, c.Handoff)
	}
	if code := errorCode(t, bot.call(403, "POST", base+"/messages", map[string]string{"type": "text", "text": "me again"}, nil)); code != "forbidden" {
		t.Errorf("bot send while human: %s", code)
	}
	var list struct{ Items []struct{ ID, State string } }
	operator.call(200, "GET", base+"/suggestions?state=pending", nil, &list)
	if len(list.Items) != 1 || list.Items[0].ID != sg.ID {
		t.Fatalf("pending suggestions = %+v", list.Items)
	}
	operator.call(400, "GET", base+"/suggestions?state=bogus", nil, nil)
	var sent struct {
		Message struct {
			ID      string
			Author  string
			Content struct{ Text string }
		}
		Suggestion struct{ State, MessageID string } `json:"suggestion"`
	}
	operator.call(201, "POST", base+"/suggestions/"+sg.ID+"/send", map[string]string{"text": "It arrives tomorrow, Hanna."}, &sent)
	if sent.Message.Content.Text != "It arrives tomorrow, Hanna." || sent.Message.Author != "user" || sent.Suggestion.State != "sent" {
		t.Fatalf("send suggestion = %+v", sent)
	}
	operator.call(409, "POST", base+"/suggestions/"+sg.ID+"/send", nil, nil)
	operator.call(404, "POST", base+"/suggestions/"+switchboard.NewID()+"/discard", nil, nil)
	bot.call(201, "POST", base+"/suggestions", map[string]string{"text": "Anything else?"}, &sg)
	operator.call(200, "POST", base+"/suggestions/"+sg.ID+"/discard", nil, nil)
	operator.call(200, "GET", base+"/suggestions", nil, nil)

	operator.call(200, "POST", base+"/handoff", map[string]string{"to": "bot"}, &c)
	if c.Handler != "bot" {
		t.Fatalf("hand back: %q", c.Handler)
	}
	operator.call(400, "POST", base+"/handoff", map[string]string{"to": "robot"}, nil)
	operator.call(200, "POST", base+"/handoff", map[string]string{"to": "human", "reason": "VIP"}, &c)
	if c.Handler != "human" || c.Handoff.Reason != "VIP" {
		t.Fatalf("take over: %+v", c)
	}
	// Authorship in the history: the bot's message carries author bot.
	var msgs struct {
		Items []struct{ Author, Direction string }
	}
	operator.call(200, "GET", base+"/messages", nil, &msgs)
	var authors []string
	for _, m := range msgs.Items {
		authors = append(authors, m.Author)
	}
	if got := strings.Join(authors, ","); got != "user,bot,customer" {
		t.Errorf("authors newest first = %s", got)
	}
	for _, want := range []string{switchboard.EventHandoffToBot, switchboard.EventHandoffToHuman, switchboard.EventBotTurn,
		switchboard.EventSuggestionCreate, switchboard.EventSuggestionUpdate} {
		events.wait(t, want)
	}

	// MCP: the same rules through hand_off and suggest_reply.
	operator.call(200, "POST", base+"/handoff", map[string]string{"to": "bot"}, nil)
	s, err := app.mcpConnect(t, tr.Secret)
	must(t, err)
	var out struct {
		Suggestion struct{ ID, Text string } `json:"suggestion"`
	}
	if res := callTool(t, s, "suggest_reply", map[string]any{"conversation_id": conv.ID, "text": "Via MCP.", "rationale": "test"}, &out); res.IsError || out.Suggestion.Text != "Via MCP." {
		t.Fatalf("suggest_reply = %s %+v", toolText(res), out)
	}
	var conv2 struct {
		Conversation struct {
			Handler string `json:"handler"`
		} `json:"conversation"`
	}
	if res := callTool(t, s, "hand_off", map[string]any{"conversation_id": conv.ID, "to": "human", "reason": "needs a person", "summary": "MCP summary"}, &conv2); res.IsError || conv2.Conversation.Handler != "human" {
		t.Fatalf("hand_off = %s %+v", toolText(res), conv2)
	}
	if res := callTool(t, s, "hand_off", map[string]any{"conversation_id": conv.ID, "to": "human", "reason": "again"}, nil); !res.IsError || !strings.Contains(toolText(res), "forbidden") {
		t.Errorf("second hand_off = %v %q, want forbidden", res.IsError, toolText(res))
	}
	if res := callTool(t, s, "reply", map[string]any{"conversation_id": conv.ID, "text": "not mine any more"}, nil); !res.IsError {
		t.Error("bot replied via MCP while people handle the conversation")
	}

	var missing []string
	for _, want := range []string{
		"POST /api/v1/conversations/{id}/handoff 200", "GET /api/v1/conversations/{id}/suggestions 200",
		"POST /api/v1/conversations/{id}/suggestions 201", "POST /api/v1/conversations/{id}/suggestions/{sid}/send 201",
		"POST /api/v1/conversations/{id}/suggestions/{sid}/discard 200",
	} {
		if !k.seen[want] {
			missing = append(missing, want)
		}
	}
	if len(missing) > 0 {
		t.Errorf("not exercised: %v", missing)
	}
}
