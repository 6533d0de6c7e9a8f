package aibot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Reasons the bot hands a conversation to people, sent as the hand-off's
// reason (docs/automation.md, "Hand-off rules"); the summary explains
// the details.
const (
	ReasonCustomerAsked = "customer_asked" // the customer asked for a person (as the server's own rule)
	ReasonModelAsked    = "model_asked"    // the model's answer asked for a hand-off
	ReasonLowConfidence = "low_confidence" // the model's confidence was below the threshold, or unknown when sending
	ReasonRefusal       = "refusal"        // the model refused to answer
	ReasonLLMError      = "llm_error"      // the model failed (error, timeout, unusable answer) max-failures times
	ReasonWindowClosed  = "window_closed"  // the 24-hour window closed; only a template can reach the customer
	ReasonSendFailed    = "send_failed"    // the reply or suggestion could not be stored
)

// catchUpWindow is how far back the bot looks, when it connects, for
// conversations whose customer is still waiting for an answer: the
// customer-service window, after which no free-form reply is possible.
const catchUpWindow = 24 * time.Hour

// Bot answers customers in conversations handled by the bot.
type Bot struct {
	cfg       Config
	log       *slog.Logger
	api       *client
	llm       *llm
	system    *textFile
	knowledge *textFile

	// me is the bot's own user (its service account).
	me *user

	sem chan struct{} // bounds conversations in progress

	mu       sync.Mutex
	channels map[string]string // channel id → bot agent id
	chanAt   time.Time
	work     map[string]*convWork // conversations queued or in progress
	answered map[string]string    // conversation id → newest customer message handled
	wg       sync.WaitGroup
	// botTurns is set once the server sent a handoff.bot_turn event.
	botTurns atomic.Bool
	ready    chan struct{}
	once     sync.Once
}

// convWork is one conversation's queue: at most one answer runs at a time,
// and events arriving meanwhile make it run once more afterwards.
type convWork struct{ again bool }

// New checks the configuration and returns a bot; Run starts it.
func New(cfg Config, log *slog.Logger) (*Bot, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &Bot{
		cfg: cfg, log: log,
		api: &client{base: cfg.SwitchboardURL, token: cfg.Token, http: &http.Client{Timeout: cfg.APITimeout}},
		llm: &llm{url: cfg.chatURL(), model: cfg.Model, key: cfg.APIKey, jsonMode: cfg.JSONMode,
			// The per-request timeout is the context's; this is a backstop.
			http: &http.Client{Timeout: cfg.LLMTimeout + 5*time.Second}},
		system:    &textFile{path: cfg.SystemPromptFile, def: DefaultSystemPrompt},
		knowledge: &textFile{path: cfg.KnowledgeFile},
		sem:       make(chan struct{}, cfg.Concurrency),
		work:      map[string]*convWork{},
		answered:  map[string]string{},
		ready:     make(chan struct{}),
	}
	for _, f := range []*textFile{b.system, b.knowledge} {
		if f.path == "" {
			continue
		}
		if _, err := readBounded(f.path); err != nil {
			return nil, fmt.Errorf("read %s: %w", f.path, err)
		}
		f.get(true)
	}
	return b, nil
}

// Ready is closed once the bot receives events.
func (b *Bot) Ready() <-chan struct{} { return b.ready }

func (b *Bot) connected(ctx context.Context) {
	b.once.Do(func() { close(b.ready) })
	// Customers who wrote while the bot was away are answered now.
	b.wg.Go(func() { b.catchUp(ctx) })
}

// Reload re-reads the system prompt and knowledge files (on SIGHUP).
func (b *Bot) Reload() {
	for _, f := range []*textFile{b.system, b.knowledge} {
		if f.path == "" {
			continue
		}
		if _, ev := f.get(true); ev != "" {
			b.log.Warn("bot: text file "+ev, "file", f.path)
		} else {
			b.log.Info("bot: text file re-read", "file", f.path)
		}
	}
}

// Run receives events until ctx ends and waits for answers in progress.
// It returns an error when the bot cannot work at all: its token is
// refused, or (at the start) Switchboard cannot be reached.
func (b *Bot) Run(ctx context.Context) error {
	me, err := b.api.me(ctx)
	if err != nil {
		if statusOf(err) == http.StatusUnauthorized {
			return errTokenRefused
		}
		return fmt.Errorf("reach switchboard at %s: %w", b.cfg.SwitchboardURL, err)
	}
	b.me = me
	b.log.Info("bot: started", "user_id", me.ID, "mode", b.cfg.Mode, "model", b.cfg.Model, "threshold", b.cfg.Threshold)
	defer b.wg.Wait()
	if b.cfg.WebhookAddr != "" {
		return b.serveWebhooks(ctx)
	}
	return b.streamEvents(ctx, func(e event) { b.onEvent(ctx, e) })
}

