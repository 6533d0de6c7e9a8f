// Package sqlite implements switchboard.Store on SQLite: one writer
// connection with group commit, a pool of read-only connections, and
// customer data sealed with per-contact data keys.
package sqlite

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/seal"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

// Defaults for Options.
const (
	DefaultMaxBatch = 256
	DefaultReaders  = 4
	// DefaultMinCommitInterval bounds the writer to 500 commits a second
	// while acknowledgements pour in. Every commit is an fsync, which on a
	// small machine costs a quarter of a millisecond of CPU as well as its
	// wait; gathering a few more acknowledgements per commit costs each of
	// them at most this much latency.
	DefaultMinCommitInterval = 2 * time.Millisecond
)

// keyReaders is the size of the pool that loads data keys. A key load is
// one indexed row, so two connections keep misses of concurrent readers
// from queueing long behind each other.
const keyReaders = 2

// Options configure Open.
type Options struct {
	// Master is the master key that wraps the data keys and the blind-index
	// key. It is required: Switchboard never stores customer data in clear.
	Master *seal.MasterKey
	// Migrate applies pending migrations. Without it, Open refuses a
	// database whose schema is not the newest this build knows.
	Migrate bool
	// Clock stamps created_at and updated_at; nil means the system clock.
	Clock switchboard.Clock
	// MaxBatch is the most write jobs committed together; 0 means
	// DefaultMaxBatch. It is at least 2, so that a batch full of urgent
	// jobs still has room for ordinary ones.
	MaxBatch int
	// Readers is the size of the read-only connection pool; 0 means
	// DefaultReaders.
	Readers int
	// MinCommitInterval is how long a batch of only urgent jobs waits for
	// more after the previous batch began, under load; 0 means
	// DefaultMinCommitInterval, negative means never.
	MinCommitInterval time.Duration
	// AuditKey keys the audit chain (HMAC-SHA256). It comes from a key
	// file outside the database; empty means the unkeyed hash (tests).
	AuditKey []byte
}

// DB is a switchboard.Store on one SQLite database file.
type DB struct {
	path  string
	clock switchboard.Clock
	wdb   *sql.DB // the single writer connection, used only by the writer goroutine
	rdb   *readDB // read-only pool
	// kdb is a small read-only pool used only to load data keys. Keys are
	// loaded while a read holds a connection of rdb (decrypting the rows
	// of a list) or while a write job runs: loading them through rdb would
	// deadlock once every reader waits for a key.
	kdb    *sql.DB
	codec  *storecrypt.Codec
	master *seal.MasterKey
	// auditKey keys the audit chain (Options.AuditKey).
	auditKey []byte

	jobs     chan *job // ordinary write jobs and raw jobs
	urgent   chan *job // jobs that someone outside waits for (writeUrgent)
	maxBatch int
	// minCommitInterval: see Options.MinCommitInterval.
	minCommitInterval time.Duration
	queued            atomic.Int64 // write jobs submitted and not yet answered
	batches           atomic.Int64 // transactions committed or attempted by the writer
	stmts             stmtCache    // the writer's prepared statements
	closeMu           sync.RWMutex // held for reading while submitting, for writing by Close
	closed            bool
	done              chan struct{} // closed when the writer goroutine has exited

	// pending holds data keys created by write jobs that are not committed
	// yet, so that a later job in the same batch can load them through the
	// Keyring even if they fell out of its cache.
	pendingMu sync.Mutex
	pending   map[string]pendingKey

	// cdb is the checkpointer's own connection; stop ends it.
	cdb  *sql.DB
	stop chan struct{}
	cwg  sync.WaitGroup
	// checkpointMu lets one checkpoint run at a time (see Checkpoint).
	checkpointMu sync.Mutex

	// channelKeys caches channel id → data key id for the webhook path; a
	// channel's key never changes.
	channelKeys sync.Map
	// names caches decrypted contact names for the ingest path.
	names storekit.NameCache
}

type pendingKey struct {
	masterKeyID string
	wrapped     []byte
}

var _ switchboard.Store = (*DB)(nil)

