package backup

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/switchboardhq/switchboard/internal/metrics"
)

// flakyLocation fails its first uploads, like an unreachable bucket.
type flakyLocation struct {
	Location
	failures atomic.Int32
}

func (f *flakyLocation) Create(ctx context.Context, name string) (Upload, error) {
	if f.failures.Add(-1) >= 0 {
		return nil, errors.New("bucket unreachable")
	}
	return f.Location.Create(ctx, name)
}

// TestScheduler runs scheduled backups with short intervals: a failed
// backup is logged at error level, counted and retried; successes are
// recorded, published as metrics and pruned to Keep.
func TestScheduler(t *testing.T) {
	src := newSQLite(t, masterKey(t))
	populate(t, src, 1)
	loc := &flakyLocation{Location: &Dir{Path: t.TempDir()}}
	loc.failures.Store(2)
	var logs bytes.Buffer
	s := &Scheduler{Location: loc, Source: src.db, Key: backupKey(t), Blobs: src.blobs,
		Logger:   slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, nil)),
		Interval: 150 * time.Millisecond, RetryDelay: 20 * time.Millisecond, Keep: 2}
	reg := metrics.NewRegistry()
	s.RegisterMetrics(reg)
	ctx, cancel := context.WithCancel(bg())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		objs, err := loc.List(bg())
		must(t, err)
		if st := s.Status(); st.LastSuccessAt.After(time.Time{}) && len(objs) == 2 && st.Failures == 2 {
			time.Sleep(400 * time.Millisecond) // a few more rounds: still 2 kept
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("status %+v, %d backups", s.Status(), len(objs))
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	must(t, <-done)
	st := s.Status()
	objs, _ := loc.List(bg())
	if !st.Enabled || st.Failures != 2 || st.ConsecutiveFailures != 0 || st.LastError != "" || st.LastSize == 0 || len(objs) != 2 || st.LastName != objs[1].Name {
		t.Fatalf("status %+v, backups %+v", st, objs)
	}
	if !strings.Contains(logs.String(), "level=ERROR msg=\"BACKUP FAILED") || !strings.Contains(logs.String(), "bucket unreachable") {
		t.Fatalf("failure not logged at error level:\n%s", logs.String())
	}
	if got := testutil.ToFloat64(s.failures); got != 2 {
		t.Errorf("switchboard_backup_failures_total = %v, want 2", got)
	}
	for name, want := range map[string]float64{
		"switchboard_backup_last_size_bytes":                float64(st.LastSize),
		"switchboard_backup_last_success_timestamp_seconds": float64(st.LastSuccessAt.UnixMilli()) / 1000,
		"switchboard_backup_last_duration_seconds":          st.LastDuration.Seconds(),
	} {
		if got := gauge(t, reg, name); got != want || got <= 0 {
			t.Errorf("%s = %v, want %v (> 0)", name, got, want)
		}
	}
	// A restart waits for the interval after the newest backup.
	s2 := &Scheduler{Location: loc, Source: src.db, Key: s.Key, Interval: time.Hour}
	ctx, cancel = context.WithCancel(bg())
	go func() { done <- s2.Run(ctx) }()
	time.Sleep(100 * time.Millisecond)
	cancel()
	must(t, <-done)
	if st := s2.Status(); st.LastAttemptAt.After(time.Time{}) || st.NextAt.Before(time.Now().Add(50*time.Minute)) {
		t.Fatalf("restarted scheduler: %+v", st)
	}
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// gauge returns the value of the unlabelled gauge name in g.
func gauge(t *testing.T, g prometheus.Gatherer, name string) float64 {
	t.Helper()
	fams, err := g.Gather()
	must(t, err)
	for _, f := range fams {
		if f.GetName() == name && len(f.GetMetric()) == 1 {
			return f.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no gauge %s", name)
	return 0
}
