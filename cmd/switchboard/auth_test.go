package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/worker"
)

// TestSetupChecksTokenBeforeHashing: POST /api/v1/setup hashes no
// password for a wrong token, throttles wrong tokens per client address,
// and once a user exists refuses every request before any hashing (issue
// 14, Medium 8: unauthenticated argon2id work).
func TestSetupChecksTokenBeforeHashing(t *testing.T) {
	app := startApp(t, nil)
	anon := app.client("")
	_, token, _ := strings.Cut(app.SetupURL, "#token=")
	body := map[string]string{"token": "wrong", "login": "root", "name": "Root", "password": testPassword}
	before := app.Service.Passwords.Count()
	for i := range 10 {
		if got, b := anon.do("POST", "/api/v1/setup", body); got != 404 {
			t.Fatalf("wrong token #%d = %d %s", i+1, got, b)
		}
	}
	got, b := anon.do("POST", "/api/v1/setup", body)
	if got != 429 {
		t.Fatalf("11th wrong token = %d %s, want 429", got, b)
	}
	if n := app.Service.Passwords.Count() - before; n != 0 {
		t.Fatalf("%d password hashes for wrong setup tokens, want 0", n)
	}
	// The right token from another address still works (the lock is per
	// client address); here the test resets it the way the window would.
	app.Service.Throttle.Reset(context.Background(), "setup-ip:127.0.0.1")
	body["token"] = token
	anon.must(201, "POST", "/api/v1/setup", body, nil)
	before = app.Service.Passwords.Count()
	for _, tok := range []string{token, "wrong"} {
		body["token"] = tok
		if got, b := anon.do("POST", "/api/v1/setup", body); got != 409 {
			t.Fatalf("setup after the first user (token %q) = %d %s, want 409", tok, got, b)
		}
	}
	if n := app.Service.Passwords.Count() - before; n != 0 {
		t.Fatalf("%d password hashes for setup after the first user, want 0", n)
	}
}

func TestSetupLinkIsSingleUse(t *testing.T) {
	app := startApp(t, nil)
	anon := app.client("")
	var st struct{ Needed bool }
	anon.must(200, "GET", "/api/v1/setup", nil, &st)
	if !st.Needed {
		t.Fatal("setup not needed on an empty database")
	}
	_, token, ok := strings.Cut(app.SetupURL, "#token=")
	if !ok || len(token) < 40 {
		t.Fatalf("setup link %q", app.SetupURL)
	}
	body := map[string]string{"token": "wrong", "login": "root", "name": "Root", "password": testPassword}
	if got, b := anon.do("POST", "/api/v1/setup", body); got != 404 {
		t.Fatalf("wrong token = %d %s", got, b)
	}
	body["token"] = token
	body["password"] = "short"
	if got, b := anon.do("POST", "/api/v1/setup", body); got != 422 || errorCode(t, b) != "password_policy" {
		t.Fatalf("weak password = %d %s", got, b)
	}
	body["password"] = testPassword
	anon.must(201, "POST", "/api/v1/setup", body, nil)
	if got, b := anon.do("POST", "/api/v1/setup", body); got != 409 {
		t.Fatalf("second use = %d %s", got, b)
	}
	anon.must(200, "GET", "/api/v1/setup", nil, &st)
	if st.Needed {
		t.Fatal("setup still needed after creating the administrator")
	}
	if tok, _ := app.System.SetupToken(context.Background()); tok != "" {
		t.Fatal("a setup token was issued although users exist")
	}
}

func TestLoginAndLogout(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	var me struct {
		User struct{ Login string }
		Role struct{ ID string }
	}
	admin.must(200, "GET", "/api/v1/me", nil, &me)
	if me.User.Login != "admin" || me.Role.ID != "admin" {
		t.Fatalf("me = %+v", me)
	}
	// Logins are case-insensitive.
	var resp struct{ Token string }
	app.client("").must(201, "POST", "/api/v1/session", map[string]string{"login": "ADMIN", "password": testPassword}, &resp)
	second := app.client(resp.Token)
	second.must(204, "DELETE", "/api/v1/session", nil, nil)
	if got, _ := second.do("GET", "/api/v1/me", nil); got != 401 {
		t.Fatalf("after logout = %d", got)
	}
	admin.must(200, "GET", "/api/v1/me", nil, nil) // the other session lives on
}

