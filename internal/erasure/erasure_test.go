package erasure_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/backup"
	"github.com/switchboardhq/switchboard/internal/erasure"
	"github.com/switchboardhq/switchboard/internal/inbox"
	"github.com/switchboardhq/switchboard/internal/sqlite"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

// openStore opens a fresh SQLite store holding one customer's
// conversation.
func openStore(t *testing.T, waID string) (*sqlite.DB, *switchboard.Conversation) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "test.db"), sqlite.Options{Master: storetest.MasterKey(t), Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ch := &switchboard.Channel{Name: "Main", PhoneNumberID: "100001", WABAID: "waba1", DisplayPhoneNumber: "+49 30 1234567",
		AccessToken: "token", AppSecret: "secret", VerifyToken: "verify"}
	if err := db.CreateChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}
	r, err := db.ReceiveMessage(ctx, switchboard.InboundMessage{ChannelID: ch.ID, WaID: waID, ProfileName: "Greta Gelöscht",
		Message: &switchboard.Message{Type: switchboard.TypeText, Content: switchboard.MessageContent{Text: "Bitte löschen"},
			WAMessageID: "wamid." + waID, Timestamp: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}})
	if err != nil {
		t.Fatal(err)
	}
	return db, r.Conversation
}

func readLocal(t *testing.T, file string, key *backup.Key) []switchboard.Erasure {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	reg, err := backup.DecodeRegister(f, key)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// TestEraseSyncsRegister: an erasure through the service copies the signed
// register to the data dir and beside the backups; a restore gathers both
// copies and refuses one whose signature fails. Before any backup key
// exists (and with backups off) there is nothing to sign and nothing is
// written.
func TestEraseSyncsRegister(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, conv := openStore(t, "4915100000001")
	reg := &erasure.Register{Store: db, File: filepath.Join(dir, backup.RegisterName), KeyFile: filepath.Join(dir, "backup.key")}
	if err := reg.Sync(ctx); err != nil {
		t.Fatalf("sync without a backup key: %v", err)
	}
	if _, err := os.Stat(reg.File); !os.IsNotExist(err) {
		t.Fatalf("register written without a backup key: %v", err)
	}

	key, _, err := backup.LoadOrCreateKey(reg.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := backup.ParseLocation(filepath.Join(dir, "backups"), backup.S3Config{})
	if err != nil {
		t.Fatal(err)
	}
	reg.Backups = func() (backup.Location, error) { return loc, nil }
	svc := inbox.New(db, nil, nil)
	svc.Register = reg
	if _, err := svc.EraseContact(ctx, nil, conv.Contact.ID); err != nil {
		t.Fatal(err)
	}
	if local := readLocal(t, reg.File, key); len(local) != 1 || local[0].ContactID != conv.Contact.ID {
		t.Fatalf("local register = %+v", local)
	}
	beside, err := backup.ReadRegister(ctx, loc, key)
	if err != nil || len(beside) != 1 || beside[0].ContactID != conv.Contact.ID {
		t.Fatalf("register beside the backups = %+v, %v", beside, err)
	}
	all, err := reg.Gather(ctx, loc, key)
	if err != nil || len(all) != 2 {
		t.Fatalf("gathered %+v, %v; want both copies", all, err)
	}

	b, err := os.ReadFile(reg.File)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(reg.File, b[:len(b)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Gather(ctx, loc, key); !errors.Is(err, backup.ErrRegisterSignature) {
		t.Fatalf("gather with a cut local copy: %v; want the signature error", err)
	}
}

// TestReapply: after a restore, every registered contact the restored
// store holds is erased again, and the merged register is written back.
func TestReapply(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	restored, conv := openStore(t, "4915100000002")
	reg := &erasure.Register{File: filepath.Join(dir, backup.RegisterName), KeyFile: filepath.Join(dir, "backup.key")}
	key, _, err := backup.LoadOrCreateKey(reg.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	n, err := reg.Reapply(ctx, restored, key, []switchboard.Erasure{{ContactID: conv.Contact.ID, ErasedAt: time.Now().UTC()}})
	if err != nil || n != 1 {
		t.Fatalf("reapply: %d, %v; want 1 contact erased", n, err)
	}
	if _, err := restored.Conversation(ctx, conv.ID, ""); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Fatalf("conversation of the erased contact after reapply: %v", err)
	}
	if local := readLocal(t, reg.File, key); len(local) != 1 || local[0].ContactID != conv.Contact.ID {
		t.Fatalf("local register after reapply = %+v", local)
	}
}
