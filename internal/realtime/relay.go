package realtime

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboardhq/switchboard"
)

// Defaults for [Relay].
const (
	// DefaultPoll is how often a relay reads the log without a wake-up,
	// in case a notification was lost.
	DefaultPoll = 1500 * time.Millisecond
	// DefaultPruneEvery is how often a relay prunes the log.
	DefaultPruneEvery = time.Minute
	// DefaultMaxPending bounds the events published but not yet written.
	DefaultMaxPending = 100000
	// appendBatch is the most events one append transaction carries.
	appendBatch = 500
	readPage    = 1000
)

// Relay makes a [Hub] one of several instances sharing a
// [switchboard.LiveEventLog] (PostgreSQL's live_events): the events
// published on this instance are appended to the log, batched into one
// transaction and one notification per batch, and every instance's relay
// reads the log after the last position it delivered, when notified and
// every Poll, and fans each event out to its own hub with the position as
// its id. A client can thus reconnect to any instance with its last id:
// what that hub's ring lacks is read from the log.
//
// Publishing never blocks: events wait in a bounded queue for the writer.
type Relay struct {
	Hub *Hub
	Log switchboard.LiveEventLog
	// Poll is the fallback read interval (DefaultPoll); Retention and
	// EphemeralRetention how long the log keeps events
	// (switchboard.LiveEventRetention, switchboard.EphemeralEventRetention);
	// PruneEvery how often this relay prunes it (DefaultPruneEvery).
	Poll, Retention, EphemeralRetention, PruneEvery time.Duration
	// MaxPending bounds the queue of events not yet written
	// (DefaultMaxPending); beyond it events are dropped and logged.
	MaxPending int
	Now        func() time.Time
	Logger     *slog.Logger

	mu      sync.Mutex
	pending []switchboard.Event
	closed  bool

	write, read chan struct{} // wake the writer, the reader
	stop        chan struct{} // closed by Close: the writer drains and ends
	cancel      context.CancelFunc
	wg          sync.WaitGroup
	listening   chan struct{} // closed once the first LISTEN is in place
	listenOnce  sync.Once

	dropped, appended, delivered atomic.Uint64
}

// RelayStats are a relay's counters, for /metrics.
type RelayStats struct {
	Appended  uint64 // events written to the log
	Delivered uint64 // events read from the log into the hub
	Dropped   uint64 // events dropped because the queue was full
	Pending   int    // events waiting to be written
}

