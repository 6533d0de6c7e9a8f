package metrics

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// Middleware returns a handler that calls next and observes the time it took,
// in seconds, on h under the labels route, method and code. h must have
// exactly those three label names, in any order; Middleware panics
// otherwise.
//
// route maps a request to a low-cardinality route label. When route is nil
// the label is r.Pattern, the pattern a Go 1.22+ http.ServeMux matched (for
// example "GET /items/{id}"). It is read after next returns, so Middleware
// may wrap the ServeMux itself or a handler registered on it, but a handler
// in between that replaces the request (r.WithContext) hides the pattern.
// An empty route is recorded as "unmatched"; raw paths are never used because
// every distinct path would become a new series.
//
// Methods other than the standard ones are recorded as "OTHER" for the same
// reason. The code is the status the handler sent (200 if it wrote a body
// without calling WriteHeader). A handler that panics before writing a status
// is recorded as 500, and one that hijacks the connection without writing a
// status is recorded as "hijacked". The duration of a hijacked request, such
// as a WebSocket, covers the whole session, since it runs until the handler
// returns.
//
// The ResponseWriter passed to next implements http.Flusher and
// http.Hijacker exactly when the original does, io.ReaderFrom, and Unwrap for
// http.ResponseController, so streaming responses and WebSocket upgrades work
// through it.
func Middleware(h *HistogramVec, route func(*http.Request) string, next http.Handler) http.Handler {
	routeIdx := slices.Index(h.labelNames, "route")
	methodIdx := slices.Index(h.labelNames, "method")
	codeIdx := slices.Index(h.labelNames, "code")
	if len(h.labelNames) != 3 || routeIdx < 0 || methodIdx < 0 || codeIdx < 0 {
		panic(fmt.Sprintf("metrics: Middleware needs a histogram labelled route, method, code; %s has %q", h.name, h.labelNames))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec, rw := newRecorder(w)
		finished := false
		// Deferred so a panicking handler is still counted; the panic is
		// not recovered, so net/http still sees and logs it unchanged.
		defer func() {
			var code string
			switch {
			case rec.wroteHeader:
				code = strconv.Itoa(rec.status)
			case !finished:
				code = "500"
			case rec.hijacked:
				code = "hijacked"
			default:
				// net/http sends 200 for a handler that writes nothing.
				code = "200"
			}
			rt := ""
			if route != nil {
				rt = route(r)
			} else {
				rt = r.Pattern
			}
			if rt == "" {
				rt = "unmatched"
			}
			var values [3]string
			values[routeIdx] = rt
			values[methodIdx] = methodLabel(r.Method)
			values[codeIdx] = code
			h.With(values[:]...).Observe(time.Since(start).Seconds())
		}()
		next.ServeHTTP(rw, r)
		finished = true
	})
}

// methodLabel bounds the method label to the standard methods, since a
// client can send any token as a method.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// recorder captures the status code written through it.
type recorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
	hijacked    bool
}

// newRecorder wraps w. The returned writer is one of four types so that a
// type assertion for http.Flusher or http.Hijacker on it succeeds exactly
// when it would on w; claiming an interface w lacks would break handlers
// that probe for it to choose a fallback.
func newRecorder(w http.ResponseWriter) (*recorder, http.ResponseWriter) {
	rec := &recorder{ResponseWriter: w}
	_, f := w.(http.Flusher)
	_, h := w.(http.Hijacker)
	switch {
	case f && h:
		return rec, flushHijackRecorder{rec}
	case f:
		return rec, flushRecorder{rec}
	case h:
		return rec, hijackRecorder{rec}
	}
	return rec, rec
}

func (r *recorder) WriteHeader(code int) {
	// 1xx responses other than 101 are informational and followed by the
	// real status, so they are passed on but not recorded.
	if !r.wroteHeader && (code < 100 || code > 199 || code == http.StatusSwitchingProtocols) {
		r.status = code
		r.wroteHeader = true
	}
	r.ResponseWriter.WriteHeader(code)
}

// implicitOK records the 200 that net/http sends when the body is written
// or flushed before any WriteHeader.
func (r *recorder) implicitOK() {
	if !r.wroteHeader {
		r.status = http.StatusOK
		r.wroteHeader = true
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.implicitOK()
	return r.ResponseWriter.Write(p)
}

// ReadFrom keeps net/http's sendfile path for io.Copy into the response,
// which is lost if the wrapper hides the underlying io.ReaderFrom.
func (r *recorder) ReadFrom(src io.Reader) (int64, error) {
	r.implicitOK()
	if rf, ok := r.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(writerOnly{r.ResponseWriter}, src)
}

// Unwrap lets http.ResponseController reach the underlying writer for
// deadlines, full duplex, and Flush/Hijack on wrappers that only unwrap.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *recorder) flush() {
	r.implicitOK()
	r.ResponseWriter.(http.Flusher).Flush()
}

func (r *recorder) hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := r.ResponseWriter.(http.Hijacker).Hijack()
	if err == nil {
		r.hijacked = true
	}
	return conn, brw, err
}

// writerOnly hides every method but Write, so io.Copy does not call back
// into ReadFrom.
type writerOnly struct{ io.Writer }

type flushRecorder struct{ *recorder }

func (r flushRecorder) Flush() { r.flush() }

type hijackRecorder struct{ *recorder }

func (r hijackRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) { return r.hijack() }

type flushHijackRecorder struct{ *recorder }

func (r flushHijackRecorder) Flush() { r.flush() }

func (r flushHijackRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) { return r.hijack() }
