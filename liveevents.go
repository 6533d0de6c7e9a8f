package switchboard

import (
	"context"
	"time"
)

// LiveEventRetention is how long the shared log of live events keeps an
// event ([LiveEventLog]): a client reconnecting with an older last id is
// told to resync. EphemeralEventRetention is the same for events nothing
// else stores ([EventComposerActivity]).
const (
	LiveEventRetention      = time.Hour
	EphemeralEventRetention = 5 * time.Minute
)

// LiveEventLog is the shared, ordered log of live events that lets several
// instances on one database serve the same real-time stream: each instance
// appends the events it publishes and feeds its own hub from the log, and
// a reconnecting client's missed events are read from it (internal/realtime
// Relay). PostgreSQL implements it; a SQLite installation is one instance
// and keeps its events in memory.
//
// Positions are the event ids clients see: assigned by the store, they grow
// with every event, and an event becomes visible only after every event of
// a lower position that will ever be visible, so a reader that takes the
// events after the last position it saw never skips one.
type LiveEventLog interface {
	// AppendLiveEvents stores es (with their data and routing fields) in
	// one transaction and wakes every instance's listener once.
	AppendLiveEvents(ctx context.Context, es []Event) error
	// LiveEventsAfter returns up to n events with positions above after,
	// in position order, each with its position as ID. An event that
	// cannot be opened any more comes back as its ID alone (Type "").
	LiveEventsAfter(ctx context.Context, after int64, n int) ([]Event, error)
	// LiveEventBounds returns the positions of the oldest and the newest
	// event kept (0, 0 when there is none).
	LiveEventBounds(ctx context.Context) (oldest, newest int64, err error)
	// ListenLiveEvents calls ready once it listens and wake whenever
	// events were appended, until ctx ends or the connection is lost (an
	// error: the caller listens again).
	ListenLiveEvents(ctx context.Context, ready, wake func()) error
	// PruneLiveEvents deletes the events from before before, and the
	// ephemeral ones from before ephemeralBefore, always keeping the
	// newest, and reports how many.
	PruneLiveEvents(ctx context.Context, before, ephemeralBefore time.Time) (int, error)
}
