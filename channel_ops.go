package switchboard

import (
	"context"
	"encoding/json"
	"io"
	"time"
)

// This file holds what the WhatsApp channel needs from storage: the durable
// webhook queue, delivery statuses, the outbox the sender drains, channel
// health, templates, media and idempotent sends.

// WebhookEvent is one signature-checked webhook body from Meta, stored
// (encrypted) before Switchboard answers 200, and processed afterwards.
type WebhookEvent struct {
	ID         int64
	ChannelID  string
	Body       []byte // plaintext in memory; sealed at rest
	ReceivedAt time.Time
	Attempts   int
}

// WebhookQueue is the durable queue between the webhook handler and the
// ingest worker. Nothing acknowledged to Meta is ever lost: EnqueueWebhook
// returns only after the event is committed (fsync).
type WebhookQueue interface {
	EnqueueWebhook(ctx context.Context, channelID string, body []byte, at time.Time) error
	// EnqueueLeasedWebhook stores an event like EnqueueWebhook, already
	// leased until leasedUntil (its first attempt), and returns its id. The
	// process that accepted the webhook applies it from memory, with
	// ReceiveBatch; ClaimWebhooks hands it out only if that lease runs out,
	// after a crash.
	EnqueueLeasedWebhook(ctx context.Context, channelID string, body []byte, at, leasedUntil time.Time) (int64, error)
	// ClaimWebhooks leases up to n events that are not leased (or whose lease
	// has expired) and not dead letters, oldest first.
	ClaimWebhooks(ctx context.Context, n int, maxBytes int64, lease time.Duration, now time.Time) ([]*WebhookEvent, error)
	// DeleteWebhooks removes processed events.
	DeleteWebhooks(ctx context.Context, ids []int64) error
	// WebhookQueueDepth counts events not yet processed, dead letters
	// excluded.
	WebhookQueueDepth(ctx context.Context) (int, error)
	// ReceiveBatch applies what a batch of queued events carries in one
	// transaction, and deletes the events in it: all of it is stored or
	// none. Messages are stored as by ReceiveMessage and then statuses
	// applied as by ApplyStatus, each in order and seeing the ones before
	// it: a wamid repeated in the batch is a duplicate, replies and
	// reactions find messages earlier in the batch, and a new customer's
	// messages share one new contact and conversation.
	ReceiveBatch(ctx context.Context, b InboundBatch) (*BatchResult, error)
}

// InboundBatch is the content of several webhook events, for
// [WebhookQueue.ReceiveBatch].
type InboundBatch struct {
	Messages []InboundMessage
	Statuses []StatusUpdate
	// Events are the ids of the queue rows the batch comes from. They are
	// deleted in the batch's transaction, so that a crash can neither lose
	// an event nor apply it twice. Unknown ids are ignored.
	Events []int64
	// Dead are events with content that cannot be applied: in the same
	// transaction they become dead letters (kept, with the reason, and no
	// longer claimed) instead of being deleted. What else they carry is
	// applied as usual; a replay applies the whole event again, and what
	// was stored before is recognised as a duplicate.
	Dead []DeadEvent
	// Templates are template status changes reported by webhook (approved,
	// rejected, paused, …): each sets the status of the channel's synced
	// template of that name and language, if there is one, at once instead
	// of at the next sync.
	Templates []TemplateStatusChange
	// Edits are edits and revokes of stored messages (smb_message_echoes),
	// applied after the batch's messages, so an edit may follow its
	// message in the same batch. An edit of a message not stored is
	// dropped.
	Edits []MessageEdit
	// Preferences, Notices and Signals are what the webhook fields beyond
	// messages report (see SurfaceStore); the service applies them before
	// the batch, and applying them twice is harmless.
	Preferences []PreferenceChange
	Notices     []ChannelNotice
	Signals     []SignalFor
	// Handoff holds, by channel id, what the hand-off rules need of each
	// channel of the batch's messages (its bot agent, rules and business
	// hours; the service fills it from its channels). The store runs the
	// rules ([Handoff], through the planner) on the batch's conversations
	// in the batch's transaction and writes what they decide with it. A
	// channel not in it is not touched by the rules.
	Handoff map[string]ChannelHandoff
}

