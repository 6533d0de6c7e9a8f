package inbox_test

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/inbox"
	"github.com/switchboardhq/switchboard/internal/password"
	"github.com/switchboardhq/switchboard/internal/sqlite"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newTokenService(t *testing.T) (*inbox.Service, *testClock, *switchboard.Actor) {
	t.Helper()
	clock := &testClock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"), sqlite.Options{Master: storetest.MasterKey(t), Migrate: true, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	h, _ := password.NewHasher(password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 2)
	svc := inbox.New(db, nil, h)
	svc.Clock = clock
	u := &switchboard.User{Login: "ada", Name: "Ada", RoleID: switchboard.RoleOperator, Active: true, PasswordHash: "x"}
	if err := db.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	r, _ := db.Role(context.Background(), switchboard.RoleOperator)
	return svc, clock, &switchboard.Actor{User: u, Role: r, SessionID: "s"}
}

func TestTokenExpiresAndRefreshFails(t *testing.T) {
	ctx := context.Background()
	svc, clock, a := newTokenService(t)
	tok, secret, err := svc.CreateToken(ctx, a, inbox.NewToken{
		Name: "hourly", Scopes: []switchboard.Permission{switchboard.PermConversationsReply}, ExpiresAt: clock.Now().Add(time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	ta, err := svc.Authenticate(ctx, secret, inbox.Client{IP: "192.0.2.7"})
	if err != nil {
		t.Fatal(err)
	}
	if ta.TokenID != tok.ID || ta.SessionID != "" || !slices.Equal(ta.Role.Permissions, []switchboard.Permission{switchboard.PermConversationsReply}) {
		t.Fatalf("token actor = %+v / %+v", ta, ta.Role)
	}
	if _, err := svc.Refresh(ctx, ta); err != nil {
		t.Fatalf("Refresh before expiry: %v", err)
	}
	clock.Add(time.Hour)
	if _, err := svc.Authenticate(ctx, secret, inbox.Client{}); switchboard.ErrorCode(err) != switchboard.EUnauthorized {
		t.Errorf("Authenticate at expiry: %v, want unauthorized", err)
	}
	if _, err := svc.Refresh(ctx, ta); switchboard.ErrorCode(err) != switchboard.EUnauthorized {
		t.Errorf("Refresh at expiry: %v, want unauthorized", err)
	}
}

// TestTokenRateRefills: the bucket holds a tenth of a minute's budget and
// refills at the token's rate; Retry-After says when the next request
// fits.
func TestTokenRateRefills(t *testing.T) {
	ctx := context.Background()
	svc, clock, a := newTokenService(t)
	_, secret, err := svc.CreateToken(ctx, a, inbox.NewToken{Name: "t", Scopes: []switchboard.Permission{switchboard.PermUsersRead}, RatePerMinute: 60})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		if _, err := svc.Authenticate(ctx, secret, inbox.Client{}); err != nil {
			t.Fatalf("request %d of the burst: %v", i+1, err)
		}
	}
	_, err = svc.Authenticate(ctx, secret, inbox.Client{})
	var e *switchboard.Error
	if switchboard.ErrorCode(err) != switchboard.ERateLimited || !asError(err, &e) || e.RetryAfter != 1 {
		t.Fatalf("7th request: %v, want rate_limited with Retry-After 1", err)
	}
	clock.Add(time.Second)
	if _, err := svc.Authenticate(ctx, secret, inbox.Client{}); err != nil {
		t.Errorf("after a second: %v", err)
	}
	if _, err := svc.Authenticate(ctx, secret, inbox.Client{}); switchboard.ErrorCode(err) != switchboard.ERateLimited {
		t.Errorf("second request in that second: %v, want rate_limited", err)
	}
}

func asError(err error, e **switchboard.Error) bool {
	v, ok := err.(*switchboard.Error)
	*e = v
	return ok
}

func TestTokenLimiterZeroValue(t *testing.T) {
	var l inbox.TokenLimiter
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for i := range inbox.DefaultTokenRate / 10 {
		if d := l.Take("a", 0, now); d != 0 {
			t.Fatalf("request %d waited %v", i+1, d)
		}
	}
	if d := l.Take("a", 0, now); d != 100*time.Millisecond {
		t.Errorf("past the burst: wait %v, want 100ms at the default 600/min", d)
	}
	if d := l.Take("b", 0, now); d != 0 {
		t.Errorf("another token waited %v", d)
	}
}
