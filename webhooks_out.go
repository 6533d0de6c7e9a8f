package switchboard

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Outgoing webhooks: an administrator subscribes a URL to event types on
// some channels; every matching event becomes a durable delivery that a
// worker posts, signed, with retries.

// Webhook delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed" // given up after WebhookRetryWindow
)

// Webhook headers sent with every delivery.
const (
	HeaderWebhookSignature = "X-Switchboard-Signature"
	HeaderWebhookDelivery  = "X-Switchboard-Delivery"
	HeaderWebhookEvent     = "X-Switchboard-Event"
)

// WebhookRetryWindow is how long a failing delivery is retried before it
// is given up (state failed). An attempt that fails after the window has
// passed is the last one, so retries last at least this long.
const WebhookRetryWindow = 24 * time.Hour

// Limits on a subscription.
const (
	MaxWebhookURLLen        = 2048
	MaxWebhookSubscriptions = 200 // per installation
)

// webhookEventAliases are the event patterns a subscription may name
// besides the concrete event types: assignment.* is the assign and unassign
// events, and a family wildcard is every type of the family.
var webhookEventAliases = map[string][]string{
	"message.*":      {EventMessageCreated, EventMessageUpdated},
	"conversation.*": {EventConversationCreated, EventConversationUpdated, EventConversationAssigned, EventConversationUnassigned, EventConversationDeleted},
	"assignment.*":   {EventConversationAssigned, EventConversationUnassigned},
	"handoff.*":      {EventHandoffToHuman, EventHandoffToBot, EventBotTurn},
	"suggestion.*":   {EventSuggestionCreate, EventSuggestionUpdate},
}

// WebhookEventTypes are the concrete event types a subscription may name.
var WebhookEventTypes = []string{
	EventMessageCreated, EventMessageUpdated,
	EventConversationCreated, EventConversationUpdated, EventConversationDeleted,
	EventConversationAssigned, EventConversationUnassigned,
	EventHandoffToHuman, EventHandoffToBot, EventBotTurn,
	EventSuggestionCreate, EventSuggestionUpdate,
}

