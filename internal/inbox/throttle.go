package inbox

import (
	"sync"
	"time"
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
	// MaxKeys bounds memory: past it the oldest entries are dropped
	// (default 100,000).
	MaxKeys int
}

// Throttle counts failed logins per key (account or IP) in memory and tells
// when a key is locked. Throttling state is per instance on purpose: it is a
// brake, not a ledger, and must never depend on the database being writable.
type Throttle struct {
	opts ThrottleOptions
	mu   sync.Mutex
	keys map[string]*throttleEntry
}

type throttleEntry struct {
	failures    int
	pending     int // attempts reserved by Begin and not yet ended
	first       time.Time
	lockedUntil time.Time
}

// NewThrottle returns a Throttle with opts' zero fields set to defaults.
func NewThrottle(opts ThrottleOptions) *Throttle {
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
	if opts.MaxKeys <= 0 {
		opts.MaxKeys = 100_000
	}
	return &Throttle{opts: opts, keys: make(map[string]*throttleEntry)}
}

// Locked returns how long key stays locked at now, or 0.
func (t *Throttle) Locked(key string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.keys[key]
	if e == nil || !now.Before(e.lockedUntil) {
		return 0
	}
	return e.lockedUntil.Sub(now)
}

// inFlightWait is the Retry-After for an attempt refused because earlier
// ones are still being checked: they end within a password hash.
const inFlightWait = time.Second

// Begin reserves an attempt for key before the slow part (hashing) runs,
// and returns 0, or how long the caller must wait: while the key is locked,
// and while failures plus attempts in flight already reach limit, so that
// a concurrent burst gets no more guesses than a sequential one. End every
// reserved attempt with [Throttle.Fail], [Throttle.Abandon] or
// [Throttle.Reset].
func (t *Throttle) Begin(key string, limit int, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.entryLocked(key, now)
	if now.Before(e.lockedUntil) {
		return e.lockedUntil.Sub(now)
	}
	if e.failures+e.pending >= limit {
		return inFlightWait
	}
	e.pending++
	return 0
}

// Abandon ends an attempt reserved by Begin without counting a failure.
func (t *Throttle) Abandon(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e := t.keys[key]; e != nil && e.pending > 0 {
		e.pending--
	}
}

// entryLocked returns key's entry, starting a fresh one when there is none
// or its window has passed (keeping attempts in flight).
func (t *Throttle) entryLocked(key string, now time.Time) *throttleEntry {
	e := t.keys[key]
	if e == nil || now.Sub(e.first) > t.opts.Window {
		if e == nil && len(t.keys) >= t.opts.MaxKeys {
			t.evictLocked(now)
		}
		fresh := &throttleEntry{first: now}
		if e != nil {
			fresh.pending = e.pending
		}
		e = fresh
		t.keys[key] = e
	}
	return e
}

// Fail records a failed attempt for key with the given limit (ending the
// attempt if Begin reserved it) and returns how long the key is now locked
// (0 if not).
func (t *Throttle) Fail(key string, limit int, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.entryLocked(key, now)
	if e.pending > 0 {
		e.pending--
	}
	e.failures++
	if e.failures < limit {
		return 0
	}
	// Each failure past the limit doubles the lock-out, capped at Window.
	d := t.opts.Lockout
	for i := limit; i < e.failures && d < t.opts.Window; i++ {
		d *= 2
	}
	d = min(d, t.opts.Window)
	e.lockedUntil = now.Add(d)
	return d
}

// Reset forgets key's failures and reservations, after a successful login.
func (t *Throttle) Reset(key string) {
	t.mu.Lock()
	delete(t.keys, key)
	t.mu.Unlock()
}

// evictLocked drops expired entries, and if none expired, an arbitrary
// tenth of the map, so a flood of random keys cannot grow memory.
func (t *Throttle) evictLocked(now time.Time) {
	for k, e := range t.keys {
		if now.Sub(e.first) > t.opts.Window && !now.Before(e.lockedUntil) && e.pending == 0 {
			delete(t.keys, k)
		}
	}
	if len(t.keys) < t.opts.MaxKeys {
		return
	}
	n := t.opts.MaxKeys / 10
	for k := range t.keys {
		if n == 0 {
			break
		}
		delete(t.keys, k)
		n--
	}
}
