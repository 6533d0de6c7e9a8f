package worker

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboardhq/switchboard"
)

// Job is one singleton job: it runs until ctx ends.
type Job struct {
	Name string
	Run  func(ctx context.Context) error
}

// Singletons runs the jobs that must run on exactly one of the instances
// that share a database (template sync, retention, pruning, backups, …)
// while this instance holds Lease: it waits for the lease, starts every
// job under it, and when the lease is lost stops them all (their context
// ends), waits until they have returned, gives the lease back and waits
// for it again. Queue workers do not need it: they share their queues by
// row locks on every instance.
type Singletons struct {
	Lease  switchboard.Lease
	Jobs   []Job
	Logger *slog.Logger
	// Retry is the pause after a failed Acquire (default 1 s).
	Retry time.Duration

	leader atomic.Bool
}

// Leader reports whether this instance holds the lease now.
func (s *Singletons) Leader() bool { return s.leader.Load() }

// Run leads whenever it can until ctx ends.
func (s *Singletons) Run(ctx context.Context) error {
	log := s.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	retry := s.Retry
	if retry <= 0 {
		retry = time.Second
	}
	jobs := s.Jobs
	for ctx.Err() == nil {
		held, release, err := s.Lease.Acquire(ctx)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			log.Warn("leader lease not acquired; retrying", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(retry):
			}
			continue
		}
		s.leader.Store(true)
		log.Info("leading: running the singleton jobs", "jobs", len(jobs))
		var wg sync.WaitGroup
		for _, j := range jobs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := j.Run(held); err != nil && held.Err() == nil {
					log.Error("singleton job stopped", "job", j.Name, "err", err)
				}
			}()
		}
		<-held.Done()
		wg.Wait()
		s.leader.Store(false)
		release()
		if ctx.Err() == nil {
			log.Warn("leader lease lost: singleton jobs stopped; waiting to lead again", "cause", context.Cause(held))
		}
	}
	return nil
}
