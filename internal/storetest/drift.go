package storetest

import (
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// testDrift pins the places where the two stores once behaved differently
// (issue 12): each subtest failed on one of them before the rule moved into
// the domain or into the shared store scaffolding.
func testDrift(t *testing.T, open Opener) {
	t.Run("UserSearchFoldsUnicode", func(t *testing.T) { testUserSearchFolds(t, open) })
	t.Run("AuditEntryNeedsOutcome", func(t *testing.T) { testAuditNeedsOutcome(t, open) })
	t.Run("SameConditionSameMessage", func(t *testing.T) { testSameMessages(t, open) })
	t.Run("OutboundMessageDefaults", func(t *testing.T) {
		s := open(t)
		u := mustUser(t, s, "out.user", "Out", switchboard.RoleOperator)
		ch := mustChannel(t, s)
		conv := mustReceive(t, s, inbound(ch.ID, "4915112345679", "Kim", "hallo", T0)).Conversation
		m := &switchboard.Message{ConversationID: conv.ID, SenderID: u.ID, Content: switchboard.MessageContent{Text: "ohne Typ"}}
		if _, err := s.CreateOutboundMessage(ctx(), m); err != nil {
			t.Fatal(err)
		}
		got := mustStatus(t, s, m.ID)
		if m.Type != switchboard.TypeText || got.Type != switchboard.TypeText {
			t.Errorf("type = %q (returned), %q (stored), want %q", m.Type, got.Type, switchboard.TypeText)
		}
		if got.Direction != switchboard.DirectionOut || got.Status != switchboard.MessagePending || !switchboard.ValidID(got.ID) {
			t.Errorf("stored %+v, want a new outbound pending message", got)
		}
	})
	t.Run("RoleNameTrimmed", func(t *testing.T) {
		s := open(t)
		r := &switchboard.Role{Name: "  Sales  ", AllChannels: true, Permissions: []switchboard.Permission{switchboard.PermConversationsReply}}
		must(t, s.CreateRole(ctx(), r))
		got, err := s.Role(ctx(), r.ID)
		must(t, err)
		if r.Name != "Sales" || got.Name != "Sales" {
			t.Errorf("names = %q (returned), %q (stored), want %q", r.Name, got.Name, "Sales")
		}
		up, err := s.UpdateRole(ctx(), r.ID, switchboard.RoleUpdate{Name: strPtr(" Support ")})
		must(t, err)
		if up.Name != "Support" {
			t.Errorf("updated name = %q, want %q", up.Name, "Support")
		}
	})
}

// testUserSearchFolds checks that UserFilter.Query is case- and
// accent-insensitive for every script (switchboard.Fold), not only ASCII.
func testUserSearchFolds(t *testing.T, open Opener) {
	s := open(t)
	for _, u := range []struct{ login, name string }{
		{"olga", "Ольга Коваленко"},
		{"hans", "Hans Müller"},
		{"ilker", "İlker Yılmaz"},
		{"jose", "José Álvarez"},
		{"zoe", "Zoë Straße"},
		{"jürgen", "J. Schmidt"},
		{"plain", "Plain Person"},
	} {
		mustUser(t, s, u.login, u.name, switchboard.RoleEmployee)
	}
	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"ольга", []string{"olga"}},
		{"ОЛЬГА", []string{"olga"}},
		{"коваленко", []string{"olga"}},
		{"MÜLLER", []string{"hans"}},
		{"muller", []string{"hans"}},
		{"İLKER", []string{"ilker"}},
		{"yilmaz", []string{"ilker"}},
		{"YILMAZ", []string{"ilker"}},
		{"Yılmaz", []string{"ilker"}},
		{"jose alvarez", []string{"jose"}},
		{"ÁLVAREZ", []string{"jose"}},
		{"zoe", []string{"zoe"}},
		{"STRASSE", []string{"zoe"}},
		{"JURGEN", []string{"jürgen"}},
		{"Jürgen", []string{"jürgen"}},
		{"ольгаx", nil},
		{"%", nil},
		{"_", nil},
	} {
		got, _, err := s.Users(ctx(), switchboard.UserFilter{Query: tt.query})
		must(t, err)
		var logins []string
		for _, u := range got {
			logins = append(logins, u.Login)
		}
		if !sameSet(logins, tt.want) {
			t.Errorf("Users(Query %q) = %q, want %q", tt.query, logins, tt.want)
		}
	}

	// A renamed user is found by the new name only.
	u := mustUser(t, s, "renamed", "Ärger", switchboard.RoleEmployee)
	_, err := s.UpdateUser(ctx(), u.ID, switchboard.UserUpdate{Name: strPtr("Øystein")})
	must(t, err)
	for q, want := range map[string]int{"arger": 0, "oystein": 1, "ØYSTEIN": 1} {
		got, _, err := s.Users(ctx(), switchboard.UserFilter{Query: q})
		must(t, err)
		if len(got) != want {
			t.Errorf("after rename, Users(Query %q) found %d, want %d", q, len(got), want)
		}
	}
}

