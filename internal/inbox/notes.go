package inbox

import (
	"context"
	"slices"
	"strconv"

	"github.com/switchboardhq/switchboard"
)

// AddNote writes a private note in a conversation the actor may see (a
// note is for the team and never goes to WhatsApp). Anyone who sees the
// conversation may write one, also someone who sees it only through a
// mention, so they can answer. mentions are the ids of the users the note
// mentions: each must be active and allowed on the conversation's channel
// (see [Service.Mentionable]); each then may read the conversation until
// they dismiss the mention or the conversation is closed, and is told
// through the note's event. Audited as conversation.note (the number of
// mentions, never the text).
func (s *Service) AddNote(ctx context.Context, a *switchboard.Actor, conversationID, text string, mentions []string) (*switchboard.ThreadEntry, error) {
	c, err := s.visibleConversation(ctx, a, conversationID)
	if err != nil {
		return nil, err
	}
	e := &switchboard.ThreadEntry{ConversationID: c.ID, Kind: switchboard.NoteEntry, AuthorID: a.User.ID,
		Text: text, Mentions: mentions, CreatedAt: s.now()}
	if err := e.Validate(); err != nil {
		return nil, err
	}
	for _, id := range e.Mentions {
		if err := s.mentionable(ctx, id, c.ChannelID); err != nil {
			return nil, err
		}
	}
	fresh := 0
	for _, id := range e.Mentions {
		if !slices.Contains(c.Mentioned, id) {
			fresh++
		}
	}
	actx, done := s.auditing(ctx, a, "conversation.note", "conversation", c.ID,
		map[string]string{"mentions": strconv.Itoa(len(e.Mentions))})
	if fresh > 0 {
		actx = s.staging(actx, c, switchboard.EventConversationUpdated)
	}
	conv, err := s.Store.AddThreadEntry(actx, e)
	if err != nil {
		return nil, err
	}
	done()
	s.nameEntries(ctx, e)
	s.publish(ctx, switchboard.EventThreadEntryCreated, conv, e)
	if fresh > 0 {
		// The newly mentioned see the conversation from now on: their
		// lists learn of it.
		s.publish(actx, switchboard.EventConversationUpdated, conv, conv)
	}
	return e, nil
}

// mentionable checks that userID may be mentioned on channelID: an active
// user whose role allows the channel.
func (s *Service) mentionable(ctx context.Context, userID, channelID string) error {
	invalid := switchboard.Errorf(switchboard.EInvalid, "This user cannot be mentioned: they must be active and allowed on this channel.")
	if !switchboard.ValidID(userID) {
		return invalid
	}
	u, err := s.Store.User(ctx, userID)
	if switchboard.ErrorCode(err) == switchboard.ENotFound {
		return invalid
	} else if err != nil {
		return err
	}
	if !u.Active {
		return invalid
	}
	r, err := s.Store.Role(ctx, u.RoleID)
	if err != nil {
		return err
	}
	if !r.AllowsChannel(channelID) {
		return invalid
	}
	return nil
}

