package inbox

import (
	"context"
	"testing"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/sqlite/sqlitetest"
)

// schemaAt reports a chosen schema version.
type schemaAt struct {
	switchboard.Store
	applied, latest int
}

func (s schemaAt) SchemaVersion(context.Context) (int, int, error) { return s.applied, s.latest, nil }

// TestReadyDuringRollingUpgrade: an instance is ready on its own schema
// and on a newer one (another instance of the next release migrated, and
// the old ones keep serving until they are replaced), not on an older one
// (its migrations have not run).
func TestReadyDuringRollingUpgrade(t *testing.T) {
	store := sqlitetest.MustOpen(t)
	for _, tc := range []struct {
		applied, latest int
		ready           bool
	}{
		{31, 31, true},
		{32, 31, true},
		{30, 31, false},
	} {
		sys := New(schemaAt{store, tc.applied, tc.latest}, nil, nil).System()
		err := sys.Ready(context.Background())
		if got := err == nil; got != tc.ready {
			t.Errorf("schema %d, build %d: ready = %v (%v), want %v", tc.applied, tc.latest, got, err, tc.ready)
		}
		if err != nil && switchboard.ErrorCode(err) != switchboard.EUnavailable {
			t.Errorf("schema %d, build %d: %v, want EUnavailable", tc.applied, tc.latest, err)
		}
	}
}
