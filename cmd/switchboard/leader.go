package main

import (
	"context"
	"github.com/switchboardhq/switchboard/internal/inbox"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/postgres"
	"github.com/switchboardhq/switchboard/internal/worker"
)

// leaseOf returns the store's leader lease: PostgreSQL's advisory lock,
// shared by every instance on the database, or, for a store only one
// instance may open (SQLite), a lease that is always held.
func leaseOf(store switchboard.Store) switchboard.Lease {
	if db, ok := store.(*postgres.DB); ok {
		return db.Lease()
	}
	return switchboard.SoleLease{}
}

// singletonJobs are the jobs that run on one instance only, the leader:
// running them on two at once would do the work twice (Meta's template
// lists, report rollups, the search index catch-up), write two backups,
// or race over the same deletions. The queue workers (webhook ingest,
// outbox sender, media fetcher, webhook sender) and the template syncs an
// administrator asked for run on every instance.
func (a *App) singletonJobs() []worker.Job {
	indexer := &worker.SearchIndexer{Store: a.Store, Logger: a.Logger}
	jobs := []worker.Job{
		{Name: "template sync", Run: a.Templates.RunScheduled},
		{Name: "event fan-out", Run: a.Fanout.Run},
		{Name: "session and key expiry", Run: func(ctx context.Context) error { return a.expireSessions(ctx, time.Hour) }},
		{Name: "retention", Run: func(ctx context.Context) error { return a.applyRetention(ctx, a.Config.RetentionInterval) }},
		{Name: "report rollups", Run: func(ctx context.Context) error { return a.refreshReports(ctx, time.Minute) }},
		{Name: "search index catch-up", Run: indexer.Run},
		{Name: "snooze wake-ups", Run: (&worker.Snoozes{Waker: a.Service, Logger: a.Logger}).Run},
		{Name: "routing re-offers", Run: func(ctx context.Context) error {
			return worker.Reoffer(ctx, a.System, inbox.ReofferInterval, a.Logger.With("worker", "routing"))
		}},
	}
	if a.Backups != nil {
		jobs = append(jobs, worker.Job{Name: "scheduled backups", Run: a.Backups.Run})
	}
	return jobs
}
