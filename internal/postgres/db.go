// Package postgres implements switchboard.Store on PostgreSQL with pgx.
//
// Customer data is sealed with per-contact data keys before it reaches the
// database (see internal/storecrypt); lookups on it go through blind indexes.
// Every store method is one transaction. Concurrent writers are coordinated
// by PostgreSQL itself: row locks, ON CONFLICT for find-or-create, a partial
// unique index for "one open conversation per contact", and a transaction
// advisory lock that serialises audit appends.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/seal"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

// keyPoolConns is the size of the separate pool that loads data keys.
const keyPoolConns = 2

// DefaultMaxConns is the connection pool size unless the URL sets
// pool_max_conns.
const DefaultMaxConns = 16

// Options configure Open.
type Options struct {
	// Master wraps the data keys and the blind-index key. Required.
	Master *seal.MasterKey
	// Migrate applies pending migrations during Open.
	Migrate bool
	// Clock supplies creation and update times; nil means the wall clock.
	Clock switchboard.Clock
	// AuditKey keys the audit chain (HMAC-SHA256). It comes from a key
	// file outside the database; empty means the unkeyed hash (tests).
	AuditKey []byte
	// Schema, when set, is the search_path of every connection. It is created
	// if absent. Tests use it to give each run its own schema.
	Schema string
}

// DB is a switchboard.Store backed by a PostgreSQL connection pool.
type DB struct {
	pool *pgxpool.Pool
	// keyPool serves only the Keyring's loads of data keys. Keys are loaded
	// while a connection of pool is busy with the query or transaction that
	// needs them; from pool itself, a full pool would wait for itself.
	keyPool *pgxpool.Pool
	clock   switchboard.Clock
	master  *seal.MasterKey
	keys    *seal.Keyring
	// auditKey keys the audit chain (Options.AuditKey).
	auditKey []byte
	codec    *storecrypt.Codec
	// auditLock is the advisory lock key that serialises audit appends in
	// this schema.
	auditLock int64
	// leaderLock is the advisory lock key of the leader lease in this
	// schema (Lease).
	leaderLock int64
	// wamidLock seeds the advisory lock keys that serialise MarkSent and
	// ApplyStatus per wamid in this schema.
	wamidLock int64
	// channelKeys caches channel id → data key id. A channel's key never
	// changes, and the webhook path should not pay a query for it.
	channelKeys sync.Map
	// names caches decrypted contact names for the ingest path.
	names storekit.NameCache
	// liveChannel is the NOTIFY channel of this schema's live events;
	// liveKey the data key of live events without a channel (live.go).
	liveChannel string
	liveKeyMu   sync.Mutex
	liveKey     string
}

var _ switchboard.Store = (*DB)(nil)

// Open connects to the database at url, applies pending migrations when
// opts.Migrate is set, and loads (or on first use creates) the blind-index
// key.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	if opts.Master == nil {
		return nil, errors.New("open postgres: master key is required")
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse postgres url: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		// pgxpool's default (the number of CPUs, at least 4) starves
		// concurrent webhook deliveries that each wait for a commit's
		// fsync; the server's default max_connections is 100.
		cfg.MaxConns = max(cfg.MaxConns, DefaultMaxConns)
	}
	if opts.Schema != "" {
		// A runtime parameter rather than SET in AfterConnect: it costs no
		// round trip and survives connection resets.
		cfg.ConnConfig.RuntimeParams["search_path"] = opts.Schema
	}
	// Stored times are UTC; the session zone only affects text output, but
	// fixing it keeps psql sessions and logs unambiguous.
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"

	keyCfg := cfg.Copy()
	keyCfg.MaxConns, keyCfg.MinConns = keyPoolConns, 0

	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect postgres: %w", err)
	}
	keyPool, err := pgxpool.NewWithConfig(ctx, keyCfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect postgres: %w", err)
	}
	db := &DB{pool: pool, keyPool: keyPool, clock: opts.Clock, master: opts.Master, auditKey: opts.AuditKey}
	if db.clock == nil {
		db.clock = switchboard.SystemClock{}
	}
	if err := db.open(ctx, opts); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func (db *DB) open(ctx context.Context, opts Options) error {
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping postgres: %w", err)
	}
	if opts.Schema != "" {
		if _, err := db.pool.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{opts.Schema}.Sanitize()); err != nil {
			return fmt.Errorf("create schema: %w", err)
		}
	}
	var schema string
	if err := db.pool.QueryRow(ctx, "SELECT coalesce(current_schema(), '')").Scan(&schema); err != nil {
		return fmt.Errorf("current schema: %w", err)
	}
	db.auditLock = lockKey("switchboard:audit:" + schema)
	db.wamidLock = lockKey("switchboard:wamid:" + schema)
	db.liveChannel = fmt.Sprintf("switchboard_live_%x", uint64(lockKey("switchboard:live:"+schema)))
	db.leaderLock = lockKey("switchboard:leader:" + schema)

	keys, err := seal.NewKeyring(db.master, db.loadDataKey)
	if err != nil {
		return fmt.Errorf("keyring: %w", err)
	}
	db.keys = keys

	if opts.Migrate {
		if err := db.migrate(ctx, schema); err != nil {
			return err
		}
	}
	applied, latest, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if applied != latest {
		return fmt.Errorf("database schema is at version %d, this build needs %d: run switchboard migrate", applied, latest)
	}
	index, err := db.blindIndex(ctx)
	if err != nil {
		return err
	}
	db.codec = &storecrypt.Codec{Keys: keys, Index: index}
	return nil
}

