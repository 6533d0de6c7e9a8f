package switchboard

import "context"

// Store is everything Switchboard persists. internal/sqlite and
// internal/postgres implement it and pass the same conformance suite
// (internal/storetest). Each method is one atomic unit of work: a transaction
// never spans two calls.
type Store interface {
	UserStore
	RoleStore
	SessionStore
	SetupStore
	TwoFactorStore
	PasskeyStore
	ChannelStore
	ConversationStore
	AuditStore
	WebhookQueue
	DeadLetterStore
	Outbox
	ChannelOps
	MediaStore
	Idempotency
	ThrottleStore
	AuthChallengeStore
	PrivacyStore
	ContactStore
	RetentionStore
	KeyStore
	ReportStore
	TokenStore
	WebhookOutStore
	EventLogStore
	HandoffStore
	SurfaceStore
	ThreadStore
	CannedReplyStore
	DraftStore
	SearchStore
	SendSlots
	ContactPanelStore
	RoutingStore
	LabelStore
	SavedViewStore
	LabelReportStore

	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// SchemaVersion returns the applied and the newest known migration.
	SchemaVersion(ctx context.Context) (applied, latest int, err error)
	// Stats reports connection pool figures for /metrics.
	Stats() StoreStats
	Close() error
}

// StoreStats are database pool figures.
type StoreStats struct {
	OpenConnections int
	InUse           int
	Idle            int
	WaitCount       int64
	// WriteQueue is the number of writes waiting for the single SQLite
	// writer; always 0 on PostgreSQL.
	WriteQueue int
}
