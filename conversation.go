package switchboard

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"
)

// ServiceWindow is WhatsApp's customer-service window: free-form messages may
// be sent for this long after the customer's last message; afterwards only
// templates.
const ServiceWindow = 24 * time.Hour

// Contact is a customer on one channel, identified by their business-scoped
// user id (BSUID) when WhatsApp sent one, by their phone number when it
// did, and by both once both are known: since 2026 a customer who adopted a
// username may share no phone number at all. Name, phone, BSUID, username
// and profile are personal data: encrypted at rest under the contact's own
// data key.
type Contact struct {
	ID        string `json:"id"`
	ChannelID string `json:"channel_id"`
	WaID      string `json:"phone"` // digits in international format, e.g. 4915123456789; "" if unknown
	// UserID is the BSUID, e.g. "US.13491208655302741918"; "" if WhatsApp
	// never sent one. ParentUserID is the parent BSUID of a managed
	// business portfolio, if any.
	UserID       string    `json:"user_id,omitempty"`
	ParentUserID string    `json:"parent_user_id,omitempty"`
	Username     string    `json:"username,omitempty"` // WhatsApp username, e.g. "@mira.okafor"
	Name         string    `json:"name"`               // WhatsApp profile name, or as edited
	CreatedAt    time.Time `json:"created_at"`
	// Blocked is set while the business blocks the customer on WhatsApp
	// (see [ContactBlock]); BlockedAt and BlockedBy (a user id) say when
	// and by whom.
	Blocked   bool       `json:"blocked,omitempty"`
	BlockedAt *time.Time `json:"blocked_at,omitempty"`
	BlockedBy string     `json:"blocked_by,omitempty"`
}

// ConversationStatus is where a conversation stands: open (someone should
// answer), pending (waiting for the customer), snoozed (out of the way until
// a time or the customer's next message) or resolved. The transitions are
// written once, in [ConversationStatus.CanBecome] and
// [ConversationStatus.AfterCustomerMessage].
type ConversationStatus string

// Conversation status values.
const (
	StatusOpen     ConversationStatus = "open"
	StatusPending  ConversationStatus = "pending"
	StatusSnoozed  ConversationStatus = "snoozed"
	StatusResolved ConversationStatus = "resolved"
)

// StatusClosedAlias is the name "resolved" had before pending and snoozed
// existed. Old dumps, audit entries and API clients may still use it;
// [ParseConversationStatus] maps it to [StatusResolved].
const StatusClosedAlias = "closed"

// ConversationStatuses lists the statuses in the order the inbox shows them.
func ConversationStatuses() []ConversationStatus {
	return []ConversationStatus{StatusOpen, StatusPending, StatusSnoozed, StatusResolved}
}

// ErrInvalidStatus is the error for a status outside [ConversationStatuses].
var ErrInvalidStatus = &Error{Code: EInvalid, Message: "status must be open, pending, snoozed or resolved."}

// ParseConversationStatus returns the status s names, accepting the
// deprecated "closed" for resolved.
func ParseConversationStatus(s string) (ConversationStatus, error) {
	if s == StatusClosedAlias {
		return StatusResolved, nil
	}
	st := ConversationStatus(s)
	if !st.Valid() {
		return "", ErrInvalidStatus
	}
	return st, nil
}

// Valid reports whether s is one of [ConversationStatuses].
func (s ConversationStatus) Valid() bool {
	switch s {
	case StatusOpen, StatusPending, StatusSnoozed, StatusResolved:
		return true
	}
	return false
}

// Active reports whether a conversation of this status is its contact's
// current one: every status but resolved. A contact has at most one active
// conversation per channel, and a customer's message joins it.
func (s ConversationStatus) Active() bool { return s != StatusResolved }

// CanBecome reports whether a user may move a conversation from s to to.
// An active conversation may take any status (snoozed again, to change its
// time); a resolved one may only be opened again, because a contact's
// other conversation may have become active meanwhile and reopening is
// what the one-active rule checks.
func (s ConversationStatus) CanBecome(to ConversationStatus) bool {
	if !s.Valid() || !to.Valid() {
		return false
	}
	if s == StatusResolved {
		return to == StatusOpen
	}
	return true
}

// AfterCustomerMessage is the status a customer's new message leaves: it
// opens a pending or snoozed conversation again, and reopens a resolved one
// (the stores and the ingest planner decide which conversation it joins).
func (s ConversationStatus) AfterCustomerMessage() ConversationStatus { return StatusOpen }

