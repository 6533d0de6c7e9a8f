package inbox

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/whatsapp"
)

// channelCache keeps decrypted channels in memory for the webhook hot path:
// thousands of webhooks a second must not each read and decrypt channel
// secrets. It is refreshed every few seconds and after every change.
// Webhooks read an immutable snapshot through an atomic pointer, so they
// never wait for each other; the mutex only serialises reloads and
// invalidations, so that a reload that began before a change cannot store
// its result after the change dropped the cache.
type channelCache struct {
	mu   sync.Mutex
	snap atomic.Pointer[channelSnapshot]
	// clocks holds each channel's parsed business hours (channel id →
	// hoursClock) for the hand-off rules, so a customer message does not
	// parse them and load the time zone again.
	clocks sync.Map
}

// hoursClock is the clock parsed from one snapshot's business hours; it
// is reused while the snapshot holds the same hours.
type hoursClock struct {
	hours *switchboard.BusinessHours
	clock *switchboard.BusinessClock
}

// channelSnapshot is the channels as loaded at one moment; never modified.
type channelSnapshot struct {
	loaded  time.Time
	byPhone map[string]*switchboard.Channel
	all     []*switchboard.Channel
}

const channelCacheTTL = 10 * time.Second

func (s *Service) cachedChannels(ctx context.Context, refresh bool) ([]*switchboard.Channel, map[string]*switchboard.Channel, error) {
	c := &s.channels
	if snap := c.snap.Load(); !refresh && snap != nil && s.now().Sub(snap.loaded) < channelCacheTTL {
		return snap.all, snap.byPhone, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if snap := c.snap.Load(); !refresh && snap != nil && s.now().Sub(snap.loaded) < channelCacheTTL {
		return snap.all, snap.byPhone, nil // reloaded while this caller waited
	}
	all, err := s.Store.Channels(ctx)
	if err != nil {
		return nil, nil, err
	}
	snap := &channelSnapshot{all: all, byPhone: make(map[string]*switchboard.Channel, len(all)), loaded: s.now()}
	for _, ch := range all {
		snap.byPhone[ch.PhoneNumberID] = ch
	}
	c.snap.Store(snap)
	return snap.all, snap.byPhone, nil
}

// InvalidateChannels drops the channel cache after a change.
func (s *Service) InvalidateChannels() {
	s.channels.mu.Lock()
	s.channels.snap.Store(nil)
	s.channels.mu.Unlock()
}

// VerifyWebhook answers Meta's subscription handshake: the verify token must
// be one of a channel's verify tokens (compared in constant time).
func (sys *System) VerifyWebhook(ctx context.Context, q url.Values) (string, bool) {
	s := sys.svc
	all, _, err := s.cachedChannels(ctx, false)
	if err != nil {
		return "", false
	}
	for _, ch := range all {
		if challenge, ok := whatsapp.VerifyChallenge(q, ch.VerifyToken); ok {
			return challenge, true
		}
	}
	return "", false
}

// ErrBadSignature is returned for a webhook whose X-Hub-Signature-256 does
// not match any channel's app secret.
var ErrBadSignature = switchboard.Errorf(switchboard.EUnauthorized, "Invalid webhook signature.")

// ErrForeignChannel is returned for a webhook that is signed with one
// channel's app secret but carries a change for a channel with another app
// secret. The whole body is refused: Meta signs each webhook with the app
// secret of the app the numbers in it belong to, so such a body is forged.
var ErrForeignChannel = switchboard.Errorf(switchboard.EForbidden, "The webhook is not signed by the app of the number it names.")

// AcceptWebhook checks a webhook's signature and queues it durably. It
// returns only after the body is committed: the caller may then answer 200,
// and nothing acknowledged is lost. Processing happens in the ingest worker.
func (sys *System) AcceptWebhook(ctx context.Context, body []byte, signature string) error {
	s := sys.svc
	if signature == "" {
		return ErrBadSignature
	}
	n, err := whatsapp.ParseNotification(body)
	if err != nil {
		// Verify before explaining: an unsigned caller learns nothing.
		if !s.signedByAnyChannel(ctx, body, signature) {
			return ErrBadSignature
		}
		return switchboard.Errorf(switchboard.EInvalid, "The webhook body is not a WhatsApp notification.")
	}
	all, byPhone, err := s.cachedChannels(ctx, false)
	if err != nil {
		return err
	}
	// A change is applied to the channel its phone_number_id names, so that
	// channel's own app secret must have signed the body: one number's
	// secret must not write into another number's conversations. Numbers of
	// one Meta app share the app secret, and so may share a webhook.
	signed := map[string]bool{}
	signedBy := func(ch *switchboard.Channel) bool {
		ok, seen := signed[ch.ID]
		if !seen {
			ok = whatsapp.VerifySignature([]byte(ch.AppSecret), body, signature)
			signed[ch.ID] = ok
		}
		return ok
	}
	var target *switchboard.Channel
	foreign := false
	for _, e := range n.Entry {
		for _, c := range e.Changes {
			if c.Value == nil {
				continue
			}
			ch := byPhone[c.Value.Metadata.PhoneNumberID]
			if ch == nil {
				// A channel added a moment ago on another instance.
				if _, fresh, err := s.cachedChannels(ctx, true); err == nil {
					ch = fresh[c.Value.Metadata.PhoneNumberID]
				}
			}
			if ch == nil {
				continue
			}
			if !signedBy(ch) {
				foreign = true
			} else if target == nil {
				target = ch
			}
		}
	}
	if foreign {
		if target == nil && !s.signedByAnyChannel(ctx, body, signature) {
			return ErrBadSignature
		}
		return ErrForeignChannel
	}
	if target == nil {
		// Changes without a known number (e.g. template status updates) are
		// accepted if any channel's app signed them, and otherwise refused.
		// The ingest worker skips changes for unknown numbers.
		for _, ch := range all {
			if signedBy(ch) {
				target = ch
				break
			}
		}
	}
	if target == nil {
		return ErrBadSignature
	}
	// With an ingest worker to hand it to, the webhook is queued already
	// leased to this process and handed over in memory once committed, so
	// that it is not claimed, decrypted and parsed again; the queue row
	// only matters if the process dies before the worker has applied it.
	// A large webhook is not held in memory waiting for the worker: it
	// goes through the queue on disk, which the poller reads a batch at a
	// time.
	if h := s.handoff.Load(); h != nil && len(body) <= MaxHandoffBody && h.reserve() {
		now := s.now()
		id, err := s.Store.EnqueueLeasedWebhook(ctx, target.ID, body, now, now.Add(h.lease))
		if err != nil {
			h.Done(1)
			return err
		}
		h.ch <- AcceptedWebhook{
			Event:        switchboard.WebhookEvent{ID: id, ChannelID: target.ID, ReceivedAt: now, Attempts: 1},
			Notification: n,
		}
		return nil
	}
	if err := s.Store.EnqueueWebhook(ctx, target.ID, body, s.now()); err != nil {
		return err
	}
	if s.Webhooks != nil {
		s.Webhooks.Notify()
	}
	return nil
}

// AcceptedWebhook is a webhook that AcceptWebhook has committed to the
// queue, leased to this process, and hands to the ingest worker with its
// parsed body.
type AcceptedWebhook struct {
	Event        switchboard.WebhookEvent // without Body
	Notification *whatsapp.Notification
}

// Handoff carries accepted webhooks from AcceptWebhook to the ingest worker
// in memory. At most a fixed number are in its hands at a time (handed
// over and not yet Done), so that none waits longer than its lease; past
// that, AcceptWebhook queues webhooks unleased for the worker to claim.
type Handoff struct {
	ch      chan AcceptedWebhook
	lease   time.Duration
	pending atomic.Int64 // reserved, handed over or being applied
}

// NewHandoff returns a handoff for at most max webhooks at a time, each
// queued with the given lease: the time the worker has to apply it before
// another claim may take it.
func NewHandoff(max int, lease time.Duration) *Handoff {
	return &Handoff{ch: make(chan AcceptedWebhook, max), lease: lease}
}

// C delivers the accepted webhooks. Call Done for each once it is applied
// (or given up: its queue row is then claimed when the lease runs out).
func (h *Handoff) C() <-chan AcceptedWebhook { return h.ch }

// Done makes room for n more webhooks.
func (h *Handoff) Done(n int) { h.pending.Add(-int64(n)) }

// reserve takes a place for one webhook; the send on ch then never blocks.
func (h *Handoff) reserve() bool {
	if h.pending.Add(1) > int64(cap(h.ch)) {
		h.pending.Add(-1)
		return false
	}
	return true
}

// MaxHandoffBody is the largest webhook body handed to the ingest worker in
// memory (parsed); larger ones wait in the queue on disk. With the
// handoff's 4,096 places this bounds the memory webhooks waiting for the
// worker take to about 256 MiB of bodies, not 4,096 × 8 MiB.
const MaxHandoffBody = 64 << 10

// MaxProfileName bounds a customer's profile name and username, in
// characters. WhatsApp's own limits are far lower; a longer one comes from
// a forged or broken webhook and is cut rather than refused, as texts are.
const MaxProfileName = 256

// boundRunes cuts s to at most n characters.
func boundRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for at := range s {
		if i == n {
			return s[:at]
		}
		i++
	}
	return s
}