// lockKey derives a 64-bit advisory lock key from a name, so locks are
// scoped to one schema and cannot collide with other applications' keys by
// accident.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return int64(h.Sum64())
}

// blindIndex loads the blind-index key from settings, creating and storing
// it (wrapped by the master key) on first use.
func (db *DB) blindIndex(ctx context.Context) (*seal.BlindIndex, error) {
	const name = "blind_index_key"
	raw := storecrypt.NewBlindIndexKey()
	wrapped, err := db.master.Wrap(storecrypt.BlindIndexWrapID, raw)
	clear(raw)
	if err != nil {
		return nil, fmt.Errorf("wrap blind index key: %w", err)
	}
	// Insert-if-absent then read: when two processes start at once, both
	// read the same winner.
	if _, err := db.pool.Exec(ctx, `INSERT INTO settings (name, value, master_key_id) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO NOTHING`, name, wrapped, db.master.ID()); err != nil {
		return nil, fmt.Errorf("store blind index key: %w", err)
	}
	var masterID string
	if err := db.pool.QueryRow(ctx, `SELECT value, master_key_id FROM settings WHERE name = $1`, name).Scan(&wrapped, &masterID); err != nil {
		return nil, fmt.Errorf("load blind index key: %w", err)
	}
	if masterID != db.master.ID() {
		return nil, fmt.Errorf("blind index key is wrapped by master key %q, but master key %q was given", masterID, db.master.ID())
	}
	raw, err = db.master.Unwrap(storecrypt.BlindIndexWrapID, wrapped)
	if err != nil {
		return nil, fmt.Errorf("unwrap blind index key: %w", err)
	}
	defer clear(raw)
	index, err := seal.NewBlindIndex(raw)
	if err != nil {
		return nil, fmt.Errorf("blind index: %w", err)
	}
	return index, nil
}

// loadDataKey is the Keyring's loader. Destroyed keys are reported as not
// found, so data sealed under them stays unreadable.
func (db *DB) loadDataKey(ctx context.Context, id string) (string, []byte, error) {
	var masterID string
	var wrapped []byte
	err := db.keyPool.QueryRow(ctx, `SELECT master_key_id, wrapped FROM data_keys WHERE id = $1 AND destroyed_at IS NULL`, id).Scan(&masterID, &wrapped)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil, fmt.Errorf("data key %q not found", id)
	} else if err != nil {
		return "", nil, err
	}
	return masterID, wrapped, nil
}

// newDataKey creates a data key and stores it wrapped inside tx. If tx
// does not commit, the key is dropped from the Keyring again.
func (db *DB) newDataKey(ctx context.Context, tx *txn, now time.Time) (string, error) {
	key, wrapped, err := db.keys.Create()
	if err != nil {
		return "", fmt.Errorf("create data key: %w", err)
	}
	tx.keys = append(tx.keys, key.ID())
	if _, err := tx.Exec(ctx, `INSERT INTO data_keys (id, master_key_id, wrapped, created_at) VALUES ($1, $2, $3, $4)`,
		key.ID(), db.keys.Master().ID(), wrapped, now); err != nil {
		return "", fmt.Errorf("insert data key: %w", err)
	}
	return key.ID(), nil
}

// Keys returns the keyring of the data keys. The service encrypts media
// files with the contact's data key, named by Conversation.KeyID.
func (db *DB) Keys() *seal.Keyring { return db.keys }

