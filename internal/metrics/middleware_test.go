package metrics

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
)

func newLatency(r prometheus.Registerer) *prometheus.HistogramVec {
	return promauto.With(r).NewHistogramVec(prometheus.HistogramOpts{
		Name: "http_request_duration_seconds", Help: "HTTP latency.", Buckets: prometheus.DefBuckets,
	}, []string{"route", "method", "code"})
}

// count returns how many observations h has under the labels.
func count(t *testing.T, h *prometheus.HistogramVec, route, method, code string) uint64 {
	t.Helper()
	o, err := h.GetMetricWithLabelValues(route, method, code)
	if err != nil {
		t.Fatal(err)
	}
	var m dto.Metric
	if err := o.(prometheus.Metric).Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetHistogram().GetSampleCount()
}

func TestMiddlewareLabels(t *testing.T) {
	lat := newLatency(prometheus.NewRegistry())
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusCreated)
	})
	mux.HandleFunc("POST /items", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok") // implicit 200
	})
	mux.HandleFunc("GET /silent", func(http.ResponseWriter, *http.Request) {})
	srv := httptest.NewServer(Middleware(lat, nil, mux))
	defer srv.Close()

	for _, req := range []struct{ method, path string }{
		{"GET", "/items/1"},
		{"GET", "/items/2"},
		{"POST", "/items"},
		{"GET", "/silent"},
		{"GET", "/nowhere"},
		{"PURGE", "/items/1"},
	} {
		hr, _ := http.NewRequest(req.method, srv.URL+req.path, nil)
		resp, err := srv.Client().Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}

	for _, tc := range []struct {
		route, method, code string
		want                uint64
	}{
		{"GET /items/{id}", "get", "201", 2}, // one series per pattern, not per id
		{"POST /items", "post", "200", 1},
		{"GET /silent", "get", "200", 1},
		{"unmatched", "get", "404", 1},
		{"unmatched", "unknown", "405", 1}, // any token is a method: bounded
	} {
		if got := count(t, lat, tc.route, tc.method, tc.code); got != tc.want {
			t.Errorf("%s %s %s: %d observations, want %d", tc.route, tc.method, tc.code, got, tc.want)
		}
	}
	if got, want := testutil.CollectAndCount(lat), 5; got != want {
		t.Errorf("%d series, want %d", got, want)
	}
}

func TestMiddlewareRouteFunc(t *testing.T) {
	lat := newLatency(prometheus.NewRegistry())
	h := Middleware(lat, func(*http.Request) string { return "custom" },
		http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("DELETE", "/x", nil))
	if got := count(t, lat, "custom", "delete", "418"); got != 1 {
		t.Errorf("%d observations, want 1", got)
	}
}

// TestMiddlewarePanicsOnOtherLabels: a histogram without exactly route,
// method and code is a bug at start-up, not a silent lack of metrics.
func TestMiddlewarePanicsOnOtherLabels(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for a histogram labelled route and path")
		}
	}()
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "h", Help: "H."}, []string{"route", "path"})
	Middleware(h, nil, http.NotFoundHandler())
}

// TestMiddlewarePreservesInterfaces checks that the wrapper claims Flusher
// and Hijacker exactly when the underlying writer has them, and that
// http.ResponseController reaches the connection through it (the API sets
// per-route read deadlines that way).
func TestMiddlewarePreservesInterfaces(t *testing.T) {
	type caps struct{ flusher, hijacker, readerFrom, deadline bool }
	probe := func(got *caps) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, got.flusher = w.(http.Flusher)
			_, got.hijacker = w.(http.Hijacker)
			_, got.readerFrom = w.(io.ReaderFrom)
			got.deadline = http.NewResponseController(w).SetReadDeadline(time.Now().Add(time.Minute)) == nil
			if got.flusher {
				// Must reach the real connection and count as a 200.
				_, _ = io.WriteString(w, "x")
				w.(http.Flusher).Flush()
			}
		})
	}

	// httptest.ResponseRecorder flushes but cannot hijack.
	var got caps
	Middleware(newLatency(prometheus.NewRegistry()), nil, probe(&got)).
		ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if want := (caps{flusher: true}); got != want {
		t.Errorf("over ResponseRecorder: %+v, want %+v", got, want)
	}

	// A real HTTP/1.1 connection has all of them.
	got = caps{}
	lat := newLatency(prometheus.NewRegistry())
	srv := httptest.NewServer(Middleware(lat, func(*http.Request) string { return "probe" }, probe(&got)))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := (caps{true, true, true, true}); got != want || string(body) != "x" {
		t.Errorf("over net/http: %+v body %q, want %+v body \"x\"", got, body, want)
	}
	if n := count(t, lat, "probe", "get", "200"); n != 1 {
		t.Errorf("flushed response: %d observations with code 200, want 1", n)
	}
}