// SetHandoff makes AcceptWebhook hand queued webhooks to h; nil stops it.
// The ingest worker calls it while it runs.
func (sys *System) SetHandoff(h *Handoff) { sys.svc.handoff.Store(h) }

// ReceiveBatch stores the messages and statuses of a batch of webhook
// events and deletes the events, in one transaction, then tells the users
// who may see them: each conversation once, as it is after the batch,
// before its new messages; each changed message once.
func (sys *System) ReceiveBatch(ctx context.Context, b switchboard.InboundBatch) (*switchboard.BatchResult, error) {
	s := sys.svc
	for i := range b.Edits {
		// Apply bounds the text too; this keeps the batch itself small.
		if e := &b.Edits[i]; len(e.Text) > 4*switchboard.MaxInboundText {
			e.Text = strings.ToValidUTF8(e.Text[:4*switchboard.MaxInboundText], "")
		}
	}
	for i := range b.Messages {
		in := &b.Messages[i]
		if in.Message != nil {
			in.Message.BoundText()
		}
		in.ProfileName = boundRunes(in.ProfileName, MaxProfileName)
		in.Username = boundRunes(in.Username, MaxProfileName)
	}
	// What the fields beyond messages report is applied first: applying
	// it again when the batch is retried is harmless (preferences never go
	// back in time, notices have stable ids, a signal filed twice is a
	// duplicate a bot can recognise by its content).
	if len(b.Preferences) > 0 {
		if _, err := s.Store.ApplyPreferences(ctx, b.Preferences); err != nil {
			return nil, err
		}
	}
	if len(b.Notices) > 0 {
		if err := s.Store.AddChannelNotices(ctx, b.Notices); err != nil {
			return nil, err
		}
	}
	if len(b.Signals) > 0 {
		if _, err := s.Store.AddSignals(ctx, b.Signals); err != nil {
			return nil, err
		}
	}
	s.fillHandoff(ctx, &b)
	r, err := s.Store.ReceiveBatch(ctx, b)
	if err != nil {
		return nil, err
	}
	sys.keepIdentityHistory(ctx, b, r)
	sys.sendWelcomes(ctx, b, r)
	sys.sendAways(ctx, b, r)
	for i := range b.Notices {
		if s.Events == nil {
			break
		}
		n := b.Notices[i]
		s.Events.Publish(ctx, switchboard.Event{Type: switchboard.EventChannelNotice, At: s.now(), ChannelID: n.ChannelID,
			Data: &n, Permission: switchboard.PermChannelsManage})
	}
	sys.announceBatch(ctx, r)
	return r, nil
}

