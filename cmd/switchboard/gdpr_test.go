package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/backup"
	"github.com/switchboardhq/switchboard/internal/backup/s3test"
)

// TestErasureSurvivesRestore erases a contact through the API after a
// backup was made into a directory, then restores that older backup into
// empty SQLite and PostgreSQL databases on a "new server" (a fresh data dir
// with only the key files): the restore reads the erasure register beside
// the backups and erases the contact again, and the contact's data key,
// which the backup still carried, is destroyed, so its ciphertexts cannot
// be opened. A register that fails its signature check, beside the backups
// or in the data dir, makes the restore fail and restore nothing.
func TestErasureSurvivesRestore(t *testing.T) {
	testErasureSurvivesRestore(t, t.TempDir(), nil)
}

// TestErasureSurvivesRestoreS3 is TestErasureSurvivesRestore with the
// backups and the register in a bucket of a real S3-compatible server.
func TestErasureSurvivesRestoreS3(t *testing.T) {
	srv := s3test.Start(t, "switchboard-gdpr")
	testErasureSurvivesRestore(t, "s3://switchboard-gdpr/prod", map[string]string{
		"SWITCHBOARD_BACKUP_S3_ENDPOINT": srv.Endpoint, "SWITCHBOARD_BACKUP_S3_REGION": srv.Region,
		"SWITCHBOARD_BACKUP_S3_ACCESS_KEY_ID": srv.AccessKeyID, "SWITCHBOARD_BACKUP_S3_SECRET_ACCESS_KEY": srv.SecretAccessKey,
		"SWITCHBOARD_BACKUP_S3_PATH_STYLE": "true",
	})
}

