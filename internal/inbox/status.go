package inbox

import (
	"context"

	"github.com/switchboardhq/switchboard"
)

// Published tells the users who may see a message that it changed: a
// delivery status, a send result, a finished media download.
func (s *Service) Published(ctx context.Context, r *switchboard.StatusResult) {
	if r == nil || !r.Changed || r.Message == nil || r.Conversation == nil {
		return
	}
	s.publish(ctx, switchboard.EventMessageUpdated, r.Conversation, r.Message)
}

// ApplyStatus applies a delivery status from a webhook and tells the users
// who may see the message.
func (s *Service) ApplyStatus(ctx context.Context, u switchboard.StatusUpdate) (*switchboard.StatusResult, error) {
	r, err := s.Store.ApplyStatus(ctx, u)
	if err != nil {
		return nil, err
	}
	s.Published(ctx, r)
	return r, nil
}
