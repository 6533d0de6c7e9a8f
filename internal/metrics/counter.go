package metrics

import (
	"fmt"
	"sync/atomic"
)

// Counter is a value that only goes up, such as a request count. Its
// methods are safe for concurrent use.
type Counter struct {
	// whole holds integral increments apart from fractional ones so that
	// Inc, by far the most common call, is a single atomic add instead of
	// a compare-and-swap loop that retries under contention.
	whole atomic.Uint64
	frac  atomicFloat
}

// Inc adds one to the counter.
func (c *Counter) Inc() { c.whole.Add(1) }

// Add adds v to the counter. It panics if v is negative, because a
// decreasing counter is read by Prometheus as a process restart.
func (c *Counter) Add(v float64) {
	if v < 0 {
		panic(fmt.Sprintf("metrics: counter cannot decrease (Add(%v))", v))
	}
	// The bound keeps the conversion exact; above it uint64(v) is undefined.
	if v < 1<<63 {
		if u := uint64(v); float64(u) == v {
			c.whole.Add(u)
			return
		}
	}
	c.frac.add(v)
}

// Value returns the current count.
func (c *Counter) Value() float64 {
	return float64(c.whole.Load()) + c.frac.load()
}

// CounterVec is a counter family partitioned by label values.
type CounterVec struct {
	desc
	v *vec[Counter]
}

// Counter registers a counter family called name with the given help text
// and label names. It panics if a name is invalid or already registered.
func (r *Registry) Counter(name, help string, labelNames ...string) *CounterVec {
	validateName(name)
	labelNames = validateLabelNames(name, labelNames)
	cv := &CounterVec{
		desc: desc{name: name, help: help, typ: "counter", labelNames: labelNames},
		v:    newVec(name, labelNames, func() *Counter { return new(Counter) }),
	}
	r.register(cv, name)
	return cv
}

// With returns the counter for the given label values, in the order the
// label names were registered, creating it on first use. Call it with no
// arguments for an unlabelled counter. It panics if the number of values
// does not match the number of label names.
func (cv *CounterVec) With(labelValues ...string) *Counter {
	return cv.v.with(labelValues)
}

func (cv *CounterVec) writeSamples(w *expWriter) {
	for _, c := range cv.v.snapshot() {
		w.sample(cv.name, cv.labelNames, c.values, "", "", c.metric.Value())
	}
}
