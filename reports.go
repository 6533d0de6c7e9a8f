package switchboard

import (
	"context"
	"time"
)

// PermReportsRead lets a role read the reports (conversation volumes,
// response and resolution times, per-employee statistics, message volumes)
// for the role's channels. Without it a user sees only their own
// statistics. Built in, the administrator and the chat operator have it.
const PermReportsRead Permission = "reports.read"

// ReportScope selects the facts behind a report: the half-open time range
// [From, To) and, when ChannelIDs is non-nil, only those channels.
type ReportScope struct {
	From, To   time.Time
	ChannelIDs []string
	// MetricPrefix, when set, limits [ReportRollupStore.ReportFigureSums]
	// to the metrics that start with it (one report's figures), so a
	// report reads and sums only its own rows.
	MetricPrefix string
	// Metrics, when non-nil, limits ReportFigureSums to these metrics.
	Metrics []string
	// Users, when set, limits ReportDaySets to the sets with a user (a
	// first response's responder, a resolution's closer).
	Users bool
}

// ReportConversation is one conversation opened within a report's range,
// reduced to the times the reports need. It holds no customer data.
type ReportConversation struct {
	ID        string
	ChannelID string
	OpenedAt  time.Time
	// FirstInboundAt is the timestamp of the customer's first message of
	// the conversation; zero if they never wrote.
	FirstInboundAt time.Time
	// FirstResponseAt is the timestamp of the first response at or after
	// FirstInboundAt (see [IsReportResponse]), whenever it was sent; zero
	// while unanswered.
	FirstResponseAt time.Time
	// FirstResponderID is the sender of that response ("" when it came
	// from the API or a bot without a user).
	FirstResponderID string
}

// ReportStatusChange is a conversation being closed or reopened. Closes and
// reopens by a user come from the audit log (action "conversation.status");
// a customer's message to a closed conversation reopens it without an audit
// entry, so those reopens come from the messages (ActorID is then empty and
// ByCustomer set).
type ReportStatusChange struct {
	ConversationID string
	ChannelID      string
	OpenedAt       time.Time // the conversation's creation
	At             time.Time
	// Status is StatusResolved or StatusOpen: the stores report pending
	// and snoozed as open (still in the backlog), and old "closed"
	// entries as resolved.
	Status     ConversationStatus
	ActorID    string
	ByCustomer bool
}

// ReportAgentFacts are one user's figures within a report's scope. The
// conversation figures are limited to the scope's channels; sessions are
// not tied to channels.
type ReportAgentFacts struct {
	UserID string `json:"-"`
	// Assigned counts the distinct conversations the user was assigned to
	// (audit action "conversation.assign").
	Assigned int `json:"assigned"`
	// Replied counts the distinct conversations the user sent a message in.
	Replied int `json:"replied"`
	// Resolved counts the user's closes (audit "conversation.status").
	Resolved int `json:"resolved"`
	// MessagesSent counts the outbound messages the user sent.
	MessagesSent int `json:"messages_sent"`
	// SessionsStarted counts successful sign-ins ("session.login").
	SessionsStarted int `json:"sessions_started"`
	// LastSeenAt is the newest activity of any of the user's sessions, or of
	// their newest audit entry when no session is left; not limited by the
	// range. Zero if never seen.
	LastSeenAt time.Time `json:"-"`
}

// The kinds of [ReportAgentPair].
const (
	AgentAssigned = "assigned" // audit "conversation.assign" naming the user
	AgentReplied  = "replied"  // outbound messages the user sent
	AgentResolved = "resolved" // the user's closes (audit "conversation.status")
)

// ReportAgentPair is how often (Count) a user did one thing (Kind, one of
// AgentAssigned, AgentReplied, AgentResolved) in one conversation of
// ChannelID within a report's scope.
type ReportAgentPair struct {
	Kind           string
	UserID         string
	ChannelID      string
	ConversationID string
	Count          int
}

