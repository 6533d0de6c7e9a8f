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
	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/inbox"
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

// startPostgresPair starts two instances on one new PostgreSQL schema with
// the same keys, as two replicas behind a load balancer, and returns them
// and the schema.
func startPostgresPair(t *testing.T, opts func(name string) func(*App)) (map[string]*testApp, string) {
	t.Helper()
	pgURL, schema := testPostgresSchema(t)
	keys := t.TempDir()
	env := map[string]string{
		"SWITCHBOARD_DATABASE_URL":    pgURL,
		"SWITCHBOARD_MASTER_KEY_FILE": filepath.Join(keys, "master.key"),
		"SWITCHBOARD_AUDIT_KEY_FILE":  filepath.Join(keys, "audit.key"),
	}
	apps := map[string]*testApp{}
	for _, name := range []string{"a", "b"} {
		var o []func(*App)
		if opts != nil {
			o = append(o, opts(name))
		}
		apps[name] = startApp(t, env, o...)
	}
	return apps, schema
}

func TestSingletonJobsRunOnOneInstanceAndMoveWhenTheLeaderDies(t *testing.T) {
	runs := &jobRuns{active: map[string]bool{}, starts: make(chan string, 8)}
	apps, schema := startPostgresPair(t, func(name string) func(*App) {
		return func(a *App) {
			a.SingletonOptions = func(s *worker.Singletons) { s.Jobs = append(s.Jobs, runs.job(name)) }
		}
	})
	pgURL := apps["a"].Config.DatabaseURL
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

// TestLoginThrottleIsSharedByInstances: failures counted on one instance
// lock the login on the other, so a guesser gains nothing by spreading
// attempts over the instances behind a load balancer.
func TestLoginThrottleIsSharedByInstances(t *testing.T) {
	apps, _ := startPostgresPair(t, nil)
	a, b := apps["a"], apps["b"]
	admin := a.setupAdmin()
	a.createUser(admin, "anna", "employee")
	ctx := context.Background()
	from := inbox.Client{IP: "203.0.113.66"}
	for i := range 5 {
		if _, _, err := a.Service.Login(ctx, "anna", "wrong wrong wrong", from); err == nil || (i < 4 && switchboard.ErrorCode(err) == switchboard.ERateLimited) {
			t.Fatalf("failure %d on a: %v", i+1, err)
		}
	}
	if _, _, err := b.Service.Login(ctx, "anna", testPassword, from); switchboard.ErrorCode(err) != switchboard.ERateLimited {
		t.Fatalf("right password on b after 5 failures on a = %v, want rate limited", err)
	}
	// Another address is not locked, on either instance, and its success
	// there forgets nothing of the locked one.
	if _, _, err := b.Service.Login(ctx, "anna", testPassword, inbox.Client{IP: "198.51.100.7"}); err != nil {
		t.Fatalf("owner from their own address on b: %v", err)
	}
	if _, _, err := a.Service.Login(ctx, "anna", testPassword, from); switchboard.ErrorCode(err) != switchboard.ERateLimited {
		t.Fatalf("locked address on a after the owner's success = %v, want rate limited", err)
	}
}

// TestSecondFactorChallengeIsSharedByInstances: the second step of a
// sign-in whose password step went to one instance is finished on the
// other, once, so instances need no sticky sessions.
func TestSecondFactorChallengeIsSharedByInstances(t *testing.T) {
	apps, _ := startPostgresPair(t, nil)
	a, b := apps["a"], apps["b"]
	admin := a.setupAdmin()
	erin, _ := a.createUser(admin, "erin", "operator")
	secret, codes := enrolOverHTTP(t, erin)
	creds := map[string]string{"login": "erin", "password": testPassword}

	var ch challengeResp
	a.client("").must(200, "POST", "/api/v1/session", creds, &ch)
	if !ch.SecondFactorRequired || ch.Challenge == "" {
		t.Fatalf("first step on a = %+v, want a challenge", ch)
	}
	var sess struct{ Token string }
	b.client("").must(201, "POST", "/api/v1/session/second-factor",
		map[string]string{"challenge": ch.Challenge, "code": totpCode(t, secret, time.Now(), 1)}, &sess)
	a.client(sess.Token).must(200, "GET", "/api/v1/me", nil, nil)
	// Spent on both instances, even with a right answer.
	for name, app := range apps {
		if got, body := app.client("").do("POST", "/api/v1/session/second-factor", map[string]string{"challenge": ch.Challenge, "code": codes[0]}); got != 401 {
			t.Fatalf("spent challenge on %s = %d %s, want 401", name, got, body)
		}
	}
}

// TestSetupLinksAndIdempotencyKeysAreSharedByInstances: every instance
// that starts without users prints a link that works on any of them,
// until the setup completes; a message retried with its Idempotency-Key
// on the other instance is the same message, sent once.
func TestSetupLinksAndIdempotencyKeysAreSharedByInstances(t *testing.T) {
	apps, _ := startPostgresPair(t, nil)
	a, b := apps["a"], apps["b"]
	if a.SetupURL == "" || b.SetupURL == "" || a.SetupURL == b.SetupURL {
		t.Fatalf("setup links %q and %q, want one each", a.SetupURL, b.SetupURL)
	}
	// b's link, used on a.
	_, bToken, _ := strings.Cut(b.SetupURL, "#token=")
	var resp struct{ Token string }
	a.client("").must(201, "POST", "/api/v1/setup", map[string]string{
		"token": bToken, "login": "admin", "name": "Ada Admin", "password": testPassword,
	}, &resp)
	// a's link is over with the setup.
	_, aToken, _ := strings.Cut(a.SetupURL, "#token=")
	if code, _ := b.client("").do("POST", "/api/v1/setup", map[string]string{
		"token": aToken, "login": "eve", "name": "Eve", "password": testPassword,
	}); code == 201 {
		t.Fatal("the other instance's setup link still worked after the setup")
	}

	onA, onB := a.client(resp.Token), b.client(resp.Token)
	ch := a.channel("Berlin")
	conv := a.customerWrites(ch.ID, "4915100000401", "Erste", "hallo")
	onA.header.Set("Idempotency-Key", "retry-across")
	onB.header.Set("Idempotency-Key", "retry-across")
	var first, retried struct{ ID string }
	onA.must(202, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]string{"type": "text", "text": "once"}, &first)
	onB.must(202, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]string{"type": "text", "text": "once"}, &retried)
	if first.ID == "" || retried.ID != first.ID {
		t.Fatalf("retry on the other instance = %q, want the first message %q", retried.ID, first.ID)
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
