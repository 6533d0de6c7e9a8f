package postgres_test

import (
	"context"
	"slices"
	"testing"

	"github.com/switchboardhq/switchboard/internal/backup/dump"
)

// TestDumpCoversSchema fails when a migration adds a table or column that
// the backend-neutral dump (internal/backup/dump) does not carry: backups
// would silently lose it.
func TestDumpCoversSchema(t *testing.T) {
	_, schema := mustOpenSchema(t, testMasterKey(t), nil)
	conn := connect(t)
	ctx := context.Background()
	rows, err := conn.Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = $1 AND table_name <> 'schema_migrations' ORDER BY table_name, ordinal_position`, schema)
	if err != nil {
		t.Fatal(err)
	}
	physical := map[string][]string{}
	for rows.Next() {
		var tab, col string
		if err := rows.Scan(&tab, &col); err != nil {
			t.Fatal(err)
		}
		physical[tab] = append(physical[tab], col)
	}
	rows.Close()
	for _, n := range slices.Concat(dump.DerivedTables, dump.QueueTables, dump.TransientTables) {
		delete(physical, n)
	}
	// Columns the dump names differently on this backend.
	renamed := map[string]string{"pending_statuses.received_at": "created_at"}
	for tab, cols := range physical {
		lt := dump.Lookup(tab)
		if lt == nil {
			t.Errorf("table %s is not in the dump: add it to internal/backup/dump.Tables", tab)
			continue
		}
		for i, c := range cols {
			if r, ok := renamed[tab+"."+c]; ok {
				cols[i] = r
			}
			if lt.Index(cols[i]) < 0 && !dump.Derived(tab, cols[i]) {
				t.Errorf("column %s.%s is not in the dump: add it to internal/backup/dump.Tables (and bump dump.Version)", tab, c)
			}
		}
		for _, c := range lt.ColumnNames() {
			if !slices.Contains(cols, c) {
				t.Errorf("dump column %s.%s does not exist in PostgreSQL", tab, c)
			}
		}
	}
	if len(physical) != len(dump.Tables()) {
		t.Errorf("PostgreSQL has %d tables, the dump %d", len(physical), len(dump.Tables()))
	}
}
