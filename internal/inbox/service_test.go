package inbox

import (
	"context"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/backup"
	"github.com/switchboardhq/switchboard/internal/media"
	"github.com/switchboardhq/switchboard/internal/sqlite"
	"github.com/switchboardhq/switchboard/internal/sqlite/sqlitetest"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

// fixture is a service on a fresh SQLite store with one channel.
type fixture struct {
	store   *sqlite.DB
	svc     *Service
	channel *switchboard.Channel
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	store := sqlitetest.MustOpen(t)
	ch := &switchboard.Channel{Name: "Berlin", PhoneNumberID: "100001", WABAID: "waba1", DisplayPhoneNumber: "+49 30 1234567",
		AccessToken: "token", AppSecret: "secret", VerifyToken: "verify"}
	if err := store.CreateChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}
	return &fixture{store: store, svc: New(store, nil, nil), channel: ch}
}

// actor creates an active user with a built-in role.
func (f *fixture) actor(t *testing.T, login, roleID string) *switchboard.Actor {
	t.Helper()
	ctx := context.Background()
	u := &switchboard.User{Login: login, Name: login, RoleID: roleID, Active: true, PasswordHash: "$argon2id$v=19$x"}
	if err := f.store.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	r, err := f.store.Role(ctx, roleID)
	if err != nil {
		t.Fatal(err)
	}
	return &switchboard.Actor{User: u, Role: r}
}

// receive stores a customer's text message.
func (f *fixture) receive(t *testing.T, waID, text string, at time.Time) *switchboard.Conversation {
	t.Helper()
	r, err := f.store.ReceiveMessage(context.Background(), switchboard.InboundMessage{
		ChannelID: f.channel.ID, WaID: waID, ProfileName: "Kundin " + waID,
		Message: &switchboard.Message{Type: switchboard.TypeText, Content: switchboard.MessageContent{Text: text},
			WAMessageID: "wamid." + waID + text, Timestamp: at},
	})
	if err != nil {
		t.Fatal(err)
	}
	return r.Conversation
}

// countingStore counts the reads of one conversation.
type countingStore struct {
	switchboard.Store
	reads atomic.Int32
}

func (s *countingStore) Conversation(ctx context.Context, id, viewerID string) (*switchboard.Conversation, error) {
	s.reads.Add(1)
	return s.Store.Conversation(ctx, id, viewerID)
}

