package switchboard

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// The thread of a conversation shows, in time order, its WhatsApp messages
// and the entries of its team: private notes ([NoteEntry]), which never
// leave Switchboard, and activity lines ([ActivityEntry]) such as "Ana
// assigned Ben". Entries are stored apart from messages, sealed under the
// conversation's data key, and handed out beside each page of messages.
//
// A note may mention users (`@name`). A mentioned user may read the
// conversation while the mention is active, even if they are not assigned,
// as long as their role allows the conversation's channel ([CanSeeConversation]).
// A mention is active from the note until the mentioned user dismisses it,
// or until the conversation is closed (resolved); a new mention in a later
// note makes it active again.

// EntryKind is what a thread entry is.
type EntryKind string

// The entry kinds.
const (
	NoteEntry     EntryKind = "note"
	ActivityEntry EntryKind = "activity"
)

// ActivityAction is what an activity line records. Other features append
// their own actions (labels, pending, snoozed) through the service's
// activity call; clients show an unknown action as a generic line.
type ActivityAction string

// The activity actions.
const (
	// ActivityAssigned: AuthorID assigned SubjectID.
	ActivityAssigned ActivityAction = "assigned"
	// ActivityUnassigned: AuthorID removed SubjectID.
	ActivityUnassigned ActivityAction = "unassigned"
	// ActivityStatus: AuthorID ("" for the system, when a snooze's time
	// came) set the status to Value (one of [ConversationStatuses]; old
	// lines may say "closed"); Detail is a snooze's time (RFC 3339), if any.
	ActivityStatus ActivityAction = "status"
	// ActivityHandoff: the conversation went to Value (bot or human),
	// Detail is the hand-off's reason.
	ActivityHandoff ActivityAction = "handoff"
	// ActivityLabelAdded and ActivityLabelRemoved: Value is the label's
	// name.
	ActivityLabelAdded   ActivityAction = "label_added"
	ActivityLabelRemoved ActivityAction = "label_removed"
)

// Activity is the content of an activity line. Names and values are
// sealed with the entry, so a line may carry a label name or a reason.
type Activity struct {
	Action    ActivityAction `json:"action"`
	SubjectID string         `json:"subject_id,omitempty"` // the user acted on, e.g. the assignee
	Value     string         `json:"value,omitempty"`
	Detail    string         `json:"detail,omitempty"`
	// SubjectName is the subject's display name, filled by the service
	// when it hands entries out; not stored.
	SubjectName string `json:"subject_name,omitempty"`
}

// ThreadEntry is a note or an activity line in a conversation's thread.
type ThreadEntry struct {
	ID             string    `json:"id"`
	ConversationID string    `json:"conversation_id"`
	Kind           EntryKind `json:"kind"`
	// AuthorID is the user who wrote the note or acted; "" for the
	// system. AuthorName is filled by the service; not stored.
	AuthorID   string `json:"author_id"`
	AuthorName string `json:"author_name,omitempty"`
	// Text is a note's text; Mentions the ids of the users it mentions.
	Text     string    `json:"text,omitempty"`
	Mentions []string  `json:"mentions,omitempty"`
	Activity *Activity `json:"activity,omitempty"`
	// CreatedAt orders entries among the messages (by their Timestamp).
	CreatedAt time.Time `json:"created_at"`
}

// Limits on a note.
const (
	MaxNoteText     = 4096 // characters
	MaxNoteMentions = 20
)

// Errors of thread entries, the same on every store.
var (
	ErrNoteEmpty        = &Error{Code: EInvalid, Message: "A note needs text."}
	ErrNoteTooLong      = &Error{Code: EInvalid, Message: "A note may have at most 4096 characters."}
	ErrNoteMentions     = &Error{Code: EInvalid, Message: "A note may mention at most 20 people."}
	ErrEntryKind        = &Error{Code: EInvalid, Message: "A thread entry is a note or an activity line."}
	ErrActivityNoAction = &Error{Code: EInvalid, Message: "An activity line needs an action."}
)