// privateFiles makes the database file and its -wal and -shm companions
// readable by the owner only: it creates a missing database file with mode
// 0600 (SQLite creates the -wal and -shm files with the database file's
// mode) and tightens existing files that group or others can read, which
// older versions and copies made with a loose umask left behind. Customer
// data inside is encrypted, but metadata and wrapped keys are not
// everybody's business.
func privateFiles(path string) error {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		return f.Close()
	} else if !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create database file: %w", err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, 0o600); err != nil {
				return fmt.Errorf("make %s private: %w", filepath.Base(p), err)
			}
		}
	}
	return nil
}

// dsn builds a data source name for modernc.org/sqlite.
//
// The order of the pragmas matters. The driver runs busy_timeout first and
// the other _pragma values after it in lexicographic order, then the
// _query_only shorthand last:
//
//   - busy_timeout first, so that journal_mode(WAL), which needs a lock on
//     the file, waits for another connection instead of failing at once
//     with SQLITE_BUSY;
//   - journal_mode(WAL) before synchronous(FULL), because what FULL syncs
//     depends on the journal mode: in WAL mode, the WAL on every commit,
//     which the group commit amortises over a batch;
//   - foreign_keys(ON) when the connection opens, because SQLite ignores
//     it inside a transaction;
//   - secure_delete(ON) overwrites deleted content and freed pages with
//     zeros, so an erased contact's wrapped data key does not linger in
//     free space of the database file (the WAL is truncated after an
//     erasure, see [DB.EraseContact]);
//   - temp_store(MEMORY) keeps the statement sub-journals that SAVEPOINTs
//     write (one per write job) and sort spills in memory rather than in
//     temporary files: faster, and no database pages in stray files;
//   - query_only last on reader connections: it must not stop the
//     pragmas before it, and afterwards refuses any write.
func dsn(path string, writer bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "secure_delete(ON)")
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Add("_pragma", "cache_size(-16384)") // 16 MiB of page cache per connection
	if writer {
		// BEGIN IMMEDIATE takes the write lock at the start of the
		// transaction, so a write never fails half-way with SQLITE_BUSY.
		q.Set("_txlock", "immediate")
		// No automatic checkpoints in the writer's commits: a checkpoint
		// copies the WAL into the database file and fsyncs it, which would
		// stall every write waiting behind that commit. The checkpointer
		// goroutine does it on its own connection instead (as Litestream
		// does).
		q.Add("_pragma", "wal_autocheckpoint(0)")
		// The WAL file keeps its largest size when the writer starts it
		// over after a checkpoint; this truncates it back to the limit
		// then, so a burst does not leave gigabytes behind until shutdown.
		q.Add("_pragma", fmt.Sprintf("journal_size_limit(%d)", walSizeLimit))
	} else {
		q.Set("_query_only", "1")
	}
	return path + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path, applies pending
