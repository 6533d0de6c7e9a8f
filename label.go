package switchboard

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Labels are the business's own tags for conversations ("billing",
// "VIP"): a name and a colour, managed by users with [PermLabelsManage],
// put on and taken off a conversation by anyone who may work on it
// ([CanWorkOnConversation]). A label is a business word, not customer
// data, so stores keep it in plain text; the activity line that records a
// change is sealed with the thread like every other.

// PermLabelsManage lets a role create, rename, recolour and delete labels.
const PermLabelsManage Permission = "labels.manage"

// Label is a tag that conversations may carry.
type Label struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Color is "#rrggbb" in lowercase hex.
	Color     string    `json:"color"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// LabelRef is a label as a conversation carries it.
type LabelRef struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Color string `json:"color"`
}

// Limits on labels.
const (
	MaxLabelName          = 40  // characters
	MaxLabels             = 200 // labels of an installation
	MaxConversationLabels = 20  // labels on one conversation
)

// Errors of labels, the same on every store.
var (
	ErrLabelName          = &Error{Code: EInvalid, Message: "A label name needs 1 to 40 characters on one line."}
	ErrLabelColor         = &Error{Code: EInvalid, Message: "A label colour is written as #rrggbb, e.g. #1f883d."}
	ErrLabelDuplicate     = &Error{Code: EConflict, Message: "Another label already has this name."}
	ErrTooManyLabels      = &Error{Code: EInvalid, Message: "There may be at most 200 labels."}
	ErrConversationLabels = &Error{Code: EInvalid, Message: "A conversation may carry at most 20 labels."}
)

// Validate checks a label before it is stored and normalises it: the name
// trimmed, the colour in lowercase.
func (l *Label) Validate() error {
	l.Name = strings.TrimSpace(l.Name)
	if n := utf8.RuneCountInString(l.Name); n == 0 || n > MaxLabelName || !utf8.ValidString(l.Name) {
		return ErrLabelName
	}
	for _, c := range l.Name {
		if unicode.IsControl(c) {
			return ErrLabelName
		}
	}
	l.Color = strings.ToLower(strings.TrimSpace(l.Color))
	if !ValidColor(l.Color) {
		return ErrLabelColor
	}
	return nil
}

// ValidColor reports whether s is "#rrggbb" in lowercase hex.
func ValidColor(s string) bool {
	if len(s) != 7 || s[0] != '#' {
		return false
	}
	for i := 1; i < 7; i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// PrepareNew validates a new label and sets what every store sets: a new
// id when it has none, the creation time now when unset (UTC, to the
// microsecond), the update time equal to it.
func (l *Label) PrepareNew(now time.Time) error {
	if err := l.Validate(); err != nil {
		return err
	}
	if l.ID == "" {
		l.ID = NewID()
	}
	if l.CreatedAt.IsZero() {
		l.CreatedAt = now
	}
	l.CreatedAt = l.CreatedAt.UTC().Truncate(time.Microsecond)
	l.UpdatedAt = l.CreatedAt
	return nil
}

// Ref returns the label as a conversation carries it.
func (l *Label) Ref() LabelRef { return LabelRef{ID: l.ID, Name: l.Name, Color: l.Color} }

// LabelStore persists labels and which conversations carry them.
type LabelStore interface {
	// Labels lists every label by name.
	Labels(ctx context.Context) ([]*Label, error)
	// Label returns one label; ENotFound if unknown.
	Label(ctx context.Context, id string) (*Label, error)
	// CreateLabel stores l after [Label.PrepareNew]: ErrLabelDuplicate
	// for a name another label has (compared folded), ErrTooManyLabels
	// beyond MaxLabels.
	CreateLabel(ctx context.Context, l *Label) error
	// UpdateLabel changes a label's name and colour (and sets UpdatedAt);
	// ENotFound, ErrLabelDuplicate.
	UpdateLabel(ctx context.Context, l *Label) error
	// DeleteLabel removes a label from every conversation and deletes it.
	DeleteLabel(ctx context.Context, id string) error
	// SetConversationLabel puts the label on the conversation (on) or
	// takes it off, and reports whether anything changed;
	// ErrConversationLabels beyond MaxConversationLabels, ENotFound for an
	// unknown conversation or label. It returns the conversation after the
	// change (no viewer).
	SetConversationLabel(ctx context.Context, conversationID, labelID string, on bool, at time.Time) (*Conversation, bool, error)
}

// ConversationSort is the order of a conversation list.
type ConversationSort string

// The list orders.
const (
	// SortNewest: newest activity first (updated_at, then id, descending).
	SortNewest ConversationSort = "newest"
	// SortWaiting: the longest-waiting customer first: by the time of the
	// oldest customer message that no business message has answered yet,
	// oldest first, then id; conversations nobody waits in come last.
	SortWaiting ConversationSort = "waiting"
)

// ErrInvalidSort is the error of an unknown list order.
var ErrInvalidSort = &Error{Code: EInvalid, Message: "sort must be newest or waiting."}

// MaxScanTally bounds the conversations a store reads one by one for the
// counts of a filter the counters cannot answer (a label, unread, a
// particular assignee): beyond it the counts say Capped.
const MaxScanTally = 2000

// NarrowChannel applies f.ChannelID to the channel scope: the list keeps
// the one channel when the scope allows it and matches nothing when not.
// The service calls it after setting the scope, so the stores see only
// ChannelIDs and still count from the per-channel counters.
func (f *ConversationFilter) NarrowChannel() {
	if f.ChannelID == "" {
		return
	}
	if f.ChannelIDs == nil {
		f.ChannelIDs = []string{f.ChannelID}
	} else {
		keep := []string{}
		for _, id := range f.ChannelIDs {
			if id == f.ChannelID {
				keep = append(keep, id)
			}
		}
		f.ChannelIDs = keep
	}
	f.ChannelID = ""
}

// Scanned reports whether f's counts need the conversations read one by
// one: a label, unread or a particular assignee narrow the set below what
// the per-channel counters know.
func (f *ConversationFilter) Scanned() bool {
	return f.LabelID != "" || f.Unread || f.AssigneeID != ""
}

// SavedView is a user's named list filter, shown in the sidebar.
type SavedView struct {
	ID        string     `json:"id"`
	UserID    string     `json:"user_id"`
	Name      string     `json:"name"`
	Filter    ViewFilter `json:"filter"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// ViewFilter is the part of a [ConversationFilter] a view saves: never