// Mentionable lists the users a note in conversationID may mention, for
// the composer's `@` autocomplete: active users whose role allows the
// conversation's channel, matching q, except the actor.
// Anyone who sees the conversation may ask; the list carries names only.
func (s *Service) Mentionable(ctx context.Context, a *switchboard.Actor, conversationID, q string, limit int) ([]switchboard.UserRef, error) {
	c, err := s.visibleConversation(ctx, a, conversationID)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 50 {
		limit = 20
	}
	active := true
	roles := map[string]*switchboard.Role{}
	out := []switchboard.UserRef{}
	cursor := ""
	for len(out) < limit {
		users, next, err := s.Store.Users(ctx, switchboard.UserFilter{Active: &active, Query: q, Limit: 200, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			r, ok := roles[u.RoleID]
			if !ok {
				if r, err = s.Store.Role(ctx, u.RoleID); err != nil {
					return nil, err
				}
				roles[u.RoleID] = r
			}
			if u.ID == a.User.ID || !r.AllowsChannel(c.ChannelID) {
				continue
			}
			out = append(out, switchboard.UserRef{ID: u.ID, Name: u.Name})
			if len(out) == limit {
				break
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return out, nil
}

// DismissMention ends the actor's own mention in a conversation: it is
// off their list, and unless they are assigned or see every conversation
// they no longer see it. Audited as conversation.mention_dismiss.
func (s *Service) DismissMention(ctx context.Context, a *switchboard.Actor, conversationID string) error {
	c, err := s.visibleConversation(ctx, a, conversationID)
	if err != nil {
		return err
	}
	if !slices.Contains(c.Mentioned, a.User.ID) {
		return switchboard.NotFound("Mention")
	}
	actx, done := s.auditing(ctx, a, "conversation.mention_dismiss", "conversation", c.ID, nil)
	actx = s.staging(actx, c, switchboard.EventConversationUpdated)
	conv, changed, err := s.Store.DismissMention(actx, c.ID, a.User.ID)
	if err != nil {
		return err
	}
	if changed {
		done()
		s.publish(actx, switchboard.EventConversationUpdated, conv, conv, a.User.ID)
	}
	return nil
}

// MentionItem is one of a user's active mentions with its conversation.
type MentionItem struct {
	switchboard.Mention
	ByName       string                    `json:"by_name"`
	Conversation *switchboard.Conversation `json:"conversation"`
	// Snippet is the beginning of the note ([MaxMentionSnippet]
	// characters and an ellipsis).
	Snippet string `json:"snippet"`
}

// MaxMentionSnippet bounds the note text a mentions list shows.
const MaxMentionSnippet = 160

// Mentions lists the actor's active mentions, newest first, with the
// conversations they open (only those the actor may still see).
func (s *Service) Mentions(ctx context.Context, a *switchboard.Actor) ([]MentionItem, error) {
	ms, err := s.Store.Mentions(ctx, a.User.ID)
	if err != nil {
		return nil, err
	}
	out := []MentionItem{}
	for _, m := range ms {
		c, err := s.visibleConversation(ctx, a, m.ConversationID)
		if switchboard.ErrorCode(err) == switchboard.ENotFound {
			continue
		} else if err != nil {
			return nil, err
		}
		snippet, err := s.noteSnippet(ctx, m)
		if err != nil {
			return nil, err
		}
		out = append(out, MentionItem{Mention: *m, ByName: s.userName(ctx, m.By), Conversation: c, Snippet: snippet})
	}
	return out, nil
}

// noteSnippet returns the beginning of the note that made a mention; ""
// when the note is no longer there (retention).
func (s *Service) noteSnippet(ctx context.Context, m *switchboard.Mention) (string, error) {
	entries, err := s.Store.ThreadEntries(ctx, m.ConversationID, m.At, "")
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		if e.ID == m.NoteID {
			if r := []rune(e.Text); len(r) > MaxMentionSnippet {
				return string(r[:MaxMentionSnippet]) + "…", nil
			}
			return e.Text, nil
		}
	}
	return "", nil
}

// MarkMentionRead marks the actor's own mention in a conversation read:
// the web app calls it when they open the conversation, and the mentions
// list shows it as read until a newer note mentions them again. Not
// audited: like marking messages read, it discloses nothing.
func (s *Service) MarkMentionRead(ctx context.Context, a *switchboard.Actor, conversationID string) error {
	c, err := s.visibleConversation(ctx, a, conversationID)
	if err != nil {
		return err
	}
	if !slices.Contains(c.Mentioned, a.User.ID) {
		return switchboard.NotFound("Mention")
	}
	_, err = s.Store.MarkMentionRead(ctx, c.ID, a.User.ID, s.now())
	return err
}

// appendActivity adds an activity line to c's thread for what a did (a
// nil for the system) and tells everyone who sees the conversation. It is
// the one call other features use ("Ana added the label VIP"):
//
//	s.appendActivity(ctx, a, c, switchboard.Activity{Action: switchboard.ActivityLabelAdded, Value: name})
//
// The line is written after the change it records has committed; a line
// that cannot be written is logged, and the change stands (the audit log
// holds the authoritative record).
func (s *Service) appendActivity(ctx context.Context, a *switchboard.Actor, c *switchboard.Conversation, act switchboard.Activity) {
	by := ""
	if a != nil && a.User != nil {
		by = a.User.ID
	}
	s.appendActivityBy(ctx, by, c, act)
}

// appendActivityBy is [Service.appendActivity] for an author known by id
// ("" for the system).
func (s *Service) appendActivityBy(ctx context.Context, by string, c *switchboard.Conversation, act switchboard.Activity) {
	e := &switchboard.ThreadEntry{ConversationID: c.ID, Kind: switchboard.ActivityEntry, AuthorID: by, Activity: &act, CreatedAt: s.now()}
	conv, err := s.Store.AddThreadEntry(switchboard.WithoutAuditEntry(ctx), e)
	if err != nil {
		s.Logger.Warn("append activity line", "action", string(act.Action), "err", err)
		return
	}
	s.nameEntries(ctx, e)
	s.publish(ctx, switchboard.EventThreadEntryCreated, conv, e)
}

// nameEntries fills the display names of entries' authors and subjects.
func (s *Service) nameEntries(ctx context.Context, entries ...*switchboard.ThreadEntry) {
	for _, e := range entries {
		e.AuthorName = s.userName(ctx, e.AuthorID)
		if e.Activity != nil {
			e.Activity.SubjectName = s.userName(ctx, e.Activity.SubjectID)
		}
	}
}

// userName returns a user's display name through the senders cache; ""
// for none or an unknown user.
func (s *Service) userName(ctx context.Context, id string) string {
	if id == "" {
		return ""
	}
	if n, ok := s.senders.get(id); ok {
		return n.name
	}
	m := &switchboard.Message{SenderID: id}
	s.nameSenders(ctx, m)
	return m.SenderName
}
