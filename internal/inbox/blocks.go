package inbox

import (
	"context"
	"errors"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/whatsapp"
)

// Blocker blocks and unblocks customers at WhatsApp (the Block Users API);
// internal/worker implements it over the channel's Graph client.
type Blocker interface {
	Block(ctx context.Context, ch *switchboard.Channel, user string) error
	Unblock(ctx context.Context, ch *switchboard.Channel, user string) error
}

// BlockContact blocks the customer of a conversation at WhatsApp: they can
// no longer write to the business, nor the business to them. It needs
// contacts.block and a conversation the actor can see (others are 404 like
// missing ones). WhatsApp blocks only customers who wrote in the last 24
// hours, so a closed window is refused before asking Meta. Blocking a
// blocked customer changes nothing.
func (s *Service) BlockContact(ctx context.Context, a *switchboard.Actor, conversationID string) (*switchboard.Conversation, error) {
	return s.setBlocked(ctx, a, conversationID, true)
}

// UnblockContact lifts the block; it works at any time.
func (s *Service) UnblockContact(ctx context.Context, a *switchboard.Actor, conversationID string) (*switchboard.Conversation, error) {
	return s.setBlocked(ctx, a, conversationID, false)
}

func (s *Service) setBlocked(ctx context.Context, a *switchboard.Actor, conversationID string, block bool) (*switchboard.Conversation, error) {
	c, err := s.workableConversation(ctx, a, conversationID, "contact.block")
	if err != nil {
		return nil, err
	}
	audit := func(outcome string) {
		d := map[string]string{"conversation_id": c.ID}
		if block {
			s.audit(ctx, a, "contact.block", "contact", c.Contact.ID, outcome, d)
		} else {
			s.audit(ctx, a, "contact.unblock", "contact", c.Contact.ID, outcome, d)
		}
	}
	if !a.Can(switchboard.PermContactsBlock) {
		audit(switchboard.OutcomeDenied)
		return nil, forbidden()
	}
	if c.Contact.Blocked == block {
		return c, nil
	}
	if c.Contact.WaID == "" {
		return nil, switchboard.Errorf(switchboard.EUnprocessable,
			"WhatsApp blocks customers by phone number, and this customer shares only a username.")
	}
	now := s.now()
	if block && !c.WindowOpen(now) {
		return nil, switchboard.Errorf(switchboard.EUnprocessable,
			"WhatsApp blocks only customers who wrote in the last 24 hours.")
	}
	if s.Blocker == nil {
		return nil, switchboard.Errorf(switchboard.EUnavailable, "Blocking is not available: WhatsApp is not configured.")
	}
	ch, err := s.Store.Channel(ctx, c.ChannelID)
	if err != nil {
		return nil, err
	}
	user := "+" + c.Contact.WaID
	if block {
		err = s.Blocker.Block(ctx, ch, user)
	} else {
		err = s.Blocker.Unblock(ctx, ch, user)
	}
	if err != nil {
		audit(switchboard.OutcomeFailure)
		var apiErr *whatsapp.APIError
		if errors.As(err, &apiErr) {
			if apiErr.Code == whatsapp.CodeReengagement {
				return nil, switchboard.Errorf(switchboard.EUnprocessable, "WhatsApp blocks only customers who wrote in the last 24 hours.")
			}
			return nil, switchboard.Errorf(switchboard.EUnprocessable, "WhatsApp refused: %s", whatsapp.PublicMessage(err))
		}
		return nil, switchboard.Errorf(switchboard.EUnavailable, "WhatsApp could not be reached; try again. %s", whatsapp.PublicMessage(err))
	}
	var b *switchboard.ContactBlock
	if block {
		b = &switchboard.ContactBlock{By: a.User.ID, At: now}
	}
	bctx := s.staging(ctx, c, switchboard.EventConversationUpdated)
	if err := s.Store.SetContactBlocked(bctx, c.Contact.ID, b); err != nil {
		return nil, err
	}
	c, err = s.Store.Conversation(ctx, c.ID, a.User.ID)
	if err != nil {
		return nil, err
	}
	s.publish(bctx, switchboard.EventConversationUpdated, c, c)
	audit(switchboard.OutcomeSuccess)
	return c, nil
}