// TemplateStatusChange is a template's new status, quality score or
// category as a webhook reported it; empty fields are left as they are.
type TemplateStatusChange struct {
	ChannelID, Name, Language, Status string
	Quality, Category                 string
}

// DeadEvent names a queued event to keep as a dead letter, and why.
type DeadEvent struct {
	ID     int64
	Reason string
}

// DeadLetter is a webhook event whose content could not be applied. It is
// never dropped: an administrator sees it with the reason and can replay
// it after a fix.
type DeadLetter struct {
	ID         int64     `json:"id"`
	ChannelID  string    `json:"channel_id"`
	Reason     string    `json:"reason"`
	ReceivedAt time.Time `json:"received_at"`
	DeadAt     time.Time `json:"dead_at"`
	Attempts   int       `json:"attempts"`
}

// MaxDeadLetters is how many dead letters DeadLetters lists at most.
const MaxDeadLetters = 500

// DeadLetterStore lists and replays dead letters.
type DeadLetterStore interface {
	// DeadLetters lists dead letters, newest first, at most
	// MaxDeadLetters.
	DeadLetters(ctx context.Context) ([]*DeadLetter, error)
	// ReplayDeadLetter returns dead letter id to the queue, unleased, so
	// that the ingest worker applies it again; ENotFound if there is no
	// such dead letter.
	ReplayDeadLetter(ctx context.Context, id int64) error
	// DeadLetterCount counts the dead letters, for /metrics.
	DeadLetterCount(ctx context.Context) (int, error)
}

// BatchResult is the outcome of [WebhookQueue.ReceiveBatch].
type BatchResult struct {
	// Received[i] is the outcome of Messages[i]. Messages of one
	// conversation share its Conversation, as it is after the batch;
	// NewConversation is set on the message that created or reopened it. A
	// duplicate carries only the stored message's ID and ConversationID.
	Received []*Received
	// Statuses[i] is the outcome of Statuses[i]. Message and Conversation
	// are set when Changed, as they are after the batch.
	Statuses []*StatusResult
	// Edits[i] is the outcome of Edits[i].
	Edits []*EditResult
	// Handoffs are what the hand-off rules did in the batch, one per
	// conversation they changed or gave the bot a turn in, in the order
	// of the conversations.
	Handoffs []*BatchHandoff
}

// StatusUpdate is a delivery status WhatsApp reports for an outbound message.
type StatusUpdate struct {
	ChannelID   string
	WAMessageID string
	// MessageID is our id, echoed by Meta in biz_opaque_callback_data; it
	// finds the message even before the send call has returned its wamid.
	MessageID string
	Status    MessageStatus // sent, delivered, read, failed
	Timestamp time.Time
	Error     *MessageError
	// Pricing is the status's pricing object, if it carried one; it is
	// stored on the message even when the status itself is older than the
	// stored one.
	Pricing *MessagePricing
}

// StatusResult is the outcome of applying a status.
type StatusResult struct {
	Message      *Message      // after the update; nil when parked
	Conversation *Conversation // nil when parked
	// Changed is false when the status was older than what is stored
	// (statuses never regress) or a duplicate.
	Changed bool
	// Parked is set when the message is not known yet: the status is kept
	// and applied when the send call records the wamid.
	Parked bool
}

// OutboxItem is a message waiting to be sent, with what the sender needs.
type OutboxItem struct {
	Message      *Message
	Conversation *Conversation // Contact.WaID is the recipient
	Attempts     int
	// ReplyToWAID is the wamid of the quoted message, if any.
	ReplyToWAID string
	// Expired is set when an earlier claim ran out without a result: the
	// process died mid-send.
	Expired bool
	// Dispatched is set when that earlier attempt had marked the request
	// as leaving (MarkDispatched): it may have reached Meta. An expired
	// claim that was not dispatched certainly sent nothing.
	Dispatched bool
}

