package inbox

import (
	"context"
	"strconv"

	"github.com/switchboardhq/switchboard"
)

// ContactChange is the data of [switchboard.EventContactUpdated]: which contact and
// what changed ("note", "attributes"), never the content.
type ContactChange struct {
	ContactID string `json:"contact_id"`
	What      string `json:"what"`
}

// ContactPanel is what the panel beside a conversation shows about its
// customer, and what the viewer may do there.
type ContactPanel struct {
	Contact switchboard.Contact `json:"contact"`
	// Conversations are the customer's conversations the viewer may see,
	// on every channel (by phone number or BSUID), newest first; the
	// current one included.
	Conversations []*switchboard.Conversation `json:"conversations"`
	Notes         []*switchboard.ContactNote  `json:"notes"`
	Attributes    []*switchboard.AttributeDef `json:"attributes"`
	// Values are the contact's attribute values by attribute id.
	Values         map[string]*switchboard.AttributeValue `json:"values"`
	CanWriteNotes  bool                                   `json:"can_write_notes"`
	CanEditValues  bool                                   `json:"can_edit_values"`
	CanManageAttrs bool                                   `json:"can_manage_attributes"`
}

// ContactPanel returns the panel of the customer of a conversation the
// actor may see (404 otherwise, like a missing one). Its list of
// conversations is filtered with the same rule: a conversation the actor
// may not see is left out, not named. Reading the panel is not audited
// separately: it shows what the conversation's reading shows (the read is
// audited as conversation.read by the message history).
func (s *Service) ContactPanel(ctx context.Context, a *switchboard.Actor, conversationID string) (*ContactPanel, error) {
	c, err := s.visibleConversation(ctx, a, conversationID)
	if err != nil {
		return nil, err
	}
	p := &ContactPanel{Contact: c.Contact, Values: map[string]*switchboard.AttributeValue{}}
	ids, err := s.Store.CustomerConversationIDs(ctx, &c.Contact)
	if err != nil {
		return nil, err
	}
	p.Conversations = []*switchboard.Conversation{}
	for _, id := range ids {
		if id == c.ID {
			p.Conversations = append(p.Conversations, c)
			continue
		}
		other, err := s.visibleConversation(ctx, a, id)
		if switchboard.ErrorCode(err) == switchboard.ENotFound {
			continue
		} else if err != nil {
			return nil, err
		}
		p.Conversations = append(p.Conversations, other)
	}
	if p.Notes, err = s.Store.ContactNotes(ctx, c.Contact.ID); err != nil {
		return nil, err
	}
	for _, n := range p.Notes {
		n.AuthorName = s.userName(ctx, n.AuthorID)
	}
	if p.Attributes, err = s.Store.AttributeDefs(ctx); err != nil {
		return nil, err
	}
	vals, err := s.Store.ContactAttributes(ctx, c.Contact.ID)
	if err != nil {
		return nil, err
	}
	for _, v := range vals {
		p.Values[v.AttributeID] = v
	}
	work := switchboard.CanWorkOnConversation(a, c.ChannelID, c.AssigneeIDs())
	p.CanWriteNotes = work
	p.CanEditValues = work && a.Can(switchboard.PermContactsEdit)
	p.CanManageAttrs = a.Can(switchboard.PermContactAttributesManage)
	return p, nil
}

// AddContactNote writes a note about the customer of a conversation. Who
// may: whoever may work on the conversation (assigned, or seeing every
// conversation of its channel); someone who sees it only through a
// mention reads the notes but may not write them (403). Audited as
// contact.note (the conversation, never the text).
func (s *Service) AddContactNote(ctx context.Context, a *switchboard.Actor, conversationID, text string) (*switchboard.ContactNote, error) {
	c, err := s.workableConversation(ctx, a, conversationID, "contact.note")
	if err != nil {
		return nil, err
	}
	n := &switchboard.ContactNote{ContactID: c.Contact.ID, AuthorID: a.User.ID, Text: text, CreatedAt: s.now()}
	if err := n.Prepare(s.now()); err != nil {
		return nil, err
	}
	actx, done := s.auditing(ctx, a, "contact.note", "contact", c.Contact.ID, map[string]string{"conversation_id": c.ID})
	if err := s.Store.AddContactNote(actx, n); err != nil {
		return nil, err
	}
	done()
	n.AuthorName = s.userName(ctx, n.AuthorID)
	s.publishContact(ctx, c, "note")
	return n, nil
}

