// Package inbox holds Switchboard's use cases: signing in, managing users and
// roles, and working on conversations. Every method of Service takes the
// acting user and decides there, in the service layer, what that user may
// see and do; the HTTP layer only translates. The operations that act for
// no user (webhooks, ingest, statuses, media for the workers, retention)
// are methods of System, which Service.System returns.
package inbox

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/backup"
	"github.com/switchboardhq/switchboard/internal/password"
)

// Disconnector ends a user's live connections, e.g. when they are
// deactivated or their password changes.
type Disconnector interface {
	DisconnectUser(userID string)
}

// Service implements the use cases that act for a user. Store, Events, Passwords are required;
// the rest have useful zero values.
type Service struct {
	Store     switchboard.Store
	Events    switchboard.EventPublisher
	Passwords *password.Hasher
	Clock     switchboard.Clock
	Logger    *slog.Logger
	// Live, when set, is told to drop a user's WebSockets on revocation.
	Live Disconnector
	// Throttle limits failed logins per account and per IP.
	Throttle *Throttle
	// TokenRate limits the requests of each API token; nil means no limit.
	TokenRate *TokenLimiter

	// SessionIdle and SessionMax bound a session's life: it ends after
	// SessionIdle without use, and SessionMax after sign-in regardless.
	SessionIdle time.Duration
	SessionMax  time.Duration
	// SetupTTL is how long the first-run setup link is valid.
	SetupTTL time.Duration
	// PublicURL is where users and Meta reach Switchboard.
	PublicURL string
	// Templates, when set, syncs message templates from Meta.
	Templates TemplateSyncer
	// Webhooks, when set, is woken after a webhook is queued.
	Webhooks Notifier
	// Outbox, when set, is woken after a message is queued for sending.
	Outbox Notifier
	// Receipts, when set, sends read receipts for channels that want them.
	Receipts ReadReceipts
	// TypingSender, when set, sends typing indicators (see Typing).
	TypingSender TypingIndicators
	// Blocker, when set, blocks and unblocks customers at WhatsApp.
	Blocker Blocker
	// Blobs and Keys store media files encrypted under contact keys.
	Blobs switchboard.BlobStore
	Keys  Keyring
	// WebhookAllowHosts are the host names outgoing webhooks may reach
	// although they resolve to private addresses, and over plain http
	// (the operator's SWITCHBOARD_WEBHOOK_ALLOW_HOSTS).
	WebhookAllowHosts []string
	// WebhooksOut, when set, is told that subscriptions changed.
	WebhooksOut Invalidator
	// ReportZone is the installation's time zone for reports; nil means
	// DefaultReportZone.
	ReportZone *time.Location
	// Backups, when set, reports the scheduled backups (BackupStatus);
	// nil means they are off.
	Backups func() backup.Status
	// Register, when set, copies the erasure register out of the database
	// after every erasure (see EraseContact).
	Register ErasureRegister
	// VerifyChain, when set, verifies the audit chain with the audit key
	// and the anchors kept outside the database (internal/auditanchor);
	// nil verifies the unkeyed chain without anchors (tests).
	VerifyChain func(ctx context.Context) (switchboard.AuditVerification, error)

	// typing throttles typing indicators per conversation.
	typing typingThrottle
	// composing throttles composer activity events per user and conversation.
	composing activityThrottle

	// adminMu serialises the last-administrator check with the update
	// that demotes or deactivates an administrator.
	adminMu sync.Mutex

	channels channelCache
	rollups  reportRollups // see reports.go
	senders  nameCache
	handoff  atomic.Pointer[Handoff] // see SetHandoff

	// Passkeys, when set, is the WebAuthn relying party ([NewPasskeys]);
	// nil leaves passkeys off.
	Passkeys *Passkeys
}

// Invalidator drops a cache.
type Invalidator interface {
	Invalidate()
}

// Notifier is told that new work is queued, so a worker need not wait for
// its next poll.
type Notifier interface {
	Notify()
}

