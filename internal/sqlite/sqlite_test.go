package sqlite_test

import (
	"testing"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/sqlite"
	"github.com/switchboardhq/switchboard/internal/sqlite/sqlitetest"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

// mustOpen opens a new migrated database in a temp dir, closed at cleanup.
func mustOpen(tb testing.TB) *sqlite.DB { return sqlitetest.MustOpen(tb) }

func TestConformance(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) switchboard.Store { return mustOpen(tb) })
}
