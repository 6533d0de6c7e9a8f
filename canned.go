package switchboard

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Canned replies are saved answers that the composer inserts with `/`
// (docs/canned-replies.md). A shared reply belongs to the business and is
// managed by users with [PermCannedRepliesManage]; a personal reply
// belongs to one user, who alone sees and edits it. A reply's text may
// carry variables ([CannedVariables]), filled in by [RenderCanned] when
// the reply is inserted into a conversation.
//
// Canned replies are business texts written by the team, not customer
// data, so stores keep them in plain text (searchable by shortcut and
// title); docs/security.md says why.

// PermCannedRepliesManage lets a role create, edit and delete the shared
// canned replies. Everyone may use them, and everyone manages their own
// personal ones.
const PermCannedRepliesManage Permission = "canned_replies.manage"

// CannedScope says whose a canned reply is.
type CannedScope string

// The canned reply scopes.
const (
	CannedShared   CannedScope = "shared"
	CannedPersonal CannedScope = "personal"
)

// CannedReply is a saved answer.
type CannedReply struct {
	ID    string      `json:"id"`
	Scope CannedScope `json:"scope"`
	// OwnerID is the user a personal reply belongs to; "" for a shared
	// one.
	OwnerID string `json:"owner_id,omitempty"`
	// Shortcut is what the user types after `/`; unique per scope (per
	// owner for personal ones), compared folded: "Grüße" and "GRUSSE"
	// are the same shortcut.
	Shortcut string `json:"shortcut"`
	// Title is an optional longer name shown in the menu.
	Title string `json:"title"`
	// Text is the reply with its variables, e.g. "Hello {{customer.name}}".
	Text      string    `json:"text"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Limits on a canned reply.
const (
	MaxCannedShortcut = 32   // characters
	MaxCannedTitle    = 100  // characters
	MaxCannedText     = 4096 // characters, WhatsApp's limit for a text message
)

// Errors of canned replies, the same on every store.
var (
	ErrCannedShortcut = &Error{Code: EInvalid,
		Message: "A shortcut needs 1 to 32 letters, digits, '-', '_' or '.', without spaces."}
	ErrCannedTitle     = &Error{Code: EInvalid, Message: "A title may have at most 100 characters."}
	ErrCannedEmpty     = &Error{Code: EInvalid, Message: "A canned reply needs text."}
	ErrCannedTooLong   = &Error{Code: EInvalid, Message: "A canned reply may have at most 4096 characters."}
	ErrCannedScope     = &Error{Code: EInvalid, Message: "A canned reply is shared or personal."}
	ErrCannedDuplicate = &Error{Code: EConflict, Message: "Another canned reply already uses this shortcut."}
)

// The variables a canned reply may use.
const (
	VarCustomerName = "customer.name"
	VarAgentName    = "agent.name"
	VarBusinessName = "business.name"
)

// CannedVariables lists the variables in a stable order.
func CannedVariables() []string { return []string{VarCustomerName, VarAgentName, VarBusinessName} }

// CannedVars are the values of the variables for one insertion. A missing
// value renders as the empty string.
type CannedVars struct {
	CustomerName string // the contact's WhatsApp profile name
	AgentName    string // the user who inserts the reply
	BusinessName string // the conversation's channel name
}

func (v CannedVars) value(name string) string {
	switch name {
	case VarCustomerName:
		return v.CustomerName
	case VarAgentName:
		return v.AgentName
	case VarBusinessName:
		return v.BusinessName
	}
	return ""
}

// PrepareNew validates a new reply and sets what every store sets before
// storing it: a new id when it has none, the creation time now when unset
// (UTC, to the microsecond both stores keep), and the update time equal to
// it.
func (r *CannedReply) PrepareNew(now time.Time) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if r.ID == "" {
		r.ID = NewID()
	}
	if r.CreatedAt.IsZero() {
		r.CreatedAt = now
	}
	r.CreatedAt = r.CreatedAt.UTC().Truncate(time.Microsecond)
	r.UpdatedAt = r.CreatedAt
	return nil
}

// Validate checks a reply before it is stored and normalises it:
// shortcut, title and text trimmed, a leading `/` dropped from the
// shortcut, every variable known.
func (r *CannedReply) Validate() error {
	switch r.Scope {
	case CannedShared:
		r.OwnerID = ""
	case CannedPersonal:
		if r.OwnerID == "" {
			return ErrCannedScope
		}
	default:
		return ErrCannedScope
	}
	r.Shortcut = strings.TrimPrefix(strings.TrimSpace(r.Shortcut), "/")
	if n := utf8.RuneCountInString(r.Shortcut); n == 0 || n > MaxCannedShortcut || !utf8.ValidString(r.Shortcut) {
		return ErrCannedShortcut
	}
	for _, c := range r.Shortcut {
		if !unicode.IsLetter(c) && !unicode.IsDigit(c) && !unicode.IsMark(c) && c != '-' && c != '_' && c != '.' {
			return ErrCannedShortcut
		}
	}
	r.Title = strings.TrimSpace(r.Title)
	if utf8.RuneCountInString(r.Title) > MaxCannedTitle || !utf8.ValidString(r.Title) {
		return ErrCannedTitle
	}
	r.Text = strings.TrimSpace(r.Text)
	if r.Text == "" {
		return ErrCannedEmpty
	}
	if utf8.RuneCountInString(r.Text) > MaxCannedText || !utf8.ValidString(r.Text) {
		return ErrCannedTooLong
	}
	return CheckCannedText(r.Text)
}

// CheckCannedText reports the first unknown or unclosed variable in text,
// as an EInvalid error that names it.
func CheckCannedText(text string) error {
	_, err := expandCanned(text, CannedVars{})
	return err
}

// RenderCanned fills text's variables with v; a missing value becomes the
// empty string. text must have passed [CheckCannedText]; an unknown
// variable left in it (the catalogue shrank) renders as empty too.
func RenderCanned(text string, v CannedVars) string {
	out, _ := expandCanned(text, v)
	return out
}

// expandCanned replaces each `{{ name }}` in text. It always returns the
// whole expansion (unknown variables as ""), and the first problem found.
func expandCanned(text string, v CannedVars) (string, error) {
	var b strings.Builder
	var first error
	for {
		i := strings.Index(text, "{{")
		if i < 0 {
			b.WriteString(text)
			return b.String(), first
		}
		b.WriteString(text[:i])
		rest := text[i+2:]
		j := strings.Index(rest, "}}")
		if j < 0 {
			if first == nil {
				first = Errorf(EInvalid, "A variable is not closed: write it as {{customer.name}}, {{agent.name}} or {{business.name}}.")
			}
			b.WriteString(text[i:])
			return b.String(), first
		}
		name := strings.TrimSpace(rest[:j])
		known := false
		for _, k := range CannedVariables() {
			if name == k {
				known = true
			}
		}
		if !known && first == nil {
			if utf8.RuneCountInString(name) > 40 {
				name = string([]rune(name)[:40]) + "…"
			}
			first = Errorf(EInvalid, "Unknown variable {{%s}}: use {{customer.name}}, {{agent.name}} or {{business.name}}.", name)
		}
		b.WriteString(v.value(name))
		text = rest[j+2:]
	}
}

// CannedFilter selects canned replies.
type CannedFilter struct {
	// UserID selects the shared replies and UserID's personal ones; ""
	// selects the shared ones only.
	UserID string
	// Scope, when set, keeps only that scope.
	Scope CannedScope
	// Query keeps the replies whose shortcut or title contains it, folded
	// (case and accents ignored).
	Query string
	// Limit defaults to 50 and is clamped to 200.
	Limit int
}

// CannedReplyStore persists canned replies. Lists are ordered by folded
// shortcut, shared before personal for equal shortcuts.
type CannedReplyStore interface {
	// CreateCannedReply stores r after [CannedReply.Validate] (ID and
	// times set by the store when empty); ErrCannedDuplicate when its
	// scope already has the folded shortcut.
	CreateCannedReply(ctx context.Context, r *CannedReply) error
	// UpdateCannedReply replaces shortcut, title and text of the stored
	// reply r.ID (scope and owner never change); ENotFound, or
	// ErrCannedDuplicate.
	UpdateCannedReply(ctx context.Context, r *CannedReply) error
	// DeleteCannedReply removes a reply; ENotFound for an unknown id.
	DeleteCannedReply(ctx context.Context, id string) error
	// CannedReply returns one reply; ENotFound for an unknown id.
	CannedReply(ctx context.Context, id string) (*CannedReply, error)
	// CannedReplies lists the replies f selects.
	CannedReplies(ctx context.Context, f CannedFilter) ([]*CannedReply, error)
}
