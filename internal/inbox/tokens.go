package inbox

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"slices"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard"
)

// MaxTokenLifetime is the furthest expiry a token may be given; a token
// may also never expire.
const MaxTokenLifetime = 3 * 366 * 24 * time.Hour

// NewToken is the input for issuing an API token.
type NewToken struct {
	Name   string
	Scopes []switchboard.Permission
	// ExpiresAt is optional; zero means the token never expires.
	ExpiresAt time.Time
	// RatePerMinute is optional; zero means the installation's default.
	RatePerMinute int
}

// NewServiceAccount is the input for creating a service account.
type NewServiceAccount struct {
	Login       string
	Name        string
	RoleID      string
	Description string
	// Bot makes the account eligible as a channel's bot agent.
	Bot bool
}

// newAPISecret returns a random API token (the prefix and 256 random
// bits) and the hash it is stored under.
func newAPISecret() (secret, hash string) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	secret = switchboard.APITokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return secret, HashToken(secret)
}

// byToken refuses token and service-account management to an actor that
// authenticated with a token: a token must not mint tokens or accounts
// that outlive its own revocation.
func byToken(a *switchboard.Actor) error {
	if a != nil && a.TokenID != "" {
		return switchboard.Errorf(switchboard.EForbidden, "API tokens and service accounts are managed after signing in, not with an API token.")
	}
	return nil
}

// sessionOnly refuses an account's sign-in business (password, signing out
// everywhere) to an actor that authenticated with a token: a token scoped
// to replies must not lock its owner out.
func sessionOnly(a *switchboard.Actor) error {
	if a != nil && a.TokenID != "" {
		return switchboard.Errorf(switchboard.EForbidden, "Passwords and sessions are managed after signing in, not with an API token.")
	}
	return nil
}

// prepareToken checks in against the owner's role and the limits and
// returns the token to store with its secret.
func (s *Service) prepareToken(ctx context.Context, owner *switchboard.User, role *switchboard.Role, issuer string, in NewToken) (*switchboard.APIToken, string, error) {
	now := s.now()
	t := &switchboard.APIToken{
		ID: switchboard.NewID(), UserID: owner.ID, Name: strings.TrimSpace(in.Name), Scopes: in.Scopes,
		CreatedBy: issuer, CreatedAt: now, RatePerMinute: in.RatePerMinute,
	}
	if err := t.Validate(); err != nil {
		return nil, "", err
	}
	if !in.ExpiresAt.IsZero() {
		switch exp := in.ExpiresAt.UTC(); {
		case !exp.After(now):
			return nil, "", switchboard.Errorf(switchboard.EInvalid, "The expiry must be in the future.")
		case exp.Sub(now) > MaxTokenLifetime:
			return nil, "", switchboard.Errorf(switchboard.EInvalid, "The expiry may be at most three years ahead; leave it empty for a token that does not expire.")
		default:
			t.ExpiresAt = exp
		}
	}
	var wider []string
	for _, p := range t.Scopes {
		if !role.Has(p) {
			wider = append(wider, string(p))
		}
	}
	if len(wider) > 0 {
		return nil, "", switchboard.Errorf(switchboard.EForbidden, "A token cannot have scopes its owner's role lacks: %s.", strings.Join(wider, ", "))
	}
	n, err := s.Store.CountLiveAPITokens(ctx, owner.ID, now)
	if err != nil {
		return nil, "", err
	}
	if n >= switchboard.MaxTokensPerUser {
		return nil, "", switchboard.Errorf(switchboard.EUnprocessable, "At most %d tokens may be active at once; revoke one first.", switchboard.MaxTokensPerUser)
	}
	secret, hash := newAPISecret()
	t.Hash = hash
	return t, secret, nil
}

func tokenDetail(t *switchboard.APIToken) map[string]string {
	scopes := make([]string, len(t.Scopes))
	for i, p := range t.Scopes {
		scopes[i] = string(p)
	}
	d := map[string]string{"token": t.ID, "name": truncate(t.Name, 64), "scopes": strings.Join(scopes, ",")}
	if !t.ExpiresAt.IsZero() {
		d["expires_at"] = t.ExpiresAt.Format(time.RFC3339)
	}
	return d
}

// CreateToken issues a personal access token for the signed-in actor. Its
// scopes must be permissions of the actor's role. The secret is returned
// once and never stored.
func (s *Service) CreateToken(ctx context.Context, a *switchboard.Actor, in NewToken) (*switchboard.APIToken, string, error) {
	if err := byToken(a); err != nil {
		return nil, "", err
	}
	t, secret, err := s.prepareToken(ctx, a.User, a.Role, a.User.ID, in)
	if err != nil {
		if switchboard.ErrorCode(err) == switchboard.EForbidden {
			s.audit(ctx, a, "token.create", "token", "", switchboard.OutcomeDenied, map[string]string{"reason": "scopes"})
		}
		return nil, "", err
	}
	if err := s.Store.CreateAPIToken(ctx, t); err != nil {
		return nil, "", err
	}
	s.audit(ctx, a, "token.create", "token", t.ID, switchboard.OutcomeSuccess, tokenDetail(t))
	return t, secret, nil
}

