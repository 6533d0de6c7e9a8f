package metrics

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// scrape returns what GET /metrics serves for g, in the text format.
func scrape(t testing.TB, g prometheus.Gatherer) string {
	t.Helper()
	rec := httptest.NewRecorder()
	Handler(g, nil).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics = %d %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// TestNewRegistryHasGoAndProcessCollectors: the process metrics
// docs/deploy.md documents are there without registering anything else.
func TestNewRegistryHasGoAndProcessCollectors(t *testing.T) {
	out := scrape(t, NewRegistry())
	for _, name := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "go_gc_duration_seconds",
		"process_start_time_seconds", "process_cpu_seconds_total", "process_resident_memory_bytes"} {
		if !strings.Contains(out, "\n# TYPE "+name+" ") {
			t.Errorf("no %s in\n%.2000s", name, out)
		}
	}
}

// TestRegistriesAreSeparate: each registry is its own, so two Apps in one
// test binary can define the same metric, and nothing lands on the global
// default registry.
func TestRegistriesAreSeparate(t *testing.T) {
	a, b := NewRegistry(), NewRegistry()
	ca := promauto.With(a).NewCounter(prometheus.CounterOpts{Name: "switchboard_test_events_total", Help: "Test."})
	cb := promauto.With(b).NewCounter(prometheus.CounterOpts{Name: "switchboard_test_events_total", Help: "Test."})
	ca.Inc()
	ca.Inc()
	cb.Inc()
	if got, want := testutil.ToFloat64(ca), 2.0; got != want {
		t.Errorf("a = %v, want %v", got, want)
	}
	if got, want := testutil.ToFloat64(cb), 1.0; got != want {
		t.Errorf("b = %v, want %v", got, want)
	}
	fams, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() == "switchboard_test_events_total" {
			t.Fatal("the metric reached the default registry")
		}
	}
}

// failing is a collector whose scrape fails, like a process collector that
// cannot read /proc.
type failing struct{ desc *prometheus.Desc }

func (f failing) Describe(ch chan<- *prometheus.Desc) { ch <- f.desc }
func (f failing) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.NewInvalidMetric(f.desc, errors.New("cannot read"))
}

// TestHandlerServesTheRestWhenACollectorFails: a broken collector is logged
// and left out; the other metrics are still served.
func TestHandlerServesTheRestWhenACollectorFails(t *testing.T) {
	r := NewRegistry()
	c := promauto.With(r).NewCounter(prometheus.CounterOpts{Name: "c_total", Help: "C."})
	c.Inc()
	r.MustRegister(failing{prometheus.NewDesc("broken", "Broken.", nil, nil)})
	var logs bytes.Buffer
	rec := httptest.NewRecorder()
	Handler(r, slog.New(slog.NewTextHandler(&logs, nil))).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "\nc_total 1\n") || strings.Contains(rec.Body.String(), "broken") {
		t.Errorf("GET /metrics = %d\n%s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type = %q", ct)
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "cannot read") {
		t.Errorf("collector error not logged at warning level: %q", logs.String())
	}
}

func BenchmarkCounterInc(b *testing.B) {
	c := promauto.With(NewRegistry()).NewCounter(prometheus.CounterOpts{Name: "c_total", Help: "C."})
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Inc()
		}
	})
}

func BenchmarkCounterVecWith(b *testing.B) {
	cv := promauto.With(NewRegistry()).NewCounterVec(prometheus.CounterOpts{Name: "c_total", Help: "C."}, []string{"route", "method", "code"})
	cv.WithLabelValues("GET /items/{id}", "GET", "200")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			cv.WithLabelValues("GET /items/{id}", "GET", "200").Inc()
		}
	})
}

func BenchmarkScrape(b *testing.B) {
	r := NewRegistry()
	h := promauto.With(r).NewHistogramVec(prometheus.HistogramOpts{Name: "lat", Help: "L."}, []string{"route", "method", "code"})
	for _, route := range []string{"GET /a", "GET /b", "POST /c", "GET /d/{id}"} {
		h.WithLabelValues(route, "get", "200").Observe(0.01)
	}
	hd := Handler(r, nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		hd.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		_, _ = io.Copy(io.Discard, rec.Body)
	}
}
