package switchboard

import (
	"context"
	"encoding/json"
	"time"
)

// This file holds what the webhook fields beyond messages record (issue
// 11): marketing preferences and identity history of contacts, notices
// about a channel's account and number, and the standby and handover
// signals of a conversation handled by another sender.

// MarketingPreference is whether a customer stopped marketing messages
// from the business (WhatsApp's Offers and announcements setting), as the
// user_preferences webhook last reported it, and when.
type MarketingPreference struct {
	Stopped bool      `json:"stopped"`
	At      time.Time `json:"at"`
}

// PreferenceChange is one user_preferences report for the customer known
// on ChannelID by phone number WaID or BSUID UserID.
type PreferenceChange struct {
	ChannelID, WaID, UserID string
	Stopped                 bool
	At                      time.Time
}

// IdentityChange is an old identity of a contact, kept when WhatsApp
// reported a new phone number (user_changed_number) or BSUID
// (user_changed_user_id). The identifiers are customer data, sealed like
// the contact's own.
type IdentityChange struct {
	ContactID string    `json:"-"`
	OldPhone  string    `json:"old_phone,omitempty"`
	OldUserID string    `json:"old_user_id,omitempty"`
	NewPhone  string    `json:"new_phone,omitempty"`
	NewUserID string    `json:"new_user_id,omitempty"`
	At        time.Time `json:"at"`
}

// ContactProfile is what the inbox shows about a contact beyond the
// conversation header: the marketing preference (nil if never reported)
// and the identity history, oldest first.
type ContactProfile struct {
	Contact         Contact              `json:"contact"`
	Marketing       *MarketingPreference `json:"marketing,omitempty"`
	IdentityHistory []IdentityChange     `json:"identity_history"`
}

// Channel notice severities, as Meta names them for account alerts; other
// fields are mapped onto them.
const (
	NoticeCritical      = "CRITICAL"
	NoticeWarning       = "WARNING"
	NoticeInformational = "INFORMATIONAL"
)

// ChannelNotice is an account-level webhook about a channel: an account
// alert, an account update, a capability change or a phone number quality
// change. Kind is Meta's type or event (OBA_APPROVED, FLAGGED, …); Summary
// is a short text from Meta or built from the value's fields. Neither is
// customer data.
type ChannelNotice struct {
	ID        string    `json:"id"`
	ChannelID string    `json:"channel_id"`
	Field     string    `json:"field"`
	Kind      string    `json:"kind"`
	Severity  string    `json:"severity"`
	Summary   string    `json:"summary"`
	At        time.Time `json:"at"`
}

// MaxNoticeText bounds a notice's Kind and Summary (bytes); longer text is
// cut.
const MaxNoticeText = 1024

// MaxChannelNotices is how many notices a channel keeps; older ones are
// dropped as new ones arrive.
const MaxChannelNotices = 200

// ConversationSignal is a standby or messaging_handovers webhook value
// filed with the conversation it concerns, raw (sealed: standby values
// carry the customer's messages) so that a later bot feature can build on
// it.
type ConversationSignal struct {
	ID             string          `json:"id"`
	ConversationID string          `json:"conversation_id"`
	Field          string          `json:"field"`
	Raw            json.RawMessage `json:"raw"`
	At             time.Time       `json:"at"`
}

// SignalFor is a signal to file: the channel and customer it names (by
// phone number or BSUID) and the raw value.
type SignalFor struct {
	ChannelID, WaID, UserID, Field string
	Raw                            json.RawMessage
	At                             time.Time
}

// MaxConversationSignals is how many signals a conversation keeps.
const MaxConversationSignals = 500

// SurfaceStore keeps what the webhook fields beyond messages record.
type SurfaceStore interface {
	// ApplyPreferences records marketing preferences on the contacts they
	// name (by phone number or BSUID on the channel). Customers without a
	// contact are skipped; a report older than the stored one is ignored.
	// It returns the ids of the contacts whose preference changed.
	ApplyPreferences(ctx context.Context, changes []PreferenceChange) ([]string, error)
	// ContactProfile returns the contact with its preference and identity
	// history; ENotFound for an unknown contact.
	ContactProfile(ctx context.Context, contactID string) (*ContactProfile, error)
	// AddIdentityChanges appends old identities to contacts' histories,
	// sealed under each contact's data key; unknown contacts are skipped.
	AddIdentityChanges(ctx context.Context, changes []IdentityChange) error
	// AddChannelNotices stores notices (ID and At set by the caller) and
	// keeps the newest MaxChannelNotices per channel; unknown channels are
	// skipped.
	AddChannelNotices(ctx context.Context, notices []ChannelNotice) error
	// ChannelNotices returns a channel's newest notices first, at most
	// limit (clamped to 1..MaxChannelNotices).
	ChannelNotices(ctx context.Context, channelID string, limit int) ([]*ChannelNotice, error)
	// AddSignals files standby and handover values with the current
	// conversation of the customer they name, keeping the newest
	// MaxConversationSignals per conversation; customers without one are
	// skipped. It returns how many were filed.
	AddSignals(ctx context.Context, signals []SignalFor) (int, error)
	// ConversationSignals returns a conversation's signals, oldest first.
	ConversationSignals(ctx context.Context, conversationID string) ([]*ConversationSignal, error)
}
