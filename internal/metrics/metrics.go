// Package metrics keeps counters, gauges and histograms and writes them in the
// Prometheus text exposition format (version 0.0.4).
//
// It is a small, dependency-free replacement for client_golang for a single
// binary. There is no global default registry: create one with [NewRegistry]
// in main and pass it to whatever needs to register metrics.
//
// Registration (Counter, Gauge, GaugeFunc, Histogram, RegisterProcess and
// Middleware) panics on programmer errors: invalid metric or label names,
// duplicate label names, unsorted buckets, or registering a name that is
// already taken. Those are fixed in code, not handled at run time, and
// registration happens once at start-up where a panic is loud and early.
//
// Recording (Inc, Add, Set, Observe) is lock-free and allocation-free. Looking
// up a labelled child with With takes a read lock and does not allocate once
// the child exists; callers on very hot paths can keep the returned child.
package metrics

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Registry holds metric families and writes them out on scrape. The zero
// value is not usable; create one with NewRegistry. A Registry is safe for
// concurrent use.
type Registry struct {
	mu sync.Mutex
	// families is kept sorted by name so a scrape only copies it.
	families []family
	// samples maps every sample name a family emits to the family that
	// emits it. Histograms claim name_bucket, name_sum and name_count too,
	// so a counter called "x_count" cannot silently collide with histogram
	// "x" in the output.
	samples map[string]string
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{samples: make(map[string]string)}
}

// family is one registered metric: a name, its help and type, and the
// samples it writes.
type family interface {
	describe() *desc
	writeSamples(w *expWriter)
}

type desc struct {
	name       string
	help       string
	typ        string // counter, gauge or histogram
	labelNames []string
}

func (d *desc) describe() *desc { return d }

// register adds f, claiming every sample name it will emit, or panics.
func (r *Registry) register(f family, sampleNames ...string) {
	d := f.describe()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range sampleNames {
		if owner, ok := r.samples[s]; ok {
			panic(fmt.Sprintf("metrics: cannot register %q: sample name %q already used by %q", d.name, s, owner))
		}
	}
	for _, s := range sampleNames {
		r.samples[s] = d.name
	}
	i, _ := slices.BinarySearchFunc(r.families, d.name, func(f family, name string) int {
		return strings.Compare(f.describe().name, name)
	})
	r.families = slices.Insert(r.families, i, f)
}

// WriteTo writes every registered family to w in the Prometheus text format,
// families sorted by name and series sorted by label values. It returns the
// number of bytes written and the first write error.
//
// Each series is read atomically, but a scrape is not a snapshot across
// series: values recorded while WriteTo runs may or may not be included.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	// Copy the family list so that GaugeFunc callbacks run without the
	// registry lock: a callback that registers a metric must not deadlock.
	r.mu.Lock()
	fams := slices.Clone(r.families)
	r.mu.Unlock()

	cw := &countingWriter{w: w}
	ew := &expWriter{w: bufio.NewWriter(cw)}
	for _, f := range fams {
		d := f.describe()
		ew.str("# HELP ")
		ew.str(d.name)
		ew.byte(' ')
		ew.escape(d.help, false)
		ew.str("\n# TYPE ")
		ew.str(d.name)
		ew.byte(' ')
		ew.str(d.typ)
		ew.byte('\n')
		f.writeSamples(ew)
	}
	err := ew.w.Flush()
	return cw.n, err
}

// Handler returns an http.Handler that serves the registry in the text
// exposition format, for mounting at /metrics.
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		// A write error means the scraper went away; there is no one left
		// to report it to.
		_, _ = r.WriteTo(w)
	})
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// expWriter writes exposition-format tokens. Errors are sticky inside the
// bufio.Writer and surface from Flush, so the helpers return nothing.
type expWriter struct {
	w       *bufio.Writer
	scratch [64]byte
}

func (e *expWriter) str(s string) { _, _ = e.w.WriteString(s) }
func (e *expWriter) byte(b byte)  { _ = e.w.WriteByte(b) }

