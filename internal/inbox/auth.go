package inbox

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/password"
)

// Client describes where a request comes from, for audit entries and
// throttling.
type Client struct {
	IP        string
	UserAgent string
}

// newToken returns a random 256-bit token and the hash under which it is
// stored. The token itself is never stored.
func newToken() (token, hash string) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashToken(token)
}

// HashToken returns the storage key of a session or setup token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func errInvalidLogin() error {
	return switchboard.Errorf(switchboard.EUnauthorized, "Login or password is wrong.")
}

func errThrottled(d time.Duration) error {
	secs := int(math.Ceil(d.Seconds()))
	return &switchboard.Error{
		Code:       switchboard.ERateLimited,
		Message:    "Too many failed sign-in attempts. Try again later.",
		RetryAfter: max(secs, 1),
	}
}

// Login checks a login and password and opens a session. Failed attempts are
// counted per account and per client address; past the limits the caller
// gets ERateLimited with a RetryAfter, before any password is hashed.
func (s *Service) Login(ctx context.Context, login, pass string, c Client) (token string, u *switchboard.User, err error) {
	now := s.now()
	login = strings.ToLower(strings.TrimSpace(login))
	if len(login) > 128 || len(pass) > 1024 {
		return "", nil, errInvalidLogin()
	}
	// Failures count per address and account (the lock a stranger can
	// reach), per account from every address (a higher limit) and per
	// address (password spraying).
	o := s.Throttle.opts
	keys := []struct {
		key   string
		limit int
	}{{"acctip:" + c.IP + "|" + login, o.AccountFailures}, {"acct:" + login, o.AccountTotalFailures}, {"ip:" + c.IP, o.IPFailures}}
	// Reserve the attempt on every key before any hashing, so concurrent
	// attempts count against the limits while they run.
	var d time.Duration
	for i, k := range keys {
		if d = s.Throttle.Begin(ctx, k.key, k.limit, now); d > 0 {
			for _, r := range keys[:i] {
				s.Throttle.Abandon(ctx, r.key)
			}
			break
		}
	}
	if d > 0 {
		s.audit(ctx, &switchboard.Actor{IP: c.IP, UserAgent: c.UserAgent}, "session.login", "user", "", switchboard.OutcomeDenied,
			map[string]string{"login": truncate(login, 64), "reason": "throttled"})
		return "", nil, errThrottled(d)
	}
	settled := false
	defer func() {
		if !settled { // success or an internal error: not the user's failure
			for _, k := range keys {
				s.Throttle.Abandon(ctx, k.key)
			}
		}
	}()
	fail := func(u *switchboard.User, reason string) error {
		settled = true
		var d time.Duration
		for _, k := range keys {
			d = max(d, s.Throttle.Fail(ctx, k.key, k.limit, now))
		}
		a := &switchboard.Actor{User: u, IP: c.IP, UserAgent: c.UserAgent}
		objID := ""
		if u != nil {
			objID = u.ID
		}
		s.audit(ctx, a, "session.login", "user", objID, switchboard.OutcomeFailure,
			map[string]string{"login": truncate(login, 64), "reason": reason})
		if d > 0 {
			return errThrottled(d)
		}
		return errInvalidLogin()
	}

	u, err = s.Store.UserByLogin(ctx, login)
	if switchboard.ErrorCode(err) == switchboard.ENotFound {
		// Burn the same time as a real check so response times do not
		// reveal which logins exist.
		s.Passwords.VerifyDummy(ctx, pass)
		return "", nil, fail(nil, "unknown login")
	} else if err != nil {
		return "", nil, err
	}
	ok, err := s.Passwords.Verify(ctx, u.PasswordHash, pass)
	if err != nil {
		return "", nil, err
	}
	if !ok {
		return "", nil, fail(u, "wrong password")
	}
	if !u.Active {
		return "", nil, fail(u, "inactive")
	}
	s.Throttle.Reset(ctx, keys[0].key)
	if err := s.secondFactorChallenge(ctx, u, c, now); err != nil {
		return "", nil, err // a *SecondFactorRequired, or a store error
	}

	token, hash := newToken()
	sess := &switchboard.Session{
		ID: hash, UserID: u.ID, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(s.SessionMax), IP: c.IP, UserAgent: truncate(c.UserAgent, 256),
	}
	if err := s.Store.CreateSession(ctx, sess); err != nil {
		return "", nil, err
	}
	s.audit(ctx, &switchboard.Actor{User: u, IP: c.IP, UserAgent: c.UserAgent}, "session.login", "user", u.ID, switchboard.OutcomeSuccess, nil)
	return token, u, nil
}

