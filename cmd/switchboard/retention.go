package main

import (
	"context"
	"time"

	"github.com/switchboardhq/switchboard/internal/inbox"
	"github.com/switchboardhq/switchboard/internal/metrics"
)

// retentionMetrics report the retention job on /metrics.
type retentionMetrics struct {
	deleted     *metrics.CounterVec
	failures    *metrics.Counter
	lastSuccess *metrics.Gauge
}

func newRetentionMetrics(r *metrics.Registry) *retentionMetrics {
	return &retentionMetrics{
		deleted: r.Counter("switchboard_retention_deleted_total",
			"Rows and files the retention job deleted since start, by kind (messages, conversations, contacts, media).", "kind"),
		failures: r.Counter("switchboard_retention_failures_total",
			"Retention runs that failed in at least one channel since start.").With(),
		lastSuccess: r.Gauge("switchboard_retention_last_success_timestamp_seconds",
			"Unix time the retention job last completed in every channel; 0 before the first run.").With(),
	}
}

// applyRetention runs the retention job at start and then every interval:
// each channel with a retention period loses the messages and media older
// than it (docs/gdpr.md). A failure is logged and retried on the next run;
// what was deleted before it stays deleted and audited.
func (a *App) applyRetention(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := a.Service.ExpireUploads(ctx); err != nil && ctx.Err() == nil {
			a.Logger.Error("expiring unsent uploads failed; retrying at the next run", "err", err)
		} else if n > 0 {
			a.Logger.Info("deleted uploads that were never sent", "files", n, "older_than", inbox.UploadTTL)
		}
		results, err := a.Service.ApplyRetention(ctx)
		for _, r := range results {
			a.retention.deleted.With("messages").Add(float64(r.Messages))
			a.retention.deleted.With("conversations").Add(float64(r.Conversations))
			a.retention.deleted.With("contacts").Add(float64(r.Contacts))
			a.retention.deleted.With("media").Add(float64(r.MediaFiles))
			a.Logger.Info("retention: deleted expired data", "channel", r.ChannelID, "cutoff", r.Cutoff,
				"messages", r.Messages, "conversations", r.Conversations, "contacts", r.Contacts, "media_files", r.MediaFiles)
		}
		switch {
		case err != nil && ctx.Err() == nil:
			a.retention.failures.Inc()
			a.Logger.Error("retention job failed; retrying at the next run", "err", err, "next_run_in", every)
		case err == nil:
			a.retention.lastSuccess.Set(float64(time.Now().Unix())) // wall time, as Prometheus expects
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
