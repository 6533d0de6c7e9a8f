package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/inbox"
)

// TestStrangerCannotLockOutALogin: failures are counted per client address
// and account first, so someone who knows a login and fails from their own
// address locks only themselves out; the owner signs in from theirs. Only
// failures from many addresses together lock the account for everyone
// (issue 14, Low 16).
func TestStrangerCannotLockOutALogin(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	app.createUser(admin, "anna", "employee")
	ctx := context.Background()
	stranger := inbox.Client{IP: "203.0.113.66"}
	var last error
	for range 8 {
		_, _, last = app.Service.Login(ctx, "anna", "wrong wrong wrong", stranger)
	}
	if switchboard.ErrorCode(last) != switchboard.ERateLimited {
		t.Fatalf("stranger's 8th failure = %v, want rate limited", last)
	}
	if _, _, err := app.Service.Login(ctx, "anna", testPassword, stranger); switchboard.ErrorCode(err) != switchboard.ERateLimited {
		t.Fatalf("right password from the locked address = %v, want rate limited", err)
	}
	if _, _, err := app.Service.Login(ctx, "anna", testPassword, inbox.Client{IP: "198.51.100.7"}); err != nil {
		t.Fatalf("owner from their own address after a stranger's failures: %v", err)
	}

	// Guessing from many addresses (5 each, under every per-address
	// limit) still locks the account for everyone at 50.
	for i := range 10 {
		ip := inbox.Client{IP: fmt.Sprintf("192.0.2.%d", 10+i)}
		for range 5 {
			if _, _, err := app.Service.Login(ctx, "anna", "wrong wrong wrong", ip); err == nil {
				t.Fatal("a wrong password signed in")
			}
		}
	}
	if _, _, err := app.Service.Login(ctx, "anna", testPassword, inbox.Client{IP: "198.51.100.8"}); switchboard.ErrorCode(err) != switchboard.ERateLimited {
		t.Fatalf("login after 50 failures from 10 addresses = %v, want rate limited", err)
	}
}

// TestPasswordChangeThrottled: wrong current passwords are throttled like
// failed logins, before any hashing; then even the right one waits.
func TestPasswordChangeThrottled(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	emp, _ := app.createUser(admin, "paula", "employee")
	for i := range 5 {
		if got, b := emp.do("POST", "/api/v1/me/password", map[string]string{"current_password": "not it at all", "new_password": "another long passphrase"}); got != 400 {
			t.Fatalf("wrong current password %d = %d %s, want 400", i+1, got, b)
		}
	}
	before := app.Service.Passwords.Count()
	got, b := emp.do("POST", "/api/v1/me/password", map[string]string{"current_password": testPassword, "new_password": "another long passphrase"})
	if got != 429 || errorCode(t, b) != "rate_limited" {
		t.Fatalf("password change after 5 wrong ones = %d %s, want 429", got, b)
	}
	if n := app.Service.Passwords.Count() - before; n != 0 {
		t.Fatalf("%d password hashes for a throttled change, want 0", n)
	}
	entries, _, err := app.Store.AuditEntries(context.Background(), auditFilter("user.password_change"))
	if err != nil {
		t.Fatal(err)
	}
	outcomes := map[string]int{}
	for _, e := range entries {
		outcomes[e.Outcome]++
	}
	if outcomes["failure"] != 5 || outcomes["denied"] != 1 {
		t.Fatalf("password change audit outcomes = %v, want 5 failures and 1 denied", outcomes)
	}
}
