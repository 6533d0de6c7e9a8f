package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

func testUsers(t *testing.T, open Opener) {
	t.Run("CreateAndGet", func(t *testing.T) {
		s := open(t)
		u := &switchboard.User{Login: "Anna.Admin", Name: "Anna", RoleID: switchboard.RoleAdmin, Active: true, PasswordHash: "hash"}
		must(t, s.CreateUser(ctx(), u))
		if !switchboard.ValidID(u.ID) {
			t.Fatalf("ID = %q, want a new id", u.ID)
		}
		if u.Login != "anna.admin" {
			t.Errorf("Login = %q, want lower-case %q", u.Login, "anna.admin")
		}
		if u.CreatedAt.IsZero() || u.UpdatedAt.IsZero() {
			t.Errorf("times not set: %+v", u)
		}
		got, err := s.User(ctx(), u.ID)
		must(t, err)
		if got.Login != "anna.admin" || got.Name != "Anna" || got.RoleID != switchboard.RoleAdmin || !got.Active || got.PasswordHash != "hash" {
			t.Errorf("User = %+v", got)
		}
		if !got.CreatedAt.Equal(u.CreatedAt) || got.CreatedAt.Location() != time.UTC {
			t.Errorf("CreatedAt = %v, want %v in UTC", got.CreatedAt, u.CreatedAt)
		}
		for _, login := range []string{"anna.admin", "ANNA.ADMIN", "Anna.Admin"} {
			got, err := s.UserByLogin(ctx(), login)
			if err != nil || got.ID != u.ID {
				t.Errorf("UserByLogin(%q) = %v, %v", login, got, err)
			}
		}
		n, err := s.CountUsers(ctx())
		must(t, err)
		if n != 1 {
			t.Errorf("CountUsers = %d, want 1", n)
		}
	})

	t.Run("LoginUniqueCaseInsensitive", func(t *testing.T) {
		s := open(t)
		mustUser(t, s, "bob", "Bob", switchboard.RoleEmployee)
		err := s.CreateUser(ctx(), &switchboard.User{Login: "BOB", Name: "Other Bob", RoleID: switchboard.RoleEmployee, Active: true})
		wantCode(t, err, switchboard.EConflict)
		if msg := switchboard.ErrorMessage(err); msg != "Login is already taken." {
			t.Errorf("message = %q", msg)
		}
	})

	t.Run("Invalid", func(t *testing.T) {
		s := open(t)
		wantCode(t, s.CreateUser(ctx(), &switchboard.User{Login: " ", RoleID: switchboard.RoleAdmin}), switchboard.EInvalid)
		wantCode(t, s.CreateUser(ctx(), &switchboard.User{Login: "x", RoleID: "no-such-role"}), switchboard.EInvalid)
	})

	t.Run("FilterAndPaging", func(t *testing.T) {
		s := open(t)
		a := mustUser(t, s, "alice", "Alice Adams", switchboard.RoleAdmin)
		mustUser(t, s, "bert", "Bert Brown", switchboard.RoleOperator)
		c := mustUser(t, s, "carla", "Carla Brown", switchboard.RoleEmployee)
		d := mustUser(t, s, "dora", "Dora Diaz", switchboard.RoleEmployee)
		_, err := s.UpdateUser(ctx(), d.ID, switchboard.UserUpdate{Active: boolPtr(false)})
		must(t, err)

		for _, tt := range []struct {
			name string
			f    switchboard.UserFilter
			want []string
		}{
			{"all", switchboard.UserFilter{}, []string{"alice", "bert", "carla", "dora"}},
			{"role", switchboard.UserFilter{RoleID: switchboard.RoleEmployee}, []string{"carla", "dora"}},
			{"active", switchboard.UserFilter{Active: boolPtr(true)}, []string{"alice", "bert", "carla"}},
			{"inactive", switchboard.UserFilter{Active: boolPtr(false)}, []string{"dora"}},
			{"query name any case", switchboard.UserFilter{Query: "BROWN"}, []string{"bert", "carla"}},
			{"query login", switchboard.UserFilter{Query: "ali"}, []string{"alice"}},
			{"query wildcard is literal", switchboard.UserFilter{Query: "%"}, nil},
			{"ids", switchboard.UserFilter{IDs: []string{a.ID, c.ID}}, []string{"alice", "carla"}},
			{"empty ids", switchboard.UserFilter{IDs: []string{}}, nil},
			{"combined", switchboard.UserFilter{RoleID: switchboard.RoleOperator, Query: "brown"}, []string{"bert"}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				users, next, err := s.Users(ctx(), tt.f)
				must(t, err)
				var got []string
				for _, u := range users {
					got = append(got, u.Login)
				}
				if !slices.Equal(got, tt.want) || next != "" {
					t.Errorf("Users = %v next %q, want %v", got, next, tt.want)
				}
			})
		}

		// Paging by two walks every user once, in login order.
		var got []string
		cursor := ""
		for i := 0; i < 5; i++ {
			users, next, err := s.Users(ctx(), switchboard.UserFilter{Limit: 2, Cursor: cursor})
			must(t, err)
			if len(users) > 2 {
				t.Fatalf("page of %d, want at most 2", len(users))
			}
			for _, u := range users {
				got = append(got, u.Login)
			}
			if next == "" {
				break
			}
			cursor = next
		}
		if want := []string{"alice", "bert", "carla", "dora"}; !slices.Equal(got, want) {
			t.Errorf("paged = %v, want %v", got, want)
		}
		_, _, err = s.Users(ctx(), switchboard.UserFilter{Cursor: "garbage!"})
		wantCode(t, err, switchboard.EInvalid)
	})

	t.Run("Update", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "eve", "Eve", switchboard.RoleEmployee)
		got, err := s.UpdateUser(ctx(), u.ID, switchboard.UserUpdate{Name: strPtr("Eve E."), RoleID: strPtr(switchboard.RoleOperator)})
		must(t, err)
		if got.Name != "Eve E." || got.RoleID != switchboard.RoleOperator || !got.Active || got.PasswordHash != u.PasswordHash {
			t.Errorf("UpdateUser = %+v", got)
		}
		again, err := s.User(ctx(), u.ID)
		must(t, err)
		if again.Name != "Eve E." || again.RoleID != switchboard.RoleOperator {
			t.Errorf("User after update = %+v", again)
		}
		_, err = s.UpdateUser(ctx(), u.ID, switchboard.UserUpdate{RoleID: strPtr("nope")})
		wantCode(t, err, switchboard.EInvalid)
		_, err = s.UpdateUser(ctx(), switchboard.NewID(), switchboard.UserUpdate{Name: strPtr("x")})
		wantCode(t, err, switchboard.ENotFound)
	})

	t.Run("SessionsEndWithDeactivationOrPasswordChange", func(t *testing.T) {
		for _, tt := range []struct {
			name        string
			upd         switchboard.UserUpdate
			wantSession bool
		}{
			{"rename keeps sessions", switchboard.UserUpdate{Name: strPtr("New")}, true},
			{"deactivation", switchboard.UserUpdate{Active: boolPtr(false)}, false},
			{"password change", switchboard.UserUpdate{PasswordHash: strPtr("new-hash")}, false},
		} {
			t.Run(tt.name, func(t *testing.T) {
				s := open(t)
				u := mustUser(t, s, "frank", "Frank", switchboard.RoleEmployee)
				sess := &switchboard.Session{ID: unique("sess"), UserID: u.ID, ExpiresAt: T0.Add(24 * time.Hour)}
				must(t, s.CreateSession(ctx(), sess))
				got, err := s.UpdateUser(ctx(), u.ID, tt.upd)
				must(t, err)
				if tt.upd.PasswordHash != nil && (got.PasswordHash != "new-hash" || !got.PasswordChangedAt.After(u.PasswordChangedAt.Add(-time.Nanosecond))) {
					t.Errorf("password not changed: %+v", got)
				}
				_, err = s.Session(ctx(), sess.ID)
				if tt.wantSession {
					must(t, err)
				} else {
					wantCode(t, err, switchboard.ENotFound)
				}
			})
		}
	})
}

