package storetest

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// testAuthChallenges: pending sign-in steps round-trip, are replaced by
// key, change only as the function asks, are taken at most once even by
// concurrent takers, are never returned once expired, and are pruned.
func testAuthChallenges(t *testing.T, open Opener) {
	s := open(t)
	u := mustUser(t, s, "challenged", "Challenged", switchboard.RoleEmployee)
	other := mustUser(t, s, "other-challenged", "Other", switchboard.RoleEmployee)
	now := T0
	keep := func(*switchboard.AuthChallenge) switchboard.AuthChallengeChange { return switchboard.AuthChallengeKeep }
	read := func(key string) *switchboard.AuthChallenge {
		t.Helper()
		c, err := s.UpdateAuthChallenge(ctx(), key, now, keep)
		if switchboard.ErrorCode(err) == switchboard.ENotFound {
			return nil
		}
		must(t, err)
		return c
	}

	if _, err := s.TakeAuthChallenge(ctx(), "login:missing", now); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Fatalf("take of a missing challenge: %v, want ENotFound", err)
	}
	called := false
	if _, err := s.UpdateAuthChallenge(ctx(), "login:missing", now, func(*switchboard.AuthChallenge) switchboard.AuthChallengeChange {
		called = true
		return switchboard.AuthChallengeSave
	}); switchboard.ErrorCode(err) != switchboard.ENotFound || called {
		t.Fatalf("update of a missing challenge: %v (f called %v), want ENotFound without f", err, called)
	}

	c := &switchboard.AuthChallenge{Key: "login:a", UserID: u.ID, ExpiresAt: now.Add(5 * time.Minute)}
	must(t, s.PutAuthChallenge(ctx(), c))
	if got := read("login:a"); got == nil || got.UserID != u.ID || got.Attempts != 0 || !got.ExpiresAt.Equal(c.ExpiresAt) || got.State != nil {
		t.Fatalf("stored challenge = %+v, want %+v", got, c)
	}
	// Save stores attempts and state; Keep changes nothing.
	if got, err := s.UpdateAuthChallenge(ctx(), "login:a", now, func(c *switchboard.AuthChallenge) switchboard.AuthChallengeChange {
		c.Attempts++
		c.State = []byte(`{"challenge":"x"}`)
		return switchboard.AuthChallengeSave
	}); err != nil || got.Attempts != 1 {
		t.Fatalf("update = %+v, %v", got, err)
	}
	if _, err := s.UpdateAuthChallenge(ctx(), "login:a", now, func(c *switchboard.AuthChallenge) switchboard.AuthChallengeChange {
		c.Attempts = 99
		return switchboard.AuthChallengeKeep
	}); err != nil {
		t.Fatal(err)
	}
	if got := read("login:a"); got == nil || got.Attempts != 1 || !bytes.Equal(got.State, []byte(`{"challenge":"x"}`)) {
		t.Fatalf("after save and keep = %+v", got)
	}
	// Put replaces the challenge under the same key (a new registration
	// replaces an unfinished one).
	must(t, s.PutAuthChallenge(ctx(), &switchboard.AuthChallenge{Key: "login:a", UserID: other.ID, ExpiresAt: now.Add(time.Minute)}))
	if got := read("login:a"); got == nil || got.UserID != other.ID || got.Attempts != 0 || got.State != nil {
		t.Fatalf("after replacing = %+v", got)
	}
	// Delete removes it.
	if _, err := s.UpdateAuthChallenge(ctx(), "login:a", now, func(*switchboard.AuthChallenge) switchboard.AuthChallengeChange {
		return switchboard.AuthChallengeDelete
	}); err != nil {
		t.Fatal(err)
	}
	if got := read("login:a"); got != nil {
		t.Fatalf("after delete = %+v", got)
	}

	// Single use: of concurrent takes exactly one gets the challenge.
	must(t, s.PutAuthChallenge(ctx(), &switchboard.AuthChallenge{Key: "login:once", UserID: u.ID, ExpiresAt: now.Add(time.Minute), State: []byte("s")}))
	const n = 10
	var wg sync.WaitGroup
	got := make(chan *switchboard.AuthChallenge, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := s.TakeAuthChallenge(ctx(), "login:once", now)
			if err != nil && switchboard.ErrorCode(err) != switchboard.ENotFound {
				t.Error(err)
			}
			got <- c
		}()
	}
	wg.Wait()
	close(got)
	taken := 0
	for c := range got {
		if c != nil {
			taken++
			if c.UserID != u.ID || !bytes.Equal(c.State, []byte("s")) {
				t.Errorf("taken challenge = %+v", c)
			}
		}
	}
	if taken != 1 {
		t.Fatalf("%d concurrent takes got the challenge, want 1", taken)
	}
	// Concurrent updates apply one after the other.
	must(t, s.PutAuthChallenge(ctx(), &switchboard.AuthChallenge{Key: "login:burst", UserID: u.ID, ExpiresAt: now.Add(time.Minute)}))
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.UpdateAuthChallenge(ctx(), "login:burst", now, func(c *switchboard.AuthChallenge) switchboard.AuthChallengeChange {
				c.Attempts++
				return switchboard.AuthChallengeSave
			}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := read("login:burst"); got == nil || got.Attempts != n {
		t.Fatalf("attempts after %d concurrent updates = %+v", n, got)
	}

	// Expiry: from ExpiresAt on, neither update nor take returns it.
	must(t, s.PutAuthChallenge(ctx(), &switchboard.AuthChallenge{Key: "login:short", UserID: u.ID, ExpiresAt: now.Add(time.Minute)}))
	later := now.Add(time.Minute)
	if _, err := s.UpdateAuthChallenge(ctx(), "login:short", later, keep); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Fatalf("update of an expired challenge: %v, want ENotFound", err)
	}
	if _, err := s.TakeAuthChallenge(ctx(), "login:short", later); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Fatalf("take of an expired challenge: %v, want ENotFound", err)
	}
	// Pruning removes the expired ones only.
	must(t, s.PutAuthChallenge(ctx(), &switchboard.AuthChallenge{Key: "login:short", UserID: u.ID, ExpiresAt: now.Add(time.Minute)}))
	must(t, s.PutAuthChallenge(ctx(), &switchboard.AuthChallenge{Key: "passkey-registration:" + u.ID, UserID: u.ID, ExpiresAt: now.Add(time.Hour)}))
	if n, err := s.DeleteAuthChallenges(ctx(), later); err != nil || n != 2 { // login:short and login:burst
		t.Fatalf("DeleteAuthChallenges = %d, %v; want 2", n, err)
	}
	if got := read("passkey-registration:" + u.ID); got == nil {
		t.Fatal("pruning removed a live challenge")
	}
	if _, err := s.TakeAuthChallenge(ctx(), "login:short", now); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Fatalf("pruned challenge still there: %v", err)
	}
}
