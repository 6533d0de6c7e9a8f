package inbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"

	"github.com/switchboardhq/switchboard"
)

// Two-factor sign-in: TOTP (RFC 6238, SHA-1, 6 digits, 30-second steps,
// the parameters every authenticator app supports) with single-use
// recovery codes. The design is in docs/security.md.

const (
	totpPeriod = 30
	// totpSkew is how many steps before and after the current one a code
	// is accepted for (clock drift between phone and server).
	totpSkew = 1
	// challengeTTL is how long the second step of a sign-in may take.
	challengeTTL = 5 * time.Minute
	// challengeAttempts is how many codes one challenge accepts before it
	// is spent; the per-user throttle applies as well.
	challengeAttempts = 5
	// twoFactorIssuer names the service in authenticator apps.
	twoFactorIssuer = "Switchboard"
)

// SecondFactorRequired is returned by [Service.Login] instead of a session
// when the user has two-factor sign-in on: the caller completes the sign-in
// with [Service.LoginSecondFactor] and Challenge within ExpiresAt.
type SecondFactorRequired struct {
	Challenge string
	ExpiresAt time.Time
	// Methods are the second factors the user has, of "totp",
	// "recovery" and "passkey".
	Methods []string
}

func (e *SecondFactorRequired) Error() string { return "second factor required" }

// Pending second steps live in the store ([switchboard.AuthChallengeStore]),
// so the step may be finished on any instance on the database. A login
// challenge's key is loginChallengeKey of the token the client holds: the
// store never sees the token, and a key derived from a hash cannot be one
// of another kind's.
func loginChallengeKey(token string) string { return "login:" + HashToken(token) }

// takeChallenge counts an attempt on the challenge under key and returns
// it, or nil if the challenge is unknown, expired or spent (a spent one is
// deleted). With passkey it also hands out, and forgets, the pending
// assertion state, which may be nil: each assertion is checked once.
func (s *Service) takeChallenge(ctx context.Context, key string, now time.Time, passkey bool) (*switchboard.AuthChallenge, []byte, error) {
	var state []byte
	c, err := s.Store.UpdateAuthChallenge(ctx, key, now, func(c *switchboard.AuthChallenge) switchboard.AuthChallengeChange {
		state = nil
		c.Attempts++
		if c.Attempts > challengeAttempts {
			return switchboard.AuthChallengeDelete
		}
		if passkey {
			state, c.State = c.State, nil
		}
		return switchboard.AuthChallengeSave
	})
	if switchboard.ErrorCode(err) == switchboard.ENotFound || (err == nil && c.Attempts > challengeAttempts) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return c, state, nil
}

// peekChallenge returns the live challenge under key without counting an
// attempt, or nil.
func (s *Service) peekChallenge(ctx context.Context, key string, now time.Time) (*switchboard.AuthChallenge, error) {
	c, err := s.Store.UpdateAuthChallenge(ctx, key, now, func(*switchboard.AuthChallenge) switchboard.AuthChallengeChange {
		return switchboard.AuthChallengeKeep
	})
	if switchboard.ErrorCode(err) == switchboard.ENotFound || (err == nil && c.Attempts >= challengeAttempts) {
		return nil, nil
	}
	return c, err
}

// finishChallenge consumes the challenge under key for userID once its
// answer was right: of two right answers racing (on any instances) only
// one opens a session.
func (s *Service) finishChallenge(ctx context.Context, key, userID string, now time.Time) error {
	c, err := s.Store.TakeAuthChallenge(ctx, key, now)
	if switchboard.ErrorCode(err) == switchboard.ENotFound || (err == nil && c.UserID != userID) {
		return errSecondFactor()
	}
	return err
}

// dropChallenge forgets the challenge under key.
func (s *Service) dropChallenge(ctx context.Context, key string, now time.Time) {
	_, _ = s.Store.TakeAuthChallenge(ctx, key, now)
}

