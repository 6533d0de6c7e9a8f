package main

import (
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"
)

// pgCut is a TCP proxy in front of PostgreSQL that the test can cut: while
// cut, it severs every open connection and refuses new ones (closing them
// at once), as a database that went away would.
type pgCut struct {
	ln       net.Listener
	upstream string
	mu       sync.Mutex
	cut      bool
	conns    map[net.Conn]struct{}
}

func newPGCut(t *testing.T, upstream string) *pgCut {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &pgCut{ln: ln, upstream: upstream, conns: map[net.Conn]struct{}{}}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
	return p
}

func (p *pgCut) serve(c net.Conn) {
	p.mu.Lock()
	if p.cut {
		p.mu.Unlock()
		c.Close()
		return
	}
	p.mu.Unlock()
	up, err := net.Dial("tcp", p.upstream)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.cut {
		p.mu.Unlock()
		c.Close()
		up.Close()
		return
	}
	p.conns[c], p.conns[up] = struct{}{}, struct{}{}
	p.mu.Unlock()
	go func() { _, _ = io.Copy(up, c); up.Close(); c.Close() }()
	_, _ = io.Copy(c, up)
	up.Close()
	c.Close()
}

func (p *pgCut) set(cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = cut
	if cut {
		for c := range p.conns {
			c.Close()
		}
		clear(p.conns)
	}
}

// TestDatabaseOutageAnswers503: while PostgreSQL is unreachable, /readyz
// answers 503 and API requests answer 503 unavailable (not 500); when it
// is back, both recover (finding 24 of issue 14).
func TestDatabaseOutageAnswers503(t *testing.T) {
	dbURL, _ := testPostgresSchema(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newPGCut(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	a := startApp(t, map[string]string{"SWITCHBOARD_DATABASE_URL": u.String()})
	admin := a.setupAdmin()
	admin.must(200, "GET", "/api/v1/conversations", nil, nil)
	a.client("").must(200, "GET", "/readyz", nil, nil)

	proxy.set(true)
	if code, body := a.client("").do("GET", "/readyz", nil); code != 503 {
		t.Errorf("/readyz with the database down: %d %s, want 503", code, body)
	}
	for _, path := range []string{"/api/v1/conversations", "/api/v1/users"} {
		code, body := admin.do("GET", path, nil)
		if code != 503 || errorCode(t, body) != "unavailable" {
			t.Errorf("GET %s with the database down: %d %s, want 503 unavailable", path, code, body)
		}
	}

	// Back: connections the pool still holds from before the cut may
	// fail a request or two; then everything answers again.
	proxy.set(false)
	deadline := time.Now().Add(20 * time.Second)
	for {
		code, _ := admin.do("GET", "/api/v1/conversations", nil)
		ready, _ := a.client("").do("GET", "/readyz", nil)
		if code == 200 && ready == 200 {
			break
		}
		if code != 503 && code != 200 {
			t.Fatalf("GET /api/v1/conversations after the outage: %d, want 503 until it recovers, then 200", code)
		}
		if time.Now().After(deadline) {
			t.Fatalf("not recovered 20s after the database came back: %d, readyz %d", code, ready)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
