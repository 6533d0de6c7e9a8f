package masterkey_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/masterkey"
	"github.com/switchboardhq/switchboard/internal/seal"
	"github.com/switchboardhq/switchboard/internal/sqlite"
)

// installation is a data dir with a master key file and a SQLite store.
type installation struct {
	dir, keyFile, dbFile string
}

func newInstallation(t *testing.T) *installation {
	t.Helper()
	dir := t.TempDir()
	in := &installation{dir: dir, keyFile: filepath.Join(dir, "keys", "master.key"), dbFile: filepath.Join(dir, "switchboard.db")}
	if err := os.MkdirAll(filepath.Dir(in.keyFile), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := seal.CreateMasterKey(in.keyFile); err != nil {
		t.Fatal(err)
	}
	return in
}

// open opens the store with mk as current master key and the other key
// files wired in, as cmd/switchboard does.
func (in *installation) open(ctx context.Context, mk *seal.MasterKey) (*sqlite.DB, error) {
	db, err := sqlite.Open(ctx, in.dbFile, sqlite.Options{Master: mk, Migrate: true})
	if err != nil {
		return nil, err
	}
	if err := masterkey.Wire(db.Keys(), in.keyFile, mk); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func (in *installation) opener() masterkey.Opener {
	return func(ctx context.Context, mk *seal.MasterKey) (masterkey.Store, error) {
		db, err := in.open(ctx, mk)
		if err != nil {
			return nil, err
		}
		return db, nil
	}
}

func (in *installation) current(t *testing.T) *seal.MasterKey {
	t.Helper()
	mk, err := seal.LoadMasterKey(in.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	return mk
}

// customers stores one message from each of n new customers (each a new
// contact with its own data key) and returns the conversations.
func customers(t *testing.T, db *sqlite.DB, from, n int) []*switchboard.Conversation {
	t.Helper()
	ctx := context.Background()
	chs, err := db.Channels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ch *switchboard.Channel
	if len(chs) > 0 {
		ch = chs[0]
	} else {
		ch = &switchboard.Channel{Name: "Main", PhoneNumberID: "100001", WABAID: "waba1", DisplayPhoneNumber: "+49 30 1234567",
			AccessToken: "token", AppSecret: "secret", VerifyToken: "verify"}
		if err := db.CreateChannel(ctx, ch); err != nil {
			t.Fatal(err)
		}
	}
	var out []*switchboard.Conversation
	for i := from; i < from+n; i++ {
		wa := fmt.Sprintf("49151000000%02d", i)
		r, err := db.ReceiveMessage(ctx, switchboard.InboundMessage{ChannelID: ch.ID, WaID: wa, ProfileName: "Rita Rotation " + wa,
			Message: &switchboard.Message{Type: switchboard.TypeText, Content: switchboard.MessageContent{Text: "Hallo"},
				WAMessageID: "wamid." + wa, Timestamp: time.Date(2026, 3, 1, 9, i, 0, 0, time.UTC)}})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r.Conversation)
	}
	return out
}

// readable checks that every conversation's contact and messages decrypt
// with the keys db has now (none cached) and the blind index finds them.
func readable(t *testing.T, db *sqlite.DB, convs []*switchboard.Conversation) {
	t.Helper()
	ctx := context.Background()
	for _, c := range convs {
		db.Keys().Forget(c.KeyID)
		got, err := db.Conversation(ctx, c.ID, "")
		if err != nil || got.Contact.Name != c.Contact.Name {
			t.Fatalf("conversation %s: %v", c.ID, err)
		}
		msgs, _, err := db.Messages(ctx, c.ID, switchboard.MessagePage{})
		if err != nil || len(msgs) != 1 || msgs[0].Content.Text != "Hallo" {
			t.Fatalf("messages of %s: %v", c.ID, err)
		}
	}
	if items, _, err := db.Conversations(ctx, switchboard.ConversationFilter{Query: "Rotation"}); err != nil || len(items) != len(convs) {
		t.Fatalf("search (blind index): %v, %d results, want %d", err, len(items), len(convs))
	}
}

// TestRotate rotates the master key: every data key and the blind-index
// key are re-wrapped and checked, the old key file is retired (0600), the
// new one takes its name, and afterwards the data opens without the old
// key.
func TestRotate(t *testing.T) {
	ctx := context.Background()
	in := newInstallation(t)
	old := in.current(t)
	db, err := in.open(ctx, old)
	if err != nil {
		t.Fatal(err)
	}
	convs := customers(t, db, 1, 3)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	res, err := masterkey.Rotate(ctx, in.keyFile, in.opener())
	if err != nil {
		t.Fatal(err)
	}
	next := in.current(t)
	if res.From != old.ID() || res.To != next.ID() || next.ID() == old.ID() || res.Resumed {
		t.Fatalf("rotation %+v; key file now holds %s, was %s", res, next.ID(), old.ID())
	}
	if res.Rewrapped < len(convs) || res.Checked != res.Rewrapped+1 || res.Stale != 0 {
		t.Errorf("rewrapped %d, checked %d, stale %d; want ≥ %d data keys, each checked plus the blind-index key, none stale",
			res.Rewrapped, res.Checked, res.Stale, len(convs))
	}
	if res.Retired != in.keyFile+".retired-"+old.ID() {
		t.Errorf("retired as %s", res.Retired)
	}
	if st, err := os.Stat(res.Retired); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("retired key file: %v", err)
	}
	if retired, err := seal.LoadMasterKey(res.Retired); err != nil || retired.ID() != old.ID() {
		t.Fatalf("retired file holds %v, %v; want %s", retired, err, old.ID())
	}
	if _, err := os.Stat(in.keyFile + ".next"); !os.IsNotExist(err) {
		t.Fatalf(".next left behind: %v", err)
	}

	// The old key is no longer needed.
	if err := os.Rename(res.Retired, filepath.Join(t.TempDir(), "offline.key")); err != nil {
		t.Fatal(err)
	}
	db, err = in.open(ctx, next)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	readable(t, db, convs)
	if got := masterkey.Files(in.keyFile); len(got) != 2 {
		t.Errorf("key files after retiring offline: %v", got)
	}
}

// TestRotateResumes: a rotation interrupted after creating <file>.next is
// resumed with that key, not a third one.
func TestRotateResumes(t *testing.T) {
	ctx := context.Background()
	in := newInstallation(t)
	db, err := in.open(ctx, in.current(t))
	if err != nil {
		t.Fatal(err)
	}
	convs := customers(t, db, 1, 2)
	db.Close()
	pending, err := seal.CreateMasterKey(in.keyFile + ".next")
	if err != nil {
		t.Fatal(err)
	}
	res, err := masterkey.Rotate(ctx, in.keyFile, in.opener())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Resumed || res.To != pending.ID() || in.current(t).ID() != pending.ID() {
		t.Fatalf("rotation %+v; want it resumed to %s", res, pending.ID())
	}
	db, err = in.open(ctx, pending)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	readable(t, db, convs)
}

// TestRewrapMovesKeysOfTheRunningServer: a server running during the
// rotation keeps wrapping new data keys with the old master; the rotation
// counts them as stale, and Rewrap after the restart moves them, so the
// old key is not needed any more.
func TestRewrapMovesKeysOfTheRunningServer(t *testing.T) {
	ctx := context.Background()
	in := newInstallation(t)
	old := in.current(t)
	running, err := in.open(ctx, old)
	if err != nil {
		t.Fatal(err)
	}
	convs := customers(t, running, 1, 2)
	res, err := masterkey.Rotate(ctx, in.keyFile, in.opener())
	if err != nil {
		t.Fatal(err)
	}
	// Meanwhile the running server met a new customer.
	convs = append(convs, customers(t, running, 3, 1)...)
	running.Close()

	next := in.current(t)
	db, err := in.open(ctx, next)
	if err != nil {
		t.Fatal(err)
	}
	rw, err := masterkey.Rewrap(ctx, db, in.keyFile, next)
	if err != nil {
		t.Fatal(err)
	}
	if rw.Master != next.ID() || rw.Rewrapped != 1 || rw.Stale != 0 || rw.Checked != res.Checked+1 {
		t.Fatalf("rewrap %+v after rotation %+v; want the one key the running server made moved", rw, res)
	}
	db.Close()
	if err := os.Remove(res.Retired); err != nil {
		t.Fatal(err)
	}
	db, err = in.open(ctx, next)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	readable(t, db, convs)
}
