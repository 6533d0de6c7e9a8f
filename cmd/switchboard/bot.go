package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/switchboardhq/switchboard/internal/aibot"
)

// groupBot is the settings of `switchboard bot`.
const groupBot settingGroup = 1 << 20

// botSettings are the flags of `switchboard bot`, each with a
// SWITCHBOARD_BOT_* environment twin; secrets also come from files.
func botSettings(c *aibot.Config, tokenFile, keyFile, secretFile *string) ([]setting, map[string]any) {
	s := []setting{
		{"url", "SWITCHBOARD_BOT_URL", "http://127.0.0.1:8080", "Switchboard's base URL", groupBot},
		{"token", "SWITCHBOARD_BOT_TOKEN", "", "API token of the bot's service account (prefer the environment or --token-file over the flag)", groupBot},
		{"token-file", "SWITCHBOARD_BOT_TOKEN_FILE", "", "file holding the API token", groupBot},
		{"llm-url", "SWITCHBOARD_BOT_LLM_URL", "", "base URL of an OpenAI-compatible API, e.g. http://127.0.0.1:11434/v1 (Ollama) or https://api.openai.com/v1; nothing is sent to any model unless set", groupBot},
		{"model", "SWITCHBOARD_BOT_MODEL", "", "model name, e.g. llama3.1 or gpt-4o-mini", groupBot},
		{"llm-api-key", "SWITCHBOARD_BOT_LLM_API_KEY", "", "API key of the model's server, if it needs one (prefer the environment or --llm-api-key-file over the flag); never logged", groupBot},
		{"llm-api-key-file", "SWITCHBOARD_BOT_LLM_API_KEY_FILE", "", "file holding the model server's API key", groupBot},
		{"llm-json", "SWITCHBOARD_BOT_LLM_JSON", "true", "ask the model for a JSON object (response_format json_object); turn off for servers that reject it", groupBot},
		{"system-prompt-file", "SWITCHBOARD_BOT_SYSTEM_PROMPT_FILE", "", "file with the system prompt (re-read when it changes and on SIGHUP); empty for the built-in prompt", groupBot},
		{"knowledge-file", "SWITCHBOARD_BOT_KNOWLEDGE_FILE", "", "file with the knowledge the bot answers from: opening hours, prices, policies (re-read when it changes and on SIGHUP)", groupBot},
		{"mode", "SWITCHBOARD_BOT_MODE", "suggest", "suggest (people send, edit or discard the bot's drafts) or send (the bot answers customers itself)", groupBot},
		{"threshold", "SWITCHBOARD_BOT_THRESHOLD", "0.6", "lowest confidence (0 to 1) the bot acts on; below it the conversation goes to people", groupBot},
		{"max-failures", "SWITCHBOARD_BOT_MAX_FAILURES", "3", "model failures (errors, timeouts, unusable answers) for one message before the bot hands off", groupBot},
		{"llm-timeout", "SWITCHBOARD_BOT_LLM_TIMEOUT", "30s", "time one model request may take", groupBot},
		{"api-timeout", "SWITCHBOARD_BOT_API_TIMEOUT", "15s", "time one Switchboard request may take", groupBot},
		{"retry-delay", "SWITCHBOARD_BOT_RETRY_DELAY", "1s", "pause before retrying a failed model request, doubling per attempt", groupBot},
		{"history", "SWITCHBOARD_BOT_HISTORY", "20", "newest messages of the conversation sent to the model (1 to 200)", groupBot},
		{"concurrency", "SWITCHBOARD_BOT_CONCURRENCY", "4", "conversations answered at once (each conversation has at most one answer in progress)", groupBot},
		{"webhook-addr", "SWITCHBOARD_BOT_WEBHOOK_ADDR", "", "receive events as signed outgoing webhooks on this address (e.g. 127.0.0.1:8090) instead of over the WebSocket", groupBot},
		{"webhook-secret", "SWITCHBOARD_BOT_WEBHOOK_SECRET", "", "the webhook subscription's signing secret (prefer the environment or --webhook-secret-file)", groupBot},
		{"webhook-secret-file", "SWITCHBOARD_BOT_WEBHOOK_SECRET_FILE", "", "file holding the webhook subscription's signing secret", groupBot},
		{"window-template", "SWITCHBOARD_BOT_WINDOW_TEMPLATE", "", "in send mode, the approved template (name:language, e.g. order_update:de) sent when the customer's 24-hour window has closed, instead of handing off", groupBot},
		{"window-template-params", "SWITCHBOARD_BOT_WINDOW_TEMPLATE_PARAMS", "", "the window template's placeholder values as key=value pairs joined by &, e.g. body.1=Tina&body.2=4711", groupBot},
	}
	dst := map[string]any{
		"url": &c.SwitchboardURL, "token": &c.Token, "token-file": tokenFile,
		"llm-url": &c.LLMURL, "model": &c.Model, "llm-api-key": &c.APIKey, "llm-api-key-file": keyFile, "llm-json": &c.JSONMode,
		"system-prompt-file": &c.SystemPromptFile, "knowledge-file": &c.KnowledgeFile,
		"mode": &c.Mode, "threshold": &c.Threshold, "max-failures": &c.MaxFailures,
		"llm-timeout": &c.LLMTimeout, "api-timeout": &c.APITimeout, "retry-delay": &c.RetryDelay,
		"history": &c.History, "concurrency": &c.Concurrency,
		"webhook-addr": &c.WebhookAddr, "webhook-secret": &c.WebhookSecret, "webhook-secret-file": secretFile,
		"window-template": &c.WindowTemplate, "window-template-params": &c.WindowTemplateParams,
	}
	return s, dst
}

