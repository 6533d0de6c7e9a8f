package metrics

import (
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

func scrape(t testing.TB, r *Registry) string {
	t.Helper()
	var b strings.Builder
	n, err := r.WriteTo(&b)
	if err != nil {
		t.Fatalf("WriteTo: %v", err)
	}
	if n != int64(b.Len()) {
		t.Fatalf("WriteTo returned n=%d, wrote %d bytes", n, b.Len())
	}
	return b.String()
}

func TestGoldenExposition(t *testing.T) {
	r := NewRegistry()
	c := r.Counter("http_requests_total", "Requests served.", "path", "code")
	c.With("/a", "200").Add(3)
	c.With("we\"ird\\path\n", "500").Inc()
	r.Gauge("temperature_celsius", "Current temperature.\nSecond line with \\ and \"quotes\".").With().Set(-1.5)
	r.GaugeFunc("queue_depth", "Jobs waiting.", func() float64 { return 7 })
	h := r.Histogram("rpc_seconds", "RPC latency.", []float64{0.1, 1, math.Inf(1)}, "service")
	h.With("b").Observe(0.0625)
	h.With("b").Observe(0.5)
	h.With("b").Observe(3)
	h.With("a").Observe(1) // on a bound: le is inclusive
	r.Counter("zero_total", "Never incremented.")
	r.Counter("bad_utf8_total", "Invalid UTF-8 is replaced.", "v").With("a\xffb").Add(0.5)

	const want = `# HELP bad_utf8_total Invalid UTF-8 is replaced.
# TYPE bad_utf8_total counter
bad_utf8_total{v="a` + "\uFFFD" + `b"} 0.5
# HELP http_requests_total Requests served.
# TYPE http_requests_total counter
http_requests_total{path="/a",code="200"} 3
http_requests_total{path="we\"ird\\path\n",code="500"} 1
# HELP queue_depth Jobs waiting.
# TYPE queue_depth gauge
queue_depth 7
# HELP rpc_seconds RPC latency.
# TYPE rpc_seconds histogram
rpc_seconds_bucket{service="a",le="0.1"} 0
rpc_seconds_bucket{service="a",le="1"} 1
rpc_seconds_bucket{service="a",le="+Inf"} 1
rpc_seconds_sum{service="a"} 1
rpc_seconds_count{service="a"} 1
rpc_seconds_bucket{service="b",le="0.1"} 1
rpc_seconds_bucket{service="b",le="1"} 2
rpc_seconds_bucket{service="b",le="+Inf"} 3
rpc_seconds_sum{service="b"} 3.5625
rpc_seconds_count{service="b"} 3
# HELP temperature_celsius Current temperature.\nSecond line with \\ and "quotes".
# TYPE temperature_celsius gauge
temperature_celsius -1.5
# HELP zero_total Never incremented.
# TYPE zero_total counter
zero_total 0
`
	if got := scrape(t, r); got != want {
		t.Errorf("exposition mismatch\n--- got\n%s--- want\n%s", got, want)
	}
}

func TestDefaultBucketsAndSpecialValues(t *testing.T) {
	r := NewRegistry()
	h := r.Histogram("lat_seconds", "Latency.", nil)
	h.With().Observe(math.NaN()) // must land in +Inf only
	g := r.Gauge("g", "G.", "k")
	g.With("inf").Set(math.Inf(1))
	g.With("ninf").Set(math.Inf(-1))
	g.With("big").Set(1e21)
	out := scrape(t, r)
	for _, line := range []string{
		`lat_seconds_bucket{le="0.005"} 0`,
		`lat_seconds_bucket{le="2.5"} 0`,
		`lat_seconds_bucket{le="10"} 0`,
		`lat_seconds_bucket{le="+Inf"} 1`,
		`lat_seconds_sum NaN`,
		`lat_seconds_count 1`,
		`g{k="inf"} +Inf`,
		`g{k="ninf"} -Inf`,
		`g{k="big"} 1e+21`,
	} {
		if !strings.Contains(out, line+"\n") {
			t.Errorf("missing %q in\n%s", line, out)
		}
	}
}

func TestGaugeOps(t *testing.T) {
	g := NewRegistry().Gauge("g", "G.").With()
	g.Set(10)
	g.Inc()
	g.Dec()
	g.Dec()
	g.Add(-0.5)
	if got := g.Value(); got != 8.5 {
		t.Errorf("Value = %v, want 8.5", got)
	}
}

func TestCounterAdd(t *testing.T) {
	c := NewRegistry().Counter("c_total", "C.").With()
	c.Add(2)
	c.Add(0.25)
	c.Inc()
	c.Add(0)
	if got := c.Value(); got != 3.25 {
		t.Errorf("Value = %v, want 3.25", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("Add(-1) did not panic")
		}
	}()
	c.Add(-1)
}

func TestRegistrationPanics(t *testing.T) {
	for name, f := range map[string]func(r *Registry){
		"empty name":        func(r *Registry) { r.Counter("", "h") },
		"leading digit":     func(r *Registry) { r.Counter("1abc", "h") },
		"dash in name":      func(r *Registry) { r.Gauge("a-b", "h") },
		"bad label":         func(r *Registry) { r.Counter("c", "h", "a:b") },
		"reserved label":    func(r *Registry) { r.Counter("c", "h", "__name") },
		"duplicate label":   func(r *Registry) { r.Counter("c", "h", "a", "a") },
		"le label":          func(r *Registry) { r.Histogram("h", "h", nil, "le") },
		"unsorted buckets":  func(r *Registry) { r.Histogram("h", "h", []float64{1, 0.5}) },
		"equal buckets":     func(r *Registry) { r.Histogram("h", "h", []float64{1, 1}) },
		"NaN bucket":        func(r *Registry) { r.Histogram("h", "h", []float64{math.NaN()}) },
		"nil GaugeFunc":     func(r *Registry) { r.GaugeFunc("g", "h", nil) },
		"duplicate name":    func(r *Registry) { r.Counter("x", "h"); r.Gauge("x", "h") },
		"histogram suffix":  func(r *Registry) { r.Histogram("x", "h", nil); r.Counter("x_count", "h") },
		"suffix then hist":  func(r *Registry) { r.Gauge("x_sum", "h"); r.Histogram("x", "h", nil) },
		"process twice":     func(r *Registry) { RegisterProcess(r); RegisterProcess(r) },
		"too few values":    func(r *Registry) { r.Counter("c", "h", "a", "b").With("x") },
		"values unlabelled": func(r *Registry) { r.Gauge("g", "h").With("x") },
		"middleware labels": func(r *Registry) {
			Middleware(r.Histogram("h", "h", nil, "route", "method"), nil, http.NotFoundHandler())
		},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("did not panic")
				}
			}()
			f(NewRegistry())
		})
	}
}

