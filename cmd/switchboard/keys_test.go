package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/seal"
)

// TestKeysRotate rotates the master key while the server runs, on SQLite
// and PostgreSQL: the running server still reads keys re-wrapped under the
// new master, a restarted server reads everything, `keys rewrap` moves the
// keys the server created during the rotation, and afterwards the old
// master key file is no longer needed.
func TestKeysRotate(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			env := map[string]string{"SWITCHBOARD_DATA_DIR": t.TempDir(), "SWITCHBOARD_LOG_LEVEL": "error"}
			if backend == "postgres" {
				env["SWITCHBOARD_DATABASE_URL"], _ = testPostgresSchema(t)
			}
			ctx := context.Background()
			app := startApp(t, env)
			admin := app.setupAdmin()
			ch := app.channel("Main")
			convs := []*switchboard.Conversation{
				app.customerWrites(ch.ID, "4915133333331", "Rita Rotation", "Eins"),
				app.customerWrites(ch.ID, "4915133333332", "Rolf Rotation", "Zwei"),
			}
			file := app.Config.MasterKeyFile
			old, err := seal.LoadMasterKey(file)
			if err != nil {
				t.Fatal(err)
			}

			out, err := runBackupCLI(t, env, "keys", "rotate")
			if err != nil || !strings.Contains(out, "master key rotated from "+old.ID()) {
				t.Fatalf("keys rotate: %v\n%s", err, out)
			}
			next, err := seal.LoadMasterKey(file)
			if err != nil || next.ID() == old.ID() {
				t.Fatalf("new master key: %v", err)
			}
			retired := file + ".retired-" + old.ID()
			if st, err := os.Stat(retired); err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("retired key file: %v", err)
			}
			if _, err := os.Stat(file + ".next"); !os.IsNotExist(err) {
				t.Fatalf(".next left behind: %v", err)
			}

			// The running server meets a key wrapped by the new master.
			keys := app.Keys
			keys.Forget(convs[0].KeyID)
			var msgs struct{ Items []*switchboard.Message }
			admin.must(200, "GET", "/api/v1/conversations/"+convs[0].ID+"/messages", nil, &msgs)
			if len(msgs.Items) != 1 || msgs.Items[0].Content.Text != "Eins" {
				t.Fatalf("running server after rotation: %+v", msgs.Items)
			}
			// It still wraps new keys with the old master until restarted.
			convs = append(convs, app.customerWrites(ch.ID, "4915133333333", "Rudi Später", "Drei"))
			app.stop()
			<-app.done
			app.done <- nil
			// One serve per SQLite file: the restart comes after the close.
			if err := app.App.Close(); err != nil {
				t.Fatal(err)
			}

			// A restart loads the new master and the retired one.
			app2 := startApp(t, env)
			for _, c := range convs {
				got, err := app2.Store.Conversation(ctx, c.ID, "")
				if err != nil || got.Contact.Name != c.Contact.Name {
					t.Fatalf("after restart: %v", err)
				}
			}
			out, err = runBackupCLI(t, env, "keys", "rewrap")
			if err != nil || !strings.Contains(out, "0 still wrapped by another master key") {
				t.Fatalf("keys rewrap: %v\n%s", err, out)
			}
			app2.stop()
			<-app2.done
			app2.done <- nil
			if err := app2.App.Close(); err != nil {
				t.Fatal(err)
			}

			// The old master key is no longer needed by the database.
			if err := os.Rename(retired, filepath.Join(t.TempDir(), "offline.key")); err != nil {
				t.Fatal(err)
			}
			app3 := startApp(t, env)
			for _, c := range convs {
				keys := app3.Keys
				keys.Forget(c.KeyID)
				msgs, _, err := app3.Store.Messages(ctx, c.ID, switchboard.MessagePage{})
				if err != nil || len(msgs) != 1 {
					t.Fatalf("without the old master key: %v", err)
				}
			}
			if items, _, err := app3.Store.Conversations(ctx, switchboard.ConversationFilter{Query: "Rotation"}); err != nil || len(items) != 2 {
				t.Fatalf("search (blind index) after rotation: %v %d", err, len(items))
			}
		})
	}
}