// TestUpdateConversationReadsOnce closes a conversation through the PATCH
// use case: the conversation is read once (it was read three times when the
// handler checked visibility itself), and the answer still carries the
// actor's unread count.
func TestUpdateConversationReadsOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := f.actor(t, "ada", switchboard.RoleAdmin)
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	c := f.receive(t, "4915100000001", "Hallo", t0)
	f.receive(t, "4915100000001", "Noch da?", t0.Add(time.Minute))
	counting := &countingStore{Store: f.store}
	f.svc.Store = counting

	closed := switchboard.StatusResolved
	got, err := f.svc.UpdateConversation(ctx, admin, c.ID, func(p *ConversationPatch) error {
		p.Status = &closed
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := counting.reads.Load(); n != 1 {
		t.Errorf("conversation read %d times, want 1", n)
	}
	fresh, err := f.store.Conversation(ctx, c.ID, admin.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != switchboard.StatusResolved || fresh.Status != switchboard.StatusResolved {
		t.Errorf("status = %q, stored %q; want closed", got.Status, fresh.Status)
	}
	if got.UnreadCount != 2 || got.UnreadCount != fresh.UnreadCount {
		t.Errorf("unread count = %d, a fresh read says %d; want 2", got.UnreadCount, fresh.UnreadCount)
	}
}

// TestUpdateConversationChecksVisibilityFirst: for a conversation the
// actor may not see, the answer is ENotFound before the request is read,
// as for a missing one; an empty patch on a visible one is EInvalid; a
// role without conversations.close is EForbidden.
func TestUpdateConversationChecksVisibilityFirst(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.receive(t, "4915100000002", "Hallo", time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	employee := f.actor(t, "emil", switchboard.RoleEmployee)
	operator := f.actor(t, "olga", switchboard.RoleOperator)
	refuse := func(*ConversationPatch) error {
		t.Error("the request was read for a conversation the actor may not see")
		return switchboard.Errorf(switchboard.EInvalid, "bad body")
	}
	for _, id := range []string{c.ID, "00000000000000000000000000", "not-an-id"} {
		if _, err := f.svc.UpdateConversation(ctx, employee, id, refuse); switchboard.ErrorCode(err) != switchboard.ENotFound {
			t.Errorf("employee, %s: err = %v, want not found", id, err)
		}
	}
	if _, err := f.svc.UpdateConversation(ctx, operator, c.ID, func(*ConversationPatch) error { return nil }); switchboard.ErrorCode(err) != switchboard.EInvalid {
		t.Errorf("empty patch: err = %v, want invalid", err)
	}
	// The employee assigned sees the conversation but may not close it.
	if _, _, err := f.store.AddAssignee(ctx, c.ID, employee.User.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	closed := switchboard.StatusResolved
	if _, err := f.svc.UpdateConversation(ctx, employee, c.ID, func(p *ConversationPatch) error { p.Status = &closed; return nil }); switchboard.ErrorCode(err) != switchboard.EForbidden {
		t.Errorf("employee closing: err = %v, want forbidden", err)
	}
}

// TestBackupStatusNeedsAuditRead: the backup status is for audit.read;
// with backups off it says so.
func TestBackupStatusNeedsAuditRead(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := f.actor(t, "ada", switchboard.RoleAdmin)
	operator := f.actor(t, "olga", switchboard.RoleOperator)
	if st, err := f.svc.BackupStatus(ctx, admin); err != nil || st.Enabled {
		t.Errorf("backups off: %+v, %v; want disabled", st, err)
	}
	f.svc.Backups = func() backup.Status { return backup.Status{Enabled: true, Location: "/var/backups/switchboard"} }
	if st, err := f.svc.BackupStatus(ctx, admin); err != nil || !st.Enabled || st.Location != "/var/backups/switchboard" {
		t.Errorf("admin: %+v, %v; want the scheduler's status", st, err)
	}
	for _, a := range []*switchboard.Actor{operator, nil} {
		if st, err := f.svc.BackupStatus(ctx, a); switchboard.ErrorCode(err) != switchboard.EForbidden || st.Location != "" {
			t.Errorf("actor %v: %+v, %v; want forbidden and nothing", a, st, err)
		}
	}
}

// TestSetupNeeded: setup is needed until the first user exists.
func TestSetupNeeded(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if needed, err := f.svc.SetupNeeded(ctx); err != nil || !needed {
		t.Fatalf("no users: needed = %v, %v; want true", needed, err)
	}
	f.actor(t, "ada", switchboard.RoleAdmin)
	if needed, err := f.svc.SetupNeeded(ctx); err != nil || needed {
		t.Fatalf("one user: needed = %v, %v; want false", needed, err)
	}
}

// TestSendRequestReadsOnce: a reply reads the conversation once, and the
// request is read only after the visibility check.
func TestSendRequestReadsOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := f.actor(t, "ada", switchboard.RoleAdmin)
	employee := f.actor(t, "emil", switchboard.RoleEmployee)
	c := f.receive(t, "4915100000003", "Hallo", time.Now().UTC().Add(-time.Minute))
	counting := &countingStore{Store: f.store}
	f.svc.Store = counting

	m, err := f.svc.SendRequest(ctx, admin, c.ID, func() (Outgoing, error) {
		return Outgoing{Type: switchboard.TypeText, Text: "Danke!"}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := counting.reads.Load(); n != 1 {
		t.Errorf("conversation read %d times, want 1", n)
	}
	if m.Content.Text != "Danke!" || m.Status != switchboard.MessagePending || m.ConversationID != c.ID {
		t.Errorf("queued %+v", m)
	}
	_, err = f.svc.SendRequest(ctx, employee, c.ID, func() (Outgoing, error) {
		t.Error("the request was read for a conversation the actor may not see")
		return Outgoing{}, switchboard.Errorf(switchboard.EInvalid, "bad body")
	})
	if switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Errorf("employee, not assigned: err = %v, want not found", err)
	}
}

// TestReady: ready while the database answers with a current schema,
// unavailable once it does not answer.
func TestReady(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sys := f.svc.System()
	if err := sys.Ready(ctx); err != nil {
		t.Fatalf("open store: %v", err)
	}
	f.store.Close()
	if err := sys.Ready(ctx); switchboard.ErrorCode(err) != switchboard.EUnavailable {
		t.Fatalf("closed store: %v, want unavailable", err)
	}
}

// TestNoRealChannels: the emulator may start on its own only while every
// channel is an emulator's.
func TestNoRealChannels(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "test.db"), sqlite.Options{Master: storetest.MasterKey(t), Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	sys := New(store, nil, nil).System()
	add := func(phone string, emulated bool) {
		t.Helper()
		ch := &switchboard.Channel{Name: "Channel " + phone, PhoneNumberID: phone, WABAID: "waba1", DisplayPhoneNumber: "+49 30 1234567",
			AccessToken: "token", AppSecret: "secret", VerifyToken: "verify", Emulated: emulated}
		if err := store.CreateChannel(ctx, ch); err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range []struct {
		add      func()
		want     bool
		describe string
	}{
		{func() {}, true, "no channels"},
		{func() { add("100001", true) }, true, "only the emulator's channel"},
		{func() { add("100002", false) }, false, "a real channel too"},
	} {
		step.add()
		if got, err := sys.NoRealChannels(ctx); err != nil || got != step.want {
			t.Errorf("%s: %v, %v; want %v", step.describe, got, err, step.want)
		}
	}
}

// TestUploadRequestReadsAfterVisibility: an upload reads the conversation
// once, and the form only after the visibility check.
func TestUploadRequestReadsAfterVisibility(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.svc.Blobs = &media.Files{Dir: t.TempDir()}
	f.svc.Keys = f.store.Keys()
	admin := f.actor(t, "ada", switchboard.RoleAdmin)
	employee := f.actor(t, "emil", switchboard.RoleEmployee)
	c := f.receive(t, "4915100000004", "Hallo", time.Now().UTC().Add(-time.Minute))
	counting := &countingStore{Store: f.store}
	f.svc.Store = counting

	body := "%PDF-1.7 Rechnung"
	file, err := f.svc.UploadRequest(ctx, admin, c.ID, func() (Upload, error) {
		return Upload{Kind: "document", Filename: "Rechnung.pdf", MIMEType: "application/pdf", Size: -1, Body: strings.NewReader(body)}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := counting.reads.Load(); n != 1 {
		t.Errorf("conversation read %d times, want 1", n)
	}
	if file.Size != int64(len(body)) || file.ConversationID != c.ID || file.Filename != "Rechnung.pdf" {
		t.Errorf("stored %+v", file)
	}
	_, err = f.svc.UploadRequest(ctx, employee, c.ID, func() (Upload, error) {
		t.Error("the form was read for a conversation the actor may not see")
		return Upload{}, switchboard.Errorf(switchboard.EInvalid, "bad form")
	})
	if switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Errorf("employee, not assigned: err = %v, want not found", err)
	}
}