// SnoozeDue reports whether a conversation snoozed until until has come
// back at now. A snooze without a time (until the customer writes) is
// never due.
func SnoozeDue(until *time.Time, now time.Time) bool {
	return until != nil && !now.Before(*until)
}

// MaxSnooze bounds how far ahead a snooze may go.
const MaxSnooze = 366 * 24 * time.Hour

// ErrSnoozeTime is the error for a snooze time in the past or too far ahead.
var ErrSnoozeTime = &Error{Code: EInvalid, Message: "The snooze time must be in the future and at most a year ahead."}

// CheckSnooze checks a snooze's time at now: nil (until the customer
// writes) or between now and [MaxSnooze] ahead.
func CheckSnooze(until *time.Time, now time.Time) error {
	if until == nil {
		return nil
	}
	if !until.After(now) || until.Sub(now) > MaxSnooze {
		return ErrSnoozeTime
	}
	return nil
}

// Conversation is the thread between a channel and a contact. There is at
// most one active (not resolved) conversation per contact and channel.
type Conversation struct {
	ID        string             `json:"id"`
	ChannelID string             `json:"channel_id"`
	Contact   Contact            `json:"contact"`
	Status    ConversationStatus `json:"status"`
	// SnoozedUntil is when a snoozed conversation comes back by itself;
	// nil while it is not snoozed or snoozed until the customer writes.
	SnoozedUntil *time.Time `json:"snoozed_until"`
	Assignees    []UserRef  `json:"assignees"`
	// LastMessage previews the newest message; nil for an empty conversation.
	LastMessage *MessagePreview `json:"last_message"`
	// LastInboundAt is Meta's timestamp of the customer's newest message; the
	// service window closes ServiceWindow after it. Zero if they never wrote.
	LastInboundAt time.Time `json:"last_inbound_at"`
	// UnreadCount is the number of customer messages the viewing user has
	// not read. It depends on who asks.
	UnreadCount int       `json:"unread_count"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"` // newest activity, the list order
	// Handler is who is expected to answer: the channel's bot or people
	// (see [Handoff]); Handoff is the last hand-off, nil if none.
	Handler Handler       `json:"handler"`
	Handoff *HandoffState `json:"handoff"`
	// Mentioned are the ids of the users with an active mention in the
	// conversation (see [ThreadStore]): they may read it while it lasts.
	// Stores fill it wherever they fill Assignees. Everyone who sees the
	// conversation may know it, as they see the notes that mention them.
	Mentioned []string `json:"mentioned,omitempty"`
	// TeamID is the team the conversation is assigned to ([Team]), "" for
	// none; stores fill it with Assignees. A team does not make the
	// conversation assigned ([Conversation.Unassigned]): a person of it
	// still has to take it.
	TeamID string `json:"team_id,omitempty"`
	// Labels are the labels the conversation carries, by name; stores
	// fill them wherever they fill Assignees.
	Labels []LabelRef `json:"labels"`
	// KeyID names the contact's data key, which also encrypts the
	// conversation's media files. Never serialised.
	KeyID string `json:"-"`
}

// HandoffState returns the conversation's handler and last hand-off, for
// [Handoff].
func (c *Conversation) HandoffState() HandoffState {
	var st HandoffState
	if c.Handoff != nil {
		st = *c.Handoff
	}
	st.Handler = c.Handler
	if st.Handler == "" {
		st.Handler = HandlerHuman
	}
	return st
}

// SetHandoffState sets Handler and Handoff from st (Handoff nil when st
// records no hand-off).
func (c *Conversation) SetHandoffState(st HandoffState) {
	c.Handler = st.Handler
	if c.Handler == "" {
		c.Handler = HandlerHuman
	}
	c.Handoff = nil
	if !st.At.IsZero() || st.Reason != "" {
		h := st
		h.Handler = ""
		c.Handoff = &h
	}
}

// MarshalJSON adds window_closes_at, so clients show when only templates
// remain possible without computing WhatsApp's rule themselves.
func (c *Conversation) MarshalJSON() ([]byte, error) {
	type plain Conversation
	var closes *time.Time
	if t := c.WindowClosesAt(); !t.IsZero() {
		closes = &t
	}
	var lastInbound *time.Time
	if !c.LastInboundAt.IsZero() {
		lastInbound = &c.LastInboundAt
	}
	handler := c.Handler
	if handler == "" {
		handler = HandlerHuman
	}
	labels := c.Labels
	if labels == nil {
		labels = []LabelRef{}
	}
	return json.Marshal(struct {
		*plain
		LastInboundAt  *time.Time `json:"last_inbound_at"`
		WindowClosesAt *time.Time `json:"window_closes_at"`
		Handler        Handler    `json:"handler"`
		Labels         []LabelRef `json:"labels"`
	}{(*plain)(c), lastInbound, closes, handler, labels})
}