// ReportMessageCount is the number of messages in one 15-minute UTC slot
// (every time zone's offset is a multiple of 15 minutes, so slots add up to
// local days exactly) with one direction, type and outcome.
type ReportMessageCount struct {
	Slot      time.Time
	ChannelID string
	Direction Direction
	Type      MessageType
	Failed    bool
	ErrorCode int // WhatsApp's error code of a failed message; 0 if none
	Count     int
}

// ReportCostCount is the number of messages in one [ReportSlot] (by
// their timestamp) whose status webhooks reported one pricing object (the
// newest report wins, see [Message.Pricing]).
type ReportCostCount struct {
	Slot      time.Time
	ChannelID string
	Billable  bool
	Model     string // pricing_model: PMP or CBP
	Category  string // marketing, utility, authentication, service, …
	Type      string // regular, free_customer_service, free_entry_point, …
	Count     int
}

// ReportHandoffCount is the number of hand-offs in one [ReportSlot]: a
// conversation's handler changed to To for Reason (a [ReportHandoffReason]).
type ReportHandoffCount struct {
	Slot      time.Time
	ChannelID string
	To        Handler
	Reason    string
	Count     int
}

// ReasonOther is the report reason of a hand-off whose reason a bot or an
// operator wrote: their words stay sealed with the conversation and never
// reach a report, which carries no customer data.
const ReasonOther = "other"

// ReportHandoffReason is the reason a hand-off is recorded and reported
// under: one of the reasons the service gives itself (ReasonOpened, …),
// else [ReasonOther].
func ReportHandoffReason(reason string) string {
	switch reason {
	case ReasonOpened, ReasonCustomerAsked, ReasonTakenOver, ReasonAssigned, ReasonPersonReplied, ReasonHandedBack, ReasonBotFailed, ReasonBusinessHours:
		return reason
	}
	return ReasonOther
}

// ReportSlot is the width of a [ReportMessageCount] slot.
const ReportSlot = 15 * time.Minute

// IsReportResponse reports whether an outbound message of type typ and
// delivery status counts as a response to the customer: anything a person,
// bot or the API sent, templates included, except reactions, system
// messages and messages that failed. Internal notes are not messages and
// never count.
func IsReportResponse(typ MessageType, status MessageStatus) bool {
	return typ != TypeReaction && typ != TypeSystem && status != MessageFailed
}

// ReportStore reads the facts behind the reports. Every method only reads.
type ReportStore interface {
	// ReportConversations returns the conversations created within s.
	ReportConversations(ctx context.Context, s ReportScope) ([]ReportConversation, error)
	// ReportStatusChanges returns, for every conversation within s's
	// channels that was closed or reopened within s's range, all its status
	// changes before s.To, oldest first: the users' closes and reopens from
	// the audit log, and for each close the first customer message stored
	// after it (by created_at) as a reopen by the customer. The caller
	// drops changes that do not change the status.
	ReportStatusChanges(ctx context.Context, s ReportScope) ([]ReportStatusChange, error)
	// ReportAgents returns the figures of every user with any of them.
	ReportAgents(ctx context.Context, s ReportScope) ([]ReportAgentFacts, error)
	// ReportAgentPairs returns, per kind, user and conversation, how often
	// the user was assigned to it, sent a message in it or closed it
	// within s (the conversation figures of ReportAgents, before they are
	// counted).
	ReportAgentPairs(ctx context.Context, s ReportScope) ([]ReportAgentPair, error)
	// ReportSessions returns every user's sessions started within s and
	// last seen (the figures of ReportAgents not tied to channels).
	ReportSessions(ctx context.Context, s ReportScope) ([]ReportAgentFacts, error)
	// ReportMessages counts the messages by timestamp within s.
	ReportMessages(ctx context.Context, s ReportScope) ([]ReportMessageCount, error)
	// ReportCosts counts the messages by timestamp within s whose
	// statuses carried a pricing object, by that object.
	ReportCosts(ctx context.Context, s ReportScope) ([]ReportCostCount, error)
	// ReportHandoffs counts the changes of handler within s by the
	// handler the conversation went to and [ReportHandoffReason].
	ReportHandoffs(ctx context.Context, s ReportScope) ([]ReportHandoffCount, error)

	ReportRollupStore
}