// migrations when opts.Migrate is set, loads the blind-index key (creating
// it on first open) and starts the writer.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if opts.Master == nil {
		return nil, errors.New("open sqlite: master key is required")
	}
	if opts.Clock == nil {
		opts.Clock = switchboard.SystemClock{}
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = DefaultMaxBatch
	}
	opts.MaxBatch = max(opts.MaxBatch, maxOrdinaryWithUrgent+1)
	if opts.Readers <= 0 {
		opts.Readers = DefaultReaders
	}
	if opts.MinCommitInterval == 0 {
		opts.MinCommitInterval = DefaultMinCommitInterval
	}

	if err := privateFiles(path); err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	wdb, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return nil, fmt.Errorf("open sqlite writer: %w", err)
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	wdb.SetConnMaxIdleTime(0)
	// Open the writer connection now: it switches the file to WAL mode
	// before any reader connects.
	if err := wdb.PingContext(ctx); err != nil {
		wdb.Close()
		return nil, fmt.Errorf("open sqlite writer: %w", err)
	}

	rdb, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("open sqlite readers: %w", err)
	}
	rdb.SetMaxOpenConns(opts.Readers)
	rdb.SetMaxIdleConns(opts.Readers)
	rdb.SetConnMaxLifetime(0)
	rdb.SetConnMaxIdleTime(0)

	kdb, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		wdb.Close()
		rdb.Close()
		return nil, fmt.Errorf("open sqlite key readers: %w", err)
	}
	kdb.SetMaxOpenConns(keyReaders)
	kdb.SetMaxIdleConns(keyReaders)
	kdb.SetConnMaxLifetime(0)
	kdb.SetConnMaxIdleTime(0)
	closeAll := func() {
		wdb.Close()
		rdb.Close()
		kdb.Close()
	}

	db := &DB{
		path:              path,
		clock:             opts.Clock,
		wdb:               wdb,
		rdb:               newReadDB(rdb),
		kdb:               kdb,
		master:            opts.Master,
		auditKey:          opts.AuditKey,
		jobs:              make(chan *job, opts.MaxBatch),
		urgent:            make(chan *job, opts.MaxBatch),
		maxBatch:          opts.MaxBatch,
		minCommitInterval: opts.MinCommitInterval,
		done:              make(chan struct{}),
		pending:           map[string]pendingKey{},
		stmts:             stmtCache{stmts: map[string]*sql.Stmt{}, seen: map[string]struct{}{}},
	}

	// Migrations run on the writer connection before the writer goroutine
	// exists: nothing else writes yet.
	if err := db.migrate(ctx, opts.Migrate); err != nil {
		closeAll()
		return nil, err
	}

	keys, err := seal.NewKeyring(opts.Master, db.loadKey)
	if err != nil {
		closeAll()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	index, err := db.blindIndex(ctx)
	if err != nil {
		closeAll()
		return nil, err
	}
	db.codec = &storecrypt.Codec{Keys: keys, Index: index}

	cdb, err := sql.Open("sqlite", path+"?"+checkpointerDSN())
	if err != nil {
		closeAll()
		return nil, fmt.Errorf("open sqlite checkpointer: %w", err)
	}
	cdb.SetMaxOpenConns(1)
	db.cdb, db.stop = cdb, make(chan struct{})
	db.cwg.Add(1)
	go db.checkpointLoop()
	go db.writeLoop()
	return db, nil
}

func checkpointerDSN() string {
	q := url.Values{}
	// A short busy timeout: a TRUNCATE checkpoint holds off the writer
	// while it waits for readers, so it gives up soon and tries again a
	// second later rather than stall every write for long.
	q.Add("_pragma", "busy_timeout(250)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	return q.Encode()
}

// checkpointInterval is how often the WAL is copied into the database file.
const checkpointInterval = time.Second

// truncateInterval is how often the checkpointer also truncates the WAL,
// so that old frames (which hold earlier versions of pages, such as a data
// key before it was destroyed) do not outlive it for long even when an
// erasure's own truncation was kept from completing by busy readers.
const truncateInterval = time.Hour

// maxWALBytes is the WAL size past which the checkpointer insists.
const maxWALBytes = 256 << 20

// walSizeLimit is the size the writer truncates the WAL file to whenever
// it starts it over (journal_size_limit).
const walSizeLimit = 64 << 20

// checkpointLoop copies committed WAL frames into the database file in the
// background. PASSIVE checkpoints never block the writer or readers; once a
// checkpoint has caught up and no reader uses the old frames, the writer
// starts the WAL from its beginning again, so the file stays bounded.
func (db *DB) checkpointLoop() {
	defer db.cwg.Done()
	t := time.NewTicker(checkpointInterval)
	defer t.Stop()
	truncate := time.NewTicker(truncateInterval)
	defer truncate.Stop()
	for {
		select {
		case <-db.stop:
			return
		case <-truncate.C:
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			_ = db.Checkpoint(ctx)
			cancel()
		case <-t.C:
			db.checkpoint(maxWALBytes)
		}
	}
}

// checkpoint runs one background checkpoint: PASSIVE, which never blocks
// the writer or readers. Readers that never pause can keep a passive
// checkpoint from ever reaching the end of the WAL; past max bytes, a
// TRUNCATE checkpoint briefly waits for them and the writer, and empties
// the file, so it shrinks again while running.
func (db *DB) checkpoint(max int64) {
	mode := "PASSIVE"
	if st, err := os.Stat(db.path + "-wal"); err == nil && st.Size() > max {
		mode = "TRUNCATE"
	}
	db.checkpointMu.Lock()
	defer db.checkpointMu.Unlock()
	_, _ = db.cdb.Exec("PRAGMA wal_checkpoint(" + mode + ")")
}

// Close finishes the write jobs already submitted, then closes the database.
func (db *DB) Close() error {
	db.closeMu.Lock()
	if db.closed {
		db.closeMu.Unlock()
		return nil
	}
	db.closed = true
	close(db.jobs)
	close(db.urgent)
	db.closeMu.Unlock()
	<-db.done
	close(db.stop)
	db.cwg.Wait()

	// Fold the WAL back into the main file so a closed database is one
	// self-contained file (best effort: a reader elsewhere may hold it).
	_, _ = db.wdb.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	err := errors.Join(db.rdb.Close(), db.kdb.Close(), db.cdb.Close(), db.wdb.Close())
	if err != nil {
		return fmt.Errorf("close sqlite: %w", err)
	}
	return nil
}

// Keys returns the keyring of the data keys, so that the service can
// encrypt media files with a conversation's key (Conversation.KeyID).
func (db *DB) Keys() *seal.Keyring { return db.codec.Keys }

// Ping checks that both the writer and a reader answer.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.rdb.PingContext(ctx); err != nil {
		return fmt.Errorf("ping sqlite: %w", err)
	}
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		var one int
		return tx.QueryRowContext(ctx, "SELECT 1").Scan(&one)
	})
}