// channelKey returns the id of a channel's data key, or ENotFound.
func (db *DB) channelKey(ctx context.Context, q querier, channelID string) (string, error) {
	if id, ok := db.channelKeys.Load(channelID); ok {
		return id.(string), nil
	}
	var keyID string
	err := q.QueryRow(ctx, `SELECT key_id FROM channels WHERE id = $1`, channelID).Scan(&keyID)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", switchboard.NotFound("Channel")
	} else if err != nil {
		return "", fmt.Errorf("get channel key: %w", err)
	}
	db.channelKeys.Store(channelID, keyID)
	return keyID, nil
}

// Close closes the connection pools.
func (db *DB) Close() error {
	db.pool.Close()
	db.keyPool.Close()
	return nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping postgres: %w", err)
	}
	return nil
}

// Stats reports connection pool figures.
func (db *DB) Stats() switchboard.StoreStats {
	s, k := db.pool.Stat(), db.keyPool.Stat()
	return switchboard.StoreStats{
		OpenConnections: int(s.TotalConns() + k.TotalConns()),
		InUse:           int(s.AcquiredConns() + k.AcquiredConns()),
		Idle:            int(s.IdleConns() + k.IdleConns()),
		WaitCount:       s.EmptyAcquireCount() + k.EmptyAcquireCount(),
	}
}

// now returns the clock's time as stored: UTC, microsecond precision.
func (db *DB) now() time.Time { return utc(db.clock.Now()) }

// txn is a transaction that remembers the data keys created in it.
type txn struct {
	pgx.Tx
	keys []string
}

// withTx runs fn in a transaction, committing if it returns nil. An audit
// entry on ctx ([switchboard.WithAuditEntry]) is appended in the same
// transaction, and so are the event records on it ([switchboard.WithEvents]).
func (db *DB) withTx(ctx context.Context, fn func(tx *txn) error) error {
	ptx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &txn{Tx: ptx}
	committed := false
	defer func() {
		if !committed {
			_ = ptx.Rollback(context.WithoutCancel(ctx))
			for _, id := range tx.keys {
				db.keys.Forget(id)
			}
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	// The staged event records first: a write that changed nothing
	// (SkipAuditEntry) writes neither them nor the audit entry.
	if rs, settle := switchboard.TakeEvents(ctx); rs != nil {
		ok := false
		defer func() { settle(ok && committed) }()
		if err := db.insertEvents(ctx, tx, rs); err != nil {
			return err
		}
		ok = true
	}
	// The audit entry of the action this transaction carries out, if ctx
	// has one no write took yet, is appended last, so that the chain's
	// lock is held only for the commit.
	var appended *switchboard.AuditEntry
	if e, settle := switchboard.TakeAuditEntry(ctx); e != nil {
		defer func() { settle(appended) }()
		n, err := db.appendAudit(ctx, tx, e)
		if err != nil {
			return err
		}
		if err := ptx.Commit(ctx); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		committed, appended = true, n
		return nil
	}
	if err := ptx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	committed = true
	return nil
}

// querier is what both the pool and a transaction offer.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// utc normalises a time as the database keeps it.
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// nullTime maps the zero time to NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return utc(t)
}

// fromNull maps NULL to the zero time.
func fromNull(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// pgError returns the PostgreSQL error code and constraint of err, if any.
func pgError(err error) (code, constraint string) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code, pe.ConstraintName
	}
	return "", ""
}

const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
)

// claimCandidates runs query in tx: it locks a queue's claim candidates
// (FOR UPDATE SKIP LOCKED) in queue order and returns the key and payload
// size of each. It returns the keys of those that one claim takes under
// maxBytes ([switchboard.ClaimTake]); the others stay locked only until tx
// ends, and another claimer skips them meanwhile, as it would any
// candidate of a running claim.
func claimCandidates[K any](ctx context.Context, tx *txn, query string, maxBytes int64, args ...any) ([]K, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("claim candidates: %w", err)
	}
	var keys []K
	var sizes []int64
	for rows.Next() {
		var k K
		var n *int64
		if err := rows.Scan(&k, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("claim candidates: %w", err)
		}
		keys = append(keys, k)
		if n == nil {
			sizes = append(sizes, 0)
		} else {
			sizes = append(sizes, *n)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim candidates: %w", err)
	}
	return keys[:switchboard.ClaimTake(sizes, maxBytes)], nil
}
