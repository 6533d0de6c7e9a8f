package worker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/postgres"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

// openPostgres opens a fresh PostgreSQL store in a schema of its own in
// SWITCHBOARD_TEST_POSTGRES_URL's database, which must be reachable.
func openPostgres(t *testing.T) *postgres.DB {
	t.Helper()
	ctx := context.Background()
	url := os.Getenv("SWITCHBOARD_TEST_POSTGRES_URL")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("PostgreSQL at %s is unreachable: %v; start it or set SWITCHBOARD_TEST_POSTGRES_URL", url, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "sbpace_" + hex.EncodeToString(b)
	db, err := postgres.Open(ctx, url, postgres.Options{Master: storetest.MasterKey(t), Migrate: true, Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		if _, err := conn.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		conn.Close(context.Background())
	})
	return db
}

// sendLog records when each send went, on the test's clock.
type sendLog struct {
	mu    sync.Mutex
	times map[string][]time.Time // by sender
}

func (l *sendLog) add(sender string, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.times[sender] = append(l.times[sender], at)
}

// maxInWindow is the most sends any window of length d holds.
func maxInWindow(times []time.Time, d time.Duration) int {
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	most, j := 0, 0
	for i := range times {
		for times[i].Sub(times[j]) >= d {
			j++
		}
		most = max(most, i-j+1)
	}
	return most
}

// TestSharedPacingAcrossInstances: two senders (two instances, 16 workers
// each) on one PostgreSQL store, with a backlog queued at one instant,
// together send no more in any second than Meta allows the channel (80/s,
// 20/s for a coexistence number), where each pacing alone in memory would
// let both send the full rate. The clock is the test's: Now stands still
// and Sleep records the moment a send would go.
func TestSharedPacingAcrossInstances(t *testing.T) {
	db := openPostgres(t)
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		ch    *switchboard.Channel
		limit int
	}{
		{&switchboard.Channel{ID: "shared-plain"}, 80},
		{&switchboard.Channel{ID: "shared-coex", Coexistence: true}, switchboard.CoexistenceMPS},
	} {
		t.Run(tc.ch.ID, func(t *testing.T) {
			log := &sendLog{times: map[string][]time.Time{}}
			senders := map[string]*Sender{}
			for _, name := range []string{"a", "b"} {
				s := &Sender{Rate: 80, Slots: db, Now: func() time.Time { return t0 }}
				s.Sleep = func(ctx context.Context, d time.Duration) error {
					log.add(name, t0.Add(d))
					return nil
				}
				s.init()
				senders[name] = s
			}
			const perWorker = 10
			var wg sync.WaitGroup
			for _, s := range senders {
				for range s.Workers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for range perWorker {
							if err := s.pace(context.Background(), tc.ch); err != nil {
								t.Error(err)
								return
							}
						}
					}()
				}
			}
			wg.Wait()
			var all []time.Time
			for name, s := range senders {
				// The first slot goes at once, without a Sleep.
				if n := len(log.times[name]); n == 0 || n > s.Workers*perWorker {
					t.Errorf("sender %s waited %d times", name, n)
				}
				all = append(all, log.times[name]...)
			}
			total := 2 * 16 * perWorker
			if len(all) != total-1 {
				t.Fatalf("%d sends waited, want %d (all but the first)", len(all), total-1)
			}
			all = append(all, t0)
			if got := maxInWindow(all, time.Second); got > tc.limit {
				t.Errorf("%d sends in one second, Meta allows %d", got, tc.limit)
			}
			// Each pacing alone, in memory, would let the two together
			// send twice the limit.
			alone := 0
			for range 2 {
				s := &Sender{Rate: 80}
				s.init()
				alone += sendsWithin(s, tc.ch, t0, time.Second, 500)
			}
			if alone <= tc.limit {
				t.Errorf("in memory, two senders sent %d in one second; the test shows nothing", alone)
			}
			// And the pace is used, not wasted: 99 % of the limit.
			slices.SortFunc(all, func(a, b time.Time) int { return a.Compare(b) })
			span := all[len(all)-1].Sub(all[0]).Seconds()
			if rate := float64(len(all)-1) / span; rate < 0.98*float64(tc.limit) || rate > float64(tc.limit) {
				t.Errorf("together %.2f sends/s, want 99 %% of %d", rate, tc.limit)
			}
		})
	}
}