func (e *expWriter) float(v float64) {
	_, _ = e.w.Write(appendFloat(e.scratch[:0], v))
}

// escape writes s with backslash and newline escaped, and double quotes too
// when quote is set (label values; HELP text leaves quotes alone). Ranging
// over the string turns invalid UTF-8 into U+FFFD, since the format requires
// UTF-8 and a scraper would reject the whole response otherwise.
func (e *expWriter) escape(s string, quote bool) {
	for _, c := range s {
		switch {
		case c == '\\':
			e.str(`\\`)
		case c == '\n':
			e.str(`\n`)
		case c == '"' && quote:
			e.str(`\"`)
		default:
			_, _ = e.w.WriteRune(c)
		}
	}
}

// sample writes one line: name{labels[,extraName="extraValue"]} value.
func (e *expWriter) sample(name string, labelNames, labelValues []string, extraName, extraValue string, v float64) {
	e.str(name)
	if len(labelNames) > 0 || extraName != "" {
		e.byte('{')
		for i, ln := range labelNames {
			if i > 0 {
				e.byte(',')
			}
			e.str(ln)
			e.str(`="`)
			e.escape(labelValues[i], true)
			e.byte('"')
		}
		if extraName != "" {
			if len(labelNames) > 0 {
				e.byte(',')
			}
			e.str(extraName)
			e.str(`="`)
			e.str(extraValue)
			e.byte('"')
		}
		e.byte('}')
	}
	e.byte(' ')
	e.float(v)
	e.byte('\n')
}

// appendFloat formats v the way Prometheus parses it: shortest round-trip
// representation, with its spellings of the special values.
func appendFloat(b []byte, v float64) []byte {
	switch {
	case math.IsInf(v, 1):
		return append(b, "+Inf"...)
	case math.IsInf(v, -1):
		return append(b, "-Inf"...)
	case math.IsNaN(v):
		return append(b, "NaN"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// atomicFloat is a float64 updated with compare-and-swap on its bit pattern,
// because sync/atomic has no float add.
type atomicFloat struct{ bits atomic.Uint64 }

func (f *atomicFloat) load() float64   { return math.Float64frombits(f.bits.Load()) }
func (f *atomicFloat) store(v float64) { f.bits.Store(math.Float64bits(v)) }

func (f *atomicFloat) add(d float64) {
	for {
		old := f.bits.Load()
		next := math.Float64bits(math.Float64frombits(old) + d)
		if f.bits.CompareAndSwap(old, next) {
			return
		}
	}
}

// validateName panics unless name matches [a-zA-Z_:][a-zA-Z0-9_:]*.
func validateName(name string) {
	if name == "" {
		panic("metrics: empty metric name")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '_' || c == ':' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9' {
			continue
		}
		panic(fmt.Sprintf("metrics: invalid metric name %q", name))
	}
}

// validateLabelNames panics unless every name matches [a-zA-Z_][a-zA-Z0-9_]*,
// does not start with the reserved "__", is not in reserved, and is unique.
// It returns a copy so later changes to the caller's slice cannot corrupt
// the family.
func validateLabelNames(metric string, names []string, reserved ...string) []string {
	for i, n := range names {
		ok := n != "" && !strings.HasPrefix(n, "__")
		for j := 0; ok && j < len(n); j++ {
			c := n[j]
			ok = c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || j > 0 && '0' <= c && c <= '9'
		}
		if !ok {
			panic(fmt.Sprintf("metrics: %s: invalid label name %q", metric, n))
		}
		if slices.Contains(reserved, n) {
			panic(fmt.Sprintf("metrics: %s: label name %q is reserved", metric, n))
		}
		if slices.Contains(names[:i], n) {
			panic(fmt.Sprintf("metrics: %s: duplicate label name %q", metric, n))
		}
	}
	return slices.Clone(names)
}
