package inbox

import (
	"context"

	"github.com/switchboardhq/switchboard"
)

// RenderEvent builds the event an event log record stands for, with the
// objects as they are now and in the JSON the REST API answers with: the
// webhook payload. It returns nil for an object that no longer exists (a
// later record, such as conversation.deleted, says what became of it).
// Its ID is the record's position.
func (s *Service) RenderEvent(ctx context.Context, r *switchboard.EventRecord) (*switchboard.Event, error) {
	e, err := s.renderEvent(ctx, r)
	if switchboard.ErrorCode(err) == switchboard.ENotFound {
		return nil, nil
	}
	if err != nil || e == nil {
		return nil, err
	}
	e.ID, e.Type, e.At, e.Logged = r.Position, r.Type, r.At, true
	return e, nil
}

func (s *Service) renderEvent(ctx context.Context, r *switchboard.EventRecord) (*switchboard.Event, error) {
	if r.Type == switchboard.EventConversationDeleted {
		return &switchboard.Event{ConversationID: r.ConversationID, ChannelID: r.ChannelID,
			Data: switchboard.DeletedConversation{ID: r.ConversationID, ContactID: r.SubjectID, Reason: "erased"}}, nil
	}
	var m *switchboard.Message
	convID := r.ConversationID
	switch r.Type {
	case switchboard.EventMessageCreated, switchboard.EventMessageUpdated, switchboard.EventBotTurn:
		var err error
		if m, err = s.Store.Message(ctx, r.SubjectID); err != nil {
			return nil, err
		}
		s.nameSenders(ctx, m)
		convID = m.ConversationID
	}
	c, err := s.Store.Conversation(ctx, convID, "")
	if err != nil {
		return nil, err
	}
	e := &switchboard.Event{ConversationID: c.ID, ChannelID: c.ChannelID, Assignees: c.AssigneeIDs(), Mentioned: c.Mentioned}
	switch r.Type {
	case switchboard.EventMessageCreated, switchboard.EventMessageUpdated:
		e.Data = m
	case switchboard.EventBotTurn:
		e.Data = switchboard.BotTurn{Conversation: c, Message: m}
	case switchboard.EventConversationAssigned, switchboard.EventConversationUnassigned:
		e.Data = assignmentData(c, &switchboard.User{ID: r.SubjectID})
	case switchboard.EventHandoffToHuman, switchboard.EventHandoffToBot:
		e.Data = switchboard.HandoffChange{Conversation: c, Handler: c.Handler, Handoff: c.Handoff}
	case switchboard.EventSuggestionCreate, switchboard.EventSuggestionUpdate:
		sg, err := s.Store.Suggestion(ctx, r.SubjectID)
		if err != nil {
			return nil, err
		}
		e.Data = sg
	default:
		e.Data = c
	}
	return e, nil
}

// staging returns ctx carrying the event records of the change the next
// store write under it makes, for c (see [switchboard.WithEvents]); pass
// the returned ctx on to [Service.publish] too, which then marks the
// events as logged.
func (s *Service) staging(ctx context.Context, c *switchboard.Conversation, types ...string) context.Context {
	return s.stagingAbout(ctx, c, "", types...)
}

// stagingAbout is staging for events about subject (a message, a user).
func (s *Service) stagingAbout(ctx context.Context, c *switchboard.Conversation, subject string, types ...string) context.Context {
	rs := make([]*switchboard.EventRecord, len(types))
	for i, t := range types {
		rs[i] = switchboard.NewEventRecord(t, s.now(), c.ID, c.ChannelID, subject)
	}
	return switchboard.WithEvents(ctx, rs...)
}
