package switchboard

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// APITokenPrefix starts every API token, so that secret scanners (and
// people) recognise a leaked one, and so that Authenticate tells an API
// token from a session token without a lookup.
const APITokenPrefix = "sbt_"

// Limits on API tokens.
const (
	// MaxTokenName is the longest token name, in characters.
	MaxTokenName = 100
	// MaxTokensPerUser bounds the live tokens one user or service account
	// may hold.
	MaxTokensPerUser = 50
	// MaxTokenRate is the highest per-token rate limit, in requests per
	// minute.
	MaxTokenRate = 6000
)

// APIToken is a credential for a program: a personal access token of a
// user, or a token of a service account. The secret itself is shown once
// on creation and never stored: Hash is its SHA-256. The token acts as its
// owner, narrowed to Scopes: its effective permissions are always
// Scopes ∩ the owner's current role (see [APIToken.Narrow]), so changing
// the owner's role narrows every token at once.
type APIToken struct {
	ID     string       `json:"id"`
	UserID string       `json:"user_id"`
	Name   string       `json:"name"`
	Scopes []Permission `json:"scopes"`
	// Hash is the hex SHA-256 of the secret; never serialised.
	Hash string `json:"-"`
	// CreatedBy is the user who issued the token: the owner for a
	// personal token, an administrator for a service account's.
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	// ExpiresAt is when the token stops working; zero means never.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// LastUsedAt and LastUsedIP record the last authenticated request
	// (updated at most once a minute, or when the address changes).
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
	LastUsedIP string    `json:"last_used_ip"`
	// RevokedAt is set once the token is revoked; a revoked token never
	// works again.
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	// RatePerMinute is the token's request budget; zero means the
	// installation's default.
	RatePerMinute int `json:"rate_per_minute"`
}

// Validate checks the token's own fields: a name, at least one scope, each
// from the catalogue and none twice, a sane rate. Whether the scopes fit
// the owner's role is the service's decision ([Role.Has] for each).
func (t *APIToken) Validate() error {
	name := strings.TrimSpace(t.Name)
	switch {
	case name == "":
		return Errorf(EInvalid, "A token needs a name.")
	case utf8.RuneCountInString(name) > MaxTokenName:
		return Errorf(EInvalid, "A token name has at most %d characters.", MaxTokenName)
	case len(t.Scopes) == 0:
		return Errorf(EInvalid, "A token needs at least one scope.")
	case t.RatePerMinute < 0 || t.RatePerMinute > MaxTokenRate:
		return Errorf(EInvalid, "rate_per_minute must be between 0 (the default) and %d.", MaxTokenRate)
	}
	for i, p := range t.Scopes {
		if !ValidPermission(p) {
			return Errorf(EInvalid, "Unknown scope %q.", p)
		}
		if slices.Contains(t.Scopes[:i], p) {
			return Errorf(EInvalid, "Scope %q is listed twice.", p)
		}
	}
	return nil
}

// Usable reports whether the token may authenticate at now: not revoked
// and not expired.
func (t *APIToken) Usable(now time.Time) bool {
	return t != nil && t.RevokedAt.IsZero() && (t.ExpiresAt.IsZero() || now.Before(t.ExpiresAt))
}

// Narrow returns a copy of r whose permissions are those r grants and the
// token's scopes name: the token's effective role. The channel limit is
// the role's. r itself is not changed.
func (t *APIToken) Narrow(r *Role) *Role {
	if r == nil {
		return nil
	}
	c := *r
	c.Permissions = nil
	for _, p := range r.Permissions {
		if slices.Contains(t.Scopes, p) {
			c.Permissions = append(c.Permissions, p)
		}
	}
	c.ChannelIDs = slices.Clone(r.ChannelIDs)
	return &c
}

// ServiceAccount is a non-human user, e.g. a bot or an integration: a
// [User] without a password, with a role (and so a channel limit), which
// acts only through API tokens an administrator issues for it. It is
// deactivated, renamed and given another role like any user.
type ServiceAccount struct {
	User        *User  `json:"user"`
	Description string `json:"description"`
	// Bot marks an account that may be a channel's bot agent; its
	// messages are shown as the bot's.
	Bot       bool      `json:"bot"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// MaxServiceAccountDescription bounds a service account's description.
const MaxServiceAccountDescription = 500

// Validate checks the service account's own fields.
func (sa *ServiceAccount) Validate() error {
	if sa.User == nil {
		return Errorf(EInvalid, "A service account needs a user.")
	}
	if utf8.RuneCountInString(sa.Description) > MaxServiceAccountDescription {
		return Errorf(EInvalid, "A description has at most %d characters.", MaxServiceAccountDescription)
	}
	return nil
}

// TokenStore persists API tokens and service accounts.
type TokenStore interface {
	// CreateAPIToken stores t (ID and Hash set by the caller). The owner
	// must exist (ENotFound otherwise) and the hash be new (EConflict).
	CreateAPIToken(ctx context.Context, t *APIToken) error
	// APIToken returns a token by id, revoked or not.
	APIToken(ctx context.Context, id string) (*APIToken, error)
	// APITokenByHash returns the token whose secret hashes to hash.
	APITokenByHash(ctx context.Context, hash string) (*APIToken, error)
	// APITokens lists a user's tokens, newest first, revoked ones
	// included.
	APITokens(ctx context.Context, userID string) ([]*APIToken, error)
	// CountLiveAPITokens counts a user's tokens that are neither revoked
	// nor expired at now.
	CountLiveAPITokens(ctx context.Context, userID string, now time.Time) (int, error)
	// RevokeAPIToken marks a token revoked at at; revoking a revoked token
	// keeps the first time. ENotFound for an unknown id.
	RevokeAPIToken(ctx context.Context, id string, at time.Time) error
	// TouchAPIToken records a use at at from ip. It never moves
	// last_used_at back.
	TouchAPIToken(ctx context.Context, id string, at time.Time, ip string) error

	// CreateServiceAccount creates sa.User and marks it a service account,
	// in one transaction.
	CreateServiceAccount(ctx context.Context, sa *ServiceAccount) error
	// ServiceAccount returns the service account of user id, or ENotFound
	// when that user is a person (or unknown).
	ServiceAccount(ctx context.Context, userID string) (*ServiceAccount, error)
	// ServiceAccounts lists every service account by login.
	ServiceAccounts(ctx context.Context) ([]*ServiceAccount, error)
}