func testRoles(t *testing.T, open Opener) {
	t.Run("BuiltIn", func(t *testing.T) {
		s := open(t)
		roles, err := s.Roles(ctx())
		must(t, err)
		byID := map[string]*switchboard.Role{}
		for _, r := range roles {
			byID[r.ID] = r
		}
		for _, want := range switchboard.BuiltinRoles() {
			got := byID[want.ID]
			if got == nil {
				t.Errorf("built-in role %q missing", want.ID)
				continue
			}
			if got.Name != want.Name || got.Description != want.Description || !got.BuiltIn ||
				!slices.Equal(got.Permissions, want.Permissions) || len(got.ChannelIDs) != 0 || !got.AllChannels {
				t.Errorf("role %q = %+v, want %+v", want.ID, got, want)
			}
			one, err := s.Role(ctx(), want.ID)
			must(t, err)
			if one.Name != want.Name {
				t.Errorf("Role(%q).Name = %q", want.ID, one.Name)
			}
		}
		if len(roles) != 3 {
			t.Errorf("%d roles, want 3", len(roles))
		}
		wantCode(t, s.DeleteRole(ctx(), switchboard.RoleAdmin), switchboard.EInvalid)
		_, err = s.UpdateRole(ctx(), switchboard.RoleEmployee, switchboard.RoleUpdate{Name: strPtr("x")})
		wantCode(t, err, switchboard.EInvalid)
	})

	t.Run("Custom", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		r := &switchboard.Role{Name: "Night shift", Description: "d", ChannelIDs: []string{ch.ID},
			Permissions: []switchboard.Permission{switchboard.PermConversationsReply, switchboard.PermConversationsAssign}}
		must(t, s.CreateRole(ctx(), r))
		if r.ID == "" || r.BuiltIn || r.CreatedAt.IsZero() {
			t.Fatalf("CreateRole = %+v", r)
		}
		got, err := s.Role(ctx(), r.ID)
		must(t, err)
		if got.Name != "Night shift" || !slices.Equal(got.Permissions, r.Permissions) || !slices.Equal(got.ChannelIDs, []string{ch.ID}) || got.BuiltIn {
			t.Errorf("Role = %+v", got)
		}
		if got.AllChannels {
			t.Errorf("a role limited to a channel reads as all channels: %+v", got)
		}
		wantCode(t, s.CreateRole(ctx(), &switchboard.Role{Name: "Night shift", AllChannels: true}), switchboard.EConflict)
		wantCode(t, s.CreateRole(ctx(), &switchboard.Role{Name: "Bad", Permissions: []switchboard.Permission{"root"}}), switchboard.EInvalid)
		wantCode(t, s.CreateRole(ctx(), &switchboard.Role{Name: ""}), switchboard.EInvalid)
		// "All channels" is explicit: no channels and no AllChannels is
		// refused, and so is both.
		wantCode(t, s.CreateRole(ctx(), &switchboard.Role{Name: "Nowhere"}), switchboard.EInvalid)
		wantCode(t, s.CreateRole(ctx(), &switchboard.Role{Name: "Both", AllChannels: true, ChannelIDs: []string{ch.ID}}), switchboard.EInvalid)
		_, err = s.UpdateRole(ctx(), r.ID, switchboard.RoleUpdate{ChannelIDs: &[]string{}})
		wantCode(t, err, switchboard.EInvalid)
		if got, _ := s.Role(ctx(), r.ID); !slices.Equal(got.ChannelIDs, []string{ch.ID}) || got.AllChannels {
			t.Errorf("refused update changed the role: %+v", got)
		}

		perms := []switchboard.Permission{switchboard.PermAuditRead}
		upd, err := s.UpdateRole(ctx(), r.ID, switchboard.RoleUpdate{Name: strPtr("Day shift"), Permissions: &perms, AllChannels: boolPtr(true)})
		must(t, err)
		if upd.Name != "Day shift" || !slices.Equal(upd.Permissions, perms) || len(upd.ChannelIDs) != 0 || !upd.AllChannels || upd.Description != "d" {
			t.Errorf("UpdateRole = %+v", upd)
		}
		if got, _ := s.Role(ctx(), r.ID); !got.AllChannels {
			t.Errorf("Role after AllChannels = %+v", got)
		}
		back, err := s.UpdateRole(ctx(), r.ID, switchboard.RoleUpdate{AllChannels: boolPtr(false), ChannelIDs: &[]string{ch.ID}})
		must(t, err)
		if back.AllChannels || !slices.Equal(back.ChannelIDs, []string{ch.ID}) {
			t.Errorf("UpdateRole back to one channel = %+v", back)
		}
		bad := []switchboard.Permission{"nope"}
		_, err = s.UpdateRole(ctx(), r.ID, switchboard.RoleUpdate{Permissions: &bad})
		wantCode(t, err, switchboard.EInvalid)
		_, err = s.UpdateRole(ctx(), r.ID, switchboard.RoleUpdate{Name: strPtr("Administrator")})
		wantCode(t, err, switchboard.EConflict)

		u := mustUser(t, s, "gina", "Gina", r.ID)
		wantCode(t, s.DeleteRole(ctx(), r.ID), switchboard.EConflict)
		_, err = s.UpdateUser(ctx(), u.ID, switchboard.UserUpdate{RoleID: strPtr(switchboard.RoleEmployee)})
		must(t, err)
		must(t, s.DeleteRole(ctx(), r.ID))
		_, err = s.Role(ctx(), r.ID)
		wantCode(t, err, switchboard.ENotFound)
		wantCode(t, s.DeleteRole(ctx(), r.ID), switchboard.ENotFound)
	})
}

