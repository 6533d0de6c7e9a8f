package main

import (
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
)

func totpCode(t *testing.T, secret string, at time.Time, stepOffset int64) string {
	t.Helper()
	c, err := hotp.GenerateCodeCustom(secret, uint64(at.Unix()/30+stepOffset), hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enrolOverHTTP enrols the client's user and returns the secret and the
// recovery codes.
func enrolOverHTTP(t *testing.T, c *client) (string, []string) {
	t.Helper()
	var en struct{ URI, Secret, QRCode string }
	c.must(201, "POST", "/api/v1/me/two-factor", nil, &en)
	if !strings.HasPrefix(en.URI, "otpauth://totp/Switchboard:") || en.Secret == "" {
		t.Fatalf("enrolment = %+v", en)
	}
	var conf struct {
		RecoveryCodes []string `json:"recovery_codes"`
	}
	c.must(200, "POST", "/api/v1/me/two-factor/confirm", map[string]string{"code": totpCode(t, en.Secret, time.Now(), 0)}, &conf)
	if len(conf.RecoveryCodes) != 10 {
		t.Fatalf("%d recovery codes", len(conf.RecoveryCodes))
	}
	return en.Secret, conf.RecoveryCodes
}

type challengeResp struct {
	SecondFactorRequired bool   `json:"second_factor_required"`
	Challenge            string `json:"challenge"`
	Token                string `json:"token"`
}

// TestTwoFactorSignInOverHTTP drives two-factor sign-in through the real
// server: enrolment, the two-step POST /api/v1/session, replay and
// recovery codes, the enrolment-only session of an administrator once
// another administrator enrolled, and an administrator's reset.
func TestTwoFactorSignInOverHTTP(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	erin, erinUser := app.createUser(admin, "erin", "operator")
	adm2, _ := app.createUser(admin, "adm2", "admin")
	secret, codes := enrolOverHTTP(t, erin)
	anon := app.client("")
	creds := map[string]string{"login": "erin", "password": testPassword}

	var ch challengeResp
	anon.must(200, "POST", "/api/v1/session", creds, &ch)
	if !ch.SecondFactorRequired || ch.Challenge == "" || ch.Token != "" {
		t.Fatalf("first step = %+v, want a challenge and no session", ch)
	}
	if got, _ := app.client(ch.Challenge).do("GET", "/api/v1/me", nil); got != 401 {
		t.Fatalf("the challenge used as a session = %d, want 401", got)
	}
	if got, b := anon.do("POST", "/api/v1/session/second-factor", map[string]string{"challenge": ch.Challenge, "code": "12345x"}); got != 401 {
		t.Fatalf("wrong code = %d %s", got, b)
	}
	// The confirming code's step is used; the next step is within the skew.
	code := totpCode(t, secret, time.Now(), 1)
	var sess struct{ Token string }
	anon.must(201, "POST", "/api/v1/session/second-factor", map[string]string{"challenge": ch.Challenge, "code": code}, &sess)
	app.client(sess.Token).must(200, "GET", "/api/v1/conversations", nil, nil)

	anon.must(200, "POST", "/api/v1/session", creds, &ch)
	if got, b := anon.do("POST", "/api/v1/session/second-factor", map[string]string{"challenge": ch.Challenge, "code": code}); got != 401 {
		t.Fatalf("replayed code = %d %s, want 401", got, b)
	}
	anon.must(201, "POST", "/api/v1/session/second-factor", map[string]string{"challenge": ch.Challenge, "code": codes[0]}, &sess)
	anon.must(200, "POST", "/api/v1/session", creds, &ch)
	if got, b := anon.do("POST", "/api/v1/session/second-factor", map[string]string{"challenge": ch.Challenge, "code": codes[0]}); got != 401 {
		t.Fatalf("reused recovery code = %d %s, want 401", got, b)
	}
	var st struct {
		Enabled           bool `json:"enabled"`
		RecoveryCodesLeft int  `json:"recovery_codes_left"`
	}
	erin.must(200, "GET", "/api/v1/me/two-factor", nil, &st)
	if !st.Enabled || st.RecoveryCodesLeft != 9 {
		t.Fatalf("status = %+v", st)
	}

	// Once an administrator enrols, the admin role requires it: adm2's
	// session is limited to enrolment.
	enrolOverHTTP(t, admin)
	got, b := adm2.do("GET", "/api/v1/users", nil)
	if got != 403 || errorCode(t, b) != "two_factor_enrolment_required" {
		t.Fatalf("unenrolled admin lists users = %d %s, want 403 two_factor_enrolment_required", got, b)
	}
	var me struct {
		Required bool `json:"two_factor_enrolment_required"`
	}
	adm2.must(200, "GET", "/api/v1/me", nil, &me)
	if !me.Required {
		t.Fatal("GET /me does not say enrolment is required")
	}
	enrolOverHTTP(t, adm2)
	adm2.must(200, "GET", "/api/v1/users", nil, nil)

	// Erin (an operator, no users.manage) may not reset anyone; an
	// administrator resets her: her sessions end and the password alone
	// signs her in again.
	if got, b := erin.do("DELETE", "/api/v1/users/"+erinUser.ID+"/two-factor", nil); got != 403 {
		t.Fatalf("operator resets = %d %s, want 403", got, b)
	}
	admin.must(204, "DELETE", "/api/v1/users/"+erinUser.ID+"/two-factor", nil, nil)
	if got, _ := erin.do("GET", "/api/v1/me", nil); got != 401 {
		t.Fatalf("erin's session after the reset = %d, want 401", got)
	}
	app.login("erin")
}

// TestRegenerateRecoveryCodesOverHTTP replaces the recovery codes through
// the real server: password and a current code needed, the old codes stop
// working at once, the new ones sign in.
func TestRegenerateRecoveryCodesOverHTTP(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	fay, _ := app.createUser(admin, "fay", "operator")
	const path = "/api/v1/me/two-factor/recovery-codes"
	if got, b := fay.do("POST", path, map[string]string{"password": testPassword, "code": "123456"}); got != 409 {
		t.Fatalf("regenerate without two-factor sign-in = %d %s, want 409", got, b)
	}
	secret, old := enrolOverHTTP(t, fay)
	code := totpCode(t, secret, time.Now(), 1)
	if got, b := fay.do("POST", path, map[string]string{"password": "wrong password", "code": code}); got != 400 {
		t.Fatalf("wrong password = %d %s, want 400", got, b)
	}
	if got, b := fay.do("POST", path, map[string]string{"password": testPassword, "code": old[0]}); got != 400 {
		t.Fatalf("a recovery code as the code = %d %s, want 400", got, b)
	}
	if got, b := fay.do("POST", path, map[string]any{"password": testPassword, "code": code, "extra": 1}); got != 400 {
		t.Fatalf("unknown field = %d %s, want 400", got, b)
	}
	var res struct {
		RecoveryCodes []string `json:"recovery_codes"`
	}
	fay.must(200, "POST", path, map[string]string{"password": testPassword, "code": code}, &res)
	if len(res.RecoveryCodes) != 10 || res.RecoveryCodes[0] == old[0] {
		t.Fatalf("new codes = %v", res.RecoveryCodes)
	}
	if got, b := fay.do("POST", path, map[string]string{"password": testPassword, "code": code}); got != 401 {
		t.Fatalf("the same code again = %d %s, want 401", got, b)
	}
	anon := app.client("")
	creds := map[string]string{"login": "fay", "password": testPassword}
	var ch challengeResp
	anon.must(200, "POST", "/api/v1/session", creds, &ch)
	if got, b := anon.do("POST", "/api/v1/session/second-factor", map[string]string{"challenge": ch.Challenge, "code": old[1]}); got != 401 {
		t.Fatalf("old recovery code = %d %s, want 401", got, b)
	}
	anon.must(200, "POST", "/api/v1/session", creds, &ch)
	var sess struct{ Token string }
	anon.must(201, "POST", "/api/v1/session/second-factor", map[string]string{"challenge": ch.Challenge, "code": res.RecoveryCodes[0]}, &sess)
	if sess.Token == "" {
		t.Fatal("no session from a new recovery code")
	}
}