// WindowClosesAt returns when the customer-service window closes, or the zero
// time if the customer never wrote.
func (c *Conversation) WindowClosesAt() time.Time {
	if c.LastInboundAt.IsZero() {
		return time.Time{}
	}
	return c.LastInboundAt.Add(ServiceWindow)
}

// WindowOpen reports whether free-form messages may be sent at now.
func (c *Conversation) WindowOpen(now time.Time) bool {
	return !c.LastInboundAt.IsZero() && now.Before(c.WindowClosesAt())
}

// AssignedTo reports whether userID is among the assignees.
func (c *Conversation) AssignedTo(userID string) bool {
	for _, a := range c.Assignees {
		if a.ID == userID {
			return true
		}
	}
	return false
}

// Unassigned reports whether nobody who can still answer is assigned: no
// assignees, or only deactivated ones. The stores' "unassigned" filter and
// counts follow the same rule.
func (c *Conversation) Unassigned() bool {
	for _, a := range c.Assignees {
		if !a.Deactivated {
			return false
		}
	}
	return true
}

// AssigneeIDs returns the ids of the assignees, and [TeamAssignee] of its
// team if it has one: the list the visibility rules take.
func (c *Conversation) AssigneeIDs() []string {
	ids := make([]string, len(c.Assignees), len(c.Assignees)+1)
	for i, a := range c.Assignees {
		ids[i] = a.ID
	}
	if c.TeamID != "" {
		ids = append(ids, TeamAssignee(c.TeamID))
	}
	return ids
}

// MessagePreview is the short form of the newest message in a conversation list.
type MessagePreview struct {
	Text      string      `json:"text"`
	Type      MessageType `json:"type"`
	Direction Direction   `json:"direction"`
	At        time.Time   `json:"at"`
	// Revoked: the message was deleted for everyone (its text is gone).
	Revoked bool `json:"revoked,omitempty"`
}

// Assignment filter values for listing conversations.
const (
	AssignmentAll        = "all"
	AssignmentUnassigned = "unassigned"
	AssignmentAssigned   = "assigned"
	AssignmentMine       = "mine"
)

// ConversationFilter selects conversations for a list. The service layer
// fills the visibility fields from the actor; stores apply every field.
type ConversationFilter struct {
	Assignment string             // one of the Assignment values; "" means all
	Status     ConversationStatus // one of [ConversationStatuses], or "" for all
	Query      string             // client name or phone number
	Cursor     string
	Limit      int

	// ViewerID is the user whose unread counts are returned, and whose
	// assignments "mine" means.
	ViewerID string
	// OnlyAssignedTo, when set, restricts the list to conversations assigned
	// to this user (actors without conversations.read_all).
	OnlyAssignedTo string
	// ChannelIDs, when non-nil, restricts the list to these channels (the
	// role's channel scope).
	ChannelIDs []string
	// TeamID, when set, restricts the list to the conversations assigned
	// to this team ([Team]); lists only, the counts ignore it.
	TeamID string

	// AssigneeID, LabelID and Unread narrow the list further: assigned to
	// that user, carrying that label, with messages the viewer has not
	// read. ChannelID is one channel; the service folds it into
	// ChannelIDs ([ConversationFilter.NarrowChannel]). Sort is the order
	// ("" for [SortNewest]). See label.go.
	AssigneeID string
	LabelID    string
	ChannelID  string
	Unread     bool
	Sort       ConversationSort
}

// Errors of the conversation stores, the same on every store.
var (
	ErrInvalidAssignmentFilter = &Error{Code: EInvalid, Message: "Invalid assignment filter."}
	ErrInvalidStatusFilter     = &Error{Code: EInvalid, Message: "Invalid status filter."}
	ErrMineNeedsViewer         = &Error{Code: EInvalid, Message: `The assignment filter "mine" needs a viewer.`}
	ErrOutboundNoConversation  = &Error{Code: EInvalid, Message: "Outbound message needs a conversation."}
	ErrIdempotencyKeyUsed      = &Error{Code: EConflict, Message: "This Idempotency-Key was used for another message."}
)

