package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/inbox"
	"github.com/switchboardhq/switchboard/internal/whatsapp"
)

// MediaReader opens a stored file decrypted, for uploading it to Meta.
type MediaReader interface {
	ReadMedia(ctx context.Context, id string) (*switchboard.MediaFile, io.ReadCloser, error)
}

// ResultPublisher tells users that a message changed.
type ResultPublisher interface {
	Published(ctx context.Context, r *switchboard.StatusResult)
}

// SenderStore is what the sender needs from storage.
type SenderStore interface {
	switchboard.Outbox
	Channel(ctx context.Context, id string) (*switchboard.Channel, error)
	Templates(ctx context.Context, channelID string) ([]*switchboard.Template, error)
	UpdateChannelHealth(ctx context.Context, channelID string, u switchboard.HealthUpdate) error
}

// Sender delivers the outbox through the Graph API within Meta's limits: a
// token bucket per channel (Meta's throughput, 80 messages/s by default), a
// per-recipient bucket shaped like Meta's pair limit, per-conversation order
// (the store hands out one message per conversation at a time), retries with
// backoff for temporary failures, and no silent resend of a send whose
// outcome is unknown.
type Sender struct {
	Store   SenderStore
	Results ResultPublisher
	Media   MediaReader
	// Client returns the Graph API client for a channel (Meta, or the
	// emulator for emulated channels).
	Client func(ch *switchboard.Channel) *whatsapp.Client
	Logger *slog.Logger
	Now    func() time.Time

	// Rate is the per-channel message rate (default 80/s, at most 1,000).
	Rate float64
	// PairRate and PairBurst shape messages to one recipient (default one
	// every 6 s with bursts of 45, Meta's pair limit).
	PairRate  rate.Limit
	PairBurst int
	// MaxAttempts bounds retries of temporary failures (default 10).
	MaxAttempts int
	Workers     int           // concurrent sends (default 16)
	Lease       time.Duration // claim duration (default 2 minutes)
	Poll        time.Duration // idle poll interval (default 500 ms)
	Backoff     whatsapp.Backoff
	// Slots, when set, spaces each channel's sends through the store, so
	// every instance on one PostgreSQL database together keeps the rate
	// (docs/deploy.md, "Several instances"); nil paces this process alone,
	// in memory, as a single instance needs.
	Slots switchboard.SendSlots
	// Sleep waits d or until ctx ends (default a timer); tests replace it
	// to control time.
	Sleep func(ctx context.Context, d time.Duration) error
	// Outcome, when set, is told each attempt's outcome: "sent", "failed",
	// "unknown" or "retry" (for metrics).
	Outcome func(outcome string)

	once      sync.Once
	wake      chan struct{}
	receipts  chan receipt
	mu        sync.Mutex
	channels  map[string]*rate.Limiter
	full      map[string]rate.Limit // each channel's unthrottled pacing
	throttled map[string]time.Time  // channels slowed down after 130429, since when
	pairs     map[string]*rate.Limiter
	sem       chan struct{}
}

func (s *Sender) init() {
	s.once.Do(func() {
		s.wake = make(chan struct{}, 1)
		s.receipts = make(chan receipt, 256)
		s.channels = map[string]*rate.Limiter{}
		s.full = map[string]rate.Limit{}
		s.throttled = map[string]time.Time{}
		s.pairs = map[string]*rate.Limiter{}
		if s.Logger == nil {
			s.Logger = slog.New(slog.DiscardHandler)
		}
		if s.Now == nil {
			s.Now = func() time.Time { return time.Now().UTC() }
		}
		if s.Sleep == nil {
			s.Sleep = sleep
		}
		if s.Rate <= 0 {
			s.Rate = 80
		}
		s.Rate = min(s.Rate, 1000)
		if s.PairRate <= 0 {
			s.PairRate = rate.Every(6 * time.Second)
		}
		if s.PairBurst <= 0 {
			s.PairBurst = 45
		}
		if s.MaxAttempts <= 0 {
			s.MaxAttempts = 10
		}
		if s.Workers <= 0 {
			s.Workers = 16
		}
		if s.Lease <= 0 {
			s.Lease = 2 * time.Minute
		}
		if s.Poll <= 0 {
			s.Poll = 500 * time.Millisecond
		}
		s.sem = make(chan struct{}, s.Workers)
	})
}

