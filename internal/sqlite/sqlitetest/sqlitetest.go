// Package sqlitetest opens fresh, migrated SQLite stores for tests quickly:
// the migrations run once per test binary into a template file, and each
// test gets a copy.
package sqlitetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/switchboardhq/switchboard/internal/seal"
	"github.com/switchboardhq/switchboard/internal/sqlite"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

// migrated holds the bytes of a freshly migrated database, made once per
// test binary. Running every migration for each of the suite's hundreds of
// fresh stores dominated the package's time (SQLite re-reads the schema
// after each DDL statement, and under -race that is ten times slower);
// copying one migrated file is cheap. The migrations themselves are still
// run from scratch here once, and by the tests that open a path directly
// (migrate_test.go, the app's tests).
var migrated struct {
	once  sync.Once
	bytes []byte
	err   error
}

// Template returns the bytes of a migrated database file with no keys in
// it: the blind-index key is deleted, so each test's own master key creates
// a new one when a copy is opened.
func Template() ([]byte, error) {
	migrated.once.Do(func() {
		migrated.bytes, migrated.err = buildTemplate()
	})
	return migrated.bytes, migrated.err
}

func buildTemplate() ([]byte, error) {
	dir, err := os.MkdirTemp("", "switchboard-template-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	raw := make([]byte, seal.KeySize)
	rand.Read(raw)
	mk, err := seal.NewMasterKey("mk_template", raw)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "template.db")
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{Master: mk, Migrate: true, AuditKey: storetest.AuditKey})
	if err != nil {
		return nil, err
	}
	if err := db.Close(); err != nil {
		return nil, err
	}
	raw2, err := sql.Open("sqlite", path)
	if err != nil {
		return nil, err
	}
	defer raw2.Close()
	for _, stmt := range []string{
		`DELETE FROM settings WHERE name = 'blind_index_key'`,
		`DELETE FROM data_keys`,
		`PRAGMA wal_checkpoint(TRUNCATE)`,
		`PRAGMA journal_mode = DELETE`,
	} {
		if _, err := raw2.Exec(stmt); err != nil {
			return nil, err
		}
	}
	if err := raw2.Close(); err != nil {
		return nil, err
	}
	return os.ReadFile(path)
}

// MustOpen opens a new migrated database in a temp dir, closed at cleanup.
func MustOpen(tb testing.TB) *sqlite.DB {
	tb.Helper()
	return Open(tb, sqlite.Options{Master: storetest.MasterKey(tb), AuditKey: storetest.AuditKey})
}

// Open opens a copy of the migrated template in a temp dir with
// opts, closed at cleanup.
func Open(tb testing.TB, opts sqlite.Options) *sqlite.DB {
	tb.Helper()
	tmpl, err := Template()
	if err != nil {
		tb.Fatalf("migrated template: %v", err)
	}
	path := filepath.Join(tb.TempDir(), "switchboard.db")
	if err := os.WriteFile(path, tmpl, 0o600); err != nil {
		tb.Fatal(err)
	}
	opts.Migrate = true
	db, err := sqlite.Open(context.Background(), path, opts)
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

// Seed writes a copy of the template to path unless a file is there
// already, for tests that open the database through the app.
func Seed(tb testing.TB, path string) {
	tb.Helper()
	if _, err := os.Stat(path); err == nil {
		return
	}
	tmpl, err := Template()
	if err != nil {
		tb.Fatalf("migrated template: %v", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, tmpl, 0o600); err != nil {
		tb.Fatal(err)
	}
}