// testAuditNeedsOutcome: an audit entry must say what came of the action,
// on both stores (PostgreSQL once accepted an entry without one).
func testAuditNeedsOutcome(t *testing.T, open Opener) {
	s := open(t)
	for name, e := range map[string]*switchboard.AuditEntry{
		"no outcome":      {Action: "user.login"},
		"no action":       {Outcome: switchboard.OutcomeSuccess},
		"unknown outcome": {Action: "user.login", Outcome: "maybe"},
	} {
		err := s.AppendAudit(ctx(), e)
		wantCode(t, err, switchboard.EInvalid)
		if e.Seq != 0 || e.Hash != "" {
			t.Errorf("%s: refused entry got a place in the chain: %+v", name, e)
		}
	}
	got, _, err := s.AuditEntries(ctx(), switchboard.AuditFilter{})
	must(t, err)
	if len(got) != 0 {
		t.Errorf("refused entries were stored: %+v", got)
	}
	must(t, s.AppendAudit(ctx(), &switchboard.AuditEntry{Action: "user.login", Outcome: switchboard.OutcomeDenied}))
}

// testSameMessages: the same condition gives the same code and the same
// message on both stores.
func testSameMessages(t *testing.T, open Opener) {
	s := open(t)
	u := mustUser(t, s, "msg.user", "Message User", switchboard.RoleOperator)
	ch := mustChannel(t, s)
	conv := mustReceive(t, s, inbound(ch.ID, "4915112345678", "Kim", "hallo", T0)).Conversation
	out := func(key string) *switchboard.Message {
		return &switchboard.Message{ConversationID: conv.ID, SenderID: u.ID, IdempotencyKey: key,
			Type: switchboard.TypeText, Content: switchboard.MessageContent{Text: "x"}}
	}
	if _, err := s.CreateOutboundMessage(ctx(), out("key-a")); err != nil {
		t.Fatal(err)
	}
	custom := &switchboard.Role{Name: "Custom", AllChannels: true, Permissions: []switchboard.Permission{switchboard.PermUsersRead}}
	must(t, s.CreateRole(ctx(), custom))

	for _, tt := range []struct {
		name, code, msg string
		err             func() error
	}{
		{"create user with unknown role", switchboard.EInvalid, "Unknown role.", func() error {
			return s.CreateUser(ctx(), &switchboard.User{Login: "x1", RoleID: "no-such-role"})
		}},
		{"update user to unknown role", switchboard.EInvalid, "Unknown role.", func() error {
			_, err := s.UpdateUser(ctx(), u.ID, switchboard.UserUpdate{RoleID: strPtr("no-such-role")})
			return err
		}},
		{"user id taken", switchboard.EConflict, "User already exists.", func() error {
			return s.CreateUser(ctx(), &switchboard.User{ID: u.ID, Login: "x2", RoleID: switchboard.RoleEmployee})
		}},
		{"edit built-in role", switchboard.EInvalid, "Built-in roles cannot be edited.", func() error {
			_, err := s.UpdateRole(ctx(), switchboard.RoleOperator, switchboard.RoleUpdate{Name: strPtr("Boss")})
			return err
		}},
		{"role id taken", switchboard.EConflict, "Role already exists.", func() error {
			return s.CreateRole(ctx(), &switchboard.Role{ID: custom.ID, Name: "Another", AllChannels: true})
		}},
		{"role name taken", switchboard.EConflict, "Role name is already taken.", func() error {
			return s.CreateRole(ctx(), &switchboard.Role{Name: "Custom", AllChannels: true})
		}},
		{"role without name", switchboard.EInvalid, "Role name is required.", func() error {
			return s.CreateRole(ctx(), &switchboard.Role{Name: " ", AllChannels: true})
		}},
		{"channel id taken", switchboard.EConflict, "Channel already exists.", func() error {
			return s.CreateChannel(ctx(), &switchboard.Channel{ID: ch.ID, Name: "Dup", PhoneNumberID: unique("20000"),
				AccessToken: "t", AppSecret: "a", VerifyToken: "v"})
		}},
		{"phone number taken", switchboard.EConflict, "This phone number is already connected.", func() error {
			return s.CreateChannel(ctx(), &switchboard.Channel{Name: "Dup", PhoneNumberID: ch.PhoneNumberID,
				AccessToken: "t", AppSecret: "a", VerifyToken: "v"})
		}},
		{"outbound message without conversation", switchboard.EInvalid, "Outbound message needs a conversation.", func() error {
			_, err := s.CreateOutboundMessage(ctx(), &switchboard.Message{Content: switchboard.MessageContent{Text: "x"}})
			return err
		}},
		{"idempotency key reused", switchboard.EConflict, "This Idempotency-Key was used for another message.", func() error {
			_, err := s.CreateOutboundMessage(ctx(), out("key-a"))
			return err
		}},
		{"mine without a viewer", switchboard.EInvalid, `The assignment filter "mine" needs a viewer.`, func() error {
			_, _, err := s.Conversations(ctx(), switchboard.ConversationFilter{Assignment: switchboard.AssignmentMine})
			return err
		}},
		{"unknown assignment filter", switchboard.EInvalid, "Invalid assignment filter.", func() error {
			_, _, err := s.Conversations(ctx(), switchboard.ConversationFilter{Assignment: "everything"})
			return err
		}},
		{"unknown status filter", switchboard.EInvalid, "Invalid status filter.", func() error {
			_, _, err := s.Conversations(ctx(), switchboard.ConversationFilter{Status: "archived"})
			return err
		}},
		{"template without a name", switchboard.EInvalid, "Templates need a name and a language.", func() error {
			return s.ReplaceTemplates(ctx(), ch.ID, []*switchboard.Template{{Language: "de"}}, T0)
		}},
		{"inbound without a message", switchboard.EInvalid, "Message is required.", func() error {
			in := inbound(ch.ID, "4915112345679", "Kim", "x", T0)
			in.Message = nil
			_, err := s.ReceiveMessage(ctx(), in)
			return err
		}},
		{"inbound without a channel", switchboard.EInvalid, "Channel is required.", func() error {
			_, err := s.ReceiveMessage(ctx(), inbound("", "4915112345679", "Kim", "x", T0))
			return err
		}},
		{"inbound without a sender", switchboard.EInvalid, "A phone number or business-scoped user id is required.", func() error {
			_, err := s.ReceiveMessage(ctx(), inbound(ch.ID, "", "Kim", "x", T0))
			return err
		}},
		{"batched inbound without a sender", switchboard.EInvalid, "A phone number or business-scoped user id is required.", func() error {
			_, err := s.ReceiveBatch(ctx(), switchboard.InboundBatch{Messages: []switchboard.InboundMessage{inbound(ch.ID, "", "Kim", "x", T0)}})
			return err
		}},
		{"status without a message id", switchboard.EInvalid, "A status needs a message id.", func() error {
			_, err := s.ApplyStatus(ctx(), switchboard.StatusUpdate{ChannelID: ch.ID, Status: switchboard.MessageRead, Timestamp: T0})
			return err
		}},
		{"setup token without a hash", switchboard.EInvalid, "Setup token hash is required.", func() error {
			return s.PutSetupToken(ctx(), switchboard.SetupToken{ExpiresAt: time.Now().Add(time.Hour)})
		}},
	} {
		err := tt.err()
		if code, msg := switchboard.ErrorCode(err), switchboard.ErrorMessage(err); code != tt.code || msg != tt.msg {
			t.Errorf("%s: error %q %q, want %q %q (err %v)", tt.name, code, msg, tt.code, tt.msg, err)
		}
	}
}
