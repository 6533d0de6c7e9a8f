package switchboard

import "context"

// Lease is the leadership among the instances that share one database:
// the singleton jobs (template sync, retention, scheduled backups,
// pruning, report rollups, the search index catch-up) run only on the
// instance that holds it, while the queue workers run everywhere and
// share their queues by row locks. PostgreSQL holds it as a session
// advisory lock on a connection of its own; a single-instance store uses
// [SoleLease].
type Lease interface {
	// Acquire waits until this instance holds the lease, or ctx ends.
	// held ends when the lease is lost (its connection failed or was
	// ended by the server) or when release is called; release gives the
	// lease up so another instance can take it, and must be called once
	// the work started under held has stopped.
	Acquire(ctx context.Context) (held context.Context, release func(), err error)
}

// SoleLease is the [Lease] of an instance that is alone on its database:
// it is held at once and only lost when ctx ends. SQLite uses it, since a
// second instance on the same file is refused.
type SoleLease struct{}

var _ Lease = SoleLease{}

// Acquire returns at once with a context that ends with ctx.
func (SoleLease) Acquire(ctx context.Context) (context.Context, func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	held, cancel := context.WithCancel(ctx)
	return held, cancel, nil
}
