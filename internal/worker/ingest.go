// Package worker runs Switchboard's background jobs: turning queued
// webhooks into messages, sending the outbox through the Graph API,
// downloading inbound media and syncing templates.
package worker

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/inbox"
	"github.com/switchboardhq/switchboard/internal/whatsapp"
)

// Receiver applies what webhooks carry; inbox.Service implements it, so
// events reach the users who may see them.
type Receiver interface {
	// ReceiveBatch stores a batch of webhook content and deletes its queue
	// rows, in one transaction.
	ReceiveBatch(ctx context.Context, b switchboard.InboundBatch) (*switchboard.BatchResult, error)
	// SetHandoff makes the webhook handler hand accepted webhooks to h (nil
	// stops it).
	SetHandoff(h *inbox.Handoff)
}

var _ Receiver = (*inbox.System)(nil)

// HealthRecorder records channel health.
type HealthRecorder interface {
	UpdateChannelHealth(ctx context.Context, channelID string, u switchboard.HealthUpdate) error
}

// Ingest applies webhooks. The webhook handler hands each one over in
// memory, parsed, right after committing it to the durable queue already
// leased to this process; the worker applies them in batches, each one
// store transaction that also deletes the batch's queue rows, so that a
// webhook is applied exactly once even across a crash. The queue stays the
// source of truth: a poller claims what a dead process left (once its
// lease has run out) and what was queued while the handoff was full.
type Ingest struct {
	Queue    switchboard.WebhookQueue
	Channels ChannelLister
	Receiver Receiver
	Health   HealthRecorder
	Logger   *slog.Logger
	Now      func() time.Time

	Batch int // events applied in one transaction (default 128)
	// BatchBytes bounds the bodies one claim from the queue takes
	// (default switchboard.DefaultClaimBytes); a larger single event is
	// still claimed, alone.
	BatchBytes int64
	Workers    int // batches of handed-over events applied at once (default 2)
	// Pending bounds the events handed over and not yet applied (default
	// 4096). It keeps their wait well below the lease; past it, webhooks
	// are queued for the poller.
	Pending int
	// Gather is how long a batch waits for more handed-over events once it
	// has one (default 5 ms): fewer, larger transactions.
	Gather time.Duration
	// Lease is how long a claim or handover lasts (default 15 s). After a
	// crash, the events wait this long before the poller takes them; a
	// lease that runs out while an event is still being applied only means
	// it is applied twice, which is harmless: messages are de-duplicated by
	// WhatsApp id and statuses never regress.
	Lease time.Duration
	Poll  time.Duration // how often the poller looks without a wake-up (default 500 ms)
	// MaxAttempts is how often an event that fails to apply is tried
	// before it becomes a dead letter (default 10), visible to
	// administrators with the error and replayable after a fix.
	MaxAttempts int
	// MaxItems bounds the messages and statuses one transaction applies
	// (default DefaultMaxItems). A batch or a single webhook carrying more
	// is applied in several transactions, so that one large signed
	// webhook (up to whatsapp.MaxNotificationItems contacts with long
	// names) cannot hold the database writer, and the API waiting behind
	// it, for long, nor build one huge transaction in memory.
	MaxItems int

	once sync.Once
	wake chan struct{}

	mu      sync.Mutex
	byPhone map[string]string
	byWABA  map[string][]string // channel ids by WhatsApp Business Account id
	chans   []*switchboard.Channel
	loaded  time.Time

	healthMu sync.Mutex
	health   map[string]*healthMark
}

// healthMark is a channel's newest webhook time, recorded at most once a
// second: a store write per batch would cost more than the health page is
// worth.
type healthMark struct {
	seen, recorded time.Time // newest webhook; when that was last written
	dirty          bool
}

