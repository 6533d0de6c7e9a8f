package main

import (
	"context"
	"errors"
	"hash/fnv"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/switchboardhq/switchboard/internal/postgres"
	"github.com/switchboardhq/switchboard/internal/sqlite"
	"github.com/switchboardhq/switchboard/internal/worker"
)

// jobRuns records the runs of a singleton job on several instances and
// counts the moments two ran it at once.
type jobRuns struct {
	mu      sync.Mutex
	active  map[string]bool
	overlap int
	starts  chan string
}

func (r *jobRuns) job(instance string) worker.Job {
	return worker.Job{Name: "recorded", Run: func(ctx context.Context) error {
		r.mu.Lock()
		for other, on := range r.active {
			if on && other != instance {
				r.overlap++
			}
		}
		r.active[instance] = true
		r.mu.Unlock()
		r.starts <- instance
		<-ctx.Done()
		r.mu.Lock()
		r.active[instance] = false
		r.mu.Unlock()
		return nil
	}}
}

func (r *jobRuns) overlaps() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.overlap
}

func TestSingletonJobsRunOnOneInstanceAndMoveWhenTheLeaderDies(t *testing.T) {
	pgURL, schema := testPostgresSchema(t)
	keys := t.TempDir()
	env := map[string]string{
		"SWITCHBOARD_DATABASE_URL":    pgURL,
		"SWITCHBOARD_MASTER_KEY_FILE": filepath.Join(keys, "master.key"),
		"SWITCHBOARD_AUDIT_KEY_FILE":  filepath.Join(keys, "audit.key"),
	}
	runs := &jobRuns{active: map[string]bool{}, starts: make(chan string, 8)}
	apps := map[string]*testApp{}
	for _, name := range []string{"a", "b"} {
		apps[name] = startApp(t, env, func(a *App) {
			a.SingletonOptions = func(s *worker.Singletons) { s.Jobs = append(s.Jobs, runs.job(name)) }
		})
	}
	var first string
	select {
	case first = <-runs.starts:
	case <-time.After(30 * time.Second):
		t.Fatal("no instance started the singleton jobs")
	}
	other := map[string]string{"a": "b", "b": "a"}[first]
	if !apps[first].Singletons.Leader() || apps[other].Singletons.Leader() {
		t.Fatalf("leader flags: %s=%v %s=%v, want only %s", first, apps[first].Singletons.Leader(), other, apps[other].Singletons.Leader(), first)
	}

	// The leader's lease connection dies, as when its process is killed
	// or its network is cut; its jobs stop and the other instance leads.
	h := fnv.New64a()
	h.Write([]byte("switchboard:leader:" + schema))
	key := int64(h.Sum64())
	conn, err := pgx.Connect(context.Background(), pgURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	tag, err := conn.Exec(context.Background(), `SELECT pg_terminate_backend(a.pid) FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
		WHERE a.application_name = $1 AND l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
		AND ((l.classid::bigint << 32) | l.objid::bigint) = $2`, postgres.LeaseApplicationName, key)
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("terminate the leader's lease connection: %v, %d rows", err, tag.RowsAffected())
	}
	select {
	case next := <-runs.starts:
		if next != other {
			t.Fatalf("%s started the jobs again, want %s to take over", next, other)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no take-over within 10 s")
	}
	if n := runs.overlaps(); n != 0 {
		t.Fatalf("the singleton job ran on two instances at once %d times", n)
	}
	if apps[first].Singletons.Leader() || !apps[other].Singletons.Leader() {
		t.Fatalf("after the take-over: %s=%v %s=%v, want only %s", first, apps[first].Singletons.Leader(), other, apps[other].Singletons.Leader(), other)
	}
	code, body := apps[other].client("").do("GET", "/metrics", nil)
	if code != 200 || !containsLine(string(body), "switchboard_leader 1") {
		t.Fatalf("the new leader's /metrics does not show switchboard_leader 1 (%d)", code)
	}
}

// containsLine reports whether text has line as one of its lines.
func containsLine(text, line string) bool {
	for _, l := range strings.Split(text, "\n") {
		if l == line {
			return true
		}
	}
	return false
}

func TestSecondServeOnTheSameSQLiteFileIsRefused(t *testing.T) {
	first := startApp(t, nil)
	second := &App{Config: first.Config, Logger: first.Logger, Stdout: io.Discard}
	err := second.Open(context.Background())
	second.Close()
	if !errors.Is(err, sqlite.ErrInstanceRunning) || !strings.Contains(err.Error(), first.Config.SQLitePath()) {
		t.Fatalf("second serve on %s: %v, want ErrInstanceRunning naming the file", first.Config.SQLitePath(), err)
	}
}