// the search text, which may name a customer (views are not sealed).
type ViewFilter struct {
	Status     ConversationStatus `json:"status,omitempty"`
	Assignment string             `json:"assignment,omitempty"`
	AssigneeID string             `json:"assignee_id,omitempty"`
	LabelID    string             `json:"label_id,omitempty"`
	ChannelID  string             `json:"channel_id,omitempty"`
	Unread     bool               `json:"unread,omitempty"`
	Sort       ConversationSort   `json:"sort,omitempty"`
}

// Apply copies the view's filter onto f.
func (v ViewFilter) Apply(f *ConversationFilter) {
	f.Status, f.Assignment, f.AssigneeID = v.Status, v.Assignment, v.AssigneeID
	f.LabelID, f.ChannelID, f.Unread, f.Sort = v.LabelID, v.ChannelID, v.Unread, v.Sort
}

// Limits on saved views.
const (
	MaxViewName  = 50 // characters
	MaxUserViews = 50 // views of one user
)

// Errors of saved views, the same on every store.
var (
	ErrViewName      = &Error{Code: EInvalid, Message: "A view name needs 1 to 50 characters on one line."}
	ErrTooManyViews  = &Error{Code: EInvalid, Message: "A user may save at most 50 views."}
	ErrViewDuplicate = &Error{Code: EConflict, Message: "You already have a view with this name."}
)

// Validate checks a view before it is stored: its name trimmed and
// bounded, its filter's values from their lists (ids are checked by the
// service, which knows what the user may see).
func (v *SavedView) Validate() error {
	v.Name = strings.TrimSpace(v.Name)
	if n := utf8.RuneCountInString(v.Name); n == 0 || n > MaxViewName || !utf8.ValidString(v.Name) ||
		strings.ContainsFunc(v.Name, unicode.IsControl) {
		return ErrViewName
	}
	var f ConversationFilter
	v.Filter.Apply(&f)
	f.ViewerID = v.UserID
	return f.Validate()
}

// PrepareNew validates a new view and sets what every store sets: a new
// id when it has none, the creation time now when unset (UTC, to the
// microsecond), the update time equal to it.
func (v *SavedView) PrepareNew(now time.Time) error {
	if err := v.Validate(); err != nil {
		return err
	}
	if v.ID == "" {
		v.ID = NewID()
	}
	if v.CreatedAt.IsZero() {
		v.CreatedAt = now
	}
	v.CreatedAt = v.CreatedAt.UTC().Truncate(time.Microsecond)
	v.UpdatedAt = v.CreatedAt
	return nil
}

// FilterJSON is the stored form of the view's filter.
func (v *SavedView) FilterJSON() string {
	b, _ := json.Marshal(v.Filter)
	return string(b)
}

// SavedViewStore persists saved views.
type SavedViewStore interface {
	// SavedViews lists userID's views by name.
	SavedViews(ctx context.Context, userID string) ([]*SavedView, error)
	// SavedView returns one view; ENotFound if unknown.
	SavedView(ctx context.Context, id string) (*SavedView, error)
	// CreateSavedView stores v (validated, ID and times set):
	// ErrViewDuplicate for a name the user has (folded), ErrTooManyViews
	// beyond MaxUserViews.
	CreateSavedView(ctx context.Context, v *SavedView) error
	// UpdateSavedView changes a view's name and filter (and UpdatedAt).
	UpdateSavedView(ctx context.Context, v *SavedView) error
	// DeleteSavedView deletes a view.
	DeleteSavedView(ctx context.Context, id string) error
}

// ReportLabelCount is one label's line in the conversations report: the
// conversations opened in the range that carry the label (now), and how
// many of those are open now. Labels are read as they are at the time of
// the report, not as they were in the range.
type ReportLabelCount struct {
	LabelID string `json:"label_id"`
	Name    string `json:"name"`
	Color   string `json:"color"`
	Opened  int    `json:"opened"`
	OpenNow int    `json:"open_now"`
}

// LabelReportStore reads the conversations report's breakdown by label.
type LabelReportStore interface {
	// ReportLabels counts, per label, the conversations created within s
	// (From inclusive, To exclusive, s.ChannelIDs when not nil) that
	// carry it, by label name; labels without one are left out.
	ReportLabels(ctx context.Context, s ReportScope) ([]ReportLabelCount, error)
}
