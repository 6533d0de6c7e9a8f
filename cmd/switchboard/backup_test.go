package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/backup"
)

// runBackupCLI runs a command line with the given environment.
func runBackupCLI(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errOut)
	return out.String() + errOut.String(), err
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestBackupCommands runs a server with scheduled backups, backs it up from
// the command line while it serves, verifies and lists the backups, and
// restores one into a new SQLite instance and into PostgreSQL, where a
// server started on the restored data shows the same conversations and
// media, accepts the old session, and keeps a verified audit chain.
func TestBackupCommands(t *testing.T) {
	scheduled := t.TempDir()
	app := startApp(t, map[string]string{"SWITCHBOARD_BACKUP_TO": scheduled})
	admin := app.setupAdmin()
	emp, _ := app.createUser(admin, "emma", switchboard.RoleEmployee)
	ch := app.channel("Main")
	conv := app.customerWrites(ch.ID, "4915112345678", "Jürgen Backupprobe", "Bitte um Rückruf")
	app.customerWrites(ch.ID, "4915187654321", "Erika Beispiel", "Wo ist meine Bestellung?")
	f := &switchboard.MediaFile{ID: switchboard.NewID(), ConversationID: conv.ID, KeyID: conv.KeyID, MIMEType: "text/plain",
		Filename: "notiz.txt", Size: 11, SHA256: "x", CreatedAt: time.Now().UTC()}
	if err := app.System.WriteMedia(context.Background(), f, strings.NewReader("hello media")); err != nil {
		t.Fatal(err)
	}
	if err := app.Store.CreateMedia(context.Background(), f); err != nil {
		t.Fatal(err)
	}

	// The scheduled backup ran at start; its status is in /metrics and in
	// the admin API (audit.read only), and not on the unauthenticated
	// /readyz, which tells only whether the instance is ready (issue 14,
	// Low 14).
	deadline := time.Now().Add(20 * time.Second)
	for app.Backups.Status().LastSuccessAt.IsZero() {
		if time.Now().After(deadline) {
			t.Fatalf("no scheduled backup: %+v", app.Backups.Status())
		}
		time.Sleep(20 * time.Millisecond)
	}
	var ready map[string]any
	app.client("").must(200, "GET", "/readyz", nil, &ready)
	if len(ready) != 1 || ready["status"] != "ready" {
		t.Fatalf("readyz tells more than its status: %+v", ready)
	}
	var st backup.Status
	admin.must(200, "GET", "/api/v1/backups/status", nil, &st)
	if !st.Enabled || st.LastName == "" || st.LastSize == 0 || st.Location != scheduled || st.Failures != 0 {
		t.Fatalf("backup status: %+v", st)
	}
	if code, body := emp.do("GET", "/api/v1/backups/status", nil); code != 403 || errorCode(t, body) != switchboard.EForbidden {
		t.Fatalf("employee reads backup status: %d %s", code, body)
	}
	_, metricsBody := app.client("").do("GET", "/metrics", nil)
	for _, m := range []string{"switchboard_backup_last_success_timestamp_seconds 1", "switchboard_backup_failures_total 0", "switchboard_backup_last_size_bytes "} {
		if !strings.Contains(string(metricsBody), m) {
			t.Fatalf("metrics lack %q", m)
		}
	}

	// An online backup from the command line while the server runs.
	env := map[string]string{"SWITCHBOARD_DATA_DIR": app.Config.DataDir, "SWITCHBOARD_LOG_LEVEL": "error"}
	manual := t.TempDir()
	out, err := runBackupCLI(t, env, "backup", "create", "--to", manual)
	if err != nil || !strings.Contains(out, "2 media files") && !strings.Contains(out, "1 media files") {
		t.Fatalf("backup create: %v\n%s", err, out)
	}
	env["SWITCHBOARD_BACKUP_TO"] = manual
	out, err = runBackupCLI(t, env, "backup", "list")
	if err != nil || strings.Count(out, ".backup") != 1 {
		t.Fatalf("backup list: %v\n%s", err, out)
	}
	name := strings.Fields(out)[0]
	file := filepath.Join(manual, name)
	// What the backup holds, as the API shows it (reading the history
	// afterwards marks it read in the source only).
	var want restoredView
	admin.must(200, "GET", "/api/v1/conversations", nil, &want.convs)
	admin.must(200, "GET", "/api/v1/conversations/"+conv.ID+"/messages", nil, &want.msgs)
	out, err = runBackupCLI(t, env, "backup", "verify", file)
	if err != nil || !strings.Contains(out, "backup intact") || !strings.Contains(out, "from sqlite") {
		t.Fatalf("backup verify: %v\n%s", err, out)
	}

	// Restore into a new data dir: it needs both keys.
	restoreEnv := func(dir string) map[string]string {
		return map[string]string{"SWITCHBOARD_DATA_DIR": dir, "SWITCHBOARD_LOG_LEVEL": "error"}
	}
	dir := t.TempDir()
	if out, err := runBackupCLI(t, restoreEnv(dir), "backup", "restore", file); err == nil || !strings.Contains(err.Error(), "backup key") {
		t.Fatalf("restore without the backup key: %v\n%s", err, out)
	}
	copyFile(t, app.Config.BackupKeyFile, filepath.Join(dir, "backup.key"))
	if out, err := runBackupCLI(t, restoreEnv(dir), "backup", "restore", file); err == nil || !strings.Contains(err.Error(), "master key") {
		t.Fatalf("restore without the master key: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "master.key")); err == nil {
		t.Fatal("restore created a master key")
	}
	copyFile(t, app.Config.MasterKeyFile, filepath.Join(dir, "master.key"))
	if out, err := runBackupCLI(t, restoreEnv(dir), "backup", "restore", file); err == nil || !strings.Contains(err.Error(), "audit key") {
		t.Fatalf("restore without the audit key: %v\n%s", err, out)
	}
	copyFile(t, app.Config.AuditKeyFile, filepath.Join(dir, "audit.key"))
	out, err = runBackupCLI(t, restoreEnv(dir), "backup", "restore", "--log-level", "error", file)
	if err != nil || !strings.Contains(out, "restored") {
		t.Fatalf("backup restore: %v\n%s", err, out)
	}
	if out, err := runBackupCLI(t, restoreEnv(dir), "backup", "restore", file); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("second restore: %v\n%s", err, out)
	}
	if out, err := runBackupCLI(t, restoreEnv(dir), "audit", "verify"); err != nil || !strings.Contains(out, "audit chain intact") {
		t.Fatalf("audit verify after restore: %v\n%s", err, out)
	}
	checkRestoredApp(t, admin, restoreEnv(dir), want, conv, f)

	// And into PostgreSQL, from the same backup.
	pgURL, schema := testPostgresSchema(t)
	pgEnv := restoreEnv(dir)
	pgEnv["SWITCHBOARD_DATABASE_URL"] = pgURL
	out, err = runBackupCLI(t, pgEnv, "backup", "restore", file)
	if err != nil || !strings.Contains(out, "into PostgreSQL") {
		t.Fatalf("restore into PostgreSQL (schema %s): %v\n%s", schema, err, out)
	}
	pgEnv["SWITCHBOARD_DATA_DIR"] = t.TempDir() // media come from the restore below
	copyFile(t, app.Config.BackupKeyFile, filepath.Join(pgEnv["SWITCHBOARD_DATA_DIR"], "backup.key"))
	copyFile(t, app.Config.MasterKeyFile, filepath.Join(pgEnv["SWITCHBOARD_DATA_DIR"], "master.key"))
	copyFile(t, app.Config.AuditKeyFile, filepath.Join(pgEnv["SWITCHBOARD_DATA_DIR"], "audit.key"))
	if out, err := runBackupCLI(t, pgEnv, "backup", "restore", file); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("second restore into PostgreSQL: %v\n%s", err, out)
	}
	pgEnv["SWITCHBOARD_DATA_DIR"] = dir
	checkRestoredApp(t, admin, pgEnv, want, conv, f)

	// The backup's manifest anchors the audit chain: with the data dir's
	// checkpoint gone, deleting the newest entries of the restored SQLite
	// chain is noticed against the backup.
	if err := os.Remove(filepath.Join(dir, "audit-checkpoint.json")); err != nil {
		t.Fatal(err)
	}
	if out, err := runBackupCLI(t, restoreEnv(dir), "audit", "verify", "--backup", file); err != nil || !strings.Contains(out, "audit chain intact") {
		t.Fatalf("audit verify --backup: %v\n%s", err, out)
	}
	raw, err := sql.Open("sqlite", filepath.Join(dir, "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`DELETE FROM audit_log WHERE seq > 2`); err != nil {
		t.Fatal(err)
	}
	if out, err := runBackupCLI(t, restoreEnv(dir), "audit", "verify"); err != nil {
		t.Fatalf("audit verify without an anchor: %v\n%s", err, out)
	}
	if out, err := runBackupCLI(t, restoreEnv(dir), "audit", "verify", "--backup", file); err == nil || !strings.Contains(err.Error(), "are missing") {
		t.Fatalf("audit verify --backup after deleting the newest entries: %v\n%s", err, out)
	}
}