// onEvent queues the conversation of an event the bot may have to answer.
func (b *Bot) onEvent(ctx context.Context, e event) {
	b.log.Debug("bot: event", "type", e.Type, "id", e.ID, "conversation_id", e.ConversationID)
	switch e.Type {
	case "handoff.bot_turn":
		// The server's "your turn": a customer wrote in a conversation
		// the bot handles.
		b.botTurns.Store(true)
	case "message.created":
		// Servers that send bot_turn events say the same more precisely;
		// otherwise only customers' messages need an answer.
		if b.botTurns.Load() || !strings.Contains(string(e.Data), `"direction":"in"`) {
			return
		}
	case "handoff.to_bot":
		// Handed (back) to the bot: answer a customer still waiting.
	case "resync":
		b.wg.Go(func() { b.catchUp(ctx) })
		return
	default:
		return
	}
	id := e.ConversationID
	if id == "" {
		// The hand-off events carry the conversation in their data.
		var d struct {
			Conversation struct {
				ID string `json:"id"`
			} `json:"conversation"`
		}
		_ = json.Unmarshal(e.Data, &d)
		id = d.Conversation.ID
	}
	if id != "" && len(id) <= 64 {
		b.enqueue(ctx, id)
	}
}

// catchUp queues recent open conversations whose newest message is the
// customer's.
func (b *Bot) catchUp(ctx context.Context) {
	lctx, cancel := context.WithTimeout(ctx, 4*b.cfg.APITimeout)
	defer cancel()
	items, err := b.api.recentOpen(lctx, time.Now().Add(-catchUpWindow), 500)
	if err != nil {
		b.log.Warn("bot: listing waiting conversations failed", "err", err)
	}
	b.log.Debug("bot: looked for waiting customers", "conversations", len(items))
	for _, it := range items {
		if it.Handler == "bot" && it.LastMessage != nil && it.LastMessage.Direction == "in" {
			b.enqueue(ctx, it.ID)
		}
	}
}

// enqueue starts working on a conversation, or marks a running one to run
// again when it is done: at most one answer per conversation at a time.
func (b *Bot) enqueue(ctx context.Context, convID string) {
	b.mu.Lock()
	if w, ok := b.work[convID]; ok {
		w.again = true
		b.mu.Unlock()
		return
	}
	w := &convWork{}
	b.work[convID] = w
	b.mu.Unlock()
	b.wg.Go(func() {
		for {
			select {
			case b.sem <- struct{}{}:
			case <-ctx.Done():
				b.mu.Lock()
				delete(b.work, convID)
				b.mu.Unlock()
				return
			}
			b.handle(ctx, convID)
			<-b.sem
			b.mu.Lock()
			if !w.again || ctx.Err() != nil {
				delete(b.work, convID)
				b.mu.Unlock()
				return
			}
			w.again = false
			b.mu.Unlock()
		}
	})
}

// botChannel reports whether the bot is the bot agent of a channel. The
// channel list is cached for a short while.
func (b *Bot) botChannel(ctx context.Context, channelID string) (bool, error) {
	b.mu.Lock()
	agent, known := b.channels[channelID]
	fresh := time.Since(b.chanAt) < 30*time.Second
	b.mu.Unlock()
	if !known || !fresh {
		chs, err := b.api.channels(ctx)
		if err != nil {
			return false, err
		}
		m := make(map[string]string, len(chs))
		for _, c := range chs {
			m[c.ID] = c.BotAgentID
		}
		b.mu.Lock()
		b.channels, b.chanAt = m, time.Now()
		b.mu.Unlock()
		agent = m[channelID]
	}
	return agent != "" && agent == b.me.ID, nil
}

// handle answers a conversation's newest customer messages, or hands the
// conversation to people. Failures are logged with ids only.
func (b *Bot) handle(ctx context.Context, convID string) {
	log := b.log.With("conversation_id", convID)
	actx, cancel := context.WithTimeout(ctx, b.cfg.APITimeout)
	conv, err := b.api.conversation(actx, convID)
	cancel()
	if err != nil {
		if statusOf(err) != http.StatusNotFound {
			log.Warn("bot: reading the conversation failed", "err", err)
		}
		return
	}
	if conv.Handler != "bot" || conv.Status != "open" {
		log.Debug("bot: not the bot's turn", "handler", conv.Handler, "status", conv.Status)
		return
	}
	actx, cancel = context.WithTimeout(ctx, b.cfg.APITimeout)
	mine, err := b.botChannel(actx, conv.ChannelID)
	cancel()
	if err != nil {
		log.Warn("bot: reading the channels failed", "err", err)
		return
	}
	if !mine {
		log.Debug("bot: not a channel of this bot", "channel_id", conv.ChannelID)
		return
	}
	actx, cancel = context.WithTimeout(ctx, b.cfg.APITimeout)
	hist, err := b.api.history(actx, convID, b.cfg.History)
	cancel()
	if err != nil {
		log.Warn("bot: reading the history failed", "err", err)
		return
	}
	// Nothing to answer unless the newest message is the customer's.
	if len(hist) == 0 || hist[0].Direction != "in" {
		log.Debug("bot: no customer message waiting")
		return
	}
	newest := hist[0].ID
	b.mu.Lock()
	done := b.answered[convID] == newest
	b.mu.Unlock()
	if done {
		return
	}
	log = log.With("message_id", newest)
	b.decide(ctx, log, convID, hist)
	b.mu.Lock()
	if len(b.answered) > 10000 {
		clear(b.answered)
	}
	b.answered[convID] = newest
	b.mu.Unlock()
}

