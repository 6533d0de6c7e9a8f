package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/sqlite"
	"github.com/switchboardhq/switchboard/internal/sqlite/sqlitetest"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

// TestReports runs the report conformance tests on a store whose clock the
// tests control.
func TestReports(t *testing.T) {
	storetest.RunReports(t, func(tb testing.TB, clock switchboard.Clock) switchboard.Store {
		return sqlitetest.Open(tb, sqlite.Options{Master: storetest.MasterKey(tb), Clock: clock})
	})
}

// BenchmarkReports measures every report over a year of conversations
// (docs/benchmarks.md).
func BenchmarkReports(b *testing.B) {
	storetest.BenchReports(b, func(tb testing.TB, clock switchboard.Clock) switchboard.Store {
		path := filepath.Join(tb.TempDir(), "switchboard.db")
		db, err := sqlite.Open(context.Background(), path, sqlite.Options{Master: storetest.MasterKey(tb), Migrate: true, Clock: clock})
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { db.Close() })
		return db
	})
}
