package main

import (
	"context"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"

	"github.com/switchboardhq/switchboard"
)

// family returns the metric family name from the app's registry, or nil.
func family(t *testing.T, app *testApp, name string) *dto.MetricFamily {
	t.Helper()
	fams, err := app.Metrics.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() == name {
			return f
		}
	}
	return nil
}

// TestMetricsFollowConventions: every Switchboard metric passes
// client_golang's promlint (counters end in _total and only counters do,
// units in base units, help text present), and the figures that only grow
// are counters, not gauges (docs/deploy.md, renamed metrics).
func TestMetricsFollowConventions(t *testing.T) {
	app := startApp(t, map[string]string{"SWITCHBOARD_BACKUP_TO": t.TempDir()})
	anon := app.client("")
	anon.must(200, "GET", "/healthz", nil, nil)
	// An unsigned webhook is refused and counted, so the vector has a
	// series to check.
	if got, _ := anon.do("POST", "/webhooks/whatsapp", "{}"); got != 401 {
		t.Fatalf("unsigned webhook = %d, want 401", got)
	}
	fams, err := app.Metrics.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var ours []*dto.MetricFamily
	for _, f := range fams {
		if strings.HasPrefix(f.GetName(), "switchboard_") {
			ours = append(ours, f)
		}
	}
	// Vectors appear once they have a series: send outcomes and retention
	// deletions are not here yet (their own tests scrape them).
	if len(ours) < 18 {
		t.Fatalf("only %d switchboard_ families registered", len(ours))
	}
	problems, err := promlint.NewWithMetricFamilies(ours).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Metric, p.Text)
	}
	for _, name := range []string{"switchboard_realtime_events_published_total", "switchboard_realtime_slow_disconnects_total",
		"switchboard_db_wait_count_total", "switchboard_webhooks_rejected_total",
		"switchboard_retention_failures_total", "switchboard_backup_failures_total"} {
		if f := family(t, app, name); f == nil || f.GetType() != dto.MetricType_COUNTER {
			t.Errorf("%s is not a counter: %v", name, f)
		}
	}
	if f := family(t, app, "switchboard_build_info"); f == nil || len(f.GetMetric()) != 1 ||
		len(f.GetMetric()[0].GetLabel()) != 1 || f.GetMetric()[0].GetLabel()[0].GetValue() != Version() || f.GetMetric()[0].GetGauge().GetValue() != 1 {
		t.Errorf("switchboard_build_info = %v, want version=%q 1", f, Version())
	}
	for _, old := range []string{"switchboard_realtime_events_published", "switchboard_realtime_slow_disconnects", "switchboard_db_wait_count"} {
		if family(t, app, old) != nil {
			t.Errorf("%s is still exposed under its old name", old)
		}
	}
}

// TestRealtimeEventsCounter: the published-events counter moves with each
// event the hub publishes.
func TestRealtimeEventsCounter(t *testing.T) {
	app := startApp(t, nil)
	value := func() float64 {
		t.Helper()
		f := family(t, app, "switchboard_realtime_events_published_total")
		if f == nil || len(f.GetMetric()) != 1 {
			t.Fatalf("switchboard_realtime_events_published_total: %v", f)
		}
		return f.GetMetric()[0].GetCounter().GetValue()
	}
	before := value()
	for range 3 {
		app.Hub.Publish(context.Background(), switchboard.Event{Type: switchboard.EventConversationUpdated, ConversationID: "c1", ChannelID: "ch1"})
	}
	if got, want := value(), before+3; got != want {
		t.Errorf("after 3 events: %v, want %v", got, want)
	}
	if n := testutil.CollectAndCount(app.Metrics, "switchboard_realtime_events_published_total"); n != 1 {
		t.Errorf("%d series, want 1", n)
	}
}
