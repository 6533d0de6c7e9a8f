package aibot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseAnswer(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want answer
	}{
		{`{"reply":"We open at 9.","confidence":0.92,"handoff":false,"reason":"opening hours","summary":"asks when we open"}`,
			answer{Reply: "We open at 9.", Confidence: 0.92, Reason: "opening hours", Summary: "asks when we open"}},
		{"```json\n{\"reply\":\"Hi\",\"confidence\":1.7}\n```", answer{Reply: "Hi", Confidence: 1}},
		{`{"reply":"","handoff":true,"reason":"refund"}`, answer{Confidence: -1, Handoff: true, Reason: "refund"}},
		{`{"reply":"x","handoff":"yes","confidence":-3}`, answer{Reply: "x", Confidence: 0, Handoff: true}},
		{"Plain text answer.", answer{Reply: "Plain text answer.", Confidence: -1}},
		{`{"answer":"other shape"}`, answer{Reply: `{"answer":"other shape"}`, Confidence: -1}},
	} {
		if got := parseAnswer(tc.in); got != tc.want {
			t.Errorf("parseAnswer(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestAsksForPerson(t *testing.T) {
	for text, want := range map[string]bool{
		"Can I talk to a human please?":          true,
		"I want a real PERSON":                   true,
		"Bitte einen Mitarbeiter!":               true,
		"Ich möchte mit einem Menschen sprechen": true,
		"Позовите оператора":                     true,
		"Соедините с человеком":                  true,
		"Хочу поговорити з людиною":              true,
		"Where is my parcel?":                    false,
		"personal data question":                 false,
		"Wann habt ihr geöffnet?":                false,
		"":                                       false,
	} {
		if got := asksForPerson(text); got != want {
			t.Errorf("asksForPerson(%q) = %v, want %v", text, got, want)
		}
	}
}

func TestBuildMessages(t *testing.T) {
	hist := []message{
		{ID: "3", Direction: "in", Type: "text"},
		{ID: "2", Direction: "out", Type: "template"},
		{ID: "1", Direction: "in", Type: "image"},
	}
	hist[0].Content.Text = "and now?"
	hist[1].Content.Template = &struct {
		Name string `json:"name"`
	}{"welcome"}
	hist[2].Content.Text = strings.Repeat("x", MaxMessageChars+10)
	msgs := buildMessages("Be kind.", "We open at 9.", hist)
	if len(msgs) != 4 || msgs[0].Role != "system" || !strings.Contains(msgs[0].Content, "Be kind.") ||
		!strings.Contains(msgs[0].Content, "Knowledge:\nWe open at 9.") || !strings.Contains(msgs[0].Content, `"confidence"`) {
		t.Fatalf("system message = %+v", msgs[0])
	}
	if msgs[1].Role != "user" || !strings.HasPrefix(msgs[1].Content, "[image] xxx") || len([]rune(msgs[1].Content)) != MaxMessageChars {
		t.Errorf("oldest = %q… (%d characters), want the cut image caption as user", msgs[1].Content[:12], len([]rune(msgs[1].Content)))
	}
	if msgs[2].Role != "assistant" || msgs[2].Content != "[template welcome]" || msgs[3].Role != "user" || msgs[3].Content != "and now?" {
		t.Errorf("history = %+v", msgs[2:])
	}
}

func TestChatURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:11434/v1":                    "http://127.0.0.1:11434/v1/chat/completions",
		"https://api.openai.com":                       "https://api.openai.com/v1/chat/completions",
		"http://vllm:8000/v1/chat/completions":         "http://vllm:8000/v1/chat/completions",
		"https://example.com/openai/deployments/x/v1/": "https://example.com/openai/deployments/x/v1/chat/completions",
	} {
		c := Config{LLMURL: in}
		c.Validate()
		if got := c.chatURL(); got != want {
			t.Errorf("chatURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func validConfig() Config {
	return Config{SwitchboardURL: "http://127.0.0.1:8080", Token: "sbt_x", LLMURL: "http://127.0.0.1:1/v1", Model: "m",
		Mode: ModeSend, Threshold: 0.6, MaxFailures: 3, LLMTimeout: time.Second, APITimeout: time.Second, History: 20, Concurrency: 1}
}

func TestConfigValidate(t *testing.T) {
	c := validConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]func(*Config){
		"no model":                  func(c *Config) { c.Model = "" },
		"no llm url":                func(c *Config) { c.LLMURL = "" },
		"no token":                  func(c *Config) { c.Token = "" },
		"ftp url":                   func(c *Config) { c.LLMURL = "ftp://x" },
		"bad mode":                  func(c *Config) { c.Mode = "auto" },
		"threshold 2":               func(c *Config) { c.Threshold = 2 },
		"history 0":                 func(c *Config) { c.History = 0 },
		"history 201":               func(c *Config) { c.History = 201 },
		"no failures":               func(c *Config) { c.MaxFailures = 0 },
		"webhook no key":            func(c *Config) { c.WebhookAddr = "127.0.0.1:0" },
		"user in url":               func(c *Config) { c.SwitchboardURL = "http://u:p@x" },
		"no llm timeout":            func(c *Config) { c.LLMTimeout = 0 },
		"concurrency 100":           func(c *Config) { c.Concurrency = 100 },
		"template without language": func(c *Config) { c.Mode, c.WindowTemplate = ModeSend, "order_update" },
		"template in suggest mode":  func(c *Config) { c.Mode, c.WindowTemplate = ModeSuggest, "order_update:de" },
		"params without template":   func(c *Config) { c.WindowTemplateParams = "body.1=x" },
		"empty template param":      func(c *Config) { c.Mode, c.WindowTemplate, c.WindowTemplateParams = ModeSend, "t:de", "body.1=" },
		"repeated template param": func(c *Config) {
			c.Mode, c.WindowTemplate, c.WindowTemplateParams = ModeSend, "t:de", "body.1=a&body.1=b"
		},
	} {
		c := validConfig()
		f(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestConfigWindowTemplate(t *testing.T) {
	c := validConfig()
	c.Mode, c.WindowTemplate, c.WindowTemplateParams = ModeSend, " order_update : de ", "body.1=Tina%20M%C3%BCller&body.2=4711"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	got := c.windowTemplate
	if got == nil || got.Name != "order_update" || got.Language != "de" || got.Parameters["body.1"] != "Tina Müller" || got.Parameters["body.2"] != "4711" {
		t.Fatalf("window template = %+v", got)
	}
}

func sign(secret string, t int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "%d.", t)
	m.Write(body)
	return fmt.Sprintf("t=%d,v1=%s", t, hex.EncodeToString(m.Sum(nil)))
}

func TestVerifySignature(t *testing.T) {
	now := time.Unix(1767340800, 0)
	body := []byte(`{"type":"message.created"}`)
	if !verifySignature("s3cret", sign("s3cret", now.Unix(), body), body, now) {
		t.Fatal("a good signature refused")
	}
	for name, h := range map[string]string{
		"other secret": sign("other", now.Unix(), body),
		"stale":        sign("s3cret", now.Add(-6*time.Minute).Unix(), body),
		"future":       sign("s3cret", now.Add(6*time.Minute).Unix(), body),
		"empty":        "",
		"no time":      strings.SplitN(sign("s3cret", now.Unix(), body), ",", 2)[1],
	} {
		if verifySignature("s3cret", h, body, now) {
			t.Errorf("%s: accepted", name)
		}
	}
	if verifySignature("s3cret", sign("s3cret", now.Unix(), body), []byte(`{"type":"other"}`), now) {
		t.Error("a changed body accepted")
	}
	var d deliveries
	if !d.first("a", now) || d.first("a", now) || !d.first("b", now) {
		t.Error("dedupe by delivery id")
	}
}

func TestTextFileReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "prompt.txt")
	if err := os.WriteFile(path, []byte("one"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := &textFile{path: path, def: "default"}
	if got, _ := f.get(false); got != "one" {
		t.Fatalf("first read = %q", got)
	}
	// A change of size is noticed without a reload.
	if err := os.WriteFile(path, []byte("two!"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, ev := f.get(false); got != "two!" || ev != "reloaded" {
		t.Errorf("after a change = %q, %q", got, ev)
	}
	// A same-size change with the same time needs the forced reload (SIGHUP).
	st, _ := os.Stat(path)
	if err := os.WriteFile(path, []byte("six!"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, st.ModTime(), st.ModTime()); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.get(true); got != "six!" {
		t.Errorf("after a forced reload = %q", got)
	}
	// A vanished file keeps the last good text and says so once.
	os.Remove(path)
	if got, ev := f.get(false); got != "six!" || !strings.HasPrefix(ev, "unreadable") {
		t.Errorf("after removal = %q, %q", got, ev)
	}
	if _, ev := f.get(false); ev != "" {
		t.Errorf("second report of the same error: %q", ev)
	}
	if err := os.WriteFile(path, []byte(strings.Repeat("x", MaxPromptFile+1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, ev := f.get(false); got != "six!" || !strings.Contains(ev, "larger") {
		t.Errorf("too large = %q, %q", got, ev)
	}
}
