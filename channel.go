package switchboard

import (
	"context"
	"time"
)

// Channel is one WhatsApp business phone number connected to Switchboard.
// Secrets (access token, app secret, verify token) are encrypted at rest and
// never leave the server through the API.
type Channel struct {
	ID                 string `json:"id"`
	Name               string `json:"name"`
	PhoneNumberID      string `json:"phone_number_id"`
	WABAID             string `json:"waba_id"`
	DisplayPhoneNumber string `json:"display_phone_number"`
	GraphURL           string `json:"graph_url,omitempty"` // empty: Meta's Graph API
	AccessToken        string `json:"-"`
	AppSecret          string `json:"-"`
	VerifyToken        string `json:"-"`
	MarkRead           bool   `json:"mark_read"` // send read receipts when a user opens a conversation
	Emulated           bool   `json:"emulated"`  // wired to the built-in Cloud API emulator
	// RetentionDays deletes messages and media older than this many days
	// (docs/gdpr.md); 0 keeps them for ever.
	RetentionDays int `json:"retention_days"`
	// BusinessHours are the team's opening hours on this channel; nil
	// means none are set, and reports then count every hour as business
	// time.
	BusinessHours *BusinessHours `json:"business_hours"`
	// BotAgentID is the service account (flagged bot) that answers new
	// conversations on this channel first; "" for none (docs/automation.md).
	BotAgentID string `json:"bot_agent_id"`
	// HandoffRules hand conversations from the bot agent to people on
	// their own: during business hours, after the bot failed N times.
	HandoffRules HandoffRules `json:"handoff_rules"`
	// Coexistence marks a number also in use with the WhatsApp Business
	// app: Meta fixes its throughput at CoexistenceMPS, and the sender
	// paces it so.
	Coexistence bool `json:"coexistence"`
	// WelcomeMessage is sent automatically, once, to a customer who opens
	// the chat for the first time (request_welcome); "" sends nothing.
	WelcomeMessage string `json:"welcome_message,omitempty"`
	// AwayMessage is sent automatically, once per conversation, when a
	// customer writes outside the channel's business hours; "" (or no
	// business hours) sends nothing (docs/automation.md).
	AwayMessage string    `json:"away_message,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Errors of the channel stores, the same on every store.
var (
	ErrChannelExists     = &Error{Code: EConflict, Message: "Channel already exists."}
	ErrPhoneNumberTaken  = &Error{Code: EConflict, Message: "This phone number is already connected."}
	ErrPhoneNumberNeeded = &Error{Code: EInvalid, Message: "Phone number id is required."}
)

// ChannelUpdate is a partial change of a channel; nil fields stay.
type ChannelUpdate struct {
	Name               *string
	DisplayPhoneNumber *string
	WABAID             *string
	GraphURL           *string
	AccessToken        *string
	AppSecret          *string
	VerifyToken        *string
	MarkRead           *bool
	RetentionDays      *int
	// SetBusinessHours replaces the business hours with BusinessHours
	// (nil removes them); without it they stay.
	SetBusinessHours bool
	BusinessHours    *BusinessHours
	BotAgentID       *string
	HandoffRules     *HandoffRules
	Coexistence      *bool
	WelcomeMessage   *string
	AwayMessage      *string
}

// Apply changes c by upd: the fields upd sets, and UpdatedAt to now.
func (c *Channel) Apply(upd ChannelUpdate, now time.Time) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&c.Name, upd.Name)
	set(&c.DisplayPhoneNumber, upd.DisplayPhoneNumber)
	set(&c.WABAID, upd.WABAID)
	set(&c.GraphURL, upd.GraphURL)
	set(&c.AccessToken, upd.AccessToken)
	set(&c.AppSecret, upd.AppSecret)
	set(&c.VerifyToken, upd.VerifyToken)
	if upd.MarkRead != nil {
		c.MarkRead = *upd.MarkRead
	}
	if upd.RetentionDays != nil {
		c.RetentionDays = *upd.RetentionDays
	}
	if upd.SetBusinessHours {
		c.BusinessHours = upd.BusinessHours
	}
	set(&c.BotAgentID, upd.BotAgentID)
	if upd.HandoffRules != nil {
		c.HandoffRules = *upd.HandoffRules
	}
	set(&c.WelcomeMessage, upd.WelcomeMessage)
	set(&c.AwayMessage, upd.AwayMessage)
	if upd.Coexistence != nil {
		c.Coexistence = *upd.Coexistence
	}
	c.UpdatedAt = now
}

// ChannelStore persists channels.
type ChannelStore interface {
	CreateChannel(ctx context.Context, c *Channel) error
	Channel(ctx context.Context, id string) (*Channel, error)
	ChannelByPhoneNumberID(ctx context.Context, phoneNumberID string) (*Channel, error)
	Channels(ctx context.Context) ([]*Channel, error)
	UpdateChannel(ctx context.Context, id string, upd ChannelUpdate) (*Channel, error)
}