// secondFactorMethods returns the second factors the user can sign in
// with: "totp" and "recovery" with confirmed TOTP, "passkey" with a
// passkey while passkeys are on.
func (s *Service) secondFactorMethods(ctx context.Context, userID string) ([]string, error) {
	var methods []string
	tf, err := s.Store.TwoFactor(ctx, userID)
	if err == nil && tf.Confirmed {
		methods = append(methods, "totp", "recovery")
	} else if err != nil && switchboard.ErrorCode(err) != switchboard.ENotFound {
		return nil, err
	}
	keys, err := s.usablePasskeys(ctx, userID)
	if err != nil {
		return nil, err
	}
	if len(keys) > 0 {
		methods = append(methods, "passkey")
	}
	return methods, nil
}

// secondFactorChallenge is called by Login after a correct password: for a
// user with a second factor (confirmed TOTP or a passkey) it returns a
// *SecondFactorRequired (and no session is created); otherwise nil.
func (s *Service) secondFactorChallenge(ctx context.Context, u *switchboard.User, c Client, now time.Time) error {
	methods, err := s.secondFactorMethods(ctx, u.ID)
	if err != nil {
		return err
	}
	if len(methods) == 0 {
		return nil
	}
	token, _ := newToken()
	exp := now.Add(challengeTTL)
	if err := s.Store.PutAuthChallenge(ctx, &switchboard.AuthChallenge{Key: loginChallengeKey(token), UserID: u.ID, ExpiresAt: exp}); err != nil {
		return err
	}
	s.audit(ctx, &switchboard.Actor{User: u, IP: c.IP, UserAgent: c.UserAgent}, "session.login", "user", u.ID,
		switchboard.OutcomeSuccess, map[string]string{"step": "password", "second_factor": "required"})
	return &SecondFactorRequired{Challenge: token, ExpiresAt: exp, Methods: methods}
}

func errSecondFactor() error {
	return switchboard.Errorf(switchboard.EUnauthorized, "The code is wrong or the sign-in has expired.")
}

// LoginSecondFactor completes a sign-in that [Service.Login] answered with
// a challenge: code is the current TOTP code or an unused recovery code.
// Failures count against the user's two-factor throttle and the challenge's
// own attempt limit.
func (s *Service) LoginSecondFactor(ctx context.Context, challengeToken, code string, c Client) (token string, u *switchboard.User, err error) {
	now := s.now()
	if challengeToken == "" || len(challengeToken) > 128 || len(code) > 64 {
		return "", nil, errSecondFactor()
	}
	key := loginChallengeKey(challengeToken)
	ch, _, err := s.takeChallenge(ctx, key, now, false)
	if err != nil {
		return "", nil, err
	}
	if ch == nil {
		s.audit(ctx, &switchboard.Actor{IP: c.IP, UserAgent: c.UserAgent}, "session.second_factor", "user", "",
			switchboard.OutcomeFailure, map[string]string{"reason": "unknown or expired challenge"})
		return "", nil, errSecondFactor()
	}
	u, err = s.Store.User(ctx, ch.UserID)
	if err != nil {
		return "", nil, err
	}
	a := &switchboard.Actor{User: u, IP: c.IP, UserAgent: c.UserAgent}
	if !u.Active {
		s.dropChallenge(ctx, key, now)
		return "", nil, errSecondFactor()
	}
	method, err := s.checkSecondFactor(ctx, a, code, now)
	if err != nil {
		return "", nil, err
	}
	if err := s.finishChallenge(ctx, key, u.ID, now); err != nil {
		return "", nil, err
	}
	token, err = s.openSession(ctx, u, c, now)
	if err != nil {
		return "", nil, err
	}
	s.audit(ctx, a, "session.login", "user", u.ID, switchboard.OutcomeSuccess, map[string]string{"second_factor": method})
	return token, u, nil
}

// openSession creates a session for u and returns its token.
func (s *Service) openSession(ctx context.Context, u *switchboard.User, c Client, now time.Time) (string, error) {
	token, hash := newToken()
	sess := &switchboard.Session{
		ID: hash, UserID: u.ID, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(s.SessionMax), IP: c.IP, UserAgent: truncate(c.UserAgent, 256),
	}
	if err := s.Store.CreateSession(ctx, sess); err != nil {
		return "", err
	}
	return token, nil
}