// testErasureSurvivesRestore runs the erasure and restore test with the
// backups in backups (a directory or s3://bucket/prefix, reached with the
// settings in s3env).
func testErasureSurvivesRestore(t *testing.T, backups string, s3env map[string]string) {
	withS3 := func(env map[string]string) map[string]string {
		maps.Copy(env, s3env)
		return env
	}
	app := startApp(t, withS3(map[string]string{"SWITCHBOARD_BACKUP_TO": backups, "SWITCHBOARD_BACKUP_INTERVAL": "1h"}))
	admin := app.setupAdmin()
	op, _ := app.createUser(admin, "otto", switchboard.RoleOperator)
	ch := app.channel("Main")
	gone := app.customerWrites(ch.ID, "4915111111111", "Greta Vergessen", "Bitte alles löschen")
	kept := app.customerWrites(ch.ID, "4915122222222", "Karl Bleibt", "Hallo")
	ctx := context.Background()
	f := &switchboard.MediaFile{ID: switchboard.NewID(), ConversationID: gone.ID, KeyID: gone.KeyID, MIMEType: "text/plain",
		Filename: "pass.txt", Size: 6, SHA256: "x"}
	if err := app.System.WriteMedia(ctx, f, strings.NewReader("secret")); err != nil {
		t.Fatal(err)
	}
	if err := app.Store.CreateMedia(ctx, f); err != nil {
		t.Fatal(err)
	}

	env := withS3(map[string]string{"SWITCHBOARD_DATA_DIR": app.Config.DataDir, "SWITCHBOARD_LOG_LEVEL": "error", "SWITCHBOARD_BACKUP_TO": backups})
	out, err := runBackupCLI(t, env, "backup", "create")
	if err != nil {
		t.Fatalf("backup create: %v\n%s", err, out)
	}
	older := strings.TrimSuffix(strings.Fields(out)[1], ":")
	if !strings.HasPrefix(older, backups+"/switchboard-") {
		t.Fatalf("backup create: %s", out)
	}
	loc, err := backup.ParseLocation(backups, app.Config.BackupS3())
	if err != nil {
		t.Fatal(err)
	}

	// Only privacy.manage may erase; the operator is refused.
	if code, body := op.do("DELETE", "/api/v1/contacts/"+gone.Contact.ID, nil); code != 403 || errorCode(t, body) != switchboard.EForbidden {
		t.Fatalf("operator erases: %d %s", code, body)
	}
	var res struct {
		ContactID  string `json:"contact_id"`
		Messages   int    `json:"messages"`
		MediaFiles int    `json:"media_files"`
	}
	admin.must(200, "DELETE", "/api/v1/contacts/"+gone.Contact.ID, nil, &res)
	if res.ContactID != gone.Contact.ID || res.Messages != 1 || res.MediaFiles != 1 {
		t.Fatalf("erase: %+v", res)
	}
	if code, _ := admin.do("GET", "/api/v1/conversations/"+gone.ID, nil); code != 404 {
		t.Fatalf("erased conversation: %d", code)
	}
	admin.must(404, "DELETE", "/api/v1/contacts/"+gone.Contact.ID, nil, nil)
	if _, err := os.Stat(filepath.Join(app.Config.DataDir, "media", f.ID)); !os.IsNotExist(err) {
		t.Fatalf("media file still there: %v", err)
	}
	// The audit entry names the contact by id, nothing else.
	entries, _, err := app.Store.AuditEntries(ctx, switchboard.AuditFilter{Action: "contact.erase", Limit: 10})
	if err != nil || len(entries) != 2 || entries[0].ObjectID != gone.Contact.ID || entries[0].Outcome != switchboard.OutcomeSuccess ||
		entries[1].Outcome != switchboard.OutcomeDenied {
		t.Fatalf("audit: %v %+v", err, entries)
	}
	for _, e := range entries {
		for k, v := range e.Detail {
			if strings.Contains(v, "Greta") || strings.Contains(v, "4915111111111") {
				t.Fatalf("audit detail %s=%q holds erased data", k, v)
			}
		}
	}
	// The register is beside the backups and in the data dir, signed.
	key, err := backup.LoadKey(app.Config.BackupKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := loc.Open(ctx, backup.RegisterName)
	if err != nil {
		t.Fatal(err)
	}
	beside, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	local, err := os.ReadFile(filepath.Join(app.Config.DataDir, "erasures.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range [][]byte{beside, local} {
		reg, err := backup.DecodeRegister(bytes.NewReader(b), key)
		if err != nil || len(reg) != 1 || reg[0].ContactID != gone.Contact.ID || strings.Contains(string(b), "Greta") ||
			!strings.Contains(string(b), `"key_id":"`+key.ID()+`"`) {
			t.Fatalf("register: %v %q", err, b)
		}
	}
	putRegister := func(b []byte) {
		t.Helper()
		up, err := loc.Create(ctx, backup.RegisterName)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := up.Write(b); err != nil {
			t.Fatal(err)
		}
		if err := up.Commit(); err != nil {
			t.Fatal(err)
		}
	}

	newServer := func(t *testing.T) map[string]string {
		dir := t.TempDir()
		copyFile(t, app.Config.BackupKeyFile, filepath.Join(dir, "backup.key"))
		copyFile(t, app.Config.MasterKeyFile, filepath.Join(dir, "master.key"))
		copyFile(t, app.Config.AuditKeyFile, filepath.Join(dir, "audit.key"))
		return withS3(map[string]string{"SWITCHBOARD_DATA_DIR": dir, "SWITCHBOARD_LOG_LEVEL": "error"})
	}
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			renv := newServer(t)
			if backend == "postgres" {
				renv["SWITCHBOARD_DATABASE_URL"], _ = testPostgresSchema(t)
			}
			// Someone with write access to the backups removed the
			// erasure from the register: the restore refuses.
			putRegister([]byte(beside[strings.Index(string(beside), "\n")+1:]))
			out, err := runBackupCLI(t, renv, "backup", "restore", older)
			if err == nil || !errors.Is(err, backup.ErrRegisterSignature) || !strings.Contains(err.Error(), "restore refused") ||
				!strings.Contains(err.Error(), backups+"/erasures.jsonl") || !strings.Contains(err.Error(), "does not match") {
				t.Fatalf("restore with a tampered register: %v\n%s", err, out)
			}
			putRegister(beside)
			// So does an unsigned local copy in the data dir (as written
			// before the register was signed).
			localCopy := filepath.Join(renv["SWITCHBOARD_DATA_DIR"], "erasures.jsonl")
			if err := os.WriteFile(localCopy, local[:strings.Index(string(local), "\n")+1], 0o600); err != nil {
				t.Fatal(err)
			}
			out, err = runBackupCLI(t, renv, "backup", "restore", older)
			if err == nil || !errors.Is(err, backup.ErrRegisterSignature) || !strings.Contains(err.Error(), localCopy) {
				t.Fatalf("restore with an unsigned local register: %v\n%s", err, out)
			}
			if err := os.Remove(localCopy); err != nil {
				t.Fatal(err)
			}
			// Neither refused restore wrote anything: this one would
			// find a database that is not empty.
			out, err = runBackupCLI(t, renv, "backup", "restore", older)
			if err != nil || !strings.Contains(out, "1 contacts erased again") {
				t.Fatalf("restore: %v\n%s", err, out)
			}
			if out, err := runBackupCLI(t, renv, "audit", "verify"); err != nil {
				t.Fatalf("audit verify: %v\n%s", err, out)
			}
			c, _, err := parseConfig("serve", groupAll, nil, func(k string) string { return renv[k] }, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			store, keys, err := openStore(ctx, c, newLogger(c, nil), false)
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			if _, err := store.Conversation(ctx, gone.ID, ""); switchboard.ErrorCode(err) != switchboard.ENotFound {
				t.Fatalf("erased conversation after restore: %v", err)
			}
			if got, err := store.Conversation(ctx, kept.ID, ""); err != nil || got.Contact.Name != "Karl Bleibt" {
				t.Fatalf("kept conversation after restore: %v", err)
			}
			if items, _, err := store.Conversations(ctx, switchboard.ConversationFilter{Query: "Greta"}); err != nil || len(items) != 0 {
				t.Fatalf("search finds the erased contact: %v %d", err, len(items))
			}
			// Crypto-shredding: the backup carried the contact's wrapped
			// data key; after the restore it is destroyed, so nothing the
			// backup held under it can be opened on this instance.
			if _, err := keys.Get(ctx, gone.KeyID); err == nil {
				t.Fatal("the erased contact's data key loads after the restore")
			}
			if _, err := os.Stat(filepath.Join(renv["SWITCHBOARD_DATA_DIR"], "media", f.ID)); !os.IsNotExist(err) {
				t.Fatalf("restored media file of the erased contact: %v", err)
			}
			reg, err := store.Erasures(ctx)
			if err != nil || len(reg) != 1 || reg[0].ContactID != gone.Contact.ID {
				t.Fatalf("register after restore: %v %+v", err, reg)
			}
			if entries, _, err := store.AuditEntries(ctx, switchboard.AuditFilter{Action: "contact.erase", Limit: 10}); err != nil ||
				len(entries) == 0 || entries[0].Detail["reapplied"] != "true" {
				t.Fatalf("reapplied erasure not audited: %v %+v", err, entries)
			}
		})
	}

	// The command line erases too.
	out, err = runBackupCLI(t, env, "contact", "erase", "--id", kept.Contact.ID)
	if err != nil {
		// The server holds the SQLite writer; the command waits for it.
		t.Fatalf("contact erase: %v\n%s", err, out)
	}
	if !strings.Contains(out, "erased contact "+kept.Contact.ID) {
		t.Fatalf("contact erase: %s", out)
	}
}
