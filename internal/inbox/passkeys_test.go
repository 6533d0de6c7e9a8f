package inbox

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/passkeytest"
)

const pkOrigin = "http://localhost:8080"

func newPKEnv(t *testing.T) (*tfEnv, *passkeytest.Authenticator) {
	t.Helper()
	e := newTFEnv(t)
	pk, err := NewPasskeys(pkOrigin)
	if err != nil {
		t.Fatal(err)
	}
	e.s.Passkeys = pk
	return e, passkeytest.New(pkOrigin, "localhost")
}

func jsonOf(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// register registers a passkey of auth for a and returns the credential.
func (e *tfEnv) registerPasskey(t *testing.T, a *switchboard.Actor, auth *passkeytest.Authenticator, name string) (*passkeytest.Credential, *PasskeyView) {
	t.Helper()
	opts, err := e.s.BeginPasskeyRegistration(e.ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if opts.RP.ID != "localhost" || opts.Attestation != "none" || len(opts.PubKeyCredParams) == 0 {
		t.Fatalf("creation options = %+v", opts)
	}
	cred, resp, err := auth.Create(jsonOf(t, opts))
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.s.FinishPasskeyRegistration(e.ctx, a, name, resp)
	if err != nil {
		t.Fatalf("FinishPasskeyRegistration: %v", err)
	}
	return cred, v
}

// passkeyChallenge signs in with the password, checks passkey is offered
// and returns the challenge and the request options.
func (e *tfEnv) passkeyChallenge(t *testing.T, login string) (string, []byte) {
	t.Helper()
	_, _, err := e.s.Login(e.ctx, login, tfPassword, Client{IP: "192.0.2.1"})
	var sf *SecondFactorRequired
	if !errors.As(err, &sf) || !slices.Contains(sf.Methods, "passkey") {
		t.Fatalf("Login = %v (%+v), want a challenge offering a passkey", err, sf)
	}
	opts, err := e.s.BeginPasskeySignIn(e.ctx, sf.Challenge)
	if err != nil {
		t.Fatal(err)
	}
	if opts.RPID != "localhost" || len(opts.AllowCredentials) == 0 {
		t.Fatalf("request options = %+v", opts)
	}
	return sf.Challenge, jsonOf(t, opts)
}

// TestPasskeyRegisterSignInDelete: a registered passkey is a second
// factor (also for a role that requires one, without TOTP); a wrong
// signature and a counter that went backwards are refused; deleting needs
// the password; an admin reset removes passkeys.
func TestPasskeyRegisterSignInDelete(t *testing.T) {
	e, auth := newPKEnv(t)
	a := e.user(t, "pia", switchboard.RoleOperator)

	// The role requires two-factor sign-in: without a factor the session
	// is limited to enrolment; a passkey alone satisfies it.
	_, err := e.s.SetRoleRequireTwoFactor(e.ctx, e.user(t, "root", switchboard.RoleAdmin), switchboard.RoleOperator, true)
	if err != nil {
		t.Fatal(err)
	}
	a = e.actor(t, a.User.ID)
	if !a.EnrolmentOnly {
		t.Fatal("operator without a second factor is not limited to enrolment")
	}
	cred, v := e.registerPasskey(t, a, auth, "  Laptop ")
	if v.Name != "Laptop" || v.LastUsedAt != nil {
		t.Errorf("registered = %+v", v)
	}
	if a = e.actor(t, a.User.ID); a.EnrolmentOnly {
		t.Error("operator with a passkey is still limited to enrolment")
	}
	if st, err := e.s.TwoFactorStatus(e.ctx, a); err != nil || st.Passkeys != 1 || st.Enabled || !st.Required {
		t.Errorf("TwoFactorStatus = %+v, %v; want 1 passkey", st, err)
	}
	list, err := e.s.ListPasskeys(e.ctx, a)
	if err != nil || !list.Available || list.RPID != "localhost" || len(list.Passkeys) != 1 {
		t.Fatalf("ListPasskeys = %+v, %v", list, err)
	}

	// Registering the same authenticator's credential again is refused by
	// the exclusion list on the browser's side; a replayed response is
	// refused here: the registration was used up.
	if _, err := e.s.FinishPasskeyRegistration(e.ctx, a, "Again", []byte(`{}`)); switchboard.ErrorCode(err) != switchboard.EConflict {
		t.Errorf("finish without a pending registration: %v, want EConflict", err)
	}
	if _, err := e.s.BeginPasskeyRegistration(e.ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.FinishPasskeyRegistration(e.ctx, a, "", []byte(`{}`)); switchboard.ErrorCode(err) != switchboard.EInvalid {
		t.Errorf("empty name: %v, want EInvalid", err)
	}

	// Sign in: password, then the passkey.
	ch, opts := e.passkeyChallenge(t, "pia")
	if _, _, err := e.s.LoginSecondFactor(e.ctx, ch, "123456", Client{}); switchboard.ErrorCode(err) != switchboard.EUnauthorized {
		t.Errorf("TOTP code without TOTP: %v", err)
	}
	resp, err := auth.Get(opts, passkeytest.Assertion{})
	if err != nil {
		t.Fatal(err)
	}
	token, u, err := e.s.LoginPasskey(e.ctx, ch, resp, Client{IP: "192.0.2.1"})
	if err != nil || token == "" || u.ID != a.User.ID {
		t.Fatalf("LoginPasskey = %q, %v, %v", token, u, err)
	}
	if _, err := e.s.Authenticate(e.ctx, token, Client{}); err != nil {
		t.Fatalf("session of the passkey sign-in: %v", err)
	}
	// The challenge is spent; the same response again is refused.
	if _, _, err := e.s.LoginPasskey(e.ctx, ch, resp, Client{}); switchboard.ErrorCode(err) != switchboard.EUnauthorized {
		t.Errorf("replayed sign-in: %v, want EUnauthorized", err)
	}
	list, _ = e.s.ListPasskeys(e.ctx, a)
	if list.Passkeys[0].LastUsedAt == nil {
		t.Error("last_used_at not set after sign-in")
	}

	// A wrong signature is refused.
	ch, opts = e.passkeyChallenge(t, "pia")
	resp, _ = auth.Get(opts, passkeytest.Assertion{BadSignature: true})
	if _, _, err := e.s.LoginPasskey(e.ctx, ch, resp, Client{}); switchboard.ErrorCode(err) != switchboard.EUnauthorized {
		t.Errorf("wrong signature: %v, want EUnauthorized", err)
	}
	// The assertion state is used once: the right response needs new options.
	resp, _ = auth.Get(opts, passkeytest.Assertion{})
	if _, _, err := e.s.LoginPasskey(e.ctx, ch, resp, Client{}); switchboard.ErrorCode(err) != switchboard.EConflict {
		t.Errorf("second answer to one set of options: %v, want EConflict", err)
	}

	// A counter that went backwards (a cloned authenticator) is refused.
	cred.Counter = 0
	ch, opts = e.passkeyChallenge(t, "pia")
	resp, _ = auth.Get(opts, passkeytest.Assertion{}) // counter 1, stored is 1
	if _, _, err := e.s.LoginPasskey(e.ctx, ch, resp, Client{}); switchboard.ErrorCode(err) != switchboard.EUnauthorized {
		t.Errorf("sign count regression: %v, want EUnauthorized", err)
	}
	var entries []*switchboard.AuditEntry
	entries, _, _ = e.store.AuditEntries(e.ctx, switchboard.AuditFilter{Action: "session.second_factor", Limit: 100})
	reasons := map[string]bool{}
	for _, en := range entries {
		if en.Detail["method"] == "passkey" {
			reasons[en.Detail["reason"]] = true
		}
	}
	if !reasons["verification failed"] || !reasons["signature counter went backwards"] {
		t.Errorf("audited passkey failures = %v", reasons)
	}
	cred.Counter = 10
	e.s.Throttle.Reset(t.Context(), "2fa:"+a.User.ID)

	// Deleting needs the password.
	a = e.actor(t, a.User.ID)
	a.SessionID = "s"
	if err := e.s.DeletePasskey(e.ctx, a, v.ID, ""); switchboard.ErrorCode(err) != switchboard.EInvalid {
		t.Errorf("delete without password: %v", err)
	}
	if err := e.s.DeletePasskey(e.ctx, a, v.ID, "wrong password"); switchboard.ErrorCode(err) != switchboard.EInvalid {
		t.Errorf("delete with a wrong password: %v", err)
	}
	other := e.user(t, "otto", switchboard.RoleOperator)
	other.SessionID = "s2"
	if err := e.s.DeletePasskey(e.ctx, other, v.ID, tfPassword); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Errorf("delete another user's passkey: %v, want ENotFound", err)
	}
	if err := e.s.DeletePasskey(e.ctx, a, v.ID, tfPassword); err != nil {
		t.Fatal(err)
	}
	if a = e.actor(t, a.User.ID); !a.EnrolmentOnly {
		t.Error("after deleting the only passkey the session is not limited to enrolment again")
	}
	if _, _, err := e.s.Login(e.ctx, "pia", tfPassword, Client{}); err != nil {
		t.Errorf("Login without second factors: %v, want a session", err)
	}

	// An admin reset removes passkeys too.
	e.registerPasskey(t, a, auth, "Phone")
	admin := e.user(t, "adam", switchboard.RoleAdmin)
	if err := e.s.ResetTwoFactor(e.ctx, admin, a.User.ID); err != nil {
		t.Fatal(err)
	}
	if keys, _ := e.store.Passkeys(e.ctx, a.User.ID); len(keys) != 0 {
		t.Errorf("passkeys after reset: %d", len(keys))
	}
	for _, action := range []string{"user.passkey.register", "user.passkey.delete"} {
		if entries, _, _ := e.store.AuditEntries(e.ctx, switchboard.AuditFilter{Action: action, Limit: 10}); len(entries) == 0 {
			t.Errorf("no %s audit entry", action)
		}
	}
}

// TestPasskeyMethodsAndThrottle: the challenge lists what the user has;
// failed passkey answers count against the per-user two-factor throttle.
func TestPasskeyMethodsAndThrottle(t *testing.T) {
	e, auth := newPKEnv(t)
	a := e.user(t, "tess", switchboard.RoleOperator)
	a.SessionID = "s"
	e.enrol(t, a)
	e.registerPasskey(t, a, auth, "Key")
	_, _, err := e.s.Login(e.ctx, "tess", tfPassword, Client{})
	var sf *SecondFactorRequired
	if !errors.As(err, &sf) || !slices.Equal(sf.Methods, []string{"totp", "recovery", "passkey"}) {
		t.Fatalf("methods = %+v (%v)", sf, err)
	}
	limited := false
	for i := 0; i < 10 && !limited; i++ {
		ch, opts := e.passkeyChallenge(t, "tess")
		resp, _ := auth.Get(opts, passkeytest.Assertion{BadSignature: true})
		_, _, err = e.s.LoginPasskey(e.ctx, ch, resp, Client{})
		limited = switchboard.ErrorCode(err) == switchboard.ERateLimited
		if !limited {
			wantCode(t, "bad signature", err, switchboard.EUnauthorized)
		}
	}
	if !limited {
		t.Fatal("10 bad passkey answers were never rate limited")
	}
	ch, opts := e.passkeyChallenge(t, "tess")
	resp, _ := auth.Get(opts, passkeytest.Assertion{})
	_, _, err = e.s.LoginPasskey(e.ctx, ch, resp, Client{})
	wantCode(t, "right passkey while locked", err, switchboard.ERateLimited)
	e.clock.Add(2 * time.Hour)
	ch, opts = e.passkeyChallenge(t, "tess")
	resp, _ = auth.Get(opts, passkeytest.Assertion{})
	if _, _, err = e.s.LoginPasskey(e.ctx, ch, resp, Client{}); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	// An expired challenge is refused.
	ch, opts = e.passkeyChallenge(t, "tess")
	e.clock.Add(challengeTTL)
	resp, _ = auth.Get(opts, passkeytest.Assertion{})
	_, _, err = e.s.LoginPasskey(e.ctx, ch, resp, Client{})
	wantCode(t, "expired challenge", err, switchboard.EUnauthorized)
}

// TestPasskeysOff: without an https public URL (or localhost) the passkey
// endpoints refuse, and passkeys are not offered at sign-in.
func TestPasskeysOff(t *testing.T) {
	for _, u := range []string{"http://example.com", "https://192.0.2.1", "http://127.0.0.1:8080", "ftp://localhost"} {
		if _, err := NewPasskeys(u); err == nil {
			t.Errorf("NewPasskeys(%q) succeeded", u)
		}
	}
	for u, rp := range map[string]string{"https://inbox.example.com": "inbox.example.com", "http://localhost:5173": "localhost", "https://Example.COM:8443/sb": "example.com"} {
		p, err := NewPasskeys(u)
		if err != nil || p.RPID != rp {
			t.Errorf("NewPasskeys(%q) = %+v, %v", u, p, err)
		}
	}
	e := newTFEnv(t)
	a := e.user(t, "olga", switchboard.RoleOperator)
	a.SessionID = "s"
	_, err := e.s.BeginPasskeyRegistration(e.ctx, a)
	wantCode(t, "register with passkeys off", err, switchboard.EConflict)
	list, err := e.s.ListPasskeys(e.ctx, a)
	if err != nil || list.Available {
		t.Errorf("ListPasskeys = %+v, %v", list, err)
	}
	// A passkey stored earlier does not stand in for a factor then.
	if err := e.store.CreatePasskey(e.ctx, &switchboard.Passkey{UserID: a.User.ID, Name: "Old", CredentialID: []byte{1}, PublicKey: []byte{2}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.s.Login(e.ctx, "olga", tfPassword, Client{}); err != nil {
		t.Errorf("Login with passkeys off: %v, want a session", err)
	}
}