// Notify wakes the sender because a message was queued. It never blocks.
func (s *Sender) Notify() {
	s.init()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run sends until ctx ends; sends in flight finish first.
func (s *Sender) Run(ctx context.Context) error {
	s.init()
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.sendReceipts(ctx)
	}()
	t := time.NewTicker(s.Poll)
	defer t.Stop()
	for {
		// Claim only as many as there are free workers, so claimed messages
		// do not sit leased while others wait.
		free := s.Workers - len(s.sem)
		var items []*switchboard.OutboxItem
		if free > 0 {
			var err error
			items, err = s.Store.ClaimOutbox(ctx, free, 0, s.Lease, s.Now())
			if err != nil && ctx.Err() == nil {
				s.Logger.Error("claim outbox", "err", err)
			}
		}
		for _, it := range items {
			s.sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer func() { <-s.sem; wg.Done() }()
				s.deliver(context.WithoutCancel(ctx), it)
				s.Notify() // a conversation's next message may be ready now
			}()
		}
		if len(items) > 0 && len(items) == free {
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.wake:
		case <-t.C:
			s.speedUp()
		}
	}
}

// channelLimiter returns the pacing of a channel: its throughput (Rate,
// or switchboard.CoexistenceMPS for a coexistence number when that is
// lower), of which it uses 99 %. A channel switched to or from
// coexistence is paced anew.
func (s *Sender) channelLimiter(ch *switchboard.Channel) *rate.Limiter {
	full := s.fullRate(ch)
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.channels[ch.ID]
	if l == nil || s.full[ch.ID] != full {
		// Burst 1 spaces messages evenly; pacing at 99% of the allowed rate
		// leaves room for network jitter, so no one-second window at Meta
		// sees more than the allowed messages.
		l = rate.NewLimiter(full, 1)
		s.channels[ch.ID], s.full[ch.ID] = l, full
		delete(s.throttled, ch.ID)
	}
	return l
}

