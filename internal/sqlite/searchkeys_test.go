package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/sqlite"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

// TestSearchKeysFilledOnOpen: users from before migration 0006 have no
// search key; opening the store computes it, so they are found again.
func TestSearchKeysFilledOnOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "switchboard.db")
	mk := storetest.MasterKey(t)
	db, err := sqlite.Open(ctx, path, sqlite.Options{Master: mk, Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	u := &switchboard.User{Login: "olga", Name: "Ольга Коваленко", RoleID: switchboard.RoleEmployee, Active: true}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE users SET search_key = ''`); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	db, err = sqlite.Open(ctx, path, sqlite.Options{Master: mk, Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, _, err := db.Users(ctx, switchboard.UserFilter{Query: "КОВАЛЕНКО"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != u.ID {
		t.Errorf("Users(КОВАЛЕНКО) after reopening = %+v, want %s", got, u.ID)
	}
}