// Outbox is the queue of outbound messages. Claims keep per-conversation
// order: a conversation's next message is not handed out while an earlier
// one is still pending.
type Outbox interface {
	ClaimOutbox(ctx context.Context, n int, maxBytes int64, lease time.Duration, now time.Time) ([]*OutboxItem, error)
	// MarkSent records Meta's wamid: status becomes sent unless a parked
	// status already moved it further; parked statuses are applied.
	MarkSent(ctx context.Context, messageID, waMessageID string, at time.Time) (*StatusResult, error)
	// MarkSendFailed ends a send permanently with Meta's error.
	MarkSendFailed(ctx context.Context, messageID string, e MessageError, at time.Time) (*StatusResult, error)
	// MarkSendUnknown flags a send whose outcome is unknown (timed out after
	// the request left); it is not resent automatically.
	MarkSendUnknown(ctx context.Context, messageID string, at time.Time) (*StatusResult, error)
	// RetrySend schedules another attempt (and clears the dispatched mark).
	RetrySend(ctx context.Context, messageID string, attempts int, next time.Time) error
	// NoteSendRetry records the temporary error of a pending message's
	// last attempt (Meta's code and message, or a generic text), its
	// status staying pending, so users see that it is being retried and
	// why.
	NoteSendRetry(ctx context.Context, messageID string, e MessageError, at time.Time) (*StatusResult, error)
	// MarkDispatched records, just before the send request leaves for
	// Graph, that a claimed message may reach Meta from now on: if its
	// claim runs out after this, the outcome is unknown; before it, the
	// message is simply sent again.
	MarkDispatched(ctx context.Context, messageID string) error
	// RequeueUnknown queues an outbound message whose outcome is unknown
	// for another send, on a user's deliberate request: its status goes
	// back to pending with a new outbox entry. EConflict when its outcome
	// is not unknown (any more).
	RequeueUnknown(ctx context.Context, messageID string, at time.Time) (*StatusResult, error)
	OutboxDepth(ctx context.Context, channelID string) (int, error)
	// ApplyStatus applies a webhook status monotonically (sent < delivered <
	// read; failed is terminal) or parks it for a message not yet known.
	ApplyStatus(ctx context.Context, u StatusUpdate) (*StatusResult, error)
}

// ChannelHealth is what an administrator needs to see that a number works.
type ChannelHealth struct {
	LastWebhookAt     time.Time  `json:"last_webhook_at"`
	LastSendAt        time.Time  `json:"last_send_at"`
	TokenState        TokenState `json:"token_state"`
	TokenError        string     `json:"token_error,omitempty"`
	TemplatesSyncedAt time.Time  `json:"templates_synced_at"`
	TemplateSyncError string     `json:"template_sync_error,omitempty"`
	OutboxDepth       int        `json:"outbox_depth"`
	WebhookQueueDepth int        `json:"webhook_queue_depth"`
}

// TokenState is what the last use of a channel's access token showed.
type TokenState string

// The token states.
const (
	TokenUnknown  TokenState = "unknown"  // not used since it was set
	TokenValid    TokenState = "valid"    // Meta accepted it
	TokenRejected TokenState = "rejected" // Meta refused it (expired, revoked)
)

// HealthUpdate is a partial change of a channel's health; nil fields stay.
type HealthUpdate struct {
	LastWebhookAt     *time.Time
	LastSendAt        *time.Time
	TokenState        *TokenState
	TokenError        *string
	TemplatesSyncedAt *time.Time
	TemplateSyncError *string
}

// Template is an approved message template of a channel's WhatsApp
// Business Account, as synced from Meta.
type Template struct {
	ChannelID string `json:"channel_id"`
	Name      string `json:"name"`
	Language  string `json:"language"`
	Status    string `json:"status"`
	Category  string `json:"category"`
	// Quality is Meta's quality score (GREEN, YELLOW, RED, UNKNOWN; "" if
	// never reported), from the sync or message_template_quality_update.
	Quality string `json:"quality,omitempty"`
	// ParameterFormat is NAMED or POSITIONAL.
	ParameterFormat string          `json:"parameter_format,omitempty"`
	Components      json.RawMessage `json:"components"`
	SyncedAt        time.Time       `json:"synced_at"`
}