func (w *Ingest) init() {
	w.once.Do(func() {
		w.wake = make(chan struct{}, 1)
		if w.Logger == nil {
			w.Logger = slog.New(slog.DiscardHandler)
		}
		if w.Now == nil {
			w.Now = func() time.Time { return time.Now().UTC() }
		}
		if w.Batch <= 0 {
			w.Batch = 128
		}
		if w.Workers <= 0 {
			w.Workers = 2
		}
		if w.Pending <= 0 {
			w.Pending = 4096
		}
		if w.Gather <= 0 {
			w.Gather = 5 * time.Millisecond
		}
		if w.Lease <= 0 {
			w.Lease = 15 * time.Second
		}
		if w.Poll <= 0 {
			w.Poll = 500 * time.Millisecond
		}
		if w.MaxAttempts <= 0 {
			w.MaxAttempts = 10
		}
		if w.MaxItems <= 0 {
			w.MaxItems = DefaultMaxItems
		}
		w.health = map[string]*healthMark{}
	})
}

// Notify wakes the poller because a webhook was queued without a handover.
// It never blocks.
func (w *Ingest) Notify() {
	w.init()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// drainTimeout bounds how long Run keeps applying handed-over events after
// ctx has ended; what is left then waits for its lease.
const drainTimeout = 5 * time.Second

// Run applies webhooks until ctx ends.
func (w *Ingest) Run(ctx context.Context) error {
	w.init()
	// Store calls run in work, which outlives ctx by up to drainTimeout:
	// the HTTP server has stopped by the time ctx ends, and what it handed
	// over is applied rather than left waiting for its lease.
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	stopTimer := context.AfterFunc(ctx, func() { time.AfterFunc(drainTimeout, cancelWork) })
	defer stopTimer()

	h := inbox.NewHandoff(w.Pending, w.Lease)
	w.Receiver.SetHandoff(h)
	var wg sync.WaitGroup
	for range w.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.applyHandedOver(ctx, work, h)
		}()
	}

	t := time.NewTicker(w.Poll)
	defer t.Stop()
	for ctx.Err() == nil {
		n, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.Logger.Error("process webhooks", "err", err)
		}
		if n > 0 {
			// More may be waiting: a claim ends at Batch events or at
			// BatchBytes of bodies, whichever comes first.
			continue
		}
		w.flushHealth(ctx, false)
		select {
		case <-ctx.Done():
		case <-w.wake:
		case <-t.C:
		}
	}

	w.Receiver.SetHandoff(nil)
	wg.Wait()
	for work.Err() == nil {
		batch := w.gather(work, h, false)
		if len(batch) == 0 {
			break
		}
		w.apply(work, batch)
		h.Done(len(batch))
	}
	w.flushHealth(work, true)
	return nil
}

// queued is one event to apply: its queue row and parsed body (nil when
// the stored body no longer parses).
type queued struct {
	ev switchboard.WebhookEvent
	n  *whatsapp.Notification
	// dead is set when the event cannot be applied at all (it no longer
	// parses): it becomes a dead letter with this reason.
	dead string
}

// applyHandedOver applies handed-over events in batches, in the work
// context, until ctx ends.
func (w *Ingest) applyHandedOver(ctx, work context.Context, h *inbox.Handoff) {
	for {
		batch := w.gather(ctx, h, true)
		if len(batch) == 0 {
			return
		}
		w.apply(work, batch)
		h.Done(len(batch))
	}
}

// gather takes up to Batch handed-over events: when wait is set, it waits
// for the first until ctx ends, then up to Gather for more.
func (w *Ingest) gather(ctx context.Context, h *inbox.Handoff, wait bool) []queued {
	var batch []queued
	add := func(a inbox.AcceptedWebhook) { batch = append(batch, queued{ev: a.Event, n: a.Notification}) }
	if wait {
		select {
		case a := <-h.C():
			add(a)
		case <-ctx.Done():
			return nil
		}
	}
	var deadline <-chan time.Time
	for len(batch) < w.Batch {
		select {
		case a := <-h.C():
			add(a)
			continue
		default:
		}
		if !wait || len(batch) == 0 {
			break
		}
		if deadline == nil {
			timer := time.NewTimer(w.Gather)
			defer timer.Stop()
			deadline = timer.C
		}
		select {
		case a := <-h.C():
			add(a)
			continue
		case <-deadline:
		case <-ctx.Done():
		}
		break
	}
	return batch
}

