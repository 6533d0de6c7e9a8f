package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/inbox"
	"github.com/switchboardhq/switchboard/internal/password"
	"github.com/switchboardhq/switchboard/internal/sqlite/sqlitetest"
)

// testApp is a running App on a free port with a temporary data dir,
// reached over real HTTP.
type testApp struct {
	*App
	t    testing.TB
	URL  string
	stop context.CancelFunc
	done chan error
}

func startApp(t testing.TB, env map[string]string, opts ...func(*App)) *testApp {
	t.Helper()
	dir := t.TempDir()
	getenv := func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		switch k {
		case "SWITCHBOARD_DATA_DIR":
			return dir
		case "SWITCHBOARD_ADDR":
			return "127.0.0.1:0"
		case "SWITCHBOARD_LOG_LEVEL":
			return "error"
		case "SWITCHBOARD_EMULATOR":
			return "off"
		case "SWITCHBOARD_EMULATOR_ADDR":
			return "127.0.0.1:0"
		case "SWITCHBOARD_EMULATOR_CUSTOMERS":
			return "0"
		}
		return ""
	}
	c, _, err := parseConfig("serve", groupAll, nil, getenv, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Postgres() {
		// A copy of a migrated database: the same schema the migrations
		// make, without running all of them again for every test.
		sqlitetest.Seed(t, c.SQLitePath())
	}
	app := &App{Config: c, Logger: newLogger(c, io.Discard), Stdout: io.Discard}
	for _, o := range opts {
		o(app)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := app.Open(ctx); err != nil {
		t.Fatal(err)
	}
	// Cheap hashing keeps the suite fast; TestDefaultHashParams in
	// internal/password pins the production parameters.
	app.Service.Passwords, _ = password.NewHasher(password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 4)
	ta := &testApp{App: app, t: t, URL: "http://" + app.Addr(), stop: cancel, done: make(chan error, 1)}
	go func() { ta.done <- app.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-ta.done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("server did not shut down")
		}
		if err := app.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return ta
}

// client is an API client with a bearer token (or none).
type client struct {
	t     testing.TB
	base  string
	token string
	http  *http.Client
	// header is added to every request.
	header http.Header
}

func (a *testApp) client(token string) *client {
	return &client{t: a.t, base: a.URL, token: token, http: &http.Client{Timeout: 30 * time.Second}, header: http.Header{}}
}

// do sends a request and returns the status and body. body may be nil, a
// string (sent raw) or anything JSON-encodable.
func (c *client) do(method, path string, body any) (int, []byte) {
	c.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// must sends a request, checks the status and decodes the response into v.
func (c *client) must(want int, method, path string, body, v any) {
	c.t.Helper()
	got, out := c.do(method, path, body)
	if got != want {
		c.t.Fatalf("%s %s = %d, want %d: %s", method, path, got, want, out)
	}
	if v != nil {
		if err := json.Unmarshal(out, v); err != nil {
			c.t.Fatalf("%s %s: decode %s: %v", method, path, out, err)
		}
	}
}

func errorCode(t testing.TB, body []byte) string {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("not an error body: %s", body)
	}
	return e.Error.Code
}

const testPassword = "correct horse battery staple"

// setupAdmin creates the first administrator through the setup link and
// returns a client signed in as them.
func (a *testApp) setupAdmin() *client {
	a.t.Helper()
	_, token, ok := strings.Cut(a.SetupURL, "#token=")
	if !ok {
		a.t.Fatalf("no setup link: %q", a.SetupURL)
	}
	var resp struct {
		Token string
		User  switchboard.User
	}
	a.client("").must(201, "POST", "/api/v1/setup", map[string]string{
		"token": token, "login": "admin", "name": "Ada Admin", "password": testPassword,
	}, &resp)
	return a.client(resp.Token)
}

// createUser creates a user with a role as admin and returns a signed-in
// client and the user.
func (a *testApp) createUser(admin *client, login, role string) (*client, *switchboard.User) {
	a.t.Helper()
	var u switchboard.User
	admin.must(201, "POST", "/api/v1/users", map[string]string{
		"login": login, "name": strings.ToUpper(login[:1]) + login[1:], "role_id": role, "password": testPassword,
	}, &u)
	return a.login(login), &u
}

func (a *testApp) login(login string) *client {
	a.t.Helper()
	var resp struct{ Token string }
	a.client("").must(201, "POST", "/api/v1/session", map[string]string{"login": login, "password": testPassword}, &resp)
	return a.client(resp.Token)
}

var waSeq int

// customerWrites stores an inbound text from a customer, as the WhatsApp
// webhook will, and returns the conversation.
func (a *testApp) customerWrites(channelID, waID, name, text string) *switchboard.Conversation {
	a.t.Helper()
	return a.customerWroteAt(channelID, waID, name, text, time.Now().UTC())
}

// customerWroteAt stores an inbound message with WhatsApp's timestamp at.
func (a *testApp) customerWroteAt(channelID, waID, name, text string, now time.Time) *switchboard.Conversation {
	a.t.Helper()
	waSeq++
	_, _, err := a.System.Receive(context.Background(), switchboard.InboundMessage{
		ChannelID: channelID, WaID: waID, ProfileName: name,
		Message: &switchboard.Message{
			Direction: switchboard.DirectionIn, Type: switchboard.TypeText,
			Content:     switchboard.MessageContent{Text: text},
			WAMessageID: fmt.Sprintf("wamid.test.%d.%d", now.UnixNano(), waSeq), Timestamp: now,
		},
	})
	if err != nil {
		a.t.Fatal(err)
	}
	items, _, err := a.Store.Conversations(context.Background(), switchboard.ConversationFilter{Query: waID, ChannelIDs: []string{channelID}, Limit: 10})
	if err != nil || len(items) != 1 {
		a.t.Fatalf("find conversation of %s: %v (%d found)", waID, err, len(items))
	}
	return items[0]
}

// channel creates a WhatsApp channel directly in the store.
func (a *testApp) channel(name string) *switchboard.Channel {
	a.t.Helper()
	now := time.Now().UTC()
	ch := &switchboard.Channel{
		ID: switchboard.NewID(), Name: name, PhoneNumberID: "pn" + switchboard.NewID()[:10],
		WABAID: "waba1", DisplayPhoneNumber: "+49 30 1234567", AccessToken: "tok", AppSecret: "secret",
		VerifyToken: "verify", CreatedAt: now, UpdatedAt: now,
	}
	if err := a.Store.CreateChannel(context.Background(), ch); err != nil {
		a.t.Fatal(err)
	}
	// Written to the store directly, so drop the service's channel cache
	// as its own create does: a background job may have filled it already.
	a.Service.InvalidateChannels()
	return ch
}

func auditFilter(action string) switchboard.AuditFilter {
	return switchboard.AuditFilter{Action: action, Limit: 200}
}

func netListen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }

func httpGet(url string) (*http.Response, error) {
	c := &http.Client{Timeout: 2 * time.Second}
	return c.Get(url)
}

// HashTokenForTest names a session's storage key.
func HashTokenForTest(token string) string { return inbox.HashToken(token) }
