package emulator

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testToken  = "EAAtesttoken"
	testSecret = "app-secret"
	testPNID   = "106540352242922"
	testWABA   = "102290129340398"
	testDisp   = "15550783881"
)

// fakeClock is a controllable clock for Config.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// received is one webhook POST as the receiver saw it.
type received struct {
	body   []byte
	header http.Header
	status int
}

// receiver is a webhook endpoint that verifies signatures like Switchboard must.
type receiver struct {
	t      testing.TB
	srv    *httptest.Server
	mu     sync.Mutex
	all    []received
	script []int // status codes to answer, in order; 200 afterwards
}

func newReceiver(t testing.TB) *receiver {
	rc := &receiver{t: t}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		sig := r.Header.Get("X-Hub-Signature-256")
		m := hmac.New(sha256.New, []byte(testSecret))
		m.Write(body)
		want := "sha256=" + hex.EncodeToString(m.Sum(nil))
		if !hmac.Equal([]byte(sig), []byte(want)) {
			t.Errorf("bad signature %q, want %q", sig, want)
		}
		rc.mu.Lock()
		status := http.StatusOK
		if len(rc.script) > 0 {
			status, rc.script = rc.script[0], rc.script[1:]
		}
		rc.all = append(rc.all, received{body: body, header: r.Header.Clone(), status: status})
		rc.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) deliveries() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.all...)
}

// ok returns the bodies answered with 200.
func (rc *receiver) ok() [][]byte {
	var out [][]byte
	for _, d := range rc.deliveries() {
		if d.status == http.StatusOK {
			out = append(out, d.body)
		}
	}
	return out
}

func (rc *receiver) statuses(t *testing.T) []whStatus {
	var out []whStatus
	for _, b := range rc.ok() {
		var p whPayload
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatalf("decode webhook: %v", err)
		}
		for _, e := range p.Entry {
			for _, c := range e.Changes {
				for _, s := range c.Value.Statuses {
					out = append(out, *s)
				}
			}
		}
	}
	return out
}

type env struct {
	t    testing.TB
	e    *Emulator
	srv  *httptest.Server
	rc   *receiver
	stop func()
}

// newEnv starts an emulator (over HTTP) with a webhook receiver and a running Run loop.
func newEnv(t testing.TB, mutate func(*Config)) *env {
	t.Helper()
	rc := newReceiver(t)
	cfg := Config{
		PhoneNumbers: []Number{{PhoneNumberID: testPNID, DisplayPhoneNumber: testDisp, WABAID: testWABA}},
		AccessToken:  testToken,
		AppSecret:    testSecret,
		WebhookURL:   rc.srv.URL,
		Seed:         42,
		StatusDelays: StatusDelays{Sent: 5 * time.Millisecond, Delivered: 10 * time.Millisecond, Read: 15 * time.Millisecond},
		Retry:        RetryPolicy{Initial: 5 * time.Millisecond, Max: 20 * time.Millisecond, Timeout: time.Second},
		PollInterval: 2 * time.Millisecond,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	en := &env{t: t, e: e, srv: srv, rc: rc}
	var stop func()
	var once sync.Once
	en.stop = func() { once.Do(stop) }
	stop = func() {
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Run returned %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("Run did not stop")
		}
		_ = e.Close()
		srv.Close()
	}
	t.Cleanup(en.stop)
	return en
}

// withClock installs a fake clock and returns it.
func withClock(c *fakeClock) func(*Config) {
	return func(cfg *Config) { cfg.Now = c.Now }
}

func chain(fs ...func(*Config)) func(*Config) {
	return func(c *Config) {
		for _, f := range fs {
			f(c)
		}
	}
}

// waitFor polls cond; the emulator is asynchronous by nature.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

type graphResp struct {
	status int
	header http.Header
	body   []byte
}

func (r graphResp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return m
}

// errCode returns error.code and error.error_data.details.
func (r graphResp) errCode(t *testing.T) (int, string) {
	t.Helper()
	var m struct {
		Error struct {
			Code      int `json:"code"`
			ErrorData struct {
				Details string `json:"details"`
			} `json:"error_data"`
		} `json:"error"`
	}
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return m.Error.Code, m.Error.ErrorData.Details
}

func (en *env) do(method, path, token string, body io.Reader, contentType string) graphResp {
	en.t.Helper()
	req, err := http.NewRequest(method, en.srv.URL+path, body)
	if err != nil {
		en.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		en.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return graphResp{status: resp.StatusCode, header: resp.Header, body: b}
}

func (en *env) send(payload string) graphResp {
	en.t.Helper()
	return en.do(http.MethodPost, "/v27.0/"+testPNID+"/messages", testToken, strings.NewReader(payload), "application/json")
}

func (en *env) customer(in CustomerMessage) string {
	en.t.Helper()
	id, err := en.e.CustomerSend(context.Background(), in)
	if err != nil {
		en.t.Fatal(err)
	}
	return id
}

func wamidOf(t *testing.T, r graphResp) string {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("send: HTTP %d %s", r.status, r.body)
	}
	var m struct {
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(r.body, &m); err != nil || len(m.Messages) != 1 {
		t.Fatalf("send response %s", r.body)
	}
	return m.Messages[0].ID
}

func statusesFor(all []whStatus, id string) []whStatus {
	var out []whStatus
	for _, s := range all {
		if s.ID == id {
			out = append(out, s)
		}
	}
	return out
}
