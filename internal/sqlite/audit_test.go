package sqlite_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/sqlite"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

// TestAuditTamper rewrites the audit log through a second connection to
// the database file, as an attacker with the file but not the audit key.
func TestAuditTamper(t *testing.T) {
	paths := map[switchboard.Store]string{}
	open := func(tb testing.TB) switchboard.Store {
		path := filepath.Join(tb.TempDir(), "switchboard.db")
		db, err := sqlite.Open(context.Background(), path, sqlite.Options{Master: storetest.MasterKey(tb), Migrate: true, AuditKey: storetest.AuditKey})
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { db.Close() })
		paths[db] = path
		return db
	}
	storetest.RunAuditTamper(t, open, func(tb testing.TB, s switchboard.Store, entries []*switchboard.AuditEntry) {
		raw, err := sql.Open("sqlite", paths[s]+"?_pragma=busy_timeout(5000)")
		if err != nil {
			tb.Fatal(err)
		}
		defer raw.Close()
		tx, err := raw.Begin()
		if err != nil {
			tb.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.Exec(`DELETE FROM audit_log`); err != nil {
			tb.Fatal(err)
		}
		for _, e := range entries {
			detail, _ := json.Marshal(e.Detail)
			if _, err := tx.Exec(`INSERT INTO audit_log (seq, at, actor_id, actor_login, action, object_type, object_id, outcome, ip, user_agent, detail, prev_hash, hash)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.Seq, e.At.UnixMicro(), e.ActorID, e.ActorLogin, e.Action, e.ObjectType,
				e.ObjectID, e.Outcome, e.IP, e.UserAgent, string(detail), e.PrevHash, e.Hash); err != nil {
				tb.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			tb.Fatal(err)
		}
	})
}
