package metrics

// Gauge is a value that can go up and down, such as the number of open
// connections. Its methods are safe for concurrent use.
type Gauge struct {
	v atomicFloat
}

// Set sets the gauge to v.
func (g *Gauge) Set(v float64) { g.v.store(v) }

// Add adds v, which may be negative, to the gauge.
func (g *Gauge) Add(v float64) { g.v.add(v) }

// Inc adds one to the gauge.
func (g *Gauge) Inc() { g.v.add(1) }

// Dec subtracts one from the gauge.
func (g *Gauge) Dec() { g.v.add(-1) }

// Value returns the current value.
func (g *Gauge) Value() float64 { return g.v.load() }

// GaugeVec is a gauge family partitioned by label values.
type GaugeVec struct {
	desc
	v *vec[Gauge]
}

// Gauge registers a gauge family called name with the given help text and
// label names. It panics if a name is invalid or already registered.
func (r *Registry) Gauge(name, help string, labelNames ...string) *GaugeVec {
	validateName(name)
	labelNames = validateLabelNames(name, labelNames)
	gv := &GaugeVec{
		desc: desc{name: name, help: help, typ: "gauge", labelNames: labelNames},
		v:    newVec(name, labelNames, func() *Gauge { return new(Gauge) }),
	}
	r.register(gv, name)
	return gv
}

// With returns the gauge for the given label values, in the order the label
// names were registered, creating it on first use. Call it with no arguments
// for an unlabelled gauge. It panics if the number of values does not match
// the number of label names.
func (gv *GaugeVec) With(labelValues ...string) *Gauge {
	return gv.v.with(labelValues)
}

func (gv *GaugeVec) writeSamples(w *expWriter) {
	for _, c := range gv.v.snapshot() {
		w.sample(gv.name, gv.labelNames, c.values, "", "", c.metric.Value())
	}
}

// gaugeFunc is an unlabelled gauge whose value is sampled at scrape time.
type gaugeFunc struct {
	desc
	f func() float64
}

// GaugeFunc registers an unlabelled gauge whose value is f's result at each
// scrape. It suits values owned elsewhere, such as queue depths or pool
// statistics, that would otherwise need copying into a Gauge on every
// change. f is called from the scraping goroutine, so it must be safe for
// concurrent use and should be quick. GaugeFunc panics if name is invalid or
// already registered, or if f is nil.
func (r *Registry) GaugeFunc(name, help string, f func() float64) {
	validateName(name)
	if f == nil {
		panic("metrics: GaugeFunc " + name + ": nil function")
	}
	r.register(&gaugeFunc{desc: desc{name: name, help: help, typ: "gauge"}, f: f}, name)
}

func (g *gaugeFunc) writeSamples(w *expWriter) {
	w.sample(g.name, nil, nil, "", "", g.f())
}
