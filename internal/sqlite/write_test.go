package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

func openInternal(t *testing.T, opts Options) *DB {
	t.Helper()
	opts.Master = storetest.MasterKey(t)
	opts.Migrate = true
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "test.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// blockWriter occupies the writer with a job that waits until release is
// closed, so that the jobs submitted meanwhile queue up.
func blockWriter(t *testing.T, db *DB) (release chan struct{}, done chan error) {
	release, done, started := make(chan struct{}), make(chan error, 1), make(chan struct{})
	go func() {
		done <- db.write(context.Background(), func(ctx context.Context, tx *writeTx) error {
			close(started)
			<-release
			return nil
		})
	}()
	<-started
	return release, done
}

func waitQueued(t *testing.T, db *DB, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for db.Stats().WriteQueue < n {
		if time.Now().After(deadline) {
			t.Fatalf("write queue = %d, want %d", db.Stats().WriteQueue, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func countSettings(t *testing.T, db *DB, prefix string) map[string]bool {
	t.Helper()
	rows, err := db.rdb.Query(`SELECT name FROM settings WHERE name LIKE ?`, prefix+"%")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		got[name] = true
	}
	return got
}

func TestGroupCommit(t *testing.T) {
	db := openInternal(t, Options{MaxBatch: 64})
	release, blocked := blockWriter(t, db)

	const n = 200
	errBoom := errors.New("boom")
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.write(context.Background(), func(ctx context.Context, tx *writeTx) error {
				if i == 7 {
					panic("bad job")
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES (?, 'v')`, fmt.Sprintf("job-%03d", i)); err != nil {
					return err
				}
				if i%10 == 3 {
					return errBoom // after writing: its row must be rolled back
				}
				return nil
			})
		}()
	}
	waitQueued(t, db, n+1)
	before := db.batches.Load()
	close(release)
	wg.Wait()
	if err := <-blocked; err != nil {
		t.Fatal(err)
	}

	rows := countSettings(t, db, "job-")
	for i, err := range errs {
		name := fmt.Sprintf("job-%03d", i)
		switch {
		case i == 7:
			if err == nil {
				t.Errorf("job %d panicked but returned nil", i)
			}
		case i%10 == 3:
			if !errors.Is(err, errBoom) {
				t.Errorf("job %d: err = %v, want boom", i, err)
			}
			if rows[name] {
				t.Errorf("job %d failed but its row was committed", i)
			}
		default:
			if err != nil || !rows[name] {
				t.Errorf("job %d: err = %v, row committed = %v", i, err, rows[name])
			}
		}
	}
	// 200 waiting jobs in batches of at most 64: 4 commits, not 200.
	if batches := db.batches.Load() - before; batches > 5 {
		t.Errorf("%d batches for %d queued jobs, want group commit (at most 5)", batches, n)
	}
	if q := db.Stats().WriteQueue; q != 0 {
		t.Errorf("WriteQueue = %d after all jobs answered", q)
	}
}

func TestWriteCanceledBeforeStart(t *testing.T) {
	db := openInternal(t, Options{})
	release, blocked := blockWriter(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	ran := false
	errc := make(chan error, 1)
	go func() {
		errc <- db.write(ctx, func(ctx context.Context, tx *writeTx) error { ran = true; return nil })
	}()
	waitQueued(t, db, 2)
	cancel()
	close(release)
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	<-blocked
	if ran {
		t.Error("a job whose caller had given up still ran")
	}
}

func TestCloseDrainsQueue(t *testing.T) {
	db := openInternal(t, Options{})
	release, blocked := blockWriter(t, db)
	const n = 10
	errc := make(chan error, n)
	for i := 0; i < n; i++ {
		go func() {
			errc <- db.write(context.Background(), func(ctx context.Context, tx *writeTx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES (?, 'v')`, fmt.Sprintf("drain-%d", i))
				return err
			})
		}()
	}
	waitQueued(t, db, n+1)
	closed := make(chan error, 1)
	go func() { closed <- db.Close() }()
	time.Sleep(20 * time.Millisecond)
	close(release)
	for i := 0; i < n; i++ {
		if err := <-errc; err != nil {
			t.Errorf("queued job failed during Close: %v", err)
		}
	}
	<-blocked
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if err := db.write(context.Background(), func(ctx context.Context, tx *writeTx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("write after Close: err = %v, want ErrClosed", err)
	}

	// The drained jobs were committed.
	again, err := Open(context.Background(), db.path, Options{Master: db.master})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if got := countSettings(t, again, "drain-"); len(got) != n {
		t.Errorf("%d drained rows committed, want %d", len(got), n)
	}
}

// TestFailedJobForgetsNewKeys checks that a data key created by a job that
// rolled back is not left in the Keyring cache.
func TestFailedJobForgetsNewKeys(t *testing.T) {
	db := openInternal(t, Options{})
	var keyID string
	err := db.write(context.Background(), func(ctx context.Context, tx *writeTx) error {
		var err error
		if keyID, err = db.createKey(ctx, tx); err != nil {
			return err
		}
		if _, err := db.codec.Keys.Get(ctx, keyID); err != nil {
			t.Errorf("new key not usable inside its job: %v", err)
		}
		return errors.New("fail after creating the key")
	})
	if err == nil {
		t.Fatal("job error lost")
	}
	if _, err := db.codec.Keys.Get(context.Background(), keyID); err == nil {
		t.Error("key of a rolled-back job is still usable")
	}
	if len(db.pending) != 0 {
		t.Errorf("%d pending keys left", len(db.pending))
	}
}

func TestOpenWithoutMigrate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	mk := storetest.MasterKey(t)
	if _, err := Open(context.Background(), path, Options{Master: mk}); err == nil {
		t.Fatal("Open without Migrate accepted an empty database")
	}
	db, err := Open(context.Background(), path, Options{Master: mk, Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = Open(context.Background(), path, Options{Master: mk})
	if err != nil {
		t.Fatalf("Open without Migrate on a current database: %v", err)
	}
	applied, latest, err := db.SchemaVersion(context.Background())
	if err != nil || applied != latest || latest < 2 {
		t.Errorf("SchemaVersion = %d, %d, %v", applied, latest, err)
	}
	db.Close()
	if _, err := Open(context.Background(), path, Options{Master: storetest.MasterKey(t)}); err == nil {
		t.Error("Open with another master key succeeded")
	}
	if _, err := Open(context.Background(), path, Options{}); err == nil {
		t.Error("Open without a master key succeeded")
	}
}

func TestReadersAreReadOnly(t *testing.T) {
	db := openInternal(t, Options{})
	if _, err := db.rdb.Exec(`INSERT INTO settings (name, value) VALUES ('x', 'y')`); err == nil {
		t.Fatal("a reader connection accepted a write")
	}
	var mode string
	if err := db.rdb.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
	}
	var fk int
	if err := db.rdb.QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Fatalf("foreign_keys = %d, %v", fk, err)
	}
}

func TestOutboundMessageQueuesOutbox(t *testing.T) {
	ctx := context.Background()
	db := openInternal(t, Options{})
	ch := &switchboard.Channel{Name: "c", PhoneNumberID: "1"}
	if err := db.CreateChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}
	r, err := db.ReceiveMessage(ctx, switchboard.InboundMessage{ChannelID: ch.ID, WaID: "4915112345678",
		Message: &switchboard.Message{Content: switchboard.MessageContent{Text: "hi"}, WAMessageID: "wamid.1", Timestamp: storetest.T0}})
	if err != nil {
		t.Fatal(err)
	}
	m := &switchboard.Message{ConversationID: r.Conversation.ID, Content: switchboard.MessageContent{Text: "hello"}}
	if _, err := db.CreateOutboundMessage(ctx, m); err != nil {
		t.Fatal(err)
	}
	var convID, channelID, state string
	var attempts int
	if err := db.rdb.QueryRow(`SELECT conversation_id, channel_id, state, attempts FROM outbox WHERE message_id = ?`, m.ID).
		Scan(&convID, &channelID, &state, &attempts); err != nil {
		t.Fatal(err)
	}
	if convID != r.Conversation.ID || channelID != ch.ID || state != "pending" || attempts != 0 {
		t.Errorf("outbox row = %s %s %s %d", convID, channelID, state, attempts)
	}
	// Inbound messages never enter the outbox.
	var n int
	if err := db.rdb.QueryRow(`SELECT COUNT(*) FROM outbox`).Scan(&n); err != nil || n != 1 {
		t.Errorf("outbox rows = %d, %v; want 1", n, err)
	}
}

// TestUrgentJobsFirst checks the writer's priority: an urgent job queued
// behind many ordinary ones is committed with the next batch, which takes
// along only a few of the ordinary jobs.
func TestUrgentJobsFirst(t *testing.T) {
	db := openInternal(t, Options{MaxBatch: 64})
	release, blocked := blockWriter(t, db)

	var mu sync.Mutex
	var order []string
	batchOf := map[string]int64{}
	job := func(name string) func(ctx context.Context, tx *writeTx) error {
		return func(ctx context.Context, tx *writeTx) error {
			mu.Lock()
			defer mu.Unlock()
			order = append(order, name)
			batchOf[name] = db.batches.Load()
			return nil
		}
	}
	const ordinary = 40
	var wg sync.WaitGroup
	for i := range ordinary {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := db.write(context.Background(), job(fmt.Sprintf("ordinary-%d", i))); err != nil {
				t.Error(err)
			}
		}()
	}
	waitQueued(t, db, ordinary+1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := db.writeUrgent(context.Background(), job("urgent")); err != nil {
			t.Error(err)
		}
	}()
	waitQueued(t, db, ordinary+2)
	close(release)
	wg.Wait()
	if err := <-blocked; err != nil {
		t.Fatal(err)
	}
	if len(order) != ordinary+1 {
		t.Fatalf("order = %v, want %d jobs", order, ordinary+1)
	}
	same := 0
	for name, b := range batchOf {
		if b < batchOf["urgent"] {
			t.Errorf("%s committed before the urgent job", name)
		}
		if name != "urgent" && b == batchOf["urgent"] {
			same++
		}
	}
	if same > maxOrdinaryWithUrgent {
		t.Errorf("%d ordinary jobs committed with the urgent one, want at most %d", same, maxOrdinaryWithUrgent)
	}
}

