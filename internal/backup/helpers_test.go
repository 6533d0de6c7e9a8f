package backup

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/backup/dump"
	"github.com/switchboardhq/switchboard/internal/media"
	"github.com/switchboardhq/switchboard/internal/postgres"
	"github.com/switchboardhq/switchboard/internal/seal"
	"github.com/switchboardhq/switchboard/internal/sqlite"
)

// The stores are what backups read and restore into.
var (
	_ Source = (*sqlite.DB)(nil)
	_ Source = (*postgres.DB)(nil)
	_ Target = (*sqlite.DB)(nil)
	_ Target = (*postgres.DB)(nil)
)

// store is a Target that also hands out its data keys.
type store interface {
	Target
	Source
	Keys() *seal.Keyring
}

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func bg() context.Context { return context.Background() }

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func masterKey(tb testing.TB) *seal.MasterKey {
	tb.Helper()
	raw := make([]byte, seal.KeySize)
	rand.Read(raw)
	mk, err := seal.NewMasterKey("mk_backuptest", raw)
	must(tb, err)
	return mk
}

func masterKeyWithID(tb testing.TB, id string) *seal.MasterKey {
	tb.Helper()
	raw := make([]byte, seal.KeySize)
	rand.Read(raw)
	mk, err := seal.NewMasterKey(id, raw)
	must(tb, err)
	return mk
}

func backupKey(tb testing.TB) *Key {
	tb.Helper()
	k, _, err := LoadOrCreateKey(filepath.Join(tb.TempDir(), "backup.key"))
	must(tb, err)
	return k
}

// instance is a database with its media directory.
type instance struct {
	open  func(ctx context.Context) (Target, error)
	db    store
	blobs *media.Files
}

func (in *instance) reopen(tb testing.TB) {
	tb.Helper()
	if in.db != nil {
		must(tb, in.db.Close())
	}
	t, err := in.open(bg())
	must(tb, err)
	in.db = t.(store)
}

// newSQLite makes an instance on a new SQLite file.
func newSQLite(tb testing.TB, mk *seal.MasterKey) *instance {
	tb.Helper()
	dir := tb.TempDir()
	in := &instance{blobs: &media.Files{Dir: filepath.Join(dir, "media")}}
	in.open = func(ctx context.Context) (Target, error) {
		return sqlite.Open(ctx, filepath.Join(dir, "switchboard.db"), sqlite.Options{Master: mk, Migrate: true})
	}
	in.reopen(tb)
	tb.Cleanup(func() { in.db.Close() })
	return in
}

