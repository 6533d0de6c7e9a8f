// Package aibot is an AI reply bot for Switchboard that uses only the
// public API: it receives events over the WebSocket (or as signed outgoing
// webhooks), asks an OpenAI-compatible chat-completions endpoint for an
// answer from the conversation's history, an operator-editable system
// prompt and knowledge text, and suggests or sends that answer. It hands
// the conversation to people when the model is unsure, asks for it or
// refuses, when the customer asks for a person, and when the model or the
// reply fails. docs/automation.md, "Worked example: an AI reply bot",
// describes how to run it.
//
// The bot never logs message texts, prompts or keys: log lines name
// conversation and message ids only.
package aibot

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Modes of the bot.
const (
	// ModeSuggest stores the answer as a suggestion that a person sends,
	// edits or discards.
	ModeSuggest = "suggest"
	// ModeSend sends the answer to the customer at once.
	ModeSend = "send"
)

// Limits on the configuration and on what the bot reads.
const (
	// MaxHistory bounds the number of messages sent to the model (the API
	// pages at most 200).
	MaxHistory = 200
	// MaxPromptFile bounds the system prompt and knowledge files.
	MaxPromptFile = 256 << 10
	// MaxMessageChars bounds the characters of one history message sent to
	// the model; longer texts are cut.
	MaxMessageChars = 4000
	// MaxReplyChars bounds a reply: WhatsApp's limit for a text body.
	MaxReplyChars = 4096
)

// Config is everything the bot needs. The cmd package fills it from flags
// and SWITCHBOARD_BOT_* environment variables.
type Config struct {
	// SwitchboardURL is the base URL of Switchboard, e.g.
	// http://127.0.0.1:8080; Token an API token of the bot's service
	// account (sbt_…).
	SwitchboardURL string
	Token          string

	// LLMURL is the base URL of an OpenAI-compatible API: the bot posts
	// to LLMURL + "/chat/completions" when LLMURL ends in /v1, else to
	// LLMURL + "/v1/chat/completions". Model is the model name, APIKey the
	// bearer key (may be empty for local servers). Nothing is sent to any
	// model unless LLMURL and Model are set.
	LLMURL string
	Model  string
	APIKey string
	// JSONMode asks the model for a JSON object (response_format
	// json_object); servers that do not support it may need it off.
	JSONMode bool

	// SystemPromptFile and KnowledgeFile are operator-editable texts,
	// re-read when they change and on Reload (SIGHUP). An empty
	// SystemPromptFile uses DefaultSystemPrompt.
	SystemPromptFile string
	KnowledgeFile    string

	// Mode is ModeSuggest or ModeSend.
	Mode string
	// Threshold is the lowest confidence (0..1) the bot acts on; below it
	// the conversation is handed to people.
	Threshold float64
	// MaxFailures is how many times the model may fail (error, timeout,
	// unusable answer) for one message before the bot hands off.
	MaxFailures int
	// LLMTimeout bounds one chat-completions request; APITimeout one
	// Switchboard request.
	LLMTimeout time.Duration
	APITimeout time.Duration
	// RetryDelay is the pause before retrying a failed model request; it
	// doubles per attempt.
	RetryDelay time.Duration
	// History is the number of newest messages sent to the model.
	History int
	// Concurrency is how many conversations are worked on at once; each
	// conversation has at most one answer in progress.
	Concurrency int

	// WebhookAddr, when set, makes the bot receive events as outgoing
	// webhooks on this address instead of over the WebSocket;
	// WebhookSecret is the subscription's signing secret.
	WebhookAddr   string
	WebhookSecret string

	// WindowTemplate, "name:language" (e.g. "order_update:de"), is the
	// approved template the bot sends in send mode when the customer's
	// 24-hour window has closed, instead of handing off at once;
	// WindowTemplateParams are its placeholder values as a URL query
	// ("body.1=Tina&body.2=4711"). Empty: the bot hands off
	// (window_closed).
	WindowTemplate       string
	WindowTemplateParams string
	// windowTemplate is WindowTemplate parsed by Validate.
	windowTemplate *templateSend
}

// templateSend is a template message for the Switchboard API.
type templateSend struct {
	Name       string            `json:"name"`
	Language   string            `json:"language"`
	Parameters map[string]string `json:"parameters,omitempty"`
}

