package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/internal/postgres"
	"github.com/switchboardhq/switchboard/internal/seal"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

// takeover is the bound the issue sets on a take-over after the leader
// is gone.
const takeover = 10 * time.Second

// openTwin opens a second store on schema, as a second instance would.
func openTwin(t *testing.T, mk *seal.MasterKey, schema string) *postgres.DB {
	t.Helper()
	twin, err := postgres.Open(context.Background(), testURL(), postgres.Options{Master: mk, Migrate: true, Schema: schema, AuditKey: storetest.AuditKey})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { twin.Close() })
	return twin
}

// leaseHolders returns the backends that hold l's advisory lock.
func leaseHolders(t *testing.T, l *postgres.Lease) []int32 {
	t.Helper()
	rows, err := connect(t).Query(context.Background(), `SELECT pid FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = $1`, postgres.LeaseKey(l))
	if err != nil {
		t.Fatal(err)
	}
	var pids []int32
	for rows.Next() {
		var pid int32
		if err := rows.Scan(&pid); err != nil {
			t.Fatal(err)
		}
		pids = append(pids, pid)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return pids
}

type acquired struct {
	held    context.Context
	release func()
	err     error
}

func acquire(ctx context.Context, l *postgres.Lease) <-chan acquired {
	c := make(chan acquired, 1)
	go func() {
		held, release, err := l.Acquire(ctx)
		c <- acquired{held, release, err}
	}()
	return c
}

func waitAcquired(t *testing.T, c <-chan acquired) acquired {
	t.Helper()
	select {
	case a := <-c:
		if a.err != nil {
			t.Fatalf("acquire: %v", a.err)
		}
		return a
	case <-time.After(takeover):
		t.Fatalf("the lease was not taken over within %v", takeover)
		return acquired{}
	}
}

func TestLeaseOneHolderTakesOverWhenTheLeadersConnectionDies(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mk := testMasterKey(t)
	db, schema := mustOpenSchema(t, mk, nil)
	twin := openTwin(t, mk, schema)
	a, b := db.Lease(), twin.Lease()

	first := waitAcquired(t, acquire(ctx, a))
	second := acquire(ctx, b)
	// b is trying now, on its own connection; the lock has one holder.
	if pids := leaseHolders(t, a); len(pids) != 1 {
		t.Fatalf("lease holders = %v, want exactly one", pids)
	}
	pid := leaseHolders(t, a)[0]
	if _, err := connect(t).Exec(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	next := waitAcquired(t, second)
	defer next.release()
	// The old holder saw its connection die before the new one reported
	// the lease held: the two never lead at once.
	if first.held.Err() == nil {
		t.Fatal("the new holder leads while the old one still believes it does")
	}
	if cause := context.Cause(first.held); !strings.Contains(cause.Error(), "leader lease lost") {
		t.Fatalf("cause = %v, want the lost lease", cause)
	}
	first.release()
	if next.held.Err() != nil {
		t.Fatalf("the new holder's lease ended: %v", context.Cause(next.held))
	}
	if pids := leaseHolders(t, b); len(pids) != 1 || pids[0] == pid {
		t.Fatalf("lease holders = %v, want one other than the terminated %d", pids, pid)
	}
}

func TestLeaseReleaseHandsOver(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mk := testMasterKey(t)
	db, schema := mustOpenSchema(t, mk, nil)
	twin := openTwin(t, mk, schema)
	a, b := db.Lease(), twin.Lease()

	first := waitAcquired(t, acquire(ctx, a))
	second := acquire(ctx, b)
	first.release()
	first.release() // twice is harmless
	if first.held.Err() == nil {
		t.Fatal("the lease is still held after its release")
	}
	next := waitAcquired(t, second)
	// A lease given up can be taken again once the other lets go.
	again := acquire(ctx, a)
	next.release()
	waitAcquired(t, again).release()
}

func TestLeaseAcquireEndsWithItsContext(t *testing.T) {
	mk := testMasterKey(t)
	db, schema := mustOpenSchema(t, mk, nil)
	twin := openTwin(t, mk, schema)
	first := waitAcquired(t, acquire(context.Background(), db.Lease()))
	defer first.release()
	ctx, cancel := context.WithCancel(context.Background())
	waiting := acquire(ctx, twin.Lease())
	cancel()
	if got := <-waiting; !errors.Is(got.err, context.Canceled) {
		t.Fatalf("acquire after cancel = %v, want context.Canceled", got.err)
	}
	if first.held.Err() != nil {
		t.Fatal("the holder lost its lease to a cancelled contender")
	}
}
