package switchboard

import (
	"time"
	"unicode/utf8"
)

// PreviewMaxRunes bounds the text of a conversation-list preview, in
// characters (Unicode code points), the "…" that marks a cut included.
const PreviewMaxRunes = 200

// PreviewOf returns the conversation-list form of m. Its text is the first
// of: the text (or a media caption), the reaction's emoji, the media's file
// name, the location's name, the interactive reply's title, the template's
// name; cut to [PreviewMaxRunes] characters.
func PreviewOf(m *Message) MessagePreview {
	c := m.Content
	var text string
	switch {
	case c.Text != "":
		text = c.Text
	case c.Reaction != nil:
		text = c.Reaction.Emoji
	case c.Media != nil:
		text = c.Media.Filename
	case c.Location != nil:
		text = c.Location.Name
	case c.Interactive != nil:
		text = c.Interactive.Title
	case c.Template != nil:
		text = c.Template.Name
	}
	if len(text) > PreviewMaxRunes && utf8.RuneCountInString(text) > PreviewMaxRunes {
		text = string([]rune(text)[:PreviewMaxRunes-1]) + "…"
	}
	return MessagePreview{Text: text, Type: m.Type, Direction: m.Direction, At: m.Timestamp, Revoked: m.Revoked}
}

// ConversationActivity is what a conversation's messages decide about it:
// where it stands in the list, its preview, its unread counter and the
// customer-service window. Stores keep it in columns (last_message_at,
// last_inbound_at, inbound_count, updated_at) beside the sealed preview and
// change it only through Absorb, so the rule is written once.
type ConversationActivity struct {
	// LastMessageAt is the time of the message the preview shows; zero
	// for a conversation without messages.
	LastMessageAt time.Time
	// LastInboundAt is Meta's time of the customer's newest message; the
	// service window closes [ServiceWindow] after it. Zero if they never
	// wrote.
	LastInboundAt time.Time
	// InboundCount counts the customer's messages; a viewer's unread count
	// is the part of it they have not read.
	InboundCount int
	// UpdatedAt orders the conversation list: the newest message's time (a
	// new conversation starts at its first message's).
	UpdatedAt time.Time
}

// Absorb records message m in the conversation and returns its preview if
// it replaces the one shown, else nil. Messages arrive out of order (Meta
// retries, several webhooks in flight), so LastMessageAt, the preview,
// UpdatedAt and LastInboundAt only move forward in m.Timestamp; of two
// messages with the same time, the later absorbed is shown. Every inbound
// message counts once in InboundCount, except an imported one (history),
// which moves neither it nor LastInboundAt; since the others only move
// forward, history never hides a newer live message.
func (a *ConversationActivity) Absorb(m *Message) *MessagePreview {
	var p *MessagePreview
	if a.LastMessageAt.IsZero() || !m.Timestamp.Before(a.LastMessageAt) {
		pv := PreviewOf(m)
		p, a.LastMessageAt = &pv, m.Timestamp
	}
	if m.Timestamp.After(a.UpdatedAt) {
		a.UpdatedAt = m.Timestamp
	}
	if m.Direction == DirectionIn && !m.Imported {
		// An imported (history) message is past: it is neither unread nor
		// does it open the customer-service window.
		a.InboundCount++
		if m.Timestamp.After(a.LastInboundAt) {
			a.LastInboundAt = m.Timestamp
		}
	}
	return p
}
