package switchboard

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"sync"
	"time"
)

// The event log (an outbox): every change that outgoing webhooks may
// announce is recorded as an [EventRecord] in the same transaction as the
// change itself, so a change never commits without its record and a kill
// at any moment loses no event. A worker later fans each record out into
// one [WebhookDelivery] per subscription that wants it, with an id derived
// from the record and the subscription ([WebhookDeliveryID]): a fan-out
// redone after a crash makes the same ids, and the store keeps one row per
// id.
//
// A record names what changed (type, conversation, subject), not how it
// looked: the payload is the object as it is when the record is fanned
// out, built by the same code as the REST API's answer. A service action
// stages its records on the context with [WithEvents], and the store
// writes them in the transaction of the action's write, where it also
// appends the audit entry ([WithAuditEntry]); the ingest writes the
// records of a batch itself, from what the batch changed, and so does a
// single change of a message outside a batch (a send's outcome, a
// delivery status, a media download's result). Nothing is appended after
// a change commits.

// EventRetention is how long a record is kept after it was fanned out.
const EventRetention = 24 * time.Hour

// EventRecord is one change in the event log.
type EventRecord struct {
	// Position is the record's place in the log, assigned by the store:
	// it grows with every record.
	Position int64
	// ID is a random id given when the record is made; delivery ids derive
	// from it (positions may start again after a restore without the log).
	ID             string
	Type           string
	At             time.Time
	ConversationID string
	// ChannelID is the conversation's channel, "" when the writer did not
	// know it (the fan-out then reads it from the conversation).
	ChannelID string
	// SubjectID names the object the event is about besides the
	// conversation: the message of message.* and bot.turn, the user of an
	// assignment, the suggestion of suggestion.*, the contact of
	// conversation.deleted.
	SubjectID string
	// ProcessedAt is when the record was fanned out (zero: not yet).
	ProcessedAt time.Time
}

// NewEventRecord returns a record of typ made at at, with a new ID.
func NewEventRecord(typ string, at time.Time, conversationID, channelID, subjectID string) *EventRecord {
	return &EventRecord{ID: NewID(), Type: typ, At: at, ConversationID: conversationID, ChannelID: channelID, SubjectID: subjectID}
}

// Logged reports whether records of typ go into the event log: the types
// outgoing webhooks offer.
func Logged(typ string) bool { return slices.Contains(WebhookEventTypes, typ) }

// WebhookDeliveryID is the id of the delivery of record r to subscription
// subscriptionID: the same for the same pair every time, so a fan-out
// redone after a crash adds no second delivery.
func WebhookDeliveryID(r *EventRecord, subscriptionID string) string {
	h := sha256.Sum256([]byte("switchboard-delivery\x00" + r.ID + "\x00" + strconv.FormatInt(r.Position, 10) + "\x00" + subscriptionID))
	return hex.EncodeToString(h[:16])
}

// EventLogStore keeps the event log.
type EventLogStore interface {
	// PendingEvents lists up to n records not yet fanned out, by position.
	PendingEvents(ctx context.Context, n int) ([]*EventRecord, error)
	// FanOutEvents stores the deliveries (one row per id: a delivery whose
	// id exists already is left as it is, and one of a deleted
	// subscription is dropped) and marks the records with these positions
	// fanned out at now, in one transaction.
	FanOutEvents(ctx context.Context, positions []int64, ds []*WebhookDelivery, now time.Time) error
	// PruneEvents deletes the records fanned out before before and
	// reports how many.
	PruneEvents(ctx context.Context, before time.Time) (int, error)
}

type eventsCtxKey struct{}

// stagedEvents are records on their way into the log with the next write
// that commits, as [pendingAudit] is for an audit entry.
type stagedEvents struct {
	mu    sync.Mutex
	rs    []*EventRecord
	state int // auditPending, auditTaken, auditWritten
	all   bool
	skip  bool // the write under way changed nothing (SkipAuditEntry)
}

// WithEvents returns ctx carrying rs, the records of the change the next
// store write under it carries out; the store writes them in that write's
// transaction. A write that changes nothing ([SkipAuditEntry]) leaves them
// for the next.
func WithEvents(ctx context.Context, rs ...*EventRecord) context.Context {
	return context.WithValue(ctx, eventsCtxKey{}, &stagedEvents{rs: rs})
}

// WithLoggedEvents returns ctx saying that every event published under it
// is in the log already: the ingest's, whose store writes their records
// with the batch.
func WithLoggedEvents(ctx context.Context) context.Context {
	return context.WithValue(ctx, eventsCtxKey{}, &stagedEvents{all: true, state: auditWritten})
}

// TakeEvents is for stores: it returns the records ctx carries that no
// write has taken, and settle, to call with whether the transaction that
// writes them committed (they are pending again if not).
func TakeEvents(ctx context.Context) (rs []*EventRecord, settle func(committed bool)) {
	p, _ := ctx.Value(eventsCtxKey{}).(*stagedEvents)
	if p == nil {
		return nil, nil
	}
	skip := skipping(ctx)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.skip || skip {
		p.skip = false
		return nil, nil
	}
	if p.state != auditPending || len(p.rs) == 0 {
		return nil, nil
	}
	p.state = auditTaken
	return p.rs, func(committed bool) {
		p.mu.Lock()
		defer p.mu.Unlock()
		if committed {
			p.state = auditWritten
		} else {
			p.state = auditPending
			for _, r := range p.rs {
				r.Position = 0
			}
		}
	}
}

// skipping reports whether the write under way found nothing to change.
func skipping(ctx context.Context) bool {
	p, _ := ctx.Value(auditCtxKey{}).(*pendingAudit)
	if p == nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.skip
}

// EventLogged reports whether an event of typ on conversationID, published
// under ctx, is in the log: ctx says so for all its events, or carries a
// written record of that type and conversation.
func EventLogged(ctx context.Context, typ, conversationID string) bool {
	p, _ := ctx.Value(eventsCtxKey{}).(*stagedEvents)
	if p == nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state != auditWritten {
		return false
	}
	if p.all {
		return true
	}
	for _, r := range p.rs {
		if r.Type == typ && r.ConversationID == conversationID {
			return true
		}
	}
	return false
}
