package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/loadgen"
)

// TestWebhookDeliveriesSurviveKill: the server is killed with SIGKILL at a
// random moment while webhooks arrive and a slow receiver is being sent
// deliveries; after a restart the receiver has answered, for every
// acknowledged message, exactly one delivery id of its message.created
// event: none is lost (the event record is written in the transaction of
// the message, the fan-out is redone after the crash with the same ids),
// and a delivery the kill cut short is made again with the same id once
// its lease runs out (a repeat of an id is counted, as at-least-once
// allows it). The channel has a bot agent and every customer is new and
// asks for a person: each acknowledged message's conversation is with
// people for that reason after the restart, and a second subscription
// has its handoff.to_human (the hand-off rules run in the batch's
// transaction, so the kill cannot keep the message and lose its
// hand-off).
func TestWebhookDeliveriesSurviveKill(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "switchboard")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	var mu sync.Mutex
	seen := map[string]int{}       // answered requests by delivery id
	byWAMID := map[string]string{} // delivery id by message wamid
	var reused []string            // wamids that came with a second delivery id
	convOf := map[string]string{}  // conversation id by message wamid
	handedOff := map[string]bool{} // conversations with a handoff.to_human delivery
	changed := make(chan struct{}, 1)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		if r.URL.Path == "/handoff" {
			var e struct {
				Type string `json:"type"`
				Data struct {
					Conversation struct {
						ID string `json:"id"`
					} `json:"conversation"`
				} `json:"data"`
			}
			_ = json.Unmarshal(body, &e)
			mu.Lock()
			if e.Type == switchboard.EventHandoffToHuman {
				handedOff[e.Data.Conversation.ID] = true
			}
			mu.Unlock()
			select {
			case changed <- struct{}{}:
			default:
			}
			return
		}
		time.Sleep(100 * time.Millisecond) // slow: deliveries pile up, some are in flight at the kill
		if r.Context().Err() != nil {
			return // the sender died mid-request: it never got an answer
		}
		var e struct {
			Data struct {
				WAMessageID    string `json:"wa_message_id"`
				ConversationID string `json:"conversation_id"`
			} `json:"data"`
		}
		_ = json.Unmarshal(body, &e)
		id := r.Header.Get(switchboard.HeaderWebhookDelivery)
		mu.Lock()
		seen[id]++
		if old, ok := byWAMID[e.Data.WAMessageID]; ok && old != id {
			reused = append(reused, e.Data.WAMessageID)
		}
		byWAMID[e.Data.WAMessageID] = id
		convOf[e.Data.WAMessageID] = e.Data.ConversationID
		mu.Unlock()
		select {
		case changed <- struct{}{}:
		default:
		}
	}))
	defer rcv.Close()
	env := loadEnv(filepath.Join(dir, "data"))
	env["SWITCHBOARD_WEBHOOK_ALLOW_HOSTS"] = "127.0.0.1"
	start := func() (*exec.Cmd, string) {
		addr := freeAddr(t)
		cmd := exec.Command(bin, "serve")
		cmd.Env = append(os.Environ(), "SWITCHBOARD_ADDR="+addr)
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		stderr, _ := cmd.StderrPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() {
			s := bufio.NewScanner(stderr)
			for s.Scan() {
			}
		}()
		waitReady(t, "http://"+addr)
		return cmd, addr
	}
	stop := func(cmd *exec.Cmd) {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Fatalf("clean shutdown: %v", err)
		}
	}
	withStore := func(f func(s switchboard.Store)) {
		c, _, err := parseConfig("serve", groupAll, nil, func(k string) string { return env[k] }, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		s, _, err := openStore(context.Background(), c, newLogger(c, os.Stderr), false)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		f(s)
	}

	cmd, _ := start() // creates and migrates the database
	stop(cmd)
	var sub *switchboard.WebhookSubscription
	withStore(func(s switchboard.Store) {
		sub = &switchboard.WebhookSubscription{URL: rcv.URL + "/hook", Events: []string{"message.created"}, AllChannels: true,
			Active: true, Secret: "whsec_crash", CreatedBy: switchboard.NewID()}
		if err := s.CreateWebhookSubscription(context.Background(), sub); err != nil {
			t.Fatal(err)
		}
		handoffs := &switchboard.WebhookSubscription{URL: rcv.URL + "/handoff", Events: []string{"handoff.to_human"}, AllChannels: true,
			Active: true, Secret: "whsec_crash_handoff", CreatedBy: switchboard.NewID()}
		if err := s.CreateWebhookSubscription(context.Background(), handoffs); err != nil {
			t.Fatal(err)
		}
		bot := &switchboard.ServiceAccount{User: &switchboard.User{Login: "crashbot", Name: "Crash Bot", RoleID: switchboard.RoleEmployee, Active: true},
			Bot: true, CreatedBy: switchboard.NewID()}
		if err := s.CreateServiceAccount(context.Background(), bot); err != nil {
			t.Fatal(err)
		}
		chs, err := s.Channels(context.Background())
		if err != nil || len(chs) != 1 {
			t.Fatalf("channels %v, %v", chs, err)
		}
		if _, err := s.UpdateChannel(context.Background(), chs[0].ID, switchboard.ChannelUpdate{BotAgentID: &bot.User.ID}); err != nil {
			t.Fatal(err)
		}
	})

	cmd, addr := start()
	// The kill falls at a random moment of the load: the loader goes on
	// against the dead server, whose later webhooks are not acknowledged.
	const load = 2 * time.Second
	killAt := 200*time.Millisecond + time.Duration(mrand.Int64N(int64(load-400*time.Millisecond)))
	killed := make(chan struct{})
	time.AfterFunc(killAt, func() {
		_ = cmd.Process.Signal(syscall.SIGKILL)
		close(killed)
	})
	res := loadgen.Run(context.Background(), loadgen.Config{
		URL: "http://" + addr + "/webhooks/whatsapp", AppSecret: loadAppSecret, PhoneNumberID: loadPhoneNumberID,
		Rate: 60, Duration: load, Prefix: "whkill", Customers: 1000,
		Text: func(i int) string {
			return "Bitte einen Mitarbeiter, ich möchte mit einem Menschen sprechen " + strconv.Itoa(i)
		},
	})
	<-killed
	_ = cmd.Wait()
	if res.Acked == 0 {
		t.Fatalf("nothing acknowledged before the kill at %v", killAt)
	}
	mu.Lock()
	before := len(seen)
	mu.Unlock()

	cmd, _ = start()
	// Deliveries leased by the killed process wait for their lease (one
	// minute) to run out; then the receiver sees them. The wait ends on
	// the receiver's last answer, not on a timer.
	missing := func() []string {
		mu.Lock()
		defer mu.Unlock()
		var out []string
		for _, w := range res.AckedIDs {
			if _, ok := byWAMID[w]; !ok {
				out = append(out, w)
			}
		}
		return out
	}
	// The acknowledged messages whose conversation has no handoff.to_human
	// delivery (yet).
	notHandedOff := func() []string {
		mu.Lock()
		defer mu.Unlock()
		var out []string
		for _, w := range res.AckedIDs {
			if c, ok := convOf[w]; !ok || !handedOff[c] {
				out = append(out, w)
			}
		}
		return out
	}
	deadline := time.After(4 * time.Minute)
	for len(missing()) > 0 || len(notHandedOff()) > 0 {
		select {
		case <-changed:
		case <-deadline:
			if m := missing(); len(m) > 0 {
				t.Fatalf("after the restart the receiver has no delivery of %d of %d acknowledged messages (kill at %v), e.g. %s",
					len(m), res.Acked, killAt, m[0])
			}
			m := notHandedOff()
			t.Fatalf("after the restart %d of %d acknowledged messages asking for a person have no handoff.to_human (kill at %v), e.g. %s",
				len(m), res.Acked, killAt, m[0])
		}
	}
	// Every delivery row ends delivered: an answer the killed process did
	// not record is sent again, with the same id, once its lease ran out.
	var ids []string
	poll := time.NewTicker(250 * time.Millisecond)
	defer poll.Stop()
	for {
		pending := 0
		ids = ids[:0]
		stop(cmd)
		withStore(func(s switchboard.Store) {
			ds, err := s.WebhookDeliveries(context.Background(), sub.ID, 500)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				ids = append(ids, d.ID)
				if d.State != switchboard.DeliveryDelivered {
					pending++
				}
			}
		})
		if pending == 0 {
			break
		}
		cmd, _ = start()
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("%d of %d deliveries still pending after the restart", pending, len(ids))
		}
	}
	// Each of those conversations is stored with people, for the
	// customer's request.
	withStore(func(s switchboard.Store) {
		mu.Lock()
		defer mu.Unlock()
		for _, w := range res.AckedIDs {
			c, err := s.Conversation(context.Background(), convOf[w], "")
			if err != nil {
				t.Fatal(err)
			}
			if c.Handler != switchboard.HandlerHuman || c.Handoff == nil || c.Handoff.Reason != switchboard.ReasonCustomerAsked {
				t.Errorf("conversation of %s stored with %q %+v, want people for customer_asked", w, c.Handler, c.Handoff)
			}
		}
	})
	mu.Lock()
	defer mu.Unlock()
	if len(reused) > 0 {
		t.Errorf("messages delivered under two delivery ids (a fan-out redone with new ids): %v", reused)
	}
	if len(ids) < res.Acked || len(ids) >= 500 {
		t.Fatalf("%d deliveries for %d acknowledged messages (at most 499)", len(ids), res.Acked)
	}
	repeats := 0
	for _, id := range ids {
		if seen[id] == 0 {
			t.Errorf("delivery %s marked delivered but never received", id)
		}
		repeats += max(seen[id]-1, 0)
	}
	t.Logf("kill at %v: %d acknowledged webhooks, %d deliveries, %d received before the kill, all received after the restart; %d repeated ids; %d conversations handed to people",
		killAt, res.Acked, len(ids), before, repeats, len(handedOff))
}
