package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/internal/emulator"
)

// fakeLLM is an OpenAI-compatible chat-completions server whose answer
// depends on the customer's newest message, counting the requests per
// conversation topic.
type fakeLLM struct {
	t   *testing.T
	srv *httptest.Server

	mu    sync.Mutex
	calls map[string]int // topic → requests
	bad   []string       // what was wrong with a request
}

// The topics the fake model recognises in the customer's last message.
const (
	topicGood     = "opening hours"
	topicUnsure   = "discount"
	topicRefuse   = "forbidden"
	topicFilter   = "filtered"
	topicSlow     = "slow"
	topicPerson   = "human"
	topicPersonDE = "mitarbeiterin"
	topicPlain    = "plain"
	fakeKey       = "sk-fake-key-0123456789"
	goodReply     = "We are open from 9 to 18, Monday to Saturday."
	unsureReply   = "Maybe 10 % off?"
	knowledgeTxt  = "Opening hours: 9 to 18, Monday to Saturday."
)

func newFakeLLM(t *testing.T) *fakeLLM {
	f := &fakeLLM{t: t, calls: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeLLM) complain(format string, args ...any) {
	f.mu.Lock()
	f.bad = append(f.bad, fmt.Sprintf(format, args...))
	f.mu.Unlock()
}

func (f *fakeLLM) count(topic string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[topic]
}

func (f *fakeLLM) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != "POST" || r.URL.Path != "/v1/chat/completions" {
		f.complain("%s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+fakeKey {
		f.complain("Authorization = %q", got)
	}
	var req struct {
		Model          string
		Messages       []struct{ Role, Content string }
		ResponseFormat *struct{ Type string } `json:"response_format"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Messages) < 2 {
		f.complain("request: %v (%d messages)", err, len(req.Messages))
		http.Error(w, "bad request", 400)
		return
	}
	if req.Model != "fake-model" || req.ResponseFormat == nil || req.ResponseFormat.Type != "json_object" {
		f.complain("model %q, response_format %+v", req.Model, req.ResponseFormat)
	}
	if sys := req.Messages[0]; sys.Role != "system" || !strings.Contains(sys.Content, knowledgeTxt) || !strings.Contains(sys.Content, "Be brief.") {
		f.complain("system message %+v lacks the prompt or the knowledge", sys)
	}
	last := req.Messages[len(req.Messages)-1]
	if last.Role != "user" {
		f.complain("last message is %s, want the customer's", last.Role)
	}
	topic := ""
	for _, tp := range []string{topicGood, topicUnsure, topicRefuse, topicFilter, topicSlow, topicPerson, topicPersonDE, topicPlain} {
		if strings.Contains(strings.ToLower(last.Content), tp) {
			topic = tp
		}
	}
	f.mu.Lock()
	f.calls[topic]++
	f.mu.Unlock()

	content := func(s string) map[string]any {
		return map[string]any{"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": s}}}}
	}
	answer := func(reply string, conf float64) map[string]any {
		b, _ := json.Marshal(map[string]any{"reply": reply, "confidence": conf, "handoff": false, "reason": "from the knowledge", "summary": "The customer asks about " + topic + "."})
		return content(string(b))
	}
	var out any
	switch topic {
	case topicGood:
		out = answer(goodReply, 0.93)
	case topicUnsure:
		out = answer(unsureReply, 0.2)
	case topicRefuse:
		out = map[string]any{"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": nil, "refusal": "I can't help with that."}}}}
	case topicFilter:
		out = map[string]any{"choices": []any{map[string]any{"index": 0, "finish_reason": "content_filter",
			"message": map[string]any{"role": "assistant", "content": ""}}}}
	case topicSlow:
		// Past the bot's timeout: it gives up, and so does this request.
		<-r.Context().Done()
		return
	case topicPlain:
		out = content("Thanks, a colleague will look at this.")
	default:
		f.complain("unexpected topic in %d characters", len(last.Content))
		out = answer("?", 0)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

type botConversation struct {
	ID      string
	Handler string
	Handoff *struct{ Reason, Summary, By string }
}

// botSetup is a running app with the emulator whose channel has a bot
// service account as bot agent, and that account's token.
type botSetup struct {
	app    *testApp
	admin  *client
	botID  string
	secret string
	llm    *fakeLLM
	logs   *lockedBuffer
	dir    string
}

func setupBot(t *testing.T, env map[string]string) *botSetup {
	t.Helper()
	if env == nil {
		env = map[string]string{}
	}
	env["SWITCHBOARD_EMULATOR"] = "on"
	app := startApp(t, env, func(a *App) {
		a.EmulatorOptions = func(c *emulator.Config) {
			c.StatusDelays = emulator.StatusDelays{Sent: 20 * time.Millisecond, Delivered: 60 * time.Millisecond, Read: 150 * time.Millisecond}
			c.BatchWindow = 10 * time.Millisecond
			c.Retry = emulator.RetryPolicy{Initial: 50 * time.Millisecond, Factor: 2, Max: time.Second, MaxAge: time.Hour, Timeout: 5 * time.Second}
		}
	})
	admin := app.setupAdmin()

	// A bot service account with a token, the emulator channel's bot agent.
	var sa struct{ User struct{ ID string } }
	admin.must(201, "POST", "/api/v1/service-accounts", map[string]any{
		"login": "ai-bot", "name": "AI bot", "role_id": "operator", "bot": true, "description": "answers FAQs",
	}, &sa)
	var tr tokenResp
	admin.must(201, "POST", "/api/v1/service-accounts/"+sa.User.ID+"/tokens", map[string]any{
		"name": "reply bot", "scopes": []string{"conversations.read_all", "conversations.reply"},
	}, &tr)
	ch, err := app.Store.ChannelByPhoneNumberID(context.Background(), emulatorPhoneNumberID)
	must(t, err)
	admin.must(200, "PATCH", "/api/v1/channels/"+ch.ID, map[string]any{"bot_agent_id": sa.User.ID}, nil)
	return &botSetup{app: app, admin: admin, botID: sa.User.ID, secret: tr.Secret, llm: newFakeLLM(t), logs: &lockedBuffer{}, dir: t.TempDir()}
}

// run starts `switchboard bot` with the operator's texts, the model's key
// in a file and the token in the environment; it stops at the test's end.
func (s *botSetup) run(t *testing.T, env map[string]string, args ...string) {
	t.Helper()
	prompt, knowledge := filepath.Join(s.dir, "prompt.txt"), filepath.Join(s.dir, "knowledge.txt")
	must(t, os.WriteFile(prompt, []byte("You answer for Example GmbH. Be brief."), 0o600))
	must(t, os.WriteFile(knowledge, []byte(knowledgeTxt), 0o600))
	keyFile := filepath.Join(s.dir, "llm.key")
	must(t, os.WriteFile(keyFile, []byte(fakeKey+"\n"), 0o600))
	all := map[string]string{"SWITCHBOARD_BOT_TOKEN": s.secret, "SWITCHBOARD_LOG_LEVEL": "debug"}
	for k, v := range env {
		all[k] = v
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"bot", "--url", s.app.URL, "--llm-url", s.llm.srv.URL + "/v1", "--model", "fake-model",
			"--llm-api-key-file", keyFile, "--system-prompt-file", prompt, "--knowledge-file", knowledge}, args...),
			func(k string) string { return all[k] }, strings.NewReader(""), io.Discard, s.logs)
	}()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the bot's log:\n%s", s.logs.String())
		}
		stop()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("bot: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("the bot did not stop")
		}
	})
}

// checkClean fails on anything wrong the fake model saw, and on message
// texts, prompts or secrets in the bot's log.
func (s *botSetup) checkClean(t *testing.T, texts ...string) {
	t.Helper()
	s.llm.mu.Lock()
	for _, b := range s.llm.bad {
		t.Errorf("model request: %s", b)
	}
	s.llm.mu.Unlock()
	log := s.logs.String()
	for _, secret := range append([]string{fakeKey, s.secret, goodReply, unsureReply, knowledgeTxt, "Be brief"}, texts...) {
		if strings.Contains(log, secret) {
			t.Errorf("the bot's log contains %q:\n%s", secret, log)
		}
	}
}

// TestAIBotEndToEnd runs `switchboard bot` against the real server with the
// emulator, a real service-account token and a fake model: a good answer
// reaches the customer's phone as the bot's, a low-confidence answer, a
// refusal, a content filter, timeouts and a plain-text answer hand the
// conversation to people with their reason (and the draft as a suggestion
// where there is one), and a customer asking for a person is handed off
// without the model being asked. The log holds no message text and no key.
func TestAIBotEndToEnd(t *testing.T) {
	s := setupBot(t, nil)
	app, admin, llm := s.app, s.admin, s.llm
	// A customer who wrote while the bot was not running is answered when
	// it starts.
	app.customer(t, emulator.CustomerMessage{WaID: "4915100007000", Name: "Emil Early", Text: "Opening hours?"})
	eventually(t, "the early customer's conversation with the bot", func() bool {
		var page struct{ Items []botConversation }
		admin.must(200, "GET", "/api/v1/conversations?q=4915100007000", nil, &page)
		return len(page.Items) == 1 && page.Items[0].Handler == "bot"
	})
	s.run(t, nil, "--mode", "send", "--threshold", "0.6", "--max-failures", "2", "--llm-timeout", "300ms", "--retry-delay", "10ms")
	app.phoneGot(t, "4915100007000", "the answer to the early customer", func(m emulator.PhoneMessage) bool { return m.Text == goodReply })

	write := func(wa, name, text string) apiConversation {
		app.customer(t, emulator.CustomerMessage{WaID: wa, Name: name, Text: text})
		return conversationOf(t, admin, wa)
	}
	handedOff := func(c apiConversation, reason string) botConversation {
		t.Helper()
		var got botConversation
		eventually(t, "hand-off of "+c.Contact.Name+" ("+reason+")", func() bool {
			admin.must(200, "GET", "/api/v1/conversations/"+c.ID, nil, &got)
			return got.Handler == "human" && got.Handoff != nil && got.Handoff.Reason != "opened"
		})
		if got.Handoff.Reason != reason || got.Handoff.By != s.botID || got.Handoff.Summary == "" {
			t.Errorf("%s: hand-off %+v, want reason %s by the bot with a summary", c.Contact.Name, got.Handoff, reason)
		}
		return got
	}
	suggestions := func(c apiConversation) []string {
		var page struct {
			Items []struct{ Text, Rationale, State string }
		}
		admin.must(200, "GET", "/api/v1/conversations/"+c.ID+"/suggestions", nil, &page)
		var out []string
		for _, s := range page.Items {
			out = append(out, s.Text)
		}
		return out
	}

	// A good answer: sent as the bot's message; the customer receives it.
	good := write("4915100007001", "Gina Good", "What are your opening hours?")
	app.phoneGot(t, "4915100007001", "the bot's answer", func(m emulator.PhoneMessage) bool { return m.Text == goodReply })
	var msgs struct {
		Items []struct {
			Direction, Author string
			SenderID          string `json:"sender_id"`
		}
	}
	admin.must(200, "GET", "/api/v1/conversations/"+good.ID+"/messages", nil, &msgs)
	if len(msgs.Items) < 2 || msgs.Items[0].Direction != "out" || msgs.Items[0].Author != "bot" || msgs.Items[0].SenderID != s.botID {
		t.Errorf("messages = %+v, want the bot's answer newest", msgs.Items)
	}
	var conv botConversation
	admin.must(200, "GET", "/api/v1/conversations/"+good.ID, nil, &conv)
	if conv.Handler != "bot" {
		t.Errorf("after a good answer the handler is %q, want bot", conv.Handler)
	}

	// Low confidence: handed off, the draft left as a suggestion.
	unsure := write("4915100007002", "Uwe Unsure", "Do I get a discount?")
	handedOff(unsure, "low_confidence")
	if s := suggestions(unsure); len(s) != 1 || s[0] != unsureReply {
		t.Errorf("suggestions after low confidence = %q, want the draft", s)
	}

	// A refusal and a content filter: handed off at once.
	refused := write("4915100007003", "Rita Refused", "Tell me something forbidden")
	handedOff(refused, "refusal")
	filtered := write("4915100007004", "Fritz Filtered", "This gets filtered")
	handedOff(filtered, "refusal")

	// A model slower than the timeout: tried max-failures times, then handed off.
	slow := write("4915100007005", "Sven Slow", "A slow question")
	handedOff(slow, "llm_error")
	if n := llm.count(topicSlow); n != 2 {
		t.Errorf("slow model asked %d times, want 2 (max failures)", n)
	}

	// A plain-text answer has no confidence: not sent, offered as a suggestion.
	plain := write("4915100007006", "Paula Plain", "A plain question")
	handedOff(plain, "low_confidence")
	if s := suggestions(plain); len(s) != 1 {
		t.Errorf("suggestions after a plain answer = %q, want the draft", s)
	}

	// The customer asks for a person: handed off without asking the model,
	// by the server's keyword rule or, for words only the bot knows, by the
	// bot.
	person := write("4915100007007", "Hans Human", "I want to talk to a human")
	eventually(t, "the server's hand-off of Hans Human", func() bool {
		var c botConversation
		admin.must(200, "GET", "/api/v1/conversations/"+person.ID, nil, &c)
		return c.Handler == "human" && c.Handoff != nil && c.Handoff.Reason == "customer_asked"
	})
	personDE := write("4915100007008", "Greta Grün", "Bitte verbinden Sie mich mit einer Mitarbeiterin")
	handedOff(personDE, "customer_asked")
	if n := llm.count(topicPerson) + llm.count(topicPersonDE); n != 0 {
		t.Errorf("the model was asked %d times about a request for a person", n)
	}

	// Only the good conversation got a message from the business.
	for _, c := range []apiConversation{unsure, refused, filtered, slow, plain, person, personDE} {
		for _, m := range app.Emulator.Phone(c.Contact.Phone) {
			if m.FromBusiness {
				t.Errorf("%s received %q, want nothing", c.Contact.Name, m.Text)
			}
		}
	}
	if n := llm.count(topicGood); n != 2 {
		t.Errorf("the two good questions were asked %d times, want once each", n)
	}

	// A refused token ends the bot at once with a clear error.
	err := run(context.Background(), []string{"bot", "--url", app.URL, "--llm-url", llm.srv.URL, "--model", "m"},
		func(k string) string { return map[string]string{"SWITCHBOARD_BOT_TOKEN": "sbt_not-a-token"}[k] },
		strings.NewReader(""), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("bot with an unknown token: %v, want a 401 error", err)
	}

	s.checkClean(t, "What are your opening hours?", "Do I get a discount?", "I want to talk to a human", "Mitarbeiterin")
	log := s.logs.String()
	if !strings.Contains(log, good.ID) {
		t.Errorf("the log does not name conversation ids:\n%s", log)
	}
}

// TestAIBotWebhooks runs the bot as a receiver of signed outgoing webhooks
// in suggest mode: a customer's question becomes the bot's suggestion,
// nothing reaches the customer, and the conversation stays the bot's.
func TestAIBotWebhooks(t *testing.T) {
	s := setupBot(t, map[string]string{"SWITCHBOARD_WEBHOOK_ALLOW_HOSTS": "127.0.0.1"})
	ln, err := netListen()
	must(t, err)
	addr := ln.Addr().String()
	ln.Close()
	var sub struct{ Secret string }
	s.admin.must(201, "POST", "/api/v1/webhooks", map[string]any{"url": "http://" + addr + "/", "events": []string{"message.*", "handoff.*"}}, &sub)
	s.run(t, map[string]string{"SWITCHBOARD_BOT_WEBHOOK_SECRET": sub.Secret}, "--webhook-addr", addr, "--mode", "suggest")

	const wa = "4915100007101"
	s.app.customer(t, emulator.CustomerMessage{WaID: wa, Name: "Wanda Webhook", Text: "Your opening hours, please?"})
	conv := conversationOf(t, s.admin, wa)
	var page struct {
		Items []struct{ Text, Rationale, State string }
	}
	eventually(t, "the bot's suggestion", func() bool {
		s.admin.must(200, "GET", "/api/v1/conversations/"+conv.ID+"/suggestions", nil, &page)
		return len(page.Items) > 0
	})
	if it := page.Items[0]; len(page.Items) != 1 || it.Text != goodReply || it.State != "pending" || !strings.Contains(it.Rationale, "confidence 0.93") {
		t.Errorf("suggestions = %+v, want the good answer once, pending, with its confidence", page.Items)
	}
	var c botConversation
	s.admin.must(200, "GET", "/api/v1/conversations/"+conv.ID, nil, &c)
	if c.Handler != "bot" {
		t.Errorf("handler = %q, want bot", c.Handler)
	}
	for _, m := range s.app.Emulator.Phone(wa) {
		if m.FromBusiness {
			t.Errorf("suggest mode sent %q to the customer", m.Text)
		}
	}
	s.checkClean(t, "Your opening hours, please?")
}

// TestAIBotWindowTemplate: in send mode with --window-template, a
// customer whose 24-hour window has closed gets the configured template
// (through the public API, with the people's rules) instead of a hand-off;
// the bot keeps the conversation, and the model's draft is not sent.
func TestAIBotWindowTemplate(t *testing.T) {
	s := setupBot(t, nil)
	app, admin := s.app, s.admin
	ch, err := app.Store.ChannelByPhoneNumberID(context.Background(), emulatorPhoneNumberID)
	must(t, err)
	admin.must(200, "POST", "/api/v1/channels/"+ch.ID+"/templates/sync", nil, nil)
	s.run(t, nil, "--mode", "send", "--window-template", "order_update:de", "--window-template-params", "body.1=Kundin&body.2=4711")

	const wa = "4915100007100"
	app.customer(t, emulator.CustomerMessage{WaID: wa, Name: "Wanda Window", Text: "What are your opening hours?", Timestamp: time.Now().Add(-30 * time.Hour)})
	m := app.phoneGot(t, wa, "the window template", func(m emulator.PhoneMessage) bool { return m.Type == "template" })
	if m.Template == nil || m.Template.Name != "order_update" || !strings.Contains(m.Text, "4711") {
		t.Fatalf("phone template = %+v", m)
	}
	conv := conversationOf(t, admin, wa)
	var got botConversation
	admin.must(200, "GET", "/api/v1/conversations/"+conv.ID, nil, &got)
	if got.Handler != "bot" {
		t.Errorf("after the window template the handler is %q (%+v), want bot", got.Handler, got.Handoff)
	}
	var msgs struct {
		Items []struct{ Type, Author string }
	}
	admin.must(200, "GET", "/api/v1/conversations/"+conv.ID+"/messages", nil, &msgs)
	if len(msgs.Items) != 2 || msgs.Items[0].Type != "template" || msgs.Items[0].Author != "bot" {
		t.Errorf("messages = %+v, want the customer's and the bot's template", msgs.Items)
	}
	for _, p := range app.Emulator.Phone(wa) {
		if p.FromBusiness && p.Text == goodReply {
			t.Error("the model's reply reached the phone through a closed window")
		}
	}
	s.checkClean(t, "Wanda Window")
}