// Validate checks the filter's enumerated values before a store turns them
// into a query: Status and Assignment from their lists, and a viewer for
// [AssignmentMine].
func (f *ConversationFilter) Validate() error {
	if f.Status != "" && !f.Status.Valid() {
		return ErrInvalidStatusFilter
	}
	switch f.Assignment {
	case "", AssignmentAll, AssignmentUnassigned, AssignmentAssigned:
	case AssignmentMine:
		if f.ViewerID == "" {
			return ErrMineNeedsViewer
		}
	default:
		return ErrInvalidAssignmentFilter
	}
	switch f.Sort {
	case "", SortNewest, SortWaiting:
	default:
		return ErrInvalidSort
	}
	if f.Unread && f.ViewerID == "" {
		return ErrMineNeedsViewer
	}
	return nil
}

// ConversationCounts are the numbers next to the inbox filters.
type ConversationCounts struct {
	All        int `json:"all"`
	Unassigned int `json:"unassigned"`
	Assigned   int `json:"assigned"`
	Mine       int `json:"mine"`
	Open       int `json:"open"`
	Pending    int `json:"pending"`
	Snoozed    int `json:"snoozed"`
	Resolved   int `json:"resolved"`
	// Capped: the filter needed the conversations counted one by one and
	// there were more than [MaxScanTally]; the counts are lower bounds.
	Capped bool `json:"capped,omitempty"`
}

// ConversationTally counts the visible conversations of one status: All of
// them, those Assigned (an active assignee, the opposite of
// [Conversation.Unassigned]) and those assigned to the viewer (Mine). A
// store tallies per status; [ConversationFilter.Counts] turns the tallies
// into the filter counts, so the combination rule exists once whether the
// store read its maintained per-channel counters or scanned conversations.
type ConversationTally struct {
	Status   ConversationStatus
	All      int
	Assigned int
	Mine     int
}

// TallySource is where a store reads the tallies of a filter's counts.
type TallySource int

const (
	// TallyNone: the filter can match nothing (an empty channel list).
	TallyNone TallySource = iota
	// TallyCounters: the maintained per-channel counters, plus the
	// viewer's own assignments for "mine".
	TallyCounters
	// TallyOwn: only the viewer's own assignments (and mentions), for
	// a user who sees only those.
	TallyOwn
	// TallyScan: the conversations the filter finds, counted one by one:
	// a search, or another user's assignments.
	TallyScan
)

// CountsSource checks f for counting and says where a store takes its
// tallies from; the same rule for every store.
func (f *ConversationFilter) CountsSource() (TallySource, error) {
	switch f.Assignment {
	case "", AssignmentAll, AssignmentUnassigned, AssignmentAssigned, AssignmentMine:
	default:
		return TallyNone, ErrInvalidAssignmentFilter
	}
	switch {
	case f.ChannelIDs != nil && len(f.ChannelIDs) == 0:
		return TallyNone, nil
	case strings.TrimSpace(f.Query) != "" || f.OnlyAssignedTo != "" && f.OnlyAssignedTo != f.ViewerID || f.Scanned():
		return TallyScan, nil
	case f.OnlyAssignedTo != "":
		return TallyOwn, nil
	}
	return TallyCounters, nil
}

// Counts combines per-status tallies into what each inbox filter would
// list: the assignment counts under f.Status, the status counts under
// f.Assignment. Tallies of the same status add up.
func (f *ConversationFilter) Counts(tallies []ConversationTally) *ConversationCounts {
	var n ConversationCounts
	total := 0
	for _, t := range tallies {
		if f.Status == "" || t.Status == f.Status {
			n.All += t.All
			n.Assigned += t.Assigned
			n.Unassigned += t.All - t.Assigned
			n.Mine += t.Mine
		}
		var in int
		switch f.Assignment {
		case "", AssignmentAll:
			in = t.All
		case AssignmentUnassigned:
			in = t.All - t.Assigned
		case AssignmentAssigned:
			in = t.Assigned
		case AssignmentMine:
			in = t.Mine
		}
		switch t.Status {
		case StatusOpen:
			n.Open += in
		case StatusPending:
			n.Pending += in
		case StatusSnoozed:
			n.Snoozed += in
		case StatusResolved:
			n.Resolved += in
		}
		total += t.All
	}
	// A scanned filter's tallies stop after MaxScanTally conversations.
	n.Capped = f.Scanned() && total > MaxScanTally
	return &n
}

// Direction is who wrote a message.
type Direction string

// Message directions.
const (
	DirectionIn  Direction = "in"  // from the customer
	DirectionOut Direction = "out" // from the business
)

