package inbox

import (
	"context"
	"encoding/base32"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/hotp"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/password"
	"github.com/switchboardhq/switchboard/internal/sqlite"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }
func (c *testClock) step() int64         { return c.Now().Unix() / totpPeriod }
func codeAt(t *testing.T, secret string, step int64) string {
	t.Helper()
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		t.Fatal(err)
	}
	c, err := hotp.GenerateCodeCustom(b32.EncodeToString(raw), uint64(step), totpOpts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type tfEnv struct {
	s     *Service
	store switchboard.Store
	clock *testClock
	ctx   context.Context
}

const tfPassword = "correct horse battery staple 42"

func newTFEnv(t *testing.T) *tfEnv {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "test.db"), sqlite.Options{Master: storetest.MasterKey(t), Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	h, err := password.NewHasher(password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 2)
	if err != nil {
		t.Fatal(err)
	}
	s := New(store, nil, h)
	clock := &testClock{t: time.Date(2026, 12, 2, 7, 0, 10, 0, time.UTC)}
	s.Clock = clock
	return &tfEnv{s: s, store: store, clock: clock, ctx: ctx}
}

func (e *tfEnv) user(t *testing.T, login, role string) *switchboard.Actor {
	t.Helper()
	hash, err := e.s.Passwords.Hash(e.ctx, tfPassword)
	if err != nil {
		t.Fatal(err)
	}
	u := &switchboard.User{Login: login, Name: login, RoleID: role, Active: true, PasswordHash: hash}
	if err := e.store.CreateUser(e.ctx, u); err != nil {
		t.Fatal(err)
	}
	return e.actor(t, u.ID)
}

func (e *tfEnv) actor(t *testing.T, id string) *switchboard.Actor {
	t.Helper()
	a, err := e.s.actor(e.ctx, id)
	if err != nil || a == nil {
		t.Fatalf("actor(%s) = %v, %v", id, a, err)
	}
	return a
}

// enrol enrols a and returns the base32 secret and the recovery codes.
func (e *tfEnv) enrol(t *testing.T, a *switchboard.Actor) (string, []string) {
	t.Helper()
	en, err := e.s.BeginTwoFactor(e.ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(en.URI, "otpauth://totp/") || !strings.Contains(en.URI, "secret="+en.Secret) ||
		!strings.HasPrefix(en.QRCode, "data:image/png;base64,") {
		t.Fatalf("enrolment = %+v", en)
	}
	codes, err := e.s.ConfirmTwoFactor(e.ctx, a, codeAt(t, en.Secret, e.clock.step()))
	if err != nil {
		t.Fatal(err)
	}
	return en.Secret, codes
}

// challenge signs in with the password and returns the challenge.
func (e *tfEnv) challenge(t *testing.T, login string) string {
	t.Helper()
	_, _, err := e.s.Login(e.ctx, login, tfPassword, Client{IP: "192.0.2.1"})
	var sf *SecondFactorRequired
	if !errors.As(err, &sf) || sf.Challenge == "" {
		t.Fatalf("Login = %v, want a second-factor challenge", err)
	}
	return sf.Challenge
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if switchboard.ErrorCode(err) != code {
		t.Fatalf("%s: %v, want %s", what, err, code)
	}
}

func TestTwoFactorEnrolConfirmDisable(t *testing.T) {
	e := newTFEnv(t)
	a := e.user(t, "anna", switchboard.RoleEmployee)
	// Without confirmation nothing changes at sign-in.
	en, err := e.s.BeginTwoFactor(e.ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if tok, _, err := e.s.Login(e.ctx, "anna", tfPassword, Client{}); err != nil || tok == "" {
		t.Fatalf("Login with a pending enrolment = %q, %v; want a session", tok, err)
	}
	_, err = e.s.ConfirmTwoFactor(e.ctx, a, "000000")
	if codeAt(t, en.Secret, e.clock.step()) != "000000" {
		wantCode(t, "confirm with a wrong code", err, switchboard.EInvalid)
	}
	codes, err := e.s.ConfirmTwoFactor(e.ctx, a, codeAt(t, en.Secret, e.clock.step()))
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != switchboard.RecoveryCodeCount {
		t.Fatalf("%d recovery codes, want %d", len(codes), switchboard.RecoveryCodeCount)
	}
	if _, err := e.s.BeginTwoFactor(e.ctx, a); switchboard.ErrorCode(err) != switchboard.EConflict {
		t.Errorf("BeginTwoFactor while on: %v, want EConflict", err)
	}
	st, err := e.s.TwoFactorStatus(e.ctx, a)
	if err != nil || !st.Enabled || st.RecoveryCodesLeft != 10 {
		t.Errorf("status = %+v, %v", st, err)
	}
	e.challenge(t, "anna")

	wantCode(t, "disable with a wrong password", e.s.DisableTwoFactor(e.ctx, a, "wrong", ""), switchboard.EInvalid)
	wantCode(t, "disable with nothing", e.s.DisableTwoFactor(e.ctx, a, "", ""), switchboard.EInvalid)
	if err := e.s.DisableTwoFactor(e.ctx, a, tfPassword, ""); err != nil {
		t.Fatal(err)
	}
	if tok, _, err := e.s.Login(e.ctx, "anna", tfPassword, Client{}); err != nil || tok == "" {
		t.Fatalf("Login after disabling = %q, %v; want a session", tok, err)
	}
	// Disabling with a code works too.
	secret, _ := e.enrol(t, a)
	e.clock.Add(30 * time.Second)
	if err := e.s.DisableTwoFactor(e.ctx, a, "", codeAt(t, secret, e.clock.step())); err != nil {
		t.Fatalf("disable with a code: %v", err)
	}
	entries, _, err := e.store.AuditEntries(e.ctx, switchboard.AuditFilter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, en := range entries {
		seen[en.Action+"/"+en.Outcome] = true
	}
	for _, want := range []string{"user.two_factor.enrol/success", "user.two_factor.confirm/failure", "user.two_factor.confirm/success",
		"user.two_factor.disable/failure", "user.two_factor.disable/success"} {
		if !seen[want] {
			t.Errorf("no audit entry %s", want)
		}
	}
}

func TestTwoFactorLoginReplayAndRecovery(t *testing.T) {
	e := newTFEnv(t)
	a := e.user(t, "bert", switchboard.RoleOperator)
	secret, codes := e.enrol(t, a)

	// The step used to confirm cannot be used to sign in.
	ch := e.challenge(t, "bert")
	_, _, err := e.s.LoginSecondFactor(e.ctx, ch, codeAt(t, secret, e.clock.step()), Client{})
	wantCode(t, "confirmation code replayed", err, switchboard.EUnauthorized)

	e.clock.Add(30 * time.Second)
	code := codeAt(t, secret, e.clock.step())
	tok, u, err := e.s.LoginSecondFactor(e.ctx, ch, code, Client{})
	if err != nil || tok == "" || u.ID != a.User.ID {
		t.Fatalf("second step = %q, %v, %v", tok, u, err)
	}
	if _, err := e.s.Authenticate(e.ctx, tok, Client{}); err != nil {
		t.Fatalf("session of the second step: %v", err)
	}
	// A challenge is spent by success; the same code on a new one is a replay.
	_, _, err = e.s.LoginSecondFactor(e.ctx, ch, code, Client{})
	wantCode(t, "spent challenge", err, switchboard.EUnauthorized)
	ch = e.challenge(t, "bert")
	_, _, err = e.s.LoginSecondFactor(e.ctx, ch, code, Client{})
	wantCode(t, "code replayed", err, switchboard.EUnauthorized)
	// One step of clock drift either way is accepted.
	if _, _, err := e.s.LoginSecondFactor(e.ctx, ch, codeAt(t, secret, e.clock.step()+1), Client{}); err != nil {
		t.Fatalf("code of the next step: %v", err)
	}
	ch = e.challenge(t, "bert")
	_, _, err = e.s.LoginSecondFactor(e.ctx, ch, codeAt(t, secret, e.clock.step()+3), Client{})
	wantCode(t, "code three steps ahead", err, switchboard.EUnauthorized)

	// A recovery code works once, with or without its dash, any case.
	rc := strings.ToUpper(strings.ReplaceAll(codes[3], "-", ""))
	if _, _, err := e.s.LoginSecondFactor(e.ctx, ch, rc, Client{}); err != nil {
		t.Fatalf("recovery code: %v", err)
	}
	ch = e.challenge(t, "bert")
	_, _, err = e.s.LoginSecondFactor(e.ctx, ch, codes[3], Client{})
	wantCode(t, "recovery code reused", err, switchboard.EUnauthorized)
	st, _ := e.s.TwoFactorStatus(e.ctx, a)
	if st.RecoveryCodesLeft != 9 {
		t.Errorf("RecoveryCodesLeft = %d, want 9", st.RecoveryCodesLeft)
	}

	// An expired challenge is refused even with a good code.
	ch = e.challenge(t, "bert")
	e.clock.Add(challengeTTL + time.Second)
	_, _, err = e.s.LoginSecondFactor(e.ctx, ch, codeAt(t, secret, e.clock.step()), Client{})
	wantCode(t, "expired challenge", err, switchboard.EUnauthorized)
}

func TestTwoFactorThrottle(t *testing.T) {
	e := newTFEnv(t)
	a := e.user(t, "cora", switchboard.RoleOperator)
	secret, _ := e.enrol(t, a)
	e.clock.Add(30 * time.Second)
	good := codeAt(t, secret, e.clock.step())
	bad := "123456"
	if bad == good || bad == codeAt(t, secret, e.clock.step()-1) || bad == codeAt(t, secret, e.clock.step()+1) {
		bad = "654321"
	}
	var err error
	limited := false
	for i := 0; i < 10 && !limited; i++ {
		ch := e.challenge(t, "cora")
		_, _, err = e.s.LoginSecondFactor(e.ctx, ch, bad, Client{})
		limited = switchboard.ErrorCode(err) == switchboard.ERateLimited
		if !limited {
			wantCode(t, "wrong code", err, switchboard.EUnauthorized)
		}
	}
	if !limited {
		t.Fatal("10 wrong codes were never rate limited")
	}
	// While locked even the right code is refused, before it is checked.
	ch := e.challenge(t, "cora")
	_, _, err = e.s.LoginSecondFactor(e.ctx, ch, good, Client{})
	wantCode(t, "right code while locked", err, switchboard.ERateLimited)
	// A challenge accepts a bounded number of attempts by itself.
	e.clock.Add(time.Hour)
	ch = e.challenge(t, "cora")
	for range challengeAttempts {
		_, _, _ = e.s.LoginSecondFactor(e.ctx, ch, "abcdefghij", Client{})
	}
	e.s.Throttle.Reset(t.Context(), "2fa:"+a.User.ID)
	_, _, err = e.s.LoginSecondFactor(e.ctx, ch, codeAt(t, secret, e.clock.step()), Client{})
	wantCode(t, "challenge past its attempts", err, switchboard.EUnauthorized)
}

// TestTwoFactorConfirmAndDisableThrottled: wrong codes at confirmation
// and wrong passwords at disabling count against the same per-user limit.
func TestTwoFactorConfirmAndDisableThrottled(t *testing.T) {
	e := newTFEnv(t)
	a := e.user(t, "dora", switchboard.RoleOperator)
	en, err := e.s.BeginTwoFactor(e.ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	bad := "123456"
	for d := int64(-1); d <= 1; d++ {
		if codeAt(t, en.Secret, e.clock.step()+d) == bad {
			bad = "654321"
		}
	}
	limited := 0
	for range 8 {
		if _, err := e.s.ConfirmTwoFactor(e.ctx, a, bad); switchboard.ErrorCode(err) == switchboard.ERateLimited {
			limited++
		}
	}
	if limited == 0 {
		t.Fatal("8 wrong confirmation codes were never rate limited")
	}
	_, err = e.s.ConfirmTwoFactor(e.ctx, a, codeAt(t, en.Secret, e.clock.step()))
	wantCode(t, "right code while locked", err, switchboard.ERateLimited)
	e.clock.Add(time.Hour)
	e.enrol(t, a)
	limited = 0
	for range 8 {
		if err := e.s.DisableTwoFactor(e.ctx, a, "wrong password", ""); switchboard.ErrorCode(err) == switchboard.ERateLimited {
			limited++
		}
	}
	if limited == 0 {
		t.Fatal("8 wrong passwords to disable were never rate limited")
	}
	wantCode(t, "right password while locked", e.s.DisableTwoFactor(e.ctx, a, tfPassword, ""), switchboard.ERateLimited)
}

func TestTwoFactorEnforcement(t *testing.T) {
	e := newTFEnv(t)
	admin1 := e.user(t, "admin1", switchboard.RoleAdmin)
	admin2 := e.user(t, "admin2", switchboard.RoleAdmin)
	emp := e.user(t, "emp", switchboard.RoleEmployee)
	if admin2.EnrolmentOnly || emp.EnrolmentOnly {
		t.Fatal("restricted before anyone enrolled")
	}
	e.enrol(t, admin1)
	admin2 = e.actor(t, admin2.User.ID)
	if !admin2.EnrolmentOnly || admin2.Can(switchboard.PermUsersRead) {
		t.Fatalf("unenrolled admin after another enrolled: EnrolmentOnly=%v", admin2.EnrolmentOnly)
	}
	if _, _, err := e.s.Users(e.ctx, admin2, switchboard.UserFilter{}); err == nil {
		t.Error("enrolment-only admin listed users")
	}
	if a := e.actor(t, admin1.User.ID); a.EnrolmentOnly || !a.Can(switchboard.PermUsersManage) {
		t.Error("enrolled admin restricted")
	}
	if a := e.actor(t, emp.User.ID); a.EnrolmentOnly {
		t.Error("employee restricted though the role does not require 2FA")
	}
	admin1 = e.actor(t, admin1.User.ID)
	if _, err := e.s.SetRoleRequireTwoFactor(e.ctx, emp, switchboard.RoleEmployee, true); switchboard.ErrorCode(err) != switchboard.EForbidden {
		t.Errorf("employee sets the flag: %v, want EForbidden", err)
	}
	r, err := e.s.SetRoleRequireTwoFactor(e.ctx, admin1, switchboard.RoleEmployee, true)
	if err != nil || !r.RequireTwoFactor {
		t.Fatalf("SetRoleRequireTwoFactor = %+v, %v", r, err)
	}
	emp = e.actor(t, emp.User.ID)
	if !emp.EnrolmentOnly {
		t.Fatal("employee not restricted after the role requires 2FA")
	}
	// Enrolling lifts the restriction.
	e.enrol(t, emp)
	if a := e.actor(t, emp.User.ID); a.EnrolmentOnly {
		t.Error("restricted after enrolling")
	}
}

func TestTwoFactorReset(t *testing.T) {
	e := newTFEnv(t)
	admin := e.user(t, "admin", switchboard.RoleAdmin)
	e.enrol(t, admin)
	admin = e.actor(t, admin.User.ID)
	hrRole := &switchboard.Role{ID: switchboard.NewID(), Name: "HR", AllChannels: true, ChannelIDs: []string{},
		Permissions: []switchboard.Permission{switchboard.PermUsersRead, switchboard.PermUsersManage, switchboard.PermConversationsReply}}
	if err := e.store.CreateRole(e.ctx, hrRole); err != nil {
		t.Fatal(err)
	}
	hr := e.user(t, "hr", hrRole.ID)
	emp := e.user(t, "emp", switchboard.RoleEmployee)
	op := e.user(t, "op", switchboard.RoleOperator)
	e.enrol(t, emp)
	e.clock.Add(30 * time.Second)

	wantCode(t, "operator resets", e.s.ResetTwoFactor(e.ctx, op, emp.User.ID), switchboard.EForbidden)
	wantCode(t, "employee resets", e.s.ResetTwoFactor(e.ctx, emp, admin.User.ID), switchboard.ENotFound)
	wantCode(t, "HR resets the administrator", e.s.ResetTwoFactor(e.ctx, hr, admin.User.ID), switchboard.EForbidden)
	wantCode(t, "unknown user", e.s.ResetTwoFactor(e.ctx, hr, "nobody"), switchboard.ENotFound)
	if _, err := e.store.TwoFactor(e.ctx, admin.User.ID); err != nil {
		t.Fatal("administrator's 2FA gone after refused resets")
	}
	tok, _, err := e.s.Login(e.ctx, "emp", tfPassword, Client{})
	if err == nil || tok != "" {
		t.Fatal("employee signed in without a second factor")
	}
	if err := e.s.ResetTwoFactor(e.ctx, hr, emp.User.ID); err != nil {
		t.Fatalf("HR resets the employee: %v", err)
	}
	if tok, _, err := e.s.Login(e.ctx, "emp", tfPassword, Client{}); err != nil || tok == "" {
		t.Fatalf("Login after reset = %v", err)
	}
	// With a role that requires 2FA, a reset user must enrol again.
	if _, err := e.s.SetRoleRequireTwoFactor(e.ctx, admin, switchboard.RoleEmployee, true); err != nil {
		t.Fatal(err)
	}
	if a := e.actor(t, emp.User.ID); !a.EnrolmentOnly {
		t.Error("reset employee of a role requiring 2FA is not limited to enrolment")
	}
	entries, _, _ := e.store.AuditEntries(e.ctx, switchboard.AuditFilter{Limit: 200})
	var denied, ok int
	for _, en := range entries {
		if en.Action == "user.two_factor.reset" {
			if en.Outcome == switchboard.OutcomeSuccess {
				ok++
			} else if en.Outcome == switchboard.OutcomeDenied {
				denied++
			}
		}
	}
	if ok != 1 || denied < 2 {
		t.Errorf("reset audit entries: %d success, %d denied", ok, denied)
	}
}

func TestTwoFactorRegenerateRecoveryCodes(t *testing.T) {
	e := newTFEnv(t)
	a := e.user(t, "rita", switchboard.RoleEmployee)
	other := e.user(t, "otto", switchboard.RoleEmployee)
	_, err := e.s.RegenerateRecoveryCodes(e.ctx, other, tfPassword, "123456")
	wantCode(t, "regenerate without two-factor sign-in", err, switchboard.EConflict)

	secret, old := e.enrol(t, a)
	// Use one old code, so the count shows the replacement.
	ch := e.challenge(t, "rita")
	if _, _, err := e.s.LoginSecondFactor(e.ctx, ch, old[0], Client{}); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(30 * time.Second)
	good := codeAt(t, secret, e.clock.step())
	_, err = e.s.RegenerateRecoveryCodes(e.ctx, a, "wrong", good)
	wantCode(t, "wrong password", err, switchboard.EInvalid)
	_, err = e.s.RegenerateRecoveryCodes(e.ctx, a, tfPassword, "")
	wantCode(t, "no code", err, switchboard.EInvalid)
	_, err = e.s.RegenerateRecoveryCodes(e.ctx, a, "", good)
	wantCode(t, "no password", err, switchboard.EInvalid)
	_, err = e.s.RegenerateRecoveryCodes(e.ctx, a, tfPassword, old[1])
	wantCode(t, "a recovery code instead of a TOTP code", err, switchboard.EInvalid)
	bad := "000000"
	for d := int64(-1); d <= 1; d++ {
		if codeAt(t, secret, e.clock.step()+d) == bad {
			bad = "999999"
		}
	}
	_, err = e.s.RegenerateRecoveryCodes(e.ctx, a, tfPassword, bad)
	wantCode(t, "wrong code", err, switchboard.EUnauthorized)

	codes, err := e.s.RegenerateRecoveryCodes(e.ctx, a, tfPassword, good)
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != switchboard.RecoveryCodeCount {
		t.Fatalf("%d codes, want %d", len(codes), switchboard.RecoveryCodeCount)
	}
	for _, c := range codes {
		for _, o := range old {
			if c == o {
				t.Fatalf("new code %s is an old one", c)
			}
		}
	}
	st, err := e.s.TwoFactorStatus(e.ctx, a)
	if err != nil || !st.Enabled || st.RecoveryCodesLeft != switchboard.RecoveryCodeCount {
		t.Errorf("status after regeneration = %+v, %v", st, err)
	}
	// The TOTP step was consumed: the same code cannot regenerate again.
	_, err = e.s.RegenerateRecoveryCodes(e.ctx, a, tfPassword, good)
	wantCode(t, "code replayed", err, switchboard.EUnauthorized)

	// Old codes stop working at once; new ones sign in.
	ch = e.challenge(t, "rita")
	_, _, err = e.s.LoginSecondFactor(e.ctx, ch, old[2], Client{})
	wantCode(t, "old recovery code", err, switchboard.EUnauthorized)
	ch = e.challenge(t, "rita")
	if _, _, err := e.s.LoginSecondFactor(e.ctx, ch, codes[5], Client{}); err != nil {
		t.Fatalf("new recovery code: %v", err)
	}

	entries, _, err := e.store.AuditEntries(e.ctx, switchboard.AuditFilter{Action: "user.two_factor.recovery_codes_regenerate", Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	outcomes := map[string]int{}
	for _, en := range entries {
		if en.ObjectID != a.User.ID || en.ActorID != a.User.ID {
			t.Errorf("entry %+v is not about rita by rita", en)
		}
		outcomes[en.Outcome]++
	}
	if outcomes[switchboard.OutcomeSuccess] != 1 || outcomes[switchboard.OutcomeFailure] != 1 {
		t.Errorf("regenerate entries by outcome = %v, want one success and one failure (wrong password)", outcomes)
	}
	// Each success entry once (written with its action, not again after
	// it), and the chain holds.
	all, err := e.store.AuditChain(e.ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	successes := map[string]int{}
	for _, en := range all {
		if en.Outcome == switchboard.OutcomeSuccess && strings.HasPrefix(en.Action, "user.two_factor.") {
			successes[en.Action]++
		}
	}
	for _, action := range []string{"user.two_factor.enrol", "user.two_factor.confirm", "user.two_factor.recovery_codes_regenerate"} {
		if successes[action] != 1 {
			t.Errorf("%d success entries for %s, want 1", successes[action], action)
		}
	}
	if v, err := switchboard.VerifyAuditChain(e.ctx, e.store, nil); err != nil || v.Break != nil {
		t.Errorf("audit chain: %+v, %v", v.Break, err)
	}
}
