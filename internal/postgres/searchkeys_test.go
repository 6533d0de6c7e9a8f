package postgres_test

import (
	"context"
	"testing"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/postgres"
)

// TestSearchKeysFilledOnOpen: users from before migration 0006 have no
// search key; opening the store computes it, so they are found again.
func TestSearchKeysFilledOnOpen(t *testing.T) {
	ctx := context.Background()
	mk := testMasterKey(t)
	db, schema := mustOpenSchema(t, mk, nil)
	u := &switchboard.User{Login: "olga", Name: "Ольга Коваленко", RoleID: switchboard.RoleEmployee, Active: true}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	conn := connect(t)
	if _, err := conn.Exec(ctx, `UPDATE `+schema+`.users SET search_key = ''`); err != nil {
		t.Fatal(err)
	}
	again, err := postgres.Open(ctx, testURL(), postgres.Options{Master: mk, Migrate: true, Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	got, _, err := again.Users(ctx, switchboard.UserFilter{Query: "КОВАЛЕНКО"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != u.ID {
		t.Errorf("Users(КОВАЛЕНКО) after reopening = %+v, want %s", got, u.ID)
	}
}