// WebhookSubscription sends the events of some types on some channels to a
// URL. Secret signs deliveries; it is shown once, when created or rotated.
type WebhookSubscription struct {
	ID          string   `json:"id"`
	Description string   `json:"description"`
	URL         string   `json:"url"`
	Events      []string `json:"events"`
	// AllChannels subscribes to every channel; otherwise ChannelIDs.
	AllChannels bool      `json:"all_channels"`
	ChannelIDs  []string  `json:"channel_ids"`
	Active      bool      `json:"active"`
	Secret      string    `json:"-"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// ValidateEvents checks the event patterns and sorts them without repeats.
func (w *WebhookSubscription) ValidateEvents() error {
	if len(w.Events) == 0 {
		return Errorf(EInvalid, "Choose at least one event type.")
	}
	if len(w.Events) > 20 {
		return Errorf(EInvalid, "At most 20 event types.")
	}
	for _, e := range w.Events {
		if _, ok := webhookEventAliases[e]; !ok && !slices.Contains(WebhookEventTypes, e) {
			return Errorf(EInvalid, "Unknown event type %q.", truncateRunes(e, 64))
		}
	}
	slices.Sort(w.Events)
	w.Events = slices.Compact(w.Events)
	return nil
}

// Wants reports whether an event of type typ on channelID goes to w.
func (w *WebhookSubscription) Wants(typ, channelID string) bool {
	if !w.Active || channelID == "" {
		return false
	}
	if !w.AllChannels && !slices.Contains(w.ChannelIDs, channelID) {
		return false
	}
	for _, p := range w.Events {
		if p == typ || slices.Contains(webhookEventAliases[p], typ) {
			return true
		}
	}
	return false
}

// WantsType reports whether w wants events of type typ on some channel.
func (w *WebhookSubscription) WantsType(typ string) bool {
	if !w.Active || (!w.AllChannels && len(w.ChannelIDs) == 0) {
		return false
	}
	for _, p := range w.Events {
		if p == typ || slices.Contains(webhookEventAliases[p], typ) {
			return true
		}
	}
	return false
}

// Scope is the channel limit of w as a role, for [Role.Covers]: an
// administrator may see and manage w only if their role covers it.
func (w *WebhookSubscription) Scope() *Role {
	return &Role{Permissions: []Permission{PermChannelsManage}, AllChannels: w.AllChannels, ChannelIDs: w.ChannelIDs}
}

// WebhookDelivery is one event for one subscription. Its ID stays the same
// across retries and redeliveries, so receivers can deduplicate.
type WebhookDelivery struct {
	ID             string    `json:"id"`
	SubscriptionID string    `json:"subscription_id"`
	EventType      string    `json:"event_type"`
	Payload        []byte    `json:"-"`
	State          string    `json:"state"`
	Attempts       int       `json:"attempts"`
	CreatedAt      time.Time `json:"created_at"`
	// RetryFrom starts the retry window: the creation, or the last
	// redelivery.
	RetryFrom     time.Time `json:"retry_from"`
	NextAttemptAt time.Time `json:"next_attempt_at"`
	LastAttemptAt time.Time `json:"last_attempt_at"`
	// LastStatus is the receiver's HTTP status (0: no response).
	LastStatus    int    `json:"last_status"`
	LastLatencyMS int64  `json:"last_latency_ms"`
	LastError     string `json:"last_error"`
}

// WebhookAttempt is the result of one delivery attempt.
type WebhookAttempt struct {
	At        time.Time
	State     string // DeliveryPending (retry at Next), DeliveryDelivered or DeliveryFailed
	Next      time.Time
	Status    int
	LatencyMS int64
	Error     string
}

// WebhookRetryDelay is the pause after the attempt-th failed attempt:
// exponential from 30 s, capped at one hour, with jitter in [0.5, 1) of
// the delay (jitter is a number in [0, 1), e.g. from math/rand).
func WebhookRetryDelay(attempt int, jitter float64) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := 30 * time.Second * time.Duration(math.Pow(2, float64(min(attempt-1, 20))))
	d = min(d, time.Hour)
	return time.Duration(float64(d) * (0.5 + jitter/2))
}

// NextWebhookAttempt decides what follows a failed attempt made at now:
// another attempt later, or giving up once the retry window has passed.
func NextWebhookAttempt(d *WebhookDelivery, now time.Time, jitter float64) (state string, next time.Time) {
	if now.Sub(d.RetryFrom) >= WebhookRetryWindow {
		return DeliveryFailed, time.Time{}
	}
	return DeliveryPending, now.Add(WebhookRetryDelay(d.Attempts, jitter))
}

// SignWebhook returns the X-Switchboard-Signature value for body sent at
// t: "t=<unix>,v1=<hex HMAC-SHA256 over "<unix>.<body>">".
func SignWebhook(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

// VerifyWebhook checks a signature header against body in constant time and
// refuses timestamps further than tolerance from now (replays).
func VerifyWebhook(secret, header string, body []byte, now time.Time, tolerance time.Duration) bool {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return false
	}
	if d := now.Sub(time.Unix(unix, 0)); d > tolerance || d < -tolerance {
		return false
	}
	want := SignWebhook(secret, time.Unix(unix, 0), body)
	return hmac.Equal([]byte(want), []byte("t="+ts+",v1="+sig))
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// WebhookOutStore keeps subscriptions and their durable deliveries.
type WebhookOutStore interface {
	CreateWebhookSubscription(ctx context.Context, w *WebhookSubscription) error
	// WebhookSubscription is ENotFound for an unknown id.
	WebhookSubscription(ctx context.Context, id string) (*WebhookSubscription, error)
	// WebhookSubscriptions lists all, oldest first.
	WebhookSubscriptions(ctx context.Context) ([]*WebhookSubscription, error)
	// UpdateWebhookSubscription replaces the editable fields and the secret.
	UpdateWebhookSubscription(ctx context.Context, w *WebhookSubscription) error
	// DeleteWebhookSubscription removes it and its deliveries.
	DeleteWebhookSubscription(ctx context.Context, id string) error

	// EnqueueWebhookDeliveries stores pending deliveries, due at once;
	// deliveries of a deleted subscription are dropped.
	EnqueueWebhookDeliveries(ctx context.Context, ds []*WebhookDelivery) error
	// ClaimWebhookDeliveries leases up to n due pending deliveries and
	// counts an attempt on each; an expired lease makes one claimable again.
	ClaimWebhookDeliveries(ctx context.Context, n int, maxBytes int64, lease time.Duration, now time.Time) ([]*WebhookDelivery, error)
	// RecordWebhookAttempt stores an attempt's result and ends the lease.
	RecordWebhookAttempt(ctx context.Context, id string, r WebhookAttempt) error
	// WebhookDeliveries lists a subscription's deliveries, newest first.
	WebhookDeliveries(ctx context.Context, subscriptionID string, limit int) ([]*WebhookDelivery, error)
	// WebhookDelivery is ENotFound for an unknown id.
	WebhookDelivery(ctx context.Context, id string) (*WebhookDelivery, error)
	// RedeliverWebhook makes a delivery pending and due at now, with a new
	// retry window and attempt count.
	RedeliverWebhook(ctx context.Context, id string, now time.Time) error
}
