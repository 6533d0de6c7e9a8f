package backup

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/backup/dump"
	"github.com/switchboardhq/switchboard/internal/seal"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
)

// syntheticSource emits the rows of an instance with one channel, the
// given number of conversations (one contact each) and messages spread
// over them, as the stores would hold them: contact data and message
// content sealed under per-contact data keys wrapped by the master key.
// It is the fast path to a large backup for measuring restores; sealing
// 1 million messages takes seconds, storing them through the store API
// would take long.
type syntheticSource struct {
	mk                      *seal.MasterKey
	conversations, messages int
	audit                   int
}

func (s *syntheticSource) Dump(ctx context.Context, emit func(*dump.Table, []any) error) (dump.Info, error) {
	info := dump.Info{Backend: "sqlite", SchemaVersion: 2}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tab := map[string]*dump.Table{}
	for _, t := range dump.Tables() {
		tab[t.Name] = t
	}
	bi := storecrypt.NewBlindIndexKey()
	wrappedBI, err := s.mk.Wrap(storecrypt.BlindIndexWrapID, bi)
	if err != nil {
		return info, err
	}
	if err := emit(tab["settings"], []any{"blind_index_key", wrappedBI, s.mk.ID()}); err != nil {
		return info, err
	}
	type contact struct {
		keyID string
		key   *seal.DataKey
	}
	contacts := make([]contact, s.conversations)
	newKey := func() (string, []byte, *seal.DataKey, error) {
		k, raw, err := seal.GenerateDataKey()
		if err != nil {
			return "", nil, nil, err
		}
		w, err := s.mk.Wrap(k.ID(), raw)
		return k.ID(), w, k, err
	}
	chKeyID, chWrapped, chKey, err := newKey()
	if err != nil {
		return info, err
	}
	if err := emit(tab["data_keys"], []any{chKeyID, s.mk.ID(), chWrapped, now, nil}); err != nil {
		return info, err
	}
	for i := range contacts {
		id, w, k, err := newKey()
		if err != nil {
			return info, err
		}
		contacts[i] = contact{id, k}
		if err := emit(tab["data_keys"], []any{id, s.mk.ID(), w, now, nil}); err != nil {
			return info, err
		}
	}
	for _, r := range switchboard.BuiltinRoles() {
		perms, _ := json.Marshal(r.Permissions)
		if err := emit(tab["roles"], []any{r.ID, r.Name, r.Description, string(perms), "[]", true, now, now}); err != nil {
			return info, err
		}
	}
	userID := switchboard.NewID()
	if err := emit(tab["users"], []any{userID, "ada", "Ada Admin", switchboard.RoleAdmin, true, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA", nil, now, now}); err != nil {
		return info, err
	}
	chID := switchboard.NewID()
	secrets := chKey.Seal(seal.AAD("channels", "secrets", chID), []byte(`{"access_token":"EAAG...","app_secret":"...","verify_token":"..."}`))
	if err := emit(tab["channels"], []any{chID, "Main", "1055500000", "waba", "+49 30 000", "", chKeyID, secrets, true, false, now, now,
		nil, nil, "unknown", "", nil, ""}); err != nil {
		return info, err
	}
	convIDs := make([]string, len(contacts))
	contactIDs := make([]string, len(contacts))
	rnd := func(n int) []byte { b := make([]byte, n); rand.Read(b); return b }
	for i, c := range contacts {
		id := switchboard.NewID()
		contactIDs[i] = id
		wa := fmt.Sprintf("4915100%06d", i)
		if err := emit(tab["contacts"], []any{id, chID, c.keyID, rnd(32), c.key.Seal(seal.AAD("contacts", "wa_id", id), []byte(wa)),
			c.key.Seal(seal.AAD("contacts", "name", id), []byte("Kundin Nummer "+strconv.Itoa(i))), now, now}); err != nil {
			return info, err
		}
	}
	for i, c := range contacts {
		id := switchboard.NewID()
		convIDs[i] = id
		preview := c.key.Seal(seal.AAD("conversations", "last_message", id), []byte(`{"text":"Guten Tag, wann kommt meine Bestellung?","type":"text","direction":"in","at":"2026-01-01T00:00:00Z"}`))
		if err := emit(tab["conversations"], []any{id, chID, contactIDs[i], "open", c.keyID, preview, now, now,
			int64(s.messages / len(contacts)), now, now}); err != nil {
			return info, err
		}
	}
	content := []byte(`{"text":"Guten Tag, ich hätte gern gewusst, wann meine Bestellung 4711 geliefert wird. Vielen Dank!"}`)
	for m := range s.messages {
		if m%10000 == 0 {
			if err := ctx.Err(); err != nil {
				return info, err
			}
		}
		ci := m % len(contacts)
		c := contacts[ci]
		id := switchboard.NewID()
		dir, status := "in", "received"
		if m%3 == 2 {
			dir, status = "out", "read"
		}
		ts := now.Add(time.Duration(m) * time.Second)
		if err := emit(tab["messages"], []any{id, convIDs[ci], c.keyID, dir, "text", status,
			c.key.Seal(seal.AAD("messages", "content", id), content), c.key.Seal(seal.AAD("messages", "wa_message_id", id), []byte("wamid.HBgNNDkxNTEwMDAwMDAwMBUCABIYFjNFQjBDMEE4")),
			rnd(32), "", "", nil, "", "", ts, ts, ts}); err != nil {
			return info, err
		}
	}
	prev := ""
	for i := range s.audit {
		e := &switchboard.AuditEntry{Seq: int64(i + 1), At: now.Add(time.Duration(i) * time.Second), ActorID: userID, ActorLogin: "ada",
			Action: "conversation.read", ObjectType: "conversation", ObjectID: convIDs[i%len(convIDs)], Outcome: "success", IP: "192.0.2.1", UserAgent: "Mozilla/5.0"}
		e.Hash = e.ComputeHash(prev)
		if err := emit(tab["audit_log"], []any{e.Seq, e.At, e.ActorID, e.ActorLogin, e.Action, e.ObjectType, e.ObjectID, e.Outcome, e.IP, e.UserAgent, "{}", prev, e.Hash}); err != nil {
			return info, err
		}
		prev = e.Hash
	}
	return info, nil
}

// TestRestoreScale measures how long a restore of a large backup takes. It
// runs only when SWITCHBOARD_BACKUP_SCALE names the number of messages, e.g.
//
//	SWITCHBOARD_BACKUP_SCALE=1000000 go test -run TestRestoreScale -v -timeout 60m ./internal/backup/
//
// SWITCHBOARD_BACKUP_SCALE_TARGETS chooses the backends (default
// "sqlite,postgres"). Figures are in docs/benchmarks.md.
func TestRestoreScale(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("SWITCHBOARD_BACKUP_SCALE"))
	if n <= 0 {
		t.Skip("set SWITCHBOARD_BACKUP_SCALE=<messages> to measure restore time")
	}
	targets := os.Getenv("SWITCHBOARD_BACKUP_SCALE_TARGETS")
	if targets == "" {
		targets = "sqlite,postgres"
	}
	mk := masterKey(t)
	key := backupKey(t)
	src := &syntheticSource{mk: mk, conversations: 1000, messages: n, audit: n / 10}
	path := filepath.Join(t.TempDir(), Name(time.Now()))
	f, err := os.Create(path)
	must(t, err)
	start := time.Now()
	m, err := Create(bg(), f, src, key, CreateOptions{})
	must(t, err)
	must(t, f.Close())
	fi, _ := os.Stat(path)
	t.Logf("backup of %d messages, %d conversations, %d audit entries: %.1f MiB, made in %v",
		m.Rows["messages"], m.Rows["conversations"], m.Rows["audit_log"], float64(fi.Size())/(1<<20), time.Since(start).Round(time.Millisecond))

	start = time.Now()
	rc, err := os.Open(path)
	must(t, err)
	_, err = Verify(bg(), rc, key)
	rc.Close()
	must(t, err)
	t.Logf("verify: %v", time.Since(start).Round(time.Millisecond))

	for _, target := range strings.Split(targets, ",") {
		var dst *instance
		switch target {
		case "sqlite":
			dst = newSQLite(t, mk)
		case "postgres":
			dst = newPostgres(t, mk)
		default:
			t.Fatalf("unknown target %q", target)
		}
		must(t, dst.db.Close())
		dst.db = nil
		res, err := Restore(bg(), func(ctx context.Context) (io.ReadCloser, error) { return os.Open(path) }, key, RestoreOptions{Open: dst.open})
		dst.reopen(t)
		must(t, err)
		total := sum(res.Rows)
		t.Logf("restore into %s: %d rows (%d messages) in %v, %.0f rows/s (verify pass included)",
			target, total, res.Rows["messages"], res.Duration.Round(time.Millisecond), float64(total)/res.Duration.Seconds())
		if v, err := switchboard.VerifyAuditChain(bg(), dst.db, nil); err != nil || v.Break != nil {
			t.Fatalf("audit chain after restore: %+v %v", v.Break, err)
		}
		cs, _, err := dst.db.Conversations(bg(), switchboard.ConversationFilter{Limit: 1})
		must(t, err)
		ms, _, err := dst.db.Messages(bg(), cs[0].ID, switchboard.MessagePage{Limit: 1})
		must(t, err)
		if len(ms) != 1 || ms[0].Content.Text == "" {
			t.Fatalf("restored messages do not decrypt: %+v", ms)
		}
	}
}