// parseBotConfig reads the bot's flags and environment.
func parseBotConfig(args []string, getenv func(string) string, out io.Writer) (*Config, *aibot.Config, error) {
	var (
		bc                             aibot.Config
		tokenFile, keyFile, secretFile string
		regErr                         error
	)
	list, dst := botSettings(&bc, &tokenFile, &keyFile, &secretFile)
	// Secrets from the environment are not flag defaults, so that --help
	// never prints them; they fill in after parsing.
	secrets := map[string]*string{"SWITCHBOARD_BOT_TOKEN": &bc.Token, "SWITCHBOARD_BOT_LLM_API_KEY": &bc.APIKey, "SWITCHBOARD_BOT_WEBHOOK_SECRET": &bc.WebhookSecret}
	public := func(k string) string {
		if _, ok := secrets[k]; ok {
			return ""
		}
		return getenv(k)
	}
	c, _, err := parseConfig("bot", groupLog, args, getenv, func(fs *flag.FlagSet) {
		regErr = registerSettings(fs, fs, groupBot, list, dst, public)
	}, out)
	if regErr != nil {
		return nil, nil, regErr
	}
	if err != nil {
		return nil, nil, err
	}
	for env, p := range secrets {
		if *p == "" {
			*p = getenv(env)
		}
	}
	for _, f := range []struct {
		file string
		dst  *string
		what string
	}{{tokenFile, &bc.Token, "token"}, {keyFile, &bc.APIKey, "LLM API key"}, {secretFile, &bc.WebhookSecret, "webhook secret"}} {
		if f.file == "" {
			continue
		}
		b, err := os.ReadFile(f.file)
		if err != nil {
			return nil, nil, fmt.Errorf("read the %s file: %w", f.what, err)
		}
		*f.dst = strings.TrimSpace(string(b))
	}
	if err := bc.Validate(); err != nil {
		return nil, nil, err
	}
	return c, &bc, nil
}

// runBot runs `switchboard bot`, the AI reply bot (internal/aibot), until
// ctx ends. SIGHUP re-reads the system prompt and knowledge files.
func runBot(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	c, bc, err := parseBotConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	b, err := aibot.New(*bc, newLogger(c, stderr))
	if err != nil {
		return err
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				b.Reload()
			}
		}
	}()
	return b.Run(ctx)
}