// decide applies the hand-off rules and answers.
func (b *Bot) decide(ctx context.Context, log *slog.Logger, convID string, hist []message) {
	// The customer's messages since the business last wrote.
	var waiting []message
	for _, m := range hist {
		if m.Direction != "in" {
			break
		}
		waiting = append(waiting, m)
	}
	for _, m := range waiting {
		if m.Type == "text" && asksForPerson(m.Content.Text) {
			b.handoff(ctx, log, convID, ReasonCustomerAsked, summaryOf(waiting, "The customer asked to talk to a person."))
			return
		}
	}

	system, ev := b.system.get(false)
	if ev != "" {
		log.Warn("bot: system prompt file "+ev, "file", b.system.path)
	}
	knowledge, ev := b.knowledge.get(false)
	if ev != "" {
		log.Warn("bot: knowledge file "+ev, "file", b.knowledge.path)
	}
	msgs := buildMessages(system, knowledge, hist)

	var a answer
	for attempt := 1; ; attempt++ {
		lctx, cancel := context.WithTimeout(ctx, b.cfg.LLMTimeout)
		start := time.Now()
		text, err := b.llm.complete(lctx, msgs)
		timedOut := lctx.Err() == context.DeadlineExceeded
		cancel()
		if ctx.Err() != nil {
			return
		}
		if errors.Is(err, errRefused) {
			log.Info("bot: the model refused", "attempt", attempt)
			b.handoff(ctx, log, convID, ReasonRefusal, summaryOf(waiting, "The model refused to answer."))
			return
		}
		if err == nil {
			a = parseAnswer(text)
			if a.Reply != "" || a.Handoff {
				log.Info("bot: the model answered", "attempt", attempt, "confidence", a.Confidence, "handoff", a.Handoff, "took", time.Since(start).Round(time.Millisecond))
				break
			}
			err = errors.New("the answer has no reply")
		}
		if timedOut {
			err = fmt.Errorf("no answer within %v", b.cfg.LLMTimeout)
		}
		log.Warn("bot: the model failed", "attempt", attempt, "of", b.cfg.MaxFailures, "err", err)
		if attempt >= b.cfg.MaxFailures {
			b.handoff(ctx, log, convID, ReasonLLMError,
				summaryOf(waiting, fmt.Sprintf("The model failed %d times (last: %s).", attempt, truncate(err.Error(), 200))))
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(b.cfg.RetryDelay << (attempt - 1)):
		}
	}

	switch {
	case a.Handoff:
		what := "The model asked for a person"
		if a.Reason != "" {
			what += ": " + truncate(a.Reason, 300)
		}
		b.handoff(ctx, log, convID, ReasonModelAsked, withSummary(what+".", a.Summary, waiting))
		return
	case a.Confidence >= 0 && a.Confidence < b.cfg.Threshold:
		b.draft(ctx, log, convID, a)
		b.handoff(ctx, log, convID, ReasonLowConfidence,
			withSummary(fmt.Sprintf("The model's confidence %.2f is below %.2f; its draft is a suggestion.", a.Confidence, b.cfg.Threshold), a.Summary, waiting))
		return
	case a.Confidence < 0 && b.cfg.Mode == ModeSend && b.cfg.Threshold > 0:
		// A plain-text answer says nothing about confidence: it is
		// offered to people as a suggestion rather than sent unchecked.
		b.draft(ctx, log, convID, a)
		b.handoff(ctx, log, convID, ReasonLowConfidence,
			withSummary("The model gave no confidence; its draft is a suggestion.", a.Summary, waiting))
		return
	}
	reply := truncate(a.Reply, MaxReplyChars)
	actx, cancel := context.WithTimeout(ctx, b.cfg.APITimeout)
	defer cancel()
	if b.cfg.Mode == ModeSuggest {
		if err := b.api.suggest(actx, convID, reply, b.rationale(a)); err != nil {
			log.Warn("bot: storing the suggestion failed", "err", err)
			b.handoff(ctx, log, convID, ReasonSendFailed, summaryOf(waiting, "The bot's suggestion could not be stored."))
			return
		}
		log.Info("bot: suggested a reply")
		return
	}
	err := b.api.send(actx, convID, reply, "aibot-"+hist[0].ID)
	switch {
	case err == nil:
		log.Info("bot: sent a reply")
	case codeOf(err) == "window_closed":
		log.Info("bot: the 24-hour window is closed")
		summary := "The 24-hour window is closed: only a template can reach the customer now."
		if t := b.cfg.windowTemplate; t != nil {
			// The template reopens the conversation: when the customer
			// answers it, the window is open and the bot answers again.
			terr := b.api.sendTemplate(actx, convID, t, "aibot-template-"+hist[0].ID)
			if terr == nil {
				log.Info("bot: sent the window template", "template", t.Name, "language", t.Language)
				return
			}
			if statusOf(terr) == http.StatusForbidden {
				log.Warn("bot: not allowed to send the window template; people handle the conversation", "err", terr)
				return
			}
			log.Warn("bot: sending the window template failed", "template", t.Name, "err", terr)
			summary = "The 24-hour window is closed and the template " + t.Name + " (" + t.Language + ") could not be sent (" + truncate(terr.Error(), 300) + ")."
		}
		b.draft(ctx, log, convID, a)
		b.handoff(ctx, log, convID, ReasonWindowClosed, withSummary(summary, a.Summary, waiting))
	case statusOf(err) == http.StatusForbidden:
		// People took the conversation over meanwhile (or the bot's
		// role lacks the reply permission): they answer.
		log.Warn("bot: not allowed to send; people handle the conversation", "err", err)
	default:
		log.Warn("bot: sending the reply failed", "err", err)
		b.draft(ctx, log, convID, a)
		b.handoff(ctx, log, convID, ReasonSendFailed, withSummary("The bot's reply could not be sent.", a.Summary, waiting))
	}
}

