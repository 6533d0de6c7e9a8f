package inbox

import (
	"context"

	"github.com/switchboardhq/switchboard"
)

// Labels lists every label by name. Everyone may list them: they are the
// business's words, shown on every conversation that carries one.
func (s *Service) Labels(ctx context.Context, a *switchboard.Actor) ([]*switchboard.Label, error) {
	return s.Store.Labels(ctx)
}

// LabelInput is what a user writes into a label.
type LabelInput struct {
	Name  string
	Color string
}

// CreateLabel stores a new label; it needs labels.manage. Audited as
// label.create with the name.
func (s *Service) CreateLabel(ctx context.Context, a *switchboard.Actor, in LabelInput) (*switchboard.Label, error) {
	if !a.Can(switchboard.PermLabelsManage) {
		s.audit(ctx, a, "label.create", "label", "", switchboard.OutcomeDenied, nil)
		return nil, forbidden()
	}
	l := &switchboard.Label{Name: in.Name, Color: in.Color}
	if err := l.PrepareNew(s.now()); err != nil {
		return nil, err
	}
	actx, done := s.auditing(ctx, a, "label.create", "label", l.ID, map[string]string{"name": l.Name, "color": l.Color})
	if err := s.Store.CreateLabel(actx, l); err != nil {
		return nil, err
	}
	done()
	return l, nil
}

// UpdateLabel renames or recolours a label; it needs labels.manage.
// Audited as label.update with the new name. Conversations show the new
// name from their next read.
func (s *Service) UpdateLabel(ctx context.Context, a *switchboard.Actor, id string, in LabelInput) (*switchboard.Label, error) {
	if !switchboard.ValidID(id) {
		return nil, switchboard.NotFound("Label")
	}
	if !a.Can(switchboard.PermLabelsManage) {
		s.audit(ctx, a, "label.update", "label", id, switchboard.OutcomeDenied, nil)
		return nil, forbidden()
	}
	l := &switchboard.Label{ID: id, Name: in.Name, Color: in.Color}
	if err := l.Validate(); err != nil {
		return nil, err
	}
	actx, done := s.auditing(ctx, a, "label.update", "label", id, map[string]string{"name": l.Name, "color": l.Color})
	if err := s.Store.UpdateLabel(actx, l); err != nil {
		return nil, err
	}
	done()
	return l, nil
}

// DeleteLabel deletes a label and takes it off every conversation; it
// needs labels.manage. Audited as label.delete with the name.
func (s *Service) DeleteLabel(ctx context.Context, a *switchboard.Actor, id string) error {
	if !switchboard.ValidID(id) {
		return switchboard.NotFound("Label")
	}
	if !a.Can(switchboard.PermLabelsManage) {
		s.audit(ctx, a, "label.delete", "label", id, switchboard.OutcomeDenied, nil)
		return forbidden()
	}
	l, err := s.Store.Label(ctx, id)
	if err != nil {
		return err
	}
	actx, done := s.auditing(ctx, a, "label.delete", "label", id, map[string]string{"name": l.Name})
	if err := s.Store.DeleteLabel(actx, id); err != nil {
		return err
	}
	done()
	return nil
}

// SetLabel puts a label on a conversation (on) or takes it off. Anyone
// who may work on the conversation may ([switchboard.CanWorkOnConversation]):
// a conversation the actor may not see is ENotFound, one they see only
// through a mention EForbidden. Audited as conversation.label or
// conversation.unlabel; a change publishes conversation.updated with the
// labels and adds an activity line ("Anna added label VIP"). Nothing
// changes, and nothing is written, when the conversation already is as
// asked.
func (s *Service) SetLabel(ctx context.Context, a *switchboard.Actor, conversationID, labelID string, on bool) (*switchboard.Conversation, error) {
	action, act := "conversation.label", switchboard.ActivityLabelAdded
	if !on {
		action, act = "conversation.unlabel", switchboard.ActivityLabelRemoved
	}
	c, err := s.workableConversation(ctx, a, conversationID, action)
	if err != nil {
		return nil, err
	}
	if !switchboard.ValidID(labelID) {
		return nil, switchboard.NotFound("Label")
	}
	l, err := s.Store.Label(ctx, labelID)
	if err != nil {
		return nil, err
	}
	detail := map[string]string{"label_id": l.ID}
	actx, done := s.auditing(ctx, a, "conversation.label", "conversation", c.ID, detail)
	if !on {
		actx, done = s.auditing(ctx, a, "conversation.unlabel", "conversation", c.ID, detail)
	}
	actx = s.staging(actx, c, switchboard.EventConversationUpdated)
	updated, changed, err := s.Store.SetConversationLabel(actx, c.ID, l.ID, on, s.now())
	if err != nil {
		return nil, err
	}
	if !changed {
		return c, nil
	}
	done()
	s.publish(actx, switchboard.EventConversationUpdated, updated, updated)
	s.appendActivity(ctx, a, updated, switchboard.Activity{Action: act, Value: l.Name})
	out := *updated
	out.UnreadCount = c.UnreadCount
	return &out, nil
}
