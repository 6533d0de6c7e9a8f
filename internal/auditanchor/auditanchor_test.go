package auditanchor_test

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/auditanchor"
	"github.com/switchboardhq/switchboard/internal/sqlite"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

func TestCheckpoint(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	k, created, err := auditanchor.LoadOrCreateKey(filepath.Join(dir, "keys", "audit.key"))
	if err != nil || !created {
		t.Fatalf("LoadOrCreateKey = %v, %v", created, err)
	}
	again, err := auditanchor.LoadKey(filepath.Join(dir, "keys", "audit.key"))
	if err != nil || again.ID != k.ID || string(again.Chain) != string(k.Chain) {
		t.Fatalf("LoadKey = %+v, %v", again, err)
	}
	path := filepath.Join(dir, "data", "switchboard.db")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(ctx, path, sqlite.Options{Master: storetest.MasterKey(t), Migrate: true, AuditKey: k.Chain})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cp := filepath.Join(dir, "data", "audit-checkpoint.json")
	if _, err := k.ReadCheckpoint(cp); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("ReadCheckpoint before the first = %v, want fs.ErrNotExist", err)
	}
	// An empty log writes no checkpoint.
	if _, err := k.Advance(ctx, db, cp); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cp); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("checkpoint for an empty log: %v", err)
	}
	appendN := func(n int) {
		for range n {
			if err := db.AppendAudit(ctx, &switchboard.AuditEntry{Action: "user.login", Outcome: switchboard.OutcomeSuccess, At: time.Now()}); err != nil {
				t.Fatal(err)
			}
		}
	}
	appendN(5)
	if _, err := k.Advance(ctx, db, cp); err != nil {
		t.Fatal(err)
	}
	a, err := k.ReadCheckpoint(cp)
	if err != nil || a.Seq != 5 || a.KeyedFrom != 1 {
		t.Fatalf("checkpoint = %+v, %v", a, err)
	}
	if fi, err := os.Stat(cp); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("checkpoint mode: %v %v", fi, err)
	}
	appendN(3)
	if _, err := k.Advance(ctx, db, cp); err != nil {
		t.Fatal(err)
	}
	if a, _ = k.ReadCheckpoint(cp); a.Seq != 8 {
		t.Fatalf("checkpoint after 3 more = %+v", a)
	}
	before, err := os.ReadFile(cp)
	if err != nil {
		t.Fatal(err)
	}

	// Delete the newest two entries behind the store's back: Advance
	// refuses to move the checkpoint back and keeps it as evidence.
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`DELETE FROM audit_log WHERE seq > 6`); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Advance(ctx, db, cp); !errors.Is(err, auditanchor.ErrBehind) {
		t.Fatalf("Advance after truncation = %v, want ErrBehind", err)
	}
	after, _ := os.ReadFile(cp)
	if string(after) != string(before) {
		t.Fatal("Advance rewrote the checkpoint of a truncated chain")
	}
	// Appending new entries does not hide the truncation either.
	appendN(4)
	if _, err := k.Advance(ctx, db, cp); !errors.Is(err, auditanchor.ErrBehind) {
		t.Fatalf("Advance after truncation and new entries = %v, want ErrBehind", err)
	}

	// An edited checkpoint (someone lowering its seq to match) is refused.
	edited := []byte(string(before))
	for i := range edited {
		if string(edited[i:min(i+8, len(edited))]) == `"seq": 8` {
			edited[i+7] = '6'
		}
	}
	if string(edited) == string(before) {
		t.Fatal("test did not edit the checkpoint")
	}
	if err := os.WriteFile(cp, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := k.ReadCheckpoint(cp); !errors.Is(err, auditanchor.ErrBadCheckpoint) {
		t.Fatalf("ReadCheckpoint of an edited file = %v, want ErrBadCheckpoint", err)
	}
	if _, err := k.Advance(ctx, db, cp); !errors.Is(err, auditanchor.ErrBadCheckpoint) {
		t.Fatalf("Advance over an edited file = %v, want ErrBadCheckpoint", err)
	}
	// Another instance's key does not verify this checkpoint.
	other, _, err := auditanchor.LoadOrCreateKey(filepath.Join(dir, "other.key"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cp, before, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := other.ReadCheckpoint(cp); !errors.Is(err, auditanchor.ErrBadCheckpoint) {
		t.Fatalf("ReadCheckpoint with another key = %v, want ErrBadCheckpoint", err)
	}
}