func TestCallerSlicesAreCopied(t *testing.T) {
	r := NewRegistry()
	labels := []string{"a"}
	buckets := []float64{1, 2}
	h := r.Histogram("h", "H.", buckets, labels...)
	values := []string{"x"}
	h.With(values...).Observe(1.5)
	labels[0], buckets[0], values[0] = "zzz", 100, "y"
	out := scrape(t, r)
	if !strings.Contains(out, `h_bucket{a="x",le="1"} 0`) || !strings.Contains(out, `h_bucket{a="x",le="2"} 1`) {
		t.Errorf("registry affected by caller's slices:\n%s", out)
	}
}

func TestProcessMetrics(t *testing.T) {
	r := NewRegistry()
	RegisterProcess(r)
	out := scrape(t, r)
	for _, name := range []string{"go_goroutines ", "go_memstats_heap_alloc_bytes ", "process_start_time_seconds "} {
		i := strings.Index(out, "\n"+name)
		if i < 0 {
			t.Fatalf("missing %s in\n%s", name, out)
		}
		if v := strings.Fields(out[i+1:])[1]; v == "0" {
			t.Errorf("%s is 0", name)
		}
	}
}

// TestConcurrentExactTotals checks that concurrent updates lose nothing,
// while scrapes and child creation race with them.
func TestConcurrentExactTotals(t *testing.T) {
	const workers, iters = 8, 5000
	r := NewRegistry()
	c := r.Counter("c_total", "C.", "k")
	g := r.Gauge("g", "G.")
	h := r.Histogram("h", "H.", []float64{1, 2}, "k")

	var wg sync.WaitGroup
	stop := make(chan struct{})
	scraped := make(chan struct{})
	go func() {
		defer close(scraped)
		for {
			select {
			case <-stop:
				return
			default:
				_, _ = r.WriteTo(io.Discard)
			}
		}
	}()
	for w := range workers {
		wg.Go(func() {
			for i := range iters {
				c.With("shared").Inc()
				c.With("shared").Add(0.5)
				g.With().Inc()
				h.With("shared").Observe(float64(i % 3)) // 0, 1, 2: one per bucket
				if i%1000 == 0 {
					c.With(string(rune('a' + w))).Inc() // creates children concurrently
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	<-scraped

	const n = workers * iters
	if got, want := c.With("shared").Value(), 1.5*n; got != want {
		t.Errorf("counter = %v, want %v", got, want)
	}
	if got := g.With().Value(); got != n {
		t.Errorf("gauge = %v, want %v", got, n)
	}
	out := scrape(t, r)
	// i%3 over 5000 iterations: 1667 zeros, 1667 ones, 1666 twos per worker.
	for _, line := range []string{
		`h_bucket{k="shared",le="1"} 26672`,
		`h_bucket{k="shared",le="2"} 40000`,
		`h_bucket{k="shared",le="+Inf"} 40000`,
		`h_sum{k="shared"} 39992`,
		`h_count{k="shared"} 40000`,
		`c_total{k="a"} 5`,
		`c_total{k="h"} 5`,
	} {
		if !strings.Contains(out, line+"\n") {
			t.Errorf("missing %q in\n%s", line, out)
		}
	}
}

func TestZeroAllocHotPath(t *testing.T) {
	r := NewRegistry()
	cv := r.Counter("c_total", "C.", "route", "method", "code")
	c := cv.With("GET /x", "GET", "200")
	h := r.Histogram("h", "H.", nil).With()
	for name, f := range map[string]func(){
		"Inc":           c.Inc,
		"Add":           func() { c.Add(0.5) },
		"Observe":       func() { h.Observe(0.3) },
		"With existing": func() { cv.With("GET /x", "GET", "200") },
	} {
		if a := testing.AllocsPerRun(100, f); a != 0 {
			t.Errorf("%s: %v allocs, want 0", name, a)
		}
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n+len(p) > 10 {
		k := 10 - f.n
		f.n = 10
		return k, errors.New("disk full")
	}
	f.n += len(p)
	return len(p), nil
}

func TestWriteToError(t *testing.T) {
	r := NewRegistry()
	r.Counter("c_total", "A counter with a long enough help text.")
	n, err := r.WriteTo(&failWriter{})
	if err == nil || n != 10 {
		t.Errorf("WriteTo = %d, %v; want 10, error", n, err)
	}
}

func TestHandler(t *testing.T) {
	r := NewRegistry()
	r.Counter("c_total", "C.").With().Inc()
	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if ct := rec.Header().Get("Content-Type"); ct != "text/plain; version=0.0.4; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if body := rec.Body.String(); !strings.Contains(body, "\nc_total 1\n") {
		t.Errorf("body = %q", body)
	}
}

func BenchmarkCounterInc(b *testing.B) {
	c := NewRegistry().Counter("c_total", "C.").With()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Inc()
		}
	})
}

func BenchmarkCounterAddFloat(b *testing.B) {
	c := NewRegistry().Counter("c_total", "C.").With()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Add(0.5)
		}
	})
}

func BenchmarkHistogramObserve(b *testing.B) {
	h := NewRegistry().Histogram("h", "H.", nil).With()
	b.RunParallel(func(pb *testing.PB) {
		v := 0.0
		for pb.Next() {
			h.Observe(v)
			v += 0.01
			if v > 12 {
				v = 0
			}
		}
	})
}

func BenchmarkCounterVecWith(b *testing.B) {
	cv := NewRegistry().Counter("c_total", "C.", "route", "method", "code")
	cv.With("GET /items/{id}", "GET", "200")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			cv.With("GET /items/{id}", "GET", "200").Inc()
		}
	})
}