// New returns a Service with defaults for every optional field.
func New(store switchboard.Store, events switchboard.EventPublisher, hasher *password.Hasher) *Service {
	return &Service{
		Store:       store,
		Events:      events,
		Passwords:   hasher,
		Clock:       switchboard.SystemClock{},
		Logger:      slog.New(slog.DiscardHandler),
		Throttle:    NewThrottle(store, ThrottleOptions{}),
		TokenRate:   NewTokenLimiter(DefaultTokenRate),
		SessionIdle: 12 * time.Hour,
		SessionMax:  7 * 24 * time.Hour,
		SetupTTL:    time.Hour,
	}
}

func (s *Service) now() time.Time { return s.Clock.Now().UTC() }

// audit appends an entry on its own, after the fact: for failures and
// denials, where nothing was changed, and for actions whose store write
// does not carry the entry. A failure to write the audit log is logged
// loudly but does not undo the action, which has already committed; that
// is why successful actions use [Service.auditing] instead.
func (s *Service) audit(ctx context.Context, a *switchboard.Actor, action, objType, objID, outcome string, detail map[string]string) {
	s.appendAudit(ctx, s.auditEntry(a, action, objType, objID, outcome, detail))
}

func (s *Service) appendAudit(ctx context.Context, e *switchboard.AuditEntry) {
	if err := s.Store.AppendAudit(switchboard.WithoutAuditEntry(ctx), e); err != nil {
		s.Logger.Error("append audit entry", "action", e.Action, "err", err)
	}
}

func (s *Service) auditEntry(a *switchboard.Actor, action, objType, objID, outcome string, detail map[string]string) *switchboard.AuditEntry {
	e := &switchboard.AuditEntry{
		At: s.now(), Action: action, ObjectType: objType, ObjectID: objID,
		Outcome: outcome, Detail: detail,
	}
	if a != nil {
		if a.User != nil {
			e.ActorID, e.ActorLogin = a.User.ID, a.User.Login
		}
		e.IP, e.UserAgent = a.IP, truncate(a.UserAgent, 256)
		if a.TokenID != "" { // every action of a program names its token
			d := make(map[string]string, len(detail)+1)
			for k, v := range detail {
				d[k] = v
			}
			d["token_id"] = a.TokenID
			e.Detail = d
		}
	}
	return e
}

// auditing returns ctx carrying the success entry of the action the next
// store write under it carries out, so that the store appends the entry in
// that write's own transaction: the action never commits without it (see
// [switchboard.WithAuditEntry]). Call done after the write succeeded; it
// appends the entry separately if the store did not.
//
//	actx, done := s.auditing(ctx, a, "role.delete", "role", id, nil)
//	if err := s.Store.DeleteRole(actx, id); err != nil { return err }
//	done()
func (s *Service) auditing(ctx context.Context, a *switchboard.Actor, action, objType, objID string, detail map[string]string) (actx context.Context, done func()) {
	e := s.auditEntry(a, action, objType, objID, switchboard.OutcomeSuccess, detail)
	actx = switchboard.WithAuditEntry(ctx, e)
	return actx, func() {
		if !switchboard.AuditEntryWritten(actx) {
			s.appendAudit(ctx, e)
		}
	}
}

func (s *Service) publish(ctx context.Context, typ string, conv *switchboard.Conversation, data any, also ...string) {
	if s.Events == nil {
		return
	}
	if m, ok := data.(*switchboard.Message); ok {
		s.nameSenders(ctx, m)
	}
	s.Events.Publish(ctx, switchboard.Event{
		Type: typ, At: s.now(), ConversationID: conv.ID, Data: data,
		ChannelID: conv.ChannelID, Assignees: conv.AssigneeIDs(), Mentioned: conv.Mentioned, Also: also,
		Logged: switchboard.EventLogged(ctx, typ, conv.ID),
	})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