// checkSecondFactor checks a TOTP or recovery code of a.User's confirmed
// enrolment under the per-user throttle, consumes it (the time step, or
// the recovery code) and audits the outcome. It returns "totp" or
// "recovery_code".
func (s *Service) checkSecondFactor(ctx context.Context, a *switchboard.Actor, code string, now time.Time) (string, error) {
	key := "2fa:" + a.User.ID
	if d := s.Throttle.Begin(ctx, key, s.Throttle.opts.AccountFailures, now); d > 0 {
		s.audit(ctx, a, "session.second_factor", "user", a.User.ID, switchboard.OutcomeDenied, map[string]string{"reason": "throttled"})
		return "", &switchboard.Error{Code: switchboard.ERateLimited,
			Message: "Too many wrong codes. Try again later.", RetryAfter: max(int(d.Seconds()+0.999), 1)}
	}
	settled := false
	defer func() {
		if !settled {
			s.Throttle.Abandon(ctx, key)
		}
	}()
	fail := func(reason string) error {
		settled = true
		d := s.Throttle.Fail(ctx, key, s.Throttle.opts.AccountFailures, now)
		s.audit(ctx, a, "session.second_factor", "user", a.User.ID, switchboard.OutcomeFailure, map[string]string{"reason": reason})
		if d > 0 {
			return &switchboard.Error{Code: switchboard.ERateLimited,
				Message: "Too many wrong codes. Try again later.", RetryAfter: max(int(d.Seconds()+0.999), 1)}
		}
		return errSecondFactor()
	}
	tf, err := s.Store.TwoFactor(ctx, a.User.ID)
	if switchboard.ErrorCode(err) == switchboard.ENotFound || (err == nil && !tf.Confirmed) {
		return "", fail("not enrolled")
	} else if err != nil {
		return "", err
	}
	norm := normaliseCode(code)
	if isTOTPCode(norm) {
		step, ok := matchTOTP(tf.Secret, norm, now, tf.LastStep)
		if !ok {
			return "", fail("wrong code")
		}
		if err := s.Store.UseTwoFactorStep(ctx, a.User.ID, step); switchboard.ErrorCode(err) == switchboard.EConflict {
			return "", fail("code replayed")
		} else if err != nil {
			return "", err
		}
		s.Throttle.Reset(ctx, key)
		settled = true
		return "totp", nil
	}
	if len(norm) != recoveryCodeLen {
		return "", fail("wrong code")
	}
	if err := s.Store.UseRecoveryCode(ctx, a.User.ID, hashRecoveryCode(a.User.ID, norm), now); switchboard.ErrorCode(err) == switchboard.ENotFound {
		return "", fail("wrong recovery code")
	} else if err != nil {
		return "", err
	}
	s.Throttle.Reset(ctx, key)
	settled = true
	s.audit(ctx, a, "user.two_factor.recovery_code_used", "user", a.User.ID, switchboard.OutcomeSuccess, nil)
	return "recovery_code", nil
}