// DeleteContactNote deletes a note about the customer of a conversation:
// its author may, while they may work on the conversation, and so may
// whoever has contacts.edit there. Audited as contact.note_delete.
func (s *Service) DeleteContactNote(ctx context.Context, a *switchboard.Actor, conversationID, noteID string) error {
	c, err := s.workableConversation(ctx, a, conversationID, "contact.note_delete")
	if err != nil {
		return err
	}
	if !switchboard.ValidID(noteID) {
		return switchboard.NotFound("Note")
	}
	n, err := s.Store.ContactNote(ctx, c.Contact.ID, noteID)
	if err != nil {
		return err
	}
	if n.AuthorID != a.User.ID && !a.Can(switchboard.PermContactsEdit) {
		s.audit(ctx, a, "contact.note_delete", "contact", c.Contact.ID, switchboard.OutcomeDenied, map[string]string{"note_id": n.ID})
		return forbidden()
	}
	actx, done := s.auditing(ctx, a, "contact.note_delete", "contact", c.Contact.ID, map[string]string{"note_id": n.ID})
	if err := s.Store.DeleteContactNote(actx, c.Contact.ID, n.ID); err != nil {
		return err
	}
	done()
	s.publishContact(ctx, c, "note")
	return nil
}

// SetContactAttributes sets custom attribute values of the customer of a
// conversation: values maps attribute ids to values ("" removes one),
// each checked against its definition's type (400 naming the attribute).
// It needs contacts.edit and a conversation the actor may work on.
// Audited as contact.attributes with the attribute ids, never the values.
func (s *Service) SetContactAttributes(ctx context.Context, a *switchboard.Actor, conversationID string, values map[string]string) (map[string]*switchboard.AttributeValue, error) {
	c, err := s.workableConversation(ctx, a, conversationID, "contact.attributes")
	if err != nil {
		return nil, err
	}
	if !a.Can(switchboard.PermContactsEdit) {
		s.audit(ctx, a, "contact.attributes", "contact", c.Contact.ID, switchboard.OutcomeDenied, nil)
		return nil, forbidden()
	}
	if len(values) == 0 {
		return nil, switchboard.Errorf(switchboard.EInvalid, "Give at least one attribute value.")
	}
	if len(values) > switchboard.MaxAttributeDefs {
		return nil, switchboard.Errorf(switchboard.EInvalid, "At most %d attribute values at once.", switchboard.MaxAttributeDefs)
	}
	defs, err := s.Store.AttributeDefs(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[string]*switchboard.AttributeDef{}
	for _, d := range defs {
		byID[d.ID] = d
	}
	set := make([]switchboard.AttributeValue, 0, len(values))
	for _, d := range defs { // in the definitions' order, so the first error is stable
		v, ok := values[d.ID]
		if !ok {
			continue
		}
		stored, err := d.ValidateValue(v)
		if err != nil {
			return nil, err
		}
		set = append(set, switchboard.AttributeValue{AttributeID: d.ID, Value: stored, UpdatedBy: a.User.ID})
	}
	for id := range values {
		if byID[id] == nil {
			return nil, switchboard.Errorf(switchboard.EInvalid, "Unknown attribute.")
		}
	}
	ids := ""
	for i, v := range set {
		if i > 0 {
			ids += ","
		}
		ids += v.AttributeID
	}
	actx, done := s.auditing(ctx, a, "contact.attributes", "contact", c.Contact.ID,
		map[string]string{"conversation_id": c.ID, "attributes": ids, "count": strconv.Itoa(len(set))})
	if err := s.Store.SetContactAttributes(actx, c.Contact.ID, set); err != nil {
		return nil, err
	}
	done()
	vals, err := s.Store.ContactAttributes(ctx, c.Contact.ID)
	if err != nil {
		return nil, err
	}
	out := map[string]*switchboard.AttributeValue{}
	for _, v := range vals {
		out[v.AttributeID] = v
	}
	s.publishContact(ctx, c, "attributes")
	return out, nil
}

// publishContact tells the viewers of each of the contact's conversations
// that its panel changed.
func (s *Service) publishContact(ctx context.Context, c *switchboard.Conversation, what string) {
	if s.Events == nil {
		return
	}
	ids, err := s.Store.CustomerConversationIDs(ctx, &c.Contact)
	if err != nil {
		s.Logger.Warn("list the contact's conversations for its event", "err", err)
		ids = []string{c.ID}
	}
	data := ContactChange{ContactID: c.Contact.ID, What: what}
	for _, id := range ids {
		conv := c
		if id != c.ID {
			if conv, err = s.Store.Conversation(ctx, id, ""); err != nil {
				continue
			}
		}
		s.publish(ctx, switchboard.EventContactUpdated, conv, data)
	}
}

// AttributeDefs lists the custom attributes; every signed-in user may, as
// the panel shows them.
func (s *Service) AttributeDefs(ctx context.Context, a *switchboard.Actor) ([]*switchboard.AttributeDef, error) {
	return s.Store.AttributeDefs(ctx)
}

// CreateAttributeDef defines a custom attribute; it needs
// contact_attributes.manage. Audited as contact_attribute.create.
func (s *Service) CreateAttributeDef(ctx context.Context, a *switchboard.Actor, d *switchboard.AttributeDef) error {
	if !a.Can(switchboard.PermContactAttributesManage) {
		s.audit(ctx, a, "contact_attribute.create", "contact_attribute", "", switchboard.OutcomeDenied, nil)
		return forbidden()
	}
	d.ID = ""
	if err := d.PrepareNew(s.now()); err != nil {
		return err
	}
	actx, done := s.auditing(ctx, a, "contact_attribute.create", "contact_attribute", d.ID,
		map[string]string{"name": d.Name, "type": string(d.Type)})
	if err := s.Store.CreateAttributeDef(actx, d); err != nil {
		return err
	}
	done()
	return nil
}

// UpdateAttributeDef renames a custom attribute or replaces a list's
// options (its type is fixed); it needs contact_attributes.manage.
// Audited as contact_attribute.update.
func (s *Service) UpdateAttributeDef(ctx context.Context, a *switchboard.Actor, d *switchboard.AttributeDef) (*switchboard.AttributeDef, error) {
	if !a.Can(switchboard.PermContactAttributesManage) {
		s.audit(ctx, a, "contact_attribute.update", "contact_attribute", d.ID, switchboard.OutcomeDenied, nil)
		return nil, forbidden()
	}
	if !switchboard.ValidID(d.ID) {
		return nil, switchboard.NotFound("Attribute")
	}
	actx, done := s.auditing(ctx, a, "contact_attribute.update", "contact_attribute", d.ID, map[string]string{"name": d.Name})
	out, err := s.Store.UpdateAttributeDef(actx, d)
	if err != nil {
		return nil, err
	}
	done()
	return out, nil
}

// DeleteAttributeDef deletes a custom attribute and every contact's value
// of it; it needs contact_attributes.manage. Audited as
// contact_attribute.delete.
func (s *Service) DeleteAttributeDef(ctx context.Context, a *switchboard.Actor, id string) error {
	if !a.Can(switchboard.PermContactAttributesManage) {
		s.audit(ctx, a, "contact_attribute.delete", "contact_attribute", id, switchboard.OutcomeDenied, nil)
		return forbidden()
	}
	if !switchboard.ValidID(id) {
		return switchboard.NotFound("Attribute")
	}
	actx, done := s.auditing(ctx, a, "contact_attribute.delete", "contact_attribute", id, nil)
	if err := s.Store.DeleteAttributeDef(actx, id); err != nil {
		return err
	}
	done()
	return nil
}