// TestFirstJobFails checks that a failing first job of a batch, which runs
// without a savepoint, is undone without failing the jobs after it.
func TestFirstJobFails(t *testing.T) {
	db := openInternal(t, Options{})
	release, blocked := blockWriter(t, db)
	errBoom := errors.New("boom")
	insert := func(name string, fail bool) func(ctx context.Context, tx *writeTx) error {
		return func(ctx context.Context, tx *writeTx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES (?, 'v')`, name); err != nil {
				return err
			}
			if fail {
				return errBoom
			}
			return nil
		}
	}
	errc := make(chan error, 3)
	go func() { errc <- db.write(context.Background(), insert("first-bad", true)) }()
	waitQueued(t, db, 2)
	go func() { errc <- db.writeUrgent(context.Background(), insert("first-urgent", false)) }()
	waitQueued(t, db, 3)
	go func() { errc <- db.write(context.Background(), insert("first-ordinary", false)) }()
	waitQueued(t, db, 4)
	close(release)
	var failed int
	for range 3 {
		if err := <-errc; errors.Is(err, errBoom) {
			failed++
		} else if err != nil {
			t.Error(err)
		}
	}
	if err := <-blocked; err != nil {
		t.Fatal(err)
	}
	if failed != 1 {
		t.Errorf("%d jobs failed, want 1", failed)
	}
	got := countSettings(t, db, "first-")
	if got["first-bad"] || !got["first-urgent"] || !got["first-ordinary"] {
		t.Errorf("committed rows = %v, want first-urgent and first-ordinary", got)
	}
}

// TestMinCommitInterval checks that urgent jobs arriving one after the
// other share commits instead of committing one by one.
func TestMinCommitInterval(t *testing.T) {
	db := openInternal(t, Options{MinCommitInterval: 200 * time.Millisecond})
	noop := func(ctx context.Context, tx *writeTx) error { return nil }
	if err := db.writeUrgent(context.Background(), noop); err != nil {
		t.Fatal(err)
	}
	before := db.batches.Load()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i) * time.Millisecond)
			if err := db.writeUrgent(context.Background(), noop); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := db.batches.Load() - before; n > 3 {
		t.Errorf("20 urgent jobs in 20 ms took %d commits, want them to share (at most 3)", n)
	}
}

// TestOrdinaryJobsProgressUnderUrgentLoad checks that a full urgent queue,
// as the webhook acknowledgements keep it under load, does not starve the
// ordinary jobs (the ingest's apply): the first batch after the writer is
// free takes the waiting ordinary job along although more urgent jobs wait
// than fit in a batch.
func TestOrdinaryJobsProgressUnderUrgentLoad(t *testing.T) {
	const maxBatch, urgentJobs = 8, 40
	db := openInternal(t, Options{MaxBatch: maxBatch})
	release, blocked := blockWriter(t, db)

	var mu sync.Mutex
	batchOf := map[string]int64{}
	job := func(name string) func(ctx context.Context, tx *writeTx) error {
		return func(ctx context.Context, tx *writeTx) error {
			mu.Lock()
			defer mu.Unlock()
			batchOf[name] = db.batches.Load()
			return nil
		}
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := db.write(context.Background(), job("ordinary")); err != nil {
			t.Error(err)
		}
	}()
	waitQueued(t, db, 2)
	for i := range urgentJobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := db.writeUrgent(context.Background(), job(fmt.Sprintf("urgent-%d", i))); err != nil {
				t.Error(err)
			}
		}()
	}
	// Every urgent job is queued or waiting to be: the urgent queue stays
	// full until fewer than its capacity are left.
	waitQueued(t, db, urgentJobs+2)
	first := db.batches.Load() + 1 // the batch after the blocking one
	close(release)
	wg.Wait()
	if err := <-blocked; err != nil {
		t.Fatal(err)
	}
	if got := batchOf["ordinary"]; got != first {
		t.Errorf("ordinary job committed in batch %d, want the first one after the writer was free (%d)", got, first)
	}
	var last int64
	perBatch := map[int64]int{}
	for name, b := range batchOf {
		perBatch[b]++
		if name != "ordinary" {
			last = max(last, b)
		}
	}
	if last <= first {
		t.Errorf("all urgent jobs committed by batch %d: the urgent queue was not saturated", last)
	}
	for b, n := range perBatch {
		if n > maxBatch {
			t.Errorf("batch %d has %d jobs, want at most %d", b, n, maxBatch)
		}
	}
}

// TestWALStaysBounded checks that the WAL file does not keep the size of a
// burst while the database stays open: the writer truncates it to
// journal_size_limit when it starts it over after a checkpoint, and a
// checkpoint past the size bound empties it although a reader held old
// frames for a while.
func TestWALStaysBounded(t *testing.T) {
	db := openInternal(t, Options{})
	var limit int64
	if err := db.write(context.Background(), func(ctx context.Context, tx *writeTx) error {
		return tx.QueryRowContext(ctx, `PRAGMA journal_size_limit`).Scan(&limit)
	}); err != nil {
		t.Fatal(err)
	}
	if limit != walSizeLimit {
		t.Fatalf("writer journal_size_limit = %d, want %d", limit, walSizeLimit)
	}
	// The same mechanism with small numbers, so the test writes little.
	const small, bound = 1 << 20, 4 << 20
	if _, err := db.wdb.Exec(fmt.Sprintf(`PRAGMA journal_size_limit = %d`, small)); err != nil {
		t.Fatal(err)
	}
	walSize := func() int64 {
		st, err := os.Stat(db.path + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		return st.Size()
	}
	blob := strings.Repeat("x", 256<<10)
	writeMany := func(round, n int) {
		for i := range n {
			if err := db.write(context.Background(), func(ctx context.Context, tx *writeTx) error {
				_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO settings (name, value) VALUES (?, ?)`,
					fmt.Sprintf("wal-%d", i%8), fmt.Sprintf("%d-", round)+blob)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
	}

	// A reader holds a snapshot: checkpoints cannot finish, the WAL grows.
	rtx, err := db.rdb.BeginTx(context.Background(), &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := rtx.QueryRow(`SELECT COUNT(*) FROM settings`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	for round := range 10 {
		writeMany(round, 4)
		db.checkpoint(bound)
	}
	grown := walSize()
	if grown <= bound {
		t.Fatalf("WAL is %d bytes with a reader holding it, want it to have grown past %d", grown, bound)
	}
	_ = rtx.Rollback()

	// The reader is gone: the next checkpoint empties the file, and from
	// then on it stays bounded however much is written.
	db.checkpoint(bound)
	if got := walSize(); got != 0 {
		t.Errorf("WAL is %d bytes after a checkpoint past the bound, want 0", got)
	}
	var largest int64
	for round := range 20 {
		writeMany(round, 4)
		largest = max(largest, walSize())
		db.checkpoint(bound)
	}
	if largest > bound+small {
		t.Errorf("WAL reached %d bytes while running, want at most %d", largest, bound+small)
	}
	t.Logf("WAL %d bytes while a reader held it, at most %d bytes in 20 rounds after, %d at the end", grown, largest, walSize())
	if got := walSize(); got > small+int64(len(blob))*8 {
		t.Errorf("WAL is %d bytes at the end, want about journal_size_limit (%d)", got, small)
	}
}
