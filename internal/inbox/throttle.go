package inbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/switchboardhq/switchboard"
)

// ThrottleOptions configures login throttling. Zero values take defaults.
type ThrottleOptions struct {
	// AccountFailures is how many failed logins an account may have from
	// one client address inside Window before that address is locked out
	// of it (default 5). Counting per address and account first means a
	// stranger who knows a login cannot lock its owner out.
	AccountFailures int
	// AccountTotalFailures is how many failed logins an account may have
	// from all addresses together before it is locked for everyone
	// (default 50): the brake on guessing from many addresses.
	AccountTotalFailures int
	// IPFailures is the same for one client address (default 20): it stops
	// password spraying across many accounts.
	IPFailures int
	// Window is the period failures are counted over (default 15 minutes).
	Window time.Duration
	// Lockout is the first lock-out; it doubles on each further failure
	// while locked, up to Window (default 1 minute).
	Lockout time.Duration
}

// Throttle counts failed logins per key (account, IP, a user's second
// factor, …) and tells when a key is locked. Its entries live in the store
// ([switchboard.ThrottleStore]), so every instance on one database counts
// the same failures and a guesser gains nothing by spreading attempts over
// them; the rules that move an entry are written here, once. When the
// store cannot be read or written, the throttle refuses the attempt (for
// a second) rather than let it through uncounted.
type Throttle struct {
	opts  ThrottleOptions
	store switchboard.ThrottleStore
	// Logger logs the store's failures; nil discards them.
	Logger *slog.Logger
}

// NewThrottle returns a Throttle on store with opts' zero fields set to
// defaults.
func NewThrottle(store switchboard.ThrottleStore, opts ThrottleOptions) *Throttle {
	if opts.AccountFailures <= 0 {
		opts.AccountFailures = 5
	}
	if opts.AccountTotalFailures <= 0 {
		opts.AccountTotalFailures = 50
	}
	if opts.IPFailures <= 0 {
		opts.IPFailures = 20
	}
	if opts.Window <= 0 {
		opts.Window = 15 * time.Minute
	}
	if opts.Lockout <= 0 {
		opts.Lockout = time.Minute
	}
	return &Throttle{opts: opts, store: store}
}

// Window is the period failures are counted over; the entries older than
// it are pruned ([switchboard.ThrottleStore.DeleteThrottles]).
func (t *Throttle) Window() time.Duration { return t.opts.Window }

// inFlightWait is the Retry-After for an attempt refused because earlier
// ones are still being checked (they end within a password hash), or
// because the store could not count it.
const inFlightWait = time.Second

// storeKey is what the store keeps for key: a hash, so neither logins nor
// client addresses are written down, and of a bounded size.
func storeKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

func (t *Throttle) update(ctx context.Context, key string, f func(e *switchboard.ThrottleEntry) bool) bool {
	if err := t.store.UpdateThrottle(ctx, storeKey(key), f); err != nil {
		if t.Logger != nil {
			t.Logger.Error("login throttle: the store failed; refusing the attempt", "err", err)
		}
		return false
	}
	return true
}

// end runs an update that ends an attempt: it is written even when the
// request that made it was cancelled, or its reservation would stay.
func (t *Throttle) end(ctx context.Context, key string, f func(e *switchboard.ThrottleEntry) bool) bool {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return t.update(ctx, key, f)
}

// fresh starts e over when its window has passed. Reservations go with
// it: attempts end within seconds, and one a crashed instance left must
// not count for ever.
func (t *Throttle) fresh(e *switchboard.ThrottleEntry, now time.Time) {
	if e.First.IsZero() || now.Sub(e.First) > t.opts.Window {
		*e = switchboard.ThrottleEntry{First: now}
	}
}

// Locked returns how long key stays locked at now, or 0.
func (t *Throttle) Locked(ctx context.Context, key string, now time.Time) time.Duration {
	var d time.Duration
	if !t.update(ctx, key, func(e *switchboard.ThrottleEntry) bool {
		d = 0
		if now.Before(e.LockedUntil) {
			d = e.LockedUntil.Sub(now)
		}
		return false
	}) {
		return inFlightWait
	}
	return d
}

// Begin reserves an attempt for key before the slow part (hashing) runs,
// and returns 0, or how long the caller must wait: while the key is locked,
// and while failures plus attempts in flight already reach limit, so that
// a concurrent burst gets no more guesses than a sequential one. End every
// reserved attempt with [Throttle.Fail], [Throttle.Abandon] or
// [Throttle.Reset].
func (t *Throttle) Begin(ctx context.Context, key string, limit int, now time.Time) time.Duration {
	var d time.Duration
	if !t.update(ctx, key, func(e *switchboard.ThrottleEntry) bool {
		t.fresh(e, now)
		switch {
		case now.Before(e.LockedUntil):
			d = e.LockedUntil.Sub(now)
			return false
		case e.Failures+e.Pending >= limit:
			d = inFlightWait
			return false
		}
		d = 0
		e.Pending++
		return true
	}) {
		return inFlightWait
	}
	return d
}

// Abandon ends an attempt reserved by Begin without counting a failure.
func (t *Throttle) Abandon(ctx context.Context, key string) {
	t.end(ctx, key, func(e *switchboard.ThrottleEntry) bool {
		if e.Pending == 0 {
			return false
		}
		e.Pending--
		return true
	})
}

// Fail records a failed attempt for key with the given limit (ending the
// attempt if Begin reserved it) and returns how long the key is now locked
// (0 if not).
func (t *Throttle) Fail(ctx context.Context, key string, limit int, now time.Time) time.Duration {
	var d time.Duration
	t.end(ctx, key, func(e *switchboard.ThrottleEntry) bool {
		t.fresh(e, now)
		if e.Pending > 0 {
			e.Pending--
		}
		e.Failures++
		d = 0
		if e.Failures < limit {
			return true
		}
		// Each failure past the limit doubles the lock-out, capped at
		// Window.
		d = t.opts.Lockout
		for i := limit; i < e.Failures && d < t.opts.Window; i++ {
			d *= 2
		}
		d = min(d, t.opts.Window)
		e.LockedUntil = now.Add(d)
		return true
	})
	return d
}

// Reset forgets key's failures and reservations, after a successful login.
func (t *Throttle) Reset(ctx context.Context, key string) {
	t.end(ctx, key, func(e *switchboard.ThrottleEntry) bool {
		*e = switchboard.ThrottleEntry{}
		return true
	})
}
