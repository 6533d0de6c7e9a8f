package inbox

import (
	"context"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard"
)

// CannedInput is what a user writes into a canned reply.
type CannedInput struct {
	Scope    switchboard.CannedScope
	Shortcut string
	Title    string
	Text     string
}

// CannedReplies lists the canned replies the actor may use: every shared
// one and the actor's own personal ones, optionally of one scope and
// matching q (shortcut or title, folded). Everyone may list them.
func (s *Service) CannedReplies(ctx context.Context, a *switchboard.Actor, scope switchboard.CannedScope, q string, limit int) ([]*switchboard.CannedReply, error) {
	return s.Store.CannedReplies(ctx, switchboard.CannedFilter{UserID: a.User.ID, Scope: scope, Query: q, Limit: limit})
}

// CannedReply returns one canned reply the actor may use; another user's
// personal reply is ENotFound, exactly like a missing one.
func (s *Service) CannedReply(ctx context.Context, a *switchboard.Actor, id string) (*switchboard.CannedReply, error) {
	if !switchboard.ValidID(id) {
		return nil, switchboard.NotFound("Canned reply")
	}
	r, err := s.Store.CannedReply(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Scope == switchboard.CannedPersonal && r.OwnerID != a.User.ID {
		return nil, switchboard.NotFound("Canned reply")
	}
	return r, nil
}

// editableCanned loads a reply for a change: the owner's personal reply,
// or a shared one with canned_replies.manage (403 without it: everyone sees
// shared replies, so they know it exists).
func (s *Service) editableCanned(ctx context.Context, a *switchboard.Actor, id, action string) (*switchboard.CannedReply, error) {
	r, err := s.CannedReply(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if r.Scope == switchboard.CannedShared && !a.Can(switchboard.PermCannedRepliesManage) {
		s.audit(ctx, a, action, "canned_reply", r.ID, switchboard.OutcomeDenied, nil)
		return nil, forbidden()
	}
	return r, nil
}

// CreateCannedReply saves a canned reply: a personal one for the actor,
// or a shared one, which needs canned_replies.manage. Audited as
// canned_reply.create with the scope (never the text).
func (s *Service) CreateCannedReply(ctx context.Context, a *switchboard.Actor, in CannedInput) (*switchboard.CannedReply, error) {
	r := &switchboard.CannedReply{Scope: in.Scope, Shortcut: in.Shortcut, Title: in.Title, Text: in.Text,
		CreatedBy: a.User.ID, CreatedAt: s.now()}
	if in.Scope == switchboard.CannedPersonal {
		r.OwnerID = a.User.ID
	}
	if r.Scope == switchboard.CannedShared && !a.Can(switchboard.PermCannedRepliesManage) {
		s.audit(ctx, a, "canned_reply.create", "canned_reply", "", switchboard.OutcomeDenied, map[string]string{"scope": string(r.Scope)})
		return nil, forbidden()
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	r.ID = switchboard.NewID()
	actx, done := s.auditing(ctx, a, "canned_reply.create", "canned_reply", r.ID, map[string]string{"scope": string(r.Scope)})
	if err := s.Store.CreateCannedReply(actx, r); err != nil {
		return nil, err
	}
	done()
	return r, nil
}

// UpdateCannedReply changes a canned reply's shortcut, title and text
// (scope and owner stay). Audited as canned_reply.update.
func (s *Service) UpdateCannedReply(ctx context.Context, a *switchboard.Actor, id string, in CannedInput) (*switchboard.CannedReply, error) {
	old, err := s.editableCanned(ctx, a, id, "canned_reply.update")
	if err != nil {
		return nil, err
	}
	r := &switchboard.CannedReply{ID: old.ID, Scope: old.Scope, OwnerID: old.OwnerID, Shortcut: in.Shortcut, Title: in.Title, Text: in.Text}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	actx, done := s.auditing(ctx, a, "canned_reply.update", "canned_reply", r.ID, map[string]string{"scope": string(r.Scope)})
	if err := s.Store.UpdateCannedReply(actx, r); err != nil {
		return nil, err
	}
	done()
	return r, nil
}

// DeleteCannedReply removes a canned reply. Audited as canned_reply.delete.
func (s *Service) DeleteCannedReply(ctx context.Context, a *switchboard.Actor, id string) error {
	r, err := s.editableCanned(ctx, a, id, "canned_reply.delete")
	if err != nil {
		return err
	}
	actx, done := s.auditing(ctx, a, "canned_reply.delete", "canned_reply", r.ID, map[string]string{"scope": string(r.Scope)})
	if err := s.Store.DeleteCannedReply(actx, r.ID); err != nil {
		return err
	}
	done()
	return nil
}

// RenderCannedReply returns a canned reply's text for insertion into a
// conversation the actor may see, its variables filled: the contact's
// name, the actor's name and the channel's name as the business name
// ([switchboard.RenderCanned]; a missing value is ""). A conversation the
// actor may not see, and another user's personal reply, are ENotFound.
// Not audited: nothing is sent or changed.
func (s *Service) RenderCannedReply(ctx context.Context, a *switchboard.Actor, conversationID, replyID string) (string, error) {
	c, err := s.visibleConversation(ctx, a, conversationID)
	if err != nil {
		return "", err
	}
	r, err := s.CannedReply(ctx, a, replyID)
	if err != nil {
		return "", err
	}
	v := switchboard.CannedVars{AgentName: a.User.Name, CustomerName: c.Contact.Name}
	if ch, err := s.Store.Channel(ctx, c.ChannelID); err == nil {
		v.BusinessName = ch.Name
	} else if switchboard.ErrorCode(err) != switchboard.ENotFound {
		return "", err
	}
	return switchboard.RenderCanned(r.Text, v), nil
}

// Draft returns the actor's unsent composer text in a conversation they
// may see; "" when there is none. Not audited, like reading.
func (s *Service) Draft(ctx context.Context, a *switchboard.Actor, conversationID string) (*switchboard.Draft, error) {
	c, err := s.visibleConversation(ctx, a, conversationID)
	if err != nil {
		return nil, err
	}
	d, err := s.Store.Draft(ctx, a.User.ID, c.ID)
	if switchboard.ErrorCode(err) == switchboard.ENotFound {
		return &switchboard.Draft{ConversationID: c.ID, UserID: a.User.ID, Text: ""}, nil
	}
	return d, err
}

// SaveDraft keeps the actor's composer text in a conversation they may see
// (sealed at rest); an empty text deletes it. Not audited: it is the
// user's own unsent text, saved every few seconds while typing.
func (s *Service) SaveDraft(ctx context.Context, a *switchboard.Actor, conversationID, text string) (*switchboard.Draft, error) {
	c, err := s.visibleConversation(ctx, a, conversationID)
	if err != nil {
		return nil, err
	}
	d := &switchboard.Draft{ConversationID: c.ID, UserID: a.User.ID, Text: text, UpdatedAt: s.now()}
	if err := s.Store.SaveDraft(ctx, d); err != nil {
		return nil, err
	}
	return d, nil
}

// clearDraft drops the actor's draft after a message went out; a failure
// is logged, the message stands.
func (s *Service) clearDraft(ctx context.Context, a *switchboard.Actor, conversationID string) {
	if _, err := s.Store.Draft(ctx, a.User.ID, conversationID); err != nil {
		return // none (a read is cheaper than a write on SQLite's single writer)
	}
	if err := s.Store.SaveDraft(ctx, &switchboard.Draft{ConversationID: conversationID, UserID: a.User.ID}); err != nil {
		s.Logger.Error("clear draft", "conversation_id", conversationID, "err", err)
	}
}

// composerActivityInterval is how often at most one user's activity in
// one conversation is published, so a fast typist does not flood the
// event stream (and the hub's replay ring).
const composerActivityInterval = 2 * time.Second

// ComposerActivity tells the others who see a conversation that the actor
// is writing in it: kind "reply" (needs a conversation the actor may
// work on and conversations.reply) or "note" (any conversation the actor
// may see). Published at most every [composerActivityInterval] per user
// and conversation; other calls succeed without publishing. Not audited.
func (s *Service) ComposerActivity(ctx context.Context, a *switchboard.Actor, conversationID, kind string) error {
	var c *switchboard.Conversation
	var err error
	switch kind {
	case "reply":
		if c, err = s.workableConversation(ctx, a, conversationID, "message.send"); err != nil {
			return err
		}
		if !a.Can(switchboard.PermConversationsReply) {
			return forbidden()
		}
	case "note":
		if c, err = s.visibleConversation(ctx, a, conversationID); err != nil {
			return err
		}
	default:
		if _, err := s.visibleConversation(ctx, a, conversationID); err != nil {
			return err
		}
		return switchboard.Errorf(switchboard.EInvalid, "kind must be reply or note.")
	}
	now := s.now()
	if !s.composing.take(c.ID+"/"+a.User.ID+"/"+kind, now) {
		return nil
	}
	s.publish(ctx, switchboard.EventComposerActivity, c, &switchboard.ComposerActivity{ConversationID: c.ID, UserID: a.User.ID,
		UserName: a.User.Name, Kind: kind, ExpiresAt: now.Add(switchboard.ComposerActivityTTL)})
	return nil
}

// activityThrottle remembers when each key last published.
type activityThrottle struct {
	mu   sync.Mutex
	last map[string]time.Time
}

// take reports whether key may publish at now, and records it if so.
func (t *activityThrottle) take(key string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.last == nil {
		t.last = map[string]time.Time{}
	}
	if at, ok := t.last[key]; ok && now.Sub(at) < composerActivityInterval && !now.Before(at) {
		return false
	}
	if len(t.last) >= 10_000 {
		for k, at := range t.last {
			if now.Sub(at) >= composerActivityInterval {
				delete(t.last, k)
			}
		}
	}
	t.last[key] = now
	return true
}
