package realtime

import (
	"context"
	"sync"
	"time"
)

// Revalidator checks the sessions behind many sockets on one shared timer:
// one goroutine and one ticker for all of them, instead of a goroutine and
// a timer per socket, which is what an idle socket mostly cost. It runs
// while at least one socket is registered. The zero value is usable, with
// DefaultRevalidateInterval.
type Revalidator struct {
	// Interval is how often every socket's check runs;
	// DefaultRevalidateInterval if zero.
	Interval time.Duration

	mu      sync.Mutex
	checks  map[*revalCheck]struct{}
	running bool
}

// revalCheck is one socket's session check.
type revalCheck struct {
	ctx   context.Context // the socket's; the check stops with it
	check func(ctx context.Context) error
	errc  chan error // buffered; receives the first failure
}

// add registers check for a socket whose lifetime is ctx. The returned
// channel receives check's error once it fails, after which it is not run
// again; remove unregisters it.
func (r *Revalidator) add(ctx context.Context, check func(ctx context.Context) error) (failed <-chan error, remove func()) {
	c := &revalCheck{ctx: ctx, check: check, errc: make(chan error, 1)}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.checks == nil {
		r.checks = map[*revalCheck]struct{}{}
	}
	r.checks[c] = struct{}{}
	if !r.running {
		r.running = true
		go r.loop()
	}
	return c.errc, func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		delete(r.checks, c)
	}
}

// loop runs every registered check once per interval until none is left.
func (r *Revalidator) loop() {
	interval := r.Interval
	if interval <= 0 {
		interval = DefaultRevalidateInterval
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	var due []*revalCheck
	for range t.C {
		r.mu.Lock()
		if len(r.checks) == 0 {
			r.running = false
			r.mu.Unlock()
			return
		}
		due = due[:0]
		for c := range r.checks {
			due = append(due, c)
		}
		r.mu.Unlock()
		for _, c := range due {
			if c.ctx.Err() != nil {
				continue
			}
			if err := c.check(c.ctx); err != nil && c.ctx.Err() == nil {
				r.mu.Lock()
				delete(r.checks, c)
				r.mu.Unlock()
				c.errc <- err
			}
		}
	}
}
