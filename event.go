package switchboard

import (
	"context"
	"slices"
	"time"
)

// Event types streamed to clients over the real-time API.
const (
	EventMessageCreated         = "message.created"
	EventMessageUpdated         = "message.updated"
	EventConversationCreated    = "conversation.created"
	EventConversationUpdated    = "conversation.updated"
	EventConversationAssigned   = "conversation.assigned"
	EventConversationUnassigned = "conversation.unassigned"
	// EventConversationReminder: a conversation wants attention again;
	// Data is a [ConversationReminder]. It is for the users Data names
	// (the assignees, or the operators for an escalation); clients show
	// it as their notification settings allow.
	EventConversationReminder = "conversation.reminder"
	// EventContactUpdated tells the viewers of a contact's conversations
	// that its panel changed (a note, an attribute value); Data is an
	// inbox.ContactChange. Clients reload the panel. It is published on
	// every conversation of the contact, so each reaches exactly those who
	// may see that conversation; outgoing webhooks do not offer it.
	EventContactUpdated = "contact.updated"
	// EventThreadEntryCreated: a note or an activity line was added to a
	// conversation's thread; Data is a *[ThreadEntry]. Every user who may
	// see the conversation receives it; outgoing webhooks do not offer it
	// (notes are the team's own).
	EventThreadEntryCreated = "thread_entry.created"
	// EventConversationDeleted: the conversation no longer exists (its
	// contact was erased); Data is a [DeletedConversation].
	EventConversationDeleted = "conversation.deleted"
	// EventChannelNotice: an account alert, account update, capability or
	// number quality change for a channel; Data is a [ChannelNotice]. Only
	// users who manage the channel receive it.
	EventChannelNotice = "channel.notice"
	// EventComposerActivity: a user is typing a reply or a note in a
	// conversation; Data is a *[ComposerActivity]. Everyone who may see
	// the conversation receives it (the author's own tabs ignore it); a
	// client shows it until ExpiresAt unless a newer one refreshes it.
	// Nothing is stored.
	EventComposerActivity = "composer.activity"
	// EventResync tells a client that it missed events that can no longer be
	// replayed and must reload its state.
	EventResync = "resync"
)

// Reminder reasons of a [ConversationReminder].
const (
	ReminderWoke       = "woke"       // a snooze's time came
	ReminderUnanswered = "unanswered" // the customer waits longer than the channel's first threshold
	ReminderEscalated  = "escalated"  // … longer than the second threshold
)

// ConversationReminder is the data of [EventConversationReminder].
type ConversationReminder struct {
	Conversation *Conversation `json:"conversation"`
	Reason       string        `json:"reason"`
	// UserIDs are the users the reminder is for.
	UserIDs []string `json:"user_ids"`
}

// DeletedConversation is the data of [EventConversationDeleted].
type DeletedConversation struct {
	ID        string `json:"id"`
	ContactID string `json:"contact_id"`
	Reason    string `json:"reason"` // "erased"
}

// Event is a change that users may watch live. The hub decides per user,
// from ChannelID and Assignees, whether they may see it: the same rule as
// [CanSeeConversation].
type Event struct {
	ID             int64     `json:"id"`
	Type           string    `json:"type"`
	At             time.Time `json:"at"`
	ConversationID string    `json:"conversation_id,omitempty"`
	// Data is the object after the change: a *Conversation or a *Message,
	// or a DeletedConversation.
	Data any `json:"data,omitempty"`

	// ChannelID and Assignees are the conversation's channel and assignees
	// after the change; Also names users who must receive this event although
	// they can no longer see the conversation (an employee just unassigned).
	ChannelID string   `json:"-"`
	Assignees []string `json:"-"`
	// Mentioned are the users with an active mention in the conversation
	// after the change: they may read it too.
	Mentioned []string `json:"-"`
	Also      []string `json:"-"`
	// Permission, when set, limits the event to users whose role has it
	// and allows ChannelID (any role, when ChannelID is ""); it is for
	// events about a channel or a user, not a conversation.
	Permission Permission `json:"-"`
	// Logged says that the change's record is in the event log already
	// (see [EventLogStore]): outgoing webhooks take it from there.
	Logged bool `json:"-"`
}

// EventPublisher accepts events after the change they describe is committed.
// Implementations must not block: internal/realtime's Hub fans out in
// memory, and with a Relay across the instances sharing a [LiveEventLog].
// A NATS (JetStream) publisher for very large installations would sit
// behind the same interface; none is built.
type EventPublisher interface {
	Publish(ctx context.Context, e Event)
}

// CanSeeConversation is the one visibility rule for conversations: the
// actor's role must allow the channel, and the actor must either see all
// conversations, be assigned to this one, or have an active mention in it
// (mentioned: see [ThreadStore]). A mention grants reading only: acting on
// the conversation follows [CanWorkOnConversation].
func CanSeeConversation(a *Actor, channelID string, assignees, mentioned []string) bool {
	if CanWorkOnConversation(a, channelID, assignees) {
		return true
	}
	return a != nil && a.User != nil && a.User.Active && a.Role.AllowsChannel(channelID) &&
		slices.Contains(mentioned, a.User.ID)
}

// CanWorkOnConversation is the rule for acting on a conversation
// (replying, assigning, closing, …, each with its own permission too):
// the actor's role must allow the channel, and the actor must either see
// all conversations or be assigned to this one, in person or through a
// team they belong to ([TeamAssignee] among the assignees,
// [Actor.TeamIDs]). A mention is not enough.
func CanWorkOnConversation(a *Actor, channelID string, assignees []string) bool {
	if a == nil || a.User == nil || !a.User.Active || !a.Role.AllowsChannel(channelID) {
		return false
	}
	return a.Role.Has(PermConversationsReadAll) || a.assignedTo(assignees)
}

// CanSeeEvent reports whether the actor may receive e.
func CanSeeEvent(a *Actor, e *Event) bool {
	if a == nil || a.User == nil {
		return false
	}
	if slices.Contains(e.Also, a.User.ID) {
		return true
	}
	if e.Permission != "" {
		// An event about no channel (a user's availability) needs only
		// the permission.
		return a.User.Active && a.Role.Has(e.Permission) && (e.ChannelID == "" || a.Role.AllowsChannel(e.ChannelID))
	}
	return CanSeeConversation(a, e.ChannelID, e.Assignees, e.Mentioned)
}