// Start reads where the log is, attaches the relay to its hub (whose ids
// become the log's positions) and starts the writer, the reader, the
// listener and the pruner. Call it before the hub has subscribers; stop
// with [Relay.Close].
func (r *Relay) Start(ctx context.Context) error {
	if r.Hub == nil || r.Log == nil {
		return errors.New("realtime: relay needs a hub and a log")
	}
	if r.Poll <= 0 {
		r.Poll = DefaultPoll
	}
	if r.Retention <= 0 {
		r.Retention = switchboard.LiveEventRetention
	}
	if r.EphemeralRetention <= 0 {
		r.EphemeralRetention = switchboard.EphemeralEventRetention
	}
	if r.PruneEvery <= 0 {
		r.PruneEvery = DefaultPruneEvery
	}
	if r.MaxPending <= 0 {
		r.MaxPending = DefaultMaxPending
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.Logger == nil {
		r.Logger = slog.New(slog.DiscardHandler)
	}
	_, newest, err := r.Log.LiveEventBounds(ctx)
	if err != nil {
		return err
	}
	h := r.Hub
	h.mu.Lock()
	h.relay = r
	// Everything up to newest is in the log; the ring holds what comes.
	h.latest, h.evicted = newest, newest
	h.mu.Unlock()

	r.write, r.read = make(chan struct{}, 1), make(chan struct{}, 1)
	r.stop, r.listening = make(chan struct{}), make(chan struct{})
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r.cancel = cancel
	r.wg.Add(3)
	go r.runReader(rctx, newest)
	go r.runListener(rctx)
	go r.runPruner(rctx)
	// The writer has its own lifetime: Close lets it drain first.
	r.wg.Add(1)
	go r.runWriter()
	return nil
}

// Listening is closed once the relay listens for notifications.
func (r *Relay) Listening() <-chan struct{} { return r.listening }

// Close writes what is still queued (for up to 5 s), then stops the relay.
func (r *Relay) Close() {
	r.mu.Lock()
	if r.closed || r.stop == nil {
		r.mu.Unlock()
		return
	}
	r.closed = true
	r.mu.Unlock()
	close(r.stop)
	r.wg.Wait()
}

// Publish queues e for the log; the hub's own Publish calls it.
func (r *Relay) Publish(_ context.Context, e switchboard.Event) {
	if e.At.IsZero() {
		e.At = r.Now()
	}
	r.mu.Lock()
	if r.closed || len(r.pending) >= r.MaxPending {
		closed := r.closed
		r.mu.Unlock()
		if !closed {
			r.dropped.Add(1)
			r.Logger.Error("realtime: event queue full, event dropped", "type", e.Type)
		}
		return
	}
	r.pending = append(r.pending, e)
	r.mu.Unlock()
	signal(r.write)
}

// Stats returns the relay's counters.
func (r *Relay) Stats() RelayStats {
	r.mu.Lock()
	n := len(r.pending)
	r.mu.Unlock()
	return RelayStats{Appended: r.appended.Load(), Delivered: r.delivered.Load(), Dropped: r.dropped.Load(), Pending: n}
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// runWriter appends queued events in batches, retrying a failed batch
// until it is written; on Close it drains the queue, then stops the
// reader, the listener and the pruner.
func (r *Relay) runWriter() {
	defer r.wg.Done()
	defer r.cancel()
	backoff := 100 * time.Millisecond
	for {
		select {
		case <-r.write:
		case <-r.stop:
			r.drain()
			return
		}
		for r.Stats().Pending > 0 {
			ctx, cancel := context.WithTimeout(context.Background(), appendTimeout)
			err := r.flush(ctx)
			cancel()
			if err == nil {
				backoff = 100 * time.Millisecond
				continue
			}
			r.Logger.Warn("realtime: writing events to the log", "err", err)
			select {
			case <-time.After(backoff):
			case <-r.stop:
				r.drain()
				return
			}
			backoff = min(2*backoff, 2*time.Second)
		}
	}
}

// appendTimeout bounds one append; drainTimeout the last ones on Close.
const (
	appendTimeout = 30 * time.Second
	drainTimeout  = 5 * time.Second
)

// drain writes what is queued, giving up after drainTimeout.
func (r *Relay) drain() {
	ctx, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	for r.Stats().Pending > 0 {
		if err := r.flush(ctx); err != nil {
			r.Logger.Error("realtime: events not written at shutdown", "err", err, "events", r.Stats().Pending)
			return
		}
	}
}

// flush appends the oldest queued batch and removes it from the queue.
func (r *Relay) flush(ctx context.Context) error {
	r.mu.Lock()
	n := min(len(r.pending), appendBatch)
	batch := append([]switchboard.Event(nil), r.pending[:n]...)
	r.mu.Unlock()
	if n == 0 {
		return nil
	}
	if err := r.Log.AppendLiveEvents(ctx, batch); err != nil {
		return err
	}
	r.mu.Lock()
	r.pending = r.pending[n:]
	if len(r.pending) == 0 {
		r.pending = nil
	}
	r.mu.Unlock()
	r.appended.Add(uint64(n))
	// This instance's reader need not wait for the notification.
	signal(r.read)
	return nil
}

// runReader delivers the log's events after cursor to the hub, in
// position order, when woken and every Poll.
func (r *Relay) runReader(ctx context.Context, cursor int64) {
	defer r.wg.Done()
	t := time.NewTicker(r.Poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.read:
		case <-t.C:
		}
		for {
			es, err := r.Log.LiveEventsAfter(ctx, cursor, readPage)
			if err != nil {
				if ctx.Err() == nil {
					r.Logger.Warn("realtime: reading events from the log", "err", err)
				}
				break
			}
			for _, e := range es {
				r.Hub.deliver(e)
				cursor = e.ID
			}
			r.delivered.Add(uint64(len(es)))
			if len(es) < readPage {
				break
			}
		}
	}
}

// runListener keeps a LISTEN connection, reconnecting with a backoff; each
// (re)connection wakes the reader for what was missed meanwhile.
func (r *Relay) runListener(ctx context.Context) {
	defer r.wg.Done()
	backoff := 100 * time.Millisecond
	for {
		err := r.Log.ListenLiveEvents(ctx, func() {
			backoff = 100 * time.Millisecond
			r.listenOnce.Do(func() { close(r.listening) })
			signal(r.read)
		}, func() { signal(r.read) })
		if ctx.Err() != nil {
			return
		}
		r.Logger.Warn("realtime: listening for events; polling meanwhile", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

// runPruner deletes events older than the retention windows.
func (r *Relay) runPruner(ctx context.Context) {
	defer r.wg.Done()
	t := time.NewTicker(r.PruneEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := r.Now()
		if _, err := r.Log.PruneLiveEvents(ctx, now.Add(-r.Retention), now.Add(-r.EphemeralRetention)); err != nil && ctx.Err() == nil {
			r.Logger.Warn("realtime: pruning the event log", "err", err)
		}
	}
}
