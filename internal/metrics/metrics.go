// Package metrics is Switchboard's Prometheus plumbing on client_golang: a
// registry of its own with the Go and process collectors, the scrape
// handler, and the HTTP latency middleware.
//
// There is no global registry: [NewRegistry] is called once in main (and in
// tests) and the result passed to whatever defines metrics, which registers
// them with [prometheus.Registerer.MustRegister] or promauto.With(r). The
// metric definitions live beside the code that moves them.
package metrics

import (
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// NewRegistry returns an empty registry with the Go runtime collector
// (go_goroutines, go_memstats_*, go_gc_*, ...) and the process collector
// (process_start_time_seconds, process_cpu_seconds_total,
// process_resident_memory_bytes, ...) registered. It never touches
// prometheus.DefaultRegisterer, so two Apps in one test binary do not
// collide.
func NewRegistry() *prometheus.Registry {
	r := prometheus.NewRegistry()
	r.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return r
}

// Handler serves g's metrics for GET /metrics, in the text format or
// OpenMetrics as the scraper asks. A collector that fails is logged on log
// at warning level and left out; the other metrics are still served, so
// one broken figure does not blind the whole dashboard. log may be nil.
func Handler(g prometheus.Gatherer, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		ErrorHandling: promhttp.ContinueOnError,
	})
}

// Middleware returns a handler that calls next and observes the time it
// took, in seconds, on h under the labels route, method and code; it
// panics if h has other label names. It is
// promhttp.InstrumentHandlerDuration with the route label added.
//
// route maps a request to a low-cardinality route label; it is called after
// next returns, so it sees the pattern a Go 1.22+ http.ServeMux matched
// (r.Pattern, e.g. "GET /items/{id}") when Middleware wraps the mux. When
// route is nil the label is r.Pattern, or "unmatched" when no pattern
// matched; raw paths are never used because every distinct path would
// become a new series.
//
// promhttp bounds the other two labels: the method is lower-cased and a
// non-standard one recorded as "unknown"; the code is the status the
// handler sent, 200 when it sent none (including a connection hijacked
// without WriteHeader). A request whose handler panics is not observed.
// The ResponseWriter passed to next keeps http.Flusher, http.Hijacker and
// io.ReaderFrom when the original has them, and unwraps for
// http.ResponseController, so streaming, read deadlines and WebSocket
// upgrades work through it.
func Middleware(h *prometheus.HistogramVec, route func(*http.Request) string, next http.Handler) http.Handler {
	if route == nil {
		route = func(r *http.Request) string {
			if r.Pattern == "" {
				return "unmatched"
			}
			return r.Pattern
		}
	}
	return promhttp.InstrumentHandlerDuration(h, next, promhttp.WithLabelFromRequest("route", route))
}
