package inbox

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/switchboardhq/switchboard"
)

// DefaultTokenRate is the request budget of an API token that sets none,
// in requests per minute.
const DefaultTokenRate = 600

// maxTokenBuckets bounds the limiter's memory: past it, buckets idle for
// longer than tokenBucketIdle are dropped (an idle bucket is full again
// anyway, so dropping it changes nothing).
const (
	maxTokenBuckets = 10000
	tokenBucketIdle = 10 * time.Minute
)

// TokenLimiter is the per-token rate limit: a token bucket per API token
// (golang.org/x/time/rate) that refills at the token's rate per minute and
// holds a tenth of a minute's budget (at least one request), so a program
// may burst briefly but not sustain more than its rate. Every request a
// token authenticates, on REST, the WebSocket and MCP, takes one. The zero
// value is ready to use with [DefaultTokenRate].
type TokenLimiter struct {
	// Default is the rate of tokens that set none; zero means
	// DefaultTokenRate.
	Default int

	mu      sync.Mutex
	buckets map[string]*tokenBucket
}

type tokenBucket struct {
	lim       *rate.Limiter
	perMinute int
	last      time.Time
}

// NewTokenLimiter returns a limiter with the given default rate per minute.
func NewTokenLimiter(defaultPerMinute int) *TokenLimiter {
	return &TokenLimiter{Default: defaultPerMinute}
}

// Take takes one request from token id's bucket at now, for a token whose
// own rate is perMinute (zero: the default). It returns zero when the
// request may go on, or how long the caller must wait.
func (l *TokenLimiter) Take(id string, perMinute int, now time.Time) time.Duration {
	if perMinute <= 0 {
		perMinute = l.Default
	}
	if perMinute <= 0 {
		perMinute = DefaultTokenRate
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = map[string]*tokenBucket{}
	}
	b := l.buckets[id]
	if b == nil || b.perMinute != perMinute {
		if len(l.buckets) >= maxTokenBuckets {
			for k, o := range l.buckets {
				if now.Sub(o.last) > tokenBucketIdle {
					delete(l.buckets, k)
				}
			}
		}
		b = &tokenBucket{lim: rate.NewLimiter(rate.Limit(float64(perMinute)/60), max(1, perMinute/10)), perMinute: perMinute}
		l.buckets[id] = b
	}
	b.last = now
	r := b.lim.ReserveN(now, 1)
	if !r.OK() {
		return time.Minute
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d
	}
	return 0
}

// Forget drops a token's bucket, e.g. once it is revoked.
func (l *TokenLimiter) Forget(id string) {
	l.mu.Lock()
	delete(l.buckets, id)
	l.mu.Unlock()
}

func errTokenRate(d time.Duration) error {
	return &switchboard.Error{
		Code:       switchboard.ERateLimited,
		Message:    "This API token has made too many requests. Slow down and retry after the time in Retry-After.",
		RetryAfter: max(int(math.Ceil(d.Seconds())), 1),
	}
}
