package switchboard

import (
	"context"
	"time"
	"unicode/utf8"
)

// Draft is the text a user has typed in a conversation's composer and not
// sent yet, kept on the server so that switching chats, another tab or an
// expired session never loses it (docs/canned-replies.md, "Drafts"). A
// draft may quote customer data, so stores seal its text under the
// conversation's data key, like messages.
type Draft struct {
	ConversationID string    `json:"conversation_id"`
	UserID         string    `json:"user_id"`
	Text           string    `json:"text"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// MaxDraftText bounds a draft: a little more than a message, so a user who
// pastes too much still keeps it while shortening.
const MaxDraftText = 8192 // characters

// ErrDraftTooLong refuses a draft beyond MaxDraftText.
var ErrDraftTooLong = &Error{Code: EInvalid, Message: "A draft may have at most 8192 characters."}

// Validate checks a draft before it is stored. Its text is kept as typed
// (spaces and line breaks are the user's); an empty text means "no draft".
func (d *Draft) Validate() error {
	if !utf8.ValidString(d.Text) {
		return Errorf(EInvalid, "The draft is not valid UTF-8.")
	}
	if utf8.RuneCountInString(d.Text) > MaxDraftText {
		return ErrDraftTooLong
	}
	return nil
}

// Prepare validates d and sets what every store sets before storing it:
// the update time now when unset, in UTC at the microsecond both stores
// keep.
func (d *Draft) Prepare(now time.Time) error {
	if err := d.Validate(); err != nil {
		return err
	}
	if d.UpdatedAt.IsZero() {
		d.UpdatedAt = now
	}
	d.UpdatedAt = d.UpdatedAt.UTC().Truncate(time.Microsecond)
	return nil
}

// DraftStore persists drafts, one per user and conversation.
type DraftStore interface {
	// SaveDraft stores d (UpdatedAt set by the store when zero) after
	// [Draft.Validate], replacing the user's earlier draft there; an
	// empty text deletes it. ENotFound for an unknown conversation.
	SaveDraft(ctx context.Context, d *Draft) error
	// Draft returns the user's draft in a conversation; ENotFound when
	// there is none.
	Draft(ctx context.Context, userID, conversationID string) (*Draft, error)
}

// ComposerActivityTTL is how long a composer activity lasts without a
// refresh; clients refresh it while the user keeps typing.
const ComposerActivityTTL = 6 * time.Second

// ComposerActivity is the data of [EventComposerActivity]: UserName is
// writing a reply (Kind "reply") or a note ("note") in a conversation.
type ComposerActivity struct {
	ConversationID string    `json:"conversation_id"`
	UserID         string    `json:"user_id"`
	UserName       string    `json:"user_name"`
	Kind           string    `json:"kind"`
	ExpiresAt      time.Time `json:"expires_at"`
}