// RunOnce claims one batch from the queue and applies it, returning how many
// events it claimed.
func (w *Ingest) RunOnce(ctx context.Context) (int, error) {
	w.init()
	events, err := w.Queue.ClaimWebhooks(ctx, w.Batch, w.BatchBytes, w.Lease, w.Now())
	if err != nil || len(events) == 0 {
		return 0, err
	}
	batch := make([]queued, len(events))
	for i, ev := range events {
		batch[i].ev = *ev
		batch[i].ev.Body = nil
		n, err := whatsapp.ParseNotification(ev.Body)
		if err != nil {
			// It parsed when it was accepted; a failure now is a bug, and
			// retrying will not help. Keep it for a replay after the fix.
			w.Logger.Error("queued webhook no longer parses; kept as a dead letter", "event", ev.ID, "err", err)
			batch[i].dead = "queued webhook no longer parses: " + err.Error()
			continue
		}
		batch[i].n = n
	}
	w.apply(ctx, batch)
	return len(events), nil
}

// apply stores what a batch of events carries in one transaction. If that
// fails, it applies the events one by one, so that one bad event does not
// hold back the others; an event that still fails stays queued and is
// retried when its lease runs out.
func (w *Ingest) apply(ctx context.Context, batch []queued) {
	parts := make([]switchboard.InboundBatch, 0, len(batch))
	owners := make([]*queued, 0, len(batch)) // owners[i] is the event of parts[i]
	var all switchboard.InboundBatch
	for i := range batch {
		p, err := w.content(ctx, &batch[i])
		if err != nil {
			w.Logger.Warn("webhook event not processed; will retry", "event", batch[i].ev.ID, "err", err)
			continue
		}
		parts, owners = append(parts, p), append(owners, &batch[i])
		all.Messages = append(all.Messages, p.Messages...)
		all.Statuses = append(all.Statuses, p.Statuses...)
		all.Events = append(all.Events, p.Events...)
		all.Dead = append(all.Dead, p.Dead...)
		all.Templates = append(all.Templates, p.Templates...)
		all.Edits = append(all.Edits, p.Edits...)
		all.Preferences = append(all.Preferences, p.Preferences...)
		all.Notices = append(all.Notices, p.Notices...)
		all.Signals = append(all.Signals, p.Signals...)
	}
	if len(parts) == 0 {
		return
	}
	err := w.receive(ctx, all)
	if err == nil {
		w.seen(batch)
		return
	}
	if len(parts) == 1 {
		w.failed(ctx, owners[0], err)
		return
	}
	for i, p := range parts {
		if err := w.receive(ctx, p); err != nil {
			if ctx.Err() != nil {
				return
			}
			w.failed(ctx, owners[i], err)
			continue
		}
		w.seen([]queued{*owners[i]})
	}
}

// DefaultMaxItems is Ingest.MaxItems when it is not set.
const DefaultMaxItems = 256

