package main

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/auditanchor"
)

// TestAuditCheckpointCatchesTruncation: serve anchors the audit chain's
// head in the data directory (at the latest when it stops); deleting the
// newest entries afterwards, which leaves a chain consistent among itself,
// fails `switchboard audit verify`.
func TestAuditCheckpointCatchesTruncation(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	app.createUser(admin, "emp", "employee")
	app.stop()
	err := <-app.done
	app.done <- err // for the cleanup
	if err != nil {
		t.Fatal(err)
	}
	k, err := auditanchor.LoadKey(app.Config.AuditKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	a, err := k.ReadCheckpoint(filepath.Join(app.Config.DataDir, "audit-checkpoint.json"))
	if err != nil {
		t.Fatal(err)
	}
	head, _, err := app.Store.AuditEntries(t.Context(), switchboard.AuditFilter{Limit: 1})
	if err != nil || len(head) != 1 {
		t.Fatal(err)
	}
	if a.Seq != head[0].Seq || a.Hash != head[0].Hash || a.KeyedFrom != 1 {
		t.Fatalf("checkpoint %+v, newest entry %d %s", a, head[0].Seq, head[0].Hash)
	}
	env := map[string]string{"SWITCHBOARD_DATA_DIR": app.Config.DataDir, "SWITCHBOARD_LOG_LEVEL": "error"}
	if out, err := runBackupCLI(t, env, "audit", "verify"); err != nil || !strings.Contains(out, "audit chain intact") {
		t.Fatalf("audit verify: %v\n%s", err, out)
	}

	raw, err := sql.Open("sqlite", app.Config.SQLitePath())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`DELETE FROM audit_log WHERE seq > ?`, a.Seq-2); err != nil {
		t.Fatal(err)
	}
	out, err := runBackupCLI(t, env, "audit", "verify")
	if err == nil || !strings.Contains(err.Error(), "are missing") {
		t.Fatalf("audit verify after deleting the newest entries: %v\n%s", err, out)
	}
}