// Tokens lists the actor's own tokens, revoked ones included.
func (s *Service) Tokens(ctx context.Context, a *switchboard.Actor) ([]*switchboard.APIToken, error) {
	return s.Store.APITokens(ctx, a.User.ID)
}

// RevokeToken revokes one of the actor's own tokens; it stops working at
// once. A token may revoke itself. Tokens of others are not found.
func (s *Service) RevokeToken(ctx context.Context, a *switchboard.Actor, id string) error {
	t, err := s.Store.APIToken(ctx, id)
	if switchboard.ErrorCode(err) == switchboard.ENotFound || (err == nil && t.UserID != a.User.ID) {
		return switchboard.NotFound("Token")
	} else if err != nil {
		return err
	}
	return s.revoke(ctx, a, t)
}

func (s *Service) revoke(ctx context.Context, a *switchboard.Actor, t *switchboard.APIToken) error {
	if err := s.Store.RevokeAPIToken(ctx, t.ID, s.now()); err != nil {
		return err
	}
	if s.TokenRate != nil {
		s.TokenRate.Forget(t.ID)
	}
	// End the owner's sockets at once rather than at the next
	// revalidation; the owner's other connections reconnect by
	// themselves.
	s.disconnect(t.UserID)
	s.audit(ctx, a, "token.revoke", "token", t.ID, switchboard.OutcomeSuccess, map[string]string{"owner": t.UserID, "name": truncate(t.Name, 64)})
	return nil
}

// CreateServiceAccount creates a non-human user that acts only through
// API tokens. It needs users.manage, a signed-in actor (not a token), and
// a role the actor's own role covers, like creating a person.
func (s *Service) CreateServiceAccount(ctx context.Context, a *switchboard.Actor, in NewServiceAccount) (*switchboard.ServiceAccount, error) {
	if err := byToken(a); err != nil {
		return nil, err
	}
	if !a.Can(switchboard.PermUsersManage) {
		s.audit(ctx, a, "service_account.create", "user", "", switchboard.OutcomeDenied, nil)
		return nil, forbidden()
	}
	if err := s.mayGrantRole(ctx, a, in.RoleID); err != nil {
		s.audit(ctx, a, "service_account.create", "user", "", switchboard.OutcomeDenied, map[string]string{"role": truncate(in.RoleID, 64)})
		return nil, err
	}
	// prepareUser wants a password: a service account gets a random one
	// that nobody learns, so it can never sign in.
	var pw [32]byte
	_, _ = rand.Read(pw[:])
	u, err := s.prepareUser(ctx, NewUser{Login: in.Login, Name: in.Name, RoleID: in.RoleID, Password: "Sa!" + base64.RawURLEncoding.EncodeToString(pw[:])})
	if err != nil {
		return nil, err
	}
	sa := &switchboard.ServiceAccount{User: u, Description: strings.TrimSpace(in.Description), Bot: in.Bot, CreatedBy: a.User.ID, CreatedAt: u.CreatedAt}
	if err := sa.Validate(); err != nil {
		return nil, err
	}
	if err := s.Store.CreateServiceAccount(ctx, sa); err != nil {
		return nil, err
	}
	s.audit(ctx, a, "service_account.create", "user", u.ID, switchboard.OutcomeSuccess, map[string]string{"login": u.Login, "role": u.RoleID})
	return sa, nil
}

// ServiceAccounts lists the service accounts the actor may manage: it
// needs users.manage, and a channel-limited actor sees only accounts whose
// role reaches their channels.
func (s *Service) ServiceAccounts(ctx context.Context, a *switchboard.Actor) ([]*switchboard.ServiceAccount, error) {
	if !a.Can(switchboard.PermUsersManage) {
		return nil, forbidden()
	}
	all, err := s.Store.ServiceAccounts(ctx)
	if err != nil || !channelLimited(a) {
		return all, err
	}
	roles, err := s.roleMap(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(sa *switchboard.ServiceAccount) bool { return !reachesChannelsOf(a, roles[sa.User.RoleID]) }), nil
}

