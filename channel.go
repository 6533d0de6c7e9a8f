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
	// BotAgentID is the service account (flagged bot) that answers new
	// conversations on this channel first; "" for none (docs/automation.md).
	BotAgentID string    `json:"bot_agent_id"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
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
	BotAgentID         *string
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
	set(&c.BotAgentID, upd.BotAgentID)
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
