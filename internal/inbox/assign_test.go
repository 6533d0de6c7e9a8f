package inbox

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/sqlite"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

// TestAssignNeedsSomeoneWhoCanReply: Assign refuses (EInvalid) a
// deactivated user, a role without conversations.reply and a role limited
// to another channel, and Assignable offers exactly the others.
func TestAssignNeedsSomeoneWhoCanReply(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "test.db"), sqlite.Options{Master: storetest.MasterKey(t), Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	s := New(store, nil, nil)
	channel := func(phone string) *switchboard.Channel {
		ch := &switchboard.Channel{Name: "Channel " + phone, PhoneNumberID: phone, WABAID: "waba1", DisplayPhoneNumber: "+49 30 1234567",
			AccessToken: "token-" + phone, AppSecret: "secret-" + phone, VerifyToken: "verify-" + phone}
		if err := store.CreateChannel(ctx, ch); err != nil {
			t.Fatal(err)
		}
		return ch
	}
	berlin, hamburg := channel("100001"), channel("100002")
	role := func(name string, all bool, channels []string, perms ...switchboard.Permission) *switchboard.Role {
		r := &switchboard.Role{Name: name, Permissions: perms, AllChannels: all, ChannelIDs: channels}
		if err := store.CreateRole(ctx, r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	readers := role("Readers", true, nil, switchboard.PermConversationsReadAll)
	hamburgDesk := role("Hamburg desk", false, []string{hamburg.ID}, switchboard.PermConversationsReadAll, switchboard.PermConversationsReply)
	user := func(login, roleID string, active bool) *switchboard.User {
		u := &switchboard.User{Login: login, Name: login, RoleID: roleID, Active: active, PasswordHash: "$argon2id$v=19$x"}
		if err := store.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		return u
	}
	opUser := user("op", switchboard.RoleOperator, true)
	emp := user("emp", switchboard.RoleEmployee, true)
	refused := []*switchboard.User{
		user("gone", switchboard.RoleEmployee, false), user("reader", readers.ID, true), user("hdesk", hamburgDesk.ID, true),
	}
	opRole, err := store.Role(ctx, switchboard.RoleOperator)
	if err != nil {
		t.Fatal(err)
	}
	op := &switchboard.Actor{User: opUser, Role: opRole}
	r, err := store.ReceiveMessage(ctx, switchboard.InboundMessage{ChannelID: berlin.ID, WaID: "4915100000001", ProfileName: "Kunde",
		Message: &switchboard.Message{Type: switchboard.TypeText, Content: switchboard.MessageContent{Text: "hallo"},
			WAMessageID: "wamid.assign-test", Timestamp: time.Now()}})
	if err != nil {
		t.Fatal(err)
	}
	conv := r.Conversation

	for _, u := range refused {
		if _, err := s.Assign(ctx, op, conv.ID, u.ID); switchboard.ErrorCode(err) != switchboard.EInvalid {
			t.Errorf("Assign(%s) = %v, want %s", u.Login, err, switchboard.EInvalid)
		}
	}
	users, err := s.Assignable(ctx, op, conv.ID, "", 50)
	if err != nil {
		t.Fatal(err)
	}
	var logins []string
	for _, u := range users {
		logins = append(logins, u.Login)
	}
	if want := []string{"emp", "op"}; !slices.Equal(logins, want) {
		t.Fatalf("Assignable = %v, want %v", logins, want)
	}
	c, err := s.Assign(ctx, op, conv.ID, emp.ID)
	if err != nil || !c.AssignedTo(emp.ID) {
		t.Fatalf("Assign(emp) = %+v, %v", c, err)
	}
}
