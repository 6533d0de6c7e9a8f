package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/loadgen"
)

const (
	loadPhoneNumberID = "300000000000001"
	loadAppSecret     = "load-test-app-secret"
)

// loadEnv configures a channel from the environment whose app secret the
// load generator signs with; sends would go nowhere, which is fine: the load
// is inbound only.
func loadEnv(dir string) map[string]string {
	return map[string]string{
		"SWITCHBOARD_DATA_DIR":           dir,
		"SWITCHBOARD_EMULATOR":           "off",
		"SWITCHBOARD_WA_PHONE_NUMBER_ID": loadPhoneNumberID,
		"SWITCHBOARD_WA_ACCESS_TOKEN":    "load-token-unused",
		"SWITCHBOARD_WA_APP_SECRET":      loadAppSecret,
		"SWITCHBOARD_WA_VERIFY_TOKEN":    "load-verify-token",
		"SWITCHBOARD_WA_GRAPH_URL":       "http://127.0.0.1:9",
		"SWITCHBOARD_LOG_LEVEL":          "warn",
	}
}

// storedInbound opens the store at dir (the server must be stopped) and
// counts every inbound WhatsApp message id.
func storedInbound(t testing.TB, env map[string]string) map[string]int {
	t.Helper()
	c, _, err := parseConfig("serve", groupAll, nil, func(k string) string { return env[k] }, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	store, _, err := openStore(ctx, c, newLogger(c, os.Stderr), false)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	return countInbound(t, store)
}

// countInbound counts every inbound WhatsApp message id in the store once
// the webhook queue is drained.
func countInbound(t testing.TB, store switchboard.Store) map[string]int {
	t.Helper()
	ctx := context.Background()
	if n, err := store.WebhookQueueDepth(ctx); err != nil || n != 0 {
		t.Fatalf("webhook queue not drained: %d %v", n, err)
	}
	seen := map[string]int{}
	cursor := ""
	for {
		convs, next, err := store.Conversations(ctx, switchboard.ConversationFilter{Limit: 200, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, cv := range convs {
			before := ""
			for {
				msgs, b, err := store.Messages(ctx, cv.ID, switchboard.MessagePage{Limit: 200, Before: before})
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range msgs {
					if m.Direction == switchboard.DirectionIn {
						seen[m.WAMessageID]++
					}
				}
				if b == "" {
					break
				}
				before = b
			}
		}
		if next == "" {
			return seen
		}
		cursor = next
	}
}

func checkExactlyOnce(t testing.TB, acked []string, seen map[string]int) {
	t.Helper()
	for _, id := range acked {
		if seen[id] != 1 {
			t.Fatalf("acknowledged message %s stored %d times", id, seen[id])
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("message %s stored %d times", id, n)
		}
	}
}

// TestCrashLosesNothingAcknowledged kills the server with SIGKILL under
// webhook load, restarts it, and checks that every webhook answered with 200
// is stored exactly once. CI runs 5 cycles; SWITCHBOARD_CRASH_CYCLES=100 is
// the documented long run.
func TestCrashLosesNothingAcknowledged(t *testing.T) {
	cycles := 5
	if v := os.Getenv("SWITCHBOARD_CRASH_CYCLES"); v != "" {
		cycles, _ = strconv.Atoi(v)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "switchboard")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	env := loadEnv(filepath.Join(dir, "data"))
	var acked []string
	for cycle := range cycles {
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
		go func() { // keep the pipe drained
			s := bufio.NewScanner(stderr)
			for s.Scan() {
			}
		}()
		waitReady(t, "http://"+addr)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan loadgen.Result, 1)
		go func() {
			done <- loadgen.Run(ctx, loadgen.Config{
				URL: "http://" + addr + "/webhooks/whatsapp", AppSecret: loadAppSecret, PhoneNumberID: loadPhoneNumberID,
				Rate: 800, Duration: 10 * time.Second, Prefix: fmt.Sprintf("crash%d", cycle), Customers: 50,
			})
		}()
		time.Sleep(time.Duration(300+rand.IntN(1200)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cancel() // stop offering load to the dead server
		_ = cmd.Wait()
		res := <-done
		if res.Acked == 0 {
			t.Fatalf("cycle %d: nothing acknowledged before the kill", cycle)
		}
		acked = append(acked, res.AckedIDs...)
		t.Logf("cycle %d: %s", cycle, res)
	}
	// A last clean run processes whatever the killed ones left queued.
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "SWITCHBOARD_ADDR="+addr)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitReady(t, "http://"+addr)
	// Events claimed by a killed process wait for their lease to run out.
	waitDrained(t, "http://"+addr, 60*time.Second)
	_ = cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("clean shutdown: %v", err)
	}
	checkExactlyOnce(t, acked, storedInbound(t, env))
	t.Logf("%d acknowledged webhooks over %d crashes: each stored exactly once", len(acked), cycles)
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := netListen()
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// waitDrained polls /metrics until the webhook queue is empty.
func waitDrained(t testing.TB, base string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		resp, err := httpGet(base + "/metrics")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if bytes.Contains(b, []byte("\nswitchboard_webhook_queue_depth 0\n")) {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("webhook queue not drained within %v", limit)
}

func waitReady(t testing.TB, base string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := httpGet(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s not ready within 30s", base)
}

// BenchmarkWebhookIngest offers signed webhooks at a fixed rate to a real
// server over loopback and reports the acknowledgement latency, then checks
// every acknowledged message is stored exactly once. Set
// SWITCHBOARD_LOAD_RATE, SWITCHBOARD_LOAD_SECONDS and SWITCHBOARD_DATABASE_URL
// (a postgres:// URL for PostgreSQL); see docs/benchmarks.md.
func BenchmarkWebhookIngest(b *testing.B) {
	rate, secs := 2000.0, 10
	if v := os.Getenv("SWITCHBOARD_LOAD_RATE"); v != "" {
		rate, _ = strconv.ParseFloat(v, 64)
	}
	if v := os.Getenv("SWITCHBOARD_LOAD_SECONDS"); v != "" {
		secs, _ = strconv.Atoi(v)
	}
	for i := 0; i < b.N; i++ {
		env := loadEnv(b.TempDir())
		if u := os.Getenv("SWITCHBOARD_DATABASE_URL"); u != "" {
			env["SWITCHBOARD_DATABASE_URL"] = u
		}
		app := startApp(b, env)
		cpu0 := cpuTime()
		res := loadgen.Run(context.Background(), loadgen.Config{
			URL: app.URL + "/webhooks/whatsapp", AppSecret: loadAppSecret, PhoneNumberID: loadPhoneNumberID,
			Rate: rate, Duration: time.Duration(secs) * time.Second, Prefix: "bench" + strconv.Itoa(i),
		})
		b.Logf("%s", res)
		b.ReportMetric(res.Rate(), "acked/s")
		b.ReportMetric(float64(res.P50.Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(res.P99.Microseconds())/1000, "p99-ms")
		if res.Failed > 0 {
			b.Errorf("%d webhooks failed", res.Failed)
		}
		// Drain, stop, and check exactly-once.
		if n, err := app.Store.WebhookQueueDepth(context.Background()); err == nil {
			b.Logf("%d events queued when the load ended", n)
			b.ReportMetric(float64(n), "queued-at-end")
		}
		start := time.Now()
		for {
			n, err := app.Store.WebhookQueueDepth(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			if n == 0 {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		drained := time.Since(start)
		// The process's CPU time (server and generator: the same for
		// every version measured) per acknowledged event.
		perEvent := (cpuTime() - cpu0) / time.Duration(max(1, res.Acked))
		b.Logf("CPU %v per event (server and load generator)", perEvent.Round(time.Microsecond))
		b.ReportMetric(float64(perEvent.Microseconds()), "cpu-us/event")
		b.Logf("queue drained %v after the load ended", drained.Round(time.Millisecond))
		b.ReportMetric(drained.Seconds(), "drain-s")
		checkExactlyOnce(b, res.AckedIDs, countInbound(b, app.Store))
	}
}

// cpuTime returns the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
