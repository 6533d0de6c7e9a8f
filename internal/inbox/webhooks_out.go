package inbox

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/whatsapp"
)

// WebhookInput is a subscription as an administrator creates or edits it;
// nil fields stay unchanged on update. Empty ChannelIDs on create means all
// of the creator's channels.
type WebhookInput struct {
	Description *string   `json:"description"`
	URL         *string   `json:"url"`
	Events      *[]string `json:"events"`
	ChannelIDs  *[]string `json:"channel_ids"`
	Active      *bool     `json:"active"`
}

// WebhookWithSecret is a subscription together with its secret, returned
// only when the secret was just created or rotated.
type WebhookWithSecret struct {
	*switchboard.WebhookSubscription
	Secret string `json:"secret"`
}

func newWebhookSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return "whsec_" + base64.RawURLEncoding.EncodeToString(b[:])
}

// HostAllowed reports whether host is on the operator's allow-list.
func HostAllowed(allow []string, host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, h := range allow {
		if strings.EqualFold(strings.TrimSpace(h), host) && host != "" {
			return true
		}
	}
	return false
}

// CheckWebhookScheme applies the rules that do not depend on the address:
// an absolute https URL (plain http only to an allowed host) without
// credentials or fragment. The worker checks it before every attempt, as
// the allow-list may have changed; addresses are checked at dial time.
func CheckWebhookScheme(raw string, allow []string) error {
	if len(raw) > switchboard.MaxWebhookURLLen {
		return switchboard.Errorf(switchboard.EInvalid, "The URL is longer than %d characters.", switchboard.MaxWebhookURLLen)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || !u.IsAbs() {
		return switchboard.Errorf(switchboard.EInvalid, "The URL must be an absolute https URL.")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && HostAllowed(allow, u.Hostname()):
	default:
		return switchboard.Errorf(switchboard.EInvalid, "The URL must use https (http only to a host the operator allows).")
	}
	if u.User != nil || u.Fragment != "" {
		return switchboard.Errorf(switchboard.EInvalid, "The URL must not contain credentials or a fragment.")
	}
	return nil
}

// CheckWebhookURL applies the target rules: https (plain http only to an
// allowed host), no userinfo or fragment, and no literal non-public
// address unless the host is allowed. Names are checked again at dial
// time, after resolution, by the worker's guarded transport.
func CheckWebhookURL(raw string, allow []string) error {
	if err := CheckWebhookScheme(raw, allow); err != nil {
		return err
	}
	u, _ := url.Parse(raw)
	host := u.Hostname()
	allowed := HostAllowed(allow, host)
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		if !allowed {
			return switchboard.Errorf(switchboard.EInvalid, "The URL points to this machine; the operator must allow the host.")
		}
	}
	if a, err := netip.ParseAddr(host); err == nil && !allowed && !whatsapp.PublicAddr(a) {
		return switchboard.Errorf(switchboard.EInvalid, "The URL points to a private or reserved address; the operator must allow the host.")
	}
	return nil
}

// canManageWebhook is the one visibility rule: channels.manage, and a role
// that covers every channel the subscription reaches.
func canManageWebhook(a *switchboard.Actor, w *switchboard.WebhookSubscription) bool {
	return a.Can(switchboard.PermChannelsManage) && a.Role.Covers(w.Scope())
}

// WebhookSubscriptions lists the subscriptions the actor may manage.
func (s *Service) WebhookSubscriptions(ctx context.Context, a *switchboard.Actor) ([]*switchboard.WebhookSubscription, error) {
	if !a.Can(switchboard.PermChannelsManage) {
		return nil, forbidden()
	}
	all, err := s.Store.WebhookSubscriptions(ctx)
	if err != nil {
		return nil, err
	}
	out := []*switchboard.WebhookSubscription{}
	for _, w := range all {
		if canManageWebhook(a, w) {
			out = append(out, w)
		}
	}
	return out, nil
}

// WebhookSubscription returns one subscription the actor may manage, or
// ENotFound.
func (s *Service) WebhookSubscription(ctx context.Context, a *switchboard.Actor, id string) (*switchboard.WebhookSubscription, error) {
	if !switchboard.ValidID(id) || !a.Can(switchboard.PermChannelsManage) {
		return nil, switchboard.NotFound("Webhook")
	}
	w, err := s.Store.WebhookSubscription(ctx, id)
	if err != nil {
		return nil, err
	}
	if !canManageWebhook(a, w) {
		return nil, switchboard.NotFound("Webhook")
	}
	return w, nil
}