func TestLoginSetsHardenedCookie(t *testing.T) {
	app := startApp(t, map[string]string{"SWITCHBOARD_PUBLIC_URL": "https://inbox.example.de"})
	app.setupAdmin()
	req, _ := http.NewRequest("POST", app.URL+"/api/v1/session", strings.NewReader(`{"login":"admin","password":"`+testPassword+`"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	c := resp.Cookies()
	if len(c) != 1 || c[0].Name != "switchboard_session" || !c[0].HttpOnly || !c[0].Secure || c[0].SameSite != http.SameSiteLaxMode {
		t.Fatalf("cookie = %+v", c)
	}
	// The cookie authenticates like the bearer token.
	req, _ = http.NewRequest("GET", app.URL+"/api/v1/me", nil)
	req.AddCookie(&http.Cookie{Name: c[0].Name, Value: c[0].Value})
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("cookie auth = %d", resp.StatusCode)
	}
	// A cookie-authenticated write from another site is refused (CSRF).
	req, _ = http.NewRequest("DELETE", app.URL+"/api/v1/session", nil)
	req.AddCookie(&http.Cookie{Name: c[0].Name, Value: c[0].Value})
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("cross-site write = %d, want 403", resp.StatusCode)
	}
}

func TestLoginThrottling(t *testing.T) {
	app := startApp(t, nil)
	app.setupAdmin()
	anon := app.client("")
	var last int
	var retry string
	for i := 0; i < 8; i++ {
		req, _ := http.NewRequest("POST", app.URL+"/api/v1/session", strings.NewReader(`{"login":"admin","password":"nope nope nope"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		last, retry = resp.StatusCode, resp.Header.Get("Retry-After")
		if i < 4 && last != 401 {
			t.Fatalf("attempt %d = %d, want 401", i+1, last)
		}
	}
	if last != 429 {
		t.Fatalf("after 8 failures = %d, want 429", last)
	}
	if n, err := strconv.Atoi(retry); err != nil || n < 1 {
		t.Fatalf("Retry-After = %q", retry)
	}
	// Even the right password is refused while locked, without hashing.
	if got, b := anon.do("POST", "/api/v1/session", map[string]string{"login": "admin", "password": testPassword}); got != 429 || errorCode(t, b) != "rate_limited" {
		t.Fatalf("locked login = %d %s", got, b)
	}
	// Failed and throttled logins are audited.
	entries, _, err := app.Store.AuditEntries(context.Background(), auditFilter("session.login"))
	if err != nil {
		t.Fatal(err)
	}
	outcomes := map[string]int{}
	for _, e := range entries {
		outcomes[e.Outcome]++
	}
	if outcomes["failure"] < 4 || outcomes["denied"] < 1 || outcomes["success"] < 1 {
		t.Fatalf("login audit outcomes = %v", outcomes)
	}
}

func TestDeactivationEndsSessionsAndSockets(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	emp, u := app.createUser(admin, "emma", "employee")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(app.URL, "http")+"/api/v1/events",
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + emp.token}}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	closed := make(chan error, 1)
	go func() {
		for {
			if _, _, err := conn.Read(ctx); err != nil {
				closed <- err
				return
			}
		}
	}()
	start := time.Now()
	admin.must(200, "PATCH", "/api/v1/users/"+u.ID, map[string]bool{"active": false}, nil)
	select {
	case err := <-closed:
		if websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
			t.Fatalf("socket closed with %v, want policy violation", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("socket closed after %v, want within 5s", d)
		}
	case <-time.After(6 * time.Second):
		t.Fatal("socket still open 6s after deactivation")
	}
	if got, _ := emp.do("GET", "/api/v1/me", nil); got != 401 {
		t.Fatalf("deactivated user's session = %d, want 401", got)
	}
	if got, _ := app.client("").do("POST", "/api/v1/session", map[string]string{"login": "emma", "password": testPassword}); got != 401 {
		t.Fatalf("deactivated user's login = %d, want 401", got)
	}
}

func TestPasswordChangeEndsSessions(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	emp, _ := app.createUser(admin, "paul", "employee")
	other := app.login("paul")
	if got, b := emp.do("POST", "/api/v1/me/password", map[string]string{"current_password": "not it at all", "new_password": "another long passphrase"}); got != 400 {
		t.Fatalf("wrong current password = %d %s", got, b)
	}
	if got, b := emp.do("POST", "/api/v1/me/password", map[string]string{"current_password": testPassword, "new_password": "1234567890"}); got != 422 || errorCode(t, b) != "password_policy" {
		t.Fatalf("common password = %d %s", got, b)
	}
	emp.must(204, "POST", "/api/v1/me/password", map[string]string{"current_password": testPassword, "new_password": "another long passphrase"}, nil)
	for _, c := range []*client{emp, other} {
		if got, _ := c.do("GET", "/api/v1/me", nil); got != 401 {
			t.Fatalf("session after password change = %d, want 401", got)
		}
	}
	app.client("").must(201, "POST", "/api/v1/session", map[string]string{"login": "paul", "password": "another long passphrase"}, nil)
}

