package postgres_test

import (
	"context"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/postgres"
)

// TestBuiltinRolesUpdatedOnMigrate: a database from an older build (or an
// older backup) whose built-in roles lack a newer permission gets them back
// on the next migrating open.
func TestBuiltinRolesUpdatedOnMigrate(t *testing.T) {
	ctx := context.Background()
	mk := testMasterKey(t)
	schema := newSchema(t)
	db, err := postgres.Open(ctx, testURL(), postgres.Options{Master: mk, Migrate: true, Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	conn, err := pgx.Connect(ctx, testURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `UPDATE `+pgx.Identifier{schema, "roles"}.Sanitize()+` SET permissions = '["users.read"]' WHERE id = 'admin'`); err != nil {
		t.Fatal(err)
	}
	db, err = postgres.Open(ctx, testURL(), postgres.Options{Master: mk, Migrate: true, Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r, err := db.Role(ctx, switchboard.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Permissions, switchboard.Permissions()) {
		t.Fatalf("admin permissions after reopening = %v, want the whole catalogue", r.Permissions)
	}
}
