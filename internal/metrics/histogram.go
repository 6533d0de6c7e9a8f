package metrics

import (
	"fmt"
	"math"
	"slices"
	"sync/atomic"
)

// DefaultBuckets returns bucket upper bounds suited to HTTP request latency
// in seconds, from 5ms to 10s. It returns a fresh slice each call so that no
// caller can change another's buckets.
func DefaultBuckets() []float64 {
	return []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
}

// Histogram counts observations into buckets and keeps their sum. Its
// methods are safe for concurrent use.
type Histogram struct {
	upper []float64 // shared by the family, read-only
	// counts are per bucket, not cumulative, so Observe touches one slot;
	// the last slot is +Inf. The total count is derived from them at
	// scrape time so that _count always equals the +Inf bucket.
	counts []atomic.Uint64
	sum    atomicFloat
}

// Observe records v.
func (h *Histogram) Observe(v float64) {
	// Binary search for the first bound >= v. NaN compares false with
	// everything, which would put it in the lowest bucket; send it to +Inf
	// instead, as client_golang does.
	lo, hi := 0, len(h.upper)
	if math.IsNaN(v) {
		lo = hi
	}
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if h.upper[m] < v {
			lo = m + 1
		} else {
			hi = m
		}
	}
	h.counts[lo].Add(1)
	h.sum.add(v)
}

// HistogramVec is a histogram family partitioned by label values.
type HistogramVec struct {
	desc
	upper []float64
	le    []string // formatted upper bounds, computed once
	v     *vec[Histogram]
}

// Histogram registers a histogram family called name with the given help
// text, bucket upper bounds and label names. A nil or empty buckets means
// DefaultBuckets; a trailing +Inf is dropped because the +Inf bucket is
// always written. It panics if a name is invalid or already registered
// (including name_bucket, name_sum and name_count), if a label is called
// "le", or if the buckets are not strictly increasing.
func (r *Registry) Histogram(name, help string, buckets []float64, labelNames ...string) *HistogramVec {
	validateName(name)
	labelNames = validateLabelNames(name, labelNames, "le")
	if len(buckets) == 0 {
		buckets = DefaultBuckets()
	} else {
		buckets = slices.Clone(buckets)
	}
	if math.IsInf(buckets[len(buckets)-1], 1) {
		buckets = buckets[:len(buckets)-1]
	}
	le := make([]string, len(buckets))
	for i, b := range buckets {
		if math.IsNaN(b) || i > 0 && b <= buckets[i-1] {
			panic(fmt.Sprintf("metrics: %s: buckets must be strictly increasing and not NaN: %v", name, buckets))
		}
		le[i] = string(appendFloat(nil, b))
	}
	hv := &HistogramVec{
		desc:  desc{name: name, help: help, typ: "histogram", labelNames: labelNames},
		upper: buckets,
		le:    le,
	}
	hv.v = newVec(name, labelNames, func() *Histogram {
		return &Histogram{upper: buckets, counts: make([]atomic.Uint64, len(buckets)+1)}
	})
	r.register(hv, name, name+"_bucket", name+"_sum", name+"_count")
	return hv
}

// With returns the histogram for the given label values, in the order the
// label names were registered, creating it on first use. Call it with no
// arguments for an unlabelled histogram. It panics if the number of values
// does not match the number of label names.
func (hv *HistogramVec) With(labelValues ...string) *Histogram {
	return hv.v.with(labelValues)
}

func (hv *HistogramVec) writeSamples(w *expWriter) {
	bucket, sum, count := hv.name+"_bucket", hv.name+"_sum", hv.name+"_count"
	for _, c := range hv.v.snapshot() {
		h := c.metric
		var cum uint64
		for i := range h.counts {
			cum += h.counts[i].Load()
			le := "+Inf"
			if i < len(hv.le) {
				le = hv.le[i]
			}
			w.sample(bucket, hv.labelNames, c.values, "le", le, float64(cum))
		}
		w.sample(sum, hv.labelNames, c.values, "", "", h.sum.load())
		w.sample(count, hv.labelNames, c.values, "", "", float64(cum))
	}
}