// MessageType is a message's kind, as WhatsApp names it. Unknown inbound
// types are stored as TypeUnsupported with their raw payload.
type MessageType string

// Message types.
const (
	TypeText        MessageType = "text"
	TypeImage       MessageType = "image"
	TypeAudio       MessageType = "audio"
	TypeVideo       MessageType = "video"
	TypeDocument    MessageType = "document"
	TypeSticker     MessageType = "sticker"
	TypeLocation    MessageType = "location"
	TypeContacts    MessageType = "contacts"
	TypeInteractive MessageType = "interactive"
	TypeButton      MessageType = "button"
	TypeReaction    MessageType = "reaction"
	TypeOrder       MessageType = "order"
	TypeSystem      MessageType = "system"
	TypeTemplate    MessageType = "template"
	// TypeRequestWelcome: the customer opened the chat for the first time
	// (no content); a channel may answer it with its welcome message.
	TypeRequestWelcome MessageType = "request_welcome"
	TypeUnsupported    MessageType = "unsupported"
)

// MessageStatus is a message's delivery state.
type MessageStatus string

// Message delivery states, in the order they may advance. Failed is
// terminal; a later "delivered" never overwrites "read".
const (
	MessagePending   MessageStatus = "pending" // stored, waiting in the outbox
	MessageSent      MessageStatus = "sent"    // accepted by Meta
	MessageDelivered MessageStatus = "delivered"
	MessageRead      MessageStatus = "read"
	MessageFailed    MessageStatus = "failed"
	MessageUnknown   MessageStatus = "unknown"  // the send timed out after leaving: it may or may not have gone
	MessageReceived  MessageStatus = "received" // inbound
)

// StatusRank orders delivery states so that statuses never regress.
func StatusRank(s MessageStatus) int {
	switch s {
	case MessagePending:
		return 0
	case MessageUnknown:
		return 1
	case MessageSent:
		return 2
	case MessageDelivered:
		return 3
	case MessageRead:
		return 4
	case MessageFailed:
		return 5
	}
	return -1
}

