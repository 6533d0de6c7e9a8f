package inbox

import (
	"context"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard"
)

// TypingInterval is how often at most a conversation sends WhatsApp a
// typing indicator: Meta shows one for up to 25 seconds.
const TypingInterval = 25 * time.Second

// TypingIndicators sends WhatsApp's typing indicator, which goes out with
// the read receipt of the customer's message wamid; the sender worker
// implements it.
type TypingIndicators interface {
	SendTyping(channelID, wamid string)
}

// typingThrottle remembers when each conversation last sent an indicator.
type typingThrottle struct {
	mu   sync.Mutex
	last map[string]time.Time
}

// take reports whether conversation id may send an indicator at now, and
// records it if so.
func (t *typingThrottle) take(id string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.last == nil {
		t.last = map[string]time.Time{}
	}
	if at, ok := t.last[id]; ok && now.Sub(at) < TypingInterval && !now.Before(at) {
		return false
	}
	if len(t.last) >= 10_000 {
		for k, at := range t.last {
			if now.Sub(at) >= TypingInterval {
				delete(t.last, k)
			}
		}
	}
	t.last[id] = now
	return true
}

// Typing tells the customer that the actor is typing a reply: WhatsApp
// shows "typing…" until the reply arrives or for 25 seconds. It needs a
// conversation the actor can see (others are 404 like missing ones) and
// conversations.reply. An indicator is sent only when the customer wrote
// last, within the 24-hour window, to a customer who is not blocked, and
// at most once per [TypingInterval] per conversation; other calls succeed
// without sending anything, so the composer may call it on every
// keystroke batch. The indicator goes with a read receipt of the
// customer's last message (Meta sends them together), so it marks that
// message read, also on channels without read receipts: someone is
// answering it. Not audited, like reading.
func (s *Service) Typing(ctx context.Context, a *switchboard.Actor, conversationID string) error {
	c, err := s.workableConversation(ctx, a, conversationID, "message.send")
	if err != nil {
		return err
	}
	if !a.Can(switchboard.PermConversationsReply) {
		return forbidden()
	}
	now := s.now()
	if s.TypingSender == nil || c.Contact.Blocked || !c.WindowOpen(now) ||
		c.LastMessage == nil || c.LastMessage.Direction != switchboard.DirectionIn {
		return nil
	}
	if !s.typing.take(c.ID, now) {
		return nil
	}
	newest, _, err := s.Store.Messages(ctx, c.ID, switchboard.MessagePage{Limit: 1})
	if err != nil {
		return err
	}
	if len(newest) == 1 && newest[0].Direction == switchboard.DirectionIn && newest[0].WAMessageID != "" {
		s.TypingSender.SendTyping(c.ChannelID, newest[0].WAMessageID)
	}
	return nil
}
