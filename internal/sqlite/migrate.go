package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"fmt"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrations returns the embedded migrations in order, checked by the one
// loader both stores share ([storekit.LoadMigrations]: 1, 2, 3, … without
// gaps or repeats).
func migrations() ([]storekit.Migration, error) {
	return storekit.LoadMigrations(migrationFS, "migrations")
}

// latestVersion is the newest migration this build knows.
func latestVersion() int {
	ms, err := migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}

// migrate brings the schema up to date when apply is set, each migration in
// its own transaction, and otherwise checks that it is current. It runs on
// the writer connection before the writer goroutine starts.
func (db *DB) migrate(ctx context.Context, apply bool) error {
	ms, err := migrations()
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	// Without apply, Open must not change the file at all.
	var exists bool
	if err := db.wdb.QueryRowContext(ctx,
		`SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations')`,
	).Scan(&exists); err != nil {
		return fmt.Errorf("read schema: %w", err)
	}
	if !exists && apply {
		if _, err := db.wdb.ExecContext(ctx, `CREATE TABLE schema_migrations (
			version    INTEGER PRIMARY KEY,
			applied_at INTEGER NOT NULL
		) STRICT`); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		exists = true
	}
	applied := 0
	if exists {
		var err error
		if applied, err = appliedVersion(ctx, db.wdb); err != nil {
			return err
		}
	}
	latest := len(ms)
	switch {
	case applied > latest:
		return fmt.Errorf("database schema version %d is newer than this build's %d", applied, latest)
	case applied < latest && !apply:
		return fmt.Errorf("database schema version %d is older than this build's %d: run the migrate command", applied, latest)
	}
	for _, m := range ms[applied:] {
		if err := db.applyMigration(ctx, m); err != nil {
			return err
		}
	}
	if apply {
		if err := db.ensureBuiltinRoles(ctx); err != nil {
			return err
		}
		if err := fillSearchKeys(ctx, db.wdb); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) applyMigration(ctx context.Context, m storekit.Migration) error {
	tx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
		m.Version, micros(db.now())); err != nil {
		return fmt.Errorf("migration %s: record: %w", m.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %s: commit: %w", m.Name, err)
	}
	return nil
}

// ensureBuiltinRoles creates the built-in roles, or brings them in line with
// this build's definition, idempotently.
func (db *DB) ensureBuiltinRoles(ctx context.Context) error {
	now := micros(db.now())
	for _, r := range switchboard.BuiltinRoles() {
		perms, err := json.Marshal(r.Permissions)
		if err != nil {
			return err
		}
		if _, err := db.wdb.ExecContext(ctx, `
			INSERT INTO roles (id, name, description, permissions, channel_ids, built_in, created_at, updated_at)
			VALUES (?, ?, ?, ?, '[]', 1, ?, ?)
			ON CONFLICT (id) DO UPDATE SET
				name = excluded.name, description = excluded.description,
				permissions = excluded.permissions, channel_ids = '[]', built_in = 1
			WHERE roles.name <> excluded.name OR roles.description <> excluded.description
				OR roles.permissions <> excluded.permissions OR roles.built_in <> 1`,
			r.ID, r.Name, r.Description, string(perms), now, now,
		); err != nil {
			return fmt.Errorf("create built-in role %s: %w", r.ID, err)
		}
	}
	return nil
}

type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func appliedVersion(ctx context.Context, q queryRower) (int, error) {
	var v int
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// SchemaVersion returns the applied and the newest known migration.
func (db *DB) SchemaVersion(ctx context.Context) (applied, latest int, err error) {
	applied, err = appliedVersion(ctx, db.rdb)
	if err != nil {
		return 0, 0, err
	}
	return applied, latestVersion(), nil
}