// pace waits until the channel may send again: on the channel's limiter,
// or, with Slots, until a send slot claimed in the shared store, spaced by
// the limiter's current rate (lowered after Meta's 130429 like the
// limiter's own).
func (s *Sender) pace(ctx context.Context, ch *switchboard.Channel) error {
	l := s.channelLimiter(ch)
	if s.Slots == nil {
		return l.Wait(ctx)
	}
	interval := time.Duration(float64(time.Second) / float64(l.Limit()))
	now := s.Now()
	at, err := s.Slots.ClaimSendSlot(ctx, ch.ID, interval, now)
	if err != nil {
		return err
	}
	if d := at.Sub(now); d > 0 {
		return s.Sleep(ctx, d)
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// fullRate is the pacing of a channel that Meta has not throttled.
func (s *Sender) fullRate(ch *switchboard.Channel) rate.Limit {
	mps := s.Rate
	if ch.Coexistence {
		mps = min(mps, switchboard.CoexistenceMPS)
	}
	return rate.Limit(mps * 0.99)
}

// slowDown lowers a channel's rate by a tenth after Meta answered 130429
// (throughput exceeded): Meta counts inbound messages and its own clock
// seconds, so pacing alone can overshoot. The rate recovers slowly in
// speedUp.
func (s *Sender) slowDown(ch *switchboard.Channel) {
	channelID := ch.ID
	l := s.channelLimiter(ch)
	l.SetLimit(max(l.Limit()*0.9, 1))
	s.mu.Lock()
	s.throttled[channelID] = s.Now()
	s.mu.Unlock()
}

// speedUp raises throttled channels' rates by 2% when they had no 130429
// for ten seconds, back up to the configured pacing.
func (s *Sender) speedUp() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, since := range s.throttled {
		if s.Now().Sub(since) < 10*time.Second {
			continue
		}
		l, full := s.channels[id], s.full[id]
		if next := l.Limit() * 1.02; next < full {
			l.SetLimit(next)
			s.throttled[id] = s.Now().Add(-9 * time.Second) // again in a second
		} else {
			l.SetLimit(full)
			delete(s.throttled, id)
		}
	}
}

func (s *Sender) pairLimiter(channelID, waID string) *rate.Limiter {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := channelID + ":" + waID
	l := s.pairs[key]
	if l == nil {
		if len(s.pairs) > 100_000 {
			s.pairs = map[string]*rate.Limiter{} // bounded memory; limits restart full
		}
		l = rate.NewLimiter(s.PairRate, s.PairBurst)
		s.pairs[key] = l
	}
	return l
}

// deliver sends one message and records the outcome. It runs without the
// caller's cancellation so a shutdown does not strand a send half-recorded.
func (s *Sender) deliver(ctx context.Context, it *switchboard.OutboxItem) {
	m, conv := it.Message, it.Conversation
	log := s.Logger.With("message", m.ID, "attempt", it.Attempts)
	if it.Dispatched {
		// A previous attempt was claimed and never resolved after its
		// request had left: the process died mid-send. It may have reached
		// Meta, so flag it for a person instead of sending twice.
		s.record(ctx, log, "unknown", func() (*switchboard.StatusResult, error) { return s.Store.MarkSendUnknown(ctx, m.ID, s.Now()) })
		return
	}
	if it.Expired {
		// The previous attempt ended before its request left: nothing
		// reached Meta, so this one simply sends.
		log.Info("previous send attempt ended before its request left; sending")
	}
	ch, err := s.Store.Channel(ctx, conv.ChannelID)
	if err != nil {
		log.Error("load channel", "err", err)
		s.retry(ctx, log, it, 0, err)
		return
	}
	if r := s.pairLimiter(ch.ID, recipientKey(conv.Contact)).Reserve(); r.Delay() > 0 {
		// Over the pair limit: wait without counting an attempt.
		d := r.Delay()
		r.Cancel()
		if err := s.Store.RetrySend(ctx, m.ID, it.Attempts-1, s.Now().Add(d)); err != nil {
			log.Error("reschedule send", "err", err)
			return
		}
		time.AfterFunc(d, s.Notify)
		return
	}
	if err := s.pace(ctx, ch); err != nil {
		if ctx.Err() == nil {
			log.Error("pace send", "err", err)
			s.retry(ctx, log, it, 0, err)
		}
		return
	}
	client := s.Client(ch)
	msg, err := s.build(ctx, client, ch, it)
	if err != nil {
		s.handleError(ctx, log, it, ch, err)
		return
	}
	// From here on the message may reach Meta: a claim that runs out
	// after this mark is "outcome unknown", one before it is resent.
	if err := s.Store.MarkDispatched(ctx, m.ID); err != nil {
		log.Error("mark send dispatched", "err", err)
		s.retry(ctx, log, it, 0, err)
		return
	}
	res, err := client.SendMessage(ctx, ch.AccessToken, ch.PhoneNumberID, msg)
	if err != nil {
		s.handleError(ctx, log, it, ch, err)
		return
	}
	wamid := ""
	if len(res.Messages) > 0 {
		wamid = res.Messages[0].ID
	}
	now := s.Now()
	s.record(ctx, log, "sent", func() (*switchboard.StatusResult, error) { return s.Store.MarkSent(ctx, m.ID, wamid, now) })
	valid := switchboard.TokenValid
	empty := ""
	_ = s.Store.UpdateChannelHealth(ctx, ch.ID, switchboard.HealthUpdate{LastSendAt: &now, TokenState: &valid, TokenError: &empty})
}

// build turns an outbox item into a Graph API request, uploading media
// first.
func (s *Sender) build(ctx context.Context, client *whatsapp.Client, ch *switchboard.Channel, it *switchboard.OutboxItem) (*whatsapp.OutboundMessage, error) {
	m := it.Message
	out := &whatsapp.OutboundMessage{
		MessagingProduct: "whatsapp", RecipientType: "individual", To: it.Conversation.Contact.WaID,
		Type: string(m.Type), BizOpaqueCallbackData: m.ID,
	}
	if out.To == "" {
		// A customer who shares only a username: send to the BSUID.
		out.Recipient = it.Conversation.Contact.UserID
	}
	if out.To == "" && out.Recipient == "" {
		return nil, permanent(100, "The customer has neither a phone number nor a business-scoped user id.")
	}
	if it.ReplyToWAID != "" {
		out.Context = &whatsapp.ReplyContext{MessageID: it.ReplyToWAID}
	}
	c := m.Content
	switch m.Type {
	case switchboard.TypeText:
		out.Text = &whatsapp.OutboundText{Body: c.Text}
	case switchboard.TypeImage, switchboard.TypeVideo, switchboard.TypeAudio, switchboard.TypeDocument, switchboard.TypeSticker:
		if c.Media == nil || s.Media == nil {
			return nil, permanent(100, "The file of this message is missing.")
		}
		f, r, err := s.Media.ReadMedia(ctx, c.Media.ID)
		if err != nil {
			return nil, fmt.Errorf("open media: %w", err)
		}
		id, err := client.UploadMedia(ctx, ch.AccessToken, ch.PhoneNumberID, f.Filename, f.MIMEType, r)
		r.Close()
		if err != nil {
			return nil, err
		}
		om := &whatsapp.OutboundMedia{ID: id}
		if m.Type == switchboard.TypeImage || m.Type == switchboard.TypeVideo || m.Type == switchboard.TypeDocument {
			om.Caption = c.Text
		}
		if m.Type == switchboard.TypeDocument {
			om.Filename = f.Filename
		}
		switch m.Type {
		case switchboard.TypeImage:
			out.Image = om
		case switchboard.TypeVideo:
			out.Video = om
		case switchboard.TypeAudio:
			out.Audio = om
		case switchboard.TypeDocument:
			out.Document = om
		case switchboard.TypeSticker:
			out.Sticker = om
		}
	case switchboard.TypeTemplate:
		if c.Template == nil {
			return nil, permanent(100, "The template of this message is missing.")
		}
		ts, err := s.Store.Templates(ctx, ch.ID)
		if err != nil {
			return nil, err
		}
		var tpl *switchboard.Template
		for _, t := range ts {
			if t.Name == c.Template.Name && t.Language == c.Template.Language {
				tpl = t
			}
		}
		if tpl == nil {
			return nil, permanent(132001, "Template name does not exist in the translation")
		}
		wt, err := inbox.ToWhatsAppTemplate(tpl)
		if err != nil {
			return nil, err
		}
		comps, err := whatsapp.BuildTemplateComponents(wt, c.Template.Parameters)
		if err != nil {
			return nil, permanent(132000, err.Error())
		}
		out.Template = &whatsapp.OutboundTemplate{Name: tpl.Name, Language: whatsapp.TemplateLanguage{Code: tpl.Language}, Components: comps}
	case switchboard.TypeInteractive:
		if c.InteractiveSend == nil {
			return nil, permanent(100, "The interactive content of this message is missing.")
		}
		out.Interactive = OutboundInteractive(c.InteractiveSend)
	default:
		return nil, permanent(100, "Messages of type "+string(m.Type)+" cannot be sent.")
	}
	return out, nil
}

// sendError is a failure decided before calling Meta.
type sendError struct {
	code  int
	title string
}

func (e *sendError) Error() string { return e.title }

func permanent(code int, title string) error { return &sendError{code, title} }

// handleError classifies a failed send: retry temporary failures with
// backoff, fail permanent ones with Meta's code and message, and flag sends
// whose outcome is unknown.
func (s *Sender) handleError(ctx context.Context, log *slog.Logger, it *switchboard.OutboxItem, ch *switchboard.Channel, err error) {
	m := it.Message
	var se *sendError
	if errors.As(err, &se) {
		s.record(ctx, log, "failed", func() (*switchboard.StatusResult, error) {
			return s.Store.MarkSendFailed(ctx, m.ID, switchboard.MessageError{Code: se.code, Title: se.title}, s.Now())
		})
		return
	}
	var apiErr *whatsapp.APIError
	isAPI := errors.As(err, &apiErr)
	switch whatsapp.Classify(err) {
	case whatsapp.Retry:
		code := 0
		if isAPI {
			code = apiErr.Code
		}
		if code == whatsapp.CodeThroughputLimit {
			s.slowDown(ch)
		}
		s.retry(ctx, log, it, code, err)
	case whatsapp.Unknown:
		log.Warn("send outcome unknown; flagged, not resent", "err", err)
		s.record(ctx, log, "unknown", func() (*switchboard.StatusResult, error) { return s.Store.MarkSendUnknown(ctx, m.ID, s.Now()) })
	default:
		log.Warn("send failed", "err", err)
		// Without Meta's error object the request was refused here (invalid,
		// too large, forbidden address): 100 is Meta's own "invalid
		// parameter", and keeps code 0 for failures a retry may mend
		// (inbox.RetryableSendCodes).
		me := switchboard.MessageError{Code: 100, Title: whatsapp.PublicMessage(err)}
		if isAPI {
			me = switchboard.MessageError{Code: apiErr.Code, Title: apiErr.Message, Details: apiErr.Details}
			if why := whatsapp.Explain(apiErr.Code); why != "" {
				me.Title, me.Details = why, strings.TrimSpace(apiErr.Message+" "+apiErr.Details)
			}
			if apiErr.Code == 190 || apiErr.Code == 0 || apiErr.HTTPStatus == 401 {
				rejected, msg := switchboard.TokenRejected, apiErr.Message
				_ = s.Store.UpdateChannelHealth(ctx, ch.ID, switchboard.HealthUpdate{TokenState: &rejected, TokenError: &msg})
			}
		}
		log.Info("send failed permanently", "code", me.Code)
		s.record(ctx, log, "failed", func() (*switchboard.StatusResult, error) { return s.Store.MarkSendFailed(ctx, m.ID, me, s.Now()) })
	}
}

func (s *Sender) retry(ctx context.Context, log *slog.Logger, it *switchboard.OutboxItem, code int, cause error) {
	m := it.Message
	if it.Attempts >= s.MaxAttempts {
		me := switchboard.MessageError{Code: code, Title: "Gave up after repeated temporary failures", Details: cause.Error()}
		s.record(ctx, log, "failed", func() (*switchboard.StatusResult, error) { return s.Store.MarkSendFailed(ctx, m.ID, me, s.Now()) })
		return
	}
	d := s.Backoff.For(code, it.Attempts-1)
	log.Info("send failed temporarily; retrying", "code", code, "in", d)
	if s.Outcome != nil {
		s.Outcome("retry")
	}
	if err := s.Store.RetrySend(ctx, m.ID, it.Attempts, s.Now().Add(d)); err != nil {
		log.Error("reschedule send", "err", err)
		return
	}
	// Users see the message "retrying" with the reason instead of a
	// silent "sending" for minutes.
	// PublicMessage shows Meta's own words or one generic sentence, never
	// addresses or transport details (docs/security.md, SSRF).
	me := switchboard.MessageError{Code: code, Title: whatsapp.PublicMessage(cause)}
	if r, err := s.Store.NoteSendRetry(ctx, m.ID, me, s.Now()); err != nil {
		log.Warn("note send retry", "err", err)
	} else if s.Results != nil {
		s.Results.Published(ctx, r)
	}
	time.AfterFunc(d, s.Notify) // wake when it is due, not at the next poll
}

func (s *Sender) record(ctx context.Context, log *slog.Logger, outcome string, f func() (*switchboard.StatusResult, error)) {
	if s.Outcome != nil {
		s.Outcome(outcome)
	}
	r, err := f()
	if err != nil {
		log.Error("record send result", "err", err)
		return
	}
	if s.Results != nil {
		s.Results.Published(ctx, r)
	}
}

type receipt struct {
	channelID, wamid string
	typing           bool // with a typing indicator
}

// MarkRead queues a read receipt for an inbound message (blue ticks on the
// customer's phone). Receipts are best effort: when the queue is full, or
// the call fails, the customer simply sees the ticks later or not at all.
func (s *Sender) MarkRead(channelID, wamid string) {
	s.init()
	select {
	case s.receipts <- receipt{channelID: channelID, wamid: wamid}:
	default:
	}
}

// SendTyping queues a typing indicator, which WhatsApp takes with the read
// receipt of the customer's message wamid. Best effort, like receipts.
func (s *Sender) SendTyping(channelID, wamid string) {
	s.init()
	select {
	case s.receipts <- receipt{channelID: channelID, wamid: wamid, typing: true}:
	default:
	}
}

func (s *Sender) sendReceipts(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case r := <-s.receipts:
			ch, err := s.Store.Channel(ctx, r.channelID)
			if err != nil {
				continue
			}
			if err := s.pace(ctx, ch); err != nil {
				if ctx.Err() != nil {
					return
				}
				continue
			}
			if r.typing {
				if err := s.Client(ch).SendTypingIndicator(ctx, ch.AccessToken, ch.PhoneNumberID, r.wamid); err != nil {
					s.Logger.Info("typing indicator not sent", "err", err)
				}
				continue
			}
			if err := s.Client(ch).MarkRead(ctx, ch.AccessToken, ch.PhoneNumberID, r.wamid); err != nil {
				s.Logger.Info("read receipt not sent", "err", err)
			}
		}
	}
}

// recipientKey names the customer for the pair rate limit: the phone
// number, or the BSUID of a customer without one.
func recipientKey(c switchboard.Contact) string {
	if c.WaID != "" {
		return c.WaID
	}
	return c.UserID
}
