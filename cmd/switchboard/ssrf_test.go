package main

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// graphTargets starts an HTTP service on loopback that counts what reaches
// it and records the Authorization header, and returns it with a closed
// port and a link-local (cloud metadata) address.
func graphTargets(t *testing.T) (srv *httptest.Server, hits *atomic.Int32, auth *atomic.Value, targets []string) {
	t.Helper()
	hits, auth = new(atomic.Int32), new(atomic.Value)
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		auth.Store(r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":[]}`))
	}))
	t.Cleanup(srv.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	return srv, hits, auth, []string{srv.URL, closed, "http://169.254.169.254"}
}

func syncError(t *testing.T, c *client, channelID string) (int, string) {
	t.Helper()
	code, body := c.do("POST", "/api/v1/channels/"+channelID+"/templates/sync", nil)
	var e struct{ Error struct{ Message string } }
	_ = json.Unmarshal(body, &e)
	return code, e.Error.Message
}

// TestGraphURLCannotReachPrivateAddresses: a channel's Graph URL set to a
// loopback, private or link-local address is refused at dial time, so the
// channel's access token never leaves for it, and the error text is the
// same whatever listens there (issue 14, Medium 4). The built-in
// emulator's own channel keeps working, but pointing it elsewhere does not
// inherit its exemption.
func TestGraphURLCannotReachPrivateAddresses(t *testing.T) {
	app := startEmulated(t, nil)
	admin := app.setupAdmin()
	_, hits, _, targets := graphTargets(t)
	var page struct {
		Items []struct {
			ID       string
			Emulated bool
		}
	}
	admin.must(200, "GET", "/api/v1/channels", nil, &page)
	list := page.Items
	if len(list) != 1 || !list[0].Emulated {
		t.Fatalf("channels = %+v, want the emulator's", list)
	}
	emu := list[0].ID
	admin.must(200, "POST", "/api/v1/channels/"+emu+"/templates/sync", nil, nil)
	emuURL := app.EmulatorURL

	other := app.channel("B")
	var messages []string
	for _, id := range []string{other.ID, emu} {
		for _, target := range targets {
			admin.must(200, "PATCH", "/api/v1/channels/"+id, map[string]string{"graph_url": target}, nil)
			code, msg := syncError(t, admin, id)
			if code != 503 {
				t.Errorf("sync via %s = %d %q, want 503", target, code, msg)
			}
			for _, leak := range []string{"127.0.0.1", "169.254", "refused", "dial", "address", "connect"} {
				if strings.Contains(msg, leak) {
					t.Errorf("sync via %s tells %q: %q", target, leak, msg)
				}
			}
			messages = append(messages, msg)
		}
	}
	for _, m := range messages[1:] {
		if m != messages[0] {
			t.Errorf("error texts differ: %q", messages)
			break
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("%d requests reached the loopback service", n)
	}
	// Back on the emulator's own address it works again.
	admin.must(200, "PATCH", "/api/v1/channels/"+emu, map[string]string{"graph_url": emuURL}, nil)
	admin.must(200, "POST", "/api/v1/channels/"+emu+"/templates/sync", nil, nil)
}

// TestAllowPrivateGraphIsTheOperatorsChoice: SWITCHBOARD_ALLOW_PRIVATE_GRAPH
// lets the server reach a Graph API on a private address (a local proxy
// or emulator), and error texts stay generic.
func TestAllowPrivateGraphIsTheOperatorsChoice(t *testing.T) {
	app := startApp(t, map[string]string{"SWITCHBOARD_ALLOW_PRIVATE_GRAPH": "true"})
	admin := app.setupAdmin()
	srv, hits, auth, targets := graphTargets(t)
	ch := app.channel("B")
	admin.must(200, "PATCH", "/api/v1/channels/"+ch.ID, map[string]string{"graph_url": srv.URL}, nil)
	admin.must(200, "POST", "/api/v1/channels/"+ch.ID+"/templates/sync", nil, nil)
	if hits.Load() != 1 || auth.Load() != "Bearer tok" {
		t.Fatalf("hits %d, auth %v", hits.Load(), auth.Load())
	}
	admin.must(200, "PATCH", "/api/v1/channels/"+ch.ID, map[string]string{"graph_url": targets[1]}, nil)
	_, msg := syncError(t, admin, ch.ID)
	if strings.Contains(msg, "refused") || strings.Contains(msg, "127.0.0.1") {
		t.Errorf("closed port error tells too much: %q", msg)
	}
}
