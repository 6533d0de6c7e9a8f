package main

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/switchboardhq/switchboard/internal/inbox"
)

// retentionMetrics report the retention job on /metrics.
type retentionMetrics struct {
	deleted     *prometheus.CounterVec
	failures    prometheus.Counter
	lastSuccess prometheus.Gauge
}

func newRetentionMetrics(r prometheus.Registerer) *retentionMetrics {
	reg := promauto.With(r)
	return &retentionMetrics{
		deleted: reg.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_retention_deleted_total",
			Help: "Rows and files the retention job deleted since start, by kind (messages, conversations, contacts, media).",
		}, []string{"kind"}),
		failures: reg.NewCounter(prometheus.CounterOpts{
			Name: "switchboard_retention_failures_total",
			Help: "Retention runs that failed in at least one channel since start.",
		}),
		lastSuccess: reg.NewGauge(prometheus.GaugeOpts{
			Name: "switchboard_retention_last_success_timestamp_seconds",
			Help: "Unix time the retention job last completed in every channel; 0 before the first run.",
		}),
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
		if n, err := a.System.ExpireUploads(ctx); err != nil && ctx.Err() == nil {
			a.Logger.Error("expiring unsent uploads failed; retrying at the next run", "err", err)
		} else if n > 0 {
			a.Logger.Info("deleted uploads that were never sent", "files", n, "older_than", inbox.UploadTTL)
		}
		results, err := a.System.ApplyRetention(ctx)
		for _, r := range results {
			a.retention.deleted.WithLabelValues("messages").Add(float64(r.Messages))
			a.retention.deleted.WithLabelValues("conversations").Add(float64(r.Conversations))
			a.retention.deleted.WithLabelValues("contacts").Add(float64(r.Contacts))
			a.retention.deleted.WithLabelValues("media").Add(float64(r.MediaFiles))
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
