package inbox

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboardhq/switchboard"
)

// MaxTextLength is WhatsApp's limit for a text message body.
const MaxTextLength = 4096

// visibleConversation loads a conversation and returns ENotFound, exactly as
// for a missing one, when the actor may not see it.
func (s *Service) visibleConversation(ctx context.Context, a *switchboard.Actor, id string) (*switchboard.Conversation, error) {
	if !switchboard.ValidID(id) {
		return nil, switchboard.NotFound("Conversation")
	}
	c, err := s.Store.Conversation(ctx, id, a.User.ID)
	if err != nil {
		return nil, err
	}
	if !switchboard.CanSeeConversation(a, c.ChannelID, c.AssigneeIDs(), c.Mentioned) {
		return nil, switchboard.NotFound("Conversation")
	}
	return c, nil
}

// workableConversation is [Service.visibleConversation] for a use case
// that acts on the conversation (replying, assigning, closing, …): a user
// who sees it only through a mention reads it but may not act on it, and
// gets EForbidden (they know it exists), audited as denied under action.
func (s *Service) workableConversation(ctx context.Context, a *switchboard.Actor, id, action string) (*switchboard.Conversation, error) {
	c, err := s.visibleConversation(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !switchboard.CanWorkOnConversation(a, c.ChannelID, c.AssigneeIDs()) {
		s.audit(ctx, a, action, "conversation", c.ID, switchboard.OutcomeDenied, map[string]string{"reason": "mentioned_only"})
		return nil, forbidden()
	}
	return c, nil
}

// Conversations lists the conversations the actor may see, newest activity
// first. The filter's visibility fields are set here from the actor, never
// taken from the caller.
func (s *Service) Conversations(ctx context.Context, a *switchboard.Actor, f switchboard.ConversationFilter) ([]*switchboard.Conversation, string, error) {
	f, err := visibleFilter(a, f)
	if err != nil {
		return nil, "", err
	}
	return s.Store.Conversations(ctx, f)
}

// ConversationCounts counts what each inbox filter would show the actor,
// for the current search.
func (s *Service) ConversationCounts(ctx context.Context, a *switchboard.Actor, f switchboard.ConversationFilter) (*switchboard.ConversationCounts, error) {
	f, err := visibleFilter(a, f)
	if err != nil {
		return nil, err
	}
	return s.Store.CountConversations(ctx, f)
}

// visibleFilter checks a list filter's values against their allow-lists and
// sets its visibility fields from the actor.
func visibleFilter(a *switchboard.Actor, f switchboard.ConversationFilter) (switchboard.ConversationFilter, error) {
	switch f.Assignment {
	case "":
		f.Assignment = switchboard.AssignmentAll
	case switchboard.AssignmentAll, switchboard.AssignmentUnassigned, switchboard.AssignmentAssigned, switchboard.AssignmentMine:
	default:
		return f, switchboard.Errorf(switchboard.EInvalid, "assignment must be all, unassigned, assigned or mine.")
	}
	if f.Status != "" {
		st, err := switchboard.ParseConversationStatus(string(f.Status))
		if err != nil {
			return f, err
		}
		f.Status = st
	}
	if f.TeamID != "" && !switchboard.ValidID(f.TeamID) {
		return f, switchboard.Errorf(switchboard.EInvalid, "team must be a team id.")
	}
	f.Query = strings.TrimSpace(f.Query)
	if utf8.RuneCountInString(f.Query) > 100 {
		return f, switchboard.Errorf(switchboard.EInvalid, "Search text must be at most 100 characters.")
	}
	f.ViewerID = a.User.ID
	f.OnlyAssignedTo = ""
	if !a.Can(switchboard.PermConversationsReadAll) {
		f.OnlyAssignedTo = a.User.ID
	}
	f.ChannelIDs = nil
	if !a.Role.AllChannels {
		f.ChannelIDs = slices.Clone(a.Role.ChannelIDs)
	}
	if err := checkListFilters(&f); err != nil {
		return f, err
	}
	return f, nil
}

// Conversation returns one conversation the actor may see.
func (s *Service) Conversation(ctx context.Context, a *switchboard.Actor, id string) (*switchboard.Conversation, error) {
	return s.visibleConversation(ctx, a, id)
}

// Messages returns a page of a conversation's history and marks the
// conversation read for the actor. Reading history is audited.
func (s *Service) Messages(ctx context.Context, a *switchboard.Actor, conversationID string, p switchboard.MessagePage) ([]*switchboard.Message, string, error) {
	msgs, _, before, err := s.thread(ctx, a, conversationID, p, false)
	return msgs, before, err
}

// Thread is [Service.Messages] with the thread entries (notes and activity
// lines, see [switchboard.ThreadEntry]) that fall within the page: from
// its oldest message (or the beginning, on the last page) up to the page
// cursor p.Before (or now, on the first page), so that paging back
// through the messages also pages through the entries, each entry once.
func (s *Service) Thread(ctx context.Context, a *switchboard.Actor, conversationID string, p switchboard.MessagePage) ([]*switchboard.Message, []*switchboard.ThreadEntry, string, error) {
	return s.thread(ctx, a, conversationID, p, true)
}

func (s *Service) thread(ctx context.Context, a *switchboard.Actor, conversationID string, p switchboard.MessagePage, withEntries bool) ([]*switchboard.Message, []*switchboard.ThreadEntry, string, error) {
	c, err := s.visibleConversation(ctx, a, conversationID)
	if err != nil {
		return nil, nil, "", err
	}
	msgs, before, err := s.Store.Messages(ctx, c.ID, p)
	if err != nil {
		return nil, nil, "", err
	}
	var entries []*switchboard.ThreadEntry
	if withEntries {
		var from time.Time
		if before != "" {
			for _, m := range msgs {
				if from.IsZero() || m.Timestamp.Before(from) {
					from = m.Timestamp
				}
			}
		}
		if entries, err = s.Store.ThreadEntries(ctx, c.ID, from, p.Before); err != nil {
			return nil, nil, "", err
		}
		s.nameEntries(ctx, entries...)
	}
	s.nameSenders(ctx, msgs...)
	if p.Before == "" && c.UnreadCount > 0 {
		if err := s.Store.MarkRead(ctx, c.ID, a.User.ID); err != nil {
			s.Logger.Warn("mark conversation read", "err", err)
		}
		// Someone who reads only through a mention does not tell the
		// customer that the business read their messages.
		if switchboard.CanWorkOnConversation(a, c.ChannelID, c.AssigneeIDs()) {
			s.sendReadReceipt(ctx, c, msgs)
		}
	}
	s.audit(ctx, a, "conversation.read", "conversation", c.ID, switchboard.OutcomeSuccess, nil)
	return msgs, entries, before, nil
}

// ConversationPatch is a change to a conversation (PATCH
// /api/v1/conversations/{id}); nil fields stay as they are.
type ConversationPatch struct {
	Status *switchboard.ConversationStatus
	// SnoozedUntil is when a snooze ends; only with Status snoozed, and
	// nil there means until the customer writes.
	SnoozedUntil *time.Time
}

// UpdateConversation applies a patch to a conversation the actor may see,
// reading the conversation once. read fills the patch (the HTTP handler
// decodes the request body there); it is called only after the visibility
// check, so that a conversation the actor may not see is ENotFound,
// exactly like a missing one, whatever the request carries.
func (s *Service) UpdateConversation(ctx context.Context, a *switchboard.Actor, id string, read func(*ConversationPatch) error) (*switchboard.Conversation, error) {
	c, err := s.workableConversation(ctx, a, id, "conversation.status")
	if err != nil {
		return nil, err
	}
	var p ConversationPatch
	if err := read(&p); err != nil {
		return nil, err
	}
	if p.Status == nil {
		return nil, switchboard.Errorf(switchboard.EInvalid, "Nothing to change: send status.")
	}
	return s.setStatus(ctx, a, c, *p.Status, p.SnoozedUntil)
}

// SetStatus changes a conversation's status (snoozed: until the customer
// writes); it needs conversations.close.
func (s *Service) SetStatus(ctx context.Context, a *switchboard.Actor, id string, status switchboard.ConversationStatus) (*switchboard.Conversation, error) {
	c, err := s.workableConversation(ctx, a, id, "conversation.status")
	if err != nil {
		return nil, err
	}
	return s.setStatus(ctx, a, c, status, nil)
}

// Snooze snoozes a conversation until until (nil: until the customer
// writes); it needs conversations.close.
func (s *Service) Snooze(ctx context.Context, a *switchboard.Actor, id string, until *time.Time) (*switchboard.Conversation, error) {
	c, err := s.workableConversation(ctx, a, id, "conversation.status")
	if err != nil {
		return nil, err
	}
	return s.setStatus(ctx, a, c, switchboard.StatusSnoozed, until)
}

// setStatus sets the status of c, which the actor may see. The result
// keeps the actor's unread count from c: changing the status does not
// change it, so the conversation need not be read again.
func (s *Service) setStatus(ctx context.Context, a *switchboard.Actor, c *switchboard.Conversation, status switchboard.ConversationStatus, until *time.Time) (*switchboard.Conversation, error) {
	status, err := switchboard.ParseConversationStatus(string(status))
	if err != nil {
		return nil, err
	}
	if until != nil {
		if status != switchboard.StatusSnoozed {
			return nil, switchboard.Errorf(switchboard.EInvalid, "snoozed_until goes only with the status snoozed.")
		}
		u := until.UTC().Truncate(time.Microsecond)
		until = &u
	}
	if err := switchboard.CheckSnooze(until, s.now()); err != nil {
		return nil, err
	}
	if !a.Can(switchboard.PermConversationsClose) {
		s.audit(ctx, a, "conversation.status", "conversation", c.ID, switchboard.OutcomeDenied, nil)
		return nil, forbidden()
	}
	if c.Status == status && (status != switchboard.StatusSnoozed || sameTime(c.SnoozedUntil, until)) {
		return c, nil
	}
	if !c.Status.CanBecome(status) {
		return nil, switchboard.Errorf(switchboard.EConflict, "A resolved conversation can only be opened again.")
	}
	detail := map[string]string{"status": string(status)}
	act := switchboard.Activity{Action: switchboard.ActivityStatus, Value: string(status)}
	if until != nil {
		detail["snoozed_until"] = until.Format(time.RFC3339)
		act.Detail = detail["snoozed_until"]
	}
	actx, done := s.auditing(ctx, a, "conversation.status", "conversation", c.ID, detail)
	actx = s.staging(actx, c, switchboard.EventConversationUpdated)
	var updated *switchboard.Conversation
	if status == switchboard.StatusSnoozed {
		updated, err = s.Store.SnoozeConversation(actx, c.ID, until, s.now())
	} else {
		updated, err = s.Store.SetConversationStatus(actx, c.ID, status, s.now())
	}
	if err != nil {
		return nil, err
	}
	done()
	// Closing ends the mentions: the mentioned are told, as they may no
	// longer see the conversation.
	var ended []string
	for _, id := range c.Mentioned {
		if !slices.Contains(updated.Mentioned, id) {
			ended = append(ended, id)
		}
	}
	s.publish(actx, switchboard.EventConversationUpdated, updated, updated, ended...)
	s.appendActivity(ctx, a, updated, act)
	// A copy: the published event shares updated with the hub's readers.
	out := *updated
	out.UnreadCount = c.UnreadCount
	return &out, nil
}

// withUnread reloads c as the actor sees it (their unread count).
func (s *Service) withUnread(ctx context.Context, c *switchboard.Conversation, a *switchboard.Actor) (*switchboard.Conversation, error) {
	fresh, err := s.Store.Conversation(ctx, c.ID, a.User.ID)
	if err != nil {
		return c, nil
	}
	return fresh, nil
}

// Assign adds an employee to a conversation; it needs conversations.assign.
// The user must be active and their role must allow the conversation's
// channel.
func (s *Service) Assign(ctx context.Context, a *switchboard.Actor, conversationID, userID string) (*switchboard.Conversation, error) {
	c, err := s.workableConversation(ctx, a, conversationID, "conversation.assign")
	if err != nil {
		return nil, err
	}
	if !a.Can(switchboard.PermConversationsAssign) {
		s.audit(ctx, a, "conversation.assign", "conversation", conversationID, switchboard.OutcomeDenied, nil)
		return nil, forbidden()
	}
	target, err := s.assignable(ctx, userID, c.ChannelID)
	if err != nil {
		return nil, err
	}
	// Nothing changes, and no entry is written, if target is assigned
	// already (the store skips the entry then).
	actx, done := s.auditing(ctx, a, "conversation.assign", "conversation", c.ID, map[string]string{"user_id": target.ID})
	actx = s.stagingAbout(actx, c, target.ID, switchboard.EventConversationAssigned)
	c, changed, err := s.Store.AddAssignee(actx, c.ID, target.ID, s.now())
	if err != nil {
		return nil, err
	}
	if changed {
		done()
		s.publish(actx, switchboard.EventConversationAssigned, c, assignmentData(c, target))
		s.appendActivity(ctx, a, c, switchboard.Activity{Action: switchboard.ActivityAssigned, SubjectID: target.ID})
		c = s.personActed(ctx, c, switchboard.HandoffAssigned, target.ID)
	}
	return s.withUnread(ctx, c, a)
}

// Unassign removes an employee from a conversation; it needs
// conversations.assign. The removed user is told, and sees nothing of the
// conversation afterwards unless their role sees all conversations.
func (s *Service) Unassign(ctx context.Context, a *switchboard.Actor, conversationID, userID string) (*switchboard.Conversation, error) {
	c, err := s.workableConversation(ctx, a, conversationID, "conversation.unassign")
	if err != nil {
		return nil, err
	}
	if !a.Can(switchboard.PermConversationsAssign) {
		s.audit(ctx, a, "conversation.unassign", "conversation", conversationID, switchboard.OutcomeDenied, nil)
		return nil, forbidden()
	}
	if !c.AssignedTo(userID) {
		return nil, switchboard.NotFound("Assignee")
	}
	actx, done := s.auditing(ctx, a, "conversation.unassign", "conversation", c.ID, map[string]string{"user_id": userID})
	actx = s.stagingAbout(actx, c, userID, switchboard.EventConversationUnassigned)
	c, changed, err := s.Store.RemoveAssignee(actx, c.ID, userID, s.now())
	if err != nil {
		return nil, err
	}
	if changed {
		done()
		s.publish(actx, switchboard.EventConversationUnassigned, c,
			assignmentData(c, &switchboard.User{ID: userID}), userID)
		s.appendActivity(ctx, a, c, switchboard.Activity{Action: switchboard.ActivityUnassigned, SubjectID: userID})
	}
	return s.withUnread(ctx, c, a)
}

// AssignmentEvent is the data of assignment events: the conversation and the
// user who was added or removed.
type AssignmentEvent struct {
	Conversation *switchboard.Conversation `json:"conversation"`
	UserID       string                    `json:"user_id"`
}

func assignmentData(c *switchboard.Conversation, u *switchboard.User) AssignmentEvent {
	return AssignmentEvent{Conversation: c, UserID: u.ID}
}

// Assignable lists the users who may be assigned conversationID: active,
// with a role that may reply on its channel ([switchboard.Role.CanReplyOn]),
// matching q. It needs conversations.assign and a conversation the actor
// sees.
func (s *Service) Assignable(ctx context.Context, a *switchboard.Actor, conversationID, q string, limit int) ([]*switchboard.User, error) {
	c, err := s.workableConversation(ctx, a, conversationID, "conversation.assign")
	if err != nil {
		return nil, err
	}
	if !a.Can(switchboard.PermConversationsAssign) {
		return nil, forbidden()
	}
	if len(q) > 100 {
		return nil, switchboard.Errorf(switchboard.EInvalid, "Search text is too long.")
	}
	roles, err := s.roleMap(ctx)
	if err != nil {
		return nil, err
	}
	ids := []string{}
	for id, r := range roles {
		if r.CanReplyOn(c.ChannelID) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	active := true
	users, _, err := s.Store.Users(ctx, switchboard.UserFilter{RoleIDs: ids, Active: &active, Query: q, Limit: limit})
	if err != nil {
		return nil, err
	}
	return users, s.withAvailability(ctx, users)
}

func (s *Service) assignable(ctx context.Context, userID, channelID string) (*switchboard.User, error) {
	invalid := switchboard.Errorf(switchboard.EInvalid, "This user cannot be assigned: they must be active and allowed to reply on this channel.")
	if !switchboard.ValidID(userID) {
		return nil, invalid
	}
	u, err := s.Store.User(ctx, userID)
	if switchboard.ErrorCode(err) == switchboard.ENotFound {
		return nil, invalid
	} else if err != nil {
		return nil, err
	}
	if !u.Active {
		return nil, invalid
	}
	r, err := s.Store.Role(ctx, u.RoleID)
	if err != nil {
		return nil, err
	}
	if !r.CanReplyOn(channelID) {
		return nil, invalid
	}
	return u, nil
}

// Receive stores a customer's message arriving from a channel and tells the
// users who may see it. A duplicate delivery changes nothing.
func (sys *System) Receive(ctx context.Context, in switchboard.InboundMessage) (*switchboard.Message, bool, error) {
	s := sys.svc
	if in.Message != nil {
		in.Message.BoundText()
	}
	// A batch of one, so that the hand-off rules run in its transaction.
	b := switchboard.InboundBatch{Messages: []switchboard.InboundMessage{in}}
	s.fillHandoff(ctx, &b)
	res, err := s.Store.ReceiveBatch(ctx, b)
	if err != nil {
		return nil, false, err
	}
	r := res.Received[0]
	if r.Duplicate {
		m, err := s.Store.Message(ctx, r.Message.ID)
		return m, false, err
	}
	sys.announceBatch(ctx, res)
	return r.Message, true, nil
}

// ReadReceipts sends read receipts to WhatsApp; the sender worker
// implements it.
type ReadReceipts interface {
	MarkRead(channelID, wamid string)
}

// sendReadReceipt marks the newest customer message read at Meta when the
// channel is configured to send read receipts.
func (s *Service) sendReadReceipt(ctx context.Context, c *switchboard.Conversation, newestFirst []*switchboard.Message) {
	if s.Receipts == nil {
		return
	}
	for _, m := range newestFirst {
		if m.Direction != switchboard.DirectionIn || m.WAMessageID == "" {
			continue
		}
		ch, err := s.Store.Channel(ctx, c.ChannelID)
		if err == nil && ch.MarkRead {
			s.Receipts.MarkRead(ch.ID, m.WAMessageID)
		}
		return
	}
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// WakeSnoozed opens the snoozed conversations whose time has come, up to
// limit of them, and reminds their assignees; it returns how many it
// opened. A periodic job calls it ([worker.Snoozes]); a conversation the
// customer or a user changed meanwhile is left alone.
func (s *Service) WakeSnoozed(ctx context.Context, limit int) (int, error) {
	now := s.now()
	ids, err := s.Store.DueSnoozes(ctx, now, limit)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		c, err := s.Store.Conversation(ctx, id, "")
		if err != nil {
			if switchboard.ErrorCode(err) == switchboard.ENotFound {
				continue
			}
			return n, err
		}
		actx := s.staging(ctx, c, switchboard.EventConversationUpdated)
		woke, changed, err := s.Store.WakeSnoozed(actx, id, now)
		if err != nil {
			if switchboard.ErrorCode(err) == switchboard.ENotFound {
				continue
			}
			return n, err
		}
		if !changed {
			continue
		}
		n++
		s.publish(actx, switchboard.EventConversationUpdated, woke, woke)
		s.appendActivityBy(ctx, "", woke, switchboard.Activity{Action: switchboard.ActivityStatus, Value: string(switchboard.StatusOpen),
			Detail: switchboard.ReminderWoke})
		s.remind(ctx, woke, switchboard.ReminderWoke, woke.AssigneeIDs())
	}
	return n, nil
}

// remind tells users that a conversation wants their attention again
// ([switchboard.EventConversationReminder]); nothing if there is nobody.
func (s *Service) remind(ctx context.Context, c *switchboard.Conversation, reason string, userIDs []string) {
	if len(userIDs) == 0 {
		return
	}
	s.publish(ctx, switchboard.EventConversationReminder, c,
		&switchboard.ConversationReminder{Conversation: c, Reason: reason, UserIDs: userIDs})
}
