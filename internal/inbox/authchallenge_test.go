package inbox

import (
	"errors"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/passkeytest"
)

// otherInstance returns a second Service on e's store and clock, with
// its own relying party: what it knows of a pending sign-in it can only
// have from the store.
func (e *tfEnv) otherInstance(t *testing.T) *Service {
	t.Helper()
	s := New(e.store, nil, e.s.Passwords)
	s.Clock = e.clock
	if e.s.Passkeys != nil {
		pk, err := NewPasskeys(pkOrigin)
		if err != nil {
			t.Fatal(err)
		}
		s.Passkeys = pk
	}
	return s
}

// TestSecondFactorChallengeIsSharedByInstances: the second step of a
// sign-in begun on one instance is finished on another, once; the store
// keeps a hash of the challenge, not the challenge.
func TestSecondFactorChallengeIsSharedByInstances(t *testing.T) {
	e := newTFEnv(t)
	other := e.otherInstance(t)
	a := e.user(t, "tess", switchboard.RoleEmployee)
	secret, codes := e.enrol(t, a)
	e.clock.Add(30 * time.Second)

	ch := e.challenge(t, "tess")
	keep := func(*switchboard.AuthChallenge) switchboard.AuthChallengeChange { return switchboard.AuthChallengeKeep }
	if _, err := e.store.UpdateAuthChallenge(e.ctx, ch, e.clock.Now(), keep); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Fatalf("challenge stored under the token itself: %v", err)
	}
	if c, err := e.store.UpdateAuthChallenge(e.ctx, loginChallengeKey(ch), e.clock.Now(), keep); err != nil || c.UserID != a.User.ID {
		t.Fatalf("challenge under its hash = %+v, %v", c, err)
	}
	token, u, err := other.LoginSecondFactor(e.ctx, ch, codeAt(t, secret, e.clock.step()), Client{})
	if err != nil || token == "" || u.ID != a.User.ID {
		t.Fatalf("second step on the other instance = %q, %v, %v", token, u, err)
	}
	// Single use: the challenge is spent on both instances, even with a
	// right answer.
	_, _, err = e.s.LoginSecondFactor(e.ctx, ch, codes[0], Client{})
	wantCode(t, "spent challenge on the first instance", err, switchboard.EUnauthorized)
	_, _, err = other.LoginSecondFactor(e.ctx, ch, codes[1], Client{})
	wantCode(t, "spent challenge on the other instance", err, switchboard.EUnauthorized)

	// Wrong codes tried on either instance count against one challenge.
	ch = e.challenge(t, "tess")
	for i := range challengeAttempts {
		s := e.s
		if i%2 == 1 {
			s = other
		}
		if _, _, err := s.LoginSecondFactor(e.ctx, ch, "zzzzz-zzzzz", Client{}); switchboard.ErrorCode(err) != switchboard.EUnauthorized && switchboard.ErrorCode(err) != switchboard.ERateLimited {
			t.Fatalf("wrong code %d = %v", i+1, err)
		}
	}
	// The challenge is spent (before the per-user throttle is asked,
	// which would answer ERateLimited).
	_, _, err = other.LoginSecondFactor(e.ctx, ch, codes[0], Client{})
	wantCode(t, "challenge after its attempts on both instances", err, switchboard.EUnauthorized)
}

// TestSecondFactorChallengeExpiresAndIsPruned: a challenge is refused from
// its expiry on, on every instance, and the expiry job removes it.
func TestSecondFactorChallengeExpiresAndIsPruned(t *testing.T) {
	e := newTFEnv(t)
	other := e.otherInstance(t)
	a := e.user(t, "xena", switchboard.RoleEmployee)
	_, codes := e.enrol(t, a)
	ch := e.challenge(t, "xena")
	e.clock.Add(challengeTTL)
	_, _, err := other.LoginSecondFactor(e.ctx, ch, codes[0], Client{})
	wantCode(t, "expired challenge", err, switchboard.EUnauthorized)
	if n, err := e.store.DeleteAuthChallenges(e.ctx, e.clock.Now()); err != nil || n != 1 {
		t.Fatalf("DeleteAuthChallenges = %d, %v; want the expired challenge", n, err)
	}
}

// TestPasskeyCeremoniesAreSharedByInstances: a passkey registration and a
// passkey sign-in begun on one instance are finished on another, each
// once; a registration expires.
func TestPasskeyCeremoniesAreSharedByInstances(t *testing.T) {
	e, auth := newPKEnv(t)
	other := e.otherInstance(t)
	a := e.user(t, "pia", switchboard.RoleEmployee)

	opts, err := e.s.BeginPasskeyRegistration(e.ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	_, resp, err := auth.Create(jsonOf(t, opts))
	if err != nil {
		t.Fatal(err)
	}
	// Another user's session cannot finish pia's registration.
	b := e.user(t, "bob", switchboard.RoleEmployee)
	if _, err := other.FinishPasskeyRegistration(e.ctx, b, "Laptop", resp); switchboard.ErrorCode(err) != switchboard.EConflict {
		t.Fatalf("registration finished by another user = %v, want EConflict", err)
	}
	if _, err := other.FinishPasskeyRegistration(e.ctx, a, "Laptop", resp); err != nil {
		t.Fatalf("registration finished on the other instance: %v", err)
	}
	if _, err := e.s.FinishPasskeyRegistration(e.ctx, a, "Laptop again", resp); switchboard.ErrorCode(err) != switchboard.EConflict {
		t.Fatalf("registration finished twice = %v, want EConflict", err)
	}

	// A registration expires after passkeyTTL, on every instance.
	opts, err = other.BeginPasskeyRegistration(e.ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	_, resp, err = auth.Create(jsonOf(t, opts))
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Add(passkeyTTL)
	if _, err := e.s.FinishPasskeyRegistration(e.ctx, a, "Late", resp); switchboard.ErrorCode(err) != switchboard.EConflict {
		t.Fatalf("expired registration = %v, want EConflict", err)
	}

	// Sign-in: password on one instance, options on the other, assertion
	// back on the first.
	_, _, err = e.s.Login(e.ctx, "pia", tfPassword, Client{IP: "192.0.2.1"})
	var sf *SecondFactorRequired
	if !errors.As(err, &sf) {
		t.Fatalf("Login = %v, want a challenge", err)
	}
	req, err := other.BeginPasskeySignIn(e.ctx, sf.Challenge)
	if err != nil {
		t.Fatal(err)
	}
	assertion, err := auth.Get(jsonOf(t, req), passkeytest.Assertion{})
	if err != nil {
		t.Fatal(err)
	}
	token, u, err := e.s.LoginPasskey(e.ctx, sf.Challenge, assertion, Client{})
	if err != nil || token == "" || u.ID != a.User.ID {
		t.Fatalf("passkey sign-in finished on the first instance = %q, %v, %v", token, u, err)
	}
	if _, _, err := other.LoginPasskey(e.ctx, sf.Challenge, assertion, Client{}); switchboard.ErrorCode(err) != switchboard.EUnauthorized {
		t.Fatalf("passkey sign-in finished twice = %v, want EUnauthorized", err)
	}
}