// Validate checks a template before it is stored: Meta names a template by
// its name and language together.
func (t *Template) Validate() error {
	if t.Name == "" || t.Language == "" {
		return Errorf(EInvalid, "Templates need a name and a language.")
	}
	return nil
}

// ChannelOps persists what the WhatsApp channel needs besides messages.
type ChannelOps interface {
	ChannelHealth(ctx context.Context, channelID string) (*ChannelHealth, error)
	UpdateChannelHealth(ctx context.Context, channelID string, u HealthUpdate) error
	// ReplaceTemplates swaps a channel's templates for a fresh sync.
	ReplaceTemplates(ctx context.Context, channelID string, ts []*Template, at time.Time) error
	Templates(ctx context.Context, channelID string) ([]*Template, error)
}

// MediaFile is a stored attachment: metadata in the database, the bytes
// (encrypted under the contact's key) in a [BlobStore].
type MediaFile struct {
	ID             string    `json:"id"`
	ConversationID string    `json:"conversation_id"`
	MessageID      string    `json:"message_id"`
	KeyID          string    `json:"-"`
	MIMEType       string    `json:"mime_type"`
	Filename       string    `json:"filename,omitempty"`
	Size           int64     `json:"size"`
	SHA256         string    `json:"sha256"`
	CreatedAt      time.Time `json:"created_at"`
}

// BlobStore keeps encrypted media bytes. The first implementation is files
// in the data dir; an S3-compatible one can follow behind the same
// interface.
type BlobStore interface {
	Put(ctx context.Context, name string, r io.Reader) (int64, error)
	Get(ctx context.Context, name string) (io.ReadCloser, error)
	Delete(ctx context.Context, name string) error
}

// MediaDownload is an inbound attachment waiting to be fetched from Meta.
// ReceiveMessage queues one for every message whose content has a Media
// with a WAMediaID.
type MediaDownload struct {
	MessageID      string
	ConversationID string
	ChannelID      string
	KeyID          string // the contact's data key, to encrypt the file
	WAMediaID      string
	MIMEType       string
	SHA256         string
	Filename       string
	Attempts       int
	QueuedAt       time.Time
}

// MediaStore persists attachment metadata and the download queue.
type MediaStore interface {
	// CreateMedia records a stored file (uploaded by a user, or downloaded).
	CreateMedia(ctx context.Context, f *MediaFile) error
	Media(ctx context.Context, id string) (*MediaFile, error)
	ClaimMediaDownloads(ctx context.Context, n int, maxBytes int64, lease time.Duration, now time.Time) ([]*MediaDownload, error)
	// CompleteMediaDownload records the file, sets the message's
	// Content.Media (ID, Size, State MediaReady) and drops the queue entry.
	CompleteMediaDownload(ctx context.Context, f *MediaFile) (*StatusResult, error)
	// FailMediaDownload reschedules (final false) or gives up, setting the
	// message's Content.Media.State to state (MediaFailed or MediaExpired;
	// MediaFailed when empty).
	FailMediaDownload(ctx context.Context, messageID string, attempts int, next time.Time, final bool, state MediaState) (*StatusResult, error)
}

// Idempotency remembers which message a client's Idempotency-Key created,
// so a retried request returns the first result instead of sending twice.
type Idempotency interface {
	// IdempotentMessage returns the message created earlier by userID with
	// key, or ENotFound.
	IdempotentMessage(ctx context.Context, userID, key string) (*Message, error)
	// DeleteIdempotencyKeys forgets the users' keys stored before before
	// (the messages stay) and returns how many. The system's keys (user
	// "", such as an away message's) stay as long as their message: they
	// make an automatic message once per conversation.
	DeleteIdempotencyKeys(ctx context.Context, before time.Time) (int, error)
}

// IdempotencyKeyTTL is how long an Idempotency-Key is remembered; a retry
// after that sends again.
const IdempotencyKeyTTL = 24 * time.Hour