// Stats reports pool figures; WriteQueue counts write jobs waiting for or
// inside the current batch.
func (db *DB) Stats() switchboard.StoreStats {
	r, k, w := db.rdb.Stats(), db.kdb.Stats(), db.wdb.Stats()
	return switchboard.StoreStats{
		OpenConnections: r.OpenConnections + k.OpenConnections + w.OpenConnections,
		InUse:           r.InUse + k.InUse + w.InUse,
		Idle:            r.Idle + k.Idle + w.Idle,
		WaitCount:       r.WaitCount + k.WaitCount + w.WaitCount,
		WriteQueue:      int(db.queued.Load()),
	}
}

// Checkpoint copies the WAL into the main database file and truncates it.
func (db *DB) Checkpoint(ctx context.Context) error {
	return db.writeRaw(ctx, func(ctx context.Context, conn *sql.DB) error {
		var busy, logPages, checkpointed int
		// SQLite runs one checkpoint at a time: a background one in
		// progress would make this one report busy although no reader
		// holds the WAL, so wait for it.
		db.checkpointMu.Lock()
		defer db.checkpointMu.Unlock()
		if err := conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logPages, &checkpointed); err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
		if busy != 0 {
			return errors.New("checkpoint: readers kept it from completing")
		}
		return nil
	})
}

// loadKey is the Keyring's loader: data keys created by write jobs of the
// current batch first, then the committed ones.
func (db *DB) loadKey(ctx context.Context, id string) (string, []byte, error) {
	db.pendingMu.Lock()
	p, ok := db.pending[id]
	db.pendingMu.Unlock()
	if ok {
		return p.masterKeyID, p.wrapped, nil
	}
	var masterKeyID string
	var wrapped []byte
	err := db.kdb.QueryRowContext(ctx,
		`SELECT master_key_id, wrapped FROM data_keys WHERE id = ? AND destroyed_at IS NULL`, id,
	).Scan(&masterKeyID, &wrapped)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, fmt.Errorf("data key %s does not exist or was destroyed", id)
	} else if err != nil {
		return "", nil, fmt.Errorf("load data key: %w", err)
	}
	return masterKeyID, wrapped, nil
}

