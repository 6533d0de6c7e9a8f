package switchboard

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The contact panel beside a conversation shows who the customer is: their
// name, phone or username, their other conversations, the team's notes
// about them ([ContactNote]) and custom attributes ([AttributeDef] and
// their values). Notes and attribute values are customer data: stores seal
// them under the contact's data key, so erasing the contact destroys them
// with the rest (docs/contacts.md).

// The permissions of the contact panel.
const (
	// PermContactsEdit lets a role set the custom attribute values of the
	// contacts whose conversations it can work on. Built in, the
	// administrator and the chat operator have it; the employee does not
	// (a custom role may grant it: its users then edit the contacts of
	// their assigned conversations).
	PermContactsEdit Permission = "contacts.edit"
	// PermContactAttributesManage lets a role define, rename and delete
	// the custom attributes every contact may have. Built in, only the
	// administrator has it.
	PermContactAttributesManage Permission = "contact_attributes.manage"
)

// AttributeType is the type of a custom attribute's values.
type AttributeType string

// The attribute types.
const (
	AttributeText   AttributeType = "text"
	AttributeNumber AttributeType = "number"
	AttributeDate   AttributeType = "date" // YYYY-MM-DD
	AttributeList   AttributeType = "list" // one of the definition's options
)

// Limits on custom attributes and contact notes.
const (
	MaxAttributeDefs     = 50
	MaxAttributeName     = 64   // characters
	MaxAttributeOptions  = 50   // options of a list attribute
	MaxAttributeOption   = 64   // characters of one option
	MaxAttributeText     = 1024 // characters of a text value
	MaxContactNoteText   = 4096 // characters
	MaxContactNotes      = 200  // notes returned for one contact, newest first
	MaxContactPanelConvs = 50   // conversations the panel lists
)

