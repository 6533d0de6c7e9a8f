package switchboard

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Permission is one capability from the fixed catalogue that roles are built
// from. The catalogue is documented in docs/security.md.
type Permission string

// The permission catalogue.
const (
	PermConversationsReadAll Permission = "conversations.read_all" // see every conversation (within the role's channels)
	PermConversationsAssign  Permission = "conversations.assign"   // add and remove assignees
	PermConversationsReply   Permission = "conversations.reply"    // send messages in visible conversations
	PermConversationsClose   Permission = "conversations.close"    // close and reopen conversations
	PermUsersRead            Permission = "users.read"             // list users (e.g. to pick an assignee)
	PermUsersManage          Permission = "users.manage"           // create users, change their role, name, state, password
	PermRolesManage          Permission = "roles.manage"           // create, edit and delete custom roles
	PermAuditRead            Permission = "audit.read"             // read and verify the audit log
	PermChannelsManage       Permission = "channels.manage"        // add and configure WhatsApp numbers
)

// Permissions returns the whole catalogue in a stable order.
func Permissions() []Permission {
	return []Permission{
		PermConversationsReadAll, PermConversationsAssign, PermConversationsReply,
		PermConversationsClose, PermUsersRead, PermUsersManage, PermRolesManage,
		PermAuditRead, PermChannelsManage, PermPrivacyManage, PermReportsRead,
		PermContactsBlock, PermCannedRepliesManage, PermContactsEdit, PermContactAttributesManage, PermLabelsManage,
	}
}

// ValidPermission reports whether p is in the catalogue.
func ValidPermission(p Permission) bool { return slices.Contains(Permissions(), p) }

// Built-in role ids. They are fixed so the migrations can create the roles
// and so a fresh install and a restored backup agree on them.
const (
	RoleAdmin    = "admin"
	RoleOperator = "operator"
	RoleEmployee = "employee"
)

// BuiltinRoles returns the three roles every installation has. They cannot be
// edited or deleted.
func BuiltinRoles() []*Role {
	return []*Role{
		{ID: RoleAdmin, Name: "Administrator", BuiltIn: true, AllChannels: true, Permissions: Permissions(),
			Description: "Everything, including users, roles, channels and the audit log."},
		{ID: RoleOperator, Name: "Chat operator", BuiltIn: true, AllChannels: true, Permissions: []Permission{
			PermConversationsReadAll, PermConversationsAssign, PermConversationsReply,
			PermConversationsClose, PermUsersRead, PermReportsRead, PermContactsBlock, PermCannedRepliesManage, PermContactsEdit,
			PermLabelsManage,
		}, Description: "Sees every conversation, assigns employees, replies, closes and reopens; blocks abusive customers; manages the shared canned replies and the labels; reads the reports."},
		{ID: RoleEmployee, Name: "Employee", BuiltIn: true, AllChannels: true, Permissions: []Permission{
			PermConversationsReply,
		}, Description: "Sees only the conversations assigned to them and replies."},
	}
}