// ReportFigure is one counter of the report rollups: Count of Metric on
// ChannelID in the ReportSlot starting at Slot (Period when summed).
type ReportFigure struct {
	Slot      time.Time
	Period    int // index of the period a [ReportRollupStore.ReportFigureSums] sum belongs to
	ChannelID string
	Metric    string
	Count     int
}

// ReportDuration is one duration of the report rollups: a first response
// (Kind "first", At the conversation's opening, UserID the responder) or a
// resolution (Kind "resolution", At the close), in whole seconds from
// Start (the customer's first message, or the episode's opening), so that
// the time within business hours can be measured too.
type ReportDuration struct {
	Kind      string
	At        time.Time
	ChannelID string
	UserID    string
	Seconds   int64
	Start     time.Time
	// Business is the time within business hours in whole seconds, as
	// measured by the schedule whose [BusinessClock.Fingerprint] is Hours
	// when the rollups were computed; a report whose channel keeps other
	// hours now measures it again from Start.
	Business int64
	Hours    uint64
}

// ReportDaySet is what the rollups keep of one UTC day (Day, its
// midnight), channel, kind and user, packed by internal/reports in Data: the
// durations of a kind of time (the user is the responder of a first
// response, the closer of a resolution), or the conversations a user worked
// on in a way ([ReportAgentPair]). A report over a year reads a few rows per
// day instead of one per duration or conversation. The store keeps Data as
// it is.
type ReportDaySet struct {
	Day       time.Time
	ChannelID string
	Kind      string
	UserID    string
	Data      []byte
}

// ReportRollupStore keeps the report rollups: counters per ReportSlot and
// channel, and the durations behind the percentiles. The rules that fill
// them live in internal/reports; the store only keeps and sums rows.
type ReportRollupStore interface {
	// ReportDirtySlots returns the slots whose facts changed at or after
	// since (by the facts' updated_at, the audit log's time and the marks
	// deletions leave), a token for FinishReportRefresh, and the store's
	// clock before it looked (the mark to record once they are recomputed).
	ReportDirtySlots(ctx context.Context, since time.Time) (slots []time.Time, token int64, now time.Time, err error)
	// ReplaceReportSlots replaces, in one transaction, every figure with a
	// slot and every duration set with a day in [from, to) (whole UTC days).
	ReplaceReportSlots(ctx context.Context, from, to time.Time, figures []ReportFigure, durations []ReportDaySet) error
	// FinishReportRefresh records mark as the time the rollups are complete
	// up to and drops the deletion marks up to token.
	FinishReportRefresh(ctx context.Context, mark time.Time, token int64) error
	// ReportRollupMark returns the last FinishReportRefresh mark; ok is
	// false when the rollups were never built.
	ReportRollupMark(ctx context.Context) (mark time.Time, ok bool, err error)
	// ReportFactSpan returns the earliest and latest time of any fact or
	// rollup row the reports count; ok is false when there is none.
	ReportFactSpan(ctx context.Context) (first, last time.Time, ok bool, err error)
	// ReportFigureSums sums the figures within s's channels per period:
	// bounds are the periods' starts followed by the end of the last one.
	ReportFigureSums(ctx context.Context, s ReportScope, bounds []time.Time) ([]ReportFigure, error)
	// ReportFigureTotals sums the figures of metrics within s's channels
	// over every slot before before, per channel and metric (Period -1).
	ReportFigureTotals(ctx context.Context, s ReportScope, before time.Time, metrics []string) ([]ReportFigure, error)
	// ReportDaySets returns the sets of kinds within s's channels whose
	// day overlaps [s.From, s.To), ordered by day.
	ReportDaySets(ctx context.Context, s ReportScope, kinds []string) ([]ReportDaySet, error)
}
