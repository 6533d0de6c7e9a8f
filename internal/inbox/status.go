package inbox

import (
	"context"

	"github.com/switchboardhq/switchboard"
)

// Published tells the users who may see a message that it changed: a
// delivery status, a send result, a finished media download.
func (sys *System) Published(ctx context.Context, r *switchboard.StatusResult) {
	sys.published(ctx, r, false)
}

// published is Published; logged says that the store wrote the record of
// the message.updated event with the change (see [switchboard.EventLogStore]).
func (sys *System) published(ctx context.Context, r *switchboard.StatusResult, logged bool) {
	s := sys.svc
	if r == nil || !r.Changed || r.Message == nil || r.Conversation == nil {
		return
	}
	pctx := ctx
	if logged {
		pctx = switchboard.WithLoggedEvents(ctx)
	}
	s.publish(pctx, switchboard.EventMessageUpdated, r.Conversation, r.Message)
	// A message of the bot that WhatsApp refused leaves the customer
	// without an answer: a failure of the bot, which the channel's rule
	// counts (by default the first hands to people).
	m, c := r.Message, r.Conversation
	if m.Status == switchboard.MessageFailed && m.SenderID != "" && c.Handler == switchboard.HandlerBot && m.SenderID == s.botAgent(ctx, c.ChannelID) {
		s.botFailed(ctx, c)
	}
}

// ApplyStatus applies a delivery status from a webhook and tells the users
// who may see the message.
func (sys *System) ApplyStatus(ctx context.Context, u switchboard.StatusUpdate) (*switchboard.StatusResult, error) {
	s := sys.svc
	r, err := s.Store.ApplyStatus(ctx, u)
	if err != nil {
		return nil, err
	}
	sys.Published(ctx, r)
	return r, nil
}
