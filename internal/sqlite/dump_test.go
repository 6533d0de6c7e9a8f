package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"

	"github.com/switchboardhq/switchboard/internal/backup/dump"
	"github.com/switchboardhq/switchboard/internal/sqlite"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

// TestDumpCoversSchema fails when a migration adds a table or column that
// the backend-neutral dump (internal/backup/dump) does not carry: backups
// would silently lose it.
func TestDumpCoversSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "switchboard.db")
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{Master: storetest.MasterKey(t), Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT IN ('schema_migrations', 'sqlite_sequence') ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	tables = slices.DeleteFunc(tables, func(n string) bool {
		return slices.Contains(dump.DerivedTables, n) || slices.Contains(dump.QueueTables, n) || slices.Contains(dump.TransientTables, n)
	})
	// Columns the dump maps differently on this backend.
	mapped := map[string][]string{"settings": {"master_key_id"}}
	for _, name := range tables {
		lt := dump.Lookup(name)
		if lt == nil {
			t.Errorf("table %s is not in the dump: add it to internal/backup/dump.Tables", name)
			continue
		}
		cols, err := raw.Query(`SELECT name FROM pragma_table_info(?)`, name)
		if err != nil {
			t.Fatal(err)
		}
		var physical []string
		for cols.Next() {
			var c string
			cols.Scan(&c)
			physical = append(physical, c)
			if lt.Index(c) < 0 && !dump.Derived(name, c) {
				t.Errorf("column %s.%s is not in the dump: add it to internal/backup/dump.Tables (and bump dump.Version)", name, c)
			}
		}
		cols.Close()
		for _, c := range lt.ColumnNames() {
			if !slices.Contains(physical, c) && !slices.Contains(mapped[name], c) {
				t.Errorf("dump column %s.%s does not exist in SQLite", name, c)
			}
		}
	}
	if len(tables) != len(dump.Tables()) {
		t.Errorf("SQLite has %d tables, the dump %d", len(tables), len(dump.Tables()))
	}
}