// announceBatch tells the users who may see them what a committed batch
// changed: each conversation once, as it is after the batch, with the
// hand-offs the rules made in it and then its new messages; each changed
// message once; last the bot's turns. The batch wrote the records of all
// of these events with its changes, so this publishes live only.
func (sys *System) announceBatch(ctx context.Context, r *switchboard.BatchResult) {
	s := sys.svc
	lctx := switchboard.WithLoggedEvents(ctx)
	created := map[string]bool{}
	for _, rc := range r.Received {
		if !rc.Duplicate && rc.NewConversation {
			created[rc.Conversation.ID] = true
		}
	}
	handoffs := map[string]*switchboard.BatchHandoff{}
	for _, h := range r.Handoffs {
		handoffs[h.ConversationID] = h
	}
	convs := map[string]*switchboard.Conversation{}
	announced := map[string]bool{}
	var fresh []*switchboard.Conversation // new conversations, in order
	media := false
	for _, rc := range r.Received {
		if rc.Duplicate {
			continue
		}
		c, m := rc.Conversation, rc.Message
		if !announced[c.ID] {
			announced[c.ID] = true
			convs[c.ID] = c
			if h := handoffs[c.ID]; h != nil {
				for _, ch := range h.Changes {
					s.publish(lctx, handoffEventType(ch.State.Handler), c, switchboard.HandoffChange{Conversation: c, Handler: c.Handler, Handoff: c.Handoff})
					s.nameEntries(ctx, ch.Entry)
					s.publish(lctx, switchboard.EventThreadEntryCreated, c, ch.Entry)
				}
			}
			typ := switchboard.EventConversationUpdated
			if created[c.ID] {
				typ = switchboard.EventConversationCreated
				fresh = append(fresh, c)
			}
			s.publish(lctx, typ, c, c)
		}
		s.publish(lctx, switchboard.EventMessageCreated, c, m)
		if md := m.Content.Media; md != nil && md.WAMediaID != "" {
			media = true
		}
	}
	// Routing: the channel's automatic assignment takes the new ones.
	for _, c := range fresh {
		s.autoAssignNew(ctx, c)
	}
	updated := map[string]bool{}
	for _, st := range r.Statuses {
		if st.Changed && st.Message != nil && !updated[st.Message.ID] {
			updated[st.Message.ID] = true
			sys.Published(ctx, st)
		}
	}
	// Edits and revokes (from the WhatsApp Business app): the message as it
	// is now, and its conversation when the preview may have changed.
	for i := len(r.Edits) - 1; i >= 0; i-- {
		e := r.Edits[i]
		if e == nil || !e.Changed || e.Message == nil || e.Conversation == nil || updated[e.Message.ID] {
			continue
		}
		updated[e.Message.ID] = true
		s.publish(lctx, switchboard.EventMessageUpdated, e.Conversation, e.Message)
		if !announced[e.Conversation.ID] {
			announced[e.Conversation.ID] = true
			s.publish(lctx, switchboard.EventConversationUpdated, e.Conversation, e.Conversation)
		}
	}
	for _, h := range r.Handoffs {
		c := convs[h.ConversationID]
		for _, m := range h.Turns {
			s.publish(lctx, switchboard.EventBotTurn, c, switchboard.BotTurn{Conversation: c, Message: m})
		}
	}
	if media && s.Webhooks != nil {
		s.Webhooks.Notify() // the media fetcher has downloads waiting
	}
}