func normaliseCode(code string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(code) {
		if r == ' ' || r == '-' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isTOTPCode(s string) bool {
	if len(s) != switchboard.TwoFactorCodeLength {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

var totpOpts = hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// matchTOTP returns the time step within ±totpSkew of now whose code is
// code and that is newer than lastStep. Every candidate is compared, in
// constant time, whatever matched before.
func matchTOTP(secret []byte, code string, now time.Time, lastStep int64) (int64, bool) {
	cur := now.Unix() / totpPeriod
	key := b32.EncodeToString(secret)
	var found int64
	ok := false
	for step := cur - totpSkew; step <= cur+totpSkew; step++ {
		want, err := hotp.GenerateCodeCustom(key, uint64(step), totpOpts)
		if err != nil {
			continue
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && step > lastStep {
			found, ok = step, true
		}
	}
	return found, ok
}

// Recovery codes are 10 characters of the base32 alphabet (50 bits),
// shown as xxxxx-xxxxx. They are stored as SHA-256 of user id and code: a
// fast hash suffices for random secrets of that size behind a throttle.
const recoveryCodeLen = 10

func newRecoveryCode() string {
	var b [7]byte
	_, _ = rand.Read(b[:])
	s := strings.ToLower(b32.EncodeToString(b[:]))[:recoveryCodeLen]
	return s[:5] + "-" + s[5:]
}

func hashRecoveryCode(userID, norm string) string {
	sum := sha256.Sum256([]byte("switchboard recovery code\x00" + userID + "\x00" + norm))
	return hex.EncodeToString(sum[:])
}

// TwoFactorEnrolment is what a user needs to add Switchboard to an
// authenticator app. It is shown once.
type TwoFactorEnrolment struct {
	// URI is the otpauth:// URI (what the QR code holds).
	URI string `json:"uri"`
	// Secret is the key in base32, for typing in by hand.
	Secret string `json:"secret"`
	// QRCode is a PNG data: URL of the QR code of URI.
	QRCode string `json:"qr_code"`
}

// TwoFactorStatus is a user's own view of their two-factor sign-in.
type TwoFactorStatus struct {
	Enabled           bool `json:"enabled"`
	Pending           bool `json:"pending"`  // enrolment started, not confirmed
	Required          bool `json:"required"` // their role requires it
	RecoveryCodesLeft int  `json:"recovery_codes_left"`
	// Passkeys is how many usable passkeys the user has (0 while
	// passkeys are off); they count as a second factor too.
	Passkeys int `json:"passkeys"`
}

// TwoFactorStatus returns the actor's own two-factor state.
func (s *Service) TwoFactorStatus(ctx context.Context, a *switchboard.Actor) (*TwoFactorStatus, error) {
	st := &TwoFactorStatus{}
	tf, err := s.Store.TwoFactor(ctx, a.User.ID)
	if err == nil {
		st.Enabled, st.Pending, st.RecoveryCodesLeft = tf.Confirmed, !tf.Confirmed, tf.RecoveryCodesLeft
	} else if switchboard.ErrorCode(err) != switchboard.ENotFound {
		return nil, err
	}
	if st.Required, err = s.TwoFactorRequired(ctx, a.Role); err != nil {
		return nil, err
	}
	keys, err := s.usablePasskeys(ctx, a.User.ID)
	if err != nil {
		return nil, err
	}
	st.Passkeys = len(keys)
	return st, nil
}

// TwoFactorRequired reports whether users holding r must use two-factor
// sign-in: the role's flag, or, for the built-in admin role, as soon as
// at least one active administrator has enrolled.
func (s *Service) TwoFactorRequired(ctx context.Context, r *switchboard.Role) (bool, error) {
	if r == nil {
		return false, nil
	}
	if r.RequireTwoFactor {
		return true, nil
	}
	if r.ID == switchboard.RoleAdmin {
		return s.Store.RoleHasTwoFactor(ctx, switchboard.RoleAdmin)
	}
	return false, nil
}

// enrolmentOnly reports whether a's session must be limited to enrolment:
// their role requires two-factor sign-in and they have no second factor
// (confirmed TOTP, or a passkey while passkeys are on).
func (s *Service) enrolmentOnly(ctx context.Context, a *switchboard.Actor) (bool, error) {
	req, err := s.TwoFactorRequired(ctx, a.Role)
	if err != nil || !req {
		return false, err
	}
	methods, err := s.secondFactorMethods(ctx, a.User.ID)
	if err != nil {
		return false, err
	}
	return len(methods) == 0, nil
}

// BeginTwoFactor starts (or restarts) the actor's enrolment with a new
// secret generated here. Two-factor sign-in is not on until
// [Service.ConfirmTwoFactor]. An enabled enrolment must be disabled first.
func (s *Service) BeginTwoFactor(ctx context.Context, a *switchboard.Actor) (*TwoFactorEnrolment, error) {
	tf, err := s.Store.TwoFactor(ctx, a.User.ID)
	if err == nil && tf.Confirmed {
		return nil, switchboard.Errorf(switchboard.EConflict, "Two-factor sign-in is already on; turn it off first.")
	} else if err != nil && switchboard.ErrorCode(err) != switchboard.ENotFound {
		return nil, err
	}
	secret := make([]byte, 20)
	_, _ = rand.Read(secret)
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: twoFactorIssuer, AccountName: a.User.Login, Secret: secret,
		Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return nil, err
	}
	actx, done := s.auditing(ctx, a, "user.two_factor.enrol", "user", a.User.ID, nil)
	if err := s.Store.PutTwoFactor(actx, &switchboard.TwoFactor{UserID: a.User.ID, Secret: secret, CreatedAt: s.now()}); err != nil {
		return nil, err
	}
	done()
	out := &TwoFactorEnrolment{URI: key.URL(), Secret: key.Secret()}
	if img, err := key.Image(240, 240); err == nil {
		var buf bytes.Buffer
		if png.Encode(&buf, img) == nil {
			out.QRCode = "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())
		}
	}
	return out, nil
}

// ConfirmTwoFactor turns two-factor sign-in on with a first valid code of
// the pending enrolment, and returns the recovery codes, shown only now.
func (s *Service) ConfirmTwoFactor(ctx context.Context, a *switchboard.Actor, code string) ([]string, error) {
	now := s.now()
	key := "2fa:" + a.User.ID
	if d := s.Throttle.Begin(ctx, key, s.Throttle.opts.AccountFailures, now); d > 0 {
		return nil, &switchboard.Error{Code: switchboard.ERateLimited, Message: "Too many wrong codes. Try again later.",
			RetryAfter: max(int(d.Seconds()+0.999), 1)}
	}
	failed := false
	defer func() {
		if !failed {
			s.Throttle.Abandon(ctx, key)
		}
	}()
	tf, err := s.Store.TwoFactor(ctx, a.User.ID)
	if switchboard.ErrorCode(err) == switchboard.ENotFound {
		return nil, switchboard.Errorf(switchboard.EConflict, "Start the enrolment first.")
	} else if err != nil {
		return nil, err
	}
	if tf.Confirmed {
		return nil, switchboard.Errorf(switchboard.EConflict, "Two-factor sign-in is already on.")
	}
	norm := normaliseCode(code)
	var st int64
	ok := false
	if isTOTPCode(norm) {
		st, ok = matchTOTP(tf.Secret, norm, now, tf.LastStep)
	}
	if !ok {
		failed = true
		s.Throttle.Fail(ctx, key, s.Throttle.opts.AccountFailures, now)
		s.audit(ctx, a, "user.two_factor.confirm", "user", a.User.ID, switchboard.OutcomeFailure, map[string]string{"reason": "wrong code"})
		return nil, switchboard.Errorf(switchboard.EInvalid, "The code is wrong. Check the time on your phone and try the current code.")
	}
	codes, hashes := newRecoveryCodes(a.User.ID)
	actx, done := s.auditing(ctx, a, "user.two_factor.confirm", "user", a.User.ID, nil)
	if err := s.Store.ConfirmTwoFactor(actx, a.User.ID, st, hashes, now); err != nil {
		return nil, err
	}
	done()
	s.Throttle.Reset(ctx, key)
	return codes, nil
}

// DisableTwoFactor turns the actor's two-factor sign-in off (or abandons a
// pending enrolment). It needs the current password or a valid code. A role
// that requires two-factor sign-in limits the session to enrolment again.
func (s *Service) DisableTwoFactor(ctx context.Context, a *switchboard.Actor, password, code string) error {
	if len(password) > 1024 || len(code) > 64 {
		return switchboard.Errorf(switchboard.EInvalid, "Password or code is too long.")
	}
	tf, err := s.Store.TwoFactor(ctx, a.User.ID)
	if switchboard.ErrorCode(err) == switchboard.ENotFound {
		return nil
	} else if err != nil {
		return err
	}
	switch {
	case tf.Confirmed && code != "":
		if _, err := s.checkSecondFactor(ctx, a, code, s.now()); err != nil {
			return err
		}
	case password != "":
		if err := s.confirmPassword(ctx, a, password, "user.two_factor.disable", nil, s.now()); err != nil {
			return err
		}
	default:
		return switchboard.Errorf(switchboard.EInvalid, "Give your password or a current code.")
	}
	actx, done := s.auditing(ctx, a, "user.two_factor.disable", "user", a.User.ID, nil)
	if err := s.Store.DeleteTwoFactor(actx, a.User.ID); err != nil {
		return err
	}
	done()
	return nil
}

// RegenerateRecoveryCodes replaces the actor's recovery codes with new
// ones, shown only now; the old ones, used or not, stop working at once.
// It needs two-factor sign-in on and both the current password and a
// current TOTP code (not a recovery code: a user who has lost the phone
// should turn two-factor sign-in off and enrol again). Both are checked
// under the user's two-factor throttle, like [Service.DisableTwoFactor].
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, a *switchboard.Actor, password, code string) ([]string, error) {
	if len(password) > 1024 || len(code) > 64 {
		return nil, switchboard.Errorf(switchboard.EInvalid, "Password or code is too long.")
	}
	if password == "" || code == "" {
		return nil, switchboard.Errorf(switchboard.EInvalid, "Give your password and the current code from your app.")
	}
	if !isTOTPCode(normaliseCode(code)) {
		return nil, switchboard.Errorf(switchboard.EInvalid, "Give the current 6-digit code from your app, not a recovery code.")
	}
	tf, err := s.Store.TwoFactor(ctx, a.User.ID)
	if switchboard.ErrorCode(err) == switchboard.ENotFound || (err == nil && !tf.Confirmed) {
		return nil, switchboard.Errorf(switchboard.EConflict, "Two-factor sign-in is not on.")
	} else if err != nil {
		return nil, err
	}
	now := s.now()
	if err := s.confirmPassword(ctx, a, password, "user.two_factor.recovery_codes_regenerate", nil, now); err != nil {
		return nil, err
	}
	// The code is checked (and its time step consumed) like a sign-in's.
	if _, err := s.checkSecondFactor(ctx, a, code, now); err != nil {
		return nil, err
	}
	codes, hashes := newRecoveryCodes(a.User.ID)
	actx, done := s.auditing(ctx, a, "user.two_factor.recovery_codes_regenerate", "user", a.User.ID, nil)
	if err := s.Store.ReplaceRecoveryCodes(actx, a.User.ID, hashes); err != nil {
		return nil, err
	}
	done()
	return codes, nil
}

// newRecoveryCodes returns a fresh set of recovery codes for a user and
// their hashes as stored.
func newRecoveryCodes(userID string) (codes, hashes []string) {
	codes = make([]string, switchboard.RecoveryCodeCount)
	hashes = make([]string, len(codes))
	for i := range codes {
		codes[i] = newRecoveryCode()
		hashes[i] = hashRecoveryCode(userID, normaliseCode(codes[i]))
	}
	return codes, hashes
}

// ResetTwoFactor removes another user's two-factor enrolment and passkeys,
// for a user who lost their phone and recovery codes. It needs users.manage and the
// actor must be able to create that user ([switchboard.Role.Covers]); users
// the actor may not see get ENotFound. The user's sessions end; if their
// role requires two-factor sign-in they must enrol again at next sign-in.
func (s *Service) ResetTwoFactor(ctx context.Context, a *switchboard.Actor, userID string) error {
	if !a.Can(switchboard.PermUsersManage) {
		s.audit(ctx, a, "user.two_factor.reset", "user", userID, switchboard.OutcomeDenied, nil)
		if !a.Can(switchboard.PermUsersRead) {
			return switchboard.NotFound("User")
		}
		return forbidden()
	}
	target, err := s.User(ctx, a, userID)
	if err != nil {
		return err
	}
	if target.ID == a.User.ID {
		return switchboard.Errorf(switchboard.EInvalid, "Turn your own two-factor sign-in off under My account.")
	}
	if err := s.mayGrantRole(ctx, a, target.RoleID); err != nil {
		s.audit(ctx, a, "user.two_factor.reset", "user", userID, switchboard.OutcomeDenied, nil)
		if switchboard.ErrorCode(err) == switchboard.EInvalid {
			return forbidden()
		}
		return err
	}
	actx, done := s.auditing(ctx, a, "user.two_factor.reset", "user", target.ID, nil)
	if err := s.Store.DeleteTwoFactor(actx, target.ID); err != nil {
		return err
	}
	done() // the reset is the enrolment's removal; ending the sessions follows
	if err := s.Store.DeletePasskeys(ctx, target.ID); err != nil {
		return err
	}
	if err := s.Store.DeleteUserSessions(ctx, target.ID); err != nil {
		return err
	}
	s.disconnect(target.ID)
	return nil
}

// SetRoleRequireTwoFactor sets whether a role requires two-factor sign-in.
// It needs roles.manage and a role covering the target, like any role
// edit; unlike other edits it is allowed on the built-in roles (except the
// actor's own).
func (s *Service) SetRoleRequireTwoFactor(ctx context.Context, a *switchboard.Actor, roleID string, on bool) (*switchboard.Role, error) {
	if !a.Can(switchboard.PermRolesManage) {
		s.audit(ctx, a, "role.update", "role", roleID, switchboard.OutcomeDenied, nil)
		return nil, forbidden()
	}
	cur, err := s.Store.Role(ctx, roleID)
	if err != nil {
		return nil, err
	}
	if roleID == a.User.RoleID && !on {
		s.audit(ctx, a, "role.update", "role", roleID, switchboard.OutcomeDenied, map[string]string{"reason": "own role"})
		return nil, switchboard.Errorf(switchboard.EForbidden, "You cannot change the role you hold yourself.")
	}
	if !a.Role.Covers(cur) {
		s.audit(ctx, a, "role.update", "role", roleID, switchboard.OutcomeDenied, nil)
		return nil, roleTooBroad()
	}
	v := "false"
	if on {
		v = "true"
	}
	actx, done := s.auditing(ctx, a, "role.update", "role", roleID, map[string]string{"require_two_factor": v})
	r, err := s.Store.SetRoleRequireTwoFactor(actx, roleID, on, s.now())
	if err != nil {
		return nil, err
	}
	done()
	return r, nil
}

// confirmPassword checks the actor's password again before a change to
// their second factors, under the same per-user throttle as the codes
// (reserved before hashing, so a concurrent burst gets no more guesses
// than a sequential one). A wrong password is audited as a failure of
// action with detail and the reason.
func (s *Service) confirmPassword(ctx context.Context, a *switchboard.Actor, password, action string, detail map[string]string, now time.Time) error {
	key := "2fa:" + a.User.ID
	if d := s.Throttle.Begin(ctx, key, s.Throttle.opts.AccountFailures, now); d > 0 {
		return &switchboard.Error{Code: switchboard.ERateLimited, Message: "Too many wrong attempts. Try again later.",
			RetryAfter: max(int(d.Seconds()+0.999), 1)}
	}
	ok, err := s.Passwords.Verify(ctx, a.User.PasswordHash, password)
	if err != nil || ok {
		s.Throttle.Abandon(ctx, key)
	}
	if err != nil {
		return err
	}
	if !ok {
		s.Throttle.Fail(ctx, key, s.Throttle.opts.AccountFailures, now)
		d := map[string]string{"reason": "wrong password"}
		for k, v := range detail {
			d[k] = v
		}
		s.audit(ctx, a, action, "user", a.User.ID, switchboard.OutcomeFailure, d)
		return switchboard.Errorf(switchboard.EInvalid, "The password is wrong.")
	}
	return nil
}
