package switchboard

import "time"

// MessageAuthor is who wrote a message, finer than its direction: an
// outbound message may come from a user of the inbox, a bot, or the
// business's WhatsApp Business app on a coexistence number.
type MessageAuthor string

// Message authors.
const (
	AuthorCustomer MessageAuthor = "customer" // inbound, from the customer
	AuthorUser     MessageAuthor = "user"     // outbound, sent from Switchboard
	AuthorBot      MessageAuthor = "bot"      // outbound, sent by an automation
	// AuthorBusinessApp is an outbound message the business sent from the
	// WhatsApp Business app (or a linked device) of a coexistence number,
	// reported by an smb_message_echoes webhook or a history sync.
	AuthorBusinessApp MessageAuthor = "business_app"
	AuthorSystem      MessageAuthor = "system" // a WhatsApp system notice
)

// ValidAuthor reports whether a is one of the message authors.
func ValidAuthor(a MessageAuthor) bool {
	switch a {
	case AuthorCustomer, AuthorUser, AuthorBot, AuthorBusinessApp, AuthorSystem:
		return true
	}
	return false
}

// FillAuthor sets the author of a message stored without one (before the
// column existed, or by a path that does not set it): system notices are
// the system's, inbound messages the customer's, outbound ones a user's.
func (m *Message) FillAuthor() {
	if m.Author != "" {
		return
	}
	switch {
	case m.Type == TypeSystem:
		m.Author = AuthorSystem
	case m.Direction == DirectionIn:
		m.Author = AuthorCustomer
	default:
		m.Author = AuthorUser
	}
}

// CoexistenceMPS is the fixed throughput of a coexistence number (one in use
// with both the WhatsApp Business app and Cloud API), in messages per
// second (Meta's throughput documentation).
const CoexistenceMPS = 20

// MessageEdit is an edit or a revoke ("delete for everyone") of a stored
// message, named by its WhatsApp id in a channel, as an smb_message_echoes
// webhook reports it.
type MessageEdit struct {
	ChannelID   string
	WAMessageID string // the original message's wamid
	// Revoke deletes the message: its content is removed from storage and
	// it is shown as a tombstone. Otherwise Text is the new text (body or
	// caption).
	Revoke bool
	Text   string
	At     time.Time // when the business edited or revoked it
}

// Validate checks that an edit names its channel and message.
func (e MessageEdit) Validate() error {
	switch {
	case e.ChannelID == "":
		return Errorf(EInvalid, "Channel is required.")
	case e.WAMessageID == "":
		return Errorf(EInvalid, "The edited message's WhatsApp id is required.")
	}
	return nil
}

// Apply changes m as e says and reports whether it changed: a revoke
// removes the content (text, media, everything written) and marks the
// message revoked; an edit replaces the text and records when. A revoked
// message takes no edit, and an edit older than the last one applied is
// ignored (webhooks arrive out of order). Only a message sent from the
// WhatsApp Business app or received can be changed this way; the stores
// call Apply for the message found by e.WAMessageID in e.ChannelID.
func (e MessageEdit) Apply(m *Message, now time.Time) bool {
	if m.Revoked {
		return false
	}
	at := e.At.UTC().Truncate(time.Microsecond)
	if at.IsZero() {
		at = now
	}
	if e.Revoke {
		m.Content = MessageContent{}
		m.Revoked, m.UpdatedAt = true, now
		return true
	}
	if m.EditedAt != nil && at.Before(*m.EditedAt) {
		return false
	}
	if m.Content.Text == e.Text && m.EditedAt != nil {
		return false
	}
	m.Content.Text = e.Text
	m.EditedAt, m.UpdatedAt = &at, now
	m.BoundText()
	return true
}

// EditResult is the outcome of one MessageEdit: the message and its
// conversation after the batch when Changed; nil Message when no stored
// message has that WhatsApp id.
type EditResult struct {
	Message      *Message
	Conversation *Conversation
	Changed      bool
}
