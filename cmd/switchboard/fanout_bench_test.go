package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboardhq/switchboard/internal/loadgen"
)

// BenchmarkFanOut connects SWITCHBOARD_FANOUT_SOCKETS administrator sockets
// (default 100; an administrator sees every event), offers signed webhooks
// at SWITCHBOARD_FANOUT_RATE messages/s (default 200) for
// SWITCHBOARD_FANOUT_SECONDS (default 10), and reports how many sockets the
// server disconnected, how many message.created frames were lost (expected
// per socket minus received) and the delay from a webhook's scheduled send
// to its frame. See docs/benchmarks.md.
func BenchmarkFanOut(b *testing.B) {
	sockets, rate, secs := 100, 200.0, 10
	if v := os.Getenv("SWITCHBOARD_FANOUT_SOCKETS"); v != "" {
		sockets, _ = strconv.Atoi(v)
	}
	if v := os.Getenv("SWITCHBOARD_FANOUT_RATE"); v != "" {
		rate, _ = strconv.ParseFloat(v, 64)
	}
	if v := os.Getenv("SWITCHBOARD_FANOUT_SECONDS"); v != "" {
		secs, _ = strconv.Atoi(v)
	}
	for i := 0; i < b.N; i++ {
		app := startApp(b, loadEnv(b.TempDir()))
		admin := app.setupAdmin()
		url := "ws" + strings.TrimPrefix(app.URL, "http") + "/api/v1/events"
		ctx, cancel := context.WithCancel(context.Background())
		var (
			disconnected atomic.Int64
			mu           sync.Mutex
			delays       []time.Duration // from the webhook's scheduled send
			fanDelays    []time.Duration // from the event's publication
			received     = make([]atomic.Int64, sockets)
			wg           sync.WaitGroup
			start        time.Time // set before the readers see any message
			started      = make(chan struct{})
		)
		interval := time.Duration(float64(time.Second) / rate)
		prefix := "fan" + strconv.Itoa(i)
		for s := range sockets {
			conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + admin.token}}})
			if err != nil {
				b.Fatal(err)
			}
			conn.SetReadLimit(1 << 20)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.CloseNow()
				var local, hub []time.Duration
				defer func() {
					mu.Lock()
					delays = append(delays, local...)
					fanDelays = append(fanDelays, hub...)
					mu.Unlock()
				}()
				for {
					_, msg, err := conn.Read(ctx)
					if err != nil {
						if ctx.Err() == nil {
							disconnected.Add(1)
						}
						return
					}
					var e struct {
						Type string    `json:"type"`
						At   time.Time `json:"at"`
						Data struct {
							WAMessageID string `json:"wa_message_id"`
						} `json:"data"`
					}
					if json.Unmarshal(msg, &e) != nil || e.Type != "message.created" {
						continue
					}
					<-started
					n, err := strconv.Atoi(strings.TrimPrefix(e.Data.WAMessageID, "wamid."+prefix+"."))
					if err != nil {
						continue
					}
					received[s].Add(1)
					local = append(local, time.Since(start.Add(time.Duration(n)*interval)))
					hub = append(hub, time.Since(e.At))
				}
			}()
		}
		start = time.Now()
		cpu0 := cpuTime()
		close(started)
		res := loadgen.Run(context.Background(), loadgen.Config{
			URL: app.URL + "/webhooks/whatsapp", AppSecret: loadAppSecret, PhoneNumberID: loadPhoneNumberID,
			Rate: rate, Duration: time.Duration(secs) * time.Second, Prefix: prefix,
		})
		// Wait until every socket has what it will get: all frames, or
		// nothing new for 2 s after the queue drained.
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			n, err := app.Store.WebhookQueueDepth(context.Background())
			if err == nil && n == 0 {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		total := func() int {
			t := 0
			for i := range received {
				t += int(received[i].Load())
			}
			return t
		}
		for last := -1; ; {
			time.Sleep(2 * time.Second)
			t := total()
			if t == last || t == res.Acked*sockets {
				break
			}
			last = t
		}
		cancel()
		wg.Wait()
		cpu := cpuTime() - cpu0
		lost := res.Acked*sockets - total()
		slices.Sort(delays)
		slices.Sort(fanDelays)
		pickFrom := func(d []time.Duration, q float64) time.Duration {
			if len(d) == 0 {
				return 0
			}
			return d[min(len(d)-1, int(q*float64(len(d))))]
		}
		pick := func(q float64) time.Duration { return pickFrom(delays, q) }
		b.Logf("%d sockets, %s", sockets, res)
		b.Logf("disconnected %d of %d sockets; lost %d of %d frames (%.1f%%); delay p50 %v p99 %v max %v",
			disconnected.Load(), sockets, lost, res.Acked*sockets, 100*float64(lost)/float64(max(1, res.Acked*sockets)),
			pick(0.5).Round(100*time.Microsecond), pick(0.99).Round(100*time.Microsecond), pick(1).Round(time.Millisecond))
		b.Logf("from publication to frame: p50 %v p99 %v; CPU %v per delivered frame (server, generator and clients)",
			pickFrom(fanDelays, 0.5).Round(100*time.Microsecond), pickFrom(fanDelays, 0.99).Round(100*time.Microsecond),
			(cpu / time.Duration(max(1, total()))).Round(100*time.Nanosecond))
		b.ReportMetric(float64(disconnected.Load()), "disconnected")
		b.ReportMetric(float64(lost), "lost-frames")
		b.ReportMetric(float64(pick(0.99).Microseconds())/1000, "p99-ms")
	}
}

// BenchmarkIdleSockets connects SWITCHBOARD_IDLE_SOCKETS administrator
// sockets (default 2,000) that receive nothing, then reports the process's
// CPU over SWITCHBOARD_IDLE_SECONDS (default 20) and the memory per socket
// (server and client side together, as both run in this process).
func BenchmarkIdleSockets(b *testing.B) {
	sockets, secs := 2000, 20
	if v := os.Getenv("SWITCHBOARD_IDLE_SOCKETS"); v != "" {
		sockets, _ = strconv.Atoi(v)
	}
	if v := os.Getenv("SWITCHBOARD_IDLE_SECONDS"); v != "" {
		secs, _ = strconv.Atoi(v)
	}
	for i := 0; i < b.N; i++ {
		app := startApp(b, loadEnv(b.TempDir()))
		admin := app.setupAdmin()
		url := "ws" + strings.TrimPrefix(app.URL, "http") + "/api/v1/events"
		ctx, cancel := context.WithCancel(context.Background())
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		var wg sync.WaitGroup
		var closed atomic.Int64
		for range sockets {
			conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + admin.token}}})
			if err != nil {
				b.Fatal(err)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.CloseNow()
				for {
					if _, _, err := conn.Read(ctx); err != nil {
						if ctx.Err() == nil {
							closed.Add(1)
						}
						return
					}
				}
			}()
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		cpu0, t0 := cpuTime(), time.Now()
		time.Sleep(time.Duration(secs) * time.Second)
		cores := float64(cpuTime()-cpu0) / float64(time.Since(t0))
		perSocket := (int64(after.HeapInuse+after.StackInuse) - int64(before.HeapInuse+before.StackInuse)) / int64(sockets)
		b.Logf("%d idle sockets: %.3f cores over %d s; %.1f KB per socket (server and client); %d closed by the server",
			sockets, cores, secs, float64(perSocket)/1024, closed.Load())
		b.ReportMetric(cores, "cores")
		b.ReportMetric(float64(perSocket)/1024, "KB/socket")
		cancel()
		wg.Wait()
	}
}