func testSessions(t *testing.T, open Opener) {
	s := open(t)
	u := mustUser(t, s, "hans", "Hans", switchboard.RoleEmployee)
	created := T0.Add(123456789 * time.Nanosecond)
	sess := &switchboard.Session{ID: "hash-1", UserID: u.ID, CreatedAt: created, LastSeenAt: created,
		ExpiresAt: created.Add(12 * time.Hour), IP: "192.0.2.1", UserAgent: "Firefox"}
	must(t, s.CreateSession(ctx(), sess))
	got, err := s.Session(ctx(), "hash-1")
	must(t, err)
	want := created.Truncate(time.Microsecond)
	if got.UserID != u.ID || !got.CreatedAt.Equal(want) || !got.LastSeenAt.Equal(want) || !got.ExpiresAt.Equal(want.Add(12*time.Hour)) ||
		got.IP != "192.0.2.1" || got.UserAgent != "Firefox" || got.CreatedAt.Location() != time.UTC {
		t.Errorf("Session = %+v", got)
	}
	wantCode(t, s.CreateSession(ctx(), &switchboard.Session{ID: "hash-x", UserID: switchboard.NewID(), ExpiresAt: T0}), switchboard.ENotFound)

	must(t, s.TouchSession(ctx(), "hash-1", created.Add(time.Hour)))
	got, err = s.Session(ctx(), "hash-1")
	must(t, err)
	if !got.LastSeenAt.Equal(want.Add(time.Hour)) {
		t.Errorf("LastSeenAt after touch = %v", got.LastSeenAt)
	}
	wantCode(t, s.TouchSession(ctx(), "nope", T0), switchboard.ENotFound)

	// Expiry: idle (last seen before idleBefore) and absolute (expires_at <= now).
	must(t, s.CreateSession(ctx(), &switchboard.Session{ID: "idle", UserID: u.ID, CreatedAt: T0, LastSeenAt: T0, ExpiresAt: T0.Add(48 * time.Hour)}))
	must(t, s.CreateSession(ctx(), &switchboard.Session{ID: "expired", UserID: u.ID, CreatedAt: T0, LastSeenAt: T0.Add(5 * time.Hour), ExpiresAt: T0.Add(5 * time.Hour)}))
	must(t, s.CreateSession(ctx(), &switchboard.Session{ID: "fresh", UserID: u.ID, CreatedAt: T0, LastSeenAt: T0.Add(5 * time.Hour), ExpiresAt: T0.Add(48 * time.Hour)}))
	n, err := s.DeleteExpiredSessions(ctx(), T0.Add(30*time.Minute), T0.Add(5*time.Hour))
	must(t, err)
	if n != 2 {
		t.Errorf("DeleteExpiredSessions = %d, want 2", n)
	}
	for id, wantErr := range map[string]bool{"idle": true, "expired": true, "fresh": false, "hash-1": false} {
		_, err := s.Session(ctx(), id)
		if wantErr {
			wantCode(t, err, switchboard.ENotFound)
		} else {
			must(t, err)
		}
	}

	must(t, s.DeleteSession(ctx(), "fresh"))
	_, err = s.Session(ctx(), "fresh")
	wantCode(t, err, switchboard.ENotFound)
	must(t, s.DeleteUserSessions(ctx(), u.ID))
	_, err = s.Session(ctx(), "hash-1")
	wantCode(t, err, switchboard.ENotFound)
}