// TestMiddlewareHijack upgrades a connection through the middleware, as a
// WebSocket library does, and talks over the raw TCP stream afterwards.
func TestMiddlewareHijack(t *testing.T) {
	for _, tc := range []struct {
		name     string
		upgrade  func(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error)
		wantCode string
	}{
		{
			// The coder/websocket way: WriteHeader(101), which net/http
			// flushes on Hijack, reached through http.ResponseController.
			name: "ResponseController",
			upgrade: func(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error) {
				w.Header().Set("Upgrade", "echo")
				w.Header().Set("Connection", "Upgrade")
				w.WriteHeader(http.StatusSwitchingProtocols)
				return http.NewResponseController(w).Hijack()
			},
			wantCode: "101",
		},
		{
			// The old way: assert http.Hijacker and write the status line
			// by hand; the middleware never sees a status.
			name: "Hijacker",
			upgrade: func(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error) {
				conn, brw, err := w.(http.Hijacker).Hijack()
				if err == nil {
					_, _ = brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
					err = brw.Flush()
				}
				return conn, brw, err
			},
			wantCode: "200",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lat := newLatency(prometheus.NewRegistry())
			mux := http.NewServeMux()
			mux.HandleFunc("GET /ws", func(w http.ResponseWriter, _ *http.Request) {
				conn, brw, err := tc.upgrade(w)
				if err != nil {
					t.Errorf("hijack: %v", err)
					return
				}
				defer conn.Close()
				line, err := brw.ReadString('\n')
				if err != nil {
					t.Errorf("server read: %v", err)
					return
				}
				_, _ = brw.WriteString("echo: " + line)
				_ = brw.Flush()
			})
			mw := Middleware(lat, nil, mux)
			// Observe runs after the handler returns, which for a hijacked
			// connection is after the client has its reply; wait for it.
			served := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				mw.ServeHTTP(w, req)
				close(served)
			}))
			defer srv.Close()

			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
			req, _ := http.NewRequest("GET", "http://"+srv.Listener.Addr().String()+"/ws", nil)
			req.Header.Set("Upgrade", "echo")
			req.Header.Set("Connection", "Upgrade")
			if err := req.Write(conn); err != nil {
				t.Fatal(err)
			}
			br := bufio.NewReader(conn)
			resp, err := http.ReadResponse(br, req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get("Upgrade") != "echo" {
				t.Fatalf("upgrade response: %d %v", resp.StatusCode, resp.Header)
			}
			if _, err := io.WriteString(conn, "ping\n"); err != nil {
				t.Fatal(err)
			}
			if line, err := br.ReadString('\n'); err != nil || line != "echo: ping\n" {
				t.Fatalf("echo = %q, %v", line, err)
			}

			select {
			case <-served:
			case <-time.After(10 * time.Second):
				t.Fatal("handler did not return")
			}
			if got := count(t, lat, "GET /ws", "get", tc.wantCode); got != 1 {
				t.Errorf("%d observations with code %s, want 1", got, tc.wantCode)
			}
		})
	}
}

func BenchmarkMiddleware(b *testing.B) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, _ *http.Request) {})
	h := Middleware(newLatency(prometheus.NewRegistry()), nil, mux)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		w := httptest.NewRecorder()
		for pb.Next() {
			h.ServeHTTP(w, httptest.NewRequest("GET", "/items/1", nil))
		}
	})
}
