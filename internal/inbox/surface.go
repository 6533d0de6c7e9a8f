package inbox

import (
	"context"
	"errors"

	"github.com/switchboardhq/switchboard"
)

// ContactProfile returns what the inbox shows about a contact beyond the
// conversation header: the marketing preference and the identity history.
// The actor must be able to see one of the contact's conversations;
// otherwise the contact does not exist for them (404).
func (s *Service) ContactProfile(ctx context.Context, a *switchboard.Actor, contactID string) (*switchboard.ContactProfile, error) {
	if !switchboard.ValidID(contactID) {
		return nil, switchboard.NotFound("Contact")
	}
	ct, convs, err := s.Store.ContactConversations(ctx, contactID)
	if switchboard.ErrorCode(err) == switchboard.ENotFound {
		return nil, switchboard.NotFound("Contact")
	} else if err != nil {
		return nil, err
	}
	visible := false
	for _, c := range convs {
		if switchboard.CanSeeConversation(a, ct.ChannelID, c.AssigneeIDs(), c.Mentioned) {
			visible = true
			break
		}
	}
	if !visible {
		return nil, switchboard.NotFound("Contact")
	}
	return s.Store.ContactProfile(ctx, contactID)
}

// channelNoticesShown is how many notices a channel's view carries.
const channelNoticesShown = 20

// MaxWelcomeMessage bounds a channel's welcome message, in characters.
const MaxWelcomeMessage = 1024

// sendWelcomes answers request_welcome (a customer opening the chat for the
// first time) with the channel's welcome message, if it has one: once per
// contact (only for a contact whose first conversation this is, and only
// while it has no outbound message) and only while the customer-service
// window is open, as for any free-form message. A failure is logged: the
// batch itself is stored.
func (sys *System) sendWelcomes(ctx context.Context, b switchboard.InboundBatch, r *switchboard.BatchResult) {
	s := sys.svc
	for i, in := range b.Messages {
		if in.Message == nil || in.Message.Type != switchboard.TypeRequestWelcome || i >= len(r.Received) {
			continue
		}
		rc := r.Received[i]
		if rc == nil || rc.Duplicate || !rc.NewConversation || rc.Conversation == nil {
			continue
		}
		ch, err := s.Store.Channel(ctx, in.ChannelID)
		if err != nil || ch.WelcomeMessage == "" {
			continue
		}
		now := s.now()
		if !rc.Conversation.WindowOpen(now) {
			continue
		}
		_, convs, err := s.Store.ContactConversations(ctx, rc.Conversation.Contact.ID)
		if err != nil || len(convs) != 1 {
			continue // not the contact's first conversation: welcomed before
		}
		if out, _, err := s.Store.Messages(ctx, rc.Conversation.ID, switchboard.MessagePage{Limit: 50}); err != nil || hasOutbound(out) {
			continue
		}
		m := &switchboard.Message{
			ID: switchboard.NewID(), ConversationID: rc.Conversation.ID, Direction: switchboard.DirectionOut,
			Type: switchboard.TypeText, Status: switchboard.MessagePending, Content: switchboard.MessageContent{Text: ch.WelcomeMessage},
			Timestamp: now, CreatedAt: now, UpdatedAt: now,
		}
		// The message's events are recorded in its transaction.
		wctx := switchboard.WithEvents(ctx,
			switchboard.NewEventRecord(switchboard.EventMessageCreated, now, m.ConversationID, in.ChannelID, m.ID),
			switchboard.NewEventRecord(switchboard.EventConversationUpdated, now, m.ConversationID, in.ChannelID, ""))
		c, err := s.Store.CreateOutboundMessage(wctx, m)
		if err != nil {
			s.Logger.Error("send welcome message", "channel", in.ChannelID, "err", err)
			continue
		}
		if s.Outbox != nil {
			s.Outbox.Notify()
		}
		s.publish(wctx, switchboard.EventMessageCreated, c, m)
		s.publish(wctx, switchboard.EventConversationUpdated, c, c)
	}
}

// MaxAwayMessage bounds a channel's away message, in characters.
const MaxAwayMessage = 1024

// awayKey is the Idempotency-Key of a conversation's away message, under
// the system sender (""): the store refuses a second message with it and
// keeps the system's keys as long as their message, so a redelivered
// webhook, a retried batch, a restart or a later night cannot send the
// away message twice in one conversation.
func awayKey(conversationID string) string { return "away:" + conversationID }

// sendAways answers a customer who writes outside the channel's business
// hours with the channel's away message ([switchboard.AwayMessageDue]),
// once per conversation and only while the customer-service window is
// open. A failure is logged: the batch itself is stored.
func (sys *System) sendAways(ctx context.Context, b switchboard.InboundBatch, r *switchboard.BatchResult) {
	s := sys.svc
	for i, in := range b.Messages {
		if in.Message == nil || i >= len(r.Received) {
			continue
		}
		rc := r.Received[i]
		if rc == nil || rc.Duplicate || rc.Conversation == nil || rc.Message == nil {
			continue
		}
		ch, err := s.Store.Channel(ctx, in.ChannelID)
		if err != nil || !switchboard.AwayMessageDue(ch, rc.Conversation, in) {
			continue
		}
		now := s.now()
		if !rc.Conversation.WindowOpen(now) {
			continue
		}
		key := awayKey(rc.Conversation.ID)
		if _, err := s.Store.IdempotentMessage(ctx, "", key); err == nil {
			continue // sent before
		} else if switchboard.ErrorCode(err) != switchboard.ENotFound {
			s.Logger.Error("check away message", "channel", in.ChannelID, "err", err)
			continue
		}
		m := &switchboard.Message{
			ID: switchboard.NewID(), ConversationID: rc.Conversation.ID, Direction: switchboard.DirectionOut,
			Type: switchboard.TypeText, Status: switchboard.MessagePending, Content: switchboard.MessageContent{Text: ch.AwayMessage},
			Author: switchboard.AuthorSystem, Timestamp: now, CreatedAt: now, UpdatedAt: now, IdempotencyKey: key,
		}
		wctx := switchboard.WithEvents(ctx,
			switchboard.NewEventRecord(switchboard.EventMessageCreated, now, m.ConversationID, in.ChannelID, m.ID),
			switchboard.NewEventRecord(switchboard.EventConversationUpdated, now, m.ConversationID, in.ChannelID, ""))
		c, err := s.Store.CreateOutboundMessage(wctx, m)
		if errors.Is(err, switchboard.ErrIdempotencyKeyUsed) {
			continue // sent concurrently
		} else if err != nil {
			s.Logger.Error("send away message", "channel", in.ChannelID, "err", err)
			continue
		}
		if s.Outbox != nil {
			s.Outbox.Notify()
		}
		s.publish(wctx, switchboard.EventMessageCreated, c, m)
		s.publish(wctx, switchboard.EventConversationUpdated, c, c)
	}
}

func hasOutbound(ms []*switchboard.Message) bool {
	for _, m := range ms {
		if m.Direction == switchboard.DirectionOut {
			return true
		}
	}
	return false
}