// applyWebhookInput validates in onto w for actor a.
func (s *Service) applyWebhookInput(ctx context.Context, a *switchboard.Actor, w *switchboard.WebhookSubscription, in WebhookInput, create bool) error {
	if in.Description != nil {
		d := strings.TrimSpace(*in.Description)
		if len([]rune(d)) > 200 {
			return switchboard.Errorf(switchboard.EInvalid, "The description is longer than 200 characters.")
		}
		w.Description = d
	}
	if in.URL != nil {
		u := strings.TrimSpace(*in.URL)
		if err := CheckWebhookURL(u, s.WebhookAllowHosts); err != nil {
			return err
		}
		w.URL = u
	} else if create {
		return switchboard.Errorf(switchboard.EInvalid, "url is required.")
	}
	if in.Events != nil {
		w.Events = slices.Clone(*in.Events)
	}
	if in.Events != nil || create {
		if err := w.ValidateEvents(); err != nil {
			return err
		}
	}
	if in.Active != nil {
		w.Active = *in.Active
	}
	if in.ChannelIDs != nil || create {
		var ids []string
		if in.ChannelIDs != nil {
			ids = *in.ChannelIDs
		}
		if len(ids) > 100 {
			return switchboard.Errorf(switchboard.EInvalid, "At most 100 channels.")
		}
		if len(ids) == 0 {
			// All of the actor's channels.
			w.AllChannels, w.ChannelIDs = a.Role.AllChannels, slices.Clone(a.Role.ChannelIDs)
		} else {
			w.AllChannels, w.ChannelIDs = false, nil
			for _, id := range ids {
				if !switchboard.ValidID(id) || !a.Role.AllowsChannel(id) {
					return switchboard.NotFound("Channel")
				}
				if _, err := s.Store.Channel(ctx, id); err != nil {
					return err
				}
				if !slices.Contains(w.ChannelIDs, id) {
					w.ChannelIDs = append(w.ChannelIDs, id)
				}
			}
			slices.Sort(w.ChannelIDs)
		}
		if w.ChannelIDs == nil {
			w.ChannelIDs = []string{}
		}
	}
	return nil
}

// CreateWebhook subscribes a URL; the secret is returned this once.
func (s *Service) CreateWebhook(ctx context.Context, a *switchboard.Actor, in WebhookInput) (*WebhookWithSecret, error) {
	if !a.Can(switchboard.PermChannelsManage) {
		s.audit(ctx, a, "webhook.create", "webhook", "", switchboard.OutcomeDenied, nil)
		return nil, forbidden()
	}
	w := &switchboard.WebhookSubscription{Active: true, CreatedBy: a.User.ID, Secret: newWebhookSecret()}
	if err := s.applyWebhookInput(ctx, a, w, in, true); err != nil {
		return nil, err
	}
	existing, err := s.Store.WebhookSubscriptions(ctx)
	if err != nil {
		return nil, err
	}
	if len(existing) >= switchboard.MaxWebhookSubscriptions {
		return nil, switchboard.Errorf(switchboard.EInvalid, "Too many webhook subscriptions.")
	}
	w.ID = switchboard.NewID() // named in the audit entry written with it
	actx, done := s.auditing(ctx, a, "webhook.create", "webhook", w.ID, map[string]string{"url": w.URL, "events": strings.Join(w.Events, ",")})
	if err := s.Store.CreateWebhookSubscription(actx, w); err != nil {
		return nil, err
	}
	done()
	s.webhooksChanged()
	return &WebhookWithSecret{WebhookSubscription: w, Secret: w.Secret}, nil
}

