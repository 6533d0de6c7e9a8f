package inbox

import (
	"context"

	"github.com/switchboardhq/switchboard"
)

// MarkConversationRead records that the actor has read everything in a
// conversation they may see (the unread badge goes to zero), and sends a
// read receipt to WhatsApp when the channel wants them. The web app calls it
// while a conversation is open and new messages arrive; unlike reading the
// history, it is not audited, as it discloses nothing.
func (s *Service) MarkConversationRead(ctx context.Context, a *switchboard.Actor, id string) error {
	c, err := s.visibleConversation(ctx, a, id)
	if err != nil {
		return err
	}
	if c.UnreadCount == 0 {
		return nil
	}
	if err := s.Store.MarkRead(ctx, c.ID, a.User.ID); err != nil {
		return err
	}
	if !switchboard.CanWorkOnConversation(a, c.ChannelID, c.AssigneeIDs()) {
		return nil // read through a mention: no receipt to the customer
	}
	newest, _, err := s.Store.Messages(ctx, c.ID, switchboard.MessagePage{Limit: 20})
	if err == nil {
		s.sendReadReceipt(ctx, c, newest)
	}
	return nil
}