func TestBadInput(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	cases := []struct {
		name, method, path string
		body               any
		want               int
		code               string
	}{
		{"unknown field", "POST", "/api/v1/users", `{"login":"a1","name":"A","role_id":"employee","password":"` + testPassword + `","is_admin":true}`, 400, "invalid"},
		{"mass assignment of id", "POST", "/api/v1/users", `{"id":"x","login":"a2","name":"A","role_id":"employee","password":"` + testPassword + `"}`, 400, "invalid"},
		{"not json", "POST", "/api/v1/users", `login=a`, 400, "invalid"},
		{"two objects", "POST", "/api/v1/roles", `{"name":"a"}{"name":"b"}`, 400, "invalid"},
		{"wrong type", "PATCH", "/api/v1/users/0123456789abcdef0123456789abcdef", `{"active":"yes"}`, 400, "invalid"},
		{"too large", "POST", "/api/v1/roles", `{"name":"` + strings.Repeat("x", 2<<20) + `"}`, 413, "too_large"},
		{"bad login", "POST", "/api/v1/users", map[string]string{"login": "a b", "name": "A", "role_id": "employee", "password": testPassword}, 400, "invalid"},
		{"unknown role", "POST", "/api/v1/users", map[string]string{"login": "ab", "name": "A", "role_id": "boss", "password": testPassword}, 400, "invalid"},
		{"unknown permission", "POST", "/api/v1/roles", map[string]any{"name": "X", "permissions": []string{"everything"}}, 400, "invalid"},
		{"bad assignment filter", "GET", "/api/v1/conversations?assignment=everyone", nil, 400, "invalid"},
		{"bad status filter", "GET", "/api/v1/conversations?status=archived", nil, 400, "invalid"},
		{"bad limit", "GET", "/api/v1/conversations?limit=100000", nil, 400, "invalid"},
		{"bad cursor", "GET", "/api/v1/conversations?cursor=not-a-cursor", nil, 400, "invalid"},
		{"bad audit time", "GET", "/api/v1/audit?since=yesterday", nil, 400, "invalid"},
		{"malformed id", "GET", "/api/v1/conversations/../../etc", nil, 404, ""},
		{"built-in role edit", "PATCH", "/api/v1/roles/admin", map[string]string{"name": "Boss"}, 400, "invalid"},
		{"non-id path", "PATCH", "/api/v1/users/self", map[string]string{"name": "x"}, 404, "not_found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			admin.t = t
			got, body := admin.do(tc.method, tc.path, tc.body)
			if got != tc.want {
				t.Fatalf("= %d, want %d: %.300s", got, tc.want, body)
			}
			if tc.code != "" && errorCode(t, body) != tc.code {
				t.Fatalf("code = %s, want %s", errorCode(t, body), tc.code)
			}
		})
	}
	// Nothing was created by the refused requests.
	var users struct{ Items []struct{ Login string } }
	admin.t = t
	admin.must(200, "GET", "/api/v1/users", nil, &users)
	if len(users.Items) != 1 {
		t.Fatalf("users after bad input = %+v", users.Items)
	}
	var me struct{ User struct{ ID string } }
	admin.must(200, "GET", "/api/v1/me", nil, &me)
	if got, b := admin.do("PATCH", "/api/v1/users/"+me.User.ID, map[string]bool{"active": false}); got != 400 {
		t.Fatalf("self deactivation = %d %s", got, b)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	app := startApp(t, nil)
	anon := app.client("")
	anon.must(200, "GET", "/healthz", nil, nil)
	anon.must(200, "GET", "/readyz", nil, nil)
	anon.do("GET", "/api/v1/me", nil)
	got, body := anon.do("GET", "/metrics", nil)
	if got != 200 {
		t.Fatalf("metrics = %d", got)
	}
	for _, want := range []string{
		`switchboard_http_request_duration_seconds_bucket{code="401",method="get",route="GET /api/v1/me",le="0.005"}`,
		"switchboard_db_open_connections", "switchboard_realtime_subscribers", "switchboard_db_write_queue", "go_goroutines",
		"# TYPE switchboard_realtime_events_published_total counter", "# TYPE switchboard_db_wait_count_total counter",
	} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestMetricsOnSeparateAddress: with SWITCHBOARD_METRICS_ADDR, /metrics
// is served only there, so the public port does not expose it even
// without a proxy rule.
func TestMetricsOnSeparateAddress(t *testing.T) {
	app := startApp(t, map[string]string{"SWITCHBOARD_METRICS_ADDR": "127.0.0.1:0"})
	anon := app.client("")
	anon.must(200, "GET", "/healthz", nil, nil)
	if got, body := anon.do("GET", "/metrics", nil); got != 404 || bytes.Contains(body, []byte("switchboard_")) {
		t.Fatalf("/metrics on the main address: %d", got)
	}
	if app.MetricsAddr() == "" {
		t.Fatal("no metrics listener")
	}
	resp, err := httpGet("http://" + app.MetricsAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`switchboard_http_request_duration_seconds_count{code="200",method="get",route="GET /healthz"} 1`)) {
		t.Fatalf("metrics address: %d %.200s", resp.StatusCode, body)
	}
	if resp, err := httpGet("http://" + app.MetricsAddr() + "/api/v1/setup"); err != nil || resp.StatusCode != 404 {
		t.Fatalf("the metrics address serves the API: %v %v", err, resp.StatusCode)
	}
}