// Validate checks an entry before it is stored and normalises it: a note's
// text trimmed and bounded, its mentions without repeats; an activity line
// with an action and no note fields.
func (e *ThreadEntry) Validate() error {
	switch e.Kind {
	case NoteEntry:
		e.Text = strings.TrimSpace(e.Text)
		if e.Text == "" {
			return ErrNoteEmpty
		}
		if utf8.RuneCountInString(e.Text) > MaxNoteText {
			return ErrNoteTooLong
		}
		e.Activity = nil
		var ms []string
		for _, id := range e.Mentions {
			if id != "" && !slices.Contains(ms, id) {
				ms = append(ms, id)
			}
		}
		if len(ms) > MaxNoteMentions {
			return ErrNoteMentions
		}
		e.Mentions = ms
	case ActivityEntry:
		if e.Activity == nil || e.Activity.Action == "" {
			return ErrActivityNoAction
		}
		e.Text, e.Mentions = "", nil
		e.Activity.SubjectName = ""
	default:
		return ErrEntryKind
	}
	e.AuthorName = ""
	return nil
}

// Prepare validates e and sets what every store sets before storing it: the
// creation time now when unset, in UTC at the microsecond both stores keep,
// and a new time-ordered id when it has none.
func (e *ThreadEntry) Prepare(now time.Time) error {
	if err := e.Validate(); err != nil {
		return err
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = now
	}
	e.CreatedAt = e.CreatedAt.UTC().Truncate(time.Microsecond)
	if e.ID == "" {
		e.ID = NewMessageID(e.CreatedAt)
	}
	return nil
}

// EntrySealed is the part of an entry that stores seal: the note's text and
// mentions, or the activity.
type EntrySealed struct {
	Text     string    `json:"text,omitempty"`
	Mentions []string  `json:"mentions,omitempty"`
	Activity *Activity `json:"activity,omitempty"`
}

// Sealed returns the part of e that is sealed at rest.
func (e *ThreadEntry) Sealed() EntrySealed {
	return EntrySealed{Text: e.Text, Mentions: e.Mentions, Activity: e.Activity}
}

// SetSealed fills e from its opened sealed part.
func (e *ThreadEntry) SetSealed(s EntrySealed) {
	e.Text, e.Mentions, e.Activity = s.Text, s.Mentions, s.Activity
}

// Mention is an active mention of a user in a conversation: the note that
// made it, who wrote it and when.
type Mention struct {
	ConversationID string    `json:"conversation_id"`
	UserID         string    `json:"user_id"`
	NoteID         string    `json:"note_id"`
	By             string    `json:"by"`
	At             time.Time `json:"at"`
	// ReadAt is when the user read the mention (opened the conversation
	// since); nil while unread. A newer note mentioning them again makes
	// it unread.
	ReadAt *time.Time `json:"read_at,omitempty"`
}

// MaxThreadEntries bounds the entries returned beside one page of messages.
const MaxThreadEntries = 500

// ThreadStore persists notes, activity lines and mentions.
type ThreadStore interface {
	// AddThreadEntry stores e (ID and CreatedAt set by the caller, else
	// by the store) after [ThreadEntry.Validate]; for a note it also makes
	// each of its mentions active (one row per conversation and user, the
	// newest note wins). It returns the conversation after the change (no
	// viewer), with Mentioned filled; ENotFound for an unknown
	// conversation.
	AddThreadEntry(ctx context.Context, e *ThreadEntry) (*Conversation, error)
	// ThreadEntries returns a conversation's entries in time order
	// (created_at, id) from from (inclusive; zero for the beginning) to
	// before, a message page cursor (exclusive; "" for now), at most
	// MaxThreadEntries, the newest ones kept when there are more.
	ThreadEntries(ctx context.Context, conversationID string, from time.Time, before string) ([]*ThreadEntry, error)
	// DismissMention ends userID's active mention in the conversation and
	// reports whether there was one; it returns the conversation after the
	// change (no viewer).
	DismissMention(ctx context.Context, conversationID, userID string) (*Conversation, bool, error)
	// Mentions lists userID's active mentions, newest first.
	Mentions(ctx context.Context, userID string) ([]*Mention, error)
	// MarkMentionRead marks userID's active mention in the conversation
	// read at at, and reports whether it was unread.
	MarkMentionRead(ctx context.Context, conversationID, userID string, at time.Time) (bool, error)
}
