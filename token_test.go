package switchboard

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestAPITokenValidate(t *testing.T) {
	ok := APIToken{Name: "ci", Scopes: []Permission{PermConversationsReply}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid token: %v", err)
	}
	for name, tok := range map[string]APIToken{
		"no name":       {Name: "  ", Scopes: []Permission{PermConversationsReply}},
		"long name":     {Name: strings.Repeat("é", MaxTokenName+1), Scopes: []Permission{PermConversationsReply}},
		"no scope":      {Name: "x"},
		"unknown scope": {Name: "x", Scopes: []Permission{"tokens.mint"}},
		"twice":         {Name: "x", Scopes: []Permission{PermUsersRead, PermUsersRead}},
		"rate":          {Name: "x", Scopes: []Permission{PermUsersRead}, RatePerMinute: MaxTokenRate + 1},
		"negative rate": {Name: "x", Scopes: []Permission{PermUsersRead}, RatePerMinute: -1},
	} {
		if code := ErrorCode(tok.Validate()); code != EInvalid {
			t.Errorf("%s: code %q, want %q", name, code, EInvalid)
		}
	}
}

func TestAPITokenUsable(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		tok  APIToken
		want bool
	}{
		{"no expiry", APIToken{}, true},
		{"expires later", APIToken{ExpiresAt: now.Add(time.Second)}, true},
		{"expires now", APIToken{ExpiresAt: now}, false},
		{"revoked", APIToken{RevokedAt: now.Add(-time.Hour)}, false},
	} {
		if got := tc.tok.Usable(now); got != tc.want {
			t.Errorf("%s: Usable = %v, want %v", tc.name, got, tc.want)
		}
	}
	var nilTok *APIToken
	if nilTok.Usable(now) {
		t.Error("a nil token is usable")
	}
}

// TestAPITokenNarrow: the effective permissions are scopes ∩ role, so a
// scope the role lacks grants nothing, and the role's channel limit stays.
func TestAPITokenNarrow(t *testing.T) {
	role := &Role{ID: "r", Permissions: []Permission{PermConversationsReadAll, PermConversationsReply}, ChannelIDs: []string{"c1"}}
	tok := &APIToken{Scopes: []Permission{PermConversationsReply, PermUsersManage}}
	got := tok.Narrow(role)
	if !slices.Equal(got.Permissions, []Permission{PermConversationsReply}) {
		t.Errorf("Permissions = %v, want [conversations.reply]", got.Permissions)
	}
	if got.Has(PermUsersManage) || got.Has(PermConversationsReadAll) {
		t.Error("the narrowed role grants more than scopes ∩ role")
	}
	if got.AllowsChannel("c2") || !got.AllowsChannel("c1") {
		t.Error("the channel limit changed")
	}
	got.ChannelIDs[0] = "changed"
	if role.ChannelIDs[0] != "c1" || len(role.Permissions) != 2 {
		t.Error("Narrow changed the role it was given")
	}
	if tok.Narrow(nil) != nil {
		t.Error("Narrow(nil) is not nil")
	}
}