// managedAccount returns service account id if the actor may manage it:
// users.manage, a signed-in actor, and a role that covers the account's.
// An account the actor may not manage is not found.
func (s *Service) managedAccount(ctx context.Context, a *switchboard.Actor, id string) (*switchboard.ServiceAccount, *switchboard.Role, error) {
	if err := byToken(a); err != nil {
		return nil, nil, err
	}
	if !a.Can(switchboard.PermUsersManage) {
		return nil, nil, forbidden()
	}
	sa, err := s.Store.ServiceAccount(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	r, err := s.Store.Role(ctx, sa.User.RoleID)
	if err != nil {
		return nil, nil, err
	}
	if !a.Role.Covers(r) {
		return nil, nil, switchboard.NotFound("Service account")
	}
	return sa, r, nil
}

// CreateServiceAccountToken issues a token for a service account; its
// scopes must be permissions of the account's role.
func (s *Service) CreateServiceAccountToken(ctx context.Context, a *switchboard.Actor, accountID string, in NewToken) (*switchboard.APIToken, string, error) {
	sa, r, err := s.managedAccount(ctx, a, accountID)
	if err != nil {
		return nil, "", err
	}
	t, secret, err := s.prepareToken(ctx, sa.User, r, a.User.ID, in)
	if err != nil {
		return nil, "", err
	}
	if err := s.Store.CreateAPIToken(ctx, t); err != nil {
		return nil, "", err
	}
	s.audit(ctx, a, "token.create", "token", t.ID, switchboard.OutcomeSuccess, tokenDetail(t))
	return t, secret, nil
}

// ServiceAccountTokens lists a service account's tokens.
func (s *Service) ServiceAccountTokens(ctx context.Context, a *switchboard.Actor, accountID string) ([]*switchboard.APIToken, error) {
	sa, _, err := s.managedAccount(ctx, a, accountID)
	if err != nil {
		return nil, err
	}
	return s.Store.APITokens(ctx, sa.User.ID)
}

// RevokeServiceAccountToken revokes a service account's token.
func (s *Service) RevokeServiceAccountToken(ctx context.Context, a *switchboard.Actor, accountID, tokenID string) error {
	sa, _, err := s.managedAccount(ctx, a, accountID)
	if err != nil {
		return err
	}
	t, err := s.Store.APIToken(ctx, tokenID)
	if switchboard.ErrorCode(err) == switchboard.ENotFound || (err == nil && t.UserID != sa.User.ID) {
		return switchboard.NotFound("Token")
	} else if err != nil {
		return err
	}
	return s.revoke(ctx, a, t)
}

// tokenTouchEvery bounds how often a token's last use is written: at most
// once a minute, or when the address changes.
const tokenTouchEvery = time.Minute

// authenticateToken turns an API token into an actor whose role is the
// token's narrowed role. Unknown, revoked and expired tokens and inactive
// owners give EUnauthorized; a token over its rate gets ERateLimited.
func (s *Service) authenticateToken(ctx context.Context, secret string, c Client) (*switchboard.Actor, error) {
	unauth := switchboard.Errorf(switchboard.EUnauthorized, "This API token is unknown, revoked or expired.")
	hash := HashToken(secret)
	t, err := s.Store.APITokenByHash(ctx, hash)
	if switchboard.ErrorCode(err) == switchboard.ENotFound {
		return nil, unauth
	} else if err != nil {
		return nil, err
	}
	// The lookup was by hash; compare once more in constant time so no
	// store's comparison semantics (collation, padding) can matter.
	now := s.now()
	if subtle.ConstantTimeCompare([]byte(t.Hash), []byte(hash)) != 1 || !t.Usable(now) {
		return nil, unauth
	}
	a, err := s.actor(ctx, t.UserID)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, unauth
	}
	if s.TokenRate != nil {
		if d := s.TokenRate.Take(t.ID, t.RatePerMinute, now); d > 0 {
			return nil, errTokenRate(d)
		}
	}
	a.Role = t.Narrow(a.Role)
	a.TokenID, a.IP, a.UserAgent = t.ID, c.IP, c.UserAgent
	if now.Sub(t.LastUsedAt) > tokenTouchEvery || t.LastUsedIP != c.IP {
		if err := s.Store.TouchAPIToken(ctx, t.ID, now, c.IP); err != nil {
			s.Logger.Warn("touch api token", "err", err)
		}
	}
	return a, nil
}

// refreshToken reloads a token actor for a long-lived connection: it fails
// with EUnauthorized once the token is revoked or expired or its owner
// deactivated, and applies a changed role at once.
func (s *Service) refreshToken(ctx context.Context, a *switchboard.Actor) (*switchboard.Actor, error) {
	t, err := s.Store.APIToken(ctx, a.TokenID)
	if switchboard.ErrorCode(err) == switchboard.ENotFound {
		return nil, switchboard.Errorf(switchboard.EUnauthorized, "This API token no longer exists.")
	} else if err != nil {
		return nil, err
	}
	if !t.Usable(s.now()) {
		return nil, switchboard.Errorf(switchboard.EUnauthorized, "This API token was revoked or has expired.")
	}
	fresh, err := s.actor(ctx, t.UserID)
	if err != nil {
		return nil, err
	}
	if fresh == nil {
		return nil, switchboard.Errorf(switchboard.EUnauthorized, "The token's account is inactive.")
	}
	fresh.Role = t.Narrow(fresh.Role)
	fresh.TokenID, fresh.IP, fresh.UserAgent = t.ID, a.IP, a.UserAgent
	return fresh, nil
}

// IsServiceAccount reports whether user id is a service account.
func (s *Service) IsServiceAccount(ctx context.Context, id string) (bool, error) {
	_, err := s.Store.ServiceAccount(ctx, id)
	switch switchboard.ErrorCode(err) {
	case "":
		return true, nil
	case switchboard.ENotFound:
		return false, nil
	}
	return false, err
}