// Authenticate turns a session token into an actor. Expired sessions,
// inactive users and unknown tokens all give EUnauthorized.
func (s *Service) Authenticate(ctx context.Context, token string, c Client) (*switchboard.Actor, error) {
	unauth := switchboard.Errorf(switchboard.EUnauthorized, "Please sign in.")
	if token == "" || len(token) > 128 {
		return nil, unauth
	}
	if strings.HasPrefix(token, switchboard.APITokenPrefix) {
		return s.authenticateToken(ctx, token, c)
	}
	id := HashToken(token)
	sess, err := s.Store.Session(ctx, id)
	if switchboard.ErrorCode(err) == switchboard.ENotFound {
		return nil, unauth
	} else if err != nil {
		return nil, err
	}
	now := s.now()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) >= s.SessionIdle {
		_ = s.Store.DeleteSession(ctx, id)
		return nil, switchboard.Errorf(switchboard.EUnauthorized, "Your session has expired. Please sign in again.")
	}
	a, err := s.actor(ctx, sess.UserID)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, unauth
	}
	a.SessionID, a.IP, a.UserAgent = id, c.IP, c.UserAgent
	// Record activity at most once a minute: a write per request would make
	// every read a write.
	if now.Sub(sess.LastSeenAt) > time.Minute {
		if err := s.Store.TouchSession(ctx, id, now); err != nil {
			s.Logger.Warn("touch session", "err", err)
		}
	}
	return a, nil
}

