package inbox

import (
	"context"

	"github.com/switchboardhq/switchboard"
)

// Published tells the users who may see a message that it changed: a
// delivery status, a send result, a finished media download. The store
// wrote the record of its message.updated event in the change's own
// transaction (storekit.StatusEvents), so the webhooks take it from the
// event log.
func (sys *System) Published(ctx context.Context, r *switchboard.StatusResult) {
	s := sys.svc
	if r == nil || !r.Changed || r.Message == nil || r.Conversation == nil {
		return
	}
	s.publish(switchboard.WithLoggedEvents(ctx), switchboard.EventMessageUpdated, r.Conversation, r.Message)
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