// restoredView is what the API shows of the backed-up data.
type restoredView struct {
	convs, msgs json.RawMessage
}

// checkRestoredApp starts a server on restored data and checks that the
// old session works there and sees what the source showed at backup time.
func checkRestoredApp(t *testing.T, admin *client, env map[string]string, want restoredView, conv *switchboard.Conversation, f *switchboard.MediaFile) {
	t.Helper()
	restored := startApp(t, map[string]string{
		"SWITCHBOARD_DATA_DIR": env["SWITCHBOARD_DATA_DIR"], "SWITCHBOARD_DATABASE_URL": env["SWITCHBOARD_DATABASE_URL"],
	})
	if restored.SetupURL != "" {
		t.Fatal("the restored instance asks for setup")
	}
	again := restored.client(admin.token) // sessions are restored
	var got restoredView
	again.must(200, "GET", "/api/v1/conversations", nil, &got.convs)
	if !bytes.Equal(want.convs, got.convs) || !strings.Contains(string(got.convs), "Jürgen Backupprobe") {
		t.Fatalf("conversations differ:\n%s\n%s", want.convs, got.convs)
	}
	again.must(200, "GET", "/api/v1/conversations/"+conv.ID+"/messages", nil, &got.msgs)
	if !bytes.Equal(want.msgs, got.msgs) {
		t.Fatalf("messages differ:\n%s\n%s", want.msgs, got.msgs)
	}
	code, body := again.do("GET", "/api/v1/media/"+f.ID, nil)
	if code != 200 || string(body) != "hello media" {
		t.Fatalf("restored media: %d %q", code, body)
	}
}

// testPostgresSchema returns a database URL whose search_path is a new
// schema, dropped at the end. It fails when PostgreSQL is unreachable.
func testPostgresSchema(t *testing.T) (string, string) {
	t.Helper()
	base := os.Getenv("SWITCHBOARD_TEST_POSTGRES_URL")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("PostgreSQL at %s is unreachable: %v", base, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "sbcli_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
		conn.Close(context.Background())
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema, schema
}