// UpdateWebhook edits a subscription the actor may manage.
func (s *Service) UpdateWebhook(ctx context.Context, a *switchboard.Actor, id string, in WebhookInput) (*switchboard.WebhookSubscription, error) {
	w, err := s.WebhookSubscription(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if err := s.applyWebhookInput(ctx, a, w, in, false); err != nil {
		return nil, err
	}
	actx, done := s.auditing(ctx, a, "webhook.update", "webhook", w.ID, map[string]string{"url": w.URL, "events": strings.Join(w.Events, ",")})
	if err := s.Store.UpdateWebhookSubscription(actx, w); err != nil {
		return nil, err
	}
	done()
	s.webhooksChanged()
	return w, nil
}

// RotateWebhookSecret replaces the secret at once and returns the new one.
func (s *Service) RotateWebhookSecret(ctx context.Context, a *switchboard.Actor, id string) (*WebhookWithSecret, error) {
	w, err := s.WebhookSubscription(ctx, a, id)
	if err != nil {
		return nil, err
	}
	w.Secret = newWebhookSecret()
	actx, done := s.auditing(ctx, a, "webhook.rotate_secret", "webhook", w.ID, nil)
	if err := s.Store.UpdateWebhookSubscription(actx, w); err != nil {
		return nil, err
	}
	done()
	s.webhooksChanged()
	return &WebhookWithSecret{WebhookSubscription: w, Secret: w.Secret}, nil
}

// DeleteWebhook removes a subscription and its delivery log.
func (s *Service) DeleteWebhook(ctx context.Context, a *switchboard.Actor, id string) error {
	w, err := s.WebhookSubscription(ctx, a, id)
	if err != nil {
		return err
	}
	actx, done := s.auditing(ctx, a, "webhook.delete", "webhook", w.ID, map[string]string{"url": w.URL})
	if err := s.Store.DeleteWebhookSubscription(actx, w.ID); err != nil {
		return err
	}
	done()
	s.webhooksChanged()
	return nil
}

// WebhookDeliveries is a subscription's delivery log, newest first.
func (s *Service) WebhookDeliveries(ctx context.Context, a *switchboard.Actor, id string, limit int) ([]*switchboard.WebhookDelivery, error) {
	w, err := s.WebhookSubscription(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return s.Store.WebhookDeliveries(ctx, w.ID, limit)
}

// Redeliver schedules a new attempt of a delivery, with the same id.
func (s *Service) Redeliver(ctx context.Context, a *switchboard.Actor, subID, deliveryID string) (*switchboard.WebhookDelivery, error) {
	w, err := s.WebhookSubscription(ctx, a, subID)
	if err != nil {
		return nil, err
	}
	if !switchboard.ValidID(deliveryID) {
		return nil, switchboard.NotFound("Delivery")
	}
	d, err := s.Store.WebhookDelivery(ctx, deliveryID)
	if err != nil {
		return nil, err
	}
	if d.SubscriptionID != w.ID {
		return nil, switchboard.NotFound("Delivery")
	}
	if err := s.Store.RedeliverWebhook(ctx, d.ID, s.now()); err != nil {
		return nil, err
	}
	s.audit(ctx, a, "webhook.redeliver", "webhook", w.ID, switchboard.OutcomeSuccess, map[string]string{"delivery": d.ID})
	return s.Store.WebhookDelivery(ctx, d.ID)
}

func (s *Service) webhooksChanged() {
	if s.WebhooksOut != nil {
		s.WebhooksOut.Invalidate()
	}
}

// WebhookStore is what the webhook publisher needs: the subscriptions,
// the deliveries and the event log they are made from.
type WebhookStore interface {
	switchboard.WebhookOutStore
	switchboard.EventLogStore
}

// WebhookPublisher is the EventPublisher hook for outgoing webhooks: it
// passes every event on to Next and wakes the fan-out ([WebhookPublisher.FanOut]),
// which turns the event log's records into delivery rows, one per
// subscription that wants the event. The records are written in the
// change's own transaction (see [switchboard.EventLogStore]). It never
// calls a receiver: the sender posts deliveries later, so a slow receiver
// cannot slow the code that publishes (ingest, replies). Subscriptions are
// cached for TTL (or until [WebhookPublisher.Invalidate]) so records
// without a subscriber cost no reads.
type WebhookPublisher struct {
	Next   switchboard.EventPublisher
	Store  WebhookStore
	Clock  switchboard.Clock
	Logger *slog.Logger
	// Render builds the event of a record as it is now ([Service.RenderEvent]);
	// nil, or a nil event, for an object that no longer exists.
	Render func(ctx context.Context, r *switchboard.EventRecord) (*switchboard.Event, error)
	// Notify, when set, wakes the fan-out worker.
	Notify Notifier
	// Delivered, when set, wakes the delivery sender after a fan-out.
	Delivered Notifier
	// TTL bounds how long another instance's subscription change takes to
	// apply here; zero means 5 s.
	TTL time.Duration

	mu       sync.Mutex
	subs     []*switchboard.WebhookSubscription
	loaded   time.Time
	failures map[int64]int // failed renderings by position
}

var _ switchboard.EventPublisher = (*WebhookPublisher)(nil)

// Invalidate makes the next event reload the subscriptions.
func (p *WebhookPublisher) Invalidate() {
	p.mu.Lock()
	p.loaded = time.Time{}
	p.mu.Unlock()
}

func (p *WebhookPublisher) now() time.Time {
	if p.Clock == nil {
		return time.Now().UTC()
	}
	return p.Clock.Now().UTC()
}

func (p *WebhookPublisher) subscriptions(ctx context.Context) ([]*switchboard.WebhookSubscription, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ttl := p.TTL
	if ttl <= 0 {
		ttl = 5 * time.Second
	}
	if now := time.Now(); p.loaded.IsZero() || now.Sub(p.loaded) > ttl {
		subs, err := p.Store.WebhookSubscriptions(ctx)
		if err != nil {
			return nil, err
		}
		p.subs, p.loaded = subs, now
	}
	return p.subs, nil
}

// Publish wakes the fan-out for an event of a webhook type, then passes e
// on. It writes nothing: the change wrote the event's record in its own
// transaction; one published without ([switchboard.Event].Logged unset)
// is a change that does not record its events, and is logged.
func (p *WebhookPublisher) Publish(ctx context.Context, e switchboard.Event) {
	if switchboard.Logged(e.Type) {
		if !e.Logged {
			p.logger().Warn("event published without its record in the event log", "type", e.Type)
		}
		if p.Notify != nil {
			p.Notify.Notify()
		}
	}
	if p.Next != nil {
		p.Next.Publish(ctx, e)
	}
}

// FanOut turns up to n records of the event log that are not yet fanned
// out into deliveries, one per subscription that wants the record's event,
// and marks them fanned out, in one store transaction. A delivery's id
// derives from the record and the subscription, so a fan-out redone after
// a crash (the records stay pending until that transaction commits) adds
// no second delivery. It reports how many records it took.
func (p *WebhookPublisher) FanOut(ctx context.Context, n int) (int, error) {
	rs, err := p.Store.PendingEvents(ctx, n)
	if err != nil || len(rs) == 0 {
		return 0, err
	}
	subs, err := p.subscriptions(ctx)
	if err != nil {
		return 0, err
	}
	now := p.now()
	positions := make([]int64, 0, len(rs))
	var ds []*switchboard.WebhookDelivery
	for _, r := range rs {
		positions = append(positions, r.Position)
		var wanted []*switchboard.WebhookSubscription
		for _, w := range subs {
			// A record without its channel is read to learn it.
			if w.Wants(r.Type, r.ChannelID) || (r.ChannelID == "" && w.WantsType(r.Type)) {
				wanted = append(wanted, w)
			}
		}
		if len(wanted) == 0 || p.Render == nil {
			continue
		}
		e, err := p.Render(ctx, r)
		if err != nil {
			// The records before it go out; it is tried again on the next
			// passes, and after maxRenderFailures it is dropped (logged)
			// so that one record cannot hold up all later ones.
			if p.renderFailed(r.Position) < maxRenderFailures {
				positions = positions[:len(positions)-1]
				if len(positions) == 0 {
					return 0, fmt.Errorf("render event %d: %w", r.Position, err)
				}
				p.logger().Error("render event", "position", r.Position, "type", r.Type, "err", err)
				break
			}
			p.logger().Error("drop event that cannot be rendered", "position", r.Position, "type", r.Type, "err", err)
			continue
		}
		if e == nil {
			continue // gone meanwhile: a later record says so
		}
		var body []byte
		for _, w := range wanted {
			if !w.Wants(e.Type, e.ChannelID) {
				continue
			}
			if body == nil {
				if body, err = json.Marshal(e); err != nil {
					return 0, fmt.Errorf("encode event %d: %w", r.Position, err)
				}
			}
			// Created at the event's time: the retry window starts
			// with the event, however late the fan-out ran.
			ds = append(ds, &switchboard.WebhookDelivery{ID: switchboard.WebhookDeliveryID(r, w.ID), SubscriptionID: w.ID,
				EventType: e.Type, Payload: body, CreatedAt: r.At})
		}
	}
	if err := p.Store.FanOutEvents(ctx, positions, ds, now); err != nil {
		return 0, err
	}
	p.mu.Lock()
	for _, pos := range positions {
		delete(p.failures, pos)
	}
	p.mu.Unlock()
	if len(ds) > 0 && p.Delivered != nil {
		p.Delivered.Notify()
	}
	return len(positions), nil
}

// maxRenderFailures is how many passes may fail to render a record before
// the fan-out drops it.
const maxRenderFailures = 5

// renderFailed counts a failed rendering of the record at pos and returns
// the count.
func (p *WebhookPublisher) renderFailed(pos int64) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failures == nil {
		p.failures = map[int64]int{}
	}
	p.failures[pos]++
	return p.failures[pos]
}

// PruneEvents deletes the records fanned out longer than
// [switchboard.EventRetention] ago.
func (p *WebhookPublisher) PruneEvents(ctx context.Context) (int, error) {
	return p.Store.PruneEvents(ctx, p.now().Add(-switchboard.EventRetention))
}

func (p *WebhookPublisher) logger() *slog.Logger {
	if p.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return p.Logger
}