// parseWindowTemplate reads WindowTemplate and WindowTemplateParams.
func (c *Config) parseWindowTemplate() error {
	c.windowTemplate = nil
	if c.WindowTemplate == "" {
		if c.WindowTemplateParams != "" {
			return errors.New("window template parameters are set without --window-template")
		}
		return nil
	}
	name, lang, ok := strings.Cut(c.WindowTemplate, ":")
	name, lang = strings.TrimSpace(name), strings.TrimSpace(lang)
	if !ok || name == "" || lang == "" || len(name) > 512 || len(lang) > 16 {
		return fmt.Errorf("window template %q must be name:language, e.g. order_update:de", c.WindowTemplate)
	}
	t := &templateSend{Name: name, Language: lang}
	if c.WindowTemplateParams != "" {
		q, err := url.ParseQuery(c.WindowTemplateParams)
		if err != nil || len(q) > 20 {
			return fmt.Errorf("window template parameters must be key=value pairs joined by &, e.g. body.1=Tina&body.2=4711 (at most 20)")
		}
		t.Parameters = make(map[string]string, len(q))
		for k, v := range q {
			if len(v) != 1 || k == "" || v[0] == "" {
				return fmt.Errorf("window template parameter %q needs exactly one non-empty value", k)
			}
			t.Parameters[k] = v[0]
		}
	}
	if c.Mode != ModeSend {
		return errors.New("a window template is sent only in send mode (--mode send)")
	}
	c.windowTemplate = t
	return nil
}

// Validate checks the configuration and normalises URLs.
func (c *Config) Validate() error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	c.SwitchboardURL = strings.TrimRight(c.SwitchboardURL, "/")
	c.LLMURL = strings.TrimRight(c.LLMURL, "/")
	check(validHTTPURL(c.SwitchboardURL), "the Switchboard URL %q must be an http:// or https:// URL", c.SwitchboardURL)
	check(c.Token != "", "an API token of the bot's service account is needed (SWITCHBOARD_BOT_TOKEN or --token-file)")
	check(c.LLMURL != "" && c.Model != "", "the bot calls no model unless both --llm-url and --model are set")
	if c.LLMURL != "" {
		check(validHTTPURL(c.LLMURL), "the LLM URL %q must be an http:// or https:// URL", c.LLMURL)
	}
	check(c.Mode == ModeSuggest || c.Mode == ModeSend, "mode %q must be suggest or send", c.Mode)
	check(c.Threshold >= 0 && c.Threshold <= 1, "confidence threshold %v must be between 0 and 1", c.Threshold)
	check(c.MaxFailures >= 1 && c.MaxFailures <= 10, "max failures %d must be between 1 and 10", c.MaxFailures)
	check(c.LLMTimeout > 0 && c.LLMTimeout <= 10*time.Minute, "LLM timeout %v must be above 0 and at most 10m", c.LLMTimeout)
	check(c.APITimeout > 0 && c.APITimeout <= 5*time.Minute, "API timeout %v must be above 0 and at most 5m", c.APITimeout)
	check(c.RetryDelay >= 0 && c.RetryDelay <= time.Minute, "retry delay %v must be between 0 and 1m", c.RetryDelay)
	check(c.History >= 1 && c.History <= MaxHistory, "history %d must be between 1 and %d messages", c.History, MaxHistory)
	check(c.Concurrency >= 1 && c.Concurrency <= 64, "concurrency %d must be between 1 and 64", c.Concurrency)
	if c.WebhookAddr != "" {
		check(c.WebhookSecret != "", "receiving webhooks needs the subscription's secret (SWITCHBOARD_BOT_WEBHOOK_SECRET)")
	}
	if err := c.parseWindowTemplate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func validHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil
}

// chatURL is the chat-completions endpoint under LLMURL.
func (c *Config) chatURL() string {
	switch {
	case strings.HasSuffix(c.LLMURL, "/chat/completions"):
		return c.LLMURL
	case strings.HasSuffix(c.LLMURL, "/v1"):
		return c.LLMURL + "/chat/completions"
	}
	return c.LLMURL + "/v1/chat/completions"
}