// Role is a named set of permissions, optionally limited to some channels.
type Role struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Description string       `json:"description"`
	Permissions []Permission `json:"permissions"`
	// AllChannels gives the role every channel, present and future. It is
	// explicit: a role without it must list at least one channel in
	// ChannelIDs, so removing a role's last channel can never widen it.
	// (Both stores keep the limit as a JSON list in which the empty list
	// means all channels; they set AllChannels from it when reading and
	// refuse a role that has neither, see [Role.ValidateChannels].)
	AllChannels bool `json:"all_channels"`
	// ChannelIDs limits the role to these channels; it is empty exactly
	// when AllChannels is set.
	ChannelIDs []string `json:"channel_ids"`
	BuiltIn    bool     `json:"built_in"`
	// RequireTwoFactor makes two-factor sign-in mandatory for users with
	// the role: until they enrol, their session only allows enrolment.
	// The built-in admin role also requires it once any administrator has
	// enrolled (see [inbox.Service.TwoFactorRequired]).
	RequireTwoFactor bool      `json:"require_two_factor"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// Has reports whether the role grants p.
func (r *Role) Has(p Permission) bool { return r != nil && slices.Contains(r.Permissions, p) }

// AllowsChannel reports whether the role may act on channel id.
func (r *Role) AllowsChannel(id string) bool {
	return r != nil && (r.AllChannels || slices.Contains(r.ChannelIDs, id))
}

// Errors the role and user stores return, the same on every store.
var (
	ErrUnknownRole     = &Error{Code: EInvalid, Message: "Unknown role."}
	ErrRoleExists      = &Error{Code: EConflict, Message: "Role already exists."}
	ErrRoleNameTaken   = &Error{Code: EConflict, Message: "Role name is already taken."}
	ErrBuiltinRoleEdit = &Error{Code: EInvalid, Message: "Built-in roles cannot be edited."}
	ErrBuiltinRoleDel  = &Error{Code: EInvalid, Message: "Built-in roles cannot be deleted."}
	ErrRoleInUse       = &Error{Code: EConflict, Message: "The role is still assigned to users."}
	ErrUserExists      = &Error{Code: EConflict, Message: "User already exists."}
	ErrLoginTaken      = &Error{Code: EConflict, Message: "Login is already taken."}
	ErrLoginRequired   = &Error{Code: EInvalid, Message: "Login is required."}
)

// Normalize brings a role into its stored form: the name without
// surrounding spaces, and empty lists instead of nil ones.
func (r *Role) Normalize() {
	r.Name = strings.TrimSpace(r.Name)
	if r.Permissions == nil {
		r.Permissions = []Permission{}
	}
	if r.ChannelIDs == nil {
		r.ChannelIDs = []string{}
	}
}

// Validate checks a role before it is stored: a name, permissions from the
// catalogue and a channel limit ([Role.ValidateChannels]).
func (r *Role) Validate() error {
	if strings.TrimSpace(r.Name) == "" {
		return Errorf(EInvalid, "Role name is required.")
	}
	for _, p := range r.Permissions {
		if !ValidPermission(p) {
			return Errorf(EInvalid, "Unknown permission %q.", p)
		}
	}
	return r.ValidateChannels()
}

// NormalizeLogin is the stored form of a login: without surrounding spaces
// and lower-case, so that logins compare case-insensitively.
func NormalizeLogin(login string) string { return strings.ToLower(strings.TrimSpace(login)) }

// ValidateChannels checks the channel limit: either all channels and no
// list, or a list of at least one channel.
func (r *Role) ValidateChannels() error {
	switch {
	case r.AllChannels && len(r.ChannelIDs) > 0:
		return Errorf(EInvalid, "A role has either all channels or a list of channels, not both.")
	case !r.AllChannels && len(r.ChannelIDs) == 0:
		return Errorf(EInvalid, "A role needs at least one channel, or all channels.")
	}
	return nil
}

// Covers reports whether r grants at least everything o grants: each of
// o's permissions, on each of o's channels. Nobody may create, edit, assign
// or act on a role (or a user holding it) that r does not cover, so a
// permission to manage users or roles never yields more than its holder
// already has.
func (r *Role) Covers(o *Role) bool {
	if r == nil || o == nil {
		return false
	}
	for _, p := range o.Permissions {
		if !r.Has(p) {
			return false
		}
	}
	if r.AllChannels {
		return true
	}
	if o.AllChannels {
		return false
	}
	for _, id := range o.ChannelIDs {
		if !slices.Contains(r.ChannelIDs, id) {
			return false
		}
	}
	return true
}

// User is a person who signs in: an administrator, operator or employee.
type User struct {
	ID     string `json:"id"`
	Login  string `json:"login"` // unique, compared case-insensitively, stored lower-case
	Name   string `json:"name"`
	RoleID string `json:"role_id"`
	Active bool   `json:"active"`
	// PasswordHash is the argon2id PHC string; never serialised.
	PasswordHash      string    `json:"-"`
	PasswordChangedAt time.Time `json:"-"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
	// Availability is filled by the service where it is shown (the user
	// list, the assign menu); stores leave it empty.
	Availability Availability `json:"availability,omitempty"`
}

// UserRef is the short form of a user inside other objects.
type UserRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Deactivated marks an assignee whose account is switched off: they
	// stay listed (so nobody loses track of who had the chat) but no
	// longer count as someone who answers it.
	Deactivated bool `json:"deactivated,omitempty"`
}

// UserFilter selects users. Zero values mean "any".
type UserFilter struct {
	IDs    []string
	RoleID string
	// RoleIDs, when non-nil, keeps only users with one of these roles
	// (empty: none).
	RoleIDs []string
	Active  *bool
	Query   string // substring of login or name, compared folded (internal/fold: case and accents ignored)
	Limit   int
	Cursor  string
}

// UserUpdate is a partial change of a user; nil fields stay as they are.
type UserUpdate struct {
	Name         *string
	RoleID       *string
	Active       *bool
	PasswordHash *string
}

// Apply changes u by upd at now and reports whether the user's sessions
// must end: a user who is deactivated, or whose password changes, is
// signed out everywhere (in the same transaction as the change).
func (u *User) Apply(upd UserUpdate, now time.Time) (endSessions bool) {
	if upd.Name != nil {
		u.Name = *upd.Name
	}
	if upd.RoleID != nil {
		u.RoleID = *upd.RoleID
	}
	if upd.Active != nil {
		endSessions = !*upd.Active
		u.Active = *upd.Active
	}
	if upd.PasswordHash != nil {
		u.PasswordHash = *upd.PasswordHash
		u.PasswordChangedAt = now
		endSessions = true
	}
	u.UpdatedAt = now
	return endSessions
}

// RoleUpdate is a partial change of a custom role. AllChannels, when set,
// is applied before ChannelIDs; the result must pass
// [Role.ValidateChannels].
type RoleUpdate struct {
	Name        *string
	Description *string
	Permissions *[]Permission
	AllChannels *bool
	ChannelIDs  *[]string
}

