package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/sqlite"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

// mustOpen opens a new migrated database in a temp dir, closed at cleanup.
func mustOpen(tb testing.TB) *sqlite.DB {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "switchboard.db")
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{Master: storetest.MasterKey(tb), Migrate: true, AuditKey: storetest.AuditKey})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) switchboard.Store { return mustOpen(tb) })
}