// Message is one WhatsApp message in a conversation.
type Message struct {
	ID             string      `json:"id"`
	ConversationID string      `json:"conversation_id"`
	Direction      Direction   `json:"direction"`
	Type           MessageType `json:"type"`
	// Content is everything the customer or the business wrote: encrypted at
	// rest under the contact's data key.
	Content MessageContent `json:"content"`
	// WAMessageID is WhatsApp's id (wamid). It encodes the phone number, so it
	// is stored encrypted with a keyed hash for lookups.
	WAMessageID string        `json:"wa_message_id,omitempty"`
	Status      MessageStatus `json:"status"`
	Error       *MessageError `json:"error,omitempty"`
	ReplyToID   string        `json:"reply_to_id,omitempty"` // our id of the quoted message
	SenderID    string        `json:"sender_id,omitempty"`   // user who sent an outbound message
	// Pricing is how Meta bills an outbound message, as its statuses
	// reported it (the newest report wins); nil until one did. It is not
	// customer data and is stored in the clear, for reports.
	Pricing *MessagePricing `json:"pricing,omitempty"`
	// SenderName is the sender's current display name, filled by the
	// service when it hands messages to users; not stored.
	SenderName string `json:"sender_name,omitempty"`
	// Timestamp is Meta's time for inbound messages and the creation time
	// for outbound ones; messages are ordered by it.
	Timestamp time.Time `json:"timestamp"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// IdempotencyKey is the client's Idempotency-Key for an outbound message;
	// a second send with the same key by the same user returns this message.
	IdempotencyKey string `json:"-"`
	// Author is who wrote the message (see MessageAuthor). Stores keep
	// what ingest and sending set (business_app for echoes) and fill the
	// rest (FillAuthor); the service tells bots from users when it hands
	// messages out (DeriveAuthor), and the JSON always carries one.
	Author MessageAuthor `json:"author"`
	// Imported marks a past message synchronised from the WhatsApp
	// Business app (history webhook): it is shown in the thread but counts
	// as neither unread nor new.
	Imported bool `json:"imported,omitempty"`
	// EditedAt is when the message was last edited (from the WhatsApp
	// Business app); nil if never.
	EditedAt *time.Time `json:"edited_at,omitempty"`
	// Revoked marks a message deleted for everyone: its content is gone
	// from storage and it is shown as a tombstone.
	Revoked bool `json:"revoked,omitempty"`
}

// MarshalJSON fills author when the service did not.
func (m *Message) MarshalJSON() ([]byte, error) {
	type plain Message
	c := *m
	c.Author = m.DeriveAuthor(false)
	return json.Marshal((*plain)(&c))
}

// MessagePricing is the pricing object of a status webhook: whether the
// message is billable, the pricing model (PMP, per-message pricing, since
// July 2025; CBP before), the category (marketing, utility,
// authentication, service, …) and the price type (regular,
// free_customer_service, free_entry_point).
type MessagePricing struct {
	Billable     bool   `json:"billable"`
	PricingModel string `json:"pricing_model,omitempty"`
	Category     string `json:"category,omitempty"`
	Type         string `json:"type,omitempty"`
}

// MaxPricingField bounds each text field of a [MessagePricing]: Meta's
// values are short words; a longer one comes from a broken webhook.
const MaxPricingField = 64

// Bounded returns p with each field cut to [MaxPricingField] bytes (nil for
// nil).
func (p *MessagePricing) Bounded() *MessagePricing {
	if p == nil {
		return nil
	}
	cut := func(s string) string {
		if len(s) > MaxPricingField {
			s = strings.ToValidUTF8(s[:MaxPricingField], "")
		}
		return s
	}
	return &MessagePricing{Billable: p.Billable, PricingModel: cut(p.PricingModel), Category: cut(p.Category), Type: cut(p.Type)}
}

// MessageError is why WhatsApp did not deliver a message: Meta's code,
// title and details.
type MessageError struct {
	Code    int    `json:"code"`
	Title   string `json:"title"`
	Details string `json:"details,omitempty"`
}

// MessageContent is the customer-visible body of a message, by type.
type MessageContent struct {
	Text        string          `json:"text,omitempty"`  // text body, or caption of media
	Media       *Media          `json:"media,omitempty"` // image, audio, video, document, sticker
	Location    *Location       `json:"location,omitempty"`
	Contacts    json.RawMessage `json:"contacts,omitempty"` // contact cards as WhatsApp sent them
	Interactive *Interactive    `json:"interactive,omitempty"`
	Reaction    *Reaction       `json:"reaction,omitempty"`
	Template    *TemplateSend   `json:"template,omitempty"`
	Order       *Order          `json:"order,omitempty"` // a cart from the catalog
	Form        *FormReply      `json:"form,omitempty"`  // a completed WhatsApp Flow (nfm_reply)
	// InteractiveSend is the buttons, list or link the business sent.
	InteractiveSend *InteractiveSend `json:"interactive_send,omitempty"`
	Referral        json.RawMessage  `json:"referral,omitempty"` // click-to-WhatsApp ad
	Forwarded       bool             `json:"forwarded,omitempty"`
	// FrequentlyForwarded marks messages forwarded more than five times.
	FrequentlyForwarded bool `json:"frequently_forwarded,omitempty"`
	// Raw keeps the original payload of types Switchboard does not model,
	// so nothing received is lost.
	Raw json.RawMessage `json:"raw,omitempty"`
}

// MaxInboundText is WhatsApp's limit for a text body, in characters
// (Unicode code points); captions are shorter still.
const MaxInboundText = 4096

// BoundText cuts the message's text (body or caption) to [MaxInboundText]
// characters, the last of them "…", and reports whether it did. Meta never
// sends more; a longer text comes from a forged or broken webhook, and
// keeping the start of it is better than refusing the webhook (Meta would
// retry it for days, and the customer's message would be lost).
func (m *Message) BoundText() bool {
	t := m.Content.Text
	if len(t) <= MaxInboundText || utf8.RuneCountInString(t) <= MaxInboundText {
		return false
	}
	n := 0
	for i := range t {
		if n == MaxInboundText-1 {
			m.Content.Text = t[:i] + "…"
			return true
		}
		n++
	}
	return false
}

// PrepareOutbound sets what every store sets on a message the business
// sends before storing it: a new id when it has none, direction out,
// status pending, the text type when none is given, the timestamp now
// when unset, and the creation times now.
func (m *Message) PrepareOutbound(now time.Time) {
	if m.ID == "" {
		m.ID = NewID()
	}
	m.Direction, m.Status = DirectionOut, MessagePending
	if m.Author == "" {
		m.Author = AuthorUser
	}
	if m.Type == "" {
		m.Type = TypeText
	}
	if m.Timestamp.IsZero() {
		m.Timestamp = now
	}
	m.CreatedAt, m.UpdatedAt = now, now
}

// Media describes a file attached to a message. The file itself lives in
// encrypted media storage under ID.
type Media struct {
	ID        string     `json:"id,omitempty"` // Switchboard's media id; empty until downloaded
	WAMediaID string     `json:"-"`
	MIMEType  string     `json:"mime_type"`
	Filename  string     `json:"filename,omitempty"`
	Size      int64      `json:"size,omitempty"`
	SHA256    string     `json:"sha256,omitempty"`
	Voice     bool       `json:"voice,omitempty"`
	Animated  bool       `json:"animated,omitempty"`
	State     MediaState `json:"state,omitempty"`
}

// MediaState is how far the download of an inbound file has come.
type MediaState string

// The media states.
const (
	MediaPending MediaState = "pending" // queued or being fetched from Meta
	MediaReady   MediaState = "ready"   // stored in media storage under Media.ID
	MediaFailed  MediaState = "failed"  // gave up after retries
	MediaExpired MediaState = "expired" // Meta no longer has the file
)

// Location is a shared place.
type Location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name,omitempty"`
	Address   string  `json:"address,omitempty"`
	URL       string  `json:"url,omitempty"`
}