// shiftedClock is the wall clock moved by an offset, to age sessions. The
// app's background jobs read it while a test moves it, so the offset is
// atomic.
type shiftedClock struct{ offset atomic.Int64 }

func (c *shiftedClock) Now() time.Time { return time.Now().UTC().Add(c.get()) }

func (c *shiftedClock) get() time.Duration  { return time.Duration(c.offset.Load()) }
func (c *shiftedClock) set(d time.Duration) { c.offset.Store(int64(d)) }
func (c *shiftedClock) add(d time.Duration) { c.offset.Add(int64(d)) }

// withClock installs clock as the service's clock while the app opens,
// before any background job reads it.
func withClock(clock switchboard.Clock) func(*App) {
	return func(a *App) { a.SenderOptions = func(*worker.Sender) { a.Service.Clock = clock } }
}

func TestSessionIdleAndAbsoluteExpiry(t *testing.T) {
	clock := &shiftedClock{}
	app := startApp(t, nil, withClock(clock))
	admin := app.setupAdmin()

	// Activity within the idle timeout keeps the session alive...
	clock.set(app.Service.SessionIdle - time.Minute)
	admin.must(200, "GET", "/api/v1/me", nil, nil)
	// ...and extends it.
	clock.add(app.Service.SessionIdle - time.Minute)
	admin.must(200, "GET", "/api/v1/me", nil, nil)
	// Idle for longer than the timeout: gone.
	clock.add(app.Service.SessionIdle + time.Minute)
	if got, _ := admin.do("GET", "/api/v1/me", nil); got != 401 {
		t.Fatalf("idle session = %d, want 401", got)
	}

	// The absolute limit ends even a busy session.
	clock.set(0)
	busy := app.login("admin")
	for clock.get() < app.Service.SessionMax {
		busy.must(200, "GET", "/api/v1/me", nil, nil)
		clock.add(app.Service.SessionIdle / 2)
	}
	if got, _ := busy.do("GET", "/api/v1/me", nil); got != 401 {
		t.Fatalf("session past its absolute expiry = %d, want 401", got)
	}
}

func TestExpiredSessionsAreDeleted(t *testing.T) {
	clock := &shiftedClock{}
	app := startApp(t, nil, withClock(clock))
	admin := app.setupAdmin()
	var me struct{ User struct{ ID string } }
	admin.must(200, "GET", "/api/v1/me", nil, &me)
	clock.set(app.Service.SessionIdle + time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.expireSessions(ctx, time.Hour) }() // sweeps at once
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := app.Store.Session(context.Background(), HashTokenForTest(admin.token))
		if err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("an idle-expired session is still stored")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestLoginBurstGetsNoMoreGuesses: a concurrent burst of wrong passwords
// for one account gets at most the limit of 5 checked guesses; the rest are
// refused with 429 before hashing, and the account is locked afterwards
// even for the right password (issue 14, Low 16).
func TestLoginBurstGetsNoMoreGuesses(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	app.createUser(admin, "burst", "employee")
	before := app.Service.Passwords.Count()
	var wg sync.WaitGroup
	codes := make(chan int, 16)
	for range 16 {
		wg.Go(func() {
			code, _ := app.client("").do("POST", "/api/v1/session", map[string]string{"login": "burst", "password": "wrong password " + strconv.Itoa(len(codes))})
			codes <- code
		})
	}
	wg.Wait()
	close(codes)
	counts := map[int]int{}
	for c := range codes {
		counts[c]++
	}
	if counts[401] > 5 || counts[401]+counts[429] != 16 {
		t.Fatalf("burst answers %v: more than 5 guesses were checked", counts)
	}
	if n := app.Service.Passwords.Count() - before; n > 5 {
		t.Fatalf("%d password hashes for a burst on one account, want at most 5", n)
	}
	if code, _ := app.client("").do("POST", "/api/v1/session", map[string]string{"login": "burst", "password": testPassword}); code != 429 {
		t.Fatalf("right password after the burst = %d, want 429", code)
	}
}