// actor loads an active user with their role, or returns nil if the user is
// gone or inactive.
func (s *Service) actor(ctx context.Context, userID string) (*switchboard.Actor, error) {
	u, err := s.Store.User(ctx, userID)
	if switchboard.ErrorCode(err) == switchboard.ENotFound {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if !u.Active {
		return nil, nil
	}
	r, err := s.Store.Role(ctx, u.RoleID)
	if err != nil {
		return nil, err
	}
	a := &switchboard.Actor{User: u, Role: r}
	if a.TeamIDs, err = s.Store.UserTeamIDs(ctx, u.ID); err != nil {
		return nil, err
	}
	if a.EnrolmentOnly, err = s.enrolmentOnly(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// Refresh reloads the actor's user and role, for long-lived connections. It
// fails with EUnauthorized once the session has ended or the user was
// deactivated.
func (s *Service) Refresh(ctx context.Context, a *switchboard.Actor) (*switchboard.Actor, error) {
	if a.TokenID != "" {
		return s.refreshToken(ctx, a)
	}
	sess, err := s.Store.Session(ctx, a.SessionID)
	if switchboard.ErrorCode(err) == switchboard.ENotFound {
		return nil, switchboard.Errorf(switchboard.EUnauthorized, "Your session has ended.")
	} else if err != nil {
		return nil, err
	}
	now := s.now()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) >= s.SessionIdle {
		return nil, switchboard.Errorf(switchboard.EUnauthorized, "Your session has expired.")
	}
	fresh, err := s.actor(ctx, sess.UserID)
	if err != nil {
		return nil, err
	}
	if fresh == nil {
		return nil, switchboard.Errorf(switchboard.EUnauthorized, "Your account is inactive.")
	}
	fresh.SessionID, fresh.IP, fresh.UserAgent = a.SessionID, a.IP, a.UserAgent
	return fresh, nil
}

// Logout ends the actor's session.
func (s *Service) Logout(ctx context.Context, a *switchboard.Actor) error {
	if err := s.Store.DeleteSession(ctx, a.SessionID); err != nil && switchboard.ErrorCode(err) != switchboard.ENotFound {
		return err
	}
	s.audit(ctx, a, "session.logout", "user", a.User.ID, switchboard.OutcomeSuccess, nil)
	return nil
}

// LogoutEverywhere ends every session of the actor, on every device.
func (s *Service) LogoutEverywhere(ctx context.Context, a *switchboard.Actor) error {
	if err := sessionOnly(a); err != nil {
		return err
	}
	if err := s.Store.DeleteUserSessions(ctx, a.User.ID); err != nil {
		return err
	}
	s.disconnect(a.User.ID)
	s.audit(ctx, a, "session.logout_all", "user", a.User.ID, switchboard.OutcomeSuccess, nil)
	return nil
}

// ChangePassword changes the actor's own password. It needs the current one,
// and ends all of the actor's sessions, this one included.
func (s *Service) ChangePassword(ctx context.Context, a *switchboard.Actor, current, next string) error {
	if err := sessionOnly(a); err != nil {
		return err
	}
	// A stolen session must not become a way to guess the password (and
	// an argon2id hash per try): wrong current passwords are throttled
	// per user like failed logins, before any hashing.
	now, key, limit := s.now(), "pwchange:"+a.User.ID, s.Throttle.opts.AccountFailures
	if d := s.Throttle.Begin(ctx, key, limit, now); d > 0 {
		s.audit(ctx, a, "user.password_change", "user", a.User.ID, switchboard.OutcomeDenied, map[string]string{"reason": "throttled"})
		return &switchboard.Error{Code: switchboard.ERateLimited, Message: "Too many wrong passwords. Try again later.",
			RetryAfter: max(int(math.Ceil(d.Seconds())), 1)}
	}
	ok, err := s.Passwords.Verify(ctx, a.User.PasswordHash, current)
	if err != nil {
		s.Throttle.Abandon(ctx, key)
		return err
	}
	if !ok {
		s.Throttle.Fail(ctx, key, limit, now)
		s.audit(ctx, a, "user.password_change", "user", a.User.ID, switchboard.OutcomeFailure, nil)
		return switchboard.Errorf(switchboard.EInvalid, "The current password is wrong.")
	}
	s.Throttle.Reset(ctx, key)
	if err := checkPassword(next, a.User.Login); err != nil {
		return err
	}
	hash, err := s.Passwords.Hash(ctx, next)
	if err != nil {
		return err
	}
	actx, done := s.auditing(ctx, a, "user.password_change", "user", a.User.ID, nil)
	if _, err := s.Store.UpdateUser(actx, a.User.ID, switchboard.UserUpdate{PasswordHash: &hash}); err != nil {
		return err
	}
	done()
	s.disconnect(a.User.ID)
	return nil
}

func (s *Service) disconnect(userID string) {
	if s.Live != nil {
		s.Live.DisconnectUser(userID)
	}
}

func checkPassword(pass, login string) error {
	err := password.Check(pass, login)
	var pe *password.PolicyError
	if errors.As(err, &pe) {
		return switchboard.Errorf(switchboard.EPasswordPolicy, "%s", pe.Reason)
	}
	return err
}

// SetupNeeded reports whether the first-run setup is still open: no user
// exists yet. It needs no actor; the answer is public (GET /api/v1/setup).
func (s *Service) SetupNeeded(ctx context.Context) (bool, error) {
	n, err := s.Store.CountUsers(ctx)
	if err != nil {
		return false, err
	}
	return n == 0, nil
}

// SetupToken returns a fresh one-time setup token when no user exists yet,
// and "" otherwise. The token lets whoever holds it create the first
// administrator within SetupTTL.
func (sys *System) SetupToken(ctx context.Context) (string, error) {
	s := sys.svc
	n, err := s.Store.CountUsers(ctx)
	if err != nil || n > 0 {
		return "", err
	}
	token, hash := newToken()
	if err := s.Store.PutSetupToken(ctx, switchboard.SetupToken{Hash: hash, ExpiresAt: s.now().Add(s.SetupTTL)}); err != nil {
		return "", err
	}
	return token, nil
}

// setupFailures is how many wrong setup tokens one client address may send
// in the throttle window before it is locked out.
const setupFailures = 10

// CompleteSetup creates the first administrator with the one-time token.
// Everything that costs nothing comes first, so that unauthenticated
// callers cannot make the server hash passwords: once a user exists setup
// is refused outright; a throttled client address is refused; the token's
// hash is compared in constant time with the stored one. Only then is the
// password checked and hashed, and the store consumes the token and
// creates the administrator atomically.
func (s *Service) CompleteSetup(ctx context.Context, token string, in NewUser, c Client) (*switchboard.User, error) {
	if n, err := s.Store.CountUsers(ctx); err != nil {
		return nil, err
	} else if n > 0 {
		return nil, switchboard.Errorf(switchboard.EConflict, "Setup is already complete.")
	}
	now := s.now()
	ipKey := "setup-ip:" + c.IP
	if d := s.Throttle.Locked(ctx, ipKey, now); d > 0 {
		return nil, errThrottled(d)
	}
	invalid := func() error {
		s.Throttle.Fail(ctx, ipKey, setupFailures, now)
		return switchboard.Errorf(switchboard.ENotFound, "This setup link is invalid, used or expired.")
	}
	if len(token) > 256 {
		return nil, invalid()
	}
	cur, err := s.Store.SetupTokenByHash(ctx, HashToken(token))
	if switchboard.ErrorCode(err) == switchboard.ENotFound {
		return nil, invalid()
	} else if err != nil {
		return nil, err
	}
	if len(token) > 256 || subtle.ConstantTimeCompare([]byte(HashToken(token)), []byte(cur.Hash)) != 1 || !now.Before(cur.ExpiresAt) {
		return nil, invalid()
	}
	in.RoleID = switchboard.RoleAdmin
	u, err := s.prepareUser(ctx, in)
	if err != nil {
		return nil, err
	}
	actx, done := s.auditing(ctx, &switchboard.Actor{User: u, IP: c.IP, UserAgent: c.UserAgent}, "setup.complete", "user", u.ID, nil)
	if err := s.Store.CompleteSetup(actx, HashToken(token), now, u); err != nil {
		if switchboard.ErrorCode(err) == switchboard.ENotFound {
			return nil, switchboard.Errorf(switchboard.ENotFound, "This setup link is invalid, used or expired.")
		}
		return nil, err
	}
	done()
	s.Throttle.Reset(ctx, ipKey)
	return u, nil
}