func postgresURL() string {
	if u := os.Getenv("SWITCHBOARD_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// newPostgres makes an instance in a new schema of the test database. It
// fails, never skips, when PostgreSQL is unreachable.
func newPostgres(tb testing.TB, mk *seal.MasterKey) *instance {
	tb.Helper()
	ctx, cancel := context.WithTimeout(bg(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, postgresURL())
	if err != nil {
		tb.Fatalf("PostgreSQL at %s is unreachable: %v; start it (pg_ctlcluster 15 main start) or set SWITCHBOARD_TEST_POSTGRES_URL", postgresURL(), err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "sbbackup_" + hex.EncodeToString(b)
	dir := tb.TempDir()
	in := &instance{blobs: &media.Files{Dir: filepath.Join(dir, "media")}}
	in.open = func(ctx context.Context) (Target, error) {
		return postgres.Open(ctx, postgresURL(), postgres.Options{Master: mk, Migrate: true, Schema: schema})
	}
	tb.Cleanup(func() {
		in.db.Close()
		ctx, cancel := context.WithTimeout(bg(), 30*time.Second)
		defer cancel()
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
		conn.Close(ctx)
	})
	in.reopen(tb)
	return in
}

// Probes are customer data and secrets that must never appear in clear in
// a backup.
var probes = []string{
	"Probename", "4915177700", "Quarkstrudel-Bestellung", "probe-access-token-Zebra", "probe-app-secret-Yak",
	"probe-verify-Gnu", "Geheimdokument", "Wombatfoto-Inhalt", "Webhookgeheimnis", "probe-totp-secret-Okapi",
}

// fixture fills a store with one of everything: users, a session, a
// channel with secrets, contacts and conversations with inbound and
// outbound messages, assignments, reads, media files (one without a name),
// a queued media download, a queued webhook, a parked status, templates,
// idempotency keys and audit entries.
type fixture struct {
	admin    *switchboard.User
	channel  *switchboard.Channel
	convs    []*switchboard.Conversation
	mediaIDs []string
}

func populate(tb testing.TB, in *instance, contacts int) *fixture {
	tb.Helper()
	ctx, s := bg(), in.db
	f := &fixture{}
	f.admin = &switchboard.User{Login: "ada", Name: "Ada Admin", RoleID: switchboard.RoleAdmin, Active: true, PasswordHash: "$argon2id$x"}
	must(tb, s.CreateUser(ctx, f.admin))
	emp := &switchboard.User{Login: "emil", Name: "Emil Employee", RoleID: switchboard.RoleEmployee, Active: true}
	must(tb, s.CreateUser(ctx, emp))
	must(tb, s.CreateRole(ctx, &switchboard.Role{ID: "night", Name: "Night shift", AllChannels: true, Permissions: []switchboard.Permission{switchboard.PermConversationsReply}}))
	if _, err := s.SetRoleRequireTwoFactor(ctx, "night", true, t0); err != nil {
		tb.Fatal(err)
	}
	must(tb, s.CreateSession(ctx, &switchboard.Session{ID: "sess-" + switchboard.NewID(), UserID: f.admin.ID, CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(24 * time.Hour), IP: "192.0.2.1"}))
	must(tb, s.PutSetupToken(ctx, switchboard.SetupToken{Hash: "setup-hash", ExpiresAt: t0.Add(time.Hour)}))
	// A service account and API tokens (dump version 5), one used and revoked.
	must(tb, s.CreateServiceAccount(ctx, &switchboard.ServiceAccount{User: &switchboard.User{Login: "faq-bot", Name: "FAQ bot",
		RoleID: switchboard.RoleEmployee, Active: true, PasswordHash: "$argon2id$y"}, Description: "answers the FAQ", CreatedBy: f.admin.ID, CreatedAt: t0}))
	tok := &switchboard.APIToken{ID: switchboard.NewID(), UserID: f.admin.ID, Name: "ci", Scopes: []switchboard.Permission{switchboard.PermUsersRead},
		Hash: "token-hash-" + switchboard.NewID(), CreatedBy: f.admin.ID, CreatedAt: t0, ExpiresAt: t0.Add(24 * time.Hour), RatePerMinute: 60}
	must(tb, s.CreateAPIToken(ctx, tok))
	must(tb, s.TouchAPIToken(ctx, tok.ID, t0.Add(time.Minute), "192.0.2.3"))
	must(tb, s.RevokeAPIToken(ctx, tok.ID, t0.Add(2*time.Minute)))
	must(tb, s.CreateAPIToken(ctx, &switchboard.APIToken{ID: switchboard.NewID(), UserID: emp.ID, Name: "never used",
		Scopes: []switchboard.Permission{switchboard.PermConversationsReply}, Hash: "token-hash-" + switchboard.NewID(), CreatedBy: emp.ID, CreatedAt: t0}))
	// Two-factor sign-in (dump version 5): a confirmed enrolment with a
	// used recovery code, and a role that requires it.
	must(tb, s.PutTwoFactor(ctx, &switchboard.TwoFactor{UserID: f.admin.ID, Secret: []byte("probe-totp-secret-Okapi"), CreatedAt: t0}))
	must(tb, s.ConfirmTwoFactor(ctx, f.admin.ID, 1234, []string{"rc-hash-1", "rc-hash-2"}, t0))
	must(tb, s.UseRecoveryCode(ctx, f.admin.ID, "rc-hash-1", t0))

	f.channel = &switchboard.Channel{Name: "Main", PhoneNumberID: "1055500000", WABAID: "waba", DisplayPhoneNumber: "+49 30 000",
		AccessToken: "probe-access-token-Zebra", AppSecret: "probe-app-secret-Yak", VerifyToken: "probe-verify-Gnu", MarkRead: true}
	must(tb, s.CreateChannel(ctx, f.channel))
	must(tb, s.ReplaceTemplates(ctx, f.channel.ID, []*switchboard.Template{{ChannelID: f.channel.ID, Name: "hello", Language: "de",
		Status: "APPROVED", Category: "UTILITY", Components: json.RawMessage(`[{"type":"BODY","text":"Hallo {{1}}"}]`)}}, t0))

	keys := s.Keys()
	for i := range contacts {
		wa := fmt.Sprintf("4915177700%03d", i)
		r, err := s.ReceiveMessage(ctx, textIn(f.channel.ID, wa, fmt.Sprintf("Jürgen Probename %d", i), fmt.Sprintf("wamid.in.%d", i),
			fmt.Sprintf("Quarkstrudel-Bestellung Nummer %d, bitte liefern", i), t0.Add(time.Duration(i)*time.Minute)))
		must(tb, err)
		c := r.Conversation
		f.convs = append(f.convs, c)
		out := &switchboard.Message{ConversationID: c.ID, Direction: switchboard.DirectionOut, Type: switchboard.TypeText,
			Content:  switchboard.MessageContent{Text: fmt.Sprintf("Danke für die Quarkstrudel-Bestellung %d", i)},
			SenderID: f.admin.ID, Timestamp: t0.Add(time.Duration(i)*time.Minute + time.Second), IdempotencyKey: fmt.Sprintf("idem-%d", i)}
		_, err = s.CreateOutboundMessage(ctx, out)
		must(tb, err)
		if i%2 == 0 {
			_, _, err = s.AddAssignee(ctx, c.ID, emp.ID, t0)
			must(tb, err)
			must(tb, s.MarkRead(ctx, c.ID, emp.ID))
		}
		if i%3 == 0 {
			_, err := s.MarkSent(ctx, out.ID, fmt.Sprintf("wamid.out.%d", i), t0.Add(time.Hour))
			must(tb, err)
		}
		if i < 3 {
			// A stored file (the last one without a name).
			name := "Geheimdokument.pdf"
			if i == 2 {
				name = ""
			}
			key, err := keys.Get(ctx, c.KeyID)
			must(tb, err)
			id := switchboard.NewID()
			plain := []byte(fmt.Sprintf("Wombatfoto-Inhalt %d %s", i, bytes.Repeat([]byte("x"), 70000*i)))
			var sealed bytes.Buffer
			_, err = media.Encrypt(&sealed, bytes.NewReader(plain), key, seal.AAD("media", "blob", id))
			must(tb, err)
			_, err = in.blobs.Put(ctx, id, &sealed)
			must(tb, err)
			sum := sha256.Sum256(plain)
			must(tb, s.CreateMedia(ctx, &switchboard.MediaFile{ID: id, ConversationID: c.ID, KeyID: c.KeyID, MIMEType: "application/pdf",
				Filename: name, Size: int64(len(plain)), SHA256: hex.EncodeToString(sum[:]), CreatedAt: t0}))
			f.mediaIDs = append(f.mediaIDs, id)
		}
	}
	// An inbound image waiting to be downloaded.
	img := textIn(f.channel.ID, "4915177700999", "Probename Bild", "wamid.img", "", t0.Add(time.Hour))
	img.Message.Type = switchboard.TypeImage
	img.Message.Content = switchboard.MessageContent{Text: "Quarkstrudel-Foto", Media: &switchboard.Media{WAMediaID: "wa-media-1", MIMEType: "image/jpeg", Filename: "Geheimdokument.jpg", State: "pending"}}
	_, err := s.ReceiveMessage(ctx, img)
	must(tb, err)
	// A queued webhook and a parked status.
	must(tb, s.EnqueueWebhook(ctx, f.channel.ID, []byte(`{"entry":"Webhookgeheimnis 4915177700123"}`), t0))
	_, err = s.ApplyStatus(ctx, switchboard.StatusUpdate{ChannelID: f.channel.ID, WAMessageID: "wamid.unknown", Status: "delivered", Timestamp: t0,
		Error: &switchboard.MessageError{Code: 131047, Title: "Re-engagement"}})
	must(tb, err)
	for i := range 5 {
		must(tb, s.AppendAudit(ctx, &switchboard.AuditEntry{At: t0.Add(time.Duration(i) * time.Second), ActorID: f.admin.ID, ActorLogin: "ada",
			Action: "conversation.read", ObjectType: "conversation", ObjectID: f.convs[i%len(f.convs)].ID, Outcome: switchboard.OutcomeSuccess,
			IP: "192.0.2.1", UserAgent: "test", Detail: map[string]string{"n": fmt.Sprint(i)}}))
	}
	return f
}

func textIn(channelID, waID, name, wamid, body string, ts time.Time) switchboard.InboundMessage {
	return switchboard.InboundMessage{ChannelID: channelID, WaID: waID, ProfileName: name,
		Message: &switchboard.Message{Type: switchboard.TypeText, WAMessageID: wamid, Timestamp: ts,
			Content: switchboard.MessageContent{Text: body}}}
}

// canon renders v as JSON for comparisons.
func canon(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	must(tb, err)
	return string(b)
}

// allConversations lists every conversation as viewer sees them.
func allConversations(tb testing.TB, s switchboard.Store, viewer string) []*switchboard.Conversation {
	tb.Helper()
	var out []*switchboard.Conversation
	cursor := ""
	for {
		page, next, err := s.Conversations(bg(), switchboard.ConversationFilter{Limit: 200, Cursor: cursor, ViewerID: viewer})
		must(tb, err)
		out = append(out, page...)
		if next == "" {
			return out
		}
		cursor = next
	}
}

func allMessages(tb testing.TB, s switchboard.Store, conversationID string) []*switchboard.Message {
	tb.Helper()
	var out []*switchboard.Message
	before := ""
	for {
		page, next, err := s.Messages(bg(), conversationID, switchboard.MessagePage{Before: before, Limit: 200})
		must(tb, err)
		out = append(out, page...)
		if next == "" {
			return out
		}
		before = next
	}
}

func allAudit(tb testing.TB, s switchboard.Store) []*switchboard.AuditEntry {
	tb.Helper()
	var out []*switchboard.AuditEntry
	var after int64
	for {
		page, err := s.AuditChain(bg(), after, 1000)
		must(tb, err)
		out = append(out, page...)
		if len(page) < 1000 {
			return out
		}
		after = page[len(page)-1].Seq
	}
}

// dumpRows reads a database's logical dump as JSON lines per table, sorted.
func dumpRows(tb testing.TB, s Source) map[string][]string {
	tb.Helper()
	rows := map[string][]string{}
	_, err := s.Dump(bg(), func(t *dump.Table, row []any) error {
		b, err := dump.AppendRow(nil, t, row)
		rows[t.Name] = append(rows[t.Name], string(b))
		return err
	})
	must(tb, err)
	for _, r := range rows {
		slices.Sort(r)
	}
	return rows
}

// mediaIDs returns the ids of the media rows of a database.
func mediaIDs(tb testing.TB, s Source) []string {
	tb.Helper()
	var ids []string
	_, err := s.Dump(bg(), func(t *dump.Table, row []any) error {
		if t.Name == "media" {
			ids = append(ids, row[0].(string))
		}
		return nil
	})
	must(tb, err)
	return ids
}

// compareInstances checks that dst holds everything src holds, read through
// the store API (decrypted): users, roles, channels with their secrets,
// every conversation and message, media files (metadata, stored bytes and
// plaintext), templates, queues and the audit log, whose chain must verify.
func compareInstances(tb testing.TB, src, dst *instance, viewer string) {
	tb.Helper()
	ctx := bg()
	eq := func(what string, a, b any) {
		tb.Helper()
		if ca, cb := canon(tb, a), canon(tb, b); ca != cb {
			tb.Fatalf("%s differ after restore:\nsource:   %.2000s\nrestored: %.2000s", what, ca, cb)
		}
	}
	su, _, err := src.db.Users(ctx, switchboard.UserFilter{Limit: 200})
	must(tb, err)
	du, _, err := dst.db.Users(ctx, switchboard.UserFilter{Limit: 200})
	must(tb, err)
	eq("users", su, du)
	// The users' search keys are not in the dump; the restore computes them.
	for _, q := range []string{"ADA ADMIN", "émil"} {
		sf, _, err := src.db.Users(ctx, switchboard.UserFilter{Query: q})
		must(tb, err)
		df, _, err := dst.db.Users(ctx, switchboard.UserFilter{Query: q})
		must(tb, err)
		if len(sf) != 1 {
			tb.Fatalf("source: Users(Query %q) found %d, want 1", q, len(sf))
		}
		eq("users found by "+q, sf, df)
	}
	for _, u := range su {
		a, err := src.db.User(ctx, u.ID)
		must(tb, err)
		b, err := dst.db.User(ctx, u.ID)
		must(tb, err)
		eq("password hashes", []any{a.PasswordHash, a.PasswordChangedAt}, []any{b.PasswordHash, b.PasswordChangedAt})
	}
	stf, err := src.db.TwoFactor(ctx, viewer)
	if switchboard.ErrorCode(err) != switchboard.ENotFound {
		must(tb, err)
		dtf, err := dst.db.TwoFactor(ctx, viewer)
		must(tb, err)
		eq("two-factor enrolment", stf, dtf)
	}
	sr, err := src.db.Roles(ctx)
	must(tb, err)
	dr, err := dst.db.Roles(ctx)
	must(tb, err)
	eq("roles", sr, dr)
	sc, err := src.db.Channels(ctx)
	must(tb, err)
	dc, err := dst.db.Channels(ctx)
	must(tb, err)
	eq("channels", sc, dc)
	for i := range sc {
		eq("channel secrets", []string{sc[i].AccessToken, sc[i].AppSecret, sc[i].VerifyToken}, []string{dc[i].AccessToken, dc[i].AppSecret, dc[i].VerifyToken})
		st, err := src.db.Templates(ctx, sc[i].ID)
		must(tb, err)
		dt, err := dst.db.Templates(ctx, dc[i].ID)
		must(tb, err)
		eq("templates", st, dt)
		sh, err := src.db.ChannelHealth(ctx, sc[i].ID)
		must(tb, err)
		dh, err := dst.db.ChannelHealth(ctx, dc[i].ID)
		must(tb, err)
		eq("channel health", sh, dh)
	}
	convs := allConversations(tb, src.db, viewer)
	eq("conversations", convs, allConversations(tb, dst.db, viewer))
	// The conversation counters are not in the dump: the load rebuilds
	// them, and they equal both the source's and a full recount.
	type recounter interface {
		RecountConversations(ctx context.Context, f switchboard.ConversationFilter) (*switchboard.ConversationCounts, error)
	}
	for _, status := range []switchboard.ConversationStatus{"", switchboard.StatusOpen, switchboard.StatusResolved} {
		for _, assign := range []string{"", switchboard.AssignmentUnassigned, switchboard.AssignmentMine} {
			f := switchboard.ConversationFilter{ViewerID: viewer, Status: status, Assignment: assign}
			a, err := src.db.CountConversations(ctx, f)
			must(tb, err)
			b, err := dst.db.CountConversations(ctx, f)
			must(tb, err)
			eq("conversation counts", a, b)
			full, err := dst.db.(recounter).RecountConversations(ctx, f)
			must(tb, err)
			eq("restored counts and their recount", b, full)
		}
	}
	var msgs int
	for _, c := range convs {
		sm := allMessages(tb, src.db, c.ID)
		eq("messages of "+c.ID, sm, allMessages(tb, dst.db, c.ID))
		msgs += len(sm)
	}
	ids := mediaIDs(tb, src.db)
	if got := mediaIDs(tb, dst.db); len(got) != len(ids) {
		tb.Fatalf("restored %d media rows, source has %d", len(got), len(ids))
	}
	for _, id := range ids {
		a, err := src.db.Media(ctx, id)
		must(tb, err)
		b, err := dst.db.Media(ctx, id)
		must(tb, err)
		eq("media "+id, a, b)
		sb, dbb := readBlob(tb, src.blobs, id), readBlob(tb, dst.blobs, id)
		if !bytes.Equal(sb, dbb) {
			tb.Fatalf("media file %s differs after restore", id)
		}
		key, err := dst.db.Keys().Get(ctx, b.KeyID)
		must(tb, err)
		plain, err := io.ReadAll(media.Decrypt(bytes.NewReader(dbb), key, seal.AAD("media", "blob", id)))
		must(tb, err)
		if sum := sha256.Sum256(plain); hex.EncodeToString(sum[:]) != b.SHA256 || int64(len(plain)) != b.Size {
			tb.Fatalf("media file %s does not decrypt to its recorded content", id)
		}
	}
	for _, q := range []func(switchboard.Store) (int, error){
		func(s switchboard.Store) (int, error) { return s.WebhookQueueDepth(ctx) },
		func(s switchboard.Store) (int, error) { return s.OutboxDepth(ctx, "") },
	} {
		a, err := q(src.db)
		must(tb, err)
		b, err := q(dst.db)
		must(tb, err)
		eq("queue depth", a, b)
	}
	eq("audit log", allAudit(tb, src.db), allAudit(tb, dst.db))
	v, err := switchboard.VerifyAuditChain(ctx, dst.db, nil)
	n, brk := v.Checked, v.Break
	must(tb, err)
	if brk != nil {
		tb.Fatalf("audit chain broken after restore at %d: %s", brk.Seq, brk.Reason)
	}
	tb.Logf("compared %d conversations, %d messages, %d media files, %d audit entries", len(convs), msgs, len(ids), n)
}

func readBlob(tb testing.TB, blobs *media.Files, id string) []byte {
	tb.Helper()
	rc, err := blobs.Get(bg(), id)
	must(tb, err)
	defer rc.Close()
	b, err := io.ReadAll(rc)
	must(tb, err)
	return b
}

// backupFile writes a backup of in into a directory and returns its path.
func backupFile(tb testing.TB, in *instance, key *Key) (string, *Manifest) {
	tb.Helper()
	loc := &Dir{Path: tb.TempDir()}
	m, obj, err := Write(bg(), loc, in.db, key, CreateOptions{Blobs: in.blobs, Version: "test"})
	must(tb, err)
	return filepath.Join(loc.Path, obj.Name), m
}

// restoreFile restores the backup at path into dst, calling reapply (if
// set) on the restored store.
func restoreFile(tb testing.TB, path string, key *Key, dst *instance, reapply func(context.Context, switchboard.Store) error) (*RestoreResult, error) {
	tb.Helper()
	must(tb, dst.db.Close())
	dst.db = nil
	res, err := Restore(bg(), func(ctx context.Context) (io.ReadCloser, error) { return os.Open(path) }, key, RestoreOptions{
		Open: dst.open, Blobs: dst.blobs, Reapply: reapply,
	})
	dst.reopen(tb)
	return res, err
}
