package inbox

import (
	"context"

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
		if switchboard.CanSeeConversation(a, ct.ChannelID, c.AssigneeIDs()) {
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
