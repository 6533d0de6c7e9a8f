package backup

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/switchboardhq/switchboard"
)

// Defaults of the scheduler.
const (
	DefaultInterval   = time.Hour
	DefaultKeep       = 48
	DefaultRetryDelay = 5 * time.Minute
)

// Scheduler makes a backup every Interval while the server runs, keeps the
// newest Keep, and retries a failed backup after RetryDelay (doubling up to
// Interval). Location, Source and Key are required.
type Scheduler struct {
	Location Location
	Source   Source
	Key      *Key
	Blobs    switchboard.BlobStore
	Version  string
	Logger   *slog.Logger

	Interval   time.Duration // 0 means DefaultInterval
	Keep       int           // 0 means DefaultKeep
	RetryDelay time.Duration // 0 means DefaultRetryDelay
	// AfterBackup, when set, runs after each successful backup; serve uses
	// it to copy the erasure register beside the backups. Its error is
	// logged, not counted as a failed backup.
	AfterBackup func(ctx context.Context) error

	mu       sync.Mutex
	status   Status
	failures prometheus.Counter
}

// Status is the result of the scheduled backups, for /readyz, /metrics and
// the admin API.
type Status struct {
	Enabled       bool          `json:"enabled"`
	Location      string        `json:"location,omitempty"`
	Running       bool          `json:"running"`
	LastAttemptAt time.Time     `json:"last_attempt_at,omitzero"`
	LastSuccessAt time.Time     `json:"last_success_at,omitzero"`
	LastName      string        `json:"last_name,omitempty"`
	LastSize      int64         `json:"last_size_bytes"`
	LastDuration  time.Duration `json:"-"`
	// LastDurationSeconds is LastDuration for JSON.
	LastDurationSeconds float64 `json:"last_duration_seconds"`
	LastError           string  `json:"last_error,omitempty"`
	// Failures counts failed backups since the start; ConsecutiveFailures
	// since the last success.
	Failures            int64     `json:"failures"`
	ConsecutiveFailures int       `json:"consecutive_failures"`
	NextAt              time.Time `json:"next_at,omitzero"`
}

// Status returns the current status.
func (s *Scheduler) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.status
	st.Enabled = true
	st.Location = s.Location.String()
	st.LastDurationSeconds = st.LastDuration.Seconds()
	return st
}

// RegisterMetrics publishes the status on r.
func (s *Scheduler) RegisterMetrics(r prometheus.Registerer) {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "switchboard_backup_failures_total", Help: "Scheduled backups that failed."})
	r.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "switchboard_backup_last_success_timestamp_seconds",
			Help: "Unix time of the last successful scheduled backup (0 before the first).",
		}, func() float64 {
			if t := s.Status().LastSuccessAt; !t.IsZero() {
				return float64(t.UnixMilli()) / 1000
			}
			return 0
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "switchboard_backup_last_duration_seconds", Help: "How long the last successful scheduled backup took.",
		}, func() float64 { return s.Status().LastDuration.Seconds() }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "switchboard_backup_last_size_bytes", Help: "Size of the last successful scheduled backup.",
		}, func() float64 { return float64(s.Status().LastSize) }),
		c,
	)
	s.mu.Lock()
	s.failures = c
	s.mu.Unlock()
}

func (s *Scheduler) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// Run makes backups until ctx ends. The first one is due Interval after
// the newest backup already in the location (at once if there is none), so
// restarts do not add backups.
func (s *Scheduler) Run(ctx context.Context) error {
	interval, retry := s.Interval, s.RetryDelay
	if interval <= 0 {
		interval = DefaultInterval
	}
	if retry <= 0 {
		retry = DefaultRetryDelay
	}
	log := s.logger()
	next := time.Now()
	if objs, err := s.Location.List(ctx); err != nil {
		log.Error("BACKUP: cannot list the backup location; backing up now", "location", s.Location.String(), "err", err)
	} else if len(objs) > 0 {
		if due := objs[len(objs)-1].Time.Add(interval); due.After(next) {
			next = due
		}
	}
	delay := retry
	for {
		s.mu.Lock()
		s.status.NextAt = next
		s.mu.Unlock()
		t := time.NewTimer(time.Until(next))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		if err := s.RunOnce(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			wait := min(delay, interval)
			log.Error("BACKUP FAILED: the data since the last good backup is not protected; retrying",
				"location", s.Location.String(), "retry_in", wait, "err", err)
			next = time.Now().Add(wait)
			delay *= 2
			continue
		}
		delay = retry
		next = time.Now().Add(interval)
	}
}

// RunOnce makes one backup now, prunes old ones after a success, and
// records the result.
func (s *Scheduler) RunOnce(ctx context.Context) error {
	keep := s.Keep
	if keep <= 0 {
		keep = DefaultKeep
	}
	start := time.Now()
	s.mu.Lock()
	s.status.Running, s.status.LastAttemptAt = true, start.UTC()
	s.mu.Unlock()
	_, obj, err := Write(ctx, s.Location, s.Source, s.Key, CreateOptions{Blobs: s.Blobs, Version: s.Version})
	took := time.Since(start)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status.Running = false
	if err != nil && ctx.Err() != nil {
		return err // shutting down: not a failed backup
	}
	if err != nil {
		s.status.Failures++
		s.status.ConsecutiveFailures++
		s.status.LastError = err.Error()
		if s.failures != nil {
			s.failures.Inc()
		}
		return err
	}
	s.status.LastSuccessAt, s.status.LastName, s.status.LastSize, s.status.LastDuration = start.UTC(), obj.Name, obj.Size, took
	s.status.LastError, s.status.ConsecutiveFailures = "", 0
	s.logger().Info("backup made", "location", s.Location.String(), "name", obj.Name, "bytes", obj.Size, "took", took.Round(time.Millisecond))
	s.mu.Unlock()
	if s.AfterBackup != nil {
		if err := s.AfterBackup(ctx); err != nil {
			s.logger().Error("after backup", "location", s.Location.String(), "err", err)
		}
	}
	deleted, perr := Prune(ctx, s.Location, keep)
	s.mu.Lock()
	if perr != nil {
		s.logger().Warn("pruning old backups failed", "location", s.Location.String(), "err", perr)
	} else if len(deleted) > 0 {
		s.logger().Info("pruned old backups", "deleted", len(deleted), "keep", keep)
	}
	return nil
}