// Interactive is a customer's answer to a button, list or template button.
type Interactive struct {
	Kind        string `json:"kind"` // button_reply, list_reply, nfm_reply, button
	ID          string `json:"id,omitempty"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
}

// Order is a cart the customer sent from the business's catalog.
type Order struct {
	CatalogID string      `json:"catalog_id"`
	Items     []OrderItem `json:"items"`
}

// OrderItem is one line of an [Order]; ItemPrice is per unit.
type OrderItem struct {
	ProductRetailerID string  `json:"product_retailer_id"`
	Quantity          int     `json:"quantity"`
	ItemPrice         float64 `json:"item_price"`
	Currency          string  `json:"currency"`
}

// FormReply is a completed WhatsApp Flow: the flow's name and body text
// and the answers of response_json as name/value pairs (values that are
// not strings as JSON), in name order.
type FormReply struct {
	Name   string      `json:"name,omitempty"`
	Body   string      `json:"body,omitempty"`
	Fields []FormField `json:"fields"`
}

// FormField is one answer of a [FormReply].
type FormField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Bounds of what an order or a form keeps; Meta's are smaller, longer
// ones come from a broken or forged webhook.
const (
	MaxOrderItems  = 100
	MaxFormFields  = 50
	MaxFormName    = 100  // bytes of a field name
	MaxFormValue   = 1000 // bytes of a field value
	MaxOrderString = 200  // bytes of a catalog or product id, a currency
)

// Reaction is an emoji on another message; an empty emoji removes it.
type Reaction struct {
	MessageID string `json:"message_id,omitempty"` // our id of the target
	Emoji     string `json:"emoji"`
}

// TemplateSend is a template message the business sent.
type TemplateSend struct {
	Name       string            `json:"name"`
	Language   string            `json:"language"`
	Parameters map[string]string `json:"parameters,omitempty"`
}

// MessagePage selects a page of a conversation's history, newest first.
type MessagePage struct {
	Before string // cursor: messages older than this one
	Limit  int
}

// ConversationStore persists contacts, conversations and messages.
type ConversationStore interface {
	// Conversation returns one conversation with viewerID's unread count.
	Conversation(ctx context.Context, id, viewerID string) (*Conversation, error)
	// Conversations lists by newest activity with an opaque cursor.
	Conversations(ctx context.Context, f ConversationFilter) (items []*Conversation, next string, err error)
	// CountConversations counts what each filter would list, within f's
	// visibility fields and query: the assignment counts under f.Status, the
	// status counts under f.Assignment.
	CountConversations(ctx context.Context, f ConversationFilter) (*ConversationCounts, error)
	// SetConversationStatus sets a conversation's status and clears its
	// snooze time (StatusSnoozed here means until the customer writes).
	// It does not check [ConversationStatus.CanBecome]; the service does.
	SetConversationStatus(ctx context.Context, id string, status ConversationStatus, at time.Time) (*Conversation, error)
	// SnoozeConversation snoozes a conversation until until (nil: until
	// the customer writes).
	SnoozeConversation(ctx context.Context, id string, until *time.Time, at time.Time) (*Conversation, error)
	// DueSnoozes returns up to limit conversations whose snooze time is at
	// or before now, the earliest first.
	DueSnoozes(ctx context.Context, now time.Time, limit int) ([]string, error)
	// WakeSnoozed opens the conversation again if it is still snoozed and
	// its time has come at now ([SnoozeDue]); it reports whether it did.
	WakeSnoozed(ctx context.Context, id string, now time.Time) (*Conversation, bool, error)
	// AddAssignee is idempotent; it reports whether anything changed.
	AddAssignee(ctx context.Context, conversationID, userID string, at time.Time) (*Conversation, bool, error)
	RemoveAssignee(ctx context.Context, conversationID, userID string, at time.Time) (*Conversation, bool, error)
	// MarkRead records that userID has read everything in the conversation.
	MarkRead(ctx context.Context, conversationID, userID string) error
	// Messages returns a page of history, newest first, and the cursor of the
	// next (older) page.
	Messages(ctx context.Context, conversationID string, p MessagePage) (items []*Message, before string, err error)
	Message(ctx context.Context, id string) (*Message, error)
	// ReceiveMessage stores an inbound message: it finds or creates the
	// contact (by channel and BSUID, else phone number, linking the two
	// when a message first brings both; name and username are updated when
	// they change) and
	// the open conversation, and appends the message unless its WAMessageID
	// was stored before (then Duplicate is set and nothing changes).
	ReceiveMessage(ctx context.Context, in InboundMessage) (*Received, error)
	// CreateOutboundMessage stores a message the business sends, as pending,
	// with its outbox entry, in one transaction.
	CreateOutboundMessage(ctx context.Context, m *Message) (*Conversation, error)
	// SetContactBlocked records that userID blocked the contact at the
	// given time, or, with a nil block, that it is unblocked. ENotFound for
	// an unknown contact.
	SetContactBlocked(ctx context.Context, contactID string, block *ContactBlock) error
}

// Received is the outcome of [ConversationStore.ReceiveMessage].
type Received struct {
	Conversation *Conversation // after the message was applied
	Message      *Message      // the stored message (the earlier one for a duplicate)
	// NewConversation is set when the conversation was created or a resolved
	// one was reopened by this message.
	NewConversation bool
	// Duplicate is set when the message had been received before.
	Duplicate bool
}

// InboundMessage is a customer message as it arrives from a channel. Its
// sender is named by WaID (phone number), UserID (BSUID) or both; at least
// one is required.
type InboundMessage struct {
	ChannelID    string
	WaID         string
	UserID       string
	ParentUserID string
	Username     string
	ProfileName  string
	// NewWaID and NewUserID are set by a system message reporting that the
	// customer changed their phone number or BSUID (user_changed_number,
	// user_changed_user_id): the message is stored in the conversation of
	// the contact found by the old identifiers, and the contact takes the
	// new ones, so the customer is not split in two.
	NewWaID   string
	NewUserID string
	Message   *Message // Direction, Type, Content, WAMessageID, Timestamp set
	// ReplyToWAID and ReactionToWAID name the quoted or reacted-to message by
	// WhatsApp id; the store resolves them to ReplyToID / Content.Reaction.
	ReplyToWAID    string
	ReactionToWAID string
}

// Echo reports whether the message is one the business sent from the
// WhatsApp Business app (an smb_message_echoes webhook, or a business
// message of a history thread): WaID and UserID then name the customer it
// was sent to.
func (in InboundMessage) Echo() bool {
	return in.Message != nil && in.Message.Author == AuthorBusinessApp
}

// HasSender reports whether the message names its sender by phone number
// or BSUID.
func (in InboundMessage) HasSender() bool { return in.WaID != "" || in.UserID != "" }

// Validate checks that an inbound message names its channel, its sender
// and carries a message, with one error for each missing part.
func (in InboundMessage) Validate() error {
	switch {
	case in.Message == nil:
		return Errorf(EInvalid, "Message is required.")
	case in.ChannelID == "":
		return Errorf(EInvalid, "Channel is required.")
	case !in.HasSender():
		return Errorf(EInvalid, "A phone number or business-scoped user id is required.")
	}
	return nil
}

// Validate checks that a status update names its message, by our id or by
// WhatsApp's.
func (u StatusUpdate) Validate() error {
	if u.MessageID == "" && u.WAMessageID == "" {
		return Errorf(EInvalid, "A status needs a message id.")
	}
	return nil
}

// Validate checks every message and status of the batch.
func (b InboundBatch) Validate() error {
	for _, in := range b.Messages {
		if err := in.Validate(); err != nil {
			return err
		}
	}
	for _, u := range b.Statuses {
		if err := u.Validate(); err != nil {
			return err
		}
	}
	for _, e := range b.Edits {
		if err := e.Validate(); err != nil {
			return err
		}
	}
	return nil
}
