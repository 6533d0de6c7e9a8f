package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

func newToken(userID, name string, scopes ...switchboard.Permission) *switchboard.APIToken {
	return &switchboard.APIToken{
		ID: switchboard.NewID(), UserID: userID, Name: name, Scopes: scopes,
		Hash: switchboard.NewID() + switchboard.NewID(), CreatedBy: userID, CreatedAt: T0,
	}
}

func testTokens(t *testing.T, open Opener) {
	t.Run("CreateGetAndList", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "tok", "Tok", switchboard.RoleOperator)
		other := mustUser(t, s, "other", "Other", switchboard.RoleOperator)
		a := newToken(u.ID, "first", switchboard.PermConversationsReply)
		a.ExpiresAt = T0.Add(24 * time.Hour)
		a.RatePerMinute = 30
		must(t, s.CreateAPIToken(ctx(), a))
		b := newToken(u.ID, "second", switchboard.PermConversationsReadAll, switchboard.PermConversationsAssign)
		b.CreatedAt = T0.Add(time.Minute)
		must(t, s.CreateAPIToken(ctx(), b))
		must(t, s.CreateAPIToken(ctx(), newToken(other.ID, "theirs", switchboard.PermUsersRead)))

		got, err := s.APIToken(ctx(), a.ID)
		must(t, err)
		if got.Name != "first" || got.UserID != u.ID || got.Hash != a.Hash || !slices.Equal(got.Scopes, a.Scopes) ||
			!got.ExpiresAt.Equal(a.ExpiresAt) || got.RatePerMinute != 30 || !got.LastUsedAt.IsZero() || !got.RevokedAt.IsZero() {
			t.Errorf("APIToken = %+v", got)
		}
		if got.CreatedAt.Location() != time.UTC || !got.CreatedAt.Equal(T0) {
			t.Errorf("CreatedAt = %v", got.CreatedAt)
		}
		byHash, err := s.APITokenByHash(ctx(), b.Hash)
		must(t, err)
		if byHash.ID != b.ID || !byHash.ExpiresAt.IsZero() {
			t.Errorf("APITokenByHash = %+v", byHash)
		}
		list, err := s.APITokens(ctx(), u.ID)
		must(t, err)
		if len(list) != 2 || list[0].ID != b.ID || list[1].ID != a.ID {
			t.Errorf("APITokens = %v, want newest first [second first]", list)
		}
		none, err := s.APITokens(ctx(), switchboard.NewID())
		must(t, err)
		if none == nil || len(none) != 0 {
			t.Errorf("APITokens of nobody = %#v, want an empty slice", none)
		}
		n, err := s.CountLiveAPITokens(ctx(), u.ID, T0.Add(time.Hour))
		must(t, err)
		if n != 2 {
			t.Errorf("CountLiveAPITokens = %d, want 2", n)
		}
		n, err = s.CountLiveAPITokens(ctx(), u.ID, T0.Add(25*time.Hour))
		must(t, err)
		if n != 1 {
			t.Errorf("CountLiveAPITokens after the first expired = %d, want 1", n)
		}
	})

	t.Run("Errors", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "tok", "Tok", switchboard.RoleOperator)
		wantCode(t, s.CreateAPIToken(ctx(), newToken(switchboard.NewID(), "ghost", switchboard.PermUsersRead)), switchboard.ENotFound)
		tok := newToken(u.ID, "one", switchboard.PermUsersRead)
		must(t, s.CreateAPIToken(ctx(), tok))
		dup := newToken(u.ID, "two", switchboard.PermUsersRead)
		dup.Hash = tok.Hash
		wantCode(t, s.CreateAPIToken(ctx(), dup), switchboard.EConflict)
		_, err := s.APIToken(ctx(), switchboard.NewID())
		wantCode(t, err, switchboard.ENotFound)
		_, err = s.APITokenByHash(ctx(), "nope")
		wantCode(t, err, switchboard.ENotFound)
		wantCode(t, s.RevokeAPIToken(ctx(), switchboard.NewID(), T0), switchboard.ENotFound)
		wantCode(t, s.TouchAPIToken(ctx(), switchboard.NewID(), T0, "192.0.2.1"), switchboard.ENotFound)
	})

	t.Run("RevokeKeepsFirstTime", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "tok", "Tok", switchboard.RoleOperator)
		tok := newToken(u.ID, "one", switchboard.PermUsersRead)
		must(t, s.CreateAPIToken(ctx(), tok))
		must(t, s.RevokeAPIToken(ctx(), tok.ID, T0.Add(time.Hour)))
		must(t, s.RevokeAPIToken(ctx(), tok.ID, T0.Add(2*time.Hour)))
		got, err := s.APIToken(ctx(), tok.ID)
		must(t, err)
		if !got.RevokedAt.Equal(T0.Add(time.Hour)) {
			t.Errorf("RevokedAt = %v, want the first revocation %v", got.RevokedAt, T0.Add(time.Hour))
		}
		n, err := s.CountLiveAPITokens(ctx(), u.ID, T0)
		must(t, err)
		if n != 0 {
			t.Errorf("CountLiveAPITokens = %d after revocation, want 0", n)
		}
	})

	t.Run("TouchNeverMovesBack", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "tok", "Tok", switchboard.RoleOperator)
		tok := newToken(u.ID, "one", switchboard.PermUsersRead)
		must(t, s.CreateAPIToken(ctx(), tok))
		must(t, s.TouchAPIToken(ctx(), tok.ID, T0.Add(time.Hour), "192.0.2.1"))
		must(t, s.TouchAPIToken(ctx(), tok.ID, T0.Add(time.Minute), "192.0.2.9"))
		got, err := s.APIToken(ctx(), tok.ID)
		must(t, err)
		if !got.LastUsedAt.Equal(T0.Add(time.Hour)) || got.LastUsedIP != "192.0.2.1" {
			t.Errorf("last used = %v from %q, want %v from 192.0.2.1", got.LastUsedAt, got.LastUsedIP, T0.Add(time.Hour))
		}
		must(t, s.TouchAPIToken(ctx(), tok.ID, T0.Add(2*time.Hour), "192.0.2.2"))
		got, err = s.APIToken(ctx(), tok.ID)
		must(t, err)
		if !got.LastUsedAt.Equal(T0.Add(2*time.Hour)) || got.LastUsedIP != "192.0.2.2" {
			t.Errorf("last used = %v from %q, want %v from 192.0.2.2", got.LastUsedAt, got.LastUsedIP, T0.Add(2*time.Hour))
		}
	})

	t.Run("ServiceAccounts", func(t *testing.T) {
		s := open(t)
		admin := mustUser(t, s, "admin", "Admin", switchboard.RoleAdmin)
		person := mustUser(t, s, "person", "Person", switchboard.RoleOperator)
		sa := &switchboard.ServiceAccount{
			User:        &switchboard.User{Login: "Reply-Bot", Name: "Reply bot", RoleID: switchboard.RoleEmployee, Active: true, PasswordHash: "x"},
			Description: "answers FAQs", CreatedBy: admin.ID,
		}
		must(t, s.CreateServiceAccount(ctx(), sa))
		if !switchboard.ValidID(sa.User.ID) || sa.User.Login != "reply-bot" || sa.CreatedAt.IsZero() {
			t.Fatalf("CreateServiceAccount left %+v / %+v", sa, sa.User)
		}
		u, err := s.User(ctx(), sa.User.ID)
		must(t, err)
		if u.Name != "Reply bot" || u.RoleID != switchboard.RoleEmployee {
			t.Errorf("the account's user = %+v", u)
		}
		got, err := s.ServiceAccount(ctx(), sa.User.ID)
		must(t, err)
		if got.Description != "answers FAQs" || got.CreatedBy != admin.ID || got.User.Login != "reply-bot" || !got.CreatedAt.Equal(sa.CreatedAt) {
			t.Errorf("ServiceAccount = %+v / %+v", got, got.User)
		}
		_, err = s.ServiceAccount(ctx(), person.ID)
		wantCode(t, err, switchboard.ENotFound)
		list, err := s.ServiceAccounts(ctx())
		must(t, err)
		if len(list) != 1 || list[0].User.ID != sa.User.ID {
			t.Errorf("ServiceAccounts = %v", list)
		}
		// The login is shared with people, and a failed account leaves no user.
		taken := &switchboard.ServiceAccount{User: &switchboard.User{Login: "person", Name: "x", RoleID: switchboard.RoleEmployee}}
		wantCode(t, s.CreateServiceAccount(ctx(), taken), switchboard.EConflict)
		badRole := &switchboard.ServiceAccount{User: &switchboard.User{Login: "bot2", Name: "x", RoleID: "nope"}}
		wantCode(t, s.CreateServiceAccount(ctx(), badRole), switchboard.EInvalid)
		if _, err := s.UserByLogin(ctx(), "bot2"); switchboard.ErrorCode(err) != switchboard.ENotFound {
			t.Errorf("a refused service account left a user: %v", err)
		}
	})
}
