package postgres

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

// migrationFS holds the forward-only migrations, named NNNN_name.sql.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

// migrations returns the embedded migrations in order, checked by the one
// loader both stores share ([storekit.LoadMigrations]: 1, 2, 3, … without
// gaps or repeats).
func migrations() ([]storekit.Migration, error) {
	return storekit.LoadMigrations(migrationFS, "migrations")
}

// migrate applies pending migrations, each in its own transaction under an
// advisory lock, so two processes starting at once apply each one once.
func (db *DB) migrate(ctx context.Context, schema string) error {
	ms, err := migrations()
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	lock := lockKey("switchboard:migrate:" + schema)
	err = db.withTx(ctx, func(tx *txn) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, lock); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    integer PRIMARY KEY,
			applied_at timestamptz NOT NULL
		)`)
		return err
	})
	if err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	for _, m := range ms {
		err := db.withTx(ctx, func(tx *txn) error {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, lock); err != nil {
				return err
			}
			var done bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`, m.Version).Scan(&done); err != nil {
				return err
			} else if done {
				return nil
			}
			// Exec without arguments uses the simple protocol, which
			// accepts several statements.
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`, m.Version, db.now())
			return err
		})
		if err != nil {
			return fmt.Errorf("apply migration %s: %w", m.Name, err)
		}
	}
	if err := db.ensureBuiltinRoles(ctx); err != nil {
		return err
	}
	return fillSearchKeys(ctx, db.pool)
}

// ensureBuiltinRoles inserts the built-in roles, or brings them up to date
// when a newer build changed them (a new permission for admins, say), as the
// SQLite store does. Their definitions live in the domain package, so they are
// written from Go rather than copied into SQL.
func (db *DB) ensureBuiltinRoles(ctx context.Context) error {
	now := db.now()
	for _, r := range switchboard.BuiltinRoles() {
		perms, err := json.Marshal(nonNilPerms(r.Permissions))
		if err != nil {
			return err
		}
		if _, err := db.pool.Exec(ctx, `INSERT INTO roles (id, name, description, permissions, channel_ids, built_in, created_at, updated_at)
			VALUES ($1, $2, $3, $4, '[]', true, $5, $5)
			ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description,
				permissions = EXCLUDED.permissions, channel_ids = '[]', built_in = true, updated_at = EXCLUDED.updated_at
			WHERE roles.name IS DISTINCT FROM EXCLUDED.name OR roles.description IS DISTINCT FROM EXCLUDED.description
				OR roles.permissions IS DISTINCT FROM EXCLUDED.permissions OR NOT roles.built_in`,
			r.ID, r.Name, r.Description, string(perms), now); err != nil {
			return fmt.Errorf("insert built-in role %s: %w", r.ID, err)
		}
	}
	return nil
}

// SchemaVersion returns the newest applied migration and the newest one
// this binary knows.
func (db *DB) SchemaVersion(ctx context.Context) (applied, latest int, err error) {
	ms, err := migrations()
	if err != nil {
		return 0, 0, fmt.Errorf("read migrations: %w", err)
	}
	if len(ms) > 0 {
		latest = ms[len(ms)-1].Version
	}
	var exists bool
	if err := db.pool.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, 0, fmt.Errorf("schema version: %w", err)
	} else if !exists {
		return 0, latest, nil
	}
	if err := db.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&applied); err != nil {
		return 0, 0, fmt.Errorf("schema version: %w", err)
	}
	return applied, latest, nil
}