// Apply changes a custom role by upd (AllChannels before ChannelIDs) and
// brings it into its stored form; the caller then checks [Role.Validate].
// Lists are copied, so the role never shares them with upd.
func (r *Role) Apply(upd RoleUpdate) {
	if upd.Name != nil {
		r.Name = *upd.Name
	}
	if upd.Description != nil {
		r.Description = *upd.Description
	}
	if upd.Permissions != nil {
		r.Permissions = slices.Clone(*upd.Permissions)
	}
	if upd.AllChannels != nil {
		r.AllChannels = *upd.AllChannels
		if r.AllChannels {
			r.ChannelIDs = []string{}
		}
	}
	if upd.ChannelIDs != nil {
		r.ChannelIDs = slices.Clone(*upd.ChannelIDs)
	}
	r.Normalize()
}

// Session is a signed-in browser or API client. The token itself is never
// stored: ID is the SHA-256 of it.
type Session struct {
	ID         string    `json:"-"`
	UserID     string    `json:"user_id"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	// ExpiresAt is the absolute expiry; idle expiry is LastSeenAt + the idle timeout.
	ExpiresAt time.Time `json:"expires_at"`
	IP        string    `json:"ip"`
	UserAgent string    `json:"user_agent"`
}

// Actor is who performs a use case: a signed-in user with their role. The
// service layer decides every permission from it.
type Actor struct {
	User *User
	Role *Role
	// SessionID identifies the session, for audit entries and logout.
	SessionID string
	// TokenID is set when the actor authenticated with an API token
	// instead of a session; Role is then the token's narrowed role
	// ([APIToken.Narrow]).
	TokenID   string
	IP        string
	UserAgent string
	// EnrolmentOnly is set when the actor's role requires two-factor
	// sign-in and they have not enrolled: their session may only enrol
	// (or sign out), and Can grants nothing.
	EnrolmentOnly bool
	// TeamIDs are the teams the user belongs to ([Team]): a conversation
	// assigned to one of them is theirs to see and work on.
	TeamIDs []string
}

// CanReplyOn reports whether a user with role r may answer conversations
// on channel channelID: the rule for who can be assigned a conversation.
func (r *Role) CanReplyOn(channelID string) bool {
	return r.Has(PermConversationsReply) && r.AllowsChannel(channelID)
}

// Can reports whether the actor's role grants p.
func (a *Actor) Can(p Permission) bool {
	return a != nil && a.User != nil && a.User.Active && !a.EnrolmentOnly && a.Role.Has(p)
}

// UserStore persists users.
type UserStore interface {
	CreateUser(ctx context.Context, u *User) error
	User(ctx context.Context, id string) (*User, error)
	UserByLogin(ctx context.Context, login string) (*User, error)
	Users(ctx context.Context, f UserFilter) ([]*User, string, error)
	// UpdateUser applies upd and returns the new state. When the update
	// deactivates the user or changes the password, the store deletes the
	// user's sessions in the same transaction.
	UpdateUser(ctx context.Context, id string, upd UserUpdate) (*User, error)
	CountUsers(ctx context.Context) (int, error)
}

// RoleStore persists roles. Built-in roles exist from the first migration.
type RoleStore interface {
	CreateRole(ctx context.Context, r *Role) error
	Role(ctx context.Context, id string) (*Role, error)
	Roles(ctx context.Context) ([]*Role, error)
	UpdateRole(ctx context.Context, id string, upd RoleUpdate) (*Role, error)
	// DeleteRole fails with EConflict while users still have the role.
	DeleteRole(ctx context.Context, id string) error
}

// SessionStore persists sessions.
type SessionStore interface {
	CreateSession(ctx context.Context, s *Session) error
	Session(ctx context.Context, id string) (*Session, error)
	// TouchSession records activity, extending the idle expiry.
	TouchSession(ctx context.Context, id string, at time.Time) error
	DeleteSession(ctx context.Context, id string) error
	DeleteUserSessions(ctx context.Context, userID string) error
	DeleteExpiredSessions(ctx context.Context, idleBefore, now time.Time) (int, error)
}

// SetupToken is the one-time token printed on first start that lets a person
// create the first administrator. Only its hash is stored.
type SetupToken struct {
	Hash      string
	ExpiresAt time.Time
}

// Validate checks a setup token before it is stored.
func (t SetupToken) Validate() error {
	if t.Hash == "" {
		return Errorf(EInvalid, "Setup token hash is required.")
	}
	return nil
}

// SetupStore keeps the one-time setup token.
type SetupStore interface {
	// PutSetupToken stores a token and forgets the expired ones. Tokens
	// stored earlier stay valid until they expire or setup completes:
	// every instance that starts without users prints a link of its own
	// (docs/deploy.md, "Shared state").
	PutSetupToken(ctx context.Context, t SetupToken) error
	// SetupTokenByHash returns the stored token with this hash (expired
	// or not), or ENotFound when there is none or it was used.
	SetupTokenByHash(ctx context.Context, hash string) (SetupToken, error)
	// CompleteSetup atomically checks the token hash and expiry, consumes
	// every token, and creates the first administrator. It fails with ENotFound if the
	// token is unknown, used or expired, and with EConflict if users exist.
	CompleteSetup(ctx context.Context, tokenHash string, now time.Time, admin *User) error
}
