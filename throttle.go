package switchboard

import (
	"context"
	"time"
)

// ThrottleEntry is the failed-attempt count of one throttle key (an
// account, a client address, a user's second factor, …) inside its
// window. The rules that move it live in inbox.Throttle.
type ThrottleEntry struct {
	// Failures counts failed attempts since First.
	Failures int
	// Pending counts attempts reserved and not yet ended (in flight on
	// some instance).
	Pending int
	// First is when the window began.
	First time.Time
	// LockedUntil is when the lock-out ends; zero when not locked.
	LockedUntil time.Time
}

// IsZero reports whether e holds nothing worth storing.
func (e ThrottleEntry) IsZero() bool {
	return e.Failures == 0 && e.Pending == 0 && e.LockedUntil.IsZero()
}

// ThrottleStore keeps the login throttle's entries in the database, so
// every instance on it counts the same failures (docs/deploy.md, "Shared
// state"). Keys are opaque strings of at most 64 bytes (the throttle
// stores a hash, never a login or address).
type ThrottleStore interface {
	// UpdateThrottle reads key's entry (the zero entry when there is
	// none), calls f on it and, when f returns true, stores what f left
	// (deleting the entry when it IsZero), atomically against every other
	// update of key. f may be called more than once.
	UpdateThrottle(ctx context.Context, key string, f func(e *ThrottleEntry) bool) error
	// DeleteThrottles forgets the entries whose window began before
	// before and whose lock-out has ended by now, and returns how many.
	DeleteThrottles(ctx context.Context, before, now time.Time) (int, error)
}