// rationale says where a suggestion comes from and how sure the model was.
func (b *Bot) rationale(a answer) string {
	r := fmt.Sprintf("AI reply bot (%s)", b.cfg.Model)
	if a.Confidence >= 0 {
		r += fmt.Sprintf(", confidence %.2f", a.Confidence)
	} else {
		r += ", confidence unknown"
	}
	if a.Reason != "" {
		r += ": " + truncate(a.Reason, 200)
	}
	return r
}

// draft leaves the model's reply, which the bot does not send itself, as
// a suggestion for the people it hands off to. Failing to is not worth a
// hand-off of its own.
func (b *Bot) draft(ctx context.Context, log *slog.Logger, convID string, a answer) {
	if a.Reply == "" {
		return
	}
	actx, cancel := context.WithTimeout(ctx, b.cfg.APITimeout)
	defer cancel()
	if err := b.api.suggest(actx, convID, truncate(a.Reply, MaxReplyChars), b.rationale(a)); err != nil {
		log.Warn("bot: storing the draft as a suggestion failed", "err", err)
	}
}

// handoff hands the conversation to people. A conversation that is no
// longer the bot's (a person took it meanwhile) answers 409 or similar,
// which is fine.
func (b *Bot) handoff(ctx context.Context, log *slog.Logger, convID, reason, summary string) {
	actx, cancel := context.WithTimeout(ctx, b.cfg.APITimeout)
	defer cancel()
	if err := b.api.handoff(actx, convID, reason, truncate(summary, 2000)); err != nil {
		if statusOf(err) == http.StatusForbidden || statusOf(err) == http.StatusConflict {
			// People handle it already (the server's own keyword rule,
			// or someone took over meanwhile).
			log.Info("bot: people handle the conversation already", "reason", reason)
			return
		}
		log.Warn("bot: hand-off failed", "reason", reason, "err", err)
		return
	}
	log.Info("bot: handed off to people", "reason", reason)
}

// summaryOf is a short summary for people when the model gave none: what
// happened and the customer's waiting messages, cut short.
func summaryOf(waiting []message, what string) string {
	var sb strings.Builder
	sb.WriteString(what)
	if len(waiting) > 0 {
		sb.WriteString(" Last customer message: “")
		sb.WriteString(truncate(historyText(waiting[0]), 300))
		sb.WriteString("”")
	}
	return sb.String()
}

// withSummary puts what happened before the model's summary, or before
// the customer's waiting message when the model gave none.
func withSummary(what, modelSummary string, waiting []message) string {
	if m := strings.TrimSpace(modelSummary); m != "" {
		return what + " " + truncate(m, 1500)
	}
	return summaryOf(waiting, what)
}
