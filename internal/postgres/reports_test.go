package postgres_test

import (
	"testing"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

// TestReports runs the report conformance tests shared with internal/sqlite
// on a store whose clock the tests control.
func TestReports(t *testing.T) {
	storetest.RunReports(t, func(tb testing.TB, clock switchboard.Clock) switchboard.Store {
		db, _ := mustOpenSchema(tb, storetest.MasterKey(tb), clock)
		return db
	})
}

// BenchmarkReports measures every report over a year of conversations
// (docs/benchmarks.md).
func BenchmarkReports(b *testing.B) {
	storetest.BenchReports(b, func(tb testing.TB, clock switchboard.Clock) switchboard.Store {
		db, _ := mustOpenSchema(tb, storetest.MasterKey(tb), clock)
		return db
	})
}
