package worker

import (
	"context"
	"log/slog"
	"time"
)

// SearchIndexStore is what [SearchIndexer] needs of the store.
type SearchIndexStore interface {
	IndexMessages(ctx context.Context, limit int) (int, error)
}

// SearchIndexer fills the message search index for rows stored without
// entries: messages and notes from before the index existed (migration
// 0023) and rows loaded from a backup, which leaves the index out. New
// messages are indexed as they are stored; this only catches up. Each step
// is one short write of at most Batch rows, so ingest goes on between
// steps, and a restart resumes where it stopped.
type SearchIndexer struct {
	Store  SearchIndexStore
	Logger *slog.Logger
	// Batch is the rows per step (default 500); Every is the pause
	// between catch-up rounds once nothing is left (default 1 h).
	Batch int
	Every time.Duration
}

// Run indexes until ctx ends.
func (x *SearchIndexer) Run(ctx context.Context) error {
	batch, every := x.Batch, x.Every
	if batch <= 0 {
		batch = 500
	}
	if every <= 0 {
		every = time.Hour
	}
	for {
		total, err := x.RunOnce(ctx, batch)
		if err != nil && ctx.Err() == nil && x.Logger != nil {
			x.Logger.Error("message search indexing failed; retrying later", "err", err, "next_run_in", every)
		} else if total > 0 && x.Logger != nil {
			x.Logger.Info("message search index caught up", "rows", total)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(every):
		}
	}
}

// RunOnce indexes in steps of batch rows until nothing is left, and
// reports how many rows it indexed.
func (x *SearchIndexer) RunOnce(ctx context.Context, batch int) (int, error) {
	total := 0
	for ctx.Err() == nil {
		n, err := x.Store.IndexMessages(ctx, batch)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
	return total, ctx.Err()
}