func testSetup(t *testing.T, open Opener) {
	// The wall clock: PutSetupToken forgets the tokens expired by the
	// store's clock.
	now := time.Now().UTC().Truncate(time.Microsecond)
	for _, tt := range []struct {
		name       string
		token      switchboard.SetupToken
		usersFirst bool
		hash       string
		wantCode   string
	}{
		{"valid", switchboard.SetupToken{Hash: "h1", ExpiresAt: now.Add(time.Hour)}, false, "h1", ""},
		{"wrong token", switchboard.SetupToken{Hash: "h1", ExpiresAt: now.Add(time.Hour)}, false, "h2", switchboard.ENotFound},
		{"expired", switchboard.SetupToken{Hash: "h1", ExpiresAt: now}, false, "h1", switchboard.ENotFound},
		{"users exist", switchboard.SetupToken{Hash: "h1", ExpiresAt: now.Add(time.Hour)}, true, "h1", switchboard.EConflict},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			if tt.usersFirst {
				mustUser(t, s, "first", "First", switchboard.RoleAdmin)
			}
			_, err := s.SetupTokenByHash(ctx(), tt.token.Hash)
			wantCode(t, err, switchboard.ENotFound)
			// Another instance's token, stored first, stays valid beside
			// this one until the setup completes.
			must(t, s.PutSetupToken(ctx(), switchboard.SetupToken{Hash: "other", ExpiresAt: now.Add(time.Hour)}))
			must(t, s.PutSetupToken(ctx(), tt.token))
			cur, err := s.SetupTokenByHash(ctx(), tt.token.Hash)
			must(t, err)
			if cur.Hash != tt.token.Hash || !cur.ExpiresAt.Equal(tt.token.ExpiresAt.Truncate(time.Microsecond)) {
				t.Errorf("SetupTokenByHash = %+v, want %+v", cur, tt.token)
			}
			if _, err := s.SetupTokenByHash(ctx(), "other"); err != nil {
				t.Fatalf("the token stored first: %v", err)
			}
			admin := &switchboard.User{Login: "Root", Name: "Root", PasswordHash: "h"}
			err = s.CompleteSetup(ctx(), tt.hash, now, admin)
			if tt.wantCode != "" {
				wantCode(t, err, tt.wantCode)
				return
			}
			must(t, err)
			got, err := s.UserByLogin(ctx(), "root")
			must(t, err)
			if got.ID != admin.ID || got.RoleID != switchboard.RoleAdmin || !got.Active {
				t.Errorf("admin = %+v", got)
			}
			// Every token is consumed: this one and the other instance's.
			_, err = s.SetupTokenByHash(ctx(), tt.hash)
			wantCode(t, err, switchboard.ENotFound)
			_, err = s.SetupTokenByHash(ctx(), "other")
			wantCode(t, err, switchboard.ENotFound)
			wantCode(t, s.CompleteSetup(ctx(), tt.hash, now, &switchboard.User{Login: "again", Name: "x"}), switchboard.ENotFound)
			wantCode(t, s.CompleteSetup(ctx(), "other", now, &switchboard.User{Login: "again", Name: "x"}), switchboard.ENotFound)
		})
	}
}