func (s *Service) signedByAnyChannel(ctx context.Context, body []byte, signature string) bool {
	all, _, err := s.cachedChannels(ctx, false)
	if err != nil {
		return false
	}
	for _, ch := range all {
		if whatsapp.VerifySignature([]byte(ch.AppSecret), body, signature) {
			return true
		}
	}
	return false
}

// keepIdentityHistory records the old identifiers of contacts whose number
// or BSUID a system message of the batch changed. It runs after the batch
// (the contact exists then, found by the old identifiers); a failure is
// logged, as the change itself is stored.
func (sys *System) keepIdentityHistory(ctx context.Context, b switchboard.InboundBatch, r *switchboard.BatchResult) {
	var changes []switchboard.IdentityChange
	for i, in := range b.Messages {
		if (in.NewWaID == "" && in.NewUserID == "") || i >= len(r.Received) {
			continue
		}
		rc := r.Received[i]
		if rc == nil || rc.Duplicate || rc.Conversation == nil {
			continue
		}
		c := switchboard.IdentityChange{ContactID: rc.Conversation.Contact.ID, At: in.Message.Timestamp}
		if in.NewWaID != "" && in.NewWaID != in.WaID {
			c.OldPhone, c.NewPhone = in.WaID, in.NewWaID
		}
		if in.NewUserID != "" && in.NewUserID != in.UserID {
			c.OldUserID, c.NewUserID = in.UserID, in.NewUserID
		}
		if c.OldPhone != "" || c.OldUserID != "" || c.NewPhone != "" || c.NewUserID != "" {
			changes = append(changes, c)
		}
	}
	if len(changes) == 0 {
		return
	}
	if err := sys.svc.Store.AddIdentityChanges(ctx, changes); err != nil {
		sys.svc.Logger.Error("keep identity history", "err", err)
	}
}
