package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// testAuditInTransaction pins [switchboard.WithAuditEntry]: an audited
// write appends the entry its context carries in its own transaction.
// An entry that cannot be appended rolls the action back; an action that
// commits has exactly one entry, the chain still verifies, and later
// writes under the same context append nothing more. Every audited store
// write is covered.
func testAuditInTransaction(t *testing.T, open Opener) {
	entries := func(t *testing.T, s switchboard.Store) []*switchboard.AuditEntry {
		t.Helper()
		es, err := s.AuditChain(ctx(), 0, 10_000)
		must(t, err)
		return es
	}
	valid := func(action string) *switchboard.AuditEntry {
		return &switchboard.AuditEntry{At: T0, ActorID: "u-admin", ActorLogin: "admin", Action: action, ObjectType: "test",
			ObjectID: "obj", Outcome: switchboard.OutcomeSuccess, Detail: map[string]string{"k": "v"}}
	}
	// invalid cannot be appended: it has no action.
	invalid := func() *switchboard.AuditEntry {
		return &switchboard.AuditEntry{At: T0, Outcome: switchboard.OutcomeSuccess}
	}
	verify := func(t *testing.T, s switchboard.Store) {
		t.Helper()
		v, err := switchboard.VerifyAuditChain(ctx(), s, AuditKey)
		must(t, err)
		if v.Break != nil {
			t.Fatalf("audit chain broken at %d: %s", v.Break.Seq, v.Break.Reason)
		}
	}

	t.Run("RollsBackWithTheEntry", func(t *testing.T) {
		s := open(t)
		must(t, s.AppendAudit(ctx(), valid("before")))
		// Each action, under a context whose entry cannot be appended,
		// fails and leaves nothing behind.
		role := &switchboard.Role{ID: switchboard.NewID(), Name: "Tx role", Permissions: []switchboard.Permission{switchboard.PermConversationsAssign}, AllChannels: true}
		if err := s.CreateRole(switchboard.WithAuditEntry(ctx(), invalid()), role); !errors.Is(err, switchboard.ErrAuditIncomplete) {
			t.Fatalf("CreateRole with an entry that cannot be appended: %v, want the append's error", err)
		}
		if _, err := s.Role(ctx(), role.ID); switchboard.ErrorCode(err) != switchboard.ENotFound {
			t.Errorf("role after the failed create: %v, want ENotFound", err)
		}
		u := &switchboard.User{ID: switchboard.NewID(), Login: unique("txuser"), Name: "Tx", RoleID: switchboard.RoleOperator, Active: true, PasswordHash: "h"}
		if err := s.CreateUser(switchboard.WithAuditEntry(ctx(), invalid()), u); !errors.Is(err, switchboard.ErrAuditIncomplete) {
			t.Fatalf("CreateUser with an entry that cannot be appended: %v, want the append's error", err)
		}
		if _, err := s.User(ctx(), u.ID); switchboard.ErrorCode(err) != switchboard.ENotFound {
			t.Errorf("user after the failed create: %v, want ENotFound", err)
		}
		u.ID = ""
		must(t, s.CreateUser(ctx(), u))
		name := "Renamed"
		if _, err := s.UpdateUser(switchboard.WithAuditEntry(ctx(), invalid()), u.ID, switchboard.UserUpdate{Name: &name}); !errors.Is(err, switchboard.ErrAuditIncomplete) {
			t.Fatalf("UpdateUser with an entry that cannot be appended: %v, want the append's error", err)
		}
		if got, err := s.User(ctx(), u.ID); err != nil || got.Name != "Tx" {
			t.Errorf("user after the failed update = %+v, %v; want the name unchanged", got, err)
		}
		r := mustReceive(t, s, inbound(mustChannel(t, s).ID, "4915166666666", "Eva", "Hallo", T0))
		if _, err := s.SetConversationStatus(switchboard.WithAuditEntry(ctx(), invalid()), r.Conversation.ID, switchboard.StatusResolved, T0); !errors.Is(err, switchboard.ErrAuditIncomplete) {
			t.Fatalf("SetConversationStatus with an entry that cannot be appended: %v, want the append's error", err)
		}
		if c, err := s.Conversation(ctx(), r.Conversation.ID, ""); err != nil || c.Status != switchboard.StatusOpen {
			t.Errorf("conversation after the failed close = %v, %v; want open", c.Status, err)
		}
		if _, err := s.EraseContact(switchboard.WithAuditEntry(ctx(), invalid()), switchboard.Erasure{ContactID: r.Conversation.Contact.ID, ErasedAt: T0}); !errors.Is(err, switchboard.ErrAuditIncomplete) {
			t.Fatalf("EraseContact with an entry that cannot be appended: %v, want the append's error", err)
		}
		if _, err := s.Conversation(ctx(), r.Conversation.ID, ""); err != nil {
			t.Errorf("conversation after the failed erasure: %v, want it still there", err)
		}
		if es := entries(t, s); len(es) != 1 || es[0].Action != "before" {
			t.Errorf("audit log after failed actions has %d entries, want only the one before", len(es))
		}
		verify(t, s)
	})

	t.Run("OneEntryPerAction", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		user := mustUser(t, s, unique("txop"), "Operator", switchboard.RoleOperator)
		r := mustReceive(t, s, inbound(ch.ID, "4915177777777", "Fritz", "Moin", T0))
		role := &switchboard.Role{ID: switchboard.NewID(), Name: "Audited", Permissions: []switchboard.Permission{switchboard.PermConversationsAssign}, AllChannels: true}
		name, desc := "New name", "changed"
		sub := &switchboard.WebhookSubscription{ID: switchboard.NewID(), URL: "https://crm.example/hook", Events: []string{"*"}, AllChannels: true,
			Active: true, Secret: "whsec_a", CreatedBy: user.ID}
		tok := &switchboard.APIToken{ID: switchboard.NewID(), UserID: user.ID, Name: "ci", Hash: "hash-" + switchboard.NewID(),
			Scopes: []switchboard.Permission{switchboard.PermConversationsAssign}, CreatedBy: user.ID}
		now := time.Now().UTC()
		actions := []struct {
			name string
			do   func(ctx context.Context) error
		}{
			{"user.create", func(c context.Context) error {
				return s.CreateUser(c, &switchboard.User{Login: unique("txnew"), Name: "N", RoleID: switchboard.RoleEmployee, Active: true, PasswordHash: "h"})
			}},
			{"user.update", func(c context.Context) error {
				_, err := s.UpdateUser(c, user.ID, switchboard.UserUpdate{Name: &name})
				return err
			}},
			{"role.create", func(c context.Context) error { return s.CreateRole(c, role) }},
			{"role.update", func(c context.Context) error {
				_, err := s.UpdateRole(c, role.ID, switchboard.RoleUpdate{Description: &desc})
				return err
			}},
			{"role.require_two_factor", func(c context.Context) error {
				_, err := s.SetRoleRequireTwoFactor(c, role.ID, true, now)
				return err
			}},
			{"role.delete", func(c context.Context) error { return s.DeleteRole(c, role.ID) }},
			{"channel.create", func(c context.Context) error {
				return s.CreateChannel(c, &switchboard.Channel{Name: "Tx", PhoneNumberID: unique("pn"), AccessToken: "t", AppSecret: "s", VerifyToken: "v"})
			}},
			{"channel.update", func(c context.Context) error {
				_, err := s.UpdateChannel(c, ch.ID, switchboard.ChannelUpdate{Name: &name})
				return err
			}},
			{"conversation.assign", func(c context.Context) error {
				_, _, err := s.AddAssignee(c, r.Conversation.ID, user.ID, now)
				return err
			}},
			{"conversation.unassign", func(c context.Context) error {
				_, _, err := s.RemoveAssignee(c, r.Conversation.ID, user.ID, now)
				return err
			}},
			{"conversation.status", func(c context.Context) error {
				_, err := s.SetConversationStatus(c, r.Conversation.ID, switchboard.StatusResolved, now)
				return err
			}},
			{"token.create", func(c context.Context) error { return s.CreateAPIToken(c, tok) }},
			{"token.revoke", func(c context.Context) error { return s.RevokeAPIToken(c, tok.ID, now) }},
			{"webhook.create", func(c context.Context) error { return s.CreateWebhookSubscription(c, sub) }},
			{"webhook.update", func(c context.Context) error {
				sub.Description = "edited"
				return s.UpdateWebhookSubscription(c, sub)
			}},
			{"webhook.delete", func(c context.Context) error { return s.DeleteWebhookSubscription(c, sub.ID) }},
			{"user.two_factor.enrol", func(c context.Context) error {
				return s.PutTwoFactor(c, &switchboard.TwoFactor{UserID: user.ID, Secret: []byte("0123456789abcdefghij"), CreatedAt: now})
			}},
			{"user.two_factor.confirm", func(c context.Context) error { return s.ConfirmTwoFactor(c, user.ID, 1, []string{"h1"}, now) }},
			{"user.two_factor.recovery_codes_regenerate", func(c context.Context) error {
				return s.ReplaceRecoveryCodes(c, user.ID, []string{"h2"})
			}},
			{"user.two_factor.disable", func(c context.Context) error { return s.DeleteTwoFactor(c, user.ID) }},
			{"contact.erase", func(c context.Context) error {
				_, err := s.EraseContact(c, switchboard.Erasure{ContactID: r.Conversation.Contact.ID, ErasedAt: now})
				return err
			}},
		}
		for _, a := range actions {
			before := len(entries(t, s))
			actx := switchboard.WithAuditEntry(ctx(), valid(a.name))
			if err := a.do(actx); err != nil {
				t.Fatalf("%s: %v", a.name, err)
			}
			if !switchboard.AuditEntryWritten(actx) {
				t.Errorf("%s: the store did not write the entry with the action", a.name)
				continue
			}
			es := entries(t, s)
			if len(es) != before+1 || es[len(es)-1].Action != a.name {
				t.Errorf("%s: %d entries after the action, want %d ending with it", a.name, len(es), before+1)
			}
		}
		es := entries(t, s)
		if d := es[len(es)-1].Detail; d["conversations"] != "1" || d["messages"] != "1" || d["k"] != "v" {
			t.Errorf("erasure entry detail = %v, want the store's counts added", d)
		}

		// One context, two writes: one entry. An assignment that changes
		// nothing writes none.
		before := len(entries(t, s))
		actx := switchboard.WithAuditEntry(ctx(), valid("user.update"))
		_, err := s.UpdateUser(actx, user.ID, switchboard.UserUpdate{Name: &desc})
		must(t, err)
		_, err = s.UpdateUser(actx, user.ID, switchboard.UserUpdate{Name: &name})
		must(t, err)
		r2 := mustReceive(t, s, inbound(ch.ID, "4915188888888", "Gina", "Hi", T0))
		_, _, err = s.AddAssignee(ctx(), r2.Conversation.ID, user.ID, now)
		must(t, err)
		again := switchboard.WithAuditEntry(ctx(), valid("conversation.assign"))
		if _, changed, err := s.AddAssignee(again, r2.Conversation.ID, user.ID, now); err != nil || changed {
			t.Fatalf("repeated AddAssignee = %v, %v", changed, err)
		}
		if switchboard.AuditEntryWritten(again) {
			t.Error("an assignment that changed nothing wrote its entry")
		}
		if n := len(entries(t, s)); n != before+1 {
			t.Errorf("%d entries for two writes under one context and a no-op, want 1", n-before)
		}
		verify(t, s)
	})
}
