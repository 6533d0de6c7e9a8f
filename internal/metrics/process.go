package metrics

import (
	"runtime"
	"runtime/metrics"
	"time"
)

// RegisterProcess registers go_goroutines, go_memstats_heap_alloc_bytes and
// process_start_time_seconds on r. Call it once, early in main: the start
// time is taken when RegisterProcess runs, which is close enough to detect
// restarts and compute uptime without parsing /proc. It panics if any of the
// names is already registered.
func RegisterProcess(r *Registry) {
	r.GaugeFunc("go_goroutines", "Number of goroutines that currently exist.", func() float64 {
		return float64(runtime.NumGoroutine())
	})
	r.GaugeFunc("go_memstats_heap_alloc_bytes", "Number of heap bytes allocated and still in use.", func() float64 {
		// runtime/metrics reports the same figure as MemStats.HeapAlloc
		// without the stop-the-world pause runtime.ReadMemStats needs.
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		metrics.Read(s)
		if s[0].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return float64(s[0].Value.Uint64())
	})
	start := float64(time.Now().UnixNano()) / 1e9
	r.GaugeFunc("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", func() float64 {
		return start
	})
}
