package storetest

import (
	"bytes"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// testPasskeys pins the PasskeyStore: passkeys round-trip, credential ids
// are unique across users, the sign count only moves forward (also under
// concurrency), deleting is per user, and a passkey counts for
// RoleHasTwoFactor.
func testPasskeys(t *testing.T, open Opener) {
	s := open(t)
	u := &switchboard.User{Login: "pk", Name: "PK", RoleID: switchboard.RoleAdmin, Active: true, PasswordHash: "h"}
	must(t, s.CreateUser(ctx(), u))
	other := &switchboard.User{Login: "pk2", Name: "PK2", RoleID: switchboard.RoleEmployee, Active: true, PasswordHash: "h"}
	must(t, s.CreateUser(ctx(), other))
	now := time.Now().UTC().Truncate(time.Microsecond)

	if list, err := s.Passkeys(ctx(), u.ID); err != nil || len(list) != 0 || list == nil {
		t.Fatalf("Passkeys before any = %v, %v; want an empty list", list, err)
	}
	if has, err := s.RoleHasTwoFactor(ctx(), switchboard.RoleAdmin); err != nil || has {
		t.Errorf("RoleHasTwoFactor without passkeys = %v, %v", has, err)
	}
	if err := s.CreatePasskey(ctx(), &switchboard.Passkey{UserID: "nobody", Name: "x", CredentialID: []byte{9}, PublicKey: []byte{1}, CreatedAt: now}); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Errorf("CreatePasskey of an unknown user: %v, want ENotFound", err)
	}
	p := &switchboard.Passkey{
		UserID: u.ID, Name: "Laptop", CredentialID: []byte{1, 2, 3, 4}, PublicKey: []byte("cose key"),
		SignCount: 0, AAGUID: bytes.Repeat([]byte{7}, 16), Transports: []string{"internal", "hybrid"},
		BackupEligible: true, BackupState: false, CreatedAt: now,
	}
	must(t, s.CreatePasskey(ctx(), p))
	if p.ID == "" {
		t.Fatal("CreatePasskey assigned no id")
	}
	p2 := &switchboard.Passkey{UserID: u.ID, Name: "Key", CredentialID: []byte{5, 6}, PublicKey: []byte("k2"), SignCount: 10, CreatedAt: now.Add(time.Second)}
	must(t, s.CreatePasskey(ctx(), p2))
	// The credential id is unique across users.
	if err := s.CreatePasskey(ctx(), &switchboard.Passkey{UserID: other.ID, Name: "Dup", CredentialID: []byte{1, 2, 3, 4}, PublicKey: []byte("x"), CreatedAt: now}); switchboard.ErrorCode(err) != switchboard.EConflict {
		t.Errorf("duplicate credential id: %v, want EConflict", err)
	}
	if err := s.CreatePasskey(ctx(), &switchboard.Passkey{UserID: u.ID, Name: "Empty", CreatedAt: now}); switchboard.ErrorCode(err) != switchboard.EInvalid {
		t.Errorf("passkey without credential: %v, want EInvalid", err)
	}

	list, err := s.Passkeys(ctx(), u.ID)
	must(t, err)
	if len(list) != 2 || list[0].ID != p.ID || list[1].ID != p2.ID {
		t.Fatalf("Passkeys = %+v", list)
	}
	g := list[0]
	if g.Name != "Laptop" || !bytes.Equal(g.CredentialID, p.CredentialID) || !bytes.Equal(g.PublicKey, p.PublicKey) ||
		g.SignCount != 0 || !bytes.Equal(g.AAGUID, p.AAGUID) || !slices.Equal(g.Transports, p.Transports) ||
		!g.BackupEligible || g.BackupState || !g.CreatedAt.Equal(now) || !g.LastUsedAt.IsZero() || g.UserID != u.ID {
		t.Errorf("round-tripped passkey = %+v", g)
	}
	if len(list[1].Transports) != 0 || list[1].SignCount != 10 {
		t.Errorf("second passkey = %+v", list[1])
	}
	if l, _ := s.Passkeys(ctx(), other.ID); len(l) != 0 {
		t.Errorf("other user's passkeys = %+v", l)
	}
	if has, err := s.RoleHasTwoFactor(ctx(), switchboard.RoleAdmin); err != nil || !has {
		t.Errorf("RoleHasTwoFactor(admin) with a passkey = %v, %v, want true", has, err)
	}
	if has, _ := s.RoleHasTwoFactor(ctx(), switchboard.RoleEmployee); has {
		t.Error("RoleHasTwoFactor(employee) = true")
	}

	// Sign counts: zero stays allowed while both are zero; a counter, once
	// used, must grow.
	must(t, s.UsePasskey(ctx(), u.ID, p.ID, 0, true, now))
	must(t, s.UsePasskey(ctx(), u.ID, p.ID, 0, true, now))
	must(t, s.UsePasskey(ctx(), u.ID, p.ID, 3, true, now.Add(time.Minute)))
	for _, n := range []uint32{3, 2, 0} {
		if err := s.UsePasskey(ctx(), u.ID, p.ID, n, true, now); switchboard.ErrorCode(err) != switchboard.EConflict {
			t.Errorf("UsePasskey(%d) after 3: %v, want EConflict", n, err)
		}
	}
	if err := s.UsePasskey(ctx(), other.ID, p.ID, 9, false, now); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Errorf("UsePasskey by another user: %v, want ENotFound", err)
	}
	if err := s.UsePasskey(ctx(), u.ID, "nope", 9, false, now); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Errorf("UsePasskey unknown: %v, want ENotFound", err)
	}
	list, err = s.Passkeys(ctx(), u.ID)
	must(t, err)
	if list[0].SignCount != 3 || !list[0].BackupState || !list[0].LastUsedAt.Equal(now.Add(time.Minute)) {
		t.Errorf("after use: %+v", list[0])
	}
	// Concurrent uses with the same counter: exactly one wins.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = s.UsePasskey(ctx(), u.ID, p2.ID, 11, false, now) }()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if switchboard.ErrorCode(err) != switchboard.EConflict {
			t.Errorf("concurrent UsePasskey: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d concurrent uses of one counter succeeded, want 1", ok)
	}

	if err := s.DeletePasskey(ctx(), other.ID, p.ID); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Errorf("DeletePasskey by another user: %v, want ENotFound", err)
	}
	must(t, s.DeletePasskey(ctx(), u.ID, p.ID))
	if err := s.DeletePasskey(ctx(), u.ID, p.ID); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Errorf("DeletePasskey twice: %v, want ENotFound", err)
	}
	// The credential id is free again.
	must(t, s.CreatePasskey(ctx(), &switchboard.Passkey{UserID: other.ID, Name: "Reuse", CredentialID: []byte{1, 2, 3, 4}, PublicKey: []byte("x"), CreatedAt: now}))
	must(t, s.DeletePasskeys(ctx(), u.ID))
	must(t, s.DeletePasskeys(ctx(), u.ID))
	if l, _ := s.Passkeys(ctx(), u.ID); len(l) != 0 {
		t.Errorf("after DeletePasskeys: %+v", l)
	}
	if l, _ := s.Passkeys(ctx(), other.ID); len(l) != 1 {
		t.Errorf("DeletePasskeys touched another user: %+v", l)
	}
	if has, _ := s.RoleHasTwoFactor(ctx(), switchboard.RoleAdmin); has {
		t.Error("RoleHasTwoFactor(admin) after deleting the passkeys = true")
	}
	// The other user's passkey counts for their role.
	if has, _ := s.RoleHasTwoFactor(ctx(), switchboard.RoleEmployee); !has {
		t.Error("RoleHasTwoFactor(employee) with an active user's passkey = false")
	}
}
