package storetest

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// testTwoFactor pins the TwoFactorStore: the secret round-trips sealed,
// confirmation happens once, a time step and a recovery code are each
// accepted once (also under concurrency), deleting removes everything,
// and the role flag is kept.
func testTwoFactor(t *testing.T, open Opener) {
	s := open(t)
	u := &switchboard.User{Login: "tf", Name: "TF", RoleID: switchboard.RoleAdmin, Active: true, PasswordHash: "h"}
	must(t, s.CreateUser(ctx(), u))
	if _, err := s.TwoFactor(ctx(), u.ID); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Fatalf("TwoFactor before enrolment: %v, want ENotFound", err)
	}
	if err := s.PutTwoFactor(ctx(), &switchboard.TwoFactor{UserID: "nobody", Secret: []byte("x"), CreatedAt: time.Now()}); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Errorf("PutTwoFactor of an unknown user: %v, want ENotFound", err)
	}
	secret := []byte("0123456789abcdefghij")
	now := time.Now().UTC().Truncate(time.Microsecond)
	must(t, s.PutTwoFactor(ctx(), &switchboard.TwoFactor{UserID: u.ID, Secret: secret, CreatedAt: now}))
	tf, err := s.TwoFactor(ctx(), u.ID)
	must(t, err)
	if !bytes.Equal(tf.Secret, secret) || tf.Confirmed || tf.LastStep != 0 || !tf.CreatedAt.Equal(now) {
		t.Fatalf("TwoFactor = %+v", tf)
	}
	if has, err := s.RoleHasTwoFactor(ctx(), switchboard.RoleAdmin); err != nil || has {
		t.Errorf("RoleHasTwoFactor before confirmation = %v, %v", has, err)
	}
	if err := s.UseTwoFactorStep(ctx(), u.ID, 5); switchboard.ErrorCode(err) != switchboard.EConflict {
		t.Errorf("UseTwoFactorStep unconfirmed: %v, want EConflict", err)
	}
	if err := s.ConfirmTwoFactor(ctx(), "nobody", 1, nil, now); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Errorf("ConfirmTwoFactor unknown: %v, want ENotFound", err)
	}
	must(t, s.ConfirmTwoFactor(ctx(), u.ID, 100, []string{"h1", "h2", "h3"}, now))
	if err := s.ConfirmTwoFactor(ctx(), u.ID, 101, []string{"h4"}, now); switchboard.ErrorCode(err) != switchboard.EConflict {
		t.Errorf("second ConfirmTwoFactor: %v, want EConflict", err)
	}
	tf, err = s.TwoFactor(ctx(), u.ID)
	must(t, err)
	if !tf.Confirmed || tf.LastStep != 100 || tf.RecoveryCodesLeft != 3 || !tf.ConfirmedAt.Equal(now) {
		t.Fatalf("confirmed TwoFactor = %+v", tf)
	}
	if has, err := s.RoleHasTwoFactor(ctx(), switchboard.RoleAdmin); err != nil || !has {
		t.Errorf("RoleHasTwoFactor(admin) = %v, %v, want true", has, err)
	}
	if has, _ := s.RoleHasTwoFactor(ctx(), switchboard.RoleEmployee); has {
		t.Error("RoleHasTwoFactor(employee) = true")
	}

	for _, step := range []int64{100, 99} {
		if err := s.UseTwoFactorStep(ctx(), u.ID, step); switchboard.ErrorCode(err) != switchboard.EConflict {
			t.Errorf("UseTwoFactorStep(%d) after 100: %v, want EConflict", step, err)
		}
	}
	// Two concurrent uses of one step: exactly one wins.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = s.UseTwoFactorStep(ctx(), u.ID, 101) }()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if switchboard.ErrorCode(err) != switchboard.EConflict {
			t.Errorf("concurrent UseTwoFactorStep: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d concurrent uses of one step succeeded, want 1", ok)
	}

	must(t, s.UseRecoveryCode(ctx(), u.ID, "h2", now))
	if err := s.UseRecoveryCode(ctx(), u.ID, "h2", now); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Errorf("recovery code reused: %v, want ENotFound", err)
	}
	if err := s.UseRecoveryCode(ctx(), u.ID, "nope", now); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Errorf("unknown recovery code: %v, want ENotFound", err)
	}
	tf, err = s.TwoFactor(ctx(), u.ID)
	must(t, err)
	if tf.RecoveryCodesLeft != 2 {
		t.Errorf("RecoveryCodesLeft = %d, want 2", tf.RecoveryCodesLeft)
	}

	// Regenerating replaces every code, used or not; the old ones stop
	// working at once.
	if err := s.ReplaceRecoveryCodes(ctx(), "nobody", []string{"x"}); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Errorf("ReplaceRecoveryCodes unknown user: %v, want ENotFound", err)
	}
	must(t, s.ReplaceRecoveryCodes(ctx(), u.ID, []string{"n1", "n2", "n3", "n4"}))
	for _, h := range []string{"h1", "h3"} {
		if err := s.UseRecoveryCode(ctx(), u.ID, h, now); switchboard.ErrorCode(err) != switchboard.ENotFound {
			t.Errorf("old recovery code %s after regeneration: %v, want ENotFound", h, err)
		}
	}
	if tf, err = s.TwoFactor(ctx(), u.ID); err != nil || tf.RecoveryCodesLeft != 4 || !tf.Confirmed || tf.LastStep != 101 {
		t.Errorf("TwoFactor after regeneration = %+v, %v", tf, err)
	}
	must(t, s.UseRecoveryCode(ctx(), u.ID, "n3", now))
	must(t, s.ReplaceRecoveryCodes(ctx(), u.ID, []string{"h1", "h2"}))

	// A new enrolment replaces the old one, codes included.
	must(t, s.PutTwoFactor(ctx(), &switchboard.TwoFactor{UserID: u.ID, Secret: []byte("another secret"), CreatedAt: now}))
	tf, err = s.TwoFactor(ctx(), u.ID)
	must(t, err)
	if tf.Confirmed || tf.RecoveryCodesLeft != 0 || string(tf.Secret) != "another secret" {
		t.Errorf("replaced TwoFactor = %+v", tf)
	}
	if err := s.ReplaceRecoveryCodes(ctx(), u.ID, []string{"x"}); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Errorf("ReplaceRecoveryCodes of an unconfirmed enrolment: %v, want ENotFound", err)
	}
	if err := s.UseRecoveryCode(ctx(), u.ID, "h1", now); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Errorf("old recovery code after re-enrolment: %v, want ENotFound", err)
	}
	must(t, s.DeleteTwoFactor(ctx(), u.ID))
	must(t, s.DeleteTwoFactor(ctx(), u.ID)) // nothing to delete: no error
	if _, err := s.TwoFactor(ctx(), u.ID); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Errorf("TwoFactor after delete: %v, want ENotFound", err)
	}

	// The role flag, also on built-in roles.
	for _, id := range []string{switchboard.RoleEmployee, switchboard.RoleAdmin} {
		r, err := s.SetRoleRequireTwoFactor(ctx(), id, true, now)
		must(t, err)
		if !r.RequireTwoFactor {
			t.Errorf("SetRoleRequireTwoFactor(%s) returned %+v", id, r)
		}
		got, err := s.Role(ctx(), id)
		must(t, err)
		if !got.RequireTwoFactor {
			t.Errorf("Role(%s).RequireTwoFactor = false after setting it", id)
		}
	}
	r, err := s.SetRoleRequireTwoFactor(ctx(), switchboard.RoleEmployee, false, now)
	must(t, err)
	if r.RequireTwoFactor {
		t.Error("flag not cleared")
	}
	if _, err := s.SetRoleRequireTwoFactor(ctx(), "nope", true, now); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Errorf("SetRoleRequireTwoFactor unknown: %v, want ENotFound", err)
	}
}