// createKey makes a new data key, stores it wrapped in data_keys inside tx,
// and returns its id. If the job or the batch fails, the key is dropped from
// the Keyring again.
func (db *DB) createKey(ctx context.Context, tx *writeTx) (string, error) {
	key, wrapped, err := db.codec.Keys.Create()
	if err != nil {
		return "", fmt.Errorf("create data key: %w", err)
	}
	id, masterID := key.ID(), db.codec.Keys.Master().ID()
	db.pendingMu.Lock()
	db.pending[id] = pendingKey{masterKeyID: masterID, wrapped: wrapped}
	db.pendingMu.Unlock()
	tx.finally(func(committed bool) {
		db.pendingMu.Lock()
		delete(db.pending, id)
		db.pendingMu.Unlock()
		if !committed {
			db.codec.Keys.Forget(id)
		}
	})
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO data_keys (id, master_key_id, wrapped, created_at) VALUES (?, ?, ?, ?)`,
		id, masterID, wrapped, micros(db.now()),
	); err != nil {
		return "", fmt.Errorf("insert data key: %w", err)
	}
	return id, nil
}

const blindIndexSetting = "blind_index_key"

// blindIndexValue is how the wrapped blind-index key is kept in settings.
type blindIndexValue struct {
	MasterKeyID string `json:"master_key_id"`
	Wrapped     string `json:"wrapped"` // base64
}

// blindIndex loads the blind-index key, creating it on first open. It runs
// before the writer goroutine starts, on the writer connection.
func (db *DB) blindIndex(ctx context.Context) (*seal.BlindIndex, error) {
	raw := storecrypt.NewBlindIndexKey()
	wrapped, err := db.master.Wrap(storecrypt.BlindIndexWrapID, raw)
	if err != nil {
		return nil, fmt.Errorf("wrap blind index key: %w", err)
	}
	v, err := json.Marshal(blindIndexValue{MasterKeyID: db.master.ID(), Wrapped: base64.StdEncoding.EncodeToString(wrapped)})
	if err != nil {
		return nil, fmt.Errorf("encode blind index key: %w", err)
	}
	// Another process may create the key at the same moment: insert only if
	// absent, then use whichever row won.
	if _, err := db.wdb.ExecContext(ctx,
		`INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, blindIndexSetting, string(v),
	); err != nil {
		return nil, fmt.Errorf("store blind index key: %w", err)
	}
	var stored string
	if err := db.wdb.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = ?`, blindIndexSetting).Scan(&stored); err != nil {
		return nil, fmt.Errorf("load blind index key: %w", err)
	}
	var bv blindIndexValue
	if err := json.Unmarshal([]byte(stored), &bv); err != nil {
		return nil, fmt.Errorf("decode blind index key: %w", err)
	}
	if bv.MasterKeyID != db.master.ID() {
		return nil, fmt.Errorf("blind index key is wrapped by master key %q, not %q", bv.MasterKeyID, db.master.ID())
	}
	w, err := base64.StdEncoding.DecodeString(bv.Wrapped)
	if err != nil {
		return nil, fmt.Errorf("decode blind index key: %w", err)
	}
	raw, err = db.master.Unwrap(storecrypt.BlindIndexWrapID, w)
	if err != nil {
		return nil, fmt.Errorf("unwrap blind index key: %w", err)
	}
	idx, err := seal.NewBlindIndex(raw)
	clear(raw)
	if err != nil {
		return nil, fmt.Errorf("blind index: %w", err)
	}
	return idx, nil
}

func (db *DB) now() time.Time { return db.clock.Now().UTC().Truncate(time.Microsecond) }

// micros converts t to the stored form: UTC microseconds, NULL for zero.
func micros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Truncate(time.Microsecond).UnixMicro()
}

// fromMicros converts a stored time back; NULL becomes the zero time.
func fromMicros(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMicro(v.Int64).UTC()
}

// utc truncates t to what the database keeps.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

// isConstraint reports whether err is the SQLite constraint violation code
// (an extended code such as SQLITE_CONSTRAINT_UNIQUE).
func isConstraint(err error, code int) bool {
	var e interface{ Code() int }
	return errors.As(err, &e) && e.Code() == code
}

func isUnique(err error) bool {
	return isConstraint(err, sqlite3.SQLITE_CONSTRAINT_UNIQUE) || isConstraint(err, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

// isPrimaryKey reports a second row with the same primary key, as opposed
// to a clash on another unique column.
func isPrimaryKey(err error) bool { return isConstraint(err, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY) }

const foreignKeyViolation = sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