func testChannels(t *testing.T, open Opener) {
	s := open(t)
	c := &switchboard.Channel{Name: "Support", PhoneNumberID: "1234567890", WABAID: "waba", DisplayPhoneNumber: "+49 30 123",
		GraphURL: "http://127.0.0.1:9999", AccessToken: "EAAG-token", AppSecret: "app-secret", VerifyToken: "verify", MarkRead: true, Emulated: true}
	must(t, s.CreateChannel(ctx(), c))
	if !switchboard.ValidID(c.ID) || c.CreatedAt.IsZero() {
		t.Fatalf("CreateChannel = %+v", c)
	}
	check := func(t *testing.T, got *switchboard.Channel, want switchboard.Channel) {
		t.Helper()
		want.CreatedAt, want.UpdatedAt = got.CreatedAt, got.UpdatedAt
		if *got != want {
			t.Errorf("channel = %+v, want %+v", *got, want)
		}
	}
	got, err := s.Channel(ctx(), c.ID)
	must(t, err)
	check(t, got, *c)
	got, err = s.ChannelByPhoneNumberID(ctx(), "1234567890")
	must(t, err)
	check(t, got, *c)
	_, err = s.ChannelByPhoneNumberID(ctx(), "999")
	wantCode(t, err, switchboard.ENotFound)
	wantCode(t, s.CreateChannel(ctx(), &switchboard.Channel{Name: "Dup", PhoneNumberID: "1234567890"}), switchboard.EConflict)
	wantCode(t, s.CreateChannel(ctx(), &switchboard.Channel{Name: "None"}), switchboard.EInvalid)

	upd, err := s.UpdateChannel(ctx(), c.ID, switchboard.ChannelUpdate{Name: strPtr("Sales"), AccessToken: strPtr("new-token"), MarkRead: boolPtr(false)})
	must(t, err)
	want := *c
	want.Name, want.AccessToken, want.MarkRead = "Sales", "new-token", false
	check(t, upd, want)
	got, err = s.Channel(ctx(), c.ID)
	must(t, err)
	check(t, got, want)
	_, err = s.UpdateChannel(ctx(), switchboard.NewID(), switchboard.ChannelUpdate{Name: strPtr("x")})
	wantCode(t, err, switchboard.ENotFound)

	other := mustChannel(t, s)
	all, err := s.Channels(ctx())
	must(t, err)
	var ids []string
	for _, ch := range all {
		ids = append(ids, ch.ID)
		if ch.ID == other.ID && ch.AccessToken != other.AccessToken {
			t.Errorf("Channels: secrets of %s not decrypted", ch.ID)
		}
	}
	if !sameSet(ids, []string{c.ID, other.ID}) {
		t.Errorf("Channels = %v", ids)
	}
}