// AttributeDef is a custom attribute an administrator defined: its name,
// type and, for a list, its options. Its type never changes once created,
// so stored values always match it; removing an option leaves the values
// that hold it until they are edited.
type AttributeDef struct {
	ID        string        `json:"id"`
	Name      string        `json:"name"`
	Type      AttributeType `json:"type"`
	Options   []string      `json:"options"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
}

// Errors of custom attributes and contact notes, the same on every store.
var (
	ErrAttributeName      = &Error{Code: EInvalid, Message: "An attribute needs a name of at most 64 characters."}
	ErrAttributeType      = &Error{Code: EInvalid, Message: "An attribute's type is text, number, date or list."}
	ErrAttributeOptions   = &Error{Code: EInvalid, Message: "A list attribute needs 1 to 50 different options of at most 64 characters each."}
	ErrAttributeNoOptions = &Error{Code: EInvalid, Message: "Only a list attribute has options."}
	ErrAttributeDuplicate = &Error{Code: EConflict, Message: "An attribute with this name already exists."}
	ErrAttributeTooMany   = &Error{Code: EInvalid, Message: "There may be at most 50 attributes."}
	ErrAttributeTypeFixed = &Error{Code: EInvalid, Message: "An attribute's type cannot be changed; create a new attribute instead."}
	ErrContactNoteEmpty   = &Error{Code: EInvalid, Message: "A note needs text."}
	ErrContactNoteTooLong = &Error{Code: EInvalid, Message: "A note may have at most 4096 characters."}
)

// AttributeNameKey is the form in which attribute names are unique: folded
// to lower case, without surrounding spaces.
func AttributeNameKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// Validate checks a definition before it is stored and normalises it: the
// name and options trimmed, options only for a list, never nil.
func (d *AttributeDef) Validate() error {
	d.Name = strings.TrimSpace(d.Name)
	if d.Name == "" || utf8.RuneCountInString(d.Name) > MaxAttributeName {
		return ErrAttributeName
	}
	switch d.Type {
	case AttributeText, AttributeNumber, AttributeDate:
		if len(d.Options) > 0 {
			return ErrAttributeNoOptions
		}
		d.Options = []string{}
	case AttributeList:
		if len(d.Options) == 0 || len(d.Options) > MaxAttributeOptions {
			return ErrAttributeOptions
		}
		opts := make([]string, 0, len(d.Options))
		for _, o := range d.Options {
			o = strings.TrimSpace(o)
			if o == "" || utf8.RuneCountInString(o) > MaxAttributeOption || slices.Contains(opts, o) {
				return ErrAttributeOptions
			}
			opts = append(opts, o)
		}
		d.Options = opts
	default:
		return ErrAttributeType
	}
	return nil
}

// PrepareNew validates a new definition and sets what every store sets: a
// new id and both times now, in UTC at the microsecond both stores keep.
func (d *AttributeDef) PrepareNew(now time.Time) error {
	if err := d.Validate(); err != nil {
		return err
	}
	now = now.UTC().Truncate(time.Microsecond)
	if d.ID == "" {
		d.ID = NewID()
	}
	d.CreatedAt, d.UpdatedAt = now, now
	return nil
}

// Apply replaces old's name and options with d's, refusing a new type.
func (d *AttributeDef) Apply(old *AttributeDef, now time.Time) (*AttributeDef, error) {
	if d.Type != "" && d.Type != old.Type {
		return nil, ErrAttributeTypeFixed
	}
	n := *old
	n.Name, n.Options = d.Name, d.Options
	if err := n.Validate(); err != nil {
		return nil, err
	}
	n.UpdatedAt = now.UTC().Truncate(time.Microsecond)
	return &n, nil
}

// ValidateValue checks a value for the attribute and returns its stored
// form; "" (after trimming) means no value. The errors name the attribute
// so a form can show them beside the field.
func (d *AttributeDef) ValidateValue(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	switch d.Type {
	case AttributeText:
		if utf8.RuneCountInString(v) > MaxAttributeText {
			return "", Errorf(EInvalid, "%s: a text may have at most %d characters.", d.Name, MaxAttributeText)
		}
	case AttributeNumber:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return "", Errorf(EInvalid, "%s: %q is not a number (write e.g. 42 or 3.5).", d.Name, truncateRunes(v, 32))
		}
		v = strconv.FormatFloat(f, 'f', -1, 64)
	case AttributeDate:
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			return "", Errorf(EInvalid, "%s: a date is written YYYY-MM-DD, e.g. 2026-03-31.", d.Name)
		}
	case AttributeList:
		if !slices.Contains(d.Options, v) {
			return "", Errorf(EInvalid, "%s: choose one of the options.", d.Name)
		}
	default:
		return "", ErrAttributeType
	}
	return v, nil
}

// AttributeValue is a contact's value of one custom attribute, sealed at
// rest under the contact's data key; who set it and when.
type AttributeValue struct {
	AttributeID string    `json:"attribute_id"`
	Value       string    `json:"value"`
	UpdatedBy   string    `json:"updated_by"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// ContactNote is a note of the team about a contact (not about one
// conversation, see [ThreadEntry]): it stays with the contact across their
// conversations. Its text is sealed under the contact's data key.
type ContactNote struct {
	ID        string `json:"id"`
	ContactID string `json:"contact_id"`
	AuthorID  string `json:"author_id"`
	// AuthorName is filled by the service; not stored.
	AuthorName string    `json:"author_name,omitempty"`
	Text       string    `json:"text"`
	CreatedAt  time.Time `json:"created_at"`
}

// Prepare validates a note before it is stored and sets what every store
// sets: the text trimmed and bounded, the time (now when unset) in UTC at
// the microsecond, a new time-ordered id when it has none.
func (n *ContactNote) Prepare(now time.Time) error {
	n.Text = strings.TrimSpace(n.Text)
	if n.Text == "" {
		return ErrContactNoteEmpty
	}
	if utf8.RuneCountInString(n.Text) > MaxContactNoteText {
		return ErrContactNoteTooLong
	}
	if n.CreatedAt.IsZero() {
		n.CreatedAt = now
	}
	n.CreatedAt = n.CreatedAt.UTC().Truncate(time.Microsecond)
	if n.ID == "" {
		n.ID = NewMessageID(n.CreatedAt)
	}
	n.AuthorName = ""
	return nil
}

// ContactPanelStore persists custom attributes, their values and contact
// notes.
type ContactPanelStore interface {
	// AttributeDefs lists the definitions by name.
	AttributeDefs(ctx context.Context) ([]*AttributeDef, error)
	// CreateAttributeDef stores d after [AttributeDef.PrepareNew];
	// ErrAttributeDuplicate for a name taken (case-insensitively),
	// ErrAttributeTooMany beyond MaxAttributeDefs.
	CreateAttributeDef(ctx context.Context, d *AttributeDef) error
	// UpdateAttributeDef applies d's name and options to the stored
	// definition d.ID ([AttributeDef.Apply]) and returns it; ENotFound.
	UpdateAttributeDef(ctx context.Context, d *AttributeDef) (*AttributeDef, error)
	// DeleteAttributeDef deletes a definition and every value of it;
	// ENotFound.
	DeleteAttributeDef(ctx context.Context, id string) error
	// ContactAttributes returns a contact's values, by attribute id.
	ContactAttributes(ctx context.Context, contactID string) ([]*AttributeValue, error)
	// SetContactAttributes sets the given values of a contact in one
	// transaction (a value "" removes it), each sealed under the
	// contact's key; ENotFound for an unknown contact, EInvalid for an
	// unknown attribute. Values are checked by the caller
	// ([AttributeDef.ValidateValue]).
	SetContactAttributes(ctx context.Context, contactID string, values []AttributeValue) error
	// AddContactNote stores a note after [ContactNote.Prepare]; ENotFound
	// for an unknown contact.
	AddContactNote(ctx context.Context, n *ContactNote) error
	// ContactNotes returns a contact's notes, newest first, at most
	// MaxContactNotes.
	ContactNotes(ctx context.Context, contactID string) ([]*ContactNote, error)
	// DeleteContactNote deletes a note of the contact; ENotFound.
	DeleteContactNote(ctx context.Context, contactID, noteID string) error
	// ContactNote returns one note of the contact; ENotFound.
	ContactNote(ctx context.Context, contactID, noteID string) (*ContactNote, error)
	// CustomerConversationIDs returns the ids of the conversations of
	// contact c and of the same customer on the other channels (a contact
	// there with c's phone number or BSUID), newest activity first, at
	// most MaxContactPanelConvs; c's WaID and UserID are as read.
	CustomerConversationIDs(ctx context.Context, c *Contact) ([]string, error)
}