// receive applies b in transactions of at most MaxItems messages and
// statuses (chunkBatch). The queue rows, dead letters and template changes
// go with the last transaction, so an event leaves the queue only once
// everything it carries is stored; a crash in between applies the earlier
// chunks again, which is harmless (messages are de-duplicated by WhatsApp
// id and statuses never regress).
func (w *Ingest) receive(ctx context.Context, b switchboard.InboundBatch) error {
	for _, c := range chunkBatch(b, w.MaxItems) {
		if _, err := w.Receiver.ReceiveBatch(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

// chunkBatch splits b into batches of at most max messages and statuses,
// messages first and in order; the last batch carries b's events, edits, dead
// letters and template changes.
func chunkBatch(b switchboard.InboundBatch, max int) []switchboard.InboundBatch {
	msgs, sts := b.Messages, b.Statuses
	var out []switchboard.InboundBatch
	for len(msgs)+len(sts) > max {
		var c switchboard.InboundBatch
		n := min(len(msgs), max)
		c.Messages, msgs = msgs[:n:n], msgs[n:]
		k := min(max-n, len(sts))
		c.Statuses, sts = sts[:k:k], sts[k:]
		out = append(out, c)
	}
	b.Messages, b.Statuses = msgs, sts
	return append(out, b)
}

// failed handles an event that could not be applied on its own: it stays
// queued and is retried when its lease runs out, until MaxAttempts; then
// it becomes a dead letter with the error, so that it is neither lost nor
// retried for ever.
func (w *Ingest) failed(ctx context.Context, q *queued, err error) {
	if q.ev.Attempts < w.MaxAttempts {
		w.Logger.Warn("webhook event not processed; will retry", "event", q.ev.ID, "attempts", q.ev.Attempts, "err", err)
		return
	}
	w.Logger.Error("webhook event failed too often; kept as a dead letter", "event", q.ev.ID, "attempts", q.ev.Attempts, "err", err)
	dead := switchboard.InboundBatch{Dead: []switchboard.DeadEvent{{ID: q.ev.ID, Reason: "could not be applied: " + err.Error()}}}
	if _, err := w.Receiver.ReceiveBatch(ctx, dead); err != nil {
		w.Logger.Warn("keep dead letter", "event", q.ev.ID, "err", err)
	}
}

// content converts an event into what the store applies: every message and
// status of every change, routed by phone number id; a sender is named by
// phone number, business-scoped user id (from_user_id) or both. Fields
// other than messages are skipped. Changes for numbers Switchboard does
// not know and messages without any sender cannot be applied: the event
// becomes a dead letter with the reason, after what else it carries is
// applied.
func (w *Ingest) content(ctx context.Context, q *queued) (b switchboard.InboundBatch, err error) {
	b = switchboard.InboundBatch{Events: []int64{q.ev.ID}}
	if q.dead != "" {
		b.Dead = []switchboard.DeadEvent{{ID: q.ev.ID, Reason: q.dead}}
	}
	if q.n == nil {
		return b, nil
	}
	var reasons []string
	defer func() {
		if len(reasons) > 0 {
			b.Dead = []switchboard.DeadEvent{{ID: q.ev.ID, Reason: strings.Join(reasons, "; ")}}
		}
	}()
	channels, err := w.channelIDs(ctx, q.n)
	if err != nil {
		return b, err
	}
	for ei, e := range q.n.Entry {
		for ci, c := range e.Changes {
			if c.Field == whatsapp.FieldTemplateStatus {
				w.templateStatus(q, e.ID, c, &b, &reasons)
				continue
			}
			if w.surface(q, ei, ci, e.ID, c, channels, &b, &reasons) {
				continue
			}
			v := c.Value
			if v == nil || (c.Field != whatsapp.FieldMessages && c.Field != whatsapp.FieldSMBMessageEchoes && c.Field != whatsapp.FieldHistory) {
				continue
			}
			chID, ok := channels[v.Metadata.PhoneNumberID]
			if !ok {
				w.Logger.Warn("webhook for an unknown phone number id; kept as a dead letter", "event", q.ev.ID)
				reasons = append(reasons, "change for an unknown phone number id")
				continue
			}
			switch c.Field {
			case whatsapp.FieldSMBMessageEchoes:
				w.echoes(q, chID, v, &b, &reasons)
				continue
			case whatsapp.FieldHistory:
				w.history(chID, v, &b, &reasons)
				continue
			}
			for i := range v.Messages {
				m := &v.Messages[i]
				in := inbound(chID, v, m)
				if !in.HasSender() {
					w.Logger.Warn("webhook message without a sender; kept as a dead letter", "event", q.ev.ID)
					reasons = append(reasons, "message without a sender (neither from nor from_user_id)")
					continue
				}
				b.Messages = append(b.Messages, in)
			}
			for i := range v.Statuses {
				if u, ok := status(chID, &v.Statuses[i]); ok && (u.MessageID != "" || u.WAMessageID != "") {
					b.Statuses = append(b.Statuses, u)
				}
			}
			for _, e := range v.Errors {
				w.Logger.Warn("WhatsApp reported an error", "channel", chID, "code", e.Code, "title", e.Title)
			}
		}
	}
	return b, nil
}

// templateStatus turns a template status update into changes for the
// channels of the WhatsApp Business Account wabaID (the channel the event
// was accepted for when none names it), so that a paused or rejected
// template leaves the composer at once.
func (w *Ingest) templateStatus(q *queued, wabaID string, c whatsapp.Change, b *switchboard.InboundBatch, reasons *[]string) {
	u, err := c.TemplateStatus()
	if err != nil {
		*reasons = append(*reasons, "template status update: "+err.Error())
		return
	}
	w.mu.Lock()
	ids := w.byWABA[wabaID]
	w.mu.Unlock()
	if len(ids) == 0 {
		ids = []string{q.ev.ChannelID}
	}
	for _, id := range ids {
		b.Templates = append(b.Templates, switchboard.TemplateStatusChange{ChannelID: id, Name: u.Name, Language: u.Language, Status: u.TemplateState()})
	}
	w.Logger.Info("template status changed", "template", u.Name, "language", u.Language, "event", u.Event, "reason", u.Reason)
}

// seen notes the applied events' arrival for the channels' health.
func (w *Ingest) seen(batch []queued) {
	w.healthMu.Lock()
	defer w.healthMu.Unlock()
	for _, q := range batch {
		m := w.health[q.ev.ChannelID]
		if m == nil {
			m = &healthMark{}
			w.health[q.ev.ChannelID] = m
		}
		if q.ev.ReceivedAt.After(m.seen) {
			m.seen, m.dirty = q.ev.ReceivedAt, true
		}
	}
}

// flushHealth records the newest webhook times that changed, at most once
// a second per channel unless all is set.
func (w *Ingest) flushHealth(ctx context.Context, all bool) {
	if w.Health == nil {
		return
	}
	type update struct {
		channelID string
		at        time.Time
	}
	var due []update
	now := w.Now()
	w.healthMu.Lock()
	for ch, m := range w.health {
		if m.dirty && (all || now.Sub(m.recorded) >= time.Second) {
			m.dirty, m.recorded = false, now
			due = append(due, update{ch, m.seen})
		}
	}
	w.healthMu.Unlock()
	for _, u := range due {
		if err := w.Health.UpdateChannelHealth(ctx, u.channelID, switchboard.HealthUpdate{LastWebhookAt: &u.at}); err != nil {
			w.Logger.Warn("record webhook health", "channel", u.channelID, "err", err)
		}
	}
}

// ChannelLister lists channels, to route webhooks by phone number id.
type ChannelLister interface {
	Channels(ctx context.Context) ([]*switchboard.Channel, error)
}

// channelIDs maps phone number ids to channel ids. The map is cached for a
// few seconds (channels change rarely, webhooks arrive by the thousand) and
// reloaded at once when an unknown number shows up.
func (w *Ingest) channelIDs(ctx context.Context, n *whatsapp.Notification) (map[string]string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	stale := w.byPhone == nil || w.Now().Sub(w.loaded) > 10*time.Second
	if !stale {
	check:
		for _, e := range n.Entry {
			for _, c := range e.Changes {
				if c.Value != nil {
					if _, ok := w.byPhone[c.Value.Metadata.PhoneNumberID]; !ok && w.Now().Sub(w.loaded) > time.Second {
						stale = true
						break check
					}
				}
			}
		}
	}
	if stale {
		all, err := w.Channels.Channels(ctx)
		if err != nil {
			return nil, err
		}
		m := make(map[string]string, len(all))
		waba := map[string][]string{}
		for _, c := range all {
			m[c.PhoneNumberID] = c.ID
			if c.WABAID != "" {
				waba[c.WABAID] = append(waba[c.WABAID], c.ID)
			}
		}
		w.byPhone, w.byWABA, w.chans, w.loaded = m, waba, all, w.Now()
	}
	return w.byPhone, nil
}
