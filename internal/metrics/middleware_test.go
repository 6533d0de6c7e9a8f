package metrics

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func newLatency(r *Registry) *HistogramVec {
	return r.Histogram("http_request_duration_seconds", "HTTP latency.", nil, "route", "method", "code")
}

func TestMiddlewareLabels(t *testing.T) {
	r := NewRegistry()
	lat := newLatency(r)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusCreated)
	})
	mux.HandleFunc("POST /items", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok") // implicit 200
	})
	mux.HandleFunc("GET /early-hints", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusEarlyHints) // informational: not the final code
		w.WriteHeader(http.StatusAccepted)
	})
	mux.HandleFunc("GET /silent", func(http.ResponseWriter, *http.Request) {})
	srv := httptest.NewServer(Middleware(lat, nil, mux))
	defer srv.Close()

	for _, req := range []struct{ method, path string }{
		{"GET", "/items/1"},
		{"GET", "/items/2"},
		{"POST", "/items"},
		{"GET", "/early-hints"},
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

	out := scrape(t, r)
	for _, line := range []string{
		`http_request_duration_seconds_count{route="GET /items/{id}",method="GET",code="201"} 2`,
		`http_request_duration_seconds_count{route="POST /items",method="POST",code="200"} 1`,
		`http_request_duration_seconds_count{route="GET /early-hints",method="GET",code="202"} 1`,
		`http_request_duration_seconds_count{route="GET /silent",method="GET",code="200"} 1`,
		`http_request_duration_seconds_count{route="unmatched",method="GET",code="404"} 1`,
		`http_request_duration_seconds_count{route="unmatched",method="OTHER",code="405"} 1`,
	} {
		if !strings.Contains(out, line+"\n") {
			t.Errorf("missing %q in\n%s", line, out)
		}
	}
}

func TestMiddlewareRouteFuncAndLabelOrder(t *testing.T) {
	r := NewRegistry()
	lat := r.Histogram("lat", "L.", []float64{1}, "code", "route", "method")
	h := Middleware(lat, func(*http.Request) string { return "custom" },
		http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("DELETE", "/x", nil))
	if out := scrape(t, r); !strings.Contains(out, `lat_count{code="418",route="custom",method="DELETE"} 1`) {
		t.Errorf("unexpected output:\n%s", out)
	}
}

func TestMiddlewarePanicRecordedAs500(t *testing.T) {
	r := NewRegistry()
	h := Middleware(newLatency(r), func(*http.Request) string { return "boom" },
		http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	func() {
		defer func() {
			if recover() != "boom" {
				t.Error("panic not propagated unchanged")
			}
		}()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}()
	if out := scrape(t, r); !strings.Contains(out, `_count{route="boom",method="GET",code="500"} 1`) {
		t.Errorf("unexpected output:\n%s", out)
	}
}

// TestMiddlewarePreservesInterfaces checks that the wrapper claims Flusher
// and Hijacker exactly when the underlying writer has them.
func TestMiddlewarePreservesInterfaces(t *testing.T) {
	type caps struct{ flusher, hijacker, readerFrom bool }
	probe := func(got *caps) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, got.flusher = w.(http.Flusher)
			_, got.hijacker = w.(http.Hijacker)
			_, got.readerFrom = w.(io.ReaderFrom)
			if got.flusher {
				// Must reach the real connection and count as a 200.
				_, _ = io.WriteString(w, "x")
				w.(http.Flusher).Flush()
			}
		})
	}

	// httptest.ResponseRecorder flushes but cannot hijack.
	var got caps
	Middleware(newLatency(NewRegistry()), nil, probe(&got)).
		ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if want := (caps{true, false, true}); got != want {
		t.Errorf("over ResponseRecorder: %+v, want %+v", got, want)
	}

	// A bare writer has neither.
	got = caps{}
	Middleware(newLatency(NewRegistry()), nil, probe(&got)).
		ServeHTTP(struct{ http.ResponseWriter }{httptest.NewRecorder()}, httptest.NewRequest("GET", "/", nil))
	if want := (caps{false, false, true}); got != want {
		t.Errorf("over bare writer: %+v, want %+v", got, want)
	}

	// A real HTTP/1.1 connection has both.
	got = caps{}
	srv := httptest.NewServer(Middleware(newLatency(NewRegistry()), nil, probe(&got)))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := (caps{true, true, true}); got != want || string(body) != "x" {
		t.Errorf("over net/http: %+v body %q, want %+v body \"x\"", got, body, want)
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
			// The old way: assert http.Hijacker and write the status line by hand.
			name: "Hijacker",
			upgrade: func(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error) {
				conn, brw, err := w.(http.Hijacker).Hijack()
				if err == nil {
					_, _ = brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
					err = brw.Flush()
				}
				return conn, brw, err
			},
			wantCode: "hijacked",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := NewRegistry()
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
			mw := Middleware(newLatency(r), nil, mux)
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
			want := `http_request_duration_seconds_count{route="GET /ws",method="GET",code="` + tc.wantCode + `"} 1`
			if out := scrape(t, r); !strings.Contains(out, want+"\n") {
				t.Errorf("missing %q in\n%s", want, out)
			}
		})
	}
}

func BenchmarkMiddleware(b *testing.B) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, _ *http.Request) {})
	h := Middleware(newLatency(NewRegistry()), nil, mux)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		w := httptest.NewRecorder()
		for pb.Next() {
			h.ServeHTTP(w, httptest.NewRequest("GET", "/items/1", nil))
		}
	})
}
